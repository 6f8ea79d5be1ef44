"""Property tests: the radius search and its bounding box agree with a brute-force oracle.

The oracle is geopy's great-circle distance on the same sphere as providers.search
(EARTH_RADIUS_MI), over every point. Points within a relative 1e-6 of the radius may go
either way; everything else must match exactly, nearest first.
"""

import math

import pytest
from django.db import transaction
from geopy.distance import EARTH_RADIUS, great_circle
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from providers import geometry, search
from providers.models import Location, Organization, Service, ServiceAtLocation, Status

RADIUS_KM = search.EARTH_RADIUS_MI * search.KM_PER_MI
BAND = 1e-6  # relative tolerance at the circle's edge

# Where spherical geometry gets awkward, and where our users are.
CENTRES = [
    (51.8, 179.95),  # Aleutians, just west of the antimeridian
    (52.0, -179.9),  # ... and just east of it
    (-16.5, 179.9),  # Fiji
    (0.0, 180.0),
    (0.0, -180.0),
    (89.95, 0.0),  # near the North Pole
    (-89.9, 45.0),  # near the South Pole
    (90.0, 0.0),
    (-90.0, 0.0),
    (88.5, -120.0),  # close enough that some circles reach over the pole
    (0.0, 0.0),  # the equator
    (0.5, -78.5),
    (40.7484, -73.9967),  # New York 10001
    (34.05, -118.24),
    (61.22, -149.87),  # Anchorage
    (21.32, -157.85),  # Honolulu
    (18.47, -66.10),  # San Juan
]


def oracle_mi(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    return great_circle((lat1, lng1), (lat2, lng2), radius=RADIUS_KM).miles


def wrap_lng(lng: float) -> float:
    wrapped = (lng + 180.0) % 360.0 - 180.0
    return 180.0 if wrapped == -180.0 and lng > 0 else wrapped


def clamp_lat(lat: float) -> float:
    return max(-90.0, min(90.0, lat))


def near(centre: tuple[float, float], spread_deg: float):
    offsets = st.floats(min_value=-spread_deg, max_value=spread_deg, allow_nan=False)
    return st.tuples(offsets, offsets).map(
        lambda d: (clamp_lat(centre[0] + d[0]), wrap_lng(centre[1] + d[1]))
    )


anywhere = st.tuples(
    st.floats(min_value=-90, max_value=90, allow_nan=False),
    st.floats(min_value=-180, max_value=180, allow_nan=False),
)
edges = st.sampled_from([(90.0, 0.0), (-90.0, 10.0), (51.8, 180.0), (51.8, -180.0), (0.0, 180.0)])
radii = st.one_of(
    st.floats(min_value=0.1, max_value=250.0, allow_nan=False),
    st.sampled_from([0.1, 1.0, 25.0, 100.0, 250.0]),
)
# Distances as a fraction of the radius: deep inside, within the tolerance band, just
# outside it on both sides, and clearly outside.
FRACTIONS = [0.0, 0.5, 0.99, 1 - 1e-5, 1 - 1e-8, 1.0, 1 + 1e-8, 1 + 1e-5, 1.001, 1.01, 1.5]


@st.composite
def scenarios(draw):
    centre = draw(st.sampled_from(CENTRES))
    lat, lng = draw(near(centre, 1.5))
    radius_mi = draw(radii)
    on_ring = st.tuples(st.sampled_from(FRACTIONS), st.floats(0, 360, exclude_max=True)).map(
        lambda fb: ring_point(lat, lng, radius_mi * fb[0], fb[1])
    )
    points = draw(
        st.lists(st.one_of(near(centre, 4.0), on_ring, anywhere, edges), min_size=1, max_size=25)
    )
    return lat, lng, radius_mi, points


def ring_point(lat: float, lng: float, distance_mi: float, bearing: float) -> tuple[float, float]:
    point = great_circle(radius=RADIUS_KM).destination(
        (lat, lng), bearing, distance=distance_mi * search.KM_PER_MI
    )
    return clamp_lat(point.latitude), wrap_lng(point.longitude)


def store(points: list[tuple[float, float]]) -> dict:
    """One published service at each point; returns location id -> index."""
    organization = Organization.objects.create(name="P", status=Status.PUBLISHED)
    service = Service.objects.create(organization=organization, name="S")
    locations = Location.objects.bulk_create(
        Location(organization=organization, name=str(i), latitude=lat, longitude=lng)
        for i, (lat, lng) in enumerate(points)
    )
    ServiceAtLocation.objects.bulk_create(
        ServiceAtLocation(service=service, location=location) for location in locations
    )
    return {location.id: i for i, location in enumerate(locations)}


def test_the_oracle_uses_the_same_sphere_as_the_search():
    assert search.EARTH_RADIUS_MI * search.KM_PER_MI == pytest.approx(EARTH_RADIUS, rel=1e-7)
    assert search.haversine_mi(lat1=0, lng1=0, lat2=0, lng2=1) == pytest.approx(
        oracle_mi(0, 0, 0, 1), rel=1e-12
    )


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios())
@example(scenario=(51.8, 179.95, 25.0, [(51.8, -179.9), (51.8, 179.9), (51.8, 180.0)]))
@example(scenario=(89.95, 90.0, 25.0, [(89.9, 0.0), (89.9, 180.0), (90.0, 0.0)]))
# PostgreSQL: a latitude difference of 2e-106 counts as none in its statements, so the page's
# rows must be ranked so in Python too (ties by id), and a row's latitude of 5e-324 made the
# statement fail ("value out of range: underflow") instead of ranking it.
@example(scenario=(0.0, 180.0, 1.0, [(0.0, 180.0), (-2.075159474472834e-106, 180.0), (0.0, 180.0)]))
@example(scenario=(51.8, 179.95, 1.0, [(5e-324, 0.0)]))
def test_nearby_returns_exactly_what_brute_force_finds_nearest_first(db, scenario):
    lat, lng, radius_mi, points = scenario
    # Each example in its own savepoint: rolled back after, and a database error in one
    # example is reported as itself instead of poisoning the next ones.
    with transaction.atomic():
        check_nearby_against_the_oracle(lat, lng, radius_mi, points)
        transaction.set_rollback(True)


def check_nearby_against_the_oracle(lat, lng, radius_mi, points):
    index_of = store(points)
    inside, either = set(), set()
    distances = {}
    for i, (plat, plng) in enumerate(points):
        distances[i] = oracle_mi(lat, lng, plat, plng)
        if abs(distances[i] - radius_mi) <= BAND * radius_mi:
            either.add(i)
        elif distances[i] < radius_mi:
            inside.add(i)

    rows = list(search.nearby(lat=lat, lng=lng, radius_mi=radius_mi))

    found = [index_of[row.location_id] for row in rows]
    assert len(found) == len(set(found))
    assert inside <= set(found) <= inside | either, (sorted(inside), sorted(found))
    got = [row.exact_distance_mi for row in rows]
    assert got == sorted(got)
    for row, i in zip(rows, found, strict=True):
        assert row.exact_distance_mi == pytest.approx(distances[i], rel=1e-6, abs=1e-9)

    # The count and any page agree with the whole list, whether the count came first (the
    # page is ranked within a circle sized from it) or not.
    ids = [row.pk for row in rows]
    counted = search.nearby(lat=lat, lng=lng, radius_mi=radius_mi)
    assert counted.count() == len(rows)
    for low, high in ((0, 1), (0, 3), (2, 5), (len(rows) - 1, len(rows) + 2)):
        low = max(low, 0)
        assert [row.pk for row in counted[low:high]] == ids[low:high]
        fresh = search.nearby(lat=lat, lng=lng, radius_mi=radius_mi)
        assert [row.pk for row in fresh[low:high]] == ids[low:high]
        ranked = search.nearby(lat=lat, lng=lng, radius_mi=radius_mi)[low:high].ranked()
        assert [pk for pk, _ in ranked] == ids[low:high]
        for (_, miles), row in zip(ranked, rows[low:high], strict=True):
            assert miles == pytest.approx(row.exact_distance_mi, rel=1e-12, abs=1e-12)


@settings(max_examples=300, deadline=None)
@given(
    centre=st.sampled_from(CENTRES),
    data=st.data(),
    radius_mi=radii,
    fraction=st.floats(min_value=0, max_value=1),
    bearing=st.floats(min_value=0, max_value=360, exclude_max=True),
)
def test_every_point_within_the_radius_lies_inside_the_bounding_box(
    centre, data, radius_mi, fraction, bearing
):
    lat, lng = data.draw(near(centre, 1.5))
    plat, plng = ring_point(lat, lng, radius_mi * fraction, bearing)
    if oracle_mi(lat, lng, plat, plng) > radius_mi:
        return  # float rounding put it just outside; the next assertion needs a point within
    lat_min, lat_max, lng_ranges = search.bounding_box(lat=lat, lng=lng, radius_mi=radius_mi)
    assert lat_min <= plat <= lat_max
    assert any(low <= plng <= high for low, high in lng_ranges), (lng_ranges, plng)
    for low, high in lng_ranges:
        assert -180 <= low <= high <= 180
    found = search.spans(lat=lat, lng=lng, radius_mi=radius_mi, max_bands=400)
    if found is not None:  # else the search scans the box
        assert any(s.band == search.band(plat) and s.lng_min <= plng <= s.lng_max for s in found), (
            found,
            plat,
            plng,
        )


@settings(max_examples=300, deadline=None)
@given(centre=st.sampled_from(CENTRES), data=st.data(), radius_mi=radii)
def test_every_point_in_an_inner_range_lies_within_the_radius(centre, data, radius_mi):
    """The count takes rows in a span's inner range without their distance: they must all be
    inside the circle, wherever in the band and range they lie (corners included)."""
    lat, lng = data.draw(near(centre, 1.5))
    found = search.spans(lat=lat, lng=lng, radius_mi=radius_mi, max_bands=400) or []
    inner = [s for s in found if s.inner_min <= s.inner_max]
    if not inner:
        return
    span = data.draw(st.sampled_from(inner))
    south, north = geometry.band_bounds(span.band)
    plat = data.draw(st.sampled_from([south, north]) | st.floats(south, north))
    plat = clamp_lat(plat)
    plng = data.draw(
        st.sampled_from([span.inner_min, span.inner_max])
        | st.floats(span.inner_min, span.inner_max)
    )
    a = search.haversine_a(lat=plat, lng=plng, lat0=lat, lng0=lng)
    assert a <= search.mi_to_a(radius_mi) * (1 - geometry.INNER_MARGIN / 2)
    assert oracle_mi(lat, lng, plat, plng) < radius_mi


@settings(max_examples=200, deadline=None)
@given(point=anywhere, query=anywhere, radius_mi=radii)
def test_bounding_box_holds_every_point_the_oracle_puts_within_the_radius(point, query, radius_mi):
    if oracle_mi(*query, *point) > radius_mi:
        return
    lat_min, lat_max, lng_ranges = search.bounding_box(
        lat=query[0], lng=query[1], radius_mi=radius_mi
    )
    assert lat_min <= point[0] <= lat_max
    assert any(low <= point[1] <= high for low, high in lng_ranges)


def test_spans_read_one_range_per_band_and_side_with_the_inside_skipped():
    # 25 miles around 10001: latitude 40.38-41.11 touches 16 bands of 1/20 degree.
    found = search.spans(lat=40.7484, lng=-73.9967, radius_mi=25, max_bands=400)
    assert [s.band for s in found] == list(range(search.band(40.3846), search.band(41.1122) + 1))
    assert len(found) == 16
    # Every band but the two at the edges has a range wholly inside the circle, widest in
    # the middle, and always within the range read.
    inner = [s for s in found if s.inner_min <= s.inner_max]
    assert len(inner) == 14 and found[0] not in inner and found[-1] not in inner
    assert all(s.lng_min <= s.inner_min < -73.9967 < s.inner_max <= s.lng_max for s in inner)
    widths = [s.inner_max - s.inner_min for s in inner]
    assert max(widths) in widths[len(widths) // 2 - 1 : len(widths) // 2 + 1] and max(widths) > 0.9
    # Across the antimeridian: two spans per band, at both ends of the longitudes.
    found = search.spans(lat=51.8, lng=179.9, radius_mi=25, max_bands=400)
    assert len(found) % 2 == 0
    assert {s.lng_max for s in found[::2]} == {180.0} and {s.lng_min for s in found[1::2]} == {
        -180.0
    }
    # Reaching the pole, or more bands than allowed: no spans (the search scans the box).
    assert search.spans(lat=89.9, lng=0, radius_mi=25, max_bands=400) is None
    assert search.spans(lat=40.0, lng=0, radius_mi=250, max_bands=20) is None


def test_bounding_box_is_tight_away_from_poles_and_antimeridian():
    # About 1/69 degree of latitude per mile; no more than the 0.5 % padding beyond it.
    lat_min, lat_max, ((lng_min, lng_max),) = search.bounding_box(
        lat=40.7484, lng=-73.9967, radius_mi=25
    )
    assert (lat_max - lat_min) / 2 == pytest.approx(
        math.degrees(25 / search.EARTH_RADIUS_MI) * 1.005
    )
    assert lng_min < -73.9967 < lng_max and lng_max - lng_min < 1.0
