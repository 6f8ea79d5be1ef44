"""GET /healthz for load balancers: the database, the cache (with Redis) and the migrations;
also the search triggers, reported (status "degraded") without failing the check.

200 `{"status": "ok", "checks": {...}}` when every check passes, else 503 with the failing
check named. No cookie, no session, no query string read; nothing here is rate limited, and
plain HTTP is answered (settings: SECURE_REDIRECT_EXEMPT), as a balancer checks the backend.
"""

from http import HTTPStatus

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from providers import search_index

OK = "ok"
# Once every migration is applied in a process it stays so (new code means a new process),
# so the migration graph is read once, not on every check.
_migrations_applied = False


def _database() -> str:
    for alias in connections:  # the primary, and every replica that is configured
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError:
            return f"unreachable ({alias})"
    return OK


def _cache() -> str:
    if not settings.REDIS_URL:
        return "not configured (in-process cache)"
    try:
        cache.set("healthz", "1", timeout=10)
        if cache.get("healthz") != "1":
            return "unreachable"
    except Exception:  # noqa: BLE001 - redis-py's ConnectionError, TimeoutError, ...
        return "unreachable"
    return OK


def _migrations() -> str:
    global _migrations_applied
    if _migrations_applied:
        return OK
    try:
        executor = MigrationExecutor(connections["default"])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        return "unknown (database unreachable)"
    if plan:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _backwards in plan[:5])
        return f"{len(plan)} not applied: {names}"
    _migrations_applied = True
    return OK


def _search() -> str:
    """The search triggers `migrate` installs: a migrate that failed part-way (or one running
    now) leaves them dropped, and until the next one succeeds new and changed listings reach
    the search only through the 5-minute repair (repair_search_copies).
    Reported, but not a failure: taking every process out of the balancer for it would take
    the hotlines down with the search."""
    try:
        missing = search_index.missing_triggers(connections["default"])
    except DatabaseError:
        return "unknown (database unreachable)"
    return f"triggers missing, run migrate: {', '.join(missing)}" if missing else OK


@never_cache
@require_safe
def healthz(request):
    checks = {"database": _database(), "cache": _cache()}
    checks["migrations"] = _migrations() if checks["database"] == OK else "unknown"
    healthy = all(value == OK or value.startswith("not configured") for value in checks.values())
    checks["search"] = _search() if checks["database"] == OK else "unknown"
    status = "ok" if healthy and checks["search"] == OK else "degraded" if healthy else "fail"
    return JsonResponse(
        {"status": status, "checks": checks},
        status=HTTPStatus.OK if healthy else HTTPStatus.SERVICE_UNAVAILABLE,
    )
