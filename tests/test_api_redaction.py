"""A confidential address never leaves the API: every public response is scanned for it."""

import re
from http import HTTPStatus

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from providers import hsds
from providers.geometry import haversine_mi
from providers.models import Location, LocationKind, Term

STREET = "1 Secret Lane"
# Exact coordinates with distinctive digits; any 4-decimal prefix would place the house.
LAT, LNG = 40.712345, -73.987654
SECRETS = [b"Secret Lane", b"40.7123", b"73.9876", b"40.71234", b"73.98765"]
# A record written at :40.7123 has the latitude in its timestamp: those are blanked.
TIMESTAMP = re.compile(rb"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?")

# Searched from nearby (not from the house itself: a client's own input may be echoed).
QUERIES = {
    "/api/v1/providers/": [
        "near=10001",
        "lat=40.7484&lng=-73.9967",
        "lat=40.7484&lng=-73.9967&radius=1&unit=km",
        "lat=40.7484&lng=-73.9967&format=geojson",
        "near=10001&format=geojson&page_size=100",
        "q=secret",
        "page_size=100",
    ],
    "/api/hsds/services": ["full=true", "minimal=true", "format=ndjson", "search=shelter"],
    "/api/hsds/service_at_locations": [
        "postcode=10001",
        "postcode=10002&proximity=20000&full=true",
        "lat=40.7484&lng=-73.9967&proximity=10000",
        "full=true&format=ndjson",
    ],
    "/api/hsds/organizations": ["full=true", "full_service=true", "format=ndjson"],
    "/api/hsds/organizations/{id}": ["full_service=true"],
    "/api/v1/places/": ["q=10001"],
}


@pytest.fixture
def shelter(make_provider):
    make_provider(name="Open Office", lat=40.7484, lng=-73.9967)
    make_provider(name="Hotline", kind=LocationKind.REMOTE, service_area="nationwide")
    return make_provider(
        name="Safe Harbor Shelter",
        street=STREET,
        lat=LAT,
        lng=LNG,
        postcode="10002",
        confidential=True,
        accessibility=("wheelchair",),
        service_area="radius",
        service_area_lat=LAT,
        service_area_lng=LNG,
        service_area_radius_mi=10,
    )


def _ids(sal) -> dict[str, str]:
    term = Term.objects.get(kind=Term.Kind.SERVICE_TYPE, slug="victim-advocacy")
    return {
        "/api/v1/providers/": str(sal.id),
        "/api/hsds/services/": str(sal.service_id),
        "/api/hsds/service_at_locations/": str(sal.id),
        "/api/hsds/organizations/": str(sal.service.organization_id),
        "/api/hsds/taxonomies/": hsds.taxonomy_id(Term.Kind.SERVICE_TYPE),
        "/api/hsds/taxonomy_terms/": str(term.id),
        "/api/v1/organizations/": str(sal.service.organization_id),
        "/api/v1/services/": str(sal.service_id),
        "/api/v1/locations/": str(sal.location_id),
    }


def _urls(sal) -> list[str]:
    """Every GET operation of our OpenAPI schema, with ids of the shelter's records."""
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    ids = _ids(sal)
    urls = []
    for path, operations in paths.items():
        if "get" not in operations:
            continue
        prefix = path.split("{")[0]
        # Other apps' detail endpoints get an unknown id: their 404 is scanned too.
        url = re.sub(r"\{[^}]+\}", ids.get(prefix, "00000000-0000-0000-0000-000000000000"), path)
        urls.append(url)
        urls += [f"{url}?{query}" for query in QUERIES.get(path, [])]
    return urls


def _body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def test_no_public_api_response_reveals_a_confidential_address(shelter, api_client):
    urls = _urls(shelter)
    assert len(urls) > 30
    checked = 0
    for url in urls:
        response = api_client.get(url)
        assert response.status_code < 500, url
        body = TIMESTAMP.sub(b"<time>", _body(response))
        for secret in SECRETS:
            assert secret not in body, f"{url} reveals {secret!r}"
        if response.status_code == HTTPStatus.OK:
            checked += 1
    assert checked > 25


def test_the_shelter_is_listed_with_its_town_only(shelter, api_client):
    row = api_client.get(f"/api/v1/providers/{shelter.id}/").json()
    assert row["location"]["address_1"] == ""
    assert row["location"]["city"] == "New York"
    assert row["location"]["lat"] is None and row["location"]["lng"] is None
    found = api_client.get("/api/v1/providers/?lat=40.7484&lng=-73.9967").json()["results"]
    shelter_row = next(r for r in found if r["id"] == str(shelter.id))
    # Measured from the public point (1-2 mi from the house), never from the house.
    location = Location.objects.get(pk=shelter.location_id)
    public_lat, public_lng = location.search_point
    measured = haversine_mi(lat1=40.7484, lng1=-73.9967, lat2=public_lat, lng2=public_lng)
    assert shelter_row["distance_mi"] == round(measured, 1)
    assert haversine_mi(lat1=LAT, lng1=LNG, lat2=public_lat, lng2=public_lng) >= 1


def test_editor_endpoints_refuse_anonymous_readers(shelter, api_client):
    for name in ("organization", "service", "location"):
        response = api_client.get(reverse(f"api:{name}-list"))
        assert response.status_code in (HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN)
        assert b"Secret" not in response.content


def test_editors_do_see_the_address_they_maintain(shelter, api_client, django_user_model):
    """The control for the scan above: the secret is in the database and findable."""
    admin = django_user_model.objects.create_superuser("admin", "admin@example.org", "x" * 16)
    api_client.force_authenticate(admin)
    response = api_client.get(f"/api/v1/locations/{shelter.location_id}/")
    assert response.status_code == HTTPStatus.OK
    assert b"Secret Lane" in response.content and b"40.712345" in response.content
