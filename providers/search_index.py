"""Keep ServiceAtLocation's search copies (search_lat, search_lng, search_listed) in step.

The radius search reads one covering index on service_at_location instead of joining
location, service and organization for every candidate (docs/search.md has the figures).
The copies are maintained by database triggers, so every way of writing (save(),
QuerySet.update(), bulk_create(), raw SQL, imports) keeps them right:

* search_lat / search_lng: the location's coordinates when it is a physical place, else NULL;
* search_listed: the service and its organization are both published.

The triggers are (re)installed and the copies recomputed after every `migrate` (post_migrate),
because SQLite drops a table's triggers whenever a migration rebuilds that table.
"""

from django.db import connection as default_connection

_NAMES = {
    "sal": "providers_serviceatlocation",
    "loc": "providers_location",
    "svc": "providers_service",
    "org": "providers_organization",
}
_SQLITE = {**_NAMES, "false": "0"}
_POSTGRES = {**_NAMES, "false": "false"}

# -- SQLite: AFTER triggers that UPDATE the copies (recursive triggers are off by default).
_SQLITE_LISTED = (
    "COALESCE((SELECT s.status = 'published' AND o.status = 'published' FROM {svc} s "
    "JOIN {org} o ON o.id = s.organization_id WHERE s.id = {sal}.service_id), {false})"
)
_SQLITE_LAT = (
    "(SELECT CASE WHEN l.kind = 'physical' THEN l.latitude END FROM {loc} l "
    "WHERE l.id = {sal}.location_id)"
)
_SQLITE_LNG = _SQLITE_LAT.replace("latitude", "longitude")
_SQLITE_ALL = (
    f"search_lat = {_SQLITE_LAT}, search_lng = {_SQLITE_LNG}, search_listed = {_SQLITE_LISTED}"
)

SQLITE_TRIGGERS = {
    "sal_search_insert": "AFTER INSERT ON {sal} BEGIN "
    f"UPDATE {{sal}} SET {_SQLITE_ALL} WHERE id = NEW.id; END",
    "sal_search_update": "AFTER UPDATE OF service_id, location_id ON {sal} BEGIN "
    f"UPDATE {{sal}} SET {_SQLITE_ALL} WHERE id = NEW.id; END",
    "location_search_insert": "AFTER INSERT ON {loc} BEGIN "
    f"UPDATE {{sal}} SET {_SQLITE_ALL} WHERE location_id = NEW.id; END",
    "location_search_update": "AFTER UPDATE OF latitude, longitude, kind ON {loc} BEGIN "
    f"UPDATE {{sal}} SET {_SQLITE_ALL} WHERE location_id = NEW.id; END",
    "service_search_insert": "AFTER INSERT ON {svc} BEGIN "
    f"UPDATE {{sal}} SET search_listed = {_SQLITE_LISTED} WHERE service_id = NEW.id; END",
    "service_search_update": "AFTER UPDATE OF status, organization_id ON {svc} BEGIN "
    f"UPDATE {{sal}} SET search_listed = {_SQLITE_LISTED} WHERE service_id = NEW.id; END",
    "organization_search_insert": "AFTER INSERT ON {org} BEGIN "
    f"UPDATE {{sal}} SET search_listed = {_SQLITE_LISTED} WHERE service_id IN "
    "(SELECT id FROM {svc} WHERE organization_id = NEW.id); END",
    "organization_search_update": "AFTER UPDATE OF status ON {org} BEGIN "
    f"UPDATE {{sal}} SET search_listed = {_SQLITE_LISTED} WHERE service_id IN "
    "(SELECT id FROM {svc} WHERE organization_id = NEW.id); END",
}

# -- PostgreSQL: a BEFORE trigger fills the row itself; the others update dependent rows.
POSTGRES_FUNCTIONS = {
    "providers_sal_search_fill": """
        BEGIN
          NEW.search_lat := NULL;
          NEW.search_lng := NULL;
          SELECT l.latitude, l.longitude INTO NEW.search_lat, NEW.search_lng
            FROM {loc} l WHERE l.id = NEW.location_id AND l.kind = 'physical';
          NEW.search_listed := COALESCE((SELECT s.status = 'published' AND o.status = 'published'
            FROM {svc} s JOIN {org} o ON o.id = s.organization_id WHERE s.id = NEW.service_id),
            false);
          RETURN NEW;
        END""",
    "providers_location_search_sync": """
        BEGIN
          UPDATE {sal} SET
            search_lat = CASE WHEN NEW.kind = 'physical' THEN NEW.latitude END,
            search_lng = CASE WHEN NEW.kind = 'physical' THEN NEW.longitude END
          WHERE location_id = NEW.id;
          RETURN NULL;
        END""",
    "providers_service_search_sync": """
        BEGIN
          UPDATE {sal} SET search_listed = (NEW.status = 'published' AND COALESCE(
            (SELECT o.status = 'published' FROM {org} o WHERE o.id = NEW.organization_id), false))
          WHERE service_id = NEW.id;
          RETURN NULL;
        END""",
    "providers_organization_search_sync": """
        BEGIN
          UPDATE {sal} AS sal
            SET search_listed = (NEW.status = 'published' AND s.status = 'published')
            FROM {svc} s WHERE s.id = sal.service_id AND s.organization_id = NEW.id;
          RETURN NULL;
        END""",
}
POSTGRES_TRIGGERS = {
    "sal_search_fill": "BEFORE INSERT OR UPDATE OF service_id, location_id ON {sal} "
    "FOR EACH ROW EXECUTE FUNCTION providers_sal_search_fill()",
    "location_search_sync": "AFTER INSERT OR UPDATE OF latitude, longitude, kind ON {loc} "
    "FOR EACH ROW EXECUTE FUNCTION providers_location_search_sync()",
    "service_search_sync": "AFTER INSERT OR UPDATE OF status, organization_id ON {svc} "
    "FOR EACH ROW EXECUTE FUNCTION providers_service_search_sync()",
    "organization_search_sync": "AFTER INSERT OR UPDATE OF status ON {org} "
    "FOR EACH ROW EXECUTE FUNCTION providers_organization_search_sync()",
}

REFRESH = (
    f"UPDATE {{sal}} SET search_lat = {_SQLITE_LAT}, search_lng = {_SQLITE_LNG}, "
    f"search_listed = {_SQLITE_LISTED}"
)


def install_triggers(connection=default_connection) -> None:
    """Create (or replace) the triggers on this database."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name, body in SQLITE_TRIGGERS.items():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                cursor.execute(f"CREATE TRIGGER {name} {body.format(**_SQLITE)}")
        elif connection.vendor == "postgresql":
            for name, body in POSTGRES_FUNCTIONS.items():
                cursor.execute(
                    f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql "
                    f"AS $body${body.format(**_NAMES)}$body$"
                )
            for name, body in POSTGRES_TRIGGERS.items():
                table = body.split(" ON ")[1].split()[0].format(**_NAMES)
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                cursor.execute(f"CREATE TRIGGER {name} {body.format(**_NAMES)}")
        else:  # pragma: no cover - settings only allow these two
            raise NotImplementedError(f"search triggers for {connection.vendor}")


def refresh(connection=default_connection) -> None:
    """Recompute every copy from the source tables (one statement)."""
    names = _POSTGRES if connection.vendor == "postgresql" else _SQLITE
    with connection.cursor() as cursor:
        cursor.execute(REFRESH.format(**names))


def on_post_migrate(sender, using="default", **kwargs) -> None:
    from django.db import connections

    connection = connections[using]
    if _NAMES["sal"] not in connection.introspection.table_names():
        return  # migrated backwards past providers/0001
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(cursor, _NAMES["sal"])
    columns = {column.name for column in description}
    if "search_listed" not in columns:
        return  # migrated backwards past the migration that added the copies
    install_triggers(connection)
    refresh(connection)
