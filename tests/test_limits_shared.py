"""Two serving processes count one anonymous limit together, exactly, in the real Redis.

Skipped with a loud message when no Redis answers at 127.0.0.1:6379 (failed in CI).
"""

import os
import random
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
LIMIT = 7


def _redis_answers() -> bool:
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture(scope="module")
def redis_url():
    if not _redis_answers():
        message = (
            f"\n{'!' * 78}\n  SHARED-LIMIT TESTS SKIPPED: no Redis at {REDIS_HOST}:{REDIS_PORT}.\n"
            "  Install it with `apt-get install redis-server` (Debian) and start it.\n"
            f"{'!' * 78}\n"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return f"redis://{REDIS_HOST}:{REDIS_PORT}/0"


def _free_ports(count: int) -> list[int]:
    """Ports nothing listens on, all different: each probe stays bound until all are chosen
    (one probe closed before the next is bound may be handed the same port again)."""
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in probes]
    finally:
        for probe in probes:
            probe.close()


def _wait_until_serving(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server on port {port} stopped: {log.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"no server on port {port} after 60 s")


@pytest.fixture(scope="module")
def two_servers(redis_url, tmp_path_factory):
    """Two `runserver` processes sharing Redis, behind one (pretend) trusted proxy."""
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "API_ANON_RATE": f"{LIMIT}/minute",
        "TRUSTED_PROXY_COUNT": "1",
        # The HSDS root answers without the database: an empty file will do.
        "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('db') / 'empty.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "directory.settings",
    }
    ports = _free_ports(2)
    logs = [tmp_path_factory.mktemp("log") / f"{port}.log" for port in ports]
    processes = []
    try:
        # One after the other: two processes opening a new SQLite file at once both switch it
        # to WAL, and one may be told "database is locked" (a deployment migrates first).
        for port, log in zip(ports, logs, strict=True):
            with log.open("w") as output:
                processes.append(
                    subprocess.Popen(
                        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}"]
                        + ["--noreload", "--skip-checks"],
                        cwd=ROOT,
                        env=env,
                        stdout=output,
                        stderr=subprocess.STDOUT,
                    )
                )
            _wait_until_serving(port, processes[-1], log)
        yield ports
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)


def _status(port: int, client: str) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/hsds/", headers={"X-Forwarded-For": client}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


# Distinct addresses for this run, drawn without replacement: two draws with replacement
# were the same address (whose count the earlier test had used up) 1 run in 20,000.
_FRESH = iter(random.sample([(a, b) for a in range(256) for b in range(1, 255)], 16))


def _new_client() -> str:
    """An address no earlier run counted (its count lives in Redis for a minute) and no
    earlier test of this run used."""
    a, b = next(_FRESH)
    return f"198.18.{a}.{b}"


def test_two_processes_share_one_exact_limit(two_servers):
    client = _new_client()
    statuses = [_status(two_servers[i % 2], client) for i in range(LIMIT + 3)]
    assert statuses == [HTTPStatus.OK] * LIMIT + [HTTPStatus.TOO_MANY_REQUESTS] * 3


def test_a_burst_at_both_processes_at_once_is_counted_exactly(two_servers):
    client = _new_client()
    with ThreadPoolExecutor(max_workers=24) as pool:
        statuses = list(pool.map(lambda i: _status(two_servers[i % 2], client), range(48)))
    assert statuses.count(HTTPStatus.OK) == LIMIT
    assert statuses.count(HTTPStatus.TOO_MANY_REQUESTS) == 48 - LIMIT
    # Another client, through the same proxy, has a limit of its own.
    assert _status(two_servers[0], _new_client()) == HTTPStatus.OK
