"""Production logs are JSON lines, and no line ever holds a searched place, text or point.

The line-level scrubber is tested in tests/test_anonymous_visitors.py; here whole requests
run with every logger at DEBUG through the production configuration (directory/logging.py),
and gunicorn's own error and access logs go through deploy/gunicorn.conf.py's.
"""

import io
import json
import logging
import logging.config
import re
import runpy
from datetime import timedelta
from http import HTTPStatus
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pytest
from django.conf import settings
from django.test import Client

from directory.logging import logging_config

ROOT = Path(__file__).resolve().parent.parent
# What was searched, in every spelling a log line could carry it.
PLACE, TEXT, LAT, LNG = "Oak Park, IL", "immigration lawyer", "41.88501", "-87.78447"
NEEDLES = [
    "Oak Park", "Oak+Park", "Oak%20Park", "Oak%2BPark", "immigration", LAT, LNG, "41.885",
    "-87.784",
]  # fmt: skip
# A line's own time, logged at :41.885, would hold a needle: times are blanked before a look.
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?")


def found(needles: list[str], log: str) -> list[str]:
    """The needles the log holds outside its lines' timestamps."""
    log = TIME.sub("<time>", log)
    return [needle for needle in needles if needle in log]


@pytest.fixture
def production_log():
    """Every logger at DEBUG, as production writes them (JSON lines), into a buffer."""
    config = logging_config(json_lines=True, level="DEBUG", loggers={"django": "DEBUG"})
    logging.config.dictConfig(config)
    buffer = io.StringIO()
    for handler in logging.getLogger().handlers:
        handler.setStream(buffer)
    for handler in logging.getLogger("django").handlers:
        handler.setStream(buffer)
    yield buffer
    logging.config.dictConfig(settings.LOGGING)


def lines_of(buffer: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


@pytest.mark.django_db
def test_searches_and_their_errors_leave_no_place_in_any_log_line(production_log, make_provider):
    make_provider(name="Harbor House", services=("legal-assistance",))
    client = Client(raise_request_exception=False)
    requests = [
        ("/", {"near": PLACE, "q": TEXT}),
        ("/", {"lat": LAT, "lng": LNG}),
        ("/", {"near": f"{PLACE}\x00"}),  # 400
        ("/api/v1/providers/", {"lat": LAT, "lng": LNG, "q": TEXT}),
        ("/api/v1/providers/", {"near": PLACE, "radius": "far"}),  # 400
        ("/api/v1/places/", {"q": PLACE}),
        ("/no-such-page/", {"near": PLACE}),  # 404, logged as a warning
        ("/options/find/", {"near": PLACE, "service": "no-such-need"}),
    ]
    for path, query in requests:
        assert client.get(path, query).status_code < 500, path
    crash = RuntimeError(f"search failed near {PLACE} at {LAT},{LNG} for /?near={PLACE}")
    with mock.patch("providers.search.search", side_effect=crash):
        response = client.get("/", {"near": PLACE})
        api = client.get("/api/v1/providers/", {"lat": LAT, "lng": LNG})
    assert HTTPStatus.INTERNAL_SERVER_ERROR in (response.status_code, api.status_code)

    text = production_log.getvalue()
    lines = lines_of(production_log)  # every line is one JSON object
    messages = [line["message"] for line in lines]
    assert any(m.startswith("Not Found: /no-such-page/") for m in messages), messages
    assert any(m.startswith("Internal Server Error: /") for m in messages), messages
    assert any("exception" in line for line in lines)
    assert {"time", "level", "logger", "message"} <= set(lines[0])
    assert found(NEEDLES, text) == []


def test_a_time_is_blanked_but_a_logged_point_is_not():
    assert found(NEEDLES, '{"time": "2026-12-03T04:16:41.885+00:00", "message": "ok"}') == []
    assert found(["41.885"], '{"time": "2026-12-03T04:16:02.000+00:00", "message": "41.885"}')


def gunicorn_logger(monkeypatch, access_log: str):
    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    monkeypatch.setenv("GUNICORN_ACCESS_LOG", access_log)
    conf = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    cfg = Config()
    for name, value in conf.items():
        if name in cfg.settings:
            cfg.set(name, value)
    return Logger(cfg)


def a_search_answered(logger) -> None:
    query = "near=Oak+Park%2C+IL&q=immigration+lawyer&lat=41.88501&lng=-87.78447"
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/?{query}",
        "PATH_INFO": "/",
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_REFERER": f"https://example.org/?{query}",
    }
    response = SimpleNamespace(status="200 OK", sent=5120, headers=[])
    request = SimpleNamespace(headers=[("HOST", "example.org")])
    logger.access(response, request, environ, timedelta(milliseconds=42))
    # A path that decoded a "%3F" holds a query string too.
    encoded = {**environ, "PATH_INFO": "/es/?near=Oak Park", "RAW_URI": "/es/%3Fnear=Oak+Park"}
    logger.access(response, request, encoded, timedelta(milliseconds=7))
    logger.error("Error handling request /?%s", query)


def test_gunicorn_logs_json_lines_and_its_access_format_keeps_no_place(monkeypatch, capsys):
    try:
        a_search_answered(gunicorn_logger(monkeypatch, "true"))
        err = capsys.readouterr().err
    finally:
        logging.config.dictConfig(settings.LOGGING)
    lines = [json.loads(line) for line in err.splitlines()]
    assert [(line["logger"], line["message"]) for line in lines] == [
        ("gunicorn.access", "method=GET path=/ status=200 bytes=5120 ms=42"),
        ("gunicorn.access", "method=GET path=/es/?… status=200 bytes=5120 ms=7"),
        ("gunicorn.error", "Error handling request /?…"),
    ]
    assert found([*NEEDLES, "203.0.113.9", "example.org"], err) == []


def test_gunicorn_keeps_no_access_log_unless_asked(monkeypatch, capsys):
    try:
        a_search_answered(gunicorn_logger(monkeypatch, "false"))
        err = capsys.readouterr().err
    finally:
        logging.config.dictConfig(settings.LOGGING)
    assert [json.loads(line)["logger"] for line in err.splitlines()] == ["gunicorn.error"]


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({"DJANGO_ENV": "production"}, "json"),
        ({"DJANGO_ENV": "production", "DJANGO_LOG_FORMAT": "text"}, "text"),
        ({"DJANGO_LOG_FORMAT": ""}, "text"),
        ({"DJANGO_LOG_FORMAT": "xml"}, "DJANGO_LOG_FORMAT='xml': use json or text."),
    ],
)
def test_log_format_setting(environment, expected):
    import subprocess
    import sys

    code = "import django; django.setup(); from django.conf import settings; "
    code += "print(settings.LOG_FORMAT)"
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "directory.settings",
        "DJANGO_SECRET_KEY": "x" * 60,
        "DJANGO_ALLOWED_HOSTS": "example.org",
        **environment,
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert expected in (result.stdout + result.stderr)


def test_a_failed_jobs_error_text_is_not_logged_by_the_rq_worker(capsys):
    """RQ's worker logs a failed job with its whole traceback as text, the exception's message
    included (an import error may quote a row, a sync error a feed's page). Through our
    logging the frames stay and the message does not; RQ adds no handler of its own."""
    from rq.logutils import setup_loghandlers
    from rq.utils import get_version  # noqa: F401 - rq is installed

    logging.config.dictConfig(settings.LOGGING)
    setup_loghandlers("INFO")  # what `manage.py rqworker` does; a no-op once we handle rq
    typed = "77 Hidden Lane, Springfield"  # a frame's line shows code, never this value
    try:
        raise ValueError(f"no place called {typed}")
    except ValueError:
        import sys
        import traceback

        text = "".join(traceback.format_exception(*sys.exc_info()))
    logging.getLogger("rq.worker").error(
        "Worker %s: job %s: exception raised while executing (%s)\n%s",
        "w1",
        "j1",
        "providers.importers.runs.run_import",
        text,
    )
    captured = capsys.readouterr()
    logged = captured.out + captured.err
    assert "77 Hidden Lane" not in logged
    assert "ValueError" in logged and "test_logging.py" in logged
