"""Distances on the sphere and the shapes the radius search reads: a circle's bounding box,
and the latitude bands of the search index with the longitudes a circle spans in each.

Plain Python (no Django): providers.search and providers.search_sql build their SQL from it.
The sphere's 0.4 % error against the WGS-84 ellipsoid does not matter at ZIP-centroid scale.
"""

import math
from typing import NamedTuple

EARTH_RADIUS_MI = 3958.7613
KM_PER_MI = 1.609344
DEGREE = math.pi / 180
HALF_DEGREE = math.pi / 360  # the haversine works on half angles
MI_PER_DEGREE = EARTH_RADIUS_MI * DEGREE  # of latitude (of longitude: times cos(lat))
# The exact spherical box is padded a little so float rounding never cuts a match.
BOX_PAD = 1.005
# The search index groups locations by latitude band: floor((lat + 90) * BANDS_PER_DEGREE),
# 0 at the South Pole to 3600 at the North Pole (about 3.5 miles per band).
BANDS_PER_DEGREE = 20
# Within a band, rows this much inside the circle (relative to its haversine_a) are counted
# without computing their distance: far more than float error, far less than a metre.
INNER_MARGIN = 1e-7
# The band shortcut needs haversine_a convex in latitude along a meridian offset, which holds
# while cos(lat0) * sin²(dlng / 2) stays under half of cos(radius / R) (over 0.36 for every
# allowed radius); past this bound a band has no inner range and every row is tested.
CONVEX_LIMIT = 0.3


def km_to_mi(km: float) -> float:
    return km / KM_PER_MI


# PostgreSQL raises "value out of range: underflow" where a product underflows (SQLite and
# Python give 0): its statements count a coordinate difference under this as none.
TINY_DEGREES = 1e-100


def haversine_a(
    *, lat: float, lng: float, lat0: float, lng0: float, tiny_is_zero: bool = False
) -> float:
    """The haversine's squared half chord from (lat0, lng0) to (lat, lng): 0 at the same
    point, 1 at the antipode. Distance grows with it, so the search filters and sorts on it;
    written exactly like the SQL of `search_sql.haversine_sql` so both give the same floats
    (`tiny_is_zero` as PostgreSQL's statements have it)."""
    dlat, dlng = lat - lat0, lng - lng0
    if tiny_is_zero:
        dlat = 0 if abs(dlat) < TINY_DEGREES else dlat
        dlng = 0 if abs(dlng) < TINY_DEGREES else dlng
    return (
        math.sin(dlat * HALF_DEGREE) ** 2
        + math.cos(lat * DEGREE) * math.cos(lat0 * DEGREE) * math.sin(dlng * HALF_DEGREE) ** 2
    )


def offset_point(*, lat: float, lng: float, bearing: float, miles: float) -> tuple[float, float]:
    """(lat, lng) moved `miles` towards `bearing` (radians clockwise from north), flat over a
    few miles, held to the globe: the latitude at a pole, the longitude wrapped into
    [-180, 180). providers/search_index.py writes the same in SQL for the search copies."""
    north = lat + miles * math.cos(bearing) / MI_PER_DEGREE
    east = lng + miles * math.sin(bearing) / (MI_PER_DEGREE * math.cos(lat * DEGREE))
    if not -180 <= east < 180:  # written as the SQL writes it, to give the same floats
        east = east + 180 - 360 * math.floor((east + 180) / 360) - 180
    return min(90.0, max(-90.0, north)), east


def area_centre(degrees: float | None) -> float | None:
    """A service area's centre coordinate, kept to a tenth of a degree (about 7 by 5 miles).

    An area drawn around the shelter that runs a line would otherwise give the shelter away
    to anyone who moves a search until the line drops out; what leaks is a cell instead.
    """
    return None if degrees is None else round(degrees, 1)


def a_to_mi(a: float) -> float:
    return 2 * EARTH_RADIUS_MI * math.asin(min(1.0, math.sqrt(a)))


def mi_to_a(miles: float) -> float:
    return math.sin(min(math.pi / 2, miles / (2 * EARTH_RADIUS_MI))) ** 2


def haversine_mi(*, lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in miles (the same formula as the SQL)."""
    return a_to_mi(haversine_a(lat=lat2, lng=lng2, lat0=lat1, lng0=lng1))


def _box_half_width(*, lat: float, radius_mi: float) -> float | None:
    """Degrees of longitude either side of the point that the padded circle can reach;
    None when the circle reaches a pole (every longitude)."""
    angular = radius_mi * BOX_PAD / EARTH_RADIUS_MI
    if lat + math.degrees(angular) >= 90 or lat - math.degrees(angular) <= -90:
        return None
    ratio = math.sin(angular) / math.cos(math.radians(lat))
    return None if ratio >= 1 else math.degrees(math.asin(ratio))


def wrap(lng_min: float, lng_max: float) -> list[tuple[float, float]]:
    """A longitude range that may pass ±180, as one or two ranges within [-180, 180]."""
    if lng_min < -180:
        return [(lng_min + 360, 180.0), (-180.0, lng_max)]
    if lng_max > 180:
        return [(lng_min, 180.0), (-180.0, lng_max - 360)]
    return [(lng_min, lng_max)]


def bounding_box(
    *, lat: float, lng: float, radius_mi: float
) -> tuple[float, float, list[tuple[float, float]]]:
    """The spherical box around a circle: (lat_min, lat_max, [(lng_min, lng_max), ...]).

    Longitude comes as one range, or two when the box crosses the antimeridian, or the
    whole circle of longitudes when the circle reaches a pole.
    """
    dlat = math.degrees(radius_mi * BOX_PAD / EARTH_RADIUS_MI)
    lat_min, lat_max = lat - dlat, lat + dlat
    dlng = _box_half_width(lat=lat, radius_mi=radius_mi)
    if dlng is None:
        return max(lat_min, -90.0), min(lat_max, 90.0), [(-180.0, 180.0)]
    return lat_min, lat_max, wrap(lng - dlng, lng + dlng)


def band(lat: float) -> int:
    """The latitude band of a point, as stored in `ServiceAtLocation.search_band` (the SQL
    of providers.search_index does the same float operations)."""
    return int((lat + 90) * BANDS_PER_DEGREE)


def band_bounds(number: int) -> tuple[float, float]:
    """The latitudes of a band, widened by a hair for the rounding of `band()`."""
    return number / BANDS_PER_DEGREE - 90 - 1e-9, (number + 1) / BANDS_PER_DEGREE - 90 + 1e-9


class Span(NamedTuple):
    """One range of the search index: a band, the longitudes to read in it (every point of
    the circle in this band lies there), and the longitudes wholly inside the circle
    (empty when inner_min > inner_max)."""

    band: int
    lng_min: float
    lng_max: float
    inner_min: float = 1.0
    inner_max: float = 0.0


def spans(*, lat: float, lng: float, radius_mi: float, max_bands: int) -> list[Span] | None:
    """The index ranges that hold every point within `radius_mi` of (lat, lng): one per
    band and side of the antimeridian. None when the circle reaches a pole or covers more
    than `max_bands` bands (the caller then scans a box)."""
    box = _box_half_width(lat=lat, radius_mi=radius_mi)
    if box is None:
        return None
    dlat = math.degrees(radius_mi * BOX_PAD / EARTH_RADIUS_MI)
    lat_low, lat_high = lat - dlat, lat + dlat
    first, last = band(max(lat_low, -90.0)), band(min(lat_high, 90.0))
    if last - first + 1 > max_bands:
        return None
    a_outer, a_inner = mi_to_a(radius_mi * 1.001), mi_to_a(radius_mi) * (1 - INNER_MARGIN)
    cos_lat0 = math.cos(lat * DEGREE)
    sin, cos, asin, sqrt = math.sin, math.cos, math.asin, math.sqrt
    two_degrees = 2 / DEGREE

    def half_width(edge: float, a: float) -> float:
        """Degrees of longitude either side of lng where the circle haversine_a <= a crosses
        latitude `edge`; -1 when that latitude is outside the circle."""
        top = a - sin((edge - lat) * HALF_DEGREE) ** 2
        if top < 0:
            return -1.0
        ratio = top / (cos(edge * DEGREE) * cos_lat0)
        return 180.0 if ratio >= 1 else two_degrees * asin(sqrt(ratio))

    # The widest latitude of the circle (where meridians touch it): inside a band, the
    # outer range is the box's; elsewhere the width at the band edge nearer to it.
    widest = math.degrees(asin(sin(lat * DEGREE) / cos(radius_mi / EARTH_RADIUS_MI)))
    found = []
    for number in range(first, last + 1):
        south, north = band_bounds(number)
        if south <= widest <= north:
            outer = box
        else:
            width = max(
                half_width(max(south, lat_low), a_outer), half_width(min(north, lat_high), a_outer)
            )
            outer = min(box, max(width, 0.0) * BOX_PAD)
        inner = min(half_width(south, a_inner), half_width(north, a_inner), outer) * (1 - 1e-9)
        if inner < 0 or cos_lat0 * sin(inner * HALF_DEGREE) ** 2 > CONVEX_LIMIT:
            inner_ranges = []
        else:
            inner_ranges = wrap(lng - inner, lng + inner)
        for low, high in wrap(lng - outer, lng + outer):
            for inner_low, inner_high in inner_ranges:
                if inner_low <= high and inner_high >= low:
                    found.append(
                        Span(number, low, high, max(inner_low, low), min(inner_high, high))
                    )
                    break
            else:
                found.append(Span(number, low, high))
    return found
