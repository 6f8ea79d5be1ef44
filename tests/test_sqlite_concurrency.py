"""Readers and writers at once on SQLite (the embedded default), each on its own connection
as each worker process has: a search goes on while an import writes, and of two editors
saving at once the second waits its turn; nobody gets "database is locked"."""

import threading

import pytest
from django.db import connection, connections, transaction

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's own locking (PostgreSQL locks rows)"
)


@pytest.fixture
def two_editors(tmp_path, django_db_blocker):
    """Two connection aliases to one SQLite file (not the test database), with the site's own
    database options; each thread opens its own connection, as each worker process does."""
    options = {**connections.settings["default"], "NAME": str(tmp_path / "site.sqlite3")}
    options["OPTIONS"] = {**options["OPTIONS"], "timeout": 2}  # a lock waited for 2 s fails
    aliases = ("editor_a", "editor_b")
    for alias in aliases:
        connections.settings[alias] = dict(options)
    try:
        with django_db_blocker.unblock():
            with connections["editor_a"].cursor() as cursor:
                cursor.execute("CREATE TABLE listing (id INTEGER PRIMARY KEY, description TEXT)")
                cursor.execute("INSERT INTO listing VALUES (1, 'as imported')")
            connections["editor_a"].close()
            yield aliases
    finally:
        for alias in aliases:
            connections[alias].close()
            del connections[alias]
            del connections.settings[alias]


def test_an_editor_who_read_first_still_saves_while_another_commits(two_editors):
    """The failure seen under bench/load.py: editor A's transaction reads, editor B writes and
    commits meanwhile, then A writes. Begun as a reader, A's write failed at once (SQLite does
    not wait to turn a reading transaction into a writing one: what A read is out of date
    once B commits); begun as a writer, B waits for A instead."""
    a_read, b_wrote = threading.Event(), threading.Event()
    failures = []

    def save(alias: str, text: str, *, started: threading.Event, done: threading.Event, wait):
        try:
            with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
                cursor.execute("SELECT description FROM listing WHERE id = 1")
                started.set()
                wait()
                cursor.execute("UPDATE listing SET description = %s WHERE id = 1", [text])
                done.set()
        except Exception as error:  # the assertion below names it
            failures.append(f"{alias}: {error}")
        finally:
            started.set()
            done.set()
            connections[alias].close()

    editor_a = threading.Thread(
        target=save,
        args=("editor_a", "A"),
        # A writes once B wrote and is committing (or after a second, if B waits for A).
        kwargs={"started": a_read, "done": threading.Event(), "wait": lambda: b_wrote.wait(1)},
    )
    b_started = threading.Event()
    editor_b = threading.Thread(
        target=lambda: (a_read.wait(5), save(
            "editor_b", "B", started=b_started, done=b_wrote, wait=lambda: None
        )),
    )  # fmt: skip
    for thread in (editor_a, editor_b):
        thread.start()
    for thread in (editor_a, editor_b):
        thread.join(timeout=30)
    assert failures == []
    with connections["editor_a"].cursor() as cursor:
        cursor.execute("SELECT description FROM listing WHERE id = 1")
        assert cursor.fetchone()[0] in {"A", "B"}


def test_a_search_answers_while_a_large_import_is_writing(two_editors):
    """An import is one transaction. Once its changes outgrew SQLite's page cache, the rollback
    journal locked every reader out until it committed: a survivor's search failed with
    "database is locked" for as long as the import ran."""
    importer, survivor = two_editors
    with transaction.atomic(using=importer), connections[importer].cursor() as writing:
        writing.execute("PRAGMA cache_size = 20")  # a large import, in miniature
        writing.executemany("INSERT INTO listing (description) VALUES (%s)", [["x" * 200]] * 5000)
        with connections[survivor].cursor() as reading:
            reading.execute("SELECT description FROM listing")
            assert reading.fetchall() == [("as imported",)]  # what was committed
    with connections[survivor].cursor() as reading:
        reading.execute("SELECT count(*) FROM listing")
        assert reading.fetchone() == (5001,)
