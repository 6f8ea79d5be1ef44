"""The search and the API request on SQLite and on PostgreSQL, side by side, in one run.

    .venv/bin/python bench/search.py --sizes 100000 --queries 1     # builds the SQLite data once
    .venv/bin/python bench/databases.py --size 100000 \\
        --database-url postgres://postgres@127.0.0.1:5432/resource_map_bench

The same listings (bench/search.py's cached SQLite file, copied into PostgreSQL as
bench/search_postgres.py does) and the same query points are timed in a fresh process per
database: SQLite; PostgreSQL as configured (Django's pool, server-side binding and prepared
statements); and PostgreSQL without them (DATABASE_POOL_SIZE=0,
DATABASE_SERVER_SIDE_BINDING=false). `--rounds 3` runs the three in turn three times and
prints the median of each one's medians (a loaded machine drifts); `--keep` reuses the
PostgreSQL copy of an earlier run. "search" is `search()` + count + the ranked first page
(radius 25, no filter and one service type); "API" is a full GET /api/v1/providers/ through
the test client. Medians in ms; the ratio is to SQLite. Not part of the tests.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import search as bench  # noqa: E402 - bench/search.py, next to this file
import search_postgres  # noqa: E402

PLAIN_POSTGRES = {"DATABASE_POOL_SIZE": "0", "DATABASE_SERVER_SIDE_BINDING": "false"}


def measure(args) -> dict:
    """In a child process whose DATABASE_URL is set: medians of the search and the API."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "directory.settings")
    os.environ.setdefault("DJANGO_DEBUG", "false")
    os.environ.setdefault("API_ANON_RATE", "1000000/minute")
    import django

    django.setup()
    if args.copy:
        search_postgres.copy_from(args.source)
    points = bench.query_points(args.queries, seed=args.seed)
    filters = bench._filters()
    searches = []
    for label in bench.TARGET_FILTERS:
        bench.time_search(*points[0], 25, filters[label])  # warm-up
        searches += [bench.time_search(lat, lng, 25, filters[label])[0] for lat, lng in points]
    api = bench.time_api(points)
    return {"search": statistics.median(searches), "api": statistics.median(api)}


def child(source: Path, args, *, url: str, env: dict, copy: bool = False) -> dict:
    command = [sys.executable, __file__, "--measure", "--source", str(source)]
    command += ["--queries", str(args.queries), "--seed", str(args.seed)]
    if copy:
        command.append("--copy")
    result = subprocess.run(
        command,
        env={**os.environ, **env, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        raise SystemExit(result.stderr)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--database-url")
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--rounds", type=int, default=1, help="runs of the three, interleaved; medians printed"
    )
    parser.add_argument(
        "--keep", action="store_true", help="reuse the PostgreSQL copy of an earlier run"
    )
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--copy", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--source", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args)))
        return 0
    if not args.database_url:
        parser.error("--database-url postgres://... is required")
    source = bench.CACHE / f"search-{args.size}-v{bench.SCHEMA_VERSION}-s{args.seed}.sqlite3"
    if not source.exists():
        raise SystemExit(f"{source} is missing: run bench/search.py --sizes {args.size} first")
    # The cached file was built by the schema of its day: bring it to today's migrations.
    sqlite_env = {**os.environ, "DATABASE_URL": f"sqlite:///{source}"}
    manage = [sys.executable, str(bench.ROOT / "manage.py"), "migrate", "--verbosity", "0"]
    if subprocess.run([*manage, "--check"], env=sqlite_env, check=False).returncode:
        subprocess.run(manage, env=sqlite_env, check=True)
    if not args.keep:
        search_postgres.recreate(args.database_url)
    configurations = {
        "SQLite": (f"sqlite:///{source}", {}),
        "PostgreSQL": (args.database_url, {}),
        "PostgreSQL, no pool, client-side binding": (args.database_url, PLAIN_POSTGRES),
    }
    rounds: dict[str, list[dict]] = {name: [] for name in configurations}
    for number in range(args.rounds):
        for name, (url, env) in configurations.items():
            copy = name == "PostgreSQL" and number == 0 and not args.keep
            rounds[name].append(child(source, args, url=url, env=env, copy=copy))
    runs = {
        name: {key: statistics.median(run[key] for run in found) for key in ("search", "api")}
        for name, found in rounds.items()
    }
    print(
        f"{args.size:,} listings, {args.queries} query points, radius 25 mi, "
        f"{args.rounds} round(s); load average {bench.load_average()}"
    )
    print(f"{'database':<42} {'search ms':>9} {'ratio':>6} {'API ms':>8} {'ratio':>6}")
    sqlite = runs["SQLite"]
    for name, run in runs.items():
        print(
            f"{name:<42} {run['search']:>9.2f} {run['search'] / sqlite['search']:>6.2f} "
            f"{run['api']:>8.2f} {run['api'] / sqlite['api']:>6.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
