"""Django's SQLite backend, with each statement's placeholders converted once.

Django's SQLite cursor turns every statement's "%s" placeholders into sqlite3's "?" with a
regular expression, on every execution. For the search's statements (a few thousand
characters each) that scan was about a tenth of a whole API request. The conversion is a
pure function of the statement's text, so it is kept for the statements run again;
statements longer than `CACHED_LENGTH` (bulk inserts) are converted as before and not kept.

Selected by directory/settings.py for sqlite:/// URLs (`ENGINE = "directory.sqlite"`).
"""

from functools import lru_cache

from django.db.backends.sqlite3 import base

CACHED_LENGTH = 20_000
CACHED_STATEMENTS = 512


# Django's own conversion (it reads nothing of the cursor).
_convert = base.SQLiteCursorWrapper.convert_query


@lru_cache(maxsize=CACHED_STATEMENTS)
def _qmark(query: str) -> str:
    return _convert(None, query)


class SQLiteCursorWrapper(base.SQLiteCursorWrapper):
    def convert_query(self, query, *, param_names=None):
        if param_names is None and len(query) <= CACHED_LENGTH:
            return _qmark(query)
        return _convert(self, query, param_names=param_names)


class DatabaseWrapper(base.DatabaseWrapper):
    def create_cursor(self, name=None):
        return self.connection.cursor(factory=SQLiteCursorWrapper)
