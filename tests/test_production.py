"""The production command's settings: gunicorn's configuration and the database connections."""

import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"


def test_gunicorn_workers_come_from_web_concurrency(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    conf = runpy.run_path(str(GUNICORN_CONF))
    assert conf["workers"] == 3
    assert conf["accesslog"] is None


def test_gunicorn_runs_two_workers_by_default(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    assert runpy.run_path(str(GUNICORN_CONF))["workers"] == 2


@pytest.mark.parametrize("value", ["many", "0", "-1", "100"])
def test_gunicorn_refuses_nonsense_worker_counts(monkeypatch, value):
    monkeypatch.setenv("WEB_CONCURRENCY", value)
    with pytest.raises(SystemExit, match="WEB_CONCURRENCY"):
        runpy.run_path(str(GUNICORN_CONF))


def database_settings(**env: str) -> str:
    """The default database's CONN_MAX_AGE and OPTIONS under this environment."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    code = "from django.conf import settings as s; d = s.DATABASES['default']; "
    code += "print(d['CONN_MAX_AGE'], sorted(d['OPTIONS'].items()))"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--verbosity", "0", "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_postgresql_uses_the_pool_and_server_side_binding():
    assert database_settings(DATABASE_URL="postgres://postgres@db.example/main") == (
        "0 [('pool', {'min_size': 1, 'max_size': 4, 'timeout': 10}), "
        "('prepare_threshold', 2), ('server_side_binding', True)]"
    )


def test_postgresql_without_pool_or_server_side_binding_keeps_its_connection():
    env = {"DATABASE_POOL_SIZE": "0", "DATABASE_SERVER_SIDE_BINDING": "false"}
    assert database_settings(DATABASE_URL="postgres://postgres@db.example/main", **env) == (
        "60 [('prepare_threshold', None)]"
    )
