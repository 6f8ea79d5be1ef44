"""Log filters: a searched place or text must never reach a log file."""

import json
import logging
import re
import traceback
from datetime import UTC, datetime

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
        if isinstance(record.args, dict) and isinstance(record.args.get("U"), str):
            # gunicorn's access atoms: a path that decoded "%3F" holds a query, spaces and all.
            path, mark, _query = record.args["U"].partition("?")
            record.args["U"] = f"{path}?…" if mark else path
        message = record.getMessage()
        cleaned = strip_query(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = ()
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "META"):
            record.request = None
        return True


_TRACEBACK = "Traceback (most recent call last):"
_EXCEPTION_LINE = re.compile(r"^(?P<kind>[A-Za-z_][\w.]*)(?::.*)?$")


def traceback_text_without_messages(text: str) -> str:
    """A traceback already written as text (RQ's worker logs one) with each exception's
    message replaced by "(message not logged)": its frames and types stay."""
    kept, in_message = [], False
    for line in text.splitlines():
        if line.startswith((_TRACEBACK, "  ")) or not line.strip():
            kept.append(line)
            in_message = False
        elif line.startswith(("During handling", "The above exception")):
            kept.append(line)
            in_message = False
        elif not in_message and (match := _EXCEPTION_LINE.match(line)):
            kept.append(f"{match['kind']} (message not logged)")
            in_message = True  # a message's further lines are dropped
    return "\n".join(kept)


class WithoutTracebackMessages(logging.Filter):
    """A traceback passed as a log argument (RQ's failed-job line) keeps no message."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(
            isinstance(arg, str) and _TRACEBACK in arg for arg in record.args
        ):
            record.args = tuple(
                traceback_text_without_messages(arg)
                if isinstance(arg, str) and _TRACEBACK in arg
                else arg
                for arg in record.args
            )
        return True


def traceback_without_messages(error: BaseException) -> str:
    """The traceback of an exception and of those it was raised from or while handling, each
    ending in the exception's type only."""
    parts, seen = [], set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        kind = type(error)
        frames = "".join(traceback.format_tb(error.__traceback__))
        parts.append(f"{frames}{kind.__module__}.{kind.__qualname__} (message not logged)")
        error = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
    return "\n-- raised while handling --\n".join(reversed(parts))


class JsonLines(logging.Formatter):
    """One JSON object a line (production's logs): time in UTC, level, logger, message, and the
    exception when there is one, without its message (which may quote what was typed: "no
    place called ..."). Every text is stripped of query strings again here."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": strip_query(record.getMessage()),
        }
        if record.exc_info and record.exc_info[1] is not None:
            entry["exception"] = strip_query(traceback_without_messages(record.exc_info[1]))
        if record.stack_info:
            entry["stack"] = strip_query(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False)


def logging_config(*, json_lines: bool, level: str = "WARNING", loggers: dict) -> dict:
    """A dictConfig of one stderr handler, query strings stripped, JSON lines or plain text:
    Django's LOGGING (settings) and gunicorn's logconfig_dict (deploy/gunicorn.conf.py)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "no_query_strings": {"()": "directory.logging.StripQueryStrings"},
            "no_traceback_messages": {"()": "directory.logging.WithoutTracebackMessages"},
        },
        "formatters": {"json": {"()": "directory.logging.JsonLines"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["no_traceback_messages", "no_query_strings"],
                **({"formatter": "json"} if json_lines else {}),
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            name: {"handlers": ["console"], "level": logger_level, "propagate": False}
            for name, logger_level in loggers.items()
        },
    }
