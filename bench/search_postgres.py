"""The search benchmark on PostgreSQL: the listings bench/search.py built, copied into a
PostgreSQL database, timed the same way (without the naive baseline).

    .venv/bin/python bench/search.py --sizes 100000 --queries 1     # builds the SQLite data once
    .venv/bin/python bench/search_postgres.py --size 100000 \\
        --database-url postgres://postgres@127.0.0.1:5432/resource_map_bench

The target database is dropped and created again (its name must contain "bench"), migrated,
filled with COPY from the cached SQLite file (triggers off: the file already holds the search
copies), then VACUUM ANALYZE, as autovacuum would leave a settled table. Not part of the tests.
"""

import argparse
import os
import sqlite3
import statistics
import sys
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import search as bench  # noqa: E402 - bench/search.py, next to this file

TABLES = [
    "providers_organization",
    "providers_service",
    "providers_location",
    "providers_serviceatlocation",
    "providers_service_terms",
    "providers_service_languages",
]


def recreate(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"refusing to drop {name!r}: the database name must contain 'bench'")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def copy_from(source: Path) -> None:
    """Migrate, then COPY the listings in; term ids are matched by (slug, kind)."""
    from django.core.management import call_command
    from django.db import connection

    from providers.search_index import refresh

    call_command("migrate", verbosity=0)
    src = sqlite3.connect(source)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id::text, slug, kind FROM providers_term")
        terms = {(slug, kind): pk for pk, slug, kind in cursor.fetchall()}
    old_terms = {
        pk: (slug, kind)
        for pk, slug, kind in src.execute("SELECT id, slug, kind FROM providers_term")
    }
    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        for table in TABLES:
            columns = [row[1] for row in src.execute(f"PRAGMA table_info({table})")]
            if table == "providers_service_terms":
                columns.remove("id")
            term = columns.index("term_id") if "term_id" in columns else None
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in src.execute(f"SELECT {', '.join(columns)} FROM {table}"):
                    row = list(row)
                    if term is not None:
                        row[term] = terms[old_terms[row[term]]]
                    copy.write_row(row)
        for table in TABLES:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    # The copies as PostgreSQL writes them: string_agg lists a listing's service types in
    # another order than SQLite's GROUP_CONCAT, and the next migrate (each start of the
    # server) would rewrite those rows after the VACUUM below.
    refresh(connection)
    with raw.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # Django's connection is in autocommit mode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    source = bench.CACHE / f"search-{args.size}-v{bench.SCHEMA_VERSION}-s{args.seed}.sqlite3"
    if not source.exists():
        raise SystemExit(f"{source} is missing: run bench/search.py --sizes {args.size} first")
    recreate(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "directory.settings")
    os.environ.setdefault("DJANGO_DEBUG", "false")
    import django

    django.setup()
    copy_from(source)
    points = bench.query_points(args.queries, seed=args.seed)
    print(f"PostgreSQL, {args.size:,} listings; load average {bench.load_average()}")
    print(
        f"{'radius':>6} {'filter':<24} {'median ms':>9} {'p95 ms':>8} {'SQL ms':>7} {'page ms':>8}"
    )
    for radius_mi in bench.RADII:
        for label, filters in bench._filters().items():
            bench.time_search(*points[0], radius_mi, filters)  # warm-up
            timings, sql, pages, _ = zip(
                *(bench.time_search(lat, lng, radius_mi, filters) for lat, lng in points),
                strict=True,
            )
            print(
                f"{radius_mi:>6} {label:<24} {statistics.median(timings):>9.2f} "
                f"{bench.p95(list(timings)):>8.2f} {statistics.median(sql):>7.2f} "
                f"{statistics.median(pages):>8.2f}",
                flush=True,
            )
    print(f"load average at end: {bench.load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
