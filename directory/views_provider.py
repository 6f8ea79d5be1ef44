"""The provider page: everything a person needs to decide and act, for one service at a place."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from directory.http import public_page
from directory.maps_adapter import provider_map
from directory.presenters import present
from providers.geocode import STATES
from providers.models import ServiceArea, ServiceAtLocation, Weekday


def weekly_hours(location) -> list[dict]:
    """One row per weekday (Monday first), with its periods or none (closed)."""
    periods = list(location.hours.all())
    return [
        {"day": label, "periods": [p for p in periods if p.weekday == value]}
        for value, label in Weekday.choices
    ]


@public_page
def provider_detail(request: HttpRequest, pk) -> HttpResponse:
    rows = ServiceAtLocation.objects.listed().select_related(
        "service", "service__organization", "location"
    )
    sal = get_object_or_404(rows.prefetch_related("location__accessibility"), pk=pk)
    card = present(sal, now=timezone.now(), number=1)
    organization = sal.service.organization
    others = (
        ServiceAtLocation.objects.listed()
        .filter(service__organization=organization)
        .exclude(pk=sal.pk)
        .select_related("service", "location")
        .order_by("service__name", "location__city", "id")[:30]
    )
    service = sal.service
    states = []
    if service.service_area == ServiceArea.STATES:
        states = [STATES.get(code, code) for code in service.service_area_states]
    context = {
        "card": card,
        "sal": sal,
        "service": service,
        "organization": organization,
        "location": sal.location,
        "hours": weekly_hours(sal.location),
        "accessibility": list(sal.location.accessibility.all()),
        "others": list(others),
        "stale": organization.is_stale(),
        "service_area_states": states,
        "place_map": provider_map(card),
    }
    return render(request, "directory/provider_detail.html", context)
