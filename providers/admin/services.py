"""Services: tags as checkboxes, phones, and where each is offered."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from providers.admin.forms import ServiceForm
from providers.admin.scoping import SameOrganizationInline, ScopedAdmin
from providers.admin.steps import ListingStepsAdmin
from providers.admin.translations import PhoneForm, translation_fieldsets
from providers.models import Phone, Service, ServiceAtLocation
from providers.translations import SERVICE_FIELDS


class ServicePhoneInline(admin.TabularInline):
    model = Phone
    fk_name = "service"
    form = PhoneForm
    fields = ["number", "extension", "kind", "note", "translations", "position"]
    extra = 0


class LocationsInline(SameOrganizationInline):
    model = ServiceAtLocation
    fk_name = "service"
    prefix = "locations_here"
    choice_field = "location"
    fields = ["location", "description"]
    extra = 0


class InferredNeedsFilter(admin.SimpleListFilter):
    title = _("needs inferred by an import")
    parameter_name = "inferred"

    def lookups(self, request, model_admin):
        return [("yes", _("Awaiting review")), ("no", _("None to review"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(inferred_terms__isnull=False).distinct()
        if self.value() == "no":
            return queryset.filter(inferred_terms__isnull=True)
        return queryset


@admin.register(Service)
class ServiceAdmin(ListingStepsAdmin, ScopedAdmin):
    form = ServiceForm
    list_display = ["name", "organization", "status", "cost", "inferred_needs"]
    list_filter = ["status", "cost", "service_area", InferredNeedsFilter]
    actions = ["confirm_inferred_needs", "remove_inferred_needs"]
    readonly_fields = ["inferred_needs"]
    list_select_related = ["organization"]
    search_fields = ["name", "organization__name", "description"]
    fieldsets = [
        (None, {"fields": ["organization", "name", "status", "description"]}),
        (
            None,
            {
                "fields": [
                    "service_types",
                    "inferred_needs",
                    "victimization_types",
                    "populations",
                    "languages",
                ]
            },
        ),
        (
            None,
            {
                "fields": [
                    "website",
                    "email",
                    "cost",
                    "cost_note",
                    "eligibility",
                    "how_to_get_help",
                ]
            },
        ),
        *translation_fieldsets(SERVICE_FIELDS),
        (
            None,
            {
                "fields": [
                    "service_area",
                    "service_area_states",
                    ("service_area_lat", "service_area_lng", "service_area_radius_mi"),
                ]
            },
        ),
    ]
    inlines = [ServicePhoneInline, LocationsInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("inferred_terms")

    @admin.display(description=_("inferred from its words, to review"))
    def inferred_needs(self, obj) -> str:
        return ", ".join(str(term) for term in obj.inferred_terms.all())

    @admin.action(description=_("Confirm the needs inferred by an import"))
    def confirm_inferred_needs(self, request, queryset):
        count = 0
        for service in queryset.filter(inferred_terms__isnull=False).distinct():
            service.inferred_terms.clear()  # the tags stay in its terms
            count += 1
        message = ngettext(
            "Inferred needs confirmed for %(count)d service.",
            "Inferred needs confirmed for %(count)d services.",
            count,
        )
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Remove the needs inferred by an import"))
    def remove_inferred_needs(self, request, queryset):
        count = 0
        for service in queryset.filter(inferred_terms__isnull=False).distinct():
            removed = list(service.inferred_terms.all())
            service.terms.remove(*removed)
            service.rejected_terms.add(*removed)  # not inferred again by a re-import
            service.inferred_terms.clear()
            count += 1
        message = ngettext(
            "Inferred needs removed from %(count)d service.",
            "Inferred needs removed from %(count)d services.",
            count,
        )
        self.message_user(request, message % {"count": count}, messages.SUCCESS)
