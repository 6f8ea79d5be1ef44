"""Attack review: a Redis that accepts connections and never answers (stalled, partitioned,
swapping) must not hold a survivor's search. The limits fail open when the cache is down,
but redis-py's default timeouts are 5 s a call: a results page (five cache calls) took 23 s
and a busier one passed gunicorn's 30 s, every worker held the while."""

import socket
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import time
from django.test import RequestFactory
from directory.limits import over_limit
started = time.monotonic()
request = RequestFactory().get("/", {"near": "10001"}, REMOTE_ADDR="203.0.113.9")
limited = over_limit(request, scope="search", limit=30, window_s=60)
print("probe:", "limited" if limited else "answered", round(time.monotonic() - started, 2))
"""


def _black_hole():
    """A TCP server that accepts every connection and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(50)
    held = []

    def accept():
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    return server, held


def test_a_stalled_redis_does_not_hang_the_search_limit():
    server, held = _black_hole()
    try:
        url = f"redis://127.0.0.1:{server.getsockname()[1]}/5"
        try:
            done = subprocess.run(
                [sys.executable, "manage.py", "shell", "-c", PROBE],
                cwd=ROOT,
                env={"PATH": "/usr/bin:/bin", "REDIS_URL": url},
                capture_output=True,
                text=True,
                timeout=20,
            )
        except subprocess.TimeoutExpired:
            raise AssertionError("one call to a stalled Redis hung for 20 s") from None
    finally:
        server.close()
        for connection in held:
            connection.close()
    probe = [line.split() for line in done.stdout.splitlines() if line.startswith("probe:")]
    assert probe and probe[0][1] == "answered", done.stdout + done.stderr
    assert float(probe[0][2]) < 1.5, "one cache call to a stalled Redis waits too long"
