"""Attacks on the API search's paging (review of the count-and-first-page statement and the
remote services' `remote_next`): a page number or a `remote` value an attacker picks is a
4xx with a reason, never a 500."""

from http import HTTPStatus

import pytest

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/providers/"


# The paginator hands the page's offset to the count's statement before it checks the page
# against the count: an offset past 64 bits was an OverflowError (SQLite) or "bigint out of
# range" (PostgreSQL), a 500 whose logged request holds the searched place.
@pytest.mark.parametrize(
    "page",
    ["2", "92233720368547759", "99999999999999999999", "9" * 40, "9223372036854775807"],
)
def test_a_page_past_the_last_of_a_place_search_is_a_404(make_provider, api_client, page):
    make_provider(name="Midtown", lat=40.7505, lng=-73.9934)
    response = api_client.get(f"{SEARCH}?near=10001&page={page}")
    assert response.status_code == HTTPStatus.NOT_FOUND, response.content[:300]
    assert "1 pages" in response.json()["page"][0]


@pytest.mark.parametrize("remote", ["ALL", "all ", "1", "true", "all\x00", "x" * 5000])
def test_a_remote_value_other_than_all_is_a_400(db, api_client, remote):
    response = api_client.get(SEARCH, {"near": "10001", "remote": remote})
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content[:300]
    assert "remote" in response.json()


def test_remote_next_names_only_this_server_and_this_search(make_provider, api_client):
    for number in range(7):
        make_provider(name=f"Line {number}", kind="remote", service_area="nationwide")
    response = api_client.get(f"{SEARCH}?near=10001&remote=&page_size=5", HTTP_HOST="evil.example")
    assert response.status_code == HTTPStatus.BAD_REQUEST  # ALLOWED_HOSTS, not a link to it
    body = api_client.get(f"{SEARCH}?near=10001&page_size=5").json()
    assert body["remote_count"] == 7 and len(body["remote"]) == 5
    assert body["remote_next"].startswith("http://testserver/api/v1/providers/?")
    every = api_client.get(body["remote_next"]).json()
    assert len(every["remote"]) == 7 and every["remote_next"] is None
