"""gunicorn settings of `make serve-prod` (the bind address comes from the command line)."""

import os

# One worker per core is a good start; every worker holds its own database pool.
_workers = os.environ.get("WEB_CONCURRENCY", "2").strip()
if not _workers.isdigit() or not 1 <= int(_workers) <= 64:
    raise SystemExit(f"WEB_CONCURRENCY={_workers!r} must be a whole number from 1 to 64.")
workers = int(_workers)
timeout = 30
graceful_timeout = 20
# No access log: a request line carries the searched place. The proxy in front logs paths
# without query strings (docs/deploy.md); errors still go to stderr.
accesslog = None
errorlog = "-"
# gunicorn's control socket (gunicornc) is one path per user: two sites on one machine would
# share it. Nothing here uses it.
control_socket_disable = True
