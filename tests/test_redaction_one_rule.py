"""One redaction rule and one phone order: the listing builder's rows (pages, API v1,
handouts) and the HSDS feed and exports show a location's address, ZIP, point and phones
alike, for a public location and a confidential one (providers/redaction.py)."""

import csv
import io
from http import HTTPStatus

import pytest

from providers import redaction
from providers.importers.export import export_hsds
from providers.importers.export_flat import export_csv
from providers.listings import build_listings
from providers.models import Location, Phone

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[False, True], ids=["public", "confidential"])
def listing(request, make_provider):
    sal = make_provider(
        name="Harbor House",
        street="17 Hidden Court",
        postcode="10002-4817",
        lat=40.715621,
        lng=-73.986234,
        confidential=request.param,
    )
    Location.objects.filter(pk=sal.location_id).update(address_2="Apt 4B")
    # Stored fax first and a number twice: shown voice, then text, then fax, each once.
    for position, (number, kind) in enumerate(
        [
            ("+12125550199", Phone.Kind.FAX),
            ("+12125550111", Phone.Kind.TEXT),
            ("+12125550122", Phone.Kind.VOICE),
            ("+12125550111", Phone.Kind.TEXT),
        ]
    ):
        Phone.objects.create(
            location_id=sal.location_id, number=number, kind=kind, position=position
        )
    return sal


def hsds_location(client, sal) -> dict:
    response = client.get(f"/api/hsds/service_at_locations/{sal.id}")
    assert response.status_code == HTTPStatus.OK, response.content
    return response.json()["location"]


def test_the_hsds_feed_shows_the_address_the_builder_shows(client, listing):
    [row] = build_listings([(listing.id, None)])
    location = hsds_location(client, listing)
    [address] = location.get("addresses") or [{}]

    shown = (
        address.get("address_1", ""),
        address.get("address_2", ""),
        address.get("postal_code", ""),
        location.get("latitude"),
        location.get("longitude"),
    )
    built = row["location"]
    assert shown == (
        built["address_1"],
        built["address_2"],
        built["postcode"],
        built["lat"],
        built["lng"],
    )
    if built["address_confidential"]:
        assert shown == ("", "", "", None, None)
    else:
        assert shown == ("17 Hidden Court", "Apt 4B", "10002-4817", 40.715621, -73.986234)


def test_the_hsds_feed_orders_phones_as_the_builder_does(client, listing):
    [row] = build_listings([(listing.id, None)])
    location = hsds_location(client, listing)

    own = {"+12125550199", "+12125550111", "+12125550122"}
    built = [phone["number"] for phone in row["phones"] if phone["number"] in own]
    assert [phone["number"] for phone in location["phones"]] == built
    assert built == ["+12125550122", "+12125550111", "+12125550199"]


def test_the_flat_export_shows_the_address_the_builder_shows(listing):
    [row] = build_listings([(listing.id, None)])
    stream = io.StringIO()
    export_csv(stream)
    [exported] = csv.DictReader(io.StringIO(stream.getvalue()))

    built = row["location"]
    point = (built["lat"], built["lng"]) if built["lat"] is not None else None
    assert (exported["street"], exported["street_2"], exported["zip"]) == (
        built["address_1"],
        built["address_2"],
        built["postcode"],
    )
    assert (
        (float(exported["latitude"]), float(exported["longitude"]))
        if exported["latitude"]
        else None
    ) == point


def test_a_package_shows_a_confidential_location_only_as_shared(listing, tmp_path):
    export_hsds(tmp_path / "p")
    with open(tmp_path / "p" / "addresses.csv", newline="", encoding="utf-8") as stream:
        [address] = csv.DictReader(stream)
    with open(tmp_path / "p" / "locations.csv", newline="", encoding="utf-8") as stream:
        [location] = csv.DictReader(stream)

    stored = Location.objects.get(pk=listing.location_id)
    expected = redaction.shared(stored)
    point = (
        (float(location["latitude"]), float(location["longitude"]))
        if location["latitude"]
        else None
    )
    assert (address["address_1"], address["address_2"], address["postal_code"], point) == (expected)
    if stored.address_confidential:
        assert expected == ("Confidential address", "", "10002", None)
    else:
        assert expected == redaction.public(stored)
