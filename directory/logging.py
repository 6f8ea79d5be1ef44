"""Log filters: a searched place or text must never reach a log file."""

import logging
import re

# A query string starts at "?" or its percent-encoded form "%3F" and runs to the next
# whitespace, quotes included (a searched "O'Fallon"; a script may send raw quotes). Only
# when the URL itself stands in quotes ('/?near=…' in a repr) is its closing quote kept.
_QUERY = re.compile(r"(?P<open>[\"']?)(?P<path>[^\s\"'?]*?)(?:\?|%3[Ff])(?P<rest>\S*)")


def _without_query(match: re.Match) -> str:
    open_quote, rest = match["open"], match["rest"]
    closing = rest[rest.rfind(open_quote) :] if open_quote and open_quote in rest else ""
    return f"{open_quote}{match['path']}?…{closing}"


def strip_query(text: str) -> str:
    """Drop every query string from a logged line (`/?near=10001` becomes `/?…`)."""
    return _QUERY.sub(_without_query, text)


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
