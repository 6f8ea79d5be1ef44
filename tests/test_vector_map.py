"""An admin's own vector basemap (MAP_VECTOR_STYLE_URL, issue 17 item 2): off by default; when
set, the map pages load only this site's vendored MapLibre CSP build and pmtiles, the policy
stays strict, and the map gets exactly the pins the SVG map shows."""

import json
import re
from html import unescape

import pytest
from test_settings import run_manage

from directory.http import content_security_policy

STYLE = "/basemap/style.json"


def page(client, url: str = "/?near=10001") -> str:
    return client.get(url).content.decode()


@pytest.fixture
def listings(make_provider):
    make_provider(name="Midtown Legal Services", lat=40.7505, lng=-73.9934)
    return make_provider(
        name="Harbor Safe House",
        lat=40.7612,
        lng=-73.9812,
        confidential=True,
        street="77 Hidden Lane",
    )


def test_without_the_setting_no_vector_map_is_loaded(client, listings):
    html = page(client)
    assert "data-result-map" in html  # the SVG map is there
    for name in ("maplibre", "pmtiles", "vector-map.js", "data-vector-style", "data-pins"):
        assert name not in html


def test_with_the_setting_the_map_loads_only_this_sites_scripts(client, settings, listings):
    settings.MAP_VECTOR_STYLE_URL = STYLE
    response = client.get("/?near=10001")
    html = response.content.decode()
    scripts = re.findall(r"<script[^>]*\bsrc=\"([^\"]+)\"", html)
    assert "/static/directory/vendor/maplibre/maplibre-gl-csp.js" in scripts
    assert "/static/directory/vendor/pmtiles/pmtiles.js" in scripts
    assert "/static/directory/vector-map.js" in scripts
    assert all(src.startswith("/static/") for src in scripts), scripts
    assert "leaflet" not in html  # the vector map wins over MAP_TILE_URL's Leaflet
    assert f'data-vector-style="{STYLE}"' in html
    assert (
        'data-maplibre-worker="/static/directory/vendor/maplibre/maplibre-gl-csp-worker.js"' in html
    )
    # The policy is the default one: no blob: worker, no eval, no other host.
    policy = response["Content-Security-Policy"]
    assert policy == content_security_policy()
    assert "script-src 'self';" in policy and "connect-src 'self';" in policy
    assert "blob:" not in policy and "unsafe-eval" not in policy and "://" not in policy
    assert response.cookies == {}


def test_the_vector_map_gets_the_svg_maps_pins_and_no_confidential_point(
    client, settings, listings
):
    settings.MAP_VECTOR_STYLE_URL = STYLE
    html = page(client)
    pins = json.loads(unescape(re.search(r'data-pins="([^"]*)"', html).group(1)))
    svg_numbers = sorted({int(n) for n in re.findall(r'data-result="(\d+)"', html)})
    assert sorted(pin["number"] for pin in pins) == svg_numbers
    titles = {pin["title"] for pin in pins}
    assert "Midtown Legal Services" in titles
    assert "Harbor Safe House" not in titles  # a confidential place gets no pin, as in the SVG
    assert "40.7612" not in html and "-73.9812" not in html and "Hidden Lane" not in html


def test_a_vector_style_on_another_host_stops_the_start():
    result = run_manage("check", MAP_VECTOR_STYLE_URL="https://tiles.example.org/style.json")
    assert result.returncode != 0
    assert "MAP_VECTOR_STYLE_URL must be a path on this site" in result.stderr
    result = run_manage("check", MAP_VECTOR_STYLE_URL="//tiles.example.org/style.json")
    assert "MAP_VECTOR_STYLE_URL must be a path on this site" in result.stderr
