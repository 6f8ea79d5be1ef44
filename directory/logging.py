"""Log filters: a searched place or text must never reach a log file."""

import logging
import re

_QUERY = re.compile(r"\?[^\s\"']*")


def strip_query(text: str) -> str:
    """Drop every query string from a logged line (`/?near=10001` becomes `/?…`)."""
    return _QUERY.sub("?…", text)


class StripQueryStrings(logging.Filter):
    """Rewrite request lines (runserver, django.request) without their query strings."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = strip_query(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = ()
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "META"):
            record.request = None
        return True
