"""A service area drawn around a shelter must not give the shelter away.

An editor may centre a phone line's "within N miles" area on the shelter that runs it. The
centre decides which searches list the line, and the HSDS feed and the exports print it, so
an attacker who moves a search point until the line drops out of the remote section finds
the centre. The centre is therefore kept to a tenth of a degree (about 7 by 5 miles), like
a confidential location's public point: what leaks is a cell, never the building.
"""

import re

import pytest

from providers import search
from providers.geometry import haversine_mi
from providers.models import LocationKind, Service, ServiceArea

SHELTER = (40.715621, -73.986234)

# A timestamp's seconds hold "40.71" whenever it was written at :40.71x (1 in 6,000).
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?")


def feed(client, service) -> str:
    """The service's HSDS record, its timestamps blanked."""
    body = client.get("/api/hsds/services/" + str(service.pk)).content.decode()
    return TIMESTAMP.sub("<time>", body)


@pytest.fixture
def line(make_provider):
    sal = make_provider(
        name="Harbor Light line",
        kind=LocationKind.REMOTE,
        service_area=ServiceArea.RADIUS,
        service_area_lat=SHELTER[0],
        service_area_lng=SHELTER[1],
        service_area_radius_mi=10,
    )
    return Service.objects.get(pk=sal.service_id)


def test_the_centre_is_kept_to_a_tenth_of_a_degree(line):
    assert (line.service_area_lat, line.service_area_lng) == (40.7, -74.0)
    line.service_area_lat, line.service_area_lng = 40.7551, -73.9312
    line.save()
    line.refresh_from_db()
    assert (line.service_area_lat, line.service_area_lng) == (40.8, -73.9)


def test_the_search_draws_the_area_around_the_kept_centre(line):
    # 9.5 miles due north of the shelter: inside the area drawn around the shelter itself,
    # outside the one drawn around the kept centre (40.7, -74.0).
    point = (SHELTER[0] + 9.5 / 69.05, SHELTER[1])
    assert haversine_mi(lat1=point[0], lng1=point[1], lat2=SHELTER[0], lng2=SHELTER[1]) < 10
    assert haversine_mi(lat1=point[0], lng1=point[1], lat2=40.7, lng2=-74.0) > 10
    assert line.pk not in {
        sal.service_id for sal in search.covering(lat=point[0], lng=point[1], state="NY")
    }


def test_the_feed_and_exports_print_only_the_kept_centre(line, client, tmp_path):
    from django.core.management import call_command

    body = feed(client, line)
    assert "40.71" not in body and "-73.98" not in body and "-73.99" not in body
    call_command("export_csv", str(tmp_path / "flat.csv"))
    flat = (tmp_path / "flat.csv").read_text()
    assert "40.715" not in flat and "73.98" not in flat


def test_a_timestamp_is_blanked_but_a_centre_is_not():
    assert TIMESTAMP.sub("<time>", '"2026-12-03T04:16:40.713222+00:00"') == '"<time>"'
    assert TIMESTAMP.sub("<time>", '"extent":"40.715621,-73.986234;10mi"') == (
        '"extent":"40.715621,-73.986234;10mi"'
    )


def test_an_import_keeps_the_centre_to_a_tenth_of_a_degree():
    from providers.importers.records import Row, service_area
    from providers.importers.report import Report

    row = Row(report=Report(), file="services.csv", number=2)
    values = service_area(row, ["within 10 mi of 40.715621,-73.986234"])
    assert (values["service_area_lat"], values["service_area_lng"]) == (40.7, -74.0)


def test_a_centre_written_around_save_is_still_kept(line, client):
    """Raw SQL or .update() skip save(): the search and the feed keep the centre anyway."""
    Service.objects.filter(pk=line.pk).update(
        service_area_lat=SHELTER[0], service_area_lng=SHELTER[1]
    )
    point = (SHELTER[0] + 9.5 / 69.05, SHELTER[1])
    assert line.pk not in {
        sal.service_id for sal in search.covering(lat=point[0], lng=point[1], state="NY")
    }
    body = feed(client, line)
    assert "40.71" not in body and "-73.98" not in body and "-73.99" not in body
