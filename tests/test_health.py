"""GET /healthz: what a load balancer asks before it sends a visitor to this process."""

import socket
from http import HTTPStatus
from unittest import mock

import pytest
from django.core.cache import caches
from django.db import OperationalError, connection, connections
from django.db.migrations.recorder import MigrationRecorder

from directory import health
from providers.search_index import install_triggers

pytestmark = pytest.mark.django_db

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(autouse=True)
def _read_the_migrations_every_time(monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", False)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again: nothing listens there


def _redis(settings, url):
    settings.REDIS_URL = url
    settings.CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": url}}
    assert caches["default"].__class__.__name__ == "RedisCache"  # Django's signal reset it


def test_healthy_without_redis_is_200_with_every_check(client):
    response = client.get("/healthz")
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {
        "status": "ok",
        "checks": {
            "database": "ok",
            "cache": "not configured (in-process cache)",
            "migrations": "ok",
            "search": "ok",
        },
    }
    assert not response.cookies
    assert "no-cache" in response["Cache-Control"]


def test_healthy_with_redis(client, settings):
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("no Redis at 127.0.0.1:6379 (apt-get install redis-server)")
    _redis(settings, REDIS_URL)
    response = client.get("/healthz")
    assert response.status_code == HTTPStatus.OK
    assert response.json()["checks"]["cache"] == "ok"


def test_unreachable_redis_is_503_naming_the_cache(client, settings):
    _redis(settings, f"redis://127.0.0.1:{_closed_port()}/0")
    response = client.get("/healthz")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"] == {
        "database": "ok",
        "cache": "unreachable",
        "migrations": "ok",
        "search": "ok",
    }


def test_a_migration_not_applied_is_503_naming_it(client):
    applied = MigrationRecorder.applied_migrations

    def all_but_the_last_providers_migration(recorder):
        migrations = dict(applied(recorder))
        last = max(name for app, name in migrations if app == "providers")
        del migrations[("providers", last)]
        return migrations

    with mock.patch.object(
        MigrationRecorder, "applied_migrations", all_but_the_last_providers_migration
    ):
        response = client.get("/healthz")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    checks = response.json()["checks"]
    assert checks["database"] == "ok"
    assert checks["migrations"].startswith("1 not applied: providers.")


def test_search_triggers_dropped_by_an_unfinished_migrate_are_named_but_not_a_failure(client):
    # on_pre_migrate drops them; a migrate that fails before post_migrate leaves them out.
    health._migrations_applied = True  # a process that has already checked the graph
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER organization_search_update")
        else:
            cursor.execute("DROP TRIGGER organization_search_sync ON providers_organization")
    response = client.get("/healthz")
    # Degraded, not failed: every process out of the balancer would take the hotlines down.
    assert response.status_code == HTTPStatus.OK
    assert response.json()["status"] == "degraded"
    name = (
        "organization_search_update"
        if connection.vendor == "sqlite"
        else "organization_search_sync"
    )
    assert response.json()["checks"]["search"] == f"triggers missing, run migrate: {name}"
    install_triggers()
    assert client.get("/healthz").json()["status"] == "ok"


def test_unreachable_database_is_503_naming_it(client):
    connection = connections["default"]
    with mock.patch.object(
        type(connection), "cursor", side_effect=OperationalError("connection refused")
    ):
        response = client.get("/healthz")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    checks = response.json()["checks"]
    assert checks["database"] == "unreachable (default)"
    assert checks["migrations"] == checks["search"] == "unknown"


def test_plain_http_is_answered_in_production_and_needs_no_limit(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    settings.SEARCH_PAGE_RATE = "1/minute"
    for _ in range(5):
        response = client.get("/healthz")
        assert response.status_code == HTTPStatus.OK
    assert client.get("/about/").status_code == HTTPStatus.MOVED_PERMANENTLY


def test_production_settings_exempt_the_check_from_the_https_redirect():
    import subprocess
    import sys

    code = "from django.conf import settings; print(settings.SECURE_REDIRECT_EXEMPT)"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "directory.settings",
            "DJANGO_ENV": "production",
            "DJANGO_SECRET_KEY": "x" * 60,
            "DJANGO_ALLOWED_HOSTS": "example.org",
        },
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "['^healthz$']"
