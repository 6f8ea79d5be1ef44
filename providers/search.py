"""The one search: providers near a point, nearest first, with the filters people need.

Pages and the API both call `search()` (or `nearby()` / `covering()` / `listing()`).
It takes plain values, never a request, and never calls the network. The distance is
haversine on a sphere computed in SQL after an indexed bounding-box prefilter; on the
scale of ZIP centroids the sphere's 0.4 % error does not matter. The radius search reads
ServiceAtLocation's search copies through one covering index (providers/search_index.py)
and joins the full rows of the requested page only (docs/search.md has the design and
the benchmark figures).
"""

import math
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import BooleanField, Exists, F, FloatField, Func, OuterRef, Q, QuerySet
from django.db.models.query import ModelIterable
from django.utils import timezone

from providers.hours import open_now_q
from providers.models import (
    Cost,
    Location,
    LocationKind,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Term,
)

EARTH_RADIUS_MI = 3958.7613
KM_PER_MI = 1.609344
DEGREE = math.pi / 180
HALF_DEGREE = math.pi / 360  # the haversine works on half angles
MAX_CELLS_LISTED = 500  # grid cells listed one by one in a search; beyond, ranges
# The exact spherical box is padded a little so float rounding never cuts a match.
BOX_PAD = 1.005


class InvalidSearch(ValueError):
    """A search input out of range; `field` names the input, `message` says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Filters:
    """Any-of within one filter, all-of across filters. Slugs and codes as stored."""

    services: tuple[str, ...] = ()
    victimizations: tuple[str, ...] = ()
    populations: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    accessibility: tuple[str, ...] = ()
    costs: tuple[str, ...] = ()
    open_now: bool = False
    text: str = ""


@dataclass
class Results:
    """Physical locations within the radius (a QuerySet to paginate) and remote services."""

    nearby: QuerySet
    remote: list = field(default_factory=list)
    lat: float | None = None
    lng: float | None = None
    radius_mi: float | None = None


def km_to_mi(km: float) -> float:
    return km / KM_PER_MI


def haversine_a(*, lat: float, lng: float, lat0: float, lng0: float) -> float:
    """The haversine's squared half chord from (lat0, lng0) to (lat, lng): 0 at the same
    point, 1 at the antipode. Distance grows with it, so the search filters and sorts on it;
    written exactly like the SQL of `HaversineA` so both give the same floats."""
    return (
        math.sin((lat - lat0) * HALF_DEGREE) ** 2
        + math.cos(lat * DEGREE)
        * math.cos(lat0 * DEGREE)
        * math.sin((lng - lng0) * HALF_DEGREE) ** 2
    )


def a_to_mi(a: float) -> float:
    return 2 * EARTH_RADIUS_MI * math.asin(min(1.0, math.sqrt(a)))


def mi_to_a(miles: float) -> float:
    return math.sin(min(math.pi / 2, miles / (2 * EARTH_RADIUS_MI))) ** 2


def haversine_mi(*, lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in miles (the same formula as the SQL)."""
    return a_to_mi(haversine_a(lat=lat2, lng=lng2, lat0=lat1, lng0=lng1))


def bounding_box(
    *, lat: float, lng: float, radius_mi: float
) -> tuple[float, float, list[tuple[float, float]]]:
    """The spherical box around a circle: (lat_min, lat_max, [(lng_min, lng_max), ...]).

    Longitude comes as one range, or two when the box crosses the antimeridian, or the
    whole circle of longitudes when the circle reaches a pole.
    """
    angular = radius_mi * BOX_PAD / EARTH_RADIUS_MI
    dlat = math.degrees(angular)
    lat_min, lat_max = lat - dlat, lat + dlat
    if lat_max >= 90 or lat_min <= -90:
        return max(lat_min, -90.0), min(lat_max, 90.0), [(-180.0, 180.0)]
    ratio = math.sin(angular) / math.cos(math.radians(lat))
    if ratio >= 1:
        return lat_min, lat_max, [(-180.0, 180.0)]
    dlng = math.degrees(math.asin(ratio))
    lng_min, lng_max = lng - dlng, lng + dlng
    if lng_min < -180:
        return lat_min, lat_max, [(lng_min + 360, 180.0), (-180.0, lng_max)]
    if lng_max > 180:
        return lat_min, lat_max, [(lng_min, 180.0), (-180.0, lng_max - 360)]
    return lat_min, lat_max, [(lng_min, lng_max)]


def cell(*, lat: float, lng: float) -> int:
    """The half-degree grid cell of a point, as stored in `ServiceAtLocation.search_cell`."""
    return int((lat + 90) * 2) * 1000 + int((lng + 180) * 2)


def cell_ranges(
    *, lat_min: float, lat_max: float, lng_ranges: list[tuple[float, float]]
) -> list[tuple[int, int]]:
    """Ranges of grid cells covering a bounding box: one per cell row and longitude range,
    merged where only unused numbers lie between (whole rows, near the poles)."""
    ranges: list[tuple[int, int]] = []
    row_min, row_max = int((max(lat_min, -90.0) + 90) * 2), int((min(lat_max, 90.0) + 90) * 2)
    for row in range(row_min, row_max + 1):
        for lng_min, lng_max in sorted(lng_ranges):
            low = row * 1000 + int((lng_min + 180) * 2)
            high = row * 1000 + int((lng_max + 180) * 2)
            if (
                ranges
                and ranges[-1][1] % 1000 == 720
                and low % 1000 == 0
                and low // 1000 == ranges[-1][1] // 1000 + 1
            ):
                ranges[-1] = (ranges[-1][0], high)
            else:
                ranges.append((low, high))
    return ranges


class HaversineA(Func):
    """`haversine_a` from (lat, lng) to the row's coordinates, in SQL with parameters."""

    output_field = FloatField()

    def __init__(self, lat_field: str, lng_field: str, *, lat: float, lng: float) -> None:
        super().__init__(F(lat_field), F(lng_field))
        self.lat, self.lng = lat, lng

    def as_sql(self, compiler, connection, **extra_context):
        lat_sql, lat_params = compiler.compile(self.source_expressions[0])
        lng_sql, lng_params = compiler.compile(self.source_expressions[1])
        # Coordinates travel as parameters: never pasted into SQL ("--73.9" is a comment).
        dlat, dlat_params = f"({lat_sql} - %s)", [*lat_params, self.lat]
        dlng, dlng_params = f"({lng_sql} - %s)", [*lng_params, self.lng]
        if connection.vendor == "postgresql":
            # PostgreSQL raises "value out of range: underflow" where a product underflows
            # (SQLite and Python give 0): a difference under 1e-100 degrees counts as 0.
            dlat, dlat_params = (
                f"(CASE WHEN ABS({dlat}) < 1e-100 THEN 0 ELSE {dlat} END)",
                [
                    *dlat_params,
                    *dlat_params,
                ],
            )
            dlng, dlng_params = (
                f"(CASE WHEN ABS({dlng}) < 1e-100 THEN 0 ELSE {dlng} END)",
                [
                    *dlng_params,
                    *dlng_params,
                ],
            )
        sql = (
            f"(POWER(SIN({dlat} * %s), 2) + COS({lat_sql} * %s) * %s * POWER(SIN({dlng} * %s), 2))"
        )
        params = [
            *dlat_params,
            HALF_DEGREE,
            *lat_params,
            DEGREE,
            math.cos(self.lat * DEGREE),
            *dlng_params,
            HALF_DEGREE,
        ]
        return sql, params


class HaversineMi(HaversineA):
    """Miles from (lat, lng) to the row's coordinates, as one SQL expression."""

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = super().as_sql(compiler, connection, **extra_context)
        return f"(2 * %s * ASIN(SQRT({sql})))", [EARTH_RADIUS_MI, *params]


class WithinRadius(Func):
    """The whole place test on the search copies, as one SQL condition:

    listed, in the grid cells around the point (index ranges), in the bounding box, and
    within the circle, tested as haversine_a <= sin²(r / 2R) (the same circle as
    "distance <= radius" without ASIN and SQRT per candidate). One expression, because
    compiling a dozen ORM lookups per search cost more than running the SQL.
    """

    output_field = BooleanField()
    conditional = True

    def __init__(self, *, lat: float, lng: float, radius_mi: float) -> None:
        super().__init__(
            F("search_listed"),
            F("search_cell"),
            F("search_lat"),
            F("search_lng"),
            HaversineA("search_lat", "search_lng", lat=lat, lng=lng),
        )
        self.lat_min, self.lat_max, self.lng_ranges = bounding_box(
            lat=lat, lng=lng, radius_mi=radius_mi
        )
        self.cells = cell_ranges(
            lat_min=self.lat_min, lat_max=self.lat_max, lng_ranges=self.lng_ranges
        )
        self.rank_max = mi_to_a(radius_mi)

    def as_sql(self, compiler, connection, **extra_context):
        listed, cell, lat, lng, rank = (
            compiler.compile(expression) for expression in self.source_expressions
        )
        # A list of cells keeps SQLite on the covering index (an OR of ranges becomes a
        # "multi-index OR" that reads every matching row from the table); a few ranges are
        # left only around the poles, where whole rows of cells are in play.
        cell_list = [c for low, high in self.cells for c in range(low, high + 1)]
        if len(cell_list) <= MAX_CELLS_LISTED:
            cells, cell_params = f"{cell[0]} IN ({', '.join(['%s'] * len(cell_list))})", cell_list
        else:
            cells = " OR ".join(f"{cell[0]} BETWEEN %s AND %s" for _ in self.cells)
            cell_params = [bound for pair in self.cells for bound in pair]
        lngs = " OR ".join(f"{lng[0]} BETWEEN %s AND %s" for _ in self.lng_ranges)
        sql = (
            f"({listed[0]} AND ({cells}) AND {lat[0]} BETWEEN %s AND %s AND ({lngs})"
            f" AND {rank[0]} <= %s)"
        )
        params = [
            *cell_params,
            self.lat_min,
            self.lat_max,
            *[bound for pair in self.lng_ranges for bound in pair],
            *rank[1],
            self.rank_max,
        ]
        return sql, params


def check_point(*, lat: float, lng: float) -> None:
    if not (isinstance(lat, int | float) and math.isfinite(lat) and -90 <= lat <= 90):
        raise InvalidSearch("lat", "Latitude must be a number from -90 to 90.")
    if not (isinstance(lng, int | float) and math.isfinite(lng) and -180 <= lng <= 180):
        raise InvalidSearch("lng", "Longitude must be a number from -180 to 180.")


def check_radius(radius_mi: float) -> float:
    limit = settings.SEARCH_MAX_RADIUS_MI
    if not (isinstance(radius_mi, int | float) and math.isfinite(radius_mi)):
        raise InvalidSearch("radius", "The radius must be a number.")
    if not 0 < radius_mi <= limit:
        raise InvalidSearch("radius", f"The radius must be more than 0 and at most {limit} miles.")
    return float(radius_mi)


def _term_exists(kind: str, slugs: tuple[str, ...]) -> Exists:
    # The term ids come from an uncorrelated subquery (evaluated once per search), so each
    # candidate costs one probe of the (service_id, term_id) index, not a join to terms.
    through = Service.terms.through
    term_ids = Term.objects.filter(kind=kind, slug__in=slugs).values("id")
    return Exists(through.objects.filter(service_id=OuterRef("service_id"), term_id__in=term_ids))


def apply_filters(
    qs: QuerySet, filters: Filters, *, now: datetime | None = None, copies: bool = False
) -> QuerySet:
    """Narrow ServiceAtLocation rows by everything but the place.

    With `copies`, service types are tested on the row's `search_types` copy (read from the
    radius search's covering index) instead of probing the links table per candidate.
    """
    if filters.services and copies:
        any_type = Q()
        for slug in filters.services:
            any_type |= Q(search_types__contains=f",{slug},")
        qs = qs.filter(any_type)
    elif filters.services:
        qs = qs.filter(_term_exists(Term.Kind.SERVICE_TYPE, filters.services))
    if filters.victimizations:
        qs = qs.filter(_term_exists(Term.Kind.VICTIMIZATION, filters.victimizations))
    if filters.populations:
        qs = qs.filter(_term_exists(Term.Kind.POPULATION, filters.populations))
    if filters.languages:
        through = Service.languages.through
        qs = qs.filter(
            Exists(
                through.objects.filter(
                    service_id=OuterRef("service_id"), language_id__in=filters.languages
                )
            )
        )
    if filters.accessibility:
        through = Location.accessibility.through
        qs = qs.filter(
            Exists(
                through.objects.filter(
                    location_id=OuterRef("location_id"),
                    term_id__in=Term.objects.filter(slug__in=filters.accessibility).values("id"),
                )
            )
        )
    if filters.costs:
        unknown = set(filters.costs) - set(Cost.values)
        if unknown:
            raise InvalidSearch("cost", f"Unknown cost: {', '.join(sorted(unknown))}.")
        qs = qs.filter(service__cost__in=filters.costs)
    for word in filters.text.split()[:8]:
        qs = qs.filter(
            Q(service__name__icontains=word)
            | Q(service__description__icontains=word)
            | Q(service__organization__name__icontains=word)
            | Q(location__name__icontains=word)
        )
    if filters.open_now:
        zones = Location.objects.values_list("timezone", flat=True).distinct()
        qs = qs.filter(open_now_q(timezones=list(zones), now=now or timezone.now()))
    return qs


def _base() -> QuerySet:
    return ServiceAtLocation.objects.listed().select_related(
        "service", "service__organization", "location"
    )


def nearby(
    *,
    lat: float,
    lng: float,
    radius_mi: float | None = None,
    filters: Filters = Filters(),
    now: datetime | None = None,
) -> QuerySet:
    """Physical locations within `radius_mi` of (lat, lng), nearest first, ties by id.

    Rows carry `exact_distance_mi` (internal) and `distance_mi` / `distance_km`
    (public: rounded up to a whole mile for confidential addresses).

    The box, the distance and the order read only ServiceAtLocation's search copies
    (`search_lat`, `search_lng`, `search_listed`, kept in step by providers.search_index)
    through one covering index; the full rows are loaded for the requested slice only.
    """
    check_point(lat=lat, lng=lng)
    radius_mi = check_radius(settings.SEARCH_DEFAULT_RADIUS_MI if radius_mi is None else radius_mi)
    qs = ServiceAtLocation.objects.select_related(
        "service", "service__organization", "location"
    ).filter(WithinRadius(lat=lat, lng=lng, radius_mi=radius_mi))
    qs = apply_filters(qs, filters, now=now, copies=True)
    qs = qs.annotate(
        search_rank=HaversineA("search_lat", "search_lng", lat=lat, lng=lng),
        # For callers that order or read values by distance; rows get it from Python.
        exact_distance_mi=HaversineMi("search_lat", "search_lng", lat=lat, lng=lng),
    ).order_by("search_rank", "id")
    qs._iterable_class = RankedIterable
    return qs


class RankedIterable(ModelIterable):
    """Rank on the index columns alone, then join the full rows of the slice only.

    Sorting every match together with its service, organization and location columns
    would read three wide rows per match. Instead the ranked slice is a subquery that
    reads the covering index, and only its rows (usually 20) are joined and loaded:
    `SELECT ... WHERE id IN (SELECT id ... ORDER BY rank LIMIT 20) ORDER BY rank`, one
    query as before. Distances are computed in Python, with the same floats as the SQL.
    """

    def __iter__(self):
        queryset = self.queryset
        rank = queryset.query.annotations["search_rank"]
        point = {"lat": rank.lat, "lng": rank.lng}
        rows = queryset.model._base_manager.using(queryset.db).filter(pk__in=queryset.values("pk"))
        rows.query.select_related = queryset.query.select_related
        rows.query.deferred_loading = queryset.query.deferred_loading
        rows = rows.annotate(search_rank=HaversineA("search_lat", "search_lng", **point))
        for row in ModelIterable(rows.order_by("search_rank", "pk"), self.chunked_fetch):
            rank_value = haversine_a(
                lat=row.search_lat, lng=row.search_lng, lat0=rank.lat, lng0=rank.lng
            )
            row.exact_distance_mi = a_to_mi(rank_value)
            yield row


def covers(service: Service, *, lat: float, lng: float, state: str) -> bool:
    """Whether a remote service's area includes the point (in `state`, when known)."""
    if service.service_area == ServiceArea.NATIONWIDE:
        return True
    if service.service_area == ServiceArea.STATES:
        return bool(state) and state.upper() in service.service_area_states
    if service.service_area == ServiceArea.RADIUS and service.service_area_radius_mi:
        if service.service_area_lat is None or service.service_area_lng is None:
            return False
        distance = haversine_mi(
            lat1=lat, lng1=lng, lat2=service.service_area_lat, lng2=service.service_area_lng
        )
        return distance <= service.service_area_radius_mi
    return False


_AREA_ORDER = {ServiceArea.RADIUS: 0, ServiceArea.STATES: 1, ServiceArea.NATIONWIDE: 2}


def covering(
    *,
    lat: float,
    lng: float,
    state: str = "",
    filters: Filters = Filters(),
    now: datetime | None = None,
    limit: int = 50,
) -> list[ServiceAtLocation]:
    """Remote services (phone, text, online) whose service area covers the point.

    Most local first (a radius, then a state list, then nationwide), then by name.
    """
    check_point(lat=lat, lng=lng)
    # Remote locations have no grid cell, and NULL cells come first in the search index:
    # the test reads a few index entries instead of scanning every listing.
    remote = _base().filter(search_cell__isnull=True, location__kind=LocationKind.REMOTE)
    qs = apply_filters(remote, filters, now=now)
    qs = qs.exclude(service__service_area=ServiceArea.LOCAL)
    found = [sal for sal in qs if covers(sal.service, lat=lat, lng=lng, state=state)]
    found.sort(
        key=lambda sal: (
            _AREA_ORDER.get(sal.service.service_area, 3),
            sal.service.organization.name.lower(),
            sal.service.name.lower(),
            str(sal.id),
        )
    )
    return found[:limit]


def listing(*, filters: Filters = Filters(), now: datetime | None = None) -> QuerySet:
    """Without a place: every listed service-at-location matching the filters, by name."""
    qs = apply_filters(_base(), filters, now=now)
    return qs.order_by("service__organization__name", "service__name", "id")


def search(
    *,
    lat: float | None = None,
    lng: float | None = None,
    radius_mi: float | None = None,
    state: str = "",
    filters: Filters = Filters(),
    now: datetime | None = None,
) -> Results:
    """Near a point: nearby physical locations plus remote services covering it.

    Without a point: the plain filtered listing, and no remote section.
    """
    if lat is None or lng is None:
        return Results(nearby=listing(filters=filters, now=now))
    radius_mi = check_radius(settings.SEARCH_DEFAULT_RADIUS_MI if radius_mi is None else radius_mi)
    return Results(
        nearby=nearby(lat=lat, lng=lng, radius_mi=radius_mi, filters=filters, now=now),
        remote=covering(lat=lat, lng=lng, state=state, filters=filters, now=now),
        lat=lat,
        lng=lng,
        radius_mi=radius_mi,
    )
