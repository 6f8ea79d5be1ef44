"""Smoke test of the production site on PostgreSQL and Redis, over HTTP, as deploy/ runs it.

Checks that the example nginx site (deploy/nginx-resource-map.conf) sends the proxy headers
the systemd unit's TRUSTED_PROXY_COUNT believes and logs no query string. Creates an empty
database (SMOKE_DATABASE_URL, default resource_map_smoke on 127.0.0.1) and loads the sample
data. Then starts the site as deploy/resource-map.service does (its Environment=,
ExecStartPre= and ExecStart= lines, read by tools/deploy_files.py) on a free 127.0.0.1 port
with a fresh static folder, and checks that /healthz answers 200 over plain HTTP with every
check ok, and that the home page, a search, a provider page, a hashed static file (which the
nginx site's long-cache location matches), the API, the HSDS root and the admin login all
answer 200 without a debug page, and that the server logged JSON lines without the
searched place. Last, `make serve-prod` serves the same /healthz and a search. Stops each
server and exits non-zero on the first failure.

    .venv/bin/python tools/smoke_prod.py
"""

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import redis

sys.path.insert(0, str(Path(__file__).resolve().parent))
import deploy_files  # noqa: E402 - tools/deploy_files.py, next to this file

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
DATABASE_URL = os.environ.get(
    "SMOKE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/resource_map_smoke"
)
REDIS_URL = os.environ.get("SMOKE_REDIS_URL", "redis://127.0.0.1:6379/0")
DEBUG_MARKERS = ("Traceback", "DEBUG = True", "technical_500", "Page not found at")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def recreate_database(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def get(base: str, path: str) -> tuple[int, dict, bytes]:
    # As the TLS proxy in front would send it (production redirects plain HTTP to HTTPS).
    request = urllib.request.Request(base + path, headers={"X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def check(base: str, path: str, label: str) -> bytes:
    status, headers, body = get(base, path)
    text = body.decode("utf-8", "replace")
    debug = [marker for marker in DEBUG_MARKERS if marker in text]
    if status != 200 or debug:
        raise SystemExit(f"FAIL {label} {path}: HTTP {status}, debug markers {debug}\n{text[:500]}")
    print(f"ok   {label:<18} {path} ({len(body)} bytes)")
    return body


def wait_until_up(base: str, server: subprocess.Popen, *, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"FAIL: make serve-prod exited with {server.returncode}")
        try:
            get(base, "/about/")
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise SystemExit(f"FAIL: no answer from {base} within {timeout_s:.0f} s")


def check_health(base: str) -> None:
    # A load balancer asks over plain HTTP, without the proxy's X-Forwarded-Proto.
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=30) as response:
            status, headers, body = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, headers, body = error.code, error.headers, error.read()
    expected = {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "migrations": "ok", "search": "ok"},
    }
    if status != 200 or json.loads(body) != expected or headers.get("Set-Cookie"):
        raise SystemExit(f"FAIL health /healthz: HTTP {status} {body[:300]!r}")
    print(f"ok   {'health':<18} /healthz ({body.decode()})")


def check_log(text: str) -> None:
    """The server's own log: JSON lines only, and no searched place (the checks searched
    near=10001) in any of them."""
    lines = [line for line in text.splitlines() if line.strip()]
    for line in lines:
        try:
            json.loads(line)
        except ValueError:
            raise SystemExit(f"FAIL log: a line that is not JSON: {line[:300]}") from None
    if "near=" in text:
        raise SystemExit("FAIL log: the searched place is in the server's log")
    if "Not Found: /no-such-page/" not in text:
        raise SystemExit("FAIL log: the 404 of /no-such-page/?near=10001 was not logged")
    print(f"ok   {'server log':<18} {len(lines)} JSON lines, no searched place")


def check_static_location(path: str, static_root: str) -> None:
    """The nginx site serves this hashed file with its year-long cache, from the same file."""
    pattern, alias = deploy_files.hashed_static_location()
    match = pattern.match(path)
    if not match:
        raise SystemExit(f"FAIL nginx: {path} misses the long-cache location {pattern.pattern}")
    on_disk = alias.replace(str(ROOT / "staticfiles"), static_root).replace("$1", match.group(1))
    if not Path(on_disk).is_file():
        raise SystemExit(f"FAIL nginx: {path} is not at the alias path {on_disk}")
    print(f"ok   {'nginx static':<18} {path} (cached a year, from {Path(on_disk).name})")


def run_checks(base: str, static_root: str) -> None:
    check_health(base)
    home = check(base, "/", "home").decode()
    results = check(base, "/?near=10001", "search").decode()
    provider = re.search(r'href="(/provider/[0-9a-f-]{36}/)"', results)
    if not provider:
        raise SystemExit("FAIL search: no provider link in the results near 10001")
    check(base, provider.group(1), "provider page")
    static = re.search(r'(/static/[^"\']+\.[0-9a-f]{12}\.(?:css|js))', home)
    if not static:
        raise SystemExit("FAIL static: the home page links no hashed static file")
    check(base, static.group(1), "hashed static")
    check_static_location(static.group(1), static_root)
    check(base, "/api/v1/providers/?near=10001", "API search")
    check(base, "/api/hsds/", "HSDS root")
    check(base, "/admin/login/", "admin login")
    status, _, _ = get(base, "/no-such-page/?near=10001")  # logged: without its query
    if status != 404:
        raise SystemExit(f"FAIL not found: HTTP {status}")
    print("ok   not found          /no-such-page/?near=10001 (404, no debug page)")


def serve(command: list[str], env: dict, base: str, log=None):
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, start_new_session=True, stdout=log, stderr=log
    )
    try:
        wait_until_up(base, server, timeout_s=180)
    except BaseException:
        stop(server)
        raise
    return server


def stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def main() -> None:
    problems = deploy_files.nginx_problems()
    if problems:
        raise SystemExit("FAIL deploy/nginx-resource-map.conf:\n  " + "\n  ".join(problems))
    print("ok   nginx site         proxy headers for TRUSTED_PROXY_COUNT=1, no query string logged")
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as error:
        raise SystemExit(f"FAIL: Redis at {REDIS_URL} is not reachable: {error}") from None
    recreate_database(DATABASE_URL)
    port = free_port()
    static_root = tempfile.mkdtemp(prefix="rm-static-")
    base = f"http://127.0.0.1:{port}"
    unit = deploy_files.unit_service(bind=f"127.0.0.1:{port}", static_root=static_root)
    env = {
        **os.environ,
        **unit.environment,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
    }
    for name in ("DJANGO_DEBUG", "DATABASE_REPLICA_URLS"):
        env.pop(name, None)
    try:
        for command in ("migrate", "load_reference_data", "load_sample_data"):
            subprocess.run(
                [PY, "manage.py", command, "--verbosity", "0"], cwd=ROOT, env=env, check=True
            )
        print(f"== deploy/resource-map.service on {base} (PostgreSQL, Redis)")
        for command in unit.prepare:
            subprocess.run(command, cwd=ROOT, env=env, check=True)
        log_path = Path(static_root) / "server.log"
        with open(log_path, "wb") as log:
            server = serve(unit.start, env, base, log)
            try:
                run_checks(base, static_root)
            finally:
                stop(server)
        check_log(log_path.read_text(encoding="utf-8", errors="replace"))
        print(f"== make serve-prod on {base}")
        make_env = {**env, "HOST": "127.0.0.1", "PORT": str(port)}
        server = serve(["make", "--no-print-directory", "serve-prod"], make_env, base)
        try:
            check_health(base)
            check(base, "/?near=10001", "search")
        finally:
            stop(server)
    finally:
        shutil.rmtree(static_root, ignore_errors=True)
    print("smoke test passed")


if __name__ == "__main__":
    main()
