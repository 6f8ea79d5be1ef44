import json
import re

import pytest

from providers.maps import (
    ASPECT,
    COUNTY_LINE,
    FRAME_HEIGHT,
    FRAME_WIDTH,
    LAND,
    MAX_LABELS,
    Pin,
    pins_json,
    project,
    render_map,
)

# d3-geo 3.1.2: geoAlbersUsa().scale(1300).translate([487.5, 305]) — see
# tools/albers_usa_reference.mjs, which printed these.
D3_REFERENCE = [
    ("New York", 40.7128, -74.006, (869.7188, 215.7405)),
    ("Los Angeles", 34.0522, -118.2437, (86.8121, 363.1189)),
    ("Chicago", 41.8781, -87.6298, (638.2196, 226.1123)),
    ("Houston", 29.7604, -95.3698, (510.4277, 509.2311)),
    ("Seattle", 47.6062, -122.3321, (97.625, 46.3187)),
    ("Miami", 25.7617, -80.1918, (822.7383, 572.5408)),
    ("Key West", 24.5551, -81.78, (794.4059, 604.4525)),
    ("Denver", 39.7392, -104.9903, (342.8454, 273.8846)),
    ("Portland, Maine", 43.6591, -70.2568, (913.633, 135.0084)),
    ("Eastport, Maine", 44.9062, -66.99, (956.2933, 92.7728)),
    ("Brownsville", 25.9017, -97.4975, (467.1703, 596.2184)),
    ("San Diego", 32.7157, -117.1611, (99.7437, 397.4679)),
    ("Washington DC", 38.9072, -77.0369, (827.4286, 267.3153)),
    ("Minneapolis", 44.9778, -93.265, (541.8521, 161.002)),
    ("Anchorage", 61.2181, -149.9003, (112.2774, 544.2779)),
    ("Juneau", 58.3019, -134.4197, (176.937, 556.0838)),
    ("Utqiagvik", 71.2906, -156.7886, (89.3904, 465.034)),
    ("Adak", 51.88, -176.6581, (-12.8155, 600.129)),
    ("Attu (east of 180)", 52.9, 172.9, (-55.8924, 572.0966)),
    ("Honolulu", 21.3069, -157.8583, (266.9599, 549.1904)),
    ("Hilo", 19.7074, -155.0885, (326.1882, 585.1791)),
    ("Lihue", 21.9811, -159.3711, (234.8995, 533.8108)),
    ("Toronto", 43.6532, -79.3832, (768.2423, 168.0929)),  # inside the lower-48 clip box
]

OUTSIDE = [
    ("San Juan PR", 18.4655, -66.1057),
    ("Hagatna Guam", 13.4443, 144.7937),
    ("Mexico City", 19.4326, -99.1332),
    ("Null Island", 0.0, 0.0),
]


def view_box(svg: str) -> tuple[float, ...]:
    return tuple(float(v) for v in re.search(r'viewBox="([^"]+)"', svg).group(1).split())


def pins_near_new_york() -> list[Pin]:
    offsets = [(0.1, 0.1), (-0.2, 0.25), (0.3, -0.1), (-0.3, -0.35), (0.05, -0.3)]
    return [
        Pin(lat=40.7128 + dlat, lng=-74.006 + dlng, number=i, title=f"Provider {i}")
        for i, (dlat, dlng) in enumerate(offsets * 2, start=1)
    ]


@pytest.mark.parametrize(("name", "lat", "lng", "expected"), D3_REFERENCE)
def test_project_matches_d3_geo_albers_usa(name, lat, lng, expected):
    x, y = project(lat=lat, lng=lng)

    assert x == pytest.approx(expected[0], abs=0.01), name
    assert y == pytest.approx(expected[1], abs=0.01), name


@pytest.mark.parametrize(("name", "lat", "lng"), OUTSIDE)
def test_project_returns_none_outside_lower48_alaska_and_hawaii(name, lat, lng):
    assert project(lat=lat, lng=lng) is None, name


def test_project_returns_none_for_nonsense_coordinates():
    assert project(lat=float("nan"), lng=-74.0) is None
    assert project(lat=95.0, lng=-74.0) is None


def test_view_box_fits_every_pin_and_the_center():
    pins = pins_near_new_york()
    center = (40.7506, -73.9972)

    svg = render_map(pins=pins, label="Map of 10 results near 10001", highlight_center=center)

    x, y, w, h = view_box(svg)
    for px, py in [project(lat=p.lat, lng=p.lng) for p in pins] + [project(lat=40.75, lng=-74)]:
        assert x < px < x + w
        assert y < py < y + h
    # A 25-mile search is about 17 units across: the view stays local, not national.
    assert w < 40


def test_single_pin_shows_its_surroundings():
    svg = render_map(pins=[Pin(lat=39.74, lng=-104.99, number=1, title="Denver")], label="One")

    _, _, w, h = view_box(svg)
    assert w >= 20
    assert w / h == pytest.approx(ASPECT, rel=1e-3)


def test_typical_local_map_is_small():
    svg = render_map(pins=pins_near_new_york(), label="Map", highlight_center=(40.75, -74.0))

    assert len(svg.encode()) < 60_000


def test_map_without_pins_shows_the_whole_country():
    svg = render_map(pins=[], label="Map of no results")

    assert view_box(svg) == (0, 0, FRAME_WIDTH, FRAME_HEIGHT)
    assert svg.count("<path") == 1  # states only, no counties
    assert len(svg.encode()) < 60_000


def test_pins_are_numbered_markers_with_titles():
    svg = render_map(pins=pins_near_new_york(), label="Map of 10 results")

    for number in range(1, 11):
        assert f"<title>{number}. Provider {number}</title>" in svg
        assert f">{number}</text>" in svg
    assert 'vector-effect="non-scaling-stroke"' in svg


def test_map_is_labelled_for_screen_readers():
    svg = render_map(pins=[], label="Map of 0 results near 10001")

    title_id = re.search(r'aria-labelledby="([^"]+)"', svg).group(1)
    assert 'role="img"' in svg
    assert f'<title id="{title_id}">Map of 0 results near 10001</title>' in svg


def test_pin_title_and_label_are_escaped():
    pin = Pin(lat=40.71, lng=-74.0, number=1, title='<script>alert("x")</script>')

    svg = render_map(pins=[pin], label="<b>label</b>")

    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in svg


def test_output_references_no_external_host():
    svg = render_map(pins=pins_near_new_york(), label="Map", highlight_center=(40.75, -74.0))

    urls = re.findall(r"https?://[^\s\"']+", svg)
    assert urls == ["http://www.w3.org/2000/svg"]
    assert "href" not in svg
    assert "@import" not in svg and "url(" not in svg


def test_pins_without_coordinates_or_outside_the_us_get_no_marker():
    pins = [
        Pin(lat=None, lng=None, number=1, title="Confidential shelter"),
        Pin(lat=18.4655, lng=-66.1057, number=2, title="San Juan"),
        Pin(lat=40.71, lng=-74.0, number=3, title="New York"),
    ]

    svg = render_map(pins=pins, label="Map")

    assert "Confidential shelter" not in svg
    assert "San Juan" not in svg
    assert re.findall(r"<title>([^<]*)</title>", svg) == ["3. New York"]  # the one pin
    assert ">3</text>" in svg


def test_searched_center_is_drawn_as_a_ring():
    svg = render_map(pins=[], label="Map", highlight_center=(40.75, -74.0), center_title="You")

    assert "<title>You</title>" in svg
    assert 'fill="none"' in svg
    assert view_box(svg)[2] < 40


def test_pins_that_would_overlap_become_one_cluster_whose_pins_fan_out():
    pins = [Pin(lat=40.75, lng=-73.99, number=i, title=f"Service {i}") for i in (1, 2, 3)]
    pins.append(Pin(lat=40.95, lng=-74.3, number=4, title="Far away"))

    svg = render_map(pins=pins, label="Map", link_pins=True)

    assert svg.count("data-cluster") == 1
    cluster = re.search(r'<g class="map-cluster" data-cluster>(.*?)<g class="cluster-members">'
                        r"(.*?)</g></g>", svg)  # fmt: skip
    badge, members = cluster.groups()
    assert "<title>3 places close together: 1. Service 1; 2. Service 2; 3. Service 3</title>" in (
        badge
    )
    assert 'class="cluster-badge"' in badge and ">3</text>" in badge
    # Opened (site.js), the three pins stand apart, each with its number and its card.
    centers = set(re.findall(r'<circle cx="([^"]+)" cy="([^"]+)"', members))
    assert len(centers) == 3
    for number in (1, 2, 3):
        assert f'<g data-result="{number}"><title>{number}. Service {number}' in members
    # The pin far from the others stays a pin of its own.
    assert '<g data-result="4"><title>4. Far away</title>' in svg.replace(cluster.group(0), "")


def test_output_is_deterministic():
    kwargs = {"pins": pins_near_new_york(), "label": "Map", "highlight_center": (40.75, -74.0)}

    assert render_map(**kwargs) == render_map(**kwargs)


def test_searched_center_has_a_default_title():
    svg = render_map(pins=[], label="Map", highlight_center=(40.75, -74.0))

    assert "<title>Searched location</title>" in svg


def test_wide_views_draw_states_without_counties():
    pins = [
        Pin(lat=40.71, lng=-74.0, number=1, title="New York"),
        Pin(lat=41.88, lng=-87.63, number=2, title="Chicago"),
    ]

    svg = render_map(pins=pins, label="Map")

    assert len(re.findall(f'<path d="[^"]+" fill="{LAND}"', svg)) == 1  # one path of states
    assert COUNTY_LINE not in svg


def test_town_names_come_from_the_gazetteer_and_never_overlap():
    svg = render_map(pins=pins_near_new_york(), label="Map", highlight_center=(40.75, -74.0))

    labels = re.findall(
        r'<text text-anchor="(\w+)" x="([^"]+)" y="([^"]+)"[^>]*>([^<]+)</text>', svg
    )
    names = [name for *_, name in labels]
    assert {"Yonkers", "Brooklyn", "Paterson"} <= set(names)
    assert len(names) == len(set(names)) <= MAX_LABELS
    font = float(re.search(r'class="map-labels"[^>]* font-size="([^"]+)"', svg).group(1))
    boxes = []
    for anchor, x, y, name in labels:
        width = len(name) * font * 0.5  # narrower than drawn: a true overlap still shows
        left = {"start": float(x), "end": float(x) - width, "middle": float(x) - width / 2}
        boxes.append((left[anchor], float(y) - font * 0.7, left[anchor] + width, float(y)))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)


def test_scale_bar_is_a_round_distance_drawn_to_scale():
    svg = render_map(pins=pins_near_new_york(), label="Map", highlight_center=(40.75, -74.0))

    scale = re.search(r'<g class="map-scale">.*?<path d="M[^ ]+ [^v]+v[^h]+h([^v]+)v.*?>'
                      r"([\d.]+) mi</text></g>", svg)  # fmt: skip
    bar_units, miles = float(scale.group(1)), float(scale.group(2))
    # New York to Philadelphia: 80.6 miles as the crow flies.
    ny, philly = project(lat=40.7128, lng=-74.006), project(lat=39.9526, lng=-75.1652)
    units_per_mile = ((ny[0] - philly[0]) ** 2 + (ny[1] - philly[1]) ** 2) ** 0.5 / 80.6
    assert miles in (10, 20, 25)
    assert bar_units == pytest.approx(miles * units_per_mile, rel=0.03)
    assert bar_units <= view_box(svg)[2] * 0.28


def test_pins_name_their_cards_only_when_asked_and_are_never_links():
    pins = pins_near_new_york()

    linked = render_map(pins=pins, label="Map", link_pins=True)

    # site.js shows #result-<n> when a pin is tapped; the map stays one image (role="img")
    # to assistive technology, with no link or control inside it.
    assert set(re.findall(r'data-result="(\d+)"', linked)) == {str(n) for n in range(1, 11)}
    assert "href" not in linked and "<a" not in linked and "tabindex" not in linked
    assert "data-result" not in render_map(pins=pins, label="Map")


def test_pins_json_leaves_out_pins_without_coordinates():
    pins = [
        Pin(lat=None, lng=None, number=1, title="Confidential shelter"),
        Pin(lat=40.71, lng=-74.0, number=2, title='A "quoted" <name>'),
    ]

    assert json.loads(pins_json(pins)) == [
        {"lat": 40.71, "lng": -74.0, "number": 2, "title": 'A "quoted" <name>'}
    ]


def test_the_county_index_finds_the_counties_a_scan_of_all_finds_in_order():
    import random

    from providers.maps import _basemap, _counties_in, _intersecting

    counties = _basemap()["counties"]
    rng = random.Random(14)
    for _ in range(2000):
        width = rng.choice([0.5, 5, 20, 25, 60, 120])
        box = (rng.uniform(-50, 1000), rng.uniform(-50, 650), width, width / 1.25)
        assert _counties_in(box) == _intersecting(counties, box)
