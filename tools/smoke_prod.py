"""Smoke test of the production command: `make serve-prod` on PostgreSQL and Redis, over HTTP.

Creates an empty database (SMOKE_DATABASE_URL, default resource_map_smoke on 127.0.0.1),
loads the sample data, starts `make serve-prod` on a free 127.0.0.1 port with
DJANGO_ENV=production and a fresh static folder, and checks that the home page, a search, a
provider page, a hashed static file, the API, the HSDS root and the admin login all answer
200 without a debug page. Stops the server and exits non-zero on the first failure.

    .venv/bin/python tools/smoke_prod.py
"""

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


def run_checks(base: str) -> None:
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
    check(base, "/api/v1/providers/?near=10001", "API search")
    check(base, "/api/hsds/", "HSDS root")
    check(base, "/admin/login/", "admin login")
    status, _, _ = get(base, "/no-such-page/")
    if status != 404:
        raise SystemExit(f"FAIL not found: HTTP {status}")
    print("ok   not found          /no-such-page/ (404, no debug page)")


def main() -> None:
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as error:
        raise SystemExit(f"FAIL: Redis at {REDIS_URL} is not reachable: {error}") from None
    recreate_database(DATABASE_URL)
    port = free_port()
    static_root = tempfile.mkdtemp(prefix="rm-static-")
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_STATIC_ROOT": static_root,
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": os.environ.get("WEB_CONCURRENCY", "2"),
    }
    for name in ("DJANGO_DEBUG", "DATABASE_REPLICA_URLS"):
        env.pop(name, None)
    for command in ("migrate", "load_reference_data", "load_sample_data"):
        subprocess.run(
            [PY, "manage.py", command, "--verbosity", "0"], cwd=ROOT, env=env, check=True
        )
    base = f"http://127.0.0.1:{port}"
    print(f"== make serve-prod on {base} (PostgreSQL {urlsplit(DATABASE_URL).path}, Redis)")
    server = subprocess.Popen(
        ["make", "--no-print-directory", "serve-prod"], cwd=ROOT, env=env, start_new_session=True
    )
    try:
        wait_until_up(base, server, timeout_s=180)
        run_checks(base)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        shutil.rmtree(static_root, ignore_errors=True)
    print("smoke test passed")


if __name__ == "__main__":
    main()
