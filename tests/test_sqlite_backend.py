"""The SQLite backend (directory/sqlite) converts placeholders as Django's does, once."""

import pytest
from django.db import connection
from django.db.backends.sqlite3.base import SQLiteCursorWrapper as DjangoCursor

from directory.sqlite import base
from providers.models import Language

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backend")

STATEMENTS = [
    "SELECT %s",
    "SELECT %s, %s FROM t WHERE a IN (%s, %s)",
    "SELECT '%%s', %s",  # a literal "%s"
    "SELECT 5 %% 3, %s",  # the modulo operator
    "SELECT '100%%', '%%%s'",
    "SELECT 1",
]


@pytest.mark.parametrize("statement", STATEMENTS)
def test_statements_convert_as_djangos_backend_converts_them(statement):
    expected = DjangoCursor.convert_query(None, statement)
    assert base.SQLiteCursorWrapper.convert_query(None, statement) == expected
    assert base.SQLiteCursorWrapper.convert_query(None, statement) == expected  # kept


def test_named_parameters_convert_as_djangos_too():
    statement = "SELECT %(a)s, %(b)s"
    assert base.SQLiteCursorWrapper.convert_query(
        None, statement, param_names=["a", "b"]
    ) == DjangoCursor.convert_query(None, statement, param_names=["a", "b"])


@pytest.mark.django_db
def test_the_sites_connections_use_it_and_run_statements():
    assert connection.settings_dict["ENGINE"] == "directory.sqlite"
    # Tests run in memory, as they do with Django's own backend.
    assert connection.is_in_memory_db()
    with connection.cursor() as cursor:
        assert isinstance(cursor.cursor, base.SQLiteCursorWrapper)
        cursor.execute("SELECT %s, '%%s', 7 %% 4", ["x"])
        assert cursor.fetchall() == [("x", "%s", 3)]
        cursor.execute("SELECT %(a)s", {"a": 5})
        assert cursor.fetchall() == [(5,)]
    Language.objects.bulk_create([Language(code=f"x{n}", name=f"Test {n}") for n in range(3)])
    assert Language.objects.filter(code__startswith="x").count() == 3


def test_a_statement_run_again_is_converted_once_and_a_long_one_is_not_kept():
    statement = "SELECT %s /* test_sqlite_backend, run twice */"
    base._qmark(statement)
    hits = base._qmark.cache_info().hits
    base.SQLiteCursorWrapper.convert_query(None, statement)
    assert base._qmark.cache_info().hits == hits + 1
    long = "SELECT %s" + " " * base.CACHED_LENGTH
    size = base._qmark.cache_info().currsize
    assert base.SQLiteCursorWrapper.convert_query(None, long) == "SELECT ?" + " " * (
        base.CACHED_LENGTH
    )
    assert base._qmark.cache_info().currsize == size
