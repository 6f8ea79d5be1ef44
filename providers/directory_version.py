"""A token that changes with every write to what a provider row shows.

`DirectoryVersion` holds one row. Database triggers on every table a row of the API reads
(organizations, services, locations, their links, phones, hours, terms and languages) give
it a new random token on each insert, update or delete, in the writing transaction, so
every way of writing (save(), QuerySet.update(), bulk_create(), M2M changes, raw SQL,
imports, a TRUNCATE on PostgreSQL) changes it, and a rolled-back write leaves the old one.
A process may keep rows it has built while the token it read stays the same
(api/provider_rows.py). The token is random, not a counter, so a rolled-back write cannot
bring back a token some process saw before with other data (a counter would repeat).

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
_POSTGRES_FUNCTION = f"""
    CREATE OR REPLACE FUNCTION providers_directory_version_bump() RETURNS trigger
    LANGUAGE plpgsql AS $body$
    BEGIN
      INSERT INTO {TABLE} (id, token) VALUES (1, (random() * 9e18)::bigint)
        ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
      RETURN NULL;
    END $body$"""


def _sqlite_name(table: str, event: str) -> str:
    return f"{table}_version_{event.lower()}"


def _postgres_name(table: str) -> str:
    return f"{table}_version"


def install_triggers(connection=default_connection) -> None:
    """Create (or replace) the triggers on this database."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for table in WATCHED:
                for event in _EVENTS:
                    name = _sqlite_name(table, event)
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                    cursor.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} {_SQLITE_BODY}")
        elif connection.vendor == "postgresql":
            cursor.execute(_POSTGRES_FUNCTION)
            for table in WATCHED:
                name = _postgres_name(table)
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                # One per statement: a bulk write costs one token change, not one a row.
                cursor.execute(
                    f"CREATE TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                    f"ON {table} FOR EACH STATEMENT "
                    "EXECUTE FUNCTION providers_directory_version_bump()"
                )
        else:  # pragma: no cover - settings only allow these two
            raise NotImplementedError(f"directory version triggers for {connection.vendor}")


def current_token(connection=default_connection) -> int | None:
    """The token as this connection sees it, or None when the row is missing (then nothing
    may be kept: the next write puts the row back)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {TABLE} WHERE id = 1")
        row = cursor.fetchone()
    return None if row is None else row[0]


def on_post_migrate(sender, using="default", **kwargs) -> None:
    from django.db import connections

    connection = connections[using]
    tables = set(connection.introspection.table_names())
    if TABLE not in tables or not set(WATCHED) <= tables:
        return  # migrated backwards past the migration that added the version
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
