"""Issue 16, item 4: places told truthfully. Coordinates far from their own ZIP are replaced
by the geocoded point and reported; ZIP-centre placements read "near ZIP 10001" on cards and
pages (never "0.0 mi") and are flagged in the API."""

import re
from http import HTTPStatus

import pytest
from messy211 import FILES, write_messy_211

from providers.geocode import geocode_address
from providers.importers.hsds import import_hsds
from providers.models import Location, LocationKind, Service, ServiceArea

pytestmark = pytest.mark.django_db
SOURCE = "harbor-211"


def with_locations(*changes: tuple[str, str, str]) -> dict:
    """locations.csv with (location id, latitude, longitude) replaced."""
    fields, rows = FILES["locations.csv"]
    by_id = {sid: (lat, lng) for sid, lat, lng in changes}
    rows = [[*row[:5], *by_id[row[0]], *row[7:]] if row[0] in by_id else row for row in rows]
    return {"locations.csv": (fields, rows)}


def test_coordinates_far_from_their_own_zip_are_replaced_and_reported(tmp_path):
    # Chicago's 60601 given a point in Los Angeles (an export tool's stale geocode).
    package = write_messy_211(tmp_path / "export", **with_locations(("3003", "34.05", "-118.24")))

    report = import_hsds(package, source=SOURCE)

    lakeside = Location.objects.get(source=SOURCE, source_id="3003")
    zip_centre = geocode_address(postcode="60601")
    assert (lakeside.latitude, lakeside.longitude) == (zip_centre.lat, zip_centre.lng)
    assert lakeside.coordinates_approximate
    assert lakeside.timezone == "America/Chicago"
    lines = [i.as_text() for i in report.issues if i.file == "locations.csv"]
    assert any("mi from ZIP 60601: placed at ZIP 60601 instead" in line for line in lines)


def test_coordinates_near_their_own_zip_are_kept(tmp_path):
    import_hsds(write_messy_211(tmp_path / "export"), source=SOURCE)

    lakeside = Location.objects.get(source=SOURCE, source_id="3003")
    assert (lakeside.latitude, lakeside.longitude) == (41.8827, -87.6233)
    assert not lakeside.coordinates_approximate


@pytest.fixture
def at_zip_centre(make_provider):
    centre = geocode_address(postcode="10001")
    sal = make_provider(name="Midtown Helpers", lat=centre.lat, lng=centre.lng, postcode="10001")
    Location.objects.filter(pk=sal.location_id).update(coordinates_approximate=True)
    return sal


def test_cards_say_near_zip_for_a_zip_centre_placement(client, at_zip_centre):
    html = client.get("/?near=10001").content.decode()

    card = html[html.index('<ol class="cards"') :]
    assert "Near ZIP 10001" in card
    assert not re.search(r"\d+\.\d mi away|Less than 0\.1 mi", card)


def test_the_provider_page_says_the_place_is_approximate(client, at_zip_centre):
    response = client.get(f"/provider/{at_zip_centre.pk}/")

    assert response.status_code == HTTPStatus.OK
    assert "Near ZIP 10001: the map shows the area, not the door." in response.content.decode()


def test_the_api_flags_the_placement_approximate(api_client, at_zip_centre):
    response = api_client.get("/api/v1/providers/?near=10001")

    assert response.status_code == HTTPStatus.OK
    [row] = response.json()["results"]
    assert row["location"]["coordinates_approximate"] is True


# -- remote services -------------------------------------------------------------------------
def plus(file: str, *rows: list[str], fields: list[str] | None = None) -> dict:
    """`file` of the messy package with `rows` added (a new file when `fields` is given)."""
    base_fields, base_rows = FILES.get(file, (fields, []))
    return {file: (base_fields, [*base_rows, *rows])}


def test_services_reached_by_phone_or_web_without_a_street_are_remote_with_an_area(tmp_path):
    package = write_messy_211(
        tmp_path / "export",
        **plus(
            "organizations.csv",
            ["1004", "National Survivor Hotline", "", "", "", ""],
            ["1005", "Buckeye Legal Web", "", "", "", "www.buckeye-legal.example"],
            ["1006", "Lone Star Chat", "", "", "", ""],
        ),
        **plus(
            "services.csv",
            ["2005", "1004", "Hotline", "Call any time.", "", "", "active", "", "", "", ""],
            ["2006", "1005", "Legal answers online", "", "https://buckeye-legal.example/ask",
             "", "active", "", "", "", ""],
            ["2007", "1006", "Chat", "", "https://chat.example", "", "active", "", "", "", ""],
        ),
        **plus(
            "locations.csv",
            ["3004", "1004", "Hotline", "", "", "", "", ""],
            ["3005", "1005", "Mailing", "", "", "", "", ""],
            ["3006", "1006", "Office", "", "", "", "", ""],
        ),
        **plus("services_at_location.csv", ["5005", "2005", "3004", ""],
               ["5006", "2006", "3005", ""], ["5007", "2007", "3006", ""]),
        **plus("phones.csv", ["6005", "", "2005", "", "", "", "1-800-555-0199", "", "voice",
                              "", ""]),
        **plus("postal_addresses.csv", ["4005", "3005", "", "PO Box 12", "", "Columbus", "",
                                        "OH", "43215", "US"],
               fields=FILES["physical_addresses.csv"][0]),
        **plus("service_areas.csv", ["12001", "2007", "Texas", ""],
               fields=["id", "service_id", "name", "description"]),
    )  # fmt: skip

    report = import_hsds(package, source=SOURCE)

    def placed(service_id: str):
        service = Service.objects.get(source=SOURCE, source_id=service_id)
        return service, service.locations.get()

    hotline, where = placed("2005")
    assert where.kind == LocationKind.REMOTE and where.latitude is None
    assert hotline.service_area == ServiceArea.NATIONWIDE  # toll-free, no address at all
    web, where = placed("2006")
    assert where.kind == LocationKind.REMOTE and not where.address_1  # not at its PO box
    assert (web.service_area, web.service_area_states) == (ServiceArea.STATES, ["OH"])
    chat, _ = placed("2007")
    assert (chat.service_area, chat.service_area_states) == (ServiceArea.STATES, ["TX"])
    lines = [i.as_text() for i in report.issues]
    assert any("imported as a remote service" in line for line in lines)
    assert any("serves nationwide (toll-free)" in line for line in lines)
