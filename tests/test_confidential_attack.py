"""The attacker's test: locate a confidential shelter by searching, as a script would.

Starting from nothing but the shelter's public ZIP, the attacker binary-searches the radius
(API v1 `radius`, HSDS `proximity`) from several points for the distance at which the shelter
enters the results, or, on the public page where the radius is a fixed choice, moves a typed
"lat, lng" until the shelter leaves the circle. Trilateration of those distances gives the
point the search measures from. That point must stay well away from the shelter: the search
only ever measures a confidential location from its public point (1-2 miles off).

The rate limits are not what stops this attack (an attacker has many addresses and time), so
the cache that holds them is cleared before every request.
"""

import math
import re

import pytest
from django.core.cache import cache

from providers.geometry import haversine_mi
from providers.models import Location

# The real shelter, and where the attacker starts: the centre of its public ZIP (10002).
SHELTER = (40.715621, -73.986234)
START = (40.7159, -73.9868)
NAME = "Harbor Light Shelter"
MI_PER_DEG_LAT = 69.05


def _offset(point, *, north_mi: float, east_mi: float):
    lat, lng = point
    return (
        lat + north_mi / MI_PER_DEG_LAT,
        lng + east_mi / (MI_PER_DEG_LAT * math.cos(math.radians(lat))),
    )


def _plane(point, origin):
    """(east, north) miles from `origin`: flat enough over a few miles."""
    return (
        (point[1] - origin[1]) * MI_PER_DEG_LAT * math.cos(math.radians(origin[0])),
        (point[0] - origin[0]) * MI_PER_DEG_LAT,
    )


def trilaterate(circles):
    """Least-squares centre of circles [((lat, lng), miles), ...] (three or more)."""
    origin = circles[0][0]
    flat = [(_plane(point, origin), r) for point, r in circles]
    (x1, y1), r1 = flat[0]
    rows = []
    for (xi, yi), ri in flat[1:]:
        rows.append((2 * (xi - x1), 2 * (yi - y1), r1**2 - ri**2 + xi**2 - x1**2 + yi**2 - y1**2))
    # Normal equations of the 2-unknown linear system.
    a11 = sum(a * a for a, _, _ in rows)
    a12 = sum(a * b for a, b, _ in rows)
    a22 = sum(b * b for _, b, _ in rows)
    b1 = sum(a * c for a, _, c in rows)
    b2 = sum(b * c for _, b, c in rows)
    det = a11 * a22 - a12 * a12
    x = (b1 * a22 - b2 * a12) / det
    y = (a11 * b2 - a12 * b1) / det
    return _offset(origin, north_mi=y, east_mi=x)


def bisect(found, low: float, high: float, steps: int = 26) -> float:
    """The boundary between `found(low)` true and `found(high)` false."""
    assert found(low) and not found(high), "the attacker's bracket is wrong"
    for _ in range(steps):
        middle = (low + high) / 2
        if found(middle):
            low = middle
        else:
            high = middle
    return (low + high) / 2


def _get(client, path, params):
    cache.clear()  # no rate limit: the attacker rotates addresses
    response = client.get(path, params)
    assert response.status_code == 200, response.content[:300]
    return response.content.decode()


@pytest.fixture
def shelter(make_provider):
    # Open offices around it, so the shelter is one result among several.
    make_provider(name="Downtown Legal Aid", lat=40.7128, lng=-74.0060, street="1 Centre St")
    make_provider(name="Uptown Counseling", lat=40.7306, lng=-73.9866, street="2 E 14th St")
    return make_provider(
        name=NAME,
        street="17 Hidden Court",
        lat=SHELTER[0],
        lng=SHELTER[1],
        postcode="10002-4817",
        confidential=True,
        services=("shelter",),
    )


# The points the attacker measures from: around the ZIP centre, a few miles apart.
VANTAGES = [
    _offset(START, north_mi=3, east_mi=0),
    _offset(START, north_mi=-2, east_mi=2.5),
    _offset(START, north_mi=-1, east_mi=-3),
]


def _boundary(found_within_radius) -> float:
    """The smallest radius at which the shelter is found."""
    low, high = 0.05, 12.0
    assert found_within_radius(high) and not found_within_radius(low)
    for _ in range(26):
        middle = (low + high) / 2
        if found_within_radius(middle):
            high = middle
        else:
            low = middle
    return (low + high) / 2


def _assert_hidden(estimate):
    error = haversine_mi(lat1=estimate[0], lng1=estimate[1], lat2=SHELTER[0], lng2=SHELTER[1])
    assert error >= 0.5, f"the attacker placed the shelter within {error:.3f} mi"
    # The attacker did find what the search measures from: the public point, not the shelter.
    location = Location.objects.get(name=NAME)
    public = location.search_point
    off = haversine_mi(lat1=estimate[0], lng1=estimate[1], lat2=public[0], lng2=public[1])
    assert off < 0.05, f"the attack itself is off by {off:.3f} mi"


@pytest.mark.django_db
def test_radius_bisection_through_api_v1_cannot_place_the_shelter(client, shelter):
    def found(point, radius):
        params = {"lat": f"{point[0]:.6f}", "lng": f"{point[1]:.6f}", "radius": f"{radius:.7f}"}
        return NAME in _get(client, "/api/v1/providers/", params | {"page_size": 100})

    circles = [(p, _boundary(lambda r, p=p: found(p, r))) for p in VANTAGES]
    _assert_hidden(trilaterate(circles))


@pytest.mark.django_db
def test_proximity_bisection_through_hsds_cannot_place_the_shelter(client, shelter):
    metres_per_mi = 1609.344

    def found(point, radius):
        params = {
            "lat": f"{point[0]:.6f}",
            "lng": f"{point[1]:.6f}",
            "proximity": f"{radius * metres_per_mi:.4f}",
            "full": "true",
            "per_page": 100,
        }
        return NAME in _get(client, "/api/hsds/service_at_locations", params)

    circles = [(p, _boundary(lambda r, p=p: found(p, r))) for p in VANTAGES]
    _assert_hidden(trilaterate(circles))


@pytest.mark.django_db
def test_moving_a_typed_point_on_the_page_cannot_place_the_shelter(client, shelter):
    """The page's radius is a fixed choice (5 mi): the attacker moves the typed point along
    three bearings from the ZIP centre until the shelter leaves the circle; the shelter is
    then exactly 5 mi from each of those points."""
    radius = 5

    def found(point):
        params = {"near": f"{point[0]:.6f}, {point[1]:.6f}", "radius": radius}
        return NAME in _get(client, "/", params)

    circles = []
    for bearing in (0, 120, 240):
        north, east = math.cos(math.radians(bearing)), math.sin(math.radians(bearing))

        def moved(t, north=north, east=east):
            return found(_offset(START, north_mi=north * t, east_mi=east * t))

        t = bisect(moved, 0.0, 12.0, steps=24)
        circles.append((_offset(START, north_mi=north * t, east_mi=east * t), radius))
    _assert_hidden(trilaterate(circles))


@pytest.mark.django_db
def test_distances_shown_agree_with_the_order(client, make_provider):
    """A confidential place is measured from its public point, shown to 0.1 mi like every
    other: no "5.0 mi" listed before "4.8 mi"."""
    for index in range(12):
        make_provider(
            name=f"Place {index}",
            lat=40.70 + index * 0.01,
            lng=-73.99 + (index % 3) * 0.01,
            confidential=index % 2 == 0,
        )
    cache.clear()
    rows = client.get("/api/v1/providers/", {"lat": 40.70, "lng": -73.99, "radius": 25}).json()
    miles = [row["distance_mi"] for row in rows["results"]]
    assert len(miles) == 12
    assert miles == sorted(miles)


@pytest.mark.django_db
def test_the_page_shows_distances_in_the_order_it_lists(client, make_provider):
    for index in range(12):
        make_provider(
            name=f"Place {index}",
            lat=40.70 + index * 0.01,
            lng=-73.99 + (index % 3) * 0.01,
            confidential=index % 2 == 0,
        )
    html = client.get("/", {"near": "40.70, -73.99", "radius": 25}).content.decode()
    shown = [float(m) for m in re.findall(r'class="distance">[^<]*?(\d+\.\d) mi', html)]
    assert len(shown) == 12
    assert shown == sorted(shown)
