"""Providers in the admin: the organization with its services, locations and phones inline."""

from functools import partial

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from providers import confirmations
from providers.admin import exports
from providers.admin.filters import (
    ConfidentialFilter,
    ServiceTypeFilter,
    StateFilter,
    VerificationFilter,
)
from providers.admin.forms import LocationForm, OrganizationForm, ServiceForm
from providers.admin.history import listing_history_view
from providers.admin.scoping import ScopedAdmin, UserFormInline
from providers.admin.steps import ListingStepsAdmin
from providers.admin.translations import PhoneForm, translation_fieldsets
from providers.models import (
    OLDEST_VERIFIED_FIRST,
    Location,
    Organization,
    Phone,
    Service,
    Status,
)
from providers.permissions import can_publish, can_verify, is_editor
from providers.translations import ORGANIZATION_FIELDS


class ServiceInline(UserFormInline, admin.StackedInline):
    model = Service
    form = ServiceForm
    fields = ["name", "status", "service_types", "description", "cost"]
    extra = 0
    show_change_link = True


class LocationInline(UserFormInline, admin.StackedInline):
    model = Location
    form = LocationForm
    fields = [
        "name",
        "kind",
        "address_1",
        "address_2",
        ("city", "state", "postcode"),
        "address_confidential",
        ("latitude", "longitude", "keep_coordinates"),
        "coordinates_approximate",
        "timezone",
        "open_24_7",
        "hours_note",
    ]
    extra = 0
    show_change_link = True


class OrganizationPhoneInline(admin.TabularInline):
    model = Phone
    fk_name = "organization"
    form = PhoneForm
    fields = ["number", "extension", "kind", "note", "translations", "position"]
    extra = 0
    verbose_name = _("organization phone")


def verification_text(organization: Organization) -> str:
    if organization.last_verified_on is None:
        return str(_("Stale: never verified"))
    if organization.is_stale():
        return str(
            _("Stale: last verified %(date)s (more than %(days)s days ago)")
            % {"date": organization.last_verified_on, "days": settings.STALE_AFTER_DAYS}
        )
    if organization.verified_by_provider:
        return str(
            _("Current: confirmed by the provider %(date)s")
            % {"date": organization.last_verified_on}
        )
    return str(_("Current: verified %(date)s") % {"date": organization.last_verified_on})


class OldestVerifiedFirstList(ChangeList):
    """The organizations list's header, sorted oldest verified first unless a column was
    clicked: it marks the verification column as the sorted one, where Django would mark the
    columns named by the default ordering's fields (Name and the date)."""

    def get_ordering_field_columns(self):
        if ORDER_VAR in self.params:
            return super().get_ordering_field_columns()
        return {self.list_display.index("verification"): "asc"}


@admin.register(Organization)
class OrganizationAdmin(ListingStepsAdmin, ScopedAdmin):
    form = OrganizationForm
    organization_path = ""
    list_display = ["name", "status", "verification", "last_verified_on", "is_sample"]
    list_filter = [
        "status",
        StateFilter,
        ServiceTypeFilter,
        VerificationFilter,
        ConfidentialFilter,
        "is_sample",
    ]
    search_fields = [
        "name",
        "alternate_name",
        "services__name",
        "locations__city",
        "locations__postcode",
        "phones__number",
    ]
    readonly_fields = [
        "verification",
        "last_verified_on",
        "last_verified_by",
        "verified_by_provider",
        "source",
        "source_id",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["name", "alternate_name", "status", "description"]}),
        *translation_fieldsets(ORGANIZATION_FIELDS),
        (_("Contact"), {"fields": ["website", "email"]}),
        (
            _("Verification"),
            {
                "fields": [
                    "verification",
                    "last_verified_on",
                    "last_verified_by",
                    "verified_by_provider",
                ]
            },
        ),
        (
            _("Record"),
            {
                "fields": ["is_sample", "source", "source_id", "created_at", "updated_at"],
                "classes": ["collapse"],
            },
        ),
    ]
    inlines = [ServiceInline, LocationInline, OrganizationPhoneInline]
    actions = ["mark_verified", "ask_to_confirm", "publish", "retire"]

    def organization_of(self, obj):
        return obj

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("export/hsds.zip", wrap(exports.hsds_zip), name="providers_export_hsds"),
            path(
                "export/spreadsheet.csv", wrap(exports.spreadsheet_csv), name="providers_export_csv"
            ),
            path(
                "<path:object_id>/listing-history/",
                wrap(partial(listing_history_view, self)),
                name="providers_organization_listing_history",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_export": is_editor(request.user)}
        return super().changelist_view(request, extra_context)

    def get_changelist(self, request, **kwargs):
        return OldestVerifiedFirstList

    def get_ordering(self, request):
        # Editors work through the list oldest verified first, never verified before all, with
        # or without the stale filter (a clicked column still wins; search finds a name).
        return OLDEST_VERIFIED_FIRST

    @admin.display(description=_("verification"), ordering=OLDEST_VERIFIED_FIRST[0])
    def verification(self, obj):
        text = verification_text(obj)
        if obj.is_stale():
            return format_html("<strong>{}</strong>", text)
        return text

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not can_verify(request.user):
            actions.pop("mark_verified", None)
            actions.pop("ask_to_confirm", None)
        if not can_publish(request.user):
            actions.pop("publish", None)
        return actions

    @admin.action(description=_("Mark verified (checked today)"), permissions=["change"])
    def mark_verified(self, request, queryset):
        for organization in queryset:
            organization.mark_verified(user=request.user)
        count = len(queryset)
        self.message_user(
            request,
            ngettext("%d listing marked verified.", "%d listings marked verified.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Ask the provider to confirm (e-mail a signed link)"), permissions=["change"]
    )
    def ask_to_confirm(self, request, queryset):
        def link_for(token: str) -> str:
            return request.build_absolute_uri(reverse("directory:confirm-listing", args=[token]))

        result = confirmations.ask_to_confirm(queryset, link_for=link_for)
        count = len(result.sent)
        self.message_user(
            request,
            ngettext("%d provider asked to confirm.", "%d providers asked to confirm.", count)
            % count,
            messages.SUCCESS,
        )
        if result.without_email:
            self.message_user(
                request,
                _("No e-mail address, nothing sent: %(names)s.")
                % {"names": ", ".join(str(org) for org in result.without_email)},
                messages.WARNING,
            )

    @admin.action(description=_("Publish"), permissions=["change"])
    def publish(self, request, queryset):
        done = self._set_status(request, queryset, Status.PUBLISHED)
        self.message_user(
            request,
            ngettext("%d listing published.", "%d listings published.", done) % done,
        )

    @admin.action(description=_("Retire (keep, stop showing)"), permissions=["change"])
    def retire(self, request, queryset):
        done = self._set_status(request, queryset, Status.RETIRED)
        self.message_user(
            request, ngettext("%d listing retired.", "%d listings retired.", done) % done
        )

    def _set_status(self, request, queryset, status: str) -> int:
        done = 0
        for organization in queryset:
            if status == Status.PUBLISHED and not can_publish(request.user, organization):
                continue
            if organization.status != status:
                # One save per listing so the history records who and when.
                organization.status = status
                organization.save(update_fields=["status", "updated_at"])
                done += 1
        return done
