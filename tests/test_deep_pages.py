"""A list is paged by OFFSET: a deep page reads and skips every item before it (at 100k
listings on SQLite page 900 of 100 services took 287 ms against 70 ms for page 1, so one
anonymous client at its request rate held a core). A client without a token gets the pages
that start within the first API_PAGED_ITEMS_MAX items of any list; past that it is a 400
that says how to go on (narrow the list, or read every item from the ndjson feed)."""

from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token


@pytest.fixture
def six_services(make_provider, settings):
    settings.API_PAGED_ITEMS_MAX = 4
    return [make_provider(name=f"Provider {number}") for number in range(6)]


@pytest.mark.parametrize(
    ("path", "size"),
    [
        ("/api/hsds/services", "per_page"),
        ("/api/hsds/service_at_locations", "per_page"),
        ("/api/hsds/service_at_locations?postcode=10001", "per_page"),
        ("/api/hsds/organizations", "per_page"),
        ("/api/v1/providers/", "page_size"),
        ("/api/v1/providers/?near=10001", "page_size"),
    ],
)
def test_a_page_past_the_first_items_is_refused_with_a_way_on(six_services, api_client, path, size):
    join = "&" if "?" in path else "?"
    within = api_client.get(f"{path}{join}{size}=2&page=2")  # items 3 and 4
    assert within.status_code == HTTPStatus.OK, within.content
    with CaptureQueriesContext(connection) as queries:
        past = api_client.get(f"{path}{join}{size}=2&page=3")  # items 5 and 6
    assert past.status_code == HTTPStatus.BAD_REQUEST, past.content
    # Refused before the page is read: counted only (a search ranked its page to slice it).
    assert not [query["sql"] for query in queries if "ORDER BY" in query["sql"].upper()]
    (reason,) = past.json()["page"]
    assert "first 4 items" in reason and "starts at item 5" in reason
    if path.startswith("/api/hsds/"):
        assert "format=ndjson" in reason
    # A page that starts within the first items is served whole.
    assert api_client.get(f"{path}{join}{size}=5&page=1").status_code == HTTPStatus.OK
    assert api_client.get(f"{path}{join}{size}=3&page=2").status_code == HTTPStatus.OK
    assert api_client.get(f"{path}{join}{size}=4&page=2").status_code == HTTPStatus.BAD_REQUEST


def test_a_client_with_a_token_pages_through_everything(six_services, api_client, referral_world):
    token = Token.objects.create(user=referral_world.advocate_a)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api_client.get("/api/hsds/services?per_page=2&page=3")
    assert response.status_code == HTTPStatus.OK
    assert len(response.json()["contents"]) == 2
