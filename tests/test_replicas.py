"""The replica router: reads from replicas, writes and a writing client's reads from the primary.

These tests drive the router and its middleware directly; tools/replica_check.py runs them
against a real streaming replica.
"""

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.http import HttpResponse

from directory import replicas

ROOT = Path(__file__).resolve().parent.parent
SIGNED_IN = SimpleNamespace(is_authenticated=True)


@pytest.fixture
def router(monkeypatch):
    monkeypatch.setattr(replicas, "replica_aliases", lambda: ["replica_1"])
    return replicas.PrimaryReplicaRouter()


def serve(request, *, router, write=False, sign_in=False, reads=1):
    """Runs the middleware around a view that reads, maybe writes, then reads again."""
    seen = []

    def view(request):
        seen.extend(router.db_for_read(None) for _ in range(reads))
        if write:
            router.db_for_write(None)
        seen.append(router.db_for_read(None))
        response = HttpResponse("ok")
        if sign_in:
            response.set_cookie(settings.SESSION_COOKIE_NAME, "new-session")
        return response

    response = replicas.ReplicaMiddleware(view)(request)
    return seen, response


def test_anonymous_search_reads_from_a_replica_and_gets_no_cookie(rf, router):
    request = rf.get("/?near=10001")
    request.user = AnonymousUser()
    reads, response = serve(request, router=router)
    assert reads == ["replica_1", "replica_1"]
    assert not response.cookies


def test_outside_a_request_everything_uses_the_primary(router):
    assert router.db_for_read(None) == "default"
    assert router.db_for_write(None) == "default"


def test_a_post_reads_from_the_primary_from_the_start(rf, router):
    request = rf.post("/referrals/new/")
    request.user = SIGNED_IN
    reads, _ = serve(request, router=router, write=True)
    assert reads == ["default", "default"]


def test_a_write_moves_the_rest_of_the_request_to_the_primary(rf, router):
    request = rf.get("/")
    request.user = SIGNED_IN
    reads, response = serve(request, router=router, write=True)
    assert reads == ["replica_1", "default"]
    assert replicas.PIN_COOKIE in response.cookies
    assert response.cookies[replicas.PIN_COOKIE]["max-age"] == settings.REPLICA_PIN_SECONDS


def test_a_client_that_wrote_reads_from_the_primary_while_its_marker_lasts(rf, router):
    request = rf.post("/admin/providers/organization/1/change/")
    request.user = SIGNED_IN
    _, response = serve(request, router=router, write=True)
    follow_up = rf.get("/admin/providers/organization/1/change/")
    follow_up.COOKIES[replicas.PIN_COOKIE] = response.cookies[replicas.PIN_COOKIE].value
    follow_up.user = SIGNED_IN
    reads, _ = serve(follow_up, router=router)
    assert reads == ["default", "default"]


def test_an_expired_or_forged_marker_is_ignored(rf, router, monkeypatch):
    signer = signing.get_cookie_signer(salt=replicas.PIN_COOKIE + "directory.replicas")
    old = signing.b62_encode(int(signing.time.time()) - settings.REPLICA_PIN_SECONDS - 5)
    monkeypatch.setattr(signer, "timestamp", lambda: old)
    for value in (signer.sign("1"), "1:forged:value"):
        request = rf.get("/")
        request.COOKIES[replicas.PIN_COOKIE] = value
        request.user = SIGNED_IN
        reads, _ = serve(request, router=router)
        assert reads == ["replica_1", "replica_1"]


def test_an_anonymous_write_sets_no_cookie(rf, router):
    request = rf.post("/suggest/")
    request.user = AnonymousUser()
    reads, response = serve(request, router=router, write=True)
    assert reads == ["default", "default"]
    assert not response.cookies


def test_a_sign_in_marks_the_new_session(rf, router):
    request = rf.post("/referrals/sign-in/")
    request.user = AnonymousUser()
    _, response = serve(request, router=router, write=True, sign_in=True)
    assert replicas.PIN_COOKIE in response.cookies


def test_a_request_reads_from_one_replica_throughout(rf, router, monkeypatch):
    monkeypatch.setattr(replicas, "replica_aliases", lambda: [f"replica_{n}" for n in range(9)])
    request = rf.get("/api/v1/providers/?near=10001")
    request.user = AnonymousUser()
    reads, _ = serve(request, router=router, reads=20)
    assert len(set(reads)) == 1
    assert reads[0].startswith("replica_")


def test_migrations_run_on_the_primary_only(router):
    assert router.allow_migrate("default", "providers")
    assert not router.allow_migrate("replica_1", "providers")


def run_check(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_replicas_of_sqlite_stop_the_start_with_a_message():
    result = run_check(DATABASE_REPLICA_URLS="postgres://db.example/replica")
    assert result.returncode != 0
    assert "replicas need a PostgreSQL DATABASE_URL" in result.stderr


def test_replica_urls_add_mirrored_aliases_with_the_router():
    code = (
        "from django.conf import settings as s; "
        "print(sorted(s.DATABASES), s.DATABASES['replica_2']['TEST']['MIRROR'], "
        "s.DATABASE_ROUTERS, s.MIDDLEWARE[0])"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--verbosity", "0", "-c", code],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": "postgres://postgres@db.example/main",
            "DATABASE_REPLICA_URLS": "postgres://r1.example/main, postgres://r2.example/main",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "['default', 'replica_1', 'replica_2'] default "
        "['directory.replicas.PrimaryReplicaRouter'] directory.replicas.ReplicaMiddleware"
    )
