"""Abuse limits: one client address (trusted proxies only), counted atomically in the cache."""

import json
import re
from http import HTTPStatus

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.throttling import AnonRateThrottle

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"  # the site's own reverse proxy: every request arrives from it


@pytest.fixture
def rates(monkeypatch):
    """Small API rates, as API_ANON_RATE and API_BULK_RATE would set them."""

    def set_rates(anon="3/minute", bulk="2/hour"):
        monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": anon, "bulk": bulk})

    set_rates()
    return set_rates


def address(settings, remote, forwarded=None):
    from directory.limits import client_address

    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **meta))


# --- the client's address ---------------------------------------------------------------------


def test_forwarded_for_is_ignored_without_a_trusted_proxy(settings):
    assert address(settings, "203.0.113.9", "198.51.100.1") == "203.0.113.9"


def test_a_counted_proxy_gives_the_address_it_saw(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client's own header comes first; the proxy appends the address it saw.
    assert address(settings, PROXY, "198.51.100.1, 203.0.113.9") == "203.0.113.9"
    assert address(settings, PROXY, "203.0.113.9") == "203.0.113.9"
    settings.TRUSTED_PROXY_COUNT = 2
    assert address(settings, PROXY, "198.51.100.1, 203.0.113.9, 10.0.0.1") == "203.0.113.9"


def test_trusted_proxy_addresses_are_skipped_from_the_right(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert address(settings, PROXY, "198.51.100.1, 203.0.113.9, 10.0.0.1") == "203.0.113.9"
    # A request that did not come through a trusted proxy: its header is not believed.
    assert address(settings, "203.0.113.50", "198.51.100.1") == "203.0.113.50"


def test_a_garbled_forwarded_address_falls_back_to_the_peer(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert address(settings, PROXY, "not-an-address") == PROXY
    assert address(settings, PROXY, "") == PROXY


# --- the API throttle ---------------------------------------------------------------------------


def test_rotating_forwarded_for_is_still_throttled(api_client, rates):
    statuses = [
        api_client.get(
            "/api/v1/service-types/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}"
        ).status_code
        for i in range(5)
    ]
    assert statuses == [HTTPStatus.OK] * 3 + [HTTPStatus.TOO_MANY_REQUESTS] * 2


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(api_client, rates, settings):
    settings.TRUSTED_PROXY_COUNT = 1

    def get(forwarded):
        return api_client.get(
            "/api/v1/service-types/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded
        ).status_code

    # The attacker rotates the part of the header it writes itself: still one client.
    attacker = [get(f"192.0.2.{i}, 203.0.113.9") for i in range(4)]
    assert attacker == [HTTPStatus.OK] * 3 + [HTTPStatus.TOO_MANY_REQUESTS]
    # Someone else behind the same proxy is not affected.
    assert get("198.51.100.20") == HTTPStatus.OK


def test_bulk_feeds_have_their_own_stricter_limit(api_client, rates, make_provider):
    rates(anon="10/minute", bulk="2/hour")
    make_provider()
    feed = "/api/hsds/services?format=ndjson"
    assert [api_client.get(feed).status_code for _ in range(3)] == [
        HTTPStatus.OK,
        HTTPStatus.OK,
        HTTPStatus.TOO_MANY_REQUESTS,
    ]
    limited = api_client.get("/api/hsds/organizations?format=ndjson")
    assert limited.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert int(limited["Retry-After"]) > 0
    # Paged reading is still open until the general limit.
    assert api_client.get("/api/hsds/services").status_code == HTTPStatus.OK


def test_signed_in_api_users_are_not_held_to_the_anonymous_limits(
    api_client, rates, make_user, make_provider
):
    make_provider()
    api_client.force_authenticate(make_user())
    statuses = {api_client.get("/api/hsds/services?format=ndjson").status_code for _ in range(4)}
    assert statuses == {HTTPStatus.OK}


def test_bulk_feeds_stream_a_batch_at_a_time(api_client, make_provider, monkeypatch):
    from api import hsds_views

    monkeypatch.setattr(hsds_views, "STREAM_BATCH", 2)
    for number in range(5):
        make_provider(name=f"Provider {number}")
    response = api_client.get("/api/hsds/services?format=ndjson&minimal=true")
    assert response.streaming
    # Nothing is read until the body is: the directory is read a batch at a time.
    chunks = iter(response.streaming_content)
    with CaptureQueriesContext(connection) as first:
        next(chunks)
    with CaptureQueriesContext(connection) as rest:
        lines = [json.loads(chunk) for chunk in chunks]
    assert len(lines) == 4
    # The ids first (one query, in the list's order), then the first batch by its two ids.
    assert len(first.captured_queries) == 2
    assert re.search(r'"id" IN \([^,)]+, [^,)]+\)', first.captured_queries[1]["sql"])
    assert len(rest.captured_queries) == 2  # two more batches: 2 and 1 items


# --- the public search page ----------------------------------------------------------------------


def test_search_page_is_limited_with_a_calm_page_that_keeps_911_and_the_hotlines(
    client, settings, make_provider
):
    settings.SEARCH_PAGE_RATE = "2/minute"
    make_provider()
    for i in range(2):
        response = client.get(
            "/?near=10001", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}"
        )
        assert response.status_code == HTTPStatus.OK
    limited = client.get("/?near=10001", REMOTE_ADDR="203.0.113.9")
    assert limited.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert limited["Retry-After"] == "60"
    html = limited.content.decode()
    assert "Sample Advocacy Center" not in html
    assert "Please wait a moment" in html and "Please search again in 1 minute." in html
    assert 'href="tel:911"' in html
    assert "tel:+18883737888" in html  # National Human Trafficking Hotline
    assert "no-store" in limited["Cache-Control"]
    assert "default-src 'self'" in limited["Content-Security-Policy"]
    assert limited.cookies == {}
    # The page without a search, and other people, are not affected.
    assert client.get("/", REMOTE_ADDR="203.0.113.9").status_code == HTTPStatus.OK
    other = client.get("/?near=10001", REMOTE_ADDR="198.51.100.20")
    assert other.status_code == HTTPStatus.OK


def test_limited_search_page_in_spanish(client, settings, db):
    settings.SEARCH_PAGE_RATE = "1/minute"
    client.get("/es/?near=10001")
    html = client.get("/es/?near=10001").content.decode()
    assert "Espere un momento" in html
    assert 'href="tel:911"' in html


# --- suggestions -------------------------------------------------------------------------------


def test_suggestions_behind_a_trusted_proxy_are_limited_per_client(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.SUGGESTION_RATE_PER_HOUR = 1
    url = reverse("directory:suggest-provider")

    def post(forwarded):
        return client.post(
            url, {"name": "New Place"}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded
        ).status_code

    assert post("192.0.2.1, 203.0.113.9") == HTTPStatus.OK
    assert post("192.0.2.2, 203.0.113.9") == HTTPStatus.TOO_MANY_REQUESTS
    assert post("198.51.100.20") == HTTPStatus.OK


def test_counts_in_the_cache_never_name_the_address(api_client, rates):
    api_client.get("/api/v1/service-types/", REMOTE_ADDR="203.0.113.9")
    keys = list(cache._cache.keys())
    assert keys and not any("203.0.113" in key for key in keys)


@pytest.mark.django_db
def test_a_survivor_still_gets_answers_when_the_shared_cache_is_down(
    client, api_client, monkeypatch
):
    """Redis unreachable: the limits let requests through (and say so in the log) rather than
    answer a survivor's search with a 500."""
    from directory import limits

    def down(*args, **kwargs):
        raise ConnectionError("Redis is not answering")

    for name in ("add", "get", "get_or_set", "incr", "set"):
        monkeypatch.setattr(limits.cache, name, down)
    page = client.get("/", {"near": "10001"})
    assert page.status_code == HTTPStatus.OK
    assert "911" in page.content.decode()
    assert api_client.get("/api/v1/providers/", {"near": "10001"}).status_code == HTTPStatus.OK


def test_a_counted_request_costs_one_round_trip_to_the_shared_cache(monkeypatch, settings):
    """Every anonymous page and API request is counted: after the window's first request,
    one operation (an increment), not an add and an increment."""
    from directory import limits

    calls = []

    class Counting:
        def __getattr__(self, name):
            calls.append(name)
            return getattr(cache, name)

    monkeypatch.setattr(limits, "cache", Counting())
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9")
    first = limits.over_limit(request, scope="test", limit=2, window_s=60)
    assert not first and calls == ["incr", "add"]
    calls.clear()
    assert [limits.over_limit(request, scope="test", limit=2, window_s=60) for _ in range(2)] == [
        False,
        True,
    ]
    assert calls == ["incr", "incr"]
