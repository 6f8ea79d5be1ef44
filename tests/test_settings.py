"""Settings come from the environment, fail loudly on nonsense, and are safe in production."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "x" * 20 + "-production-test-key-" + "y" * 20,
    "DJANGO_ALLOWED_HOSTS": "map.example.org",
}


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG='maybe' is not a boolean"),
        ({"DJANGO_ENV": "staging"}, "DJANGO_ENV='staging'"),
        ({"DATABASE_URL": "mysql://db/x"}, "scheme 'mysql' is not supported"),
        ({"SEARCH_MAX_RADIUS_MI": "lots"}, "SEARCH_MAX_RADIUS_MI='lots' is not a whole number"),
        ({"QUICK_EXIT_URL": "weather"}, "QUICK_EXIT_URL='weather' is not an http(s) URL"),
        ({"DJANGO_ENV": "production"}, "DJANGO_SECRET_KEY is required"),
        ({**PRODUCTION, "DJANGO_DEBUG": "true"}, "DJANGO_DEBUG must be false"),
        ({**PRODUCTION, "DJANGO_SECRET_KEY": "short"}, "at least 50 characters"),
    ],
)
def test_nonsense_settings_stop_the_start_with_a_message(env, message):
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_settings_pass_the_deploy_check():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout


@pytest.mark.parametrize(
    ("env", "expected"),
    [({}, "-65536 1073741824"), ({"SQLITE_MMAP_MB": "0", "SQLITE_CACHE_MB": "8"}, "-8192 0")],
)
def test_a_sqlite_file_is_read_through_its_page_cache_and_a_memory_map(tmp_path, env, expected):
    script = (
        "from django.db import connection\n"
        "with connection.cursor() as cursor:\n"
        "    values = [cursor.execute(f'PRAGMA {name}').fetchone()[0]"
        " for name in ('cache_size', 'mmap_size')]\n"
        "print(*values)"
    )
    result = run_manage(
        "shell", "-c", script, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", **env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == expected.split()


def test_a_serving_process_freezes_what_it_loaded_and_collects_less_often():
    script = (
        "import gc, directory.wsgi\n"
        "from directory.process import THRESHOLDS\n"
        "print(gc.get_freeze_count() > 10_000, gc.get_threshold() == THRESHOLDS)"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=clean, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True"]
