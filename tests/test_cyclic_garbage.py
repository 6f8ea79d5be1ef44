"""A request's objects are freed when it ends, not left for the cycle collector.

Garbage in reference cycles waits for a collection; a results page that left its cards,
listings and form in one made collections about a tenth of its CPU time (bench/README.md).
The requests go through the WSGI handler (every middleware), not the test client, which
keeps each response's context itself.
"""

import gc
from contextlib import contextmanager

import pytest
from wsgi_support import serve

from directory.presenters import Card
from providers.geometry import Span
from providers.search import Results

pytestmark = pytest.mark.django_db


@contextmanager
def cyclic_garbage():
    """The objects that only the cycle collector would have freed, made inside the block."""
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    found: list = []
    try:
        yield found
        gc.collect()
        found.extend(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


def served(path: str, params: dict) -> bytes:
    status, _headers, body = serve(path, params)
    assert status == "200 OK"
    return body


def listings_in(garbage: list) -> list[dict]:
    return [
        thing
        for thing in garbage
        if isinstance(thing, dict) and str(thing.get("name")).startswith("Midtown Clinic")
    ]


@pytest.fixture
def listings(make_provider):
    return [
        make_provider(name=f"Midtown Clinic {number}", lat=40.75 + number / 1000, lng=-73.99)
        for number in range(3)
    ]


def test_a_results_page_leaves_no_cycle_holding_its_cards(listings):
    served("/", {"near": "10001"})  # warm: what a process keeps is not garbage
    with cyclic_garbage() as garbage:
        body = served("/", {"near": "10001"})
    assert b'id="result-3"' in body
    assert not [thing for thing in garbage if isinstance(thing, Card)]
    assert not listings_in(garbage)  # nor the listings the cards were made of


def test_a_provider_page_leaves_no_cycle_holding_its_listing(listings):
    path = f"/provider/{listings[0].pk}/"
    served(path, {})
    with cyclic_garbage() as garbage:
        body = served(path, {})
    assert b"Midtown Clinic 0" in body
    assert not listings_in(garbage)


def test_an_api_search_leaves_no_cycle_holding_its_listings(listings):
    params = {"lat": 40.75, "lng": -73.99, "radius": 25}
    served("/api/v1/providers/", params)
    with cyclic_garbage() as garbage:
        body = served("/api/v1/providers/", params)
    assert b"Midtown Clinic 2" in body
    assert not listings_in(garbage)
    # Nor the search (its spans and ranked ids, held by the page the paginator keeps).
    assert not [thing for thing in garbage if isinstance(thing, Span | Results)]
