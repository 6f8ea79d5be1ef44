"""Load on the production server: req/s, p50/p99 and errors, SQLite and PostgreSQL, 2 workers.

    apt-get install wrk                                   # Debian's wrk, the load generator
    .venv/bin/python bench/search.py --sizes 100000 --queries 1   # the 100k data, once
    .venv/bin/python bench/load.py                        # both databases, about 10 minutes
    .venv/bin/python bench/load.py --only sqlite --seconds 20

For each database the site is started as deploy/resource-map.service starts it (its
Environment=, ExecStartPre= and ExecStart= lines, through tools/deploy_files.py: gunicorn,
deploy/gunicorn.conf.py, WEB_CONCURRENCY=2, DJANGO_ENV=production), with Redis for the cache
(--redis-url; the limits raised out of the way, since every request comes from one address).
Data: bench/search.py's cached listings (copied; into PostgreSQL as bench/search_postgres.py
does), enriched as bench/pages.py does (phones, hours, remote services).

Two 60 s runs a database, each with wrk (--connections, one thread) cycling through 40
places, while 5 editors (API tokens) each save an organization about once a second:
- API: GET /api/v1/providers/?lat=&lng=&radius=25
- results page: GET /?near=<a city as typed, "Houston, TX">&radius=25
Errors are non-2xx/3xx answers and socket errors; an editor's error is any answer but 200.
"Server CPU ms/req" is the CPU time gunicorn's processes used during the run over the
requests they answered: what a request costs whatever else the machine is doing (2 cores
give at most 2000 / that many req/s).
Afterwards the server's log (stdout and stderr) is searched for every place and coordinate
that was searched. Not part of the tests.
"""

import argparse
import http.client
import importlib.util
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote_plus, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))
import deploy_files  # noqa: E402 - tools/deploy_files.py

HEADERS = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1"}  # as nginx in front sends


def _bench_module(name: str):
    """bench/<name>.py as a module (bench/api.py would otherwise shadow the api app)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- data (in a child process whose DATABASE_URL is the target) --------------------------------


def prepare(args) -> None:
    """Fill the database, make the editors, write the URLs to --out (JSON)."""
    sys.path.append(str(ROOT / "bench"))  # for bench/search_postgres.py's `import search`
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "directory.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from providers.geocode import PlaceNotFound, geocode
    from providers.models import Organization

    if args.database_url.startswith("postgres"):
        _bench_module("search_postgres").copy_from(Path(args.source))
    else:
        call_command("migrate", verbosity=0)
    _bench_module("api").enrich(seed=args.seed)
    if args.database_url.startswith("postgres"):
        # Enriching rewrites every listing: settle the tables as autovacuum would on a site
        # that has run a while (dead rows gone, the visibility map set for index-only scans,
        # statistics of today's data). Without it PostgreSQL served 28 API requests a second.
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    places = []
    for text in _bench_module("pages").query_places(args.places * 2, seed=args.seed):
        try:
            place = geocode(text)
        except PlaceNotFound:
            continue
        if text not in [known for known, _, _ in places]:
            places.append((text, place.lat, place.lng))
        if len(places) == args.places:
            break
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from providers.permissions import EDITORS

    tokens = []
    for number in range(args.editors):
        user = get_user_model().objects.create_user(f"load-editor-{number}", is_staff=True)
        user.groups.add(Group.objects.get(name=EDITORS))
        tokens.append(Token.objects.create(user=user).key)
    organizations = [
        str(pk)
        for pk in Organization.objects.filter(status="published")
        .order_by("id")
        .values_list("id", flat=True)[: args.editors]
    ]
    Path(args.out).write_text(
        json.dumps({"places": places, "tokens": tokens, "organizations": organizations})
    )


def prepare_database(kind: str, url: str, source: Path, workdir: Path, args) -> dict:
    if kind == "PostgreSQL":
        _bench_module("search_postgres").recreate(url)
    else:
        shutil.copy(source, urlsplit(url).path)
    out = workdir / f"{kind}.json"
    command = [sys.executable, __file__, "--prepare", "--source", str(source), "--out", str(out)]
    command += ["--database-url", url, "--places", str(args.places)]
    command += ["--editors", str(args.editors), "--seed", str(args.seed)]
    started = time.monotonic()
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": "false"}
    subprocess.run(command, env=env, check=True)
    print(f"  {kind}: data ready in {time.monotonic() - started:.0f} s", flush=True)
    return json.loads(out.read_text())


# -- the server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(url: str, workdir: Path, args) -> tuple[subprocess.Popen, int, Path]:
    port = free_port()
    unit = deploy_files.unit_service(bind=f"127.0.0.1:{port}", static_root=str(workdir / "static"))
    env = {
        **os.environ,
        **unit.environment,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": url,
        "API_ANON_RATE": "100000000/minute",
        "SEARCH_PAGE_RATE": "100000000/minute",
    }
    env.pop("DJANGO_DEBUG", None)
    env.pop("REDIS_URL", None)
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    log = workdir / f"server-{port}.log"
    with open(log, "wb") as output:
        for command in unit.prepare:
            subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=output, stderr=output)
        server = subprocess.Popen(
            unit.start, cwd=ROOT, env=env, stdout=output, stderr=output, start_new_session=True
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).read()
            return server, port, log
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"the server exited: see {log}") from None
            time.sleep(0.5)
    raise SystemExit(f"no answer from the server within 120 s: see {log}")


def stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


# -- load -----------------------------------------------------------------------------------------


class Editors:
    """Editors saving an organization's description about once a second each, by API token."""

    def __init__(self, port: int, tokens: list[str], organizations: list[str]) -> None:
        self.port, self.stop = port, threading.Event()
        self.latencies, self.errors = [], []
        self.threads = [
            threading.Thread(target=self._edit, args=(token, pk), daemon=True)
            for token, pk in zip(tokens, organizations, strict=True)
        ]

    def _edit(self, token: str, pk: str) -> None:
        number = 0
        while not self.stop.is_set():
            number += 1
            body = json.dumps({"description": f"Edited under load, save {number}."})
            headers = {**HEADERS, "Authorization": f"Token {token}"}
            headers["Content-Type"] = "application/json"
            started = time.perf_counter()
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                connection.request("PATCH", f"/api/v1/organizations/{pk}/", body, headers)
                response = connection.getresponse()
                response.read()
                connection.close()
                if response.status != 200:
                    self.errors.append(response.status)
            except OSError as error:
                self.errors.append(type(error).__name__)
            self.latencies.append((time.perf_counter() - started) * 1000)
            self.stop.wait(1.0)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=35)


def wrk_script(paths: list[str], workdir: Path, name: str) -> Path:
    script = workdir / f"{name}.lua"
    listed = ",\n".join(json.dumps(path) for path in paths)
    script.write_text(
        f"local paths = {{\n{listed}\n}}\nlocal i = 0\n"
        "request = function()\n  i = i % #paths + 1\n"
        '  return wrk.format("GET", paths[i])\nend\n'
    )
    return script


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * _UNITS[unit]


def run_wrk(port: int, script: Path, seconds: int, connections: int) -> dict:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency"]
    for name, value in HEADERS.items():
        command += ["-H", f"{name}: {value}"]
    command += ["-s", str(script), f"http://127.0.0.1:{port}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        # The latency distribution's lines ("     50%   12.80ms"), not a Stdev column such as
        # "75.50%" in the thread stats above them.
        "p50": _ms(re.search(r"^\s+50%\s+(\S+)", out, re.MULTILINE).group(1)),
        "p99": _ms(re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE).group(1)),
        "errors": (int(non_2xx.group(1)) if non_2xx else 0)
        + (sum(int(n) for n in socket_errors.groups()) if socket_errors else 0),
    }


def server_cpu_seconds(server: subprocess.Popen) -> float:
    """CPU time (user + system) used so far by gunicorn's master and workers."""
    tick = os.sysconf("SC_CLK_TCK")
    pids = [server.pid]
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    if children.exists():
        pids += [int(pid) for pid in children.read_text().split()]
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def leaked_places(log: Path, places: list) -> list[str]:
    text = log.read_text(errors="replace")
    needles = []
    for name, lat, lng in places:
        needles += [name, quote_plus(name), name.split(",")[0], f"{lat:.4f}", f"{lng:.4f}"]
    return sorted({needle for needle in needles if needle in text})


def run_database(kind: str, url: str, source: Path, workdir: Path, args) -> list[dict]:
    data = prepare_database(kind, url, source, workdir, args)
    server, port, log = start_server(url, workdir, args)
    rows = []
    try:
        api = [
            f"/api/v1/providers/?lat={lat:.5f}&lng={lng:.5f}&radius=25"
            for _, lat, lng in data["places"]
        ]
        page = [f"/?near={quote_plus(name)}&radius=25" for name, _, _ in data["places"]]
        for name, paths in (("API", api), ("results page", page)):
            script = wrk_script(paths, workdir, name.replace(" ", "_"))
            run_wrk(port, script, 5, args.connections)  # warm-up: connections, caches
            cpu = server_cpu_seconds(server)
            with Editors(port, data["tokens"], data["organizations"]) as editors:
                result = run_wrk(port, script, args.seconds, args.connections)
            cpu = server_cpu_seconds(server) - cpu
            result |= {
                "cpu_ms": cpu * 1000 / max(1, result["requests"] + len(editors.latencies)),
                "database": kind,
                "request": name,
                "saves": len(editors.latencies),
                "save_p50": statistics.median(editors.latencies or [float("nan")]),
                "save_p99": percentile(editors.latencies, 0.99),
                "save_errors": len(editors.errors),
            }
            rows.append(result)
            print(format_row(result), flush=True)
    finally:
        stop(server)
    leaked = leaked_places(log, data["places"])
    print(f"  {kind}: searched places in the server's log: {leaked or 'none'}", flush=True)
    return rows


HEADER = (
    "| database | request | req/s | p50 ms | p99 ms | errors | server CPU ms/req | editor saves "
    "| save p50 / p99 ms | save errors |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def format_row(row: dict) -> str:
    return (
        f"| {row['database']} | {row['request']} | {row['rps']:.0f} | {row['p50']:.1f} | "
        f"{row['p99']:.1f} | {row['errors']} | {row['cpu_ms']:.1f} | {row['saves']} | "
        f"{row['save_p50']:.0f} / {row['save_p99']:.0f} | {row['save_errors']} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=4, help="wrk connections (default 4)")
    parser.add_argument("--editors", type=int, default=5)
    parser.add_argument("--places", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/resource_map_bench_load"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/9", help="'' for none")
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--source", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        prepare(args)
        return 0
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    bench_search = _bench_module("search")
    source = bench_search.CACHE / (
        f"search-{args.size}-v{bench_search.SCHEMA_VERSION}-s{args.seed}.sqlite3"
    )
    if not source.exists():
        raise SystemExit(f"{source} is missing: run bench/search.py --sizes {args.size} first")
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    print(
        f"{args.size:,} listings, {args.seconds} s a run, wrk -c{args.connections}, "
        f"{args.editors} editors, commit {commit}, load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    rows = []
    try:
        if args.only != "postgres":
            url = f"sqlite:///{workdir / 'load.sqlite3'}"
            rows += run_database("SQLite", url, source, workdir, args)
        if args.only != "sqlite":
            rows += run_database("PostgreSQL", args.database_url, source, workdir, args)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"\n{HEADER}")
    for row in rows:
        print(format_row(row))
    print(f"load average at end: {' '.join(f'{n:.1f}' for n in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
