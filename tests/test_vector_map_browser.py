"""An admin's own vector basemap in real headless Chromium at 390 and 1280 px (issue 17, item 2):
with MAP_VECTOR_STYLE_URL set, the results map is drawn by the vendored MapLibre from a PMTiles
file on this site, with the SVG map's numbered pins, no CSP violation (the CSP build's worker is
a file on this site: no blob:, no eval) and no request to another host. Screenshots go to
test-artifacts/screenshots/vector-map-*.png.

The basemap here is a PMTiles archive written below: one zoom-0 vector tile whose layer "earth"
covers the world. The browser fetches it from /basemap/ on the live server's origin; the route
answers the byte ranges as nginx (or WhiteNoise) would, since Django's test static server
answers no Range request."""

import json
import re
import struct

import pytest
import test_pages_browser as pages
import test_results_map_browser as results_map

pytestmark = pytest.mark.browser

site, open_page = pages.site, pages.open_page
crowded = results_map.crowded
STYLE_URL = "/basemap/style.json"
PMTILES_URL = "/basemap/test.pmtiles"
EARTH = "#c9e4c5"
STYLE = {
    "version": 8,
    "sources": {
        "basemap": {"type": "vector", "url": f"pmtiles://{PMTILES_URL}", "attribution": "Test map"}
    },
    "layers": [
        {"id": "background", "type": "background", "paint": {"background-color": "#dfe7ec"}},
        {
            "id": "earth",
            "type": "fill",
            "source": "basemap",
            "source-layer": "earth",
            "paint": {"fill-color": EARTH},
        },
    ],
}


def varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def field(number: int, payload: bytes) -> bytes:
    """A length-delimited protobuf field."""
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def earth_tile() -> bytes:
    """A Mapbox Vector Tile with one layer, "earth": a square over the whole tile."""
    # MoveTo(0,0), LineTo (4096,0) (0,4096) (-4096,0), ClosePath; zigzag-encoded deltas.
    geometry = b"".join(varint(v) for v in (9, 0, 0, 26, 8192, 0, 0, 8192, 8191, 0, 15))
    feature = varint(1 << 3) + varint(1) + varint(3 << 3) + varint(3) + field(4, geometry)
    layer = (
        varint(15 << 3) + varint(2) + field(1, b"earth") + field(2, feature)
        + varint(5 << 3) + varint(4096)
    )  # fmt: skip
    return field(3, layer)


def pmtiles_archive() -> bytes:
    """A PMTiles v3 archive (no compression) holding the earth tile at z0/0/0."""
    tile = earth_tile()
    metadata = json.dumps({"vector_layers": [{"id": "earth", "fields": {}}]}).encode()
    # One directory entry: tile id 0, run length 1, its length, offset 0 (stored as 0 + 1).
    directory = varint(1) + varint(0) + varint(1) + varint(len(tile)) + varint(1)
    root_at = 127
    metadata_at = root_at + len(directory)
    tiles_at = metadata_at + len(metadata)
    header = b"PMTiles" + bytes([3]) + struct.pack(
        "<QQQQQQQQQQQ",
        root_at, len(directory), metadata_at, len(metadata), 0, 0,  # no leaf directories
        tiles_at, len(tile), 1, 1, 1,
    ) + bytes([1, 1, 1, 1, 0, 0]) + struct.pack(  # clustered, no compression, MVT, z0-z0
        "<iiiiBii", -1800000000, -850000000, 1800000000, 850000000, 0, 0, 0
    )  # fmt: skip
    assert len(header) == 127
    return header + directory + metadata + tile


@pytest.fixture
def basemap(site, settings):
    """The setting on, and what nginx would serve under /basemap/ (byte ranges included)."""
    settings.MAP_VECTOR_STYLE_URL = STYLE_URL
    archive = pmtiles_archive()
    ranges: list[str] = []

    def serve(route):
        request = route.request
        if request.url.endswith(STYLE_URL):
            route.fulfill(json=STYLE)
            return
        wanted = re.fullmatch(r"bytes=(\d+)-(\d+)", request.headers.get("range", ""))
        if not wanted:
            route.fulfill(status=200, body=archive, content_type="application/octet-stream")
            return
        ranges.append(wanted.group(0))
        start, end = int(wanted.group(1)), min(int(wanted.group(2)), len(archive) - 1)
        route.fulfill(
            status=206,
            body=archive[start : end + 1],
            headers={
                "Content-Type": "application/octet-stream",
                "Content-Range": f"bytes {start}-{end}/{len(archive)}",
                "Accept-Ranges": "bytes",
            },
        )

    return {"serve": serve, "ranges": ranges, "url": site["url"]}


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_the_vector_basemap_draws_the_same_pins_from_this_site(open_page, crowded, basemap, width):
    page = open_page(width)
    page.route("**/basemap/**", basemap["serve"])
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(basemap["url"] + "/?near=10001#results")
    if width == "phone":  # the list first, unchanged; the map is one tap away
        assert page.locator("ol.cards li").first.is_visible()
        page.get_by_role("link", name="Map", exact=True).click()
    the_map = page.locator("#results-map .vector-map")
    canvas = the_map.locator("canvas.maplibregl-canvas")
    canvas.wait_for(state="visible")
    assert page.locator("#results-map svg").is_hidden()  # the SVG map is swapped, not doubled
    # The SVG map's numbered pins, as buttons that show their card.
    pins = the_map.locator("button.vector-pin")
    numbers = sorted(int(n) for n in pins.all_text_contents())
    in_svg = page.locator("#results-map svg [data-result]").evaluate_all(
        "els => els.map(e => Number(e.getAttribute('data-result')))"
    )
    assert numbers == sorted(set(in_svg)) and len(numbers) >= 5
    shelter = page.locator("ol.cards li", has_text="Harbor Safe House")
    assert shelter.count() == 1  # listed, but as in the SVG it has no pin
    shelter_number = shelter.get_attribute("id").removeprefix("result-")
    assert int(shelter_number) not in numbers
    assert "1. Midtown Legal Services" in pins.evaluate_all("els => els.map(e => e.title)")
    # The tile itself came from the PMTiles file: a byte range past the header was read.
    for _ in range(50):
        if any(not r.startswith("bytes=0-") for r in basemap["ranges"]):
            break
        page.wait_for_timeout(100)
    page.wait_for_timeout(300)  # the first frame with the tile
    assert any(not r.startswith("bytes=0-") for r in basemap["ranges"]), basemap["ranges"]
    assert all(re.match(r"http://(127\.0\.0\.1|localhost)[:/]", url) for url in requests)
    assert any("maplibre-gl-csp-worker.js" in url for url in requests)
    page.locator("#results-map").scroll_into_view_if_needed()
    pages.shoot(page, "vector-map", width)
    page.locator("#results-map").screenshot(
        path=str(results_map.shoot_path("vector-map-box", width))
    )
    # A pin shows its card in the list, as the SVG map's pins do.
    pins.filter(has_text=re.compile(r"^1$")).click()
    assert page.locator("#result-1").is_visible()


def test_without_javascript_the_svg_map_stays(open_page, site, basemap):
    page = open_page("desktop", javascript=False)
    page.goto(basemap["url"] + "/?near=10001#results")
    assert page.locator("#results-map svg").is_visible()
    assert page.locator("#results-map canvas").count() == 0


def test_the_maps_own_buttons_speak_the_readers_language(open_page, site, basemap):
    page = open_page("desktop", locale="es-US")
    page.route("**/basemap/**", basemap["serve"])
    page.goto(basemap["url"] + "/es/?near=10001#results")
    zoom_in = page.locator("#results-map .maplibregl-ctrl-zoom-in")
    zoom_in.wait_for(state="visible")
    assert zoom_in.get_attribute("aria-label") == "Acercar"
    assert page.locator("#results-map .maplibregl-ctrl-zoom-out").get_attribute("title") == "Alejar"
    assert (
        page.locator("#results-map .maplibregl-ctrl-attrib-button").get_attribute("aria-label")
        == "Créditos del mapa"
    )


def test_a_provider_page_shows_its_one_pin_on_the_vector_map(open_page, site, basemap):
    page = open_page("phone")
    page.route("**/basemap/**", basemap["serve"])
    page.goto(basemap["url"] + "/?near=10001#results")
    page.get_by_role("link", name="Midtown Legal Services").click()
    page.wait_for_load_state()
    canvas = page.locator("figure.map .vector-map canvas")
    canvas.wait_for(state="visible")
    assert page.locator("figure.map button.vector-pin").count() == 1
    assert page.locator("figure.map svg").is_hidden()
    page.locator("figure.map").scroll_into_view_if_needed()
    page.locator("figure.map").screenshot(
        path=str(results_map.shoot_path("vector-map-provider", "phone"))
    )
