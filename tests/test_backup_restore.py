"""Backup and restore as docs/deploy.md describes them, into an empty database.

A populated database (listings near one point, one of them a confidential shelter) is backed
up and restored into a new, empty database; a separate process then serves from the copy.
The search finds the same listings with the same public points (a shelter's random offset
is data, kept by the copy), /healthz finds every migration applied, and nothing is rebuilt.
SQLite: the online backup API (what `sqlite3 db ".backup file"` runs) and `VACUUM INTO`.
PostgreSQL (under `make test-postgres` and in CI): `pg_dump -Fc` and `pg_restore`.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from django.db import connection
from django.test import Client

from providers.models import Location

ROOT = Path(__file__).resolve().parent.parent
SEARCH = "/api/v1/providers/?lat=40.75&lng=-73.99&radius=25"
NAMES = ["Harbor House", "Safe Haven Shelter", "Bronx Legal Aid", "Far Away"]

# Run in a fresh process whose DATABASE_URL is the restored copy.
READ_BACK = f"""
import json
import django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
from providers.models import Location
setup_test_environment()
client = Client()
print(json.dumps({{
    "search": client.get("{SEARCH}").json(),
    "offsets": sorted(
        [str(pk), bearing, miles]
        for pk, bearing, miles in Location.objects.values_list("id", "offset_bearing", "offset_mi")
    ),
    "health": client.get("/healthz").json(),
}}))
"""


@pytest.fixture
def populated(make_provider):
    make_provider(name="Harbor House", lat=40.7484, lng=-73.9967)
    make_provider(name="Safe Haven Shelter", lat=40.7614, lng=-73.9776, confidential=True)
    make_provider(name="Bronx Legal Aid", lat=40.8448, lng=-73.8648, services=("legal-assistance",))
    make_provider(name="Far Away", lat=34.05, lng=-118.24)  # outside the radius
    search = Client().get(SEARCH).json()
    found = [name for name in NAMES if name in json.dumps(search)]
    assert found == ["Harbor House", "Safe Haven Shelter", "Bronx Legal Aid"], found
    offsets = sorted(
        [str(pk), bearing, miles]
        for pk, bearing, miles in Location.objects.values_list("id", "offset_bearing", "offset_mi")
    )
    return {"search": search, "offsets": offsets}


def read_back(database_url: str) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url}
    env["DJANGO_SETTINGS_MODULE"] = "directory.settings"
    for name in ("DJANGO_ENV", "DATABASE_REPLICA_URLS", "REDIS_URL"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-c", READ_BACK], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def assert_same(restored: dict, original: dict) -> None:
    assert restored["search"] == original["search"]  # the same rows, points and order
    assert restored["offsets"] == original["offsets"]  # each shelter's offset kept
    assert "40.7614" not in json.dumps(restored["search"])  # the shelter's own point is not
    assert restored["health"]["checks"]["migrations"] == "ok"


# The database checks are inside the tests: a transactional test skipped before the test
# database exists would make conftest's clean-up flush the real one.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("method", ["backup API (.backup)", "VACUUM INTO"])
def test_sqlite_backup_restores_into_an_empty_database(populated, tmp_path, method):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's backup (make test)")
    backup = tmp_path / "backup.sqlite3"
    connection.ensure_connection()
    if method == "VACUUM INTO":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM INTO %s", [str(backup)])
    else:
        with sqlite3.connect(backup) as target:
            connection.connection.backup(target)
        target.close()
    restored = tmp_path / "restored" / "db.sqlite3"  # a new, empty place
    restored.parent.mkdir()
    shutil.copy(backup, restored)
    assert_same(read_back(f"sqlite:///{restored}"), populated)


@pytest.mark.django_db(transaction=True)
def test_postgres_dump_restores_into_an_empty_database(populated, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's pg_dump and pg_restore (make test-postgres)")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.fail("pg_dump and pg_restore are needed (Debian's postgresql-client)")
    settings = connection.settings_dict
    source = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}"
    name = f"{settings['NAME']}_restored"
    dump = tmp_path / "resource_map.dump"
    subprocess.run(["pg_dump", "-Fc", "-f", dump, f"{source}/{settings['NAME']}"], check=True)
    with psycopg.connect(f"{source}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')  # empty: no tables at all
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", "-d", f"{source}/{name}", dump],
            check=True,
        )
        assert_same(read_back(f"{source}/{name}"), populated)
    finally:
        with psycopg.connect(f"{source}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    assert urlsplit(source).scheme == "postgres"
