"""The moderation queue: each proposed field beside the current value, accepted one by one."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from providers.models import Suggestion
from providers.suggestions import (
    LEGACY_PHONE,
    REVIEWED_FIELDS,
    CannotApply,
    apply_suggestion,
    current_values,
    display,
    phones_by_kind,
)


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "status", "fields_proposed", "created_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["organization"]
    search_fields = ["organization__name", "message"]
    date_hierarchy = "created_at"

    @admin.display(description=_("fields"))
    def fields_proposed(self, obj):
        return ", ".join(
            str(label) for name, label in REVIEWED_FIELDS.items() if name in obj.proposed
        )

    def has_add_permission(self, request):
        return False  # suggestions come from the public site only

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(
                "organization", "service_at_location__service", "service_at_location__location"
            )
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        suggestion = self.get_object(request, object_id)
        if suggestion is None:
            raise Http404(_("No such suggestion."))
        if not self.has_view_or_change_permission(request, suggestion):
            raise PermissionDenied
        may_decide = (
            self.has_change_permission(request, suggestion)
            and suggestion.status == Suggestion.Status.PENDING
        )
        if request.method == "POST":
            if not may_decide:
                raise PermissionDenied
            accepted = request.POST.getlist("accept") if "_apply" in request.POST else []
            try:
                outcome = apply_suggestion(suggestion, accepted, user=request.user)
            except CannotApply as error:
                self.message_user(request, str(error), messages.ERROR)
                return redirect(request.path)
            for note in outcome.notes:
                self.message_user(request, note, messages.WARNING)
            self.message_user(
                request,
                _("Suggestion %(status)s.") % {"status": suggestion.get_status_display().lower()},
                messages.SUCCESS,
            )
            if outcome.organization is not None:
                return redirect(
                    reverse("admin:providers_organization_change", args=[outcome.organization.pk])
                )
            return redirect(reverse("admin:providers_suggestion_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": str(suggestion),
            "opts": self.opts,
            "original": suggestion,
            "suggestion": suggestion,
            "rows": review_rows(suggestion),
            "may_decide": may_decide,
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/providers/suggestion/review.html", context)


def review_rows(suggestion: Suggestion) -> list[dict]:
    """One row per proposed field: current value (for staff: the real one), proposed value."""
    current = {}
    row = suggestion.service_at_location
    if suggestion.kind == Suggestion.Kind.CORRECTION and row is not None:
        current = current_values(row, public=False)
        if LEGACY_PHONE in suggestion.proposed:
            saw = suggestion.shown.get(LEGACY_PHONE, "")
            phones = phones_by_kind(row).values()
            seen = [f"{p.number} ({p.get_kind_display()})" for p in phones if p.number == saw]
            current[LEGACY_PHONE] = seen[0] if seen else ""
    rows = []
    for name, label in REVIEWED_FIELDS.items():
        if name not in suggestion.proposed:
            continue
        rows.append(
            {
                "name": name,
                "label": label,
                "current": display(name, current.get(name, "")),
                "shown": display(name, suggestion.shown.get(name, "")),
                "proposed": display(name, suggestion.proposed[name]),
                "decision": suggestion.decisions.get(name, ""),
                "same": name in current and current[name] == suggestion.proposed[name],
            }
        )
    return rows
