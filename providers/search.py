"""The one search: providers near a point, nearest first, with the filters people need.

Pages and the API both call `search()` (or `nearby()` / `covering()` / `listing()`).
It takes plain values, never a request, and never calls the network. The distance is
haversine on a sphere computed in SQL after an indexed bounding-box prefilter; on the
scale of ZIP centroids the sphere's 0.4 % error does not matter. The radius search reads
ServiceAtLocation's search copies through one covering index (providers/search_index.py)
and joins the full rows of the requested page only (docs/search.md has the design and
the benchmark figures).
"""

import functools
import math
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime

from django.conf import settings
from django.db import router
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.sql import AND
from django.utils import timezone

from providers.geometry import (  # noqa: F401 - the search's geometry, for its callers
    EARTH_RADIUS_MI,
    KM_PER_MI,
    a_to_mi,
    area_centre,
    band,
    bounding_box,
    haversine_a,
    haversine_mi,
    km_to_mi,
    mi_to_a,
    spans,
)
from providers.hours import open_now_q
from providers.models import (
    Cost,
    Location,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Term,
)
from providers.search_rows import (
    NearbyQuerySet,
    RankedIterable,
    RemoteCandidate,
    count_and_ranked,
    count_rows,
    ranked_ids,
    remote_candidates,
    remote_rows,
)
from providers.search_sql import HaversineA, HaversineMi, Radius, WithinRadius


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
    """What search() found: physical locations within the radius, nearest first, and
    remote services covering the point; without a point, the filtered listing by name.

    Each part is looked up when first read, and only then: `count()` and `ranked()` (or
    both at once, `count_and_ranked()`) answer a page with ids and distances from the
    search's own statements, without building the ORM query, and `remote_ids` the remote
    services' ids (the results page, the advocates' search and API v1 build listings from
    them, through `RankedIds`); `nearby` is the QuerySet and `remote` the model rows, for a
    caller that filters further or wants models (the HSDS feed).
    """

    lat: float | None = None
    lng: float | None = None
    radius_mi: float | None = None
    state: str = ""
    filters: Filters = field(default_factory=Filters)
    now: datetime | None = None
    radius: Radius | None = None  # the checked radius search (None without a point)
    words_limit: int | None = None  # the most listings a search with words may reach
    _count: int | None = field(default=None, repr=False)
    _words_checked: bool = field(default=False, repr=False)

    @functools.cached_property
    def nearby(self) -> QuerySet:
        if self.radius is None:
            return listing(filters=self.filters, now=self.now)
        return nearby_rows(self.radius)

    def check_words_reach(self) -> None:
        """Refuse a search with words that would test them on more than `words_limit`
        listings (the API gives SEARCH_WORDS_MAX_LISTINGS for an anonymous client; None:
        no limit). Each listing's words are read by joining four tables (about 15
        microseconds a listing on SQLite, 35 on PostgreSQL): unbounded, one anonymous
        request near New York or with no place at 100k listings held the database for half
        a second or more. The reach is counted from the search copies (the place and the
        service types) before any listing's words are read."""
        if not self.filters.text or self.words_limit is None or self._words_checked:
            return
        limit = self.words_limit
        # What the search's statements visit: the place and the service types, read from the
        # search copies. The other filters are tested together with the words, per listing
        # (one EXISTS), so they narrow the answer, not the work.
        visited = search(
            lat=self.lat,
            lng=self.lng,
            radius_mi=self.radius_mi,
            state=self.state,
            filters=Filters(services=self.filters.services),
            now=self.now,
        )
        reach = visited.count()
        if reach > limit:
            listings = "listing" if limit == 1 else "listings"
            if self.radius is None:
                verb = "matches" if reach == 1 else "match"
                where = f"{reach:,} {verb}. Give a place, or choose a kind of help"
            else:
                # No distance named: the client may have asked in km, or for a tenth of a mile.
                verb = "is" if reach == 1 else "are"
                where = (
                    f"{reach:,} {verb} within the distance searched. Choose a shorter"
                    " distance or a kind of help"
                )
            raise InvalidSearch(
                "q",
                f"Words are searched for in at most {limit:,} {listings}, and {where},"
                " or search without words.",
            )
        self._words_checked = True

    def count(self) -> int:
        """How many rows `nearby` holds."""
        self.check_words_reach()
        if self._count is None:
            total = None
            if self.radius is not None:
                total = count_rows(self.radius, using=_reading())
            self._count = self.nearby.count() if total is None else total
        return self._count

    def ranked(self, low: int, high: int | None) -> list[tuple[uuid.UUID, float | None]]:
        """(id, exact miles) of rows [low:high] of `nearby`, in its order, without loading
        them (the miles are None in a listing)."""
        self.check_words_reach()
        found = None
        if self.radius is not None:
            found = ranked_ids(self.radius, low=low, high=high, known=self._count, using=_reading())
        if found is not None:
            return found
        page = self.nearby[low:high]
        if isinstance(page, NearbyQuerySet):
            return page.ranked()
        return [(pk, None) for pk in page.values_list("pk", flat=True)]

    def count_and_ranked(self, low: int, high: int) -> tuple[int, list]:
        """`count()` and `ranked(low, high)` together: one statement where the direct
        statements run (a paginator's count, then its page, in one round trip)."""
        self.check_words_reach()
        if self._count is None and self.radius is not None:
            found = count_and_ranked(self.radius, low=low, high=high, using=_reading())
            if found is not None:
                self._count = found[0]
                return found
        return self.count(), self.ranked(low, high)

    def _remote_arguments(self) -> dict:
        return {
            "lat": self.lat,
            "lng": self.lng,
            "state": self.state,
            "filters": self.filters,
            "now": self.now,
        }

    @functools.cached_property
    def remote(self) -> list[ServiceAtLocation]:
        return [] if self.radius is None else covering(**self._remote_arguments())

    @functools.cached_property
    def remote_ids(self) -> list[uuid.UUID]:
        return [] if self.radius is None else covering_ids(**self._remote_arguments())


class RankedIds:
    """A search's nearby listings as a Paginator pages them: `Results`' count, then the
    (id, miles) pairs of the requested slice, in order, without loading the rows (the one
    builder, providers/listings.py, makes the listings). Told the page first (`expect`), it
    reads the count and that page in one statement, and serves any slice within it."""

    def __init__(self, results: Results) -> None:
        self.results = results
        self._expected: tuple[int, int] | None = None
        self._page: list | None = None

    def expect(self, low: int, high: int) -> None:
        self._expected = (low, high)

    def count(self) -> int:
        if self._expected is not None and self._page is None:
            total, self._page = self.results.count_and_ranked(*self._expected)
            return total
        return self.results.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> list:
        low = item.start or 0
        if self._page is not None:
            first, last = self._expected
            if first <= low and item.stop <= last:  # the last page ends at the count
                return self._page[low - first : item.stop - first]
        return self.results.ranked(low, item.stop)


def _reading() -> str:
    """The database alias searches read from (a replica when the router picks one)."""
    return router.db_for_read(ServiceAtLocation)


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


def types_q(slugs: tuple[str, ...]) -> Q:
    """Any of the service types, tested on the search index's copy of them."""
    any_type = Q()
    for slug in slugs:
        any_type |= Q(search_types__contains=f",{slug},")
    return any_type


def apply_filters(
    qs: QuerySet, filters: Filters, *, now: datetime | None = None, copies: bool = False
) -> QuerySet:
    """Narrow ServiceAtLocation rows by everything but the place.

    With `copies`, service types are tested on the row's `search_types` copy (read from the
    radius search's covering index) instead of probing the links table per candidate.
    """
    if filters.services and copies:
        qs = qs.filter(types_q(filters.services))
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
        # No ordering: the model's (name, id) would make DISTINCT read every location.
        zones = Location.objects.order_by().values_list("timezone", flat=True).distinct()
        qs = qs.filter(open_now_q(timezones=list(zones), now=now or timezone.now()))
    return qs


def row_filters(filters: Filters, *, now: datetime | None = None) -> QuerySet:
    """ServiceAtLocation rows matching `filters`, as a queryset whose WHERE reads only the
    row itself: the conditions, or one EXISTS on the same row when they need a join.

    Filters made only of vocabulary choices are built once and reused (never evaluated,
    only combined and compiled). "Open now" depends on the time, and typed words are not
    kept in memory beyond the request, so those are built each time."""
    if filters.open_now or filters.text:
        return _row_filters(filters, now=now)
    return _cached_row_filters(filters)


def _row_filters(filters: Filters, *, now: datetime | None = None) -> QuerySet:
    rows = apply_filters(ServiceAtLocation.objects.all(), filters, now=now)
    joined = [alias for alias, refs in rows.query.alias_refcount.items() if refs]
    if len(joined) > 1:
        rows = ServiceAtLocation.objects.filter(Exists(rows.filter(pk=OuterRef("pk"))))
    return rows


@functools.lru_cache(maxsize=256)
def _cached_row_filters(filters: Filters) -> QuerySet:
    return _row_filters(filters)


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

    The place, the service types, the count and the order read only ServiceAtLocation's
    search copies (kept in step by providers.search_index) through one covering index, and
    the full rows are loaded for the requested slice only (providers.search_rows).
    """
    radius = within(lat=lat, lng=lng, radius_mi=radius_mi, filters=filters, now=now)
    return nearby_rows(radius)


def nearby_rows(radius: Radius) -> QuerySet:
    """nearby()'s QuerySet for a radius search `within()` checked."""
    lat, lng, radius_mi = radius.lat, radius.lng, radius.radius_mi
    # The ORM query (for callers that filter further) is built in place: a chain of
    # filter()/annotate() calls copied the query five times, a third of a search's Python.
    qs = NearbyQuerySet(model=ServiceAtLocation)
    query = qs.query
    query.add_select_related(["service", "service__organization", "location"])
    query.add_q(Q(WithinRadius(lat=lat, lng=lng, radius_mi=radius_mi)))
    if radius.types:
        query.add_q(types_q(radius.types))
    if radius.others is not None:
        query.combine(radius.others.query, AND)
    query.add_annotation(HaversineA("search_lat", "search_lng", lat=lat, lng=lng), "search_rank")
    # For callers that order or read values by distance; rows get it from Python.
    query.add_annotation(
        HaversineMi("search_lat", "search_lng", lat=lat, lng=lng), "exact_distance_mi"
    )
    query.add_ordering("search_rank", "id")
    qs._iterable_class = RankedIterable
    return qs.with_radius(radius)


def within(
    *,
    lat: float,
    lng: float,
    radius_mi: float | None = None,
    filters: Filters = Filters(),
    now: datetime | None = None,
) -> Radius:
    """The checked place, radius and filters as the direct statements take them."""
    check_point(lat=lat, lng=lng)
    radius_mi = check_radius(settings.SEARCH_DEFAULT_RADIUS_MI if radius_mi is None else radius_mi)
    others = _other_filters(filters, now)
    return Radius(lat=lat, lng=lng, radius_mi=radius_mi, types=filters.services, others=others)


def area_covers(area: RemoteCandidate, *, lat: float, lng: float, state: str) -> bool:
    """Whether a remote service's area includes the point (in `state`, when known)."""
    if area.area == ServiceArea.NATIONWIDE:
        return True
    if area.area == ServiceArea.STATES:
        return bool(state) and state.upper() in (area.states or ())
    if area.area == ServiceArea.RADIUS and area.area_radius_mi:
        if area.area_lat is None or area.area_lng is None:
            return False
        # The kept centre, even for a value written around save() (raw SQL, .update()).
        centre = area_centre(area.area_lat), area_centre(area.area_lng)
        distance = haversine_mi(lat1=lat, lng1=lng, lat2=centre[0], lng2=centre[1])
        return distance <= area.area_radius_mi
    return False


_AREA_ORDER = {ServiceArea.RADIUS: 0, ServiceArea.STATES: 1, ServiceArea.NATIONWIDE: 2}

# The remote services the results page and an API page show before "all" (remote=all), the
# most local areas first: dozens of cards under the local ones would make a phone scroll past
# them all, and the national hotlines are in every page's footer anyway.
REMOTE_FIRST = 5


def _other_filters(filters: Filters, now: datetime | None) -> QuerySet | None:
    """The filters beyond place and service type as conditions on the row (or one EXISTS
    on it when they need a join), which the direct statements embed as they are; None
    without any."""
    if replace(filters, services=()) == Filters():
        return None
    return row_filters(replace(filters, services=()), now=now)


def _covering(
    candidates: list[RemoteCandidate], *, lat: float, lng: float, state: str, limit: int
) -> list[RemoteCandidate]:
    """The candidates whose area covers the point: most local first (a radius, then a
    state list, then nationwide), then by organization and service name."""
    found = [area for area in candidates if area_covers(area, lat=lat, lng=lng, state=state)]
    found.sort(
        key=lambda area: (
            _AREA_ORDER.get(area.area, 3),
            area.organization.lower(),
            area.service.lower(),
            str(area.id),
        )
    )
    return found[:limit]


def covering(
    *,
    lat: float,
    lng: float,
    state: str = "",
    filters: Filters = Filters(),
    now: datetime | None = None,
    limit: int = 50,
) -> list[ServiceAtLocation]:
    """Remote services (phone, text, online) whose service area covers the point, as full
    rows: most local first (a radius, then a state list, then nationwide), then by name."""
    check_point(lat=lat, lng=lng)
    rows = {
        sal.id: sal
        for sal in remote_rows(
            _base(), filters.services, _other_filters(filters, now), lat=lat, state=state
        )
    }
    candidates = [RemoteCandidate.of(sal) for sal in rows.values()]
    chosen = _covering(candidates, lat=lat, lng=lng, state=state, limit=limit)
    return [rows[area.id] for area in chosen]


def covering_ids(
    *,
    lat: float,
    lng: float,
    state: str = "",
    filters: Filters = Filters(),
    now: datetime | None = None,
    limit: int = 50,
) -> list[uuid.UUID]:
    """The ids of `covering()`'s rows, in its order, read as plain values (no models)."""
    check_point(lat=lat, lng=lng)
    others = _other_filters(filters, now)
    candidates = remote_candidates(filters.services, others, using=_reading(), lat=lat, state=state)
    return [area.id for area in _covering(candidates, lat=lat, lng=lng, state=state, limit=limit)]


def listing(*, filters: Filters = Filters(), now: datetime | None = None) -> QuerySet:
    """Without a place: every listed service-at-location matching the filters, by name.

    Listed-ness and service types are read from the search copies (no join for the count,
    no probe of the links table per row: a need over 100k listings took 147 ms that way, 33
    ms on the copy), and the order walks organizations by their name index.
    """
    qs = ServiceAtLocation.objects.filter(search_listed=True).select_related(
        "service", "service__organization", "location"
    )
    qs = apply_filters(qs, filters, now=now, copies=True)
    return qs.order_by("service__organization__name", "service__name", "id")


def search(
    *,
    lat: float | None = None,
    lng: float | None = None,
    radius_mi: float | None = None,
    state: str = "",
    filters: Filters = Filters(),
    now: datetime | None = None,
    words_limit: int | None = None,
) -> Results:
    """Near a point: nearby physical locations plus remote services covering it.

    Without a point: the plain filtered listing, and no remote section. With words
    (`filters.text`) and a `words_limit`, reading the results refuses a search that would
    test the words on more listings than that (`Results.check_words_reach`).
    """
    if lat is None or lng is None:
        return Results(filters=filters, now=now, words_limit=words_limit)
    radius = within(lat=lat, lng=lng, radius_mi=radius_mi, filters=filters, now=now)
    return Results(
        lat=radius.lat,
        lng=radius.lng,
        radius_mi=radius.radius_mi,
        state=state,
        filters=filters,
        now=now,
        radius=radius,
        words_limit=words_limit,
    )
