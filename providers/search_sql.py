"""The SQL of the radius search, on ServiceAtLocation's search copies.

The copies (providers/search_index.py keeps them in step) sit in one covering index:
(search_listed, search_band, search_lng, search_lat, search_types, service, id). A circle
becomes a few dozen index ranges, one per latitude band it touches (`geometry.spans`), each
one index seek. Rows in the part of a range wholly inside the circle are counted without a
distance; only rows near the edge compute the haversine. providers.search_rows runs these
statements (docs/search.md has the design and the figures).
"""

import math
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import BooleanField, F, FloatField, Func, QuerySet

from providers import geometry
from providers.geometry import DEGREE, EARTH_RADIUS_MI, HALF_DEGREE, TINY_DEGREES

TABLE = '"providers_serviceatlocation"'
MAX_BANDS = 240  # about 830 miles of latitude: wider circles scan a box instead


def array_literal(values: Iterable[int | float | uuid.UUID | str]) -> str:
    """Numbers or UUIDs as one PostgreSQL array literal ('{1,2.5}'), a statement's single
    text parameter (cast in the SQL: `%s::integer[]`). psycopg dumps a Python list element
    by element in Python, which cost more than running the search's statement; a float's
    repr reads back as the same double."""
    values = list(values)
    kinds = set(map(type, values))
    if kinds <= {int, float}:
        items = map(repr, values)
    elif kinds <= {uuid.UUID, str}:
        items = (uuid.UUID(value).hex if type(value) is str else value.hex for value in values)
    else:
        raise TypeError(f"not numbers or UUIDs: {sorted(kind.__name__ for kind in kinds)}")
    return "{" + ",".join(items) + "}"


def haversine_sql(lat_sql: str, lng_sql: str, *, lat: float, lng: float, vendor: str):
    """`geometry.haversine_a` from (lat, lng) to the columns, as (sql, params)."""
    dlat, dlat_params = f"({lat_sql} - %s)", [lat]
    dlng, dlng_params = f"({lng_sql} - %s)", [lng]
    row_lat = lat_sql
    if vendor == "postgresql":
        # PostgreSQL raises "value out of range: underflow" where a product of non-zero
        # numbers is 0 (SQLite and Python give 0): a difference, or a row's latitude, under
        # geometry.TINY_DEGREES counts as 0 (the cosine of either is 1 all the same), and
        # haversine_a(tiny_is_zero=True) ranks its rows in Python the same way.
        tiny = f"{TINY_DEGREES:g}"
        dlat, dlat_params = f"(CASE WHEN ABS({dlat}) < {tiny} THEN 0 ELSE {dlat} END)", [lat] * 2
        dlng, dlng_params = f"(CASE WHEN ABS({dlng}) < {tiny} THEN 0 ELSE {dlng} END)", [lng] * 2
        row_lat = f"(CASE WHEN ABS({lat_sql}) < {tiny} THEN 0 ELSE {lat_sql} END)"
    sql = f"(POWER(SIN({dlat} * %s), 2) + COS({row_lat} * %s) * %s * POWER(SIN({dlng} * %s), 2))"
    params = [*dlat_params, HALF_DEGREE, DEGREE, math.cos(lat * DEGREE), *dlng_params, HALF_DEGREE]
    return sql, params


class HaversineA(Func):
    """`geometry.haversine_a` from (lat, lng) to the row's coordinates, with parameters
    (coordinates never pasted into SQL text: "--73.9" is a comment)."""

    output_field = FloatField()

    def __init__(self, lat_field: str, lng_field: str, *, lat: float, lng: float) -> None:
        super().__init__(F(lat_field), F(lng_field))
        self.lat, self.lng = lat, lng

    def as_sql(self, compiler, connection, **extra_context):
        lat_sql, lat_params = compiler.compile(self.source_expressions[0])
        lng_sql, lng_params = compiler.compile(self.source_expressions[1])
        if lat_params or lng_params:  # pragma: no cover - plain columns have none
            raise ValueError("HaversineA takes columns")
        return haversine_sql(lat_sql, lng_sql, lat=self.lat, lng=self.lng, vendor=connection.vendor)


class HaversineMi(HaversineA):
    """Miles from (lat, lng) to the row's coordinates, as one SQL expression."""

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = super().as_sql(compiler, connection, **extra_context)
        return f"(2 * %s * ASIN(SQRT({sql})))", [EARTH_RADIUS_MI, *params]


class WithinRadius(Func):
    """The place test as one ORM condition, for a nearby() queryset that a caller filtered
    further: listed, in the bands of the bounding box, in the box, and haversine_a <=
    sin²(r / 2R) (the circle, without ASIN and SQRT per candidate)."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, *, lat: float, lng: float, radius_mi: float) -> None:
        super().__init__(F("search_listed"), F("search_band"), F("search_lat"), F("search_lng"))
        self.lat, self.lng = lat, lng
        self.lat_min, self.lat_max, self.lng_ranges = geometry.bounding_box(
            lat=lat, lng=lng, radius_mi=radius_mi
        )
        self.rank_max = geometry.mi_to_a(radius_mi)

    def as_sql(self, compiler, connection, **extra_context):
        listed, band, lat, lng = (
            compiler.compile(expression)[0] for expression in self.source_expressions
        )
        # "listed = true", not a bare column: the index's leading column needs an equality.
        first = geometry.band(max(self.lat_min, -90.0))
        last = geometry.band(min(self.lat_max, 90.0))
        if last - first < MAX_BANDS:  # a list keeps both index columns in use
            bands = list(range(first, last + 1))
            band_sql = f"{band} IN ({', '.join(['%s'] * len(bands))})"
        else:
            bands, band_sql = [first, last], f"{band} BETWEEN %s AND %s"
        lngs = " OR ".join(f"{lng} BETWEEN %s AND %s" for _ in self.lng_ranges)
        rank, rank_params = haversine_sql(
            lat, lng, lat=self.lat, lng=self.lng, vendor=connection.vendor
        )
        sql = (
            f"({listed} = %s AND {band_sql} AND ({lngs})"
            f" AND {lat} BETWEEN %s AND %s AND {rank} <= %s)"
        )
        params = [
            True,
            *bands,
            *[bound for pair in self.lng_ranges for bound in pair],
            self.lat_min,
            self.lat_max,
            *rank_params,
            self.rank_max,
        ]
        return sql, params


@dataclass(frozen=True)
class Radius:
    """What nearby() asked for, for the direct statements: the point, the radius, the
    service-type slugs (tested on the index's copy), and the other filters as a queryset
    whose WHERE needs no join (compiled per database when used; None without them)."""

    lat: float
    lng: float
    radius_mi: float
    types: tuple[str, ...]
    others: QuerySet | None
    _spans: dict = field(default_factory=dict, compare=False, repr=False)

    def spans(self, radius_mi: float) -> list[geometry.Span] | None:
        if radius_mi not in self._spans:
            self._spans[radius_mi] = geometry.spans(
                lat=self.lat, lng=self.lng, radius_mi=radius_mi, max_bands=MAX_BANDS
            )
        return self._spans[radius_mi]

    def rank_sql(self, *, using: str):
        return haversine_sql(
            f"{TABLE}.search_lat",
            f"{TABLE}.search_lng",
            lat=self.lat,
            lng=self.lng,
            vendor=connections[using].vendor,
        )

    def count_statement(self, *, using: str):
        """(sql, params) counting the rows within the radius; None when the circle reaches a
        pole or spans too many bands (the ORM's box query counts instead).

        Rows in a span's inner range skip the distance test. Each range is counted by a
        correlated subquery: on SQLite over a VALUES list of three ranges a band (as a
        join, SQLite with ANALYZE statistics picked a Bloom filter and left the covering
        index, ten times slower); on PostgreSQL over arrays of the spans, one range a band
        whose rows outside the inner range are tested (a third of the index seeks, measured
        faster on PostgreSQL only: SQLite keeps the shape measured for it).
        """
        found = self.spans(self.radius_mi)
        if found is None:
            return None
        rank, rank_params = self.rank_sql(using=using)
        tests, tests_params = self.tests_sql(using=using)
        in_range = (
            f"{TABLE}.search_listed = %s AND {TABLE}.search_band = spans.band"
            f" AND {TABLE}.search_lng BETWEEN spans.lng_min AND spans.lng_max{tests}"
        )
        count_params = [True, *tests_params, *rank_params, geometry.mi_to_a(self.radius_mi)]
        if connections[using].vendor == "postgresql":
            # The spans as five arrays: the same SQL text for every circle (psycopg
            # prepares it once per connection) and five parameters instead of ~190.
            count = (
                f"(SELECT COUNT(*) FROM {TABLE} WHERE {in_range} AND ({TABLE}.search_lng"
                f" BETWEEN spans.inner_min AND spans.inner_max OR {rank} <= %s))"
            )
            sql = (
                f"SELECT CAST(COALESCE(SUM({count}), 0) AS integer) FROM unnest("
                "%s::integer[], %s::double precision[], %s::double precision[],"
                " %s::double precision[], %s::double precision[])"
                " AS spans(band, lng_min, lng_max, inner_min, inner_max)"
            )
            arrays = _span_arrays(found, "band", "lng_min", "lng_max", "inner_min", "inner_max")
            return sql, [*count_params, *arrays]
        values: list = []
        for span in found:
            if span.inner_min <= span.inner_max:
                # Three ranges: the inside (no distance test) and the two edges (tested).
                values += [span.band, span.lng_min, math.nextafter(span.inner_min, -math.inf), 1]
                values += [span.band, span.inner_min, span.inner_max, 0]
                values += [span.band, math.nextafter(span.inner_max, math.inf), span.lng_max, 1]
            else:
                values += [span.band, span.lng_min, span.lng_max, 1]
        count = (
            f"(SELECT COUNT(*) FROM {TABLE} WHERE {in_range} AND (spans.exact = 0 OR {rank} <= %s))"
        )
        first = "(CAST(%s AS integer), CAST(%s AS REAL), CAST(%s AS REAL), CAST(%s AS integer))"
        rows = ", ".join([first] + ["(%s, %s, %s, %s)"] * (len(values) // 4 - 1))
        sql = (
            f"WITH spans(band, lng_min, lng_max, exact) AS (VALUES {rows})"
            f" SELECT CAST(COALESCE(SUM({count}), 0) AS integer) FROM spans"
        )
        return sql, [*values, *count_params]

    def rank_statement(self, radius_mi: float, *, using: str, ranks: bool, low: int, high):
        """(sql, params) selecting the ids (with their haversine_a when `ranks`) of rows
        [low:high] within `radius_mi`, nearest first, ties by id.

        One SELECT per span, joined by UNION ALL (as a join with a VALUES list, SQLite can
        leave the covering index: see count_statement); spans are at most 2 * MAX_BANDS,
        within SQLite's 500-term limit on compound SELECTs.
        """
        rank, rank_params = self.rank_sql(using=using)
        tests, tests_params = self.tests_sql(using=using)
        a_max = geometry.mi_to_a(radius_mi)
        found = self.spans(radius_mi)
        select = "ranked.id, ranked.rank" if ranks else "ranked.id"
        postgresql = connections[using].vendor == "postgresql"
        # PostgreSQL: the spans as three arrays, one index seek each (a nested loop over
        # unnest), so the SQL text is the same for every circle and prepared once.
        band, lng_min, lng_max = (
            ("spans.band", "spans.lng_min", "spans.lng_max") if postgresql else ("%s",) * 3
        )
        term = (
            f"SELECT {TABLE}.id AS id, {rank} AS rank FROM {TABLE}"
            f" WHERE {TABLE}.search_listed = %s AND {TABLE}.search_band = {band}"
            f" AND {TABLE}.search_lng BETWEEN {lng_min} AND {lng_max}{tests} AND {rank} <= %s"
        )
        if postgresql:
            sql = (
                f"SELECT {select} FROM unnest("
                "%s::integer[], %s::double precision[], %s::double precision[])"
                f" AS spans(band, lng_min, lng_max) CROSS JOIN LATERAL ({term}) AS ranked"
                " ORDER BY ranked.rank, ranked.id"
            )
            params = _span_arrays(found, "band", "lng_min", "lng_max")
            params += [*rank_params, True, *tests_params, *rank_params, a_max]
        else:
            params = []
            for span in found:
                params += [*rank_params, True, span.band, span.lng_min, span.lng_max]
                params += [*tests_params, *rank_params, a_max]
            sql = (
                f"SELECT {select} FROM ({' UNION ALL '.join([term] * len(found))}) AS ranked"
                " ORDER BY ranked.rank, ranked.id"
            )
        if high is not None:
            sql += " LIMIT %s OFFSET %s"
            params += [high - low, low]
        elif low:
            sql += " LIMIT -1 OFFSET %s" if connections[using].vendor == "sqlite" else " OFFSET %s"
            params += [low]
        return sql, params

    def count_and_rank_statement(self, radius_mi: float, *, using: str, low: int, high: int):
        """(sql, params) of count_statement and rank_statement (with ranks) as one statement:
        a row (NULL, the count), then the rows [low:high] within `radius_mi` (id, rank), in
        no particular order. None where count_statement is None."""
        count = self.count_statement(using=using)
        if count is None:
            return None
        count_sql, count_params = count
        rank_sql, rank_params = self.rank_statement(
            radius_mi, using=using, ranks=True, low=low, high=high
        )
        if connections[using].vendor == "postgresql":
            sql = (
                f"SELECT CAST(NULL AS uuid), CAST(({count_sql}) AS double precision)"
                f" UNION ALL ({rank_sql})"
            )
            return sql, [*count_params, *rank_params]
        # SQLite: the count's WITH leads the compound; a LIMIT needs its own SELECT.
        with_sql, count_select = count_sql.split(" SELECT ", 1)
        sql = (
            f"{with_sql} SELECT NULL, ({'SELECT ' + count_select})"
            f" UNION ALL SELECT * FROM ({rank_sql})"
        )
        return sql, [*count_params, *rank_params]

    def tests_sql(self, *, using: str) -> tuple[str, list]:
        """ " AND <service types> AND <other filters>" on the row, before the distance."""
        sql, params = types_sql(self.types, using=using)
        others_sql, others_params = self.others_sql(using=using)
        if others_sql:
            sql, params = f"{sql} AND {others_sql}", [*params, *others_params]
        return sql, params

    def others_sql(self, *, using: str) -> tuple[str, list]:
        """The filters beyond place and service type as SQL on the row, compiled once per
        database and queryset (search.row_filters reuses the queryset for equal filters)."""
        if self.others is None:
            return "", []
        return compiled_where(self.others, using=using)


def _span_arrays(spans: list[geometry.Span], *names: str) -> list[str]:
    """The spans' fields `names`, each one array literal (PostgreSQL's statements)."""
    return [array_literal(getattr(span, name) for span in spans) for name in names]


def compiled_where(queryset: QuerySet, *, using: str) -> tuple[str, list]:
    """The WHERE of a ServiceAtLocation queryset that needs no join, as SQL on the
    unaliased table, compiled once per database and kept on the (reused) queryset."""
    compiled = queryset.__dict__.setdefault("_compiled_where", {})
    if using not in compiled:
        query = queryset.query
        sql, params = query.get_compiler(using=using).compile(query.where)
        compiled[using] = (sql, list(params))
    return compiled[using]


def types_sql(types: tuple[str, ...], *, using: str) -> tuple[str, list]:
    """ " AND (any of the service types)" tested on the row's copy of them."""
    if not types:
        return "", []
    position = "strpos" if connections[using].vendor == "postgresql" else "instr"
    tests = " OR ".join(f"{position}({TABLE}.search_types, %s) > 0" for _ in types)
    return f" AND ({tests})", [f",{slug}," for slug in types]
