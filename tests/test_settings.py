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
    """manage.py in a new process, with `env` and none of the settings these tests give."""
    ours = ("DJANGO_", "DATABASE_", "FEDERATION_", "TRUSTED_PROXY")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
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
        ({"API_BULK_RATE": "10 per hour"}, "API_BULK_RATE='10 per hour' is not a rate"),
        ({"SEARCH_PAGE_RATE": "0/minute"}, "SEARCH_PAGE_RATE='0/minute' is not a rate"),
        ({"TRUSTED_PROXIES": "10.0.0.0/8,proxy"}, "'proxy' is not an IP address or network"),
        ({"TRUSTED_PROXIES": "10.0.0.0/8,0.0.0.0/0"}, "'0.0.0.0/0' would trust nearly every"),
        ({"TRUSTED_PROXIES": "10.1.2.3/1"}, "'0.0.0.0/1' would trust nearly every"),
        ({"TRUSTED_PROXIES": "::/0"}, "'::/0' would trust nearly every"),
        (
            {"FEDERATION_ALLOWED_NETWORKS": "10.1.2.0/24,intranet"},
            "FEDERATION_ALLOWED_NETWORKS: 'intranet' is not an IP address or network",
        ),
        (
            {"TRUSTED_PROXIES": "10.0.0.1", "TRUSTED_PROXY_COUNT": "1"},
            "Set TRUSTED_PROXY_COUNT or TRUSTED_PROXIES, not both",
        ),
    ],
)
def test_nonsense_settings_stop_the_start_with_a_message(env, message):
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_a_site_may_read_feeds_on_the_networks_its_environment_lists():
    code = (
        "from providers.importers.outbound import why_not_public as why;"
        "print(repr(why('10.1.2.3'))); print(repr(why('10.9.9.9')))"
    )
    allowed = run_manage("shell", "-v", "0", "-c", code, FEDERATION_ALLOWED_NETWORKS="10.1.2.0/24")
    assert allowed.returncode == 0, allowed.stderr
    inside, outside = allowed.stdout.splitlines()
    assert inside == "''"
    assert "private" in outside
    default = run_manage("shell", "-v", "0", "-c", code)
    assert "private" in default.stdout.splitlines()[0]


def test_production_settings_pass_the_deploy_check():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout


@pytest.mark.parametrize(("env", "expected"), [({}, "-65536"), ({"SQLITE_CACHE_MB": "8"}, "-8192")])
def test_a_sqlite_connection_gets_the_configured_page_cache(tmp_path, env, expected):
    script = (
        "from django.db import connection\n"
        "with connection.cursor() as cursor:\n"
        "    print(cursor.execute('PRAGMA cache_size').fetchone()[0])"
    )
    result = run_manage(
        "shell", "-c", script, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", **env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == expected
