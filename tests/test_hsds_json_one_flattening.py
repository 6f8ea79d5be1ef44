"""One flattening of nested HSDS JSON (providers/importers/hsds_json.py): a feed read by
sync_hsds and the same services saved as a JSON file come in alike, with everything the feed
nests (cost options, accessibility, languages, terms), not only what one reader knew."""

import json
from datetime import time
from http import HTTPStatus
from urllib.parse import urlsplit

import pytest

from providers.importers import federation
from providers.importers.hsds import import_hsds
from providers.models import Location, Service, ServiceAtLocation

pytestmark = pytest.mark.django_db


def listed(source: str) -> list[tuple]:
    """What a source's listings show, comparable across sources."""
    found = []
    for sal in ServiceAtLocation.objects.filter(service__source=source).select_related(
        "service", "location"
    ):
        service, location = sal.service, sal.location
        found.append(
            (
                service.name,
                service.cost,
                service.cost_note,
                sorted(service.terms.values_list("slug", flat=True)),
                sorted(service.languages.values_list("code", flat=True)),
                sorted(service.phones.values_list("number", flat=True)),
                location.address_1,
                location.postcode,
                sorted(location.accessibility.values_list("slug", flat=True)),
                sorted(location.phones.values_list("number", flat=True)),
                location.hours.count(),
            )
        )
    return sorted(found)


def test_a_synced_feed_and_the_same_feed_as_a_file_come_in_alike(
    make_provider, client, monkeypatch, tmp_path
):
    sal = make_provider(
        name="Harbor Legal Aid",
        services=("legal-assistance",),
        languages=("en", "es"),
        accessibility=("wheelchair",),
        cost="sliding_scale",
        cost_note="By income",
        hours=((1, time(9), time(17)),),
        street="1 Harbor Way",
        postcode="10001",
    )
    Location.objects.filter(pk=sal.location_id).update(source="ours", source_id="1")

    def fetch_json(url: str, budget=None) -> dict:  # federation.fetch_json's signature
        parts = urlsplit(url)
        response = client.get(f"{parts.path}?{parts.query}")
        assert response.status_code == HTTPStatus.OK, response.content
        return response.json()

    monkeypatch.setattr(federation, "fetch_json", fetch_json)
    (tmp_path / "services.json").write_text(
        json.dumps(fetch_json("http://remote/api/hsds/services?full=true&per_page=100"))
    )

    synced = federation.sync_hsds("http://remote/api/hsds/", source="feed")
    read = import_hsds(tmp_path, source="file")

    assert synced.ok, synced.as_text()
    assert read.ok, read.as_text()
    assert synced.counts == read.counts
    assert listed("feed") == listed("file")
    [shown] = listed("feed")
    assert shown[1:3] == ("sliding_scale", "By income")
    assert shown[8] == ["wheelchair"]
    assert Service.objects.filter(source="file").count() == 1
