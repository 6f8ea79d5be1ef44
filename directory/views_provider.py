"""The provider page: everything a person needs to decide and act, for one service at a place."""

from datetime import time

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone

from directory.http import public_page, render_page
from directory.maps_adapter import provider_map
from directory.presenters import Vocabulary, present
from providers.geocode import STATES
from providers.listings import build_listings
from providers.models import ServiceArea, ServiceAtLocation, Term, Weekday
from providers.translations import local_text


def weekly_hours(hours: list[dict]) -> list[dict]:
    """One row per weekday (Monday first), with its periods or none (closed)."""
    periods = [
        {
            "weekday": period["weekday"],
            "opens_at": time.fromisoformat(period["opens_at"]),
            "closes_at": time.fromisoformat(period["closes_at"]),
        }
        for period in hours
    ]
    return [
        {"day": label, "periods": [p for p in periods if p["weekday"] == value]}
        for value, label in Weekday.choices
    ]


def listing_details(sal: ServiceAtLocation, listing: dict, *, vocabulary: Vocabulary) -> dict:
    """What directory/_listing_details.html shows of one listing (built by
    providers/listings.py, so already redacted), by the names it reads."""
    card = present(listing, number=1, vocabulary=vocabulary)
    organization = sal.service.organization
    area = listing["service_area"]
    states = []
    if area["kind"] == ServiceArea.STATES:
        states = [STATES.get(code, code) for code in area["states"] or []]
    location = listing["location"]
    return {
        "card": card,
        "sal": sal,
        "service": listing,
        "organization": organization,
        "organization_description": local_text(
            organization.description, organization.translations, "description"
        ),
        "location": location,
        "hours": weekly_hours(listing["hours"]),
        "accessibility": vocabulary.terms(Term.Kind.ACCESSIBILITY, location["accessibility"]),
        "service_area_states": states,
    }


@public_page
def provider_detail(request: HttpRequest, pk) -> HttpResponse:
    rows = ServiceAtLocation.objects.listed().select_related("service__organization")
    sal = get_object_or_404(rows, pk=pk)
    rows = build_listings([(sal.pk, None)], now=timezone.now())
    if not rows:  # unlisted between the two reads
        raise Http404
    details = listing_details(sal, rows[0], vocabulary=Vocabulary())
    organization = details["organization"]
    others = (
        ServiceAtLocation.objects.listed()
        .filter(service__organization=organization)
        .exclude(pk=sal.pk)
        .select_related("service", "location")
        .order_by("service__name", "location__city", "id")[:30]
    )
    context = {
        **details,
        "others": list(others),
        "stale": organization.is_stale(),
        "place_map": provider_map(details["card"]),
    }
    return render_page(request, "directory/provider_detail.html", context)
