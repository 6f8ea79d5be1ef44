"""A token that changes with every write to what a provider row shows.

`DirectoryVersion` holds one row. Database triggers on every table a row of the API reads
(organizations, services, locations, their links, phones, hours, terms and languages) give
it a new random token when a transaction that wrote to them commits, so every way of
writing (save(), QuerySet.update(), bulk_create(), M2M changes, raw SQL, imports, a
TRUNCATE on PostgreSQL) changes it, and a rolled-back write leaves the old one. A process
may keep rows it has built while the token it reads stays the same (api/provider_rows.py).
The token is random, not a counter, so a rolled-back write cannot bring back a token some
process saw before with other data (a counter would repeat).

- SQLite (one writer at a time anyway): row triggers change the token at once, in the
  writing transaction, which therefore sees its own new token.
- PostgreSQL: a deferred constraint trigger changes the token once per transaction, at
  commit, so the one-row table is locked only while a transaction commits (changed at each
  statement, it stayed locked until commit: a long import made every other writer wait, and
  two writers could deadlock). Until then a statement trigger marks the transaction as
  having written (a transaction-local setting), and `current_token` answers None in it:
  a transaction never reuses rows kept from before its own writes.

Like the search copies' triggers (providers/search_index.py), these are (re)installed after
each `migrate`, because SQLite drops a table's triggers when a migration rebuilds the table.
"""

from django.db import connection as default_connection

TABLE = "providers_directoryversion"
# Every table whose rows a provider row shows (tests hold this list to provider_rows' reads).
WATCHED = (
    "providers_organization",
    "providers_service",
    "providers_location",
    "providers_serviceatlocation",
    "providers_phone",
    "providers_service_terms",
    "providers_service_languages",
    "providers_openinghours",
    "providers_location_accessibility",
    "providers_term",
    "providers_language",
)
_EVENTS = ("INSERT", "UPDATE", "DELETE")

# SQLite has row triggers only. An UPDATE, then an INSERT if the row is missing (a flush
# deletes it): not INSERT OR REPLACE, whose conflict clause a writer's own INSERT OR IGNORE
# would override, leaving the token unchanged.
_SQLITE_BODY = (
    f"BEGIN UPDATE {TABLE} SET token = random() WHERE id = 1; "
    f"INSERT INTO {TABLE} (id, token) SELECT 1, random() "
    f"WHERE NOT EXISTS (SELECT 1 FROM {TABLE} WHERE id = 1); END"
)
WRITTEN = "providers.directory_written"  # set in a PostgreSQL transaction that wrote
_CHANGED = "providers.directory_token_changed"  # set once its token has changed
_POSTGRES_FUNCTIONS = {
    "providers_directory_written": f"""
        BEGIN
          PERFORM set_config('{WRITTEN}', 'yes', true);
          RETURN NULL;
        END""",
    "providers_directory_version_bump": f"""
        BEGIN
          IF current_setting('{_CHANGED}', true) = 'yes' THEN
            RETURN NULL;
          END IF;
          PERFORM set_config('{_CHANGED}', 'yes', true);
          INSERT INTO {TABLE} (id, token) VALUES (1, (random() * 9e18)::bigint)
            ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
          RETURN NULL;
        END""",
}


def _postgres_triggers(table: str) -> dict[str, str]:
    """name -> what follows CREATE [CONSTRAINT] TRIGGER name, for one table."""
    return {
        f"{table}_version_written": "TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
        f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION providers_directory_written()",
        # Constraint triggers are row triggers; all but the first of a transaction return
        # at once (a 100k-row import spends about a second on them at commit).
        f"{table}_version": "CONSTRAINT TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE "
        f"ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
        "EXECUTE FUNCTION providers_directory_version_bump()",
        # TRUNCATE has no row triggers: the token changes at once (a flush, in tests).
        f"{table}_version_truncate": f"TRIGGER {{name}} AFTER TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION providers_directory_version_bump()",
    }


def _sqlite_name(table: str, event: str) -> str:
    return f"{table}_version_{event.lower()}"


def install_triggers(connection=default_connection) -> None:
    """Create (or replace) the triggers on this database."""
    drop_triggers(connection)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for table in WATCHED:
                for event in _EVENTS:
                    name = _sqlite_name(table, event)
                    cursor.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} {_SQLITE_BODY}")
        elif connection.vendor == "postgresql":
            for name, body in _POSTGRES_FUNCTIONS.items():
                cursor.execute(
                    f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql "
                    f"AS $body${body}$body$"
                )
            for table in WATCHED:
                for name, statement in _postgres_triggers(table).items():
                    cursor.execute("CREATE " + statement.format(name=name))
        else:  # pragma: no cover - settings only allow these two
            raise NotImplementedError(f"directory version triggers for {connection.vendor}")


def drop_triggers(connection=default_connection) -> None:
    """Remove the triggers (and PostgreSQL's functions), as far as they exist."""
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in WATCHED:
            if table not in tables:
                continue
            if connection.vendor == "sqlite":
                for event in _EVENTS:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {_sqlite_name(table, event)}")
            elif connection.vendor == "postgresql":
                for name in _postgres_triggers(table):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        if connection.vendor == "postgresql":
            for name in _POSTGRES_FUNCTIONS:
                cursor.execute(f"DROP FUNCTION IF EXISTS {name}() CASCADE")


def current_token(connection=default_connection) -> int | None:
    """The token as this connection sees it, or None when nothing may be kept: the row is
    missing (the next write puts it back), or this PostgreSQL transaction has written."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT token, current_setting(%s, true) FROM {TABLE} WHERE id = 1", [WRITTEN]
            )
            row = cursor.fetchone()
            return None if row is None or row[1] == "yes" else row[0]
        cursor.execute(f"SELECT token FROM {TABLE} WHERE id = 1")
        row = cursor.fetchone()
    return None if row is None else row[0]


def tables_exist(connection, table: str) -> bool:
    """Whether `table` and every watched table exist (a post_migrate handler installs its
    triggers only then: migrated backwards past the migration that added `table`, its
    reverse dropped them)."""
    tables = set(connection.introspection.table_names())
    return table in tables and set(WATCHED) <= tables


def on_post_migrate(sender, using="default", **kwargs) -> None:
    from django.db import connections

    connection = connections[using]
    if not tables_exist(connection, TABLE):
        drop_triggers(connection)  # any left would fail every write
        return
    install_triggers(connection)
    # A migration may have written rows while SQLite had dropped a rebuilt table's triggers.
    change_token(connection)


def change_token(connection=default_connection) -> None:
    """A new token now (what the triggers do on a write)."""
    new = "random()" if connection.vendor == "sqlite" else "(random() * 9e18)::bigint"
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET token = {new} WHERE id = 1")
        if cursor.rowcount == 0:
            cursor.execute(f"INSERT INTO {TABLE} (id, token) VALUES (1, {new})")
