"""The rows of the radius search: the QuerySet `search.nearby()` returns, its ranked pages,
and the one query that loads a page's full rows.

`NearbyQuerySet` is an ordinary QuerySet (so django-filter, pagination, prefetch_related and
slicing work) that, while no caller has changed its filters or order, answers count() and
its rows with the statements of providers.search_sql instead of the ORM's. The page is
ranked within a smaller circle sized from the count (nearest rows first, so a page of 20 in
a dense city ranks a few dozen rows, not thousands) and widened until it holds the page.
docs/search.md has the design and the figures.
"""

import json
import math
import uuid
from typing import NamedTuple

import orjson
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.query import ModelIterable, get_related_populators

from providers import geometry
from providers.models import LocationKind, ServiceArea
from providers.search_sql import TABLE, Radius, compiled_where, types_sql

# The first ranking circle holds this many times the rows of the page, if the rows within
# the radius were spread evenly; a shortfall widens it (twice the radius, then the radius).
RANK_AREA_FACTOR = 2.0


def _remote_where(
    types: tuple[str, ...],
    others: QuerySet | None,
    *,
    using: str,
    lat: float | None = None,
    state: str = "",
):
    """Listed remote services (no latitude band: they come first in the search index) with
    a service area beyond their own locations, matching the filters: the FROM and WHERE of
    both remote queries, as (sql, params).

    `lat` and `state` (the searched point's latitude, and its state or "" when unknown) leave
    out the areas that cannot cover that point: a state list without its state, a circle
    whose centre is further north or south than its radius. A directory may list hundreds of
    statewide services; a search reads only its state's. `search.area_covers` still judges
    each one read."""
    tests, params = types_sql(types, using=using)
    if others is not None:
        others_sql, others_params = compiled_where(others, using=using)
        tests, params = f"{tests} AND {others_sql}", [*params, *others_params]
    if lat is not None:
        # The states as JSON text (SQLite keeps the text; jsonb prints '["NY", "TX"]'); a
        # state that is not letters matches no list ("-"), as area_covers finds none.
        # A circle is kept while its centre is no further north or south than its radius plus
        # slack. 68 miles to a degree of latitude understates the distance (haversine_mi's
        # sphere has 69.1, geometry.MI_PER_DEGREE), and area_covers judges the centre rounded
        # to a tenth of a degree (geometry.area_centre): a stored value written around save()
        # may lie 0.05 degrees from it, 3.4 miles at 68, within the 4 miles added.
        areas = (
            " AND (s.service_area = %s"
            " OR (s.service_area = %s AND CAST(s.service_area_states AS TEXT) LIKE %s)"
            " OR (s.service_area = %s AND ABS(s.service_area_lat - %s) * 68.0"
            " <= s.service_area_radius_mi + 4))"
        )
        tests += areas
        state_pattern = f'%"{state.upper()}"%' if state.isalpha() else "-"
        params = [
            *params,
            ServiceArea.NATIONWIDE,
            ServiceArea.STATES,
            state_pattern,
            ServiceArea.RADIUS,
            lat,
        ]
    sql = (
        f" FROM {TABLE}"
        f" JOIN providers_service s ON s.id = {TABLE}.service_id"
        f" JOIN providers_organization o ON o.id = s.organization_id"
        f" JOIN providers_location l ON l.id = {TABLE}.location_id"
        f" WHERE {TABLE}.search_listed = %s AND {TABLE}.search_band IS NULL"
        f" AND l.kind = %s AND s.service_area <> %s{tests}"
    )
    return sql, [True, LocationKind.REMOTE, ServiceArea.LOCAL, *params]


def remote_rows(
    queryset: QuerySet,
    types: tuple[str, ...],
    others: QuerySet | None,
    *,
    lat: float | None = None,
    state: str = "",
) -> list:
    """The remote services of `_remote_where` as full rows with the queryset's select_related
    rows: one query, compiled once (search.covering decides which cover the point)."""
    where, params = _remote_where(types, others, using=queryset.db, lat=lat, state=state)
    return RowLoader.get(queryset).load(f"SELECT {TABLE}.id{where}", params)


class RemoteCandidate(NamedTuple):
    """A remote service's row id, service area and names, as `search.covering_ids` needs."""

    id: uuid.UUID
    area: str
    states: list[str]
    area_lat: float | None
    area_lng: float | None
    area_radius_mi: float | None
    organization: str
    service: str

    @classmethod
    def of(cls, sal) -> "RemoteCandidate":
        """The same values read off a full row."""
        service = sal.service
        return cls(
            sal.id,
            service.service_area,
            service.service_area_states,
            service.service_area_lat,
            service.service_area_lng,
            service.service_area_radius_mi,
            service.organization.name,
            service.name,
        )


def remote_candidates(
    types: tuple[str, ...],
    others: QuerySet | None,
    *,
    using: str,
    lat: float | None = None,
    state: str = "",
) -> list[RemoteCandidate]:
    """The remote services of `_remote_where` as plain values: one query, no models."""
    where, params = _remote_where(types, others, using=using, lat=lat, state=state)
    sql = (
        f"SELECT {TABLE}.id, s.service_area, s.service_area_states, s.service_area_lat,"
        f" s.service_area_lng, s.service_area_radius_mi, o.name, s.name{where}"
    )
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        RemoteCandidate(
            as_uuid(pk),
            area,
            _json_list(states) if isinstance(states, str) else (states or []),
            *rest,
        )
        for pk, area, states, *rest in rows
    ]


def _json_list(text: str) -> list:
    """A JSON column's text as json.loads reads it, quickly (orjson; json for what it
    accepts beyond the standard)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def as_uuid(value) -> uuid.UUID:
    """A primary key as the cursor returns it (SQLite: 32 hex digits) as a UUID."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(value)


def db_ids(ids, *, using: str) -> list:
    """UUIDs as a raw statement's parameters: SQLite keeps them as 32 hex digits."""
    if connections[using].features.has_native_uuid_field:
        return list(ids)
    return [value.hex for value in ids]


class NearbyQuerySet(QuerySet):
    """ServiceAtLocation rows within a radius, nearest first (see the module docstring)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._radius: Radius | None = None
        self._shape = None
        self._known_count: int | None = None

    def _clone(self):
        clone = super()._clone()
        clone._radius, clone._shape, clone._known_count = (
            self._radius,
            self._shape,
            self._known_count,
        )
        return clone

    def with_radius(self, radius: Radius) -> "NearbyQuerySet":
        self._radius, self._shape = radius, self._query_shape()
        return self

    def _query_shape(self) -> tuple:
        """What a caller's filter(), exclude(), order_by(), values() ... would change."""
        query = self.query
        return (
            query.where.connector,
            query.where.negated,
            len(query.where.children),
            tuple(query.order_by),
            query.standard_ordering,
            tuple(query.annotations),
            query.distinct,
            query.combinator,
            bool(query.extra),
            self._iterable_class,
            self._fields,
        )

    def direct(self) -> Radius | None:
        """The radius to run directly, or None when the ORM's SQL must run instead."""
        if self._radius is None or self._query_shape() != self._shape:
            return None
        return self._radius

    def ranked(self) -> list[tuple[uuid.UUID, float]]:
        """(id, miles) of this slice's rows, nearest first, without loading them: what the
        search decides, for callers that need no more (and for bench/search.py)."""
        radius = self.direct()
        found = None
        if radius is not None:
            query = self.query
            found = ranked_ids(
                radius,
                low=query.low_mark,
                high=query.high_mark,
                known=self._known_count,
                using=self.db,
            )
        if found is None:
            return [(row.pk, row.exact_distance_mi) for row in self]
        return found

    def count(self) -> int:
        radius = self.direct()
        if self._result_cache is not None or radius is None:
            return super().count()
        total = count_rows(radius, using=self.db)
        if total is None:
            return super().count()
        self._known_count = total
        low, high = self.query.low_mark, self.query.high_mark
        return max(0, (total if high is None else min(total, high)) - low)


def count_rows(radius: Radius, *, using: str) -> int | None:
    """The listed rows within the radius matching its filters, by the direct count
    statement; None when the circle needs the ORM's box query instead."""
    statement = radius.count_statement(using=using)
    if statement is None:
        return None
    with connections[using].cursor() as cursor:
        cursor.execute(*statement)
        return cursor.fetchone()[0]


def ranked_ids(
    radius: Radius, *, low: int, high: int | None, known: int | None, using: str
) -> list[tuple[uuid.UUID, float]] | None:
    """(id, miles) of rows [low:high] within the radius, nearest first, ties by id, by the
    direct statements (`known`: the count, when counted); None when they cannot run."""
    if radius.spans(radius.radius_mi) is None:
        return None

    def run(sql, params):
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            return [(as_uuid(value), rank) for value, rank in cursor.fetchall()]

    found = ranked_slice(radius, run, low=low, high=high, known=known, using=using, ranks=True)
    return [(pk, geometry.a_to_mi(rank)) for pk, rank in found]


def count_and_ranked(
    radius: Radius, *, low: int, high: int, using: str
) -> tuple[int, list[tuple[uuid.UUID, float]]] | None:
    """`count_rows` and `ranked_ids` for rows [low:high] in one statement where they can
    (one round trip on PostgreSQL): the count, and the page ranked within a first circle
    of a quarter of the radius (no count to size it from yet); a circle that holds fewer
    rows than the page is widened as `ranked_ids` does, sized from the count. None when
    the direct statements cannot run."""
    if high <= low or radius.spans(radius.radius_mi) is None:
        return None
    reach = first_reach(radius, high=high, known=None)
    if radius.spans(reach) is None:
        return None
    statement = radius.count_and_rank_statement(reach, using=using, low=low, high=high)
    if statement is None:
        return None
    with connections[using].cursor() as cursor:
        cursor.execute(*statement)
        rows = cursor.fetchall()
    total, found = 0, []
    for value, rank in rows:
        if value is None:
            total = int(rank)
        else:
            found.append((rank, as_uuid(value)))
    if len(found) < min(high, total) - low and reach < radius.radius_mi:
        return total, ranked_ids(radius, low=low, high=high, known=total, using=using)
    found.sort()
    return total, [(pk, geometry.a_to_mi(rank)) for rank, pk in found]


def first_reach(radius: Radius, *, high: int | None, known: int | None) -> float:
    """The radius of the first ranking circle: for evenly spread rows it would hold
    RANK_AREA_FACTOR times the rows up to `high`; the whole radius without a slice or count."""
    if high is None or known == 0:
        return radius.radius_mi
    if known is None:
        return radius.radius_mi / 4
    return radius.radius_mi * math.sqrt(min(1.0, RANK_AREA_FACTOR * high / known))


def ranked_slice(
    radius: Radius,
    run,
    *,
    low: int,
    high: int | None,
    known: int | None,
    using: str,
    ranks: bool = False,
) -> list:
    """`run(sql, params)` on the ids of rows [low:high] ranked within a circle, first sized
    from the known count, widened until it holds the slice; returns what run returns."""
    if high is not None:
        high = high if known is None else min(high, known)
        if high <= low:
            return []
    reach = first_reach(radius, high=high, known=known)
    while True:
        sql, params = radius.rank_statement(reach, using=using, ranks=ranks, low=low, high=high)
        found = run(sql, params)
        if high is None or len(found) == high - low or reach >= radius.radius_mi:
            return found
        reach = min(radius.radius_mi, reach * 2)


class RankedIterable(ModelIterable):
    """The rows of a nearby() queryset, nearest first, ties by id, each with
    `exact_distance_mi`; ranked on the index copies, only the page's full rows loaded.

    Directly: `WHERE id IN (the page's ids ranked within a circle)`, one query, widened and
    run again only when the circle held fewer rows than the page needs. Otherwise (a caller
    filtered further): the ORM's ranked ids as a subquery, then the same load.
    """

    def __iter__(self):
        queryset = self.queryset
        radius = queryset.direct()
        if radius is None or radius.spans(radius.radius_mi) is None:
            rank = queryset.query.annotations["search_rank"]
            yield from self._load(queryset.values("pk"), point=(rank.lat, rank.lng))
            return
        point = (radius.lat, radius.lng)
        query = queryset.query
        yield from ranked_slice(
            radius,
            lambda sql, params: list(self._load(RawSQL(sql, params), point=point)),
            low=query.low_mark,
            high=query.high_mark,
            known=queryset._known_count,
            using=queryset.db,
        )

    def _load(self, ids, *, point: tuple[float, float]):
        """The full rows whose ids the subquery `ids` (RawSQL or a values("pk") queryset)
        selects, with their select_related rows, sorted by distance from `point`."""
        queryset = self.queryset
        if isinstance(ids, RawSQL):
            ids_sql, ids_params = ids.sql, ids.params
        else:
            try:
                ids_sql, ids_params = ids.query.get_compiler(using=queryset.db).as_sql()
            except EmptyResultSet:  # an empty slice ([0:0]) or an impossible filter
                return
        found = []
        # Ranked as the statements rank them (PostgreSQL's count tiny differences as none).
        tiny_is_zero = connections[queryset.db].vendor == "postgresql"
        for row in RowLoader.get(queryset).load(ids_sql, ids_params):
            rank = geometry.haversine_a(
                lat=row.search_lat,
                lng=row.search_lng,
                lat0=point[0],
                lng0=point[1],
                tiny_is_zero=tiny_is_zero,
            )
            row.exact_distance_mi = geometry.a_to_mi(rank)
            found.append((rank, row.pk, row))
        found.sort(key=lambda item: (item[0], item[1]))
        for _, _, row in found:
            yield row


class RowLoader:
    """`SELECT <the row and its select_related rows> WHERE id IN (<subquery>)`, compiled
    once per connection and shape and reused with each page's subquery: what ModelIterable
    does, without compiling the same join for every page (half the cost of a page here).
    """

    MARK = "__ranked_ids__"

    @classmethod
    def get(cls, queryset: QuerySet) -> "RowLoader":
        query = queryset.query
        key = (queryset.model, repr(query.select_related), query.deferred_loading)
        # Per connection (so per thread): the converters are bound to its operations.
        cache = connections[queryset.db].__dict__.setdefault("_search_row_loaders", {})
        if key not in cache:
            cache[key] = cls(queryset)
        return cache[key]

    def __init__(self, queryset: QuerySet) -> None:
        self.db = queryset.db
        rows = queryset.model._base_manager.using(self.db).filter(pk__in=RawSQL(self.MARK, []))
        rows = rows.order_by()
        rows.query.select_related = queryset.query.select_related
        rows.query.deferred_loading = queryset.query.deferred_loading
        compiler = rows.query.get_compiler(using=self.db)
        self.sql, params = compiler.as_sql()
        if params or self.sql.count(self.MARK) != 1:  # pragma: no cover - a join with params
            raise ValueError("the row query must hold only the ids subquery")
        self.compiler = compiler
        select, klass_info = compiler.select, compiler.klass_info
        self.converters = compiler.get_converters([column for column, _, _ in select])
        self.model = klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [column.target.attname for column, _, _ in select[self.start : self.end]]
        self.populators = get_related_populators(klass_info, select, self.db)

    def load(self, ids_sql: str, ids_params) -> list:
        with connections[self.db].cursor() as cursor:
            cursor.execute(self.sql.replace(self.MARK, ids_sql), list(ids_params))
            rows = cursor.fetchall()
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        found = []
        for row in rows:
            instance = self.model.from_db(self.db, self.init_list, row[self.start : self.end])
            for populator in self.populators:
                populator.populate(row, instance)
            found.append(instance)
        return found
