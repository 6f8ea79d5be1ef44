"""One confidential location, every output: no street, unit, ZIP (or ZIP+4) or point of it.

Walks every surface that shows a listing: the public pages in English and Spanish (results,
provider page, the suggestion form's prefill), API v1 (list, detail, GeoJSON), the HSDS feed
(JSON and ndjson), both exports, an advocate's handout and the shared list. The control at
the end shows the secrets are in the database, so the scan is looking for something real.
"""

import io
import re
from http import HTTPStatus

import pytest
from conftest import create_referral_user
from django.core.cache import cache
from django.urls import reverse

from providers.importers.export import export_hsds
from providers.importers.export_flat import export_csv
from providers.models import Location
from referrals.models import Agency, ResourceList, ResourceListItem

pytestmark = pytest.mark.django_db

NAME = "Harbor Light Shelter"
LAT, LNG = 40.715621, -73.986234


@pytest.fixture
def shelter(make_provider):
    make_provider(name="Downtown Legal Aid", lat=40.7128, lng=-74.0060, street="1 Centre St")
    sal = make_provider(
        name=NAME,
        street="17 Hidden Court",
        lat=LAT,
        lng=LNG,
        city="New York",
        postcode="10002-4817",
        confidential=True,
        services=("shelter",),
    )
    # The public point is pinned (1.5 mi at bearing 2.0: 40.7066, -73.9602): a random one
    # printed to four decimals could equal another number on a page by chance, such as the
    # other listing's 40.7128 or the searched ZIP's -73.9967 (about 1 run in 400).
    Location.objects.filter(pk=sal.location_id).update(
        address_2="Apt 4B", offset_bearing=2.0, offset_mi=1.5
    )
    return sal


def secrets(sal) -> list[bytes]:
    """The street, the unit, the ZIP and ZIP+4, and both points to four decimals."""
    location = Location.objects.get(pk=sal.location_id)
    found = [b"Hidden Court", b"Apt 4B", b"4817", b"10002"]
    for lat, lng in ((location.latitude, location.longitude), location.search_point):
        found += [f"{lat:.4f}".encode(), f"{abs(lng):.4f}".encode()]
    return found


UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
TIMESTAMP = re.compile(rb"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?")


def shows(body: bytes, secret: bytes) -> bool:
    """Whether the body holds the secret; a digits-only one counts as a whole number only.

    Random ids (UUIDs, tokens, hashed file names) hold runs of digits such as "4817" by
    chance, so UUIDs are blanked and a ZIP must not touch a letter or digit either side.
    A timestamp written at :40.7156 holds the latitude 40.7156, so timestamps are blanked.
    """
    body = TIMESTAMP.sub(b"<time>", body)
    if not secret.isdigit():
        return secret in body
    body = UUID.sub(b"<uuid>", body)
    return re.search(rb"(?<![0-9A-Za-z])" + secret + rb"(?![0-9A-Za-z])", body) is not None


def _body(response) -> bytes:
    assert response.status_code == HTTPStatus.OK, response.status_code
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def _public_bodies(client, sal) -> dict[str, bytes]:
    near = {"near": "10001", "radius": 25}
    urls = {}
    for prefix in ("", "/es"):
        label = f"{prefix} " if prefix else ""
        urls[f"{label}results"] = (f"{prefix}/", near)
        urls[f"{label}results with a typed point"] = (
            f"{prefix}/",
            {"near": "40.7484, -73.9967", "radius": 10},
        )
        urls[f"{label}provider page"] = (f"{prefix}/provider/{sal.id}/", {})
        urls[f"{label}suggestion form"] = (f"{prefix}/provider/{sal.id}/suggest/", {})
    urls |= {
        "API v1 list": ("/api/v1/providers/", near | {"page_size": 100}),
        "API v1 list by point": ("/api/v1/providers/", {"lat": 40.7484, "lng": -73.9967}),
        "API v1 detail": (f"/api/v1/providers/{sal.id}/", {}),
        "API v1 GeoJSON": ("/api/v1/providers/", near | {"format": "geojson"}),
        "HSDS service at location": (f"/api/hsds/service_at_locations/{sal.id}", {}),
        "HSDS search": ("/api/hsds/service_at_locations", {"postcode": "10001", "full": "true"}),
        "HSDS service": (f"/api/hsds/services/{sal.service_id}", {}),
        "HSDS services ndjson": ("/api/hsds/services", {"full": "true", "format": "ndjson"}),
        "HSDS organization": (
            f"/api/hsds/organizations/{sal.service.organization_id}",
            {"full_service": "true"},
        ),
    }
    bodies = {}
    for label, (url, params) in urls.items():
        cache.clear()
        bodies[label] = _body(client.get(url, params))
    return bodies


def _export_bodies(tmp_path) -> dict[str, bytes]:
    export_hsds(tmp_path / "hsds")
    flat = io.StringIO()
    export_csv(flat)
    bodies = {"spreadsheet export": flat.getvalue().encode()}
    for path in sorted((tmp_path / "hsds").iterdir()):
        bodies[f"HSDS export {path.name}"] = path.read_bytes()
    return bodies


def _advocate_bodies(client, sal) -> dict[str, bytes]:
    agency = Agency.objects.create(name="Agency A Hotline")
    advocate = create_referral_user("advocate", agency=agency)
    resource_list = ResourceList.objects.create(agency=agency, created_by=advocate, title="Help")
    ResourceListItem.objects.create(resource_list=resource_list, service_at_location=sal)
    resource_list.share()
    shared = _body(client.get(reverse("share:list", kwargs={"token": resource_list.share_token})))
    client.force_login(advocate)
    handout = _body(client.get(reverse("referrals:list-print", kwargs={"pk": resource_list.pk})))
    results = _body(client.get(reverse("referrals:search"), {"near": "10001", "radius": 25}))
    client.logout()
    return {"shared list": shared, "handout": handout, "advocate results": results}


def test_no_output_shows_where_a_confidential_location_is(client, shelter, tmp_path):
    bodies = _public_bodies(client, shelter)
    bodies |= _export_bodies(tmp_path)
    bodies |= _advocate_bodies(client, shelter)
    hidden = secrets(shelter)
    for label, body in bodies.items():
        for secret in hidden:
            if label.startswith("HSDS export") and secret == b"10002":
                continue  # HSDS requires a postal code in an address: the 5-digit ZIP only
            assert not shows(body, secret), f"{label} shows {secret!r}"
    # The walk did see the shelter on each surface that lists it.
    for label in ("results", "/es results", "provider page", "shared list", "handout"):
        assert NAME.encode() in bodies[label], label


def test_a_zip_inside_a_random_id_is_not_a_leak_but_a_zip_plus_4_is():
    uuid = b"fe28924e-6c77-4817-a7ce-8a7fa23092db"
    assert not shows(b"id," + uuid + b",x", b"4817")
    assert not shows(b"app.4817ab.css", b"4817")
    assert shows(b"New York, NY 10002-4817", b"4817")
    assert shows(b'"postcode": "10002"', b"10002")
    assert not shows(b'"last_modified":"2026-12-03T04:16:40.715623+00:00"', b"40.7156")
    assert shows(b'"latitude":40.715621', b"40.7156")


def test_the_control_the_secrets_are_in_the_database(shelter):
    location = Location.objects.get(pk=shelter.location_id)
    assert (location.address_1, location.address_2) == ("17 Hidden Court", "Apt 4B")
    assert location.postcode == "10002-4817"
    assert round(location.latitude, 4) == round(LAT, 4)
