"""A search with words tests them on every listing it reaches, joining four tables for each
(at 100k listings about 0.5 s of SQLite and 0.75 s of PostgreSQL for one anonymous request
near New York, or with no place at all). So a word search reaches at most
SEARCH_WORDS_MAX_LISTINGS listings: past that it is a 400 that says why, before any
listing's words are read."""

from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token

from providers import search
from providers.search import Filters, InvalidSearch

SEARCH = "/api/v1/providers/"
NYC = "lat=40.7484&lng=-73.9967"


@pytest.fixture
def five_near_new_york(make_provider, settings):
    settings.SEARCH_WORDS_MAX_LISTINGS = 3
    for number, lat in enumerate((40.75, 40.755, 40.76, 40.80)):  # the last 3.6 miles away
        make_provider(name=f"Near {number}", lat=lat, lng=-73.9967, services=("legal-assistance",))
    make_provider(
        name="Legal Aid Newark", lat=40.7357, lng=-74.1724, services=("legal-assistance",)
    )  # about 9 miles


def _refused(api_client, url: str) -> str:
    """The reason a word search was refused: a 400 on `q`, given before any statement
    tested words against listings (the ORM's icontains: LIKE)."""
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(url)
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    assert [query["sql"] for query in queries if " LIKE " in query["sql"].upper()] == []
    return response.json()["q"][0]


def test_a_word_search_past_the_limit_is_refused_before_any_words_are_read(
    five_near_new_york, api_client
):
    message = _refused(api_client, f"{SEARCH}?{NYC}&radius=25&q=legal")
    assert "at most 3 listings" in message and "5 are within the distance searched" in message
    assert "shorter distance" in message
    # The client's unit is not known here: no distance is named (it said "24.9 miles").
    in_km = _refused(api_client, f"{SEARCH}?{NYC}&radius=40&unit=km&q=legal")
    assert "5 are within the distance searched" in in_km and "mile" not in in_km


def test_a_word_search_within_the_limit_answers(five_near_new_york, api_client):
    response = api_client.get(f"{SEARCH}?{NYC}&radius=1&q=near")
    assert response.status_code == HTTPStatus.OK, response.content
    assert response.json()["count"] == 3
    one_mile = api_client.get(f"{SEARCH}?{NYC}&radius=4&q=near").json()["q"][0]
    assert "4 are within the distance searched" in one_mile  # the fourth is 3.6 miles away
    # A need narrows what the statements visit (its copy is in the search index): it counts.
    wide = api_client.get(f"{SEARCH}?{NYC}&radius=25&q=legal&service=legal-assistance")
    assert wide.status_code == HTTPStatus.BAD_REQUEST  # all five offer it
    none = api_client.get(f"{SEARCH}?{NYC}&radius=25&q=legal&service=food-shelter-housing")
    assert none.status_code == HTTPStatus.OK and none.json()["count"] == 0


def test_other_filters_do_not_let_words_through(five_near_new_york, api_client):
    """The other filters are tested with the words, listing by listing: one that matches
    nothing narrows the answer, not the listings whose words are read (the attack: a
    victimization no listing names let a search read every listing within 250 miles)."""
    for narrowing in ("victimization=labor-trafficking", "accessibility=asl", "open_now=true"):
        message = _refused(api_client, f"{SEARCH}?{NYC}&radius=25&q=legal&{narrowing}")
        assert "5 are within the distance searched" in message


def test_a_word_search_without_a_place_reaches_the_whole_directory(five_near_new_york, api_client):
    message = _refused(api_client, f"{SEARCH}?q=legal")
    assert "at most 3 listings" in message and "5 match" in message
    assert "Give a place" in message


def test_searches_without_words_are_not_limited(five_near_new_york, api_client):
    assert api_client.get(f"{SEARCH}?{NYC}&radius=25").json()["count"] == 5
    assert api_client.get(SEARCH).json()["count"] == 5


def test_the_core_refuses_before_counting_or_ranking(five_near_new_york):
    words = Filters(text="legal")
    found = search.search(lat=40.7484, lng=-73.9967, radius_mi=25, filters=words, words_limit=3)
    for read in (found.count, lambda: found.ranked(0, 20), lambda: found.count_and_ranked(0, 20)):
        with pytest.raises(InvalidSearch) as refused:
            read()
        assert refused.value.field == "q"
    with pytest.raises(InvalidSearch):
        search.search(filters=words, words_limit=3).count()
    # Without a limit (the default) nothing is refused.
    assert search.search(filters=words).count() == 1
    assert search.search(filters=words, words_limit=5).count() == 1
    one = search.search(filters=words, words_limit=1)
    with pytest.raises(InvalidSearch, match="at most 1 listing, and 5 match"):
        one.count()


def test_signed_in_clients_and_advocates_are_not_limited(
    five_near_new_york, api_client, referral_world, client
):
    """The bound is for anonymous clients, who are many and unknown: an API client with a
    token, or an advocate finding a provider by name for a client, searches the whole
    directory."""
    token = Token.objects.create(user=referral_world.advocate_a)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    by_name = api_client.get(f"{SEARCH}?q=legal")
    assert by_name.status_code == HTTPStatus.OK and by_name.json()["count"] == 2
    client.force_login(referral_world.advocate_a)
    page = client.get(reverse("referrals:search"), {"near": "10001", "q": "legal"})
    assert page.status_code == HTTPStatus.OK
    assert b"errorlist" not in page.content
    assert b"Legal Aid Newark" in page.content and b"Provider P Legal Aid" in page.content


HSDS = "/api/hsds"


def _hsds_refused(api_client, url: str) -> str:
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(url)
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    assert [query["sql"] for query in queries if " LIKE " in query["sql"].upper()] == []
    return response.json()["search"][0]


@pytest.mark.parametrize(
    ("path", "noun"),
    [
        ("services", "services"),
        ("service_at_locations", "service_at_locations"),
        ("organizations", "organizations"),
    ],
)
def test_an_hsds_word_search_past_the_limit_is_refused(five_near_new_york, api_client, path, noun):
    """The HSDS lists' `search` tested its words on every item of the directory for any
    client (about 0.2 s an anonymous request at 100k listings): it now reaches at most
    SEARCH_WORDS_MAX_LISTINGS items without a token, as API v1's `q` does, counted before
    any item's words are read."""
    message = _hsds_refused(api_client, f"{HSDS}/{path}?search=legal")
    assert f"5 {noun}" in message and "at most 3" in message
    assert "token" in message
    for format_ in ("ndjson", "json"):
        refused = api_client.get(f"{HSDS}/{path}?search=legal&format={format_}")
        assert refused.status_code == HTTPStatus.BAD_REQUEST
    # Without words it answers; paging does not narrow what the words are tested on.
    assert api_client.get(f"{HSDS}/{path}").status_code == HTTPStatus.OK
    one_a_page = api_client.get(f"{HSDS}/{path}?search=legal&per_page=1")
    assert one_a_page.status_code == HTTPStatus.BAD_REQUEST


def test_hsds_filters_tested_with_the_words_do_not_let_them_through(five_near_new_york, api_client):
    """A term no service has, or a date to come, narrows the answer to nothing but not the
    items whose words are read (SQLite tested every organization's words, then the term):
    such a search was answered to an anonymous client (attacker review)."""
    unknown = "6a0d8f0c-3c55-4a43-8f5b-2d7c9b1e4f10"
    for url in (
        f"organizations?search=legal&taxonomy_term_id={unknown}",
        f"services?search=legal&taxonomy_term_id={unknown}",
        "services?search=legal&modified_after=2999-01-01T00:00:00Z",
        f"service_at_locations?search=legal&taxonomy_term_id={unknown}",
    ):
        message = _hsds_refused(api_client, f"{HSDS}/{url}")
        assert "reaches 5" in message, url
    organizations = _hsds_refused(api_client, f"{HSDS}/organizations?search=legal")
    assert "Use an API token" in organizations  # nothing narrows it


def test_an_hsds_word_search_narrowed_within_the_limit_answers(five_near_new_york, api_client):
    from providers.models import Organization, ServiceAtLocation

    newark = Organization.objects.get(name__contains="Newark")
    by_org = api_client.get(f"{HSDS}/services?search=legal&organization_id={newark.pk}")
    assert by_org.status_code == HTTPStatus.OK
    assert [item["name"] for item in by_org.json()["contents"]] == ["Legal Aid Newark services"]
    # Near a place, within a distance: what is within it is the reach.
    near = f"{HSDS}/service_at_locations?lat=40.7484&lng=-73.9967&search=near"
    assert api_client.get(f"{near}&proximity=1600").status_code == HTTPStatus.OK  # one mile
    message = _hsds_refused(api_client, f"{near}&proximity=40000")
    assert "5 service_at_locations" in message and "proximity" in message
    assert ServiceAtLocation.objects.count() == 5


def test_an_hsds_word_search_with_a_token_is_not_limited(
    five_near_new_york, api_client, referral_world
):
    token = Token.objects.create(user=referral_world.advocate_a)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    found = api_client.get(f"{HSDS}/services?search=legal")
    assert found.status_code == HTTPStatus.OK
    assert found.json()["total_items"] == 2


def test_the_hsds_vocabulary_is_searched_without_a_bound(five_near_new_york, api_client):
    """A few dozen terms: a word search of them reads no listing (it was refused with a hint
    naming a parameter /taxonomy_terms does not take)."""
    found = api_client.get(f"{HSDS}/taxonomy_terms?search=a")
    assert found.status_code == HTTPStatus.OK
    assert found.json()["total_items"] > 3
