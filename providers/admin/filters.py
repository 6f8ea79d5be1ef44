"""Changelist filters editors work with all day."""

from datetime import timedelta

from django.conf import settings
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from providers.models import Location, Term


class VerificationFilter(admin.SimpleListFilter):
    title = _("verification")
    parameter_name = "verification"

    def lookups(self, request, model_admin):
        return [
            ("stale", _("Stale (not verified in %(days)s days)") % {"days": _days()}),
            ("current", _("Current")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "stale":
            return queryset.stale()
        if self.value() == "current":
            cutoff = timezone.localdate() - timedelta(days=_days())
            return queryset.filter(last_verified_on__gte=cutoff)
        return queryset


def _days() -> int:
    return settings.STALE_AFTER_DAYS


class StateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        states = (
            Location.objects.exclude(state="")
            .order_by("state")
            .values_list("state", flat=True)
            .distinct()
        )
        return [(code, code) for code in states]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(locations__state=self.value()).distinct()
        return queryset


class ServiceTypeFilter(admin.SimpleListFilter):
    title = _("service type")
    parameter_name = "service_type"

    def lookups(self, request, model_admin):
        return [(term.slug, term.local_name) for term in Term.objects.service_types()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(
                services__terms__kind=Term.Kind.SERVICE_TYPE,
                services__terms__slug=self.value(),
            ).distinct()
        return queryset


class ConfidentialFilter(admin.SimpleListFilter):
    title = _("confidential address")
    parameter_name = "confidential"

    def lookups(self, request, model_admin):
        return [("yes", _("Has a confidential address")), ("no", _("No confidential address"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(locations__address_confidential=True).distinct()
        if self.value() == "no":
            return queryset.exclude(locations__address_confidential=True)
        return queryset
