"""Possible duplicates in the admin: both listings side by side, merged or kept apart."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from providers.duplicates import keep_apart
from providers.merge import CannotMerge, merge_organizations
from providers.models import DuplicatePair, Location, Organization, Phone, Service, Status
from providers.permissions import is_editor


def _org_link(org: Organization):
    url = reverse("admin:providers_organization_change", args=[org.pk])
    return format_html(
        '<a href="{}">{}</a> <small>({})</small>', url, org.name, org.source or "admin"
    )


@admin.register(DuplicatePair)
class DuplicatePairAdmin(admin.ModelAdmin):
    list_display = ["score", "left_listing", "right_listing", "reasons_text", "decision"]
    list_display_links = ["score"]
    list_filter = ["decision"]
    list_select_related = ["left", "right"]
    search_fields = ["left__name", "right__name"]
    actions = ["merge_into_left", "merge_into_right", "keep_apart"]

    @admin.display(description=_("left"), ordering="left__name")
    def left_listing(self, obj):
        return _org_link(obj.left)

    @admin.display(description=_("right"), ordering="right__name")
    def right_listing(self, obj):
        return _org_link(obj.right)

    @admin.display(description=_("reasons"))
    def reasons_text(self, obj):
        return obj.reasons_text

    def has_add_permission(self, request):
        return False  # the finder proposes pairs (providers/duplicates.py)

    def may_decide(self, request) -> bool:
        return is_editor(request.user) and request.user.has_perm("providers.change_organization")

    def get_actions(self, request):
        return super().get_actions(request) if self.may_decide(request) else {}

    # -- deciding ----------------------------------------------------------------------------
    def _merge(self, request, pair: DuplicatePair, *, keep_left: bool) -> bool:
        keep, other = (pair.left, pair.right) if keep_left else (pair.right, pair.left)
        try:
            moved = merge_organizations(keep=keep, other=other, user=request.user)
        except CannotMerge as error:
            self.message_user(request, f"{pair}: {error}", messages.ERROR)
            return False
        what = ", ".join(f"{n} {label}" for label, n in sorted(moved.items())) or "nothing else"
        self.message_user(
            request,
            _("Merged %(other)s into %(keep)s (%(what)s); %(other)s is retired.")
            % {"other": other.name, "keep": keep.name, "what": what},
            messages.SUCCESS,
        )
        return True

    def _decide(self, request, queryset, decide) -> None:
        if not self.may_decide(request):
            raise PermissionDenied
        for pair in queryset.select_related("left", "right"):
            if pair.decision != DuplicatePair.Decision.OPEN:
                self.message_user(
                    request, _("%(pair)s was decided already.") % {"pair": pair}, messages.WARNING
                )
                continue
            decide(pair)

    @admin.action(description=_("Merge into the left (keep the left one)"))
    def merge_into_left(self, request, queryset):
        self._decide(request, queryset, lambda pair: self._merge(request, pair, keep_left=True))

    @admin.action(description=_("Merge into the right (keep the right one)"))
    def merge_into_right(self, request, queryset):
        self._decide(request, queryset, lambda pair: self._merge(request, pair, keep_left=False))

    @admin.action(description=_("Keep apart (different providers: never propose again)"))
    def keep_apart(self, request, queryset):
        def decide(pair):
            keep_apart(pair, user=request.user)
            self.message_user(request, _("%(pair)s kept apart.") % {"pair": pair})

        self._decide(request, queryset, decide)

    # -- the side-by-side page ---------------------------------------------------------------
    def change_view(self, request, object_id, form_url="", extra_context=None):
        pair = self.get_object(request, object_id)
        if pair is None:
            raise Http404(_("No such pair."))
        if not self.has_view_or_change_permission(request, pair):
            raise PermissionDenied
        may_decide = self.may_decide(request) and pair.decision == DuplicatePair.Decision.OPEN
        if request.method == "POST":
            if not may_decide:
                raise PermissionDenied
            if "_keep_apart" in request.POST:
                keep_apart(pair, user=request.user)
                self.message_user(request, _("%(pair)s kept apart.") % {"pair": pair})
            elif "_merge_left" in request.POST or "_merge_right" in request.POST:
                keep_left = "_merge_left" in request.POST
                if not self._merge(request, pair, keep_left=keep_left):
                    return redirect(request.path)
                kept = pair.left if keep_left else pair.right
                return redirect(reverse("admin:providers_organization_change", args=[kept.pk]))
            return redirect(reverse("admin:providers_duplicatepair_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Possible duplicate: %(pair)s") % {"pair": pair},
            "opts": self.opts,
            "original": pair,
            "pair": pair,
            "sides": [side(pair.left), side(pair.right)],
            "may_decide": may_decide,
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/providers/duplicatepair/review.html", context)


def side(org: Organization) -> dict:
    """What an editor compares: the organization, its services, locations and numbers."""
    org = (
        Organization.objects.prefetch_related(
            Prefetch("services", Service.objects.annotate(n_places=Count("locations"))),
            Prefetch("locations", Location.objects.prefetch_related("phones")),
            "phones",
        )
        .annotate(n_referrals=Count("referrals", distinct=True))
        .get(pk=org.pk)
    )
    phones = [*org.phones.all(), *Phone.objects.filter(service__organization=org)]
    for location in org.locations.all():
        phones += list(location.phones.all())
    return {
        "org": org,
        "retired": org.status == Status.RETIRED,
        "phones": sorted({f"{p.number} ({p.get_kind_display()})" for p in phones}),
        "services": org.services.all(),
        "locations": org.locations.all(),
    }
