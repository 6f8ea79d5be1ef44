"""The production command's settings: gunicorn's configuration and the static folder."""

import runpy
from pathlib import Path

import pytest

GUNICORN_CONF = Path(__file__).resolve().parent.parent / "deploy" / "gunicorn.conf.py"


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
