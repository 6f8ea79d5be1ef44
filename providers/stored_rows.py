"""Triggers that keep stored provider rows (`StoredRow`) from ever being served stale.

api/provider_rows.py stores each listing's API row in the database, so that a search reads
one stored row per result instead of joining the nine tables a row shows. A stored row is
served only while nothing it shows has changed. Triggers on every table a row reads (the
directory token's, providers/directory_version.WATCHED) do that in the writing transaction:

- a listing (service at location) inserted gets a row to build (body NULL); one updated
  gets a new one; one deleted loses its row;
- any other write gives the rows of the listings it touches a new random `version` and
  clears their body: a service, location or organization updated or deleted; a phone, a
  term or language link, opening hours or an accessibility link inserted, updated or
  deleted; a term or language updated or deleted (the listings linked to it);
- TRUNCATE (PostgreSQL): every row is to be built (the listing table's: every row goes).

On PostgreSQL the marks are made when the writing transaction commits (deferred
constraint triggers), as the directory token's change is: made at each statement, they held
the marked rows locked until commit, so two transactions writing to one listing's service
and organization waited for each other. Each table's trigger is named after its token
trigger (`<table>_version_stored` after `<table>_version`), and PostgreSQL fires a row's
triggers in name order, so a committing transaction changes the token, locking its row,
before it marks anything. Transactions therefore mark one at a time, each after the one
before has committed:
- its joins see the listings another writer has just moved or added (found before that
  writer committed, a listing moved onto a changed location was missed and its row, built
  by the other writer's commit, stayed stale);
- two writers never lock stored rows in opposite orders (they could deadlock).
Until it commits, a transaction that has written reads no stored row
(`provider_rows._stored`), so it sees its own writes. SQLite, one writer at a time, marks
them at once.

Rows are built later (`provider_rows.store_rows`) and written only where the version is
still the one read before building, so a write that commits while a row is being built
leaves it to be built again. Like the other triggers (providers/search_index.py), these are
(re)installed after each `migrate`, which marks every row to be built when a trigger was
missing (SQLite drops a rebuilt table's triggers, so a migration may have written unseen).
"""

from django.db import connection as default_connection

from providers.directory_version import WATCHED, tables_exist

TABLE = "providers_storedrow"
_SAL = "providers_serviceatlocation"

# The listings whose rows show a given owner: {row} is NEW or OLD, {column} its column.
_LISTINGS_OF = {
    "service": f"SELECT id FROM {_SAL} WHERE service_id = {{row}}.{{column}}",
    "location": f"SELECT id FROM {_SAL} WHERE location_id = {{row}}.{{column}}",
    "organization": f"SELECT x.id FROM {_SAL} x JOIN providers_service s "
    "ON s.id = x.service_id WHERE s.organization_id = {row}.{column}",
    "service_term": f"SELECT x.id FROM {_SAL} x JOIN providers_service_terms t "
    "ON t.service_id = x.service_id WHERE t.term_id = {row}.{column}",
    "accessibility_term": f"SELECT x.id FROM {_SAL} x JOIN providers_location_accessibility a "
    "ON a.location_id = x.location_id WHERE a.term_id = {row}.{column}",
    "language": f"SELECT x.id FROM {_SAL} x JOIN providers_service_languages g "
    "ON g.service_id = x.service_id WHERE g.language_id = {row}.{column}",
}
_ALL_EVENTS = ("INSERT", "UPDATE", "DELETE")
_CHANGES = ("UPDATE", "DELETE")  # an owner's insert shows in no row yet
# Every watched table but the listings': (events, [(owner, column), ...]).
OWNERS = {
    "providers_organization": (_CHANGES, [("organization", "id")]),
    "providers_service": (_CHANGES, [("service", "id")]),
    "providers_location": (_CHANGES, [("location", "id")]),
    "providers_phone": (
        _ALL_EVENTS,
        [
            ("service", "service_id"),
            ("location", "location_id"),
            ("organization", "organization_id"),
        ],
    ),
    "providers_service_terms": (_ALL_EVENTS, [("service", "service_id")]),
    "providers_service_languages": (_ALL_EVENTS, [("service", "service_id")]),
    "providers_openinghours": (_ALL_EVENTS, [("location", "location_id")]),
    "providers_location_accessibility": (_ALL_EVENTS, [("location", "location_id")]),
    "providers_term": (_CHANGES, [("service_term", "id"), ("accessibility_term", "id")]),
    "providers_language": (_CHANGES, [("language", "code")]),
}
# A listing's own columns a row shows (an update of the search copies is not one of them).
_LISTING_COLUMNS = "id, service_id, location_id, description"
_RANDOM = {"sqlite": "random()", "postgresql": "(random() * 9e18)::bigint"}


# PostgreSQL: a row this transaction has marked already is left as it is (an import marks
# each listing's row once, not once per phone, hour and link).
_NOT_MARKED_HERE = " AND NOT (body IS NULL AND xmin = pg_current_xact_id()::xid)"


def _stale(table: str, row: str, vendor: str) -> str:
    """The statement that marks the rows `row` (NEW or OLD) of `table` touches."""
    _, owners = OWNERS[table]
    listings = " UNION ALL ".join(
        _LISTINGS_OF[owner].format(row=row, column=column) for owner, column in owners
    )
    return (
        f"UPDATE {TABLE} SET version = {_RANDOM[vendor]}, body = NULL WHERE listing IN ({listings})"
        + (_NOT_MARKED_HERE if vendor == "postgresql" else "")
    )


def _new_listing(row: str, vendor: str) -> str:
    # Delete, then insert: no conflict clause, which a writer's own INSERT OR IGNORE
    # would override on SQLite.
    return (
        f"DELETE FROM {TABLE} WHERE listing = {row}.id; "
        f"INSERT INTO {TABLE} (listing, version, body) VALUES ({row}.id, {_RANDOM[vendor]}, NULL)"
    )


def _sqlite_triggers() -> dict[str, str]:
    """name -> what follows CREATE TRIGGER name."""
    triggers = {
        f"{_SAL}_stored_insert": f"AFTER INSERT ON {_SAL} BEGIN "
        f"{_new_listing('NEW', 'sqlite')}; END",
        f"{_SAL}_stored_update": f"AFTER UPDATE OF {_LISTING_COLUMNS} ON {_SAL} BEGIN "
        f"DELETE FROM {TABLE} WHERE listing = OLD.id; {_new_listing('NEW', 'sqlite')}; END",
        f"{_SAL}_stored_delete": f"AFTER DELETE ON {_SAL} BEGIN "
        f"DELETE FROM {TABLE} WHERE listing = OLD.id; END",
    }
    for table, (events, _) in OWNERS.items():
        for event in events:
            rows = {"INSERT": ["NEW"], "UPDATE": ["OLD", "NEW"], "DELETE": ["OLD"]}[event]
            body = " ".join(f"{_stale(table, row, 'sqlite')};" for row in rows)
            triggers[f"{table}_stored_{event.lower()}"] = (
                f"AFTER {event} ON {table} BEGIN {body} END"
            )
    return triggers


def _postgres_function(table: str) -> str:
    if table == _SAL:
        return f"""
        BEGIN
          IF TG_OP <> 'INSERT' THEN
            DELETE FROM {TABLE} WHERE listing = OLD.id;
          END IF;
          IF TG_OP <> 'DELETE' THEN
            {_new_listing("NEW", "postgresql")};
          END IF;
          RETURN NULL;
        END"""
    return f"""
        BEGIN
          IF TG_OP <> 'INSERT' THEN
            {_stale(table, "OLD", "postgresql")};
          END IF;
          IF TG_OP <> 'DELETE' THEN
            {_stale(table, "NEW", "postgresql")};
          END IF;
          RETURN NULL;
        END"""


_POSTGRES_TRUNCATE = {
    # A listing table emptied: every stored row goes; any other: every row is to be built.
    "providers_stored_rows_truncate_listings": f"""
        BEGIN
          DELETE FROM {TABLE};
          RETURN NULL;
        END""",
    "providers_stored_rows_truncate": f"""
        BEGIN
          UPDATE {TABLE} SET version = {_RANDOM["postgresql"]}, body = NULL;
          RETURN NULL;
        END""",
}


def _postgres_name(table: str) -> str:
    # After directory_version's "<table>_version" in name order: see the module docstring.
    return f"{table}_version_stored"


def _postgres_truncate_name(table: str) -> str:
    # After directory_version's "<table>_version_truncate" in name order, as above.
    return f"{table}_version_truncate_stored"


# Names an earlier version of this module gave its PostgreSQL triggers and functions (they
# fired before the token's): dropped wherever they are left.
def _legacy_postgres_names(table: str) -> list[str]:
    return [f"{table}_stored", f"{table}_stored_truncate", f"{table}_version_stored_truncate"]


def _postgres_events(table: str) -> str:
    if table == _SAL:
        return f"INSERT OR UPDATE OF {_LISTING_COLUMNS} OR DELETE"
    return " OR ".join(OWNERS[table][0])


def _trigger_names(connection) -> set[str]:
    """The enabled triggers on the watched tables (PostgreSQL: those of this search path)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D' "
                "AND tgrelid = ANY(%s::regclass[])",
                [list(WATCHED)],
            )
        return {name for (name,) in cursor.fetchall()}


def installed(connection=default_connection) -> bool:
    """Whether every trigger is there (SQLite drops a table's when a migration rebuilds it)."""
    if connection.vendor == "sqlite":
        wanted = set(_sqlite_triggers())
    else:
        wanted = {_postgres_name(table) for table in WATCHED}
        wanted |= {_postgres_truncate_name(table) for table in WATCHED}
    return wanted <= _trigger_names(connection)


def install_triggers(connection=default_connection) -> None:
    """Create (or replace) the triggers on this database."""
    drop_triggers(connection)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name, body in _sqlite_triggers().items():
                cursor.execute(f"CREATE TRIGGER {name} {body}")
        elif connection.vendor == "postgresql":
            for name, body in _POSTGRES_TRUNCATE.items():
                cursor.execute(
                    f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql "
                    f"AS $body${body}$body$"
                )
            for table in WATCHED:
                name = _postgres_name(table)
                # Index scans only: PL/pgSQL keeps a plan per session, made once from the
                # statistics of the moment (a new, empty table during a first import), and a
                # sequential scan planned then read the whole table for every row written.
                cursor.execute(
                    f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql "
                    f"SET enable_seqscan TO off AS $body${_postgres_function(table)}$body$"
                )
                cursor.execute(
                    f"CREATE CONSTRAINT TRIGGER {name} AFTER {_postgres_events(table)} "
                    f"ON {table} DEFERRABLE INITIALLY DEFERRED "
                    f"FOR EACH ROW EXECUTE FUNCTION {name}()"
                )
                truncate = "providers_stored_rows_truncate" + ("_listings" if table == _SAL else "")
                cursor.execute(
                    f"CREATE TRIGGER {_postgres_truncate_name(table)} AFTER TRUNCATE ON {table} "
                    f"FOR EACH STATEMENT EXECUTE FUNCTION {truncate}()"
                )
        else:  # pragma: no cover - settings only allow these two
            raise NotImplementedError(f"stored row triggers for {connection.vendor}")


def drop_triggers(connection=default_connection) -> None:
    """Remove the triggers (and PostgreSQL's functions), as far as they exist."""
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in _sqlite_triggers():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        elif connection.vendor == "postgresql":
            for table in WATCHED:
                names = [
                    _postgres_name(table),
                    _postgres_truncate_name(table),
                    *_legacy_postgres_names(table),
                ]
                if table in tables:
                    for name in names:
                        cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                for name in names:
                    cursor.execute(f"DROP FUNCTION IF EXISTS {name}() CASCADE")
            for name in _POSTGRES_TRUNCATE:
                cursor.execute(f"DROP FUNCTION IF EXISTS {name}() CASCADE")


def mark_all(connection=default_connection, *, rebuild: bool = True) -> None:
    """A row for every listing and none for a listing that is gone; with `rebuild`, every
    row to be built."""
    new = _RANDOM[connection.vendor]
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE listing NOT IN (SELECT id FROM {_SAL})")
        if rebuild:
            cursor.execute(f"UPDATE {TABLE} SET version = {new}, body = NULL")
        cursor.execute(
            f"INSERT INTO {TABLE} (listing, version, body) SELECT id, {new}, NULL FROM {_SAL} "
            f"WHERE id NOT IN (SELECT listing FROM {TABLE}) ON CONFLICT (listing) DO NOTHING"
        )


def on_post_migrate(sender, using="default", **kwargs) -> None:
    from django.db import connections

    connection = connections[using]
    if not tables_exist(connection, TABLE):
        drop_triggers(connection)  # any left would fail every write
        return
    # Every row is to be built only if a trigger was missing: the first install, or a
    # migration that rebuilt a SQLite table (and may have written unseen).
    complete = installed(connection)
    install_triggers(connection)
    mark_all(connection, rebuild=not complete)
