"""The systemd units in deploy/: each runs a command this checkout has, with arguments it
accepts, as the unprivileged user with the site's environment, and docs/deploy.md names it.
(tools/smoke_prod.py starts the web unit's commands for real in CI.)"""

import importlib
import shlex
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
PYTHON = "/srv/resource-map/.venv/bin/python"
# unit file -> what its ExecStart= runs
UNITS = {
    "resource-map.service": ["/srv/resource-map/.venv/bin/gunicorn", "directory.wsgi"],
    "resource-map-worker.service": [PYTHON, "manage.py", "rqworker", "default"],
    "resource-map-scheduler.service": [PYTHON, "manage.py", "rqcron", "providers.cron"],
}


def directives(path: Path) -> dict[str, list[str]]:
    """Each key's values, as systemd reads the file (sections are not told apart here)."""
    found: dict[str, list[str]] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("["):
            found.setdefault(line, [])
        elif line and not line.startswith(("#", ";")):
            key, _, value = line.partition("=")
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def test_every_unit_in_deploy_is_checked_here():
    assert sorted(path.name for path in DEPLOY.glob("*.service")) == sorted(UNITS)


@pytest.mark.parametrize("name", list(UNITS))
def test_a_unit_runs_as_the_site_user_with_the_site_environment(name):
    unit = directives(DEPLOY / name)
    for section in ("[Unit]", "[Service]", "[Install]"):
        assert section in unit, section
    assert unit["User"] == ["resource-map"] and unit["Group"] == ["resource-map"]
    assert unit["WorkingDirectory"] == ["/srv/resource-map"]
    assert unit["EnvironmentFile"] == ["/etc/resource-map/env"]
    assert "DJANGO_ENV=production" in unit["Environment"]
    assert unit["NoNewPrivileges"] == ["yes"] and unit["ProtectSystem"] == ["strict"]
    assert unit["Restart"] in (["always"], ["on-failure"])
    assert unit["WantedBy"] == ["multi-user.target"]
    [start] = unit["ExecStart"]
    assert shlex.split(start)[: len(UNITS[name])] == UNITS[name]


@pytest.mark.parametrize("name", [n for n, command in UNITS.items() if "manage.py" in command])
def test_a_units_management_command_exists_and_takes_its_arguments(name):
    [start] = directives(DEPLOY / name)["ExecStart"]
    _python, _manage, command, *args = shlex.split(start.replace("%H", "host").replace("%i", "1"))
    app = get_commands()[command]
    parser = load_command_class(app, command).create_parser("manage.py", command)
    options = parser.parse_args(args)  # exits on an argument the command does not take
    if command == "rqcron":  # its schedule: test_jobs.py checks what it registers
        importlib.import_module(options.config_path)


@pytest.mark.parametrize("name", list(UNITS))
def test_the_deploy_guide_names_every_unit(name):
    assert f"deploy/{name}" in (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
