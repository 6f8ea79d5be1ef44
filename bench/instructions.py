"""Instructions per full API request, counted by valgrind's callgrind: a figure that does
not drift with the machine's load (wall time here varies by up to 2x between runs).

    .venv/bin/python bench/instructions.py [--db var/bench/search-100000-v9-s7.sqlite3]
        [--requests 20]

Runs `GET /api/v1/providers/?lat&lng&radius=25` through `django.test.Client` at the query
points of bench/search.py, as its API line does (every request builds its rows from the
tables). It runs twice under callgrind, with no timed requests and with `--requests`, after
the same warm-up pass; the difference divided by the number of requests is what one request
costs, start-up left out. Needs valgrind (Debian's package) and the database
bench/search.py builds; takes a few minutes.
Not part of the test run; see bench/README.md.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = ROOT / "var" / "bench" / "search-100000-v9-s7.sqlite3"
CASES = ("built",)
POINTS = 20  # query points: the warm-up pass visits all, the counted requests cycle over them


def serve(case: str, requests: int, db: Path) -> None:
    """The measured process: a warm-up pass, then `requests` requests."""
    sys.path.insert(0, str(ROOT / "bench"))
    import search as bench

    bench.setup_django(db)
    bench.use_database(db)
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    points = bench.query_points(POINTS, seed=7)

    def request(lat: float, lng: float) -> None:
        response = client.get("/api/v1/providers/", {"lat": lat, "lng": lng, "radius": 25})
        if response.status_code != 200:
            raise SystemExit(f"API answered {response.status_code}")

    for lat, lng in points:  # every code path once
        request(lat, lng)
    for index in range(requests):
        request(*points[index % POINTS])


def count(case: str, requests: int, db: Path, workdir: Path) -> int:
    out = workdir / f"callgrind.{case}.{requests}"
    result = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={out}",
            sys.executable,
            __file__,
            "--serve",
            case,
            "--requests",
            str(requests),
            "--db",
            str(db),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    found = re.search(r"Collected : (\d+)", result.stderr)
    if result.returncode != 0 or not found:
        raise SystemExit(f"callgrind failed ({case}, {requests}):\n{result.stderr[-2000:]}")
    return int(found.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--requests", type=int, default=20, help="counted requests per case")
    parser.add_argument("--serve", choices=CASES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.requests, args.db.resolve())
        return 0
    if not args.db.exists():
        print(f"No database at {args.db}: run bench/search.py --sizes 100000 first.")
        return 1
    sys.path.insert(0, str(ROOT / "bench"))
    import search as bench

    bench.setup_django(args.db.resolve())
    bench.use_database(args.db.resolve())
    os.environ.setdefault("PYTHONHASHSEED", "0")  # the same dict layouts in every run
    with tempfile.TemporaryDirectory(prefix="bench-instructions-") as workdir:
        for case in CASES:
            base = count(case, 0, args.db.resolve(), Path(workdir))
            full = count(case, args.requests, args.db.resolve(), Path(workdir))
            per = (full - base) / args.requests / 1e6
            print(f"API request r=25, rows {case}: {per:.2f} M instructions", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
