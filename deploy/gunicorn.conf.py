"""gunicorn settings of `make serve-prod` (the bind address comes from the command line)."""

import os
import sys
from pathlib import Path

# One worker per core is a good start; every worker holds its own database pool.
_workers = os.environ.get("WEB_CONCURRENCY", "2").strip()
if not _workers.isdigit() or not 1 <= int(_workers) <= 64:
    raise SystemExit(f"WEB_CONCURRENCY={_workers!r} must be a whole number from 1 to 64.")
workers = int(_workers)
timeout = 30
graceful_timeout = 20
# Logs are JSON lines on stderr with every query string stripped (directory/logging.py), as
# Django's own. No access log by default: the proxy in front logs paths without query
# strings (docs/deploy.md). GUNICORN_ACCESS_LOG=true adds one line a request, with neither the
# query string (which carries the searched place) nor the client's address.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from directory.logging import logging_config  # noqa: E402 - needs the project on the path

accesslog = None
errorlog = "-"
access_log_format = "method=%(m)s path=%(U)s status=%(s)s bytes=%(B)s ms=%(M)s"
_access_log = os.environ.get("GUNICORN_ACCESS_LOG", "false").strip().lower()
if _access_log not in {"true", "false", "1", "0"}:
    raise SystemExit(f"GUNICORN_ACCESS_LOG={_access_log!r} must be true or false.")
logconfig_dict = logging_config(
    json_lines=True,
    level="WARNING",
    loggers={"gunicorn.error": "INFO", "gunicorn.access": "INFO"},
)
if _access_log in {"false", "0"}:
    logconfig_dict["loggers"]["gunicorn.access"]["handlers"] = []
# gunicorn's control socket (gunicornc) is one path per user: two sites on one machine would
# share it. Nothing here uses it.
control_socket_disable = True
