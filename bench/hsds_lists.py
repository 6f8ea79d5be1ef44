"""What an anonymous client's HSDS list requests cost at 100k listings.

    .venv/bin/python bench/search.py --sizes 100000 --queries 1   # the data, once
    .venv/bin/python bench/hsds_lists.py                          # SQLite, about a minute
    .venv/bin/python bench/hsds_lists.py --database-url postgres://postgres@127.0.0.1:5432/resource_map_bench_load

Whole requests through `django.test.Client` (as the API answers them, the throttle's limit
out of the way), median of --repeat, server time in ms: plain pages of /services,
/service_at_locations and /organizations (the first and the 50th), a word search that an
anonymous client is refused (the list is counted first: SEARCH_WORDS_MAX_LISTINGS) and one
narrowed by a place that it is answered. SQLite: bench/search.py's cached database, copied
and migrated. PostgreSQL: a database bench/load.py prepared (`--database-url`), migrated.
Not part of the test run; see bench/README.md.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from time import perf_counter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REQUESTS = [
    "/api/hsds/services",
    "/api/hsds/services?page=50",
    "/api/hsds/service_at_locations",
    "/api/hsds/service_at_locations?page=50",
    "/api/hsds/organizations",
    "/api/hsds/services?search=legal",  # refused: the whole directory
    "/api/hsds/service_at_locations?search=legal",  # refused
    "/api/hsds/service_at_locations?postcode=05602&proximity=16000&search=legal",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a PostgreSQL database bench/load.py prepared")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-hsds-"))
    try:
        if args.database_url:
            os.environ["DATABASE_URL"] = args.database_url
        else:
            sys.path.insert(0, str(ROOT / "bench"))
            import search as bench_search  # bench/search.py

            cached = bench_search.CACHE / (
                f"search-100000-v{bench_search.SCHEMA_VERSION}-s{args.seed}.sqlite3"
            )
            if not cached.exists():
                raise SystemExit(f"{cached} is missing: run bench/search.py --sizes 100000 first")
            shutil.copy(cached, workdir / cached.name)
            os.environ["DATABASE_URL"] = f"sqlite:///{workdir / cached.name}"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "directory.settings")
        os.environ["DJANGO_DEBUG"] = "false"  # DEBUG keeps every query's SQL
        os.environ["API_ANON_RATE"] = "1000000/minute"
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client

        call_command("migrate", verbosity=0)
        client = Client(HTTP_HOST="localhost")
        print(f"\n{connection.vendor}, median of {args.repeat} (ms)")
        for url in REQUESTS:
            status = client.get(url).status_code  # warm
            times = []
            for _ in range(args.repeat):
                started = perf_counter()
                client.get(url)
                times.append((perf_counter() - started) * 1000)
            print(f"{statistics.median(times):8.1f}  {status}  {url}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
