"""Requests through Django's WSGI handler (every middleware, as a server runs them), not the
test client: the path exactly as WSGI passes it, and nothing of the response kept."""

from contextlib import contextmanager
from urllib.parse import urlencode

from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory


@contextmanager
def _test_connection_kept():
    """As the test client does: the test's connection (its transaction) is not closed at the
    start and end of a request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def serve(path: str, params: dict | None = None, **meta) -> tuple[str, dict, bytes]:
    """(status line, headers, body) of a GET of `path` (as WSGI passes it) and `params`."""
    environ = RequestFactory()._base_environ(
        PATH_INFO=path, QUERY_STRING=urlencode(params or {}), REQUEST_METHOD="GET", **meta
    )
    answer: dict = {}

    def start_response(status, headers):
        answer.update(status=status, headers=dict(headers))

    with _test_connection_kept():
        body = WSGIHandler()(environ, start_response)
        try:
            content = b"".join(body)
        finally:
            body.close()
    return answer["status"], answer["headers"], content
