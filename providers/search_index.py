"""Keep ServiceAtLocation's search copies in step with the rows they copy.

The radius search reads one covering index on service_at_location instead of joining
location, service, organization and the service-type links for every candidate
(docs/search.md has the design and the figures). The copies:

* search_lat / search_lng: the location's search point when it is a physical place, else
  NULL: its coordinates, or for a confidential location its public point (the coordinates
  moved by the location's fixed random offset of 1-2 miles, `geometry.offset_point`), so
  radius membership, order and distances never measure from a shelter's real point;
* search_band: the 1/20-degree latitude band of those coordinates, floor((lat + 90) * 20)
  (`providers.geometry.band`);
* search_service_published / search_organization_published: the service is published, its
  organization is; search_listed, the column the search reads, is generated from both. A
  status change writes only its own copy, with the status being written: a service and its
  organization published or retired at the same moment by two editors (PostgreSQL) leave
  both right;
* search_types: the service's service-type slugs as ",slug,slug," (tested with LIKE).

They are maintained by database triggers, so every way of writing (save(), QuerySet.update(),
bulk_create(), M2M add/remove, raw SQL, imports) keeps them right. The triggers are
(re)installed and every wrong copy repaired after each `migrate` (post_migrate), because SQLite
drops a table's triggers whenever a migration rebuilds that table.

On PostgreSQL a trigger reads the other tables as its transaction sees them, so a few pairs of
writes committed at the same moment can leave a copy behind: a listing added, or a service
moved, while its location, organization or service types change in another transaction.
Locking the rows read made editors wait on imports and deadlock with them, so instead
`repair()` (`manage.py repair_search_copies`, every 5 minutes from the schedule) rewrites the
copies of the rows that differ from their sources.
"""

from django.db import connection as default_connection
from django.db import transaction

from providers.geometry import DEGREE, MI_PER_DEGREE, TINY_DEGREES

_NAMES = {
    "sal": "providers_serviceatlocation",
    "loc": "providers_location",
    "svc": "providers_service",
    "org": "providers_organization",
    "st": "providers_service_terms",
    "term": "providers_term",
}


def _point(row: str) -> tuple[str, str]:
    """SQL for the search point (lat, lng) of the location `row`, as `geometry.offset_point`
    computes it for a confidential location."""
    north = f"{row}.offset_mi * COS({row}.offset_bearing) / {MI_PER_DEGREE!r}"
    # A latitude within TINY_DEGREES of the equator counts as on it (the cosine is 1 all
    # the same): PostgreSQL raises "value out of range: underflow" for 5e-324 * pi / 180.
    tiny = f"{TINY_DEGREES:g}"
    latitude = f"(CASE WHEN ABS({row}.latitude) < {tiny} THEN 0 ELSE {row}.latitude END)"
    east = (
        f"{row}.offset_mi * SIN({row}.offset_bearing)"
        f" / ({MI_PER_DEGREE!r} * COS({latitude} * {DEGREE!r}))"
    )
    # Held to the globe as offset_point holds it: the latitude at a pole, the longitude
    # wrapped into [-180, 180) (a shelter in the Aleutians moved past the antimeridian).
    lat = f"{row}.latitude + {north}"
    lat = f"(CASE WHEN {lat} > 90 THEN 90 WHEN {lat} < -90 THEN -90 ELSE {lat} END)"
    lng = f"{row}.longitude + {east}"
    lng = (
        f"(CASE WHEN {lng} >= -180 AND {lng} < 180 THEN {lng}"
        f" ELSE {lng} + 180 - 360 * FLOOR(({lng} + 180) / 360) - 180 END)"
    )
    secret = f"{row}.address_confidential"
    return (
        f"(CASE WHEN {secret} THEN {lat} ELSE {row}.latitude END)",
        f"(CASE WHEN {secret} THEN {lng} ELSE {row}.longitude END)",
    )


def _changed(columns: str, *, differs: str) -> str:
    """SQL true when an UPDATE changed one of `columns` ("a, b"): Django's save() writes every
    column, and an update trigger fires for the columns written, changed or not. Without
    this, an editor's save of a description rewrote every listing of the organization."""
    return " OR ".join(f"OLD.{c} {differs} NEW.{c}" for c in columns.replace(" ", "").split(","))


def _sqlite_changed(columns: str) -> str:
    return f"WHEN {_changed(columns, differs='IS NOT')} "


def _postgres_unchanged(columns: str) -> str:
    """The first statement of a trigger function: an UPDATE that changed none of `columns`
    returns at once."""
    condition = _changed(columns, differs="IS DISTINCT FROM")
    return f"IF TG_OP = 'UPDATE' AND NOT ({condition}) THEN RETURN NULL; END IF;"


# What each table's search copies read (a listing's own row is filled in on every save: a
# stale instance's save() writes its old copies back).
_LOCATION_COLUMNS = "latitude, longitude, kind, address_confidential, offset_bearing, offset_mi"
_SERVICE_COLUMNS = "status, organization_id"
_TERM_COLUMNS = "slug, kind"


_L_LAT, _L_LNG = _point("l")
_NEW_LAT, _NEW_LNG = _point("NEW")
_SQLITE = {
    **_NAMES,
    "false": "0",
    "differs": "IS NOT",
    # SQLite before 3.44 has no ORDER BY in an aggregate; it keeps the ordered subquery's.
    "concat": "GROUP_CONCAT(slug, ',')",
    # CAST truncates toward zero, which is floor() for these non-negative values.
    "band": f"CAST(({_L_LAT} + 90) * 20 AS INTEGER)",
}
_POSTGRES = {
    **_NAMES,
    "false": "false",
    "differs": "IS DISTINCT FROM",
    # In the slugs' bytes, as SQLite's BINARY orders them: not by the database's collation
    # (en-US sorts "legal_aid" before "legal-advice"; its next version may sort otherwise).
    "concat": """string_agg(slug, ',' ORDER BY slug COLLATE "C")""",
    "band": f"floor(({_L_LAT} + 90) * 20)::integer",
    "new_band": f"floor(({_NEW_LAT} + 90) * 20)::integer",
    "new_lat": _NEW_LAT,
    "new_lng": _NEW_LNG,
    # Each function's first statement: an UPDATE that changed nothing it reads returns.
    "location_unchanged": _postgres_unchanged(_LOCATION_COLUMNS),
    "service_unchanged": _postgres_unchanged(_SERVICE_COLUMNS),
    "organization_unchanged": _postgres_unchanged("status"),
    "term_unchanged": _postgres_unchanged(_TERM_COLUMNS),
}


# Expressions for one service_at_location row ({sal} is the row being written).
_SERVICE_PUBLISHED = (
    "COALESCE((SELECT s.status = 'published' FROM {svc} s WHERE s.id = {sal}.service_id), {false})"
)
_ORGANIZATION_PUBLISHED = (
    "COALESCE((SELECT o.status = 'published' FROM {svc} s JOIN {org} o "
    "ON o.id = s.organization_id WHERE s.id = {sal}.service_id), {false})"
)
_LAT = (
    "(SELECT CASE WHEN l.kind = 'physical' THEN {lat} END FROM {{loc}} l "
    "WHERE l.id = {{sal}}.location_id)"
)
_LNG = _LAT.format(lat=_L_LNG)
_BAND = _LAT.format(lat="{band}")
_LAT = _LAT.format(lat=_L_LAT)
# In the slugs' order: in the order the plan met them, a new plan (after an ANALYZE) made
# right copies look wrong to the next repair or migrate, which rewrote them all.
_TYPES = (
    "COALESCE((SELECT ',' || {concat} || ',' FROM (SELECT t.slug FROM {st} x "
    "JOIN {term} t ON t.id = x.term_id WHERE x.service_id = {sal}.service_id "
    "AND t.kind = 'service_type' ORDER BY t.slug) AS types), '')"
)
_COPIES = {
    "search_lat": _LAT,
    "search_lng": _LNG,
    "search_band": _BAND,
    "search_service_published": _SERVICE_PUBLISHED,
    "search_organization_published": _ORGANIZATION_PUBLISHED,
    "search_types": _TYPES,
}
_ALL = ", ".join(f"{column} = {value}" for column, value in _COPIES.items())
REFRESH = "UPDATE {sal} SET " + _ALL
# The rows whose copies differ from what their sources say ({differs}: IS NOT, IS DISTINCT FROM).
_WRONG = " OR ".join(f"{column} {{differs}} {value}" for column, value in _COPIES.items())
STALE = "SELECT id FROM {sal} WHERE " + _WRONG

# -- SQLite: AFTER triggers that UPDATE the copies (recursive triggers are off by default).
# SQLite takes one writer at a time, so a trigger may read the other tables as they are.
_PUBLISHED = (
    f"search_service_published = {_SERVICE_PUBLISHED}, "
    f"search_organization_published = {_ORGANIZATION_PUBLISHED}"
)
_BY_TERM = "WHERE service_id IN (SELECT service_id FROM {st} WHERE term_id = NEW.id)"
SQLITE_TRIGGERS = {
    "sal_search_insert": f"AFTER INSERT ON {{sal}} BEGIN UPDATE {{sal}} SET {_ALL} "
    "WHERE id = NEW.id; END",
    # Unconditional: a stale instance's save() writes its old copies back, made right here.
    "sal_search_update": "AFTER UPDATE OF service_id, location_id ON {sal} BEGIN "
    f"UPDATE {{sal}} SET {_ALL} WHERE id = NEW.id; END",
    "location_search_insert": f"AFTER INSERT ON {{loc}} BEGIN UPDATE {{sal}} SET {_ALL} "
    "WHERE location_id = NEW.id; END",
    "location_search_update": f"AFTER UPDATE OF {_LOCATION_COLUMNS} ON {{loc}} "
    f"{_sqlite_changed(_LOCATION_COLUMNS)}BEGIN "
    f"UPDATE {{sal}} SET {_ALL} WHERE location_id = NEW.id; END",
    "service_search_insert": "AFTER INSERT ON {svc} BEGIN "
    f"UPDATE {{sal}} SET {_PUBLISHED} WHERE service_id = NEW.id; END",
    "service_search_update": f"AFTER UPDATE OF {_SERVICE_COLUMNS} ON {{svc}} "
    f"{_sqlite_changed(_SERVICE_COLUMNS)}BEGIN "
    f"UPDATE {{sal}} SET {_PUBLISHED} WHERE service_id = NEW.id; END",
    "organization_search_insert": "AFTER INSERT ON {org} BEGIN "
    f"UPDATE {{sal}} SET search_organization_published = {_ORGANIZATION_PUBLISHED} "
    "WHERE service_id IN (SELECT id FROM {svc} WHERE organization_id = NEW.id); END",
    "organization_search_update": "AFTER UPDATE OF status ON {org} "
    f"{_sqlite_changed('status')}BEGIN "
    f"UPDATE {{sal}} SET search_organization_published = {_ORGANIZATION_PUBLISHED} "
    "WHERE service_id IN (SELECT id FROM {svc} WHERE organization_id = NEW.id); END",
    "service_terms_search_insert": "AFTER INSERT ON {st} BEGIN "
    f"UPDATE {{sal}} SET search_types = {_TYPES} WHERE service_id = NEW.service_id; END",
    "service_terms_search_delete": "AFTER DELETE ON {st} BEGIN "
    f"UPDATE {{sal}} SET search_types = {_TYPES} WHERE service_id = OLD.service_id; END",
    "service_terms_search_update": "AFTER UPDATE ON {st} BEGIN "
    f"UPDATE {{sal}} SET search_types = {_TYPES} "
    "WHERE service_id IN (OLD.service_id, NEW.service_id); END",
    # A term written after its links in one transaction (foreign keys are checked at commit).
    "term_search_insert": f"AFTER INSERT ON {{term}} BEGIN "
    f"UPDATE {{sal}} SET search_types = {_TYPES} {_BY_TERM}; END",
    "term_search_update": f"AFTER UPDATE OF {_TERM_COLUMNS} ON {{term}} "
    f"{_sqlite_changed(_TERM_COLUMNS)}BEGIN "
    f"UPDATE {{sal}} SET search_types = {_TYPES} {_BY_TERM}; END",
}

# -- PostgreSQL: a BEFORE trigger fills the row itself; the others update dependent rows.
POSTGRES_FUNCTIONS = {
    "providers_sal_search_fill": f"""
        BEGIN
          NEW.search_lat := NULL;
          NEW.search_lng := NULL;
          NEW.search_band := NULL;
          SELECT {_L_LAT}, {_L_LNG}, {{band}}
            INTO NEW.search_lat, NEW.search_lng, NEW.search_band
            FROM {{loc}} l WHERE l.id = NEW.location_id AND l.kind = 'physical';
          NEW.search_service_published := {_SERVICE_PUBLISHED.replace("{sal}.", "NEW.")};
          NEW.search_organization_published :=
            {_ORGANIZATION_PUBLISHED.replace("{sal}.", "NEW.")};
          NEW.search_types := {_TYPES.replace("{sal}.", "NEW.")};
          RETURN NEW;
        END""",
    "providers_location_search_sync": """
        BEGIN
          {location_unchanged}
          UPDATE {sal} SET
            search_lat = CASE WHEN NEW.kind = 'physical' THEN {new_lat} END,
            search_lng = CASE WHEN NEW.kind = 'physical' THEN {new_lng} END,
            search_band = CASE WHEN NEW.kind = 'physical' THEN {new_band} END
          WHERE location_id = NEW.id;
          RETURN NULL;
        END""",
    "providers_service_search_sync": """
        BEGIN
          {service_unchanged}
          IF TG_OP = 'UPDATE' AND OLD.organization_id IS NOT DISTINCT FROM NEW.organization_id
          THEN  -- its status: its own copy only, never read from the organization's row
            UPDATE {sal} SET search_service_published = (NEW.status = 'published')
              WHERE service_id = NEW.id;
            RETURN NULL;
          END IF;
          UPDATE {sal} SET search_service_published = (NEW.status = 'published'),
              search_organization_published = COALESCE(
                (SELECT o.status = 'published' FROM {org} o WHERE o.id = NEW.organization_id),
                false)
            WHERE service_id = NEW.id;
          RETURN NULL;
        END""",
    "providers_organization_search_sync": """
        BEGIN
          {organization_unchanged}
          UPDATE {sal} AS sal SET search_organization_published = (NEW.status = 'published')
            FROM {svc} s WHERE s.id = sal.service_id AND s.organization_id = NEW.id;
          RETURN NULL;
        END""",
    "providers_service_terms_search_sync": f"""
        BEGIN
          IF TG_OP <> 'DELETE' THEN
            UPDATE {{sal}} SET search_types = {_TYPES} WHERE service_id = NEW.service_id;
          END IF;
          IF TG_OP <> 'INSERT' THEN
            UPDATE {{sal}} SET search_types = {_TYPES} WHERE service_id = OLD.service_id;
          END IF;
          RETURN NULL;
        END""",
    "providers_term_search_sync": f"""
        BEGIN
          {{term_unchanged}}
          UPDATE {{sal}} SET search_types = {_TYPES} {_BY_TERM};
          RETURN NULL;
        END""",
}
POSTGRES_TRIGGERS = {
    "sal_search_fill": "BEFORE INSERT OR UPDATE OF service_id, location_id ON {sal} "
    "FOR EACH ROW EXECUTE FUNCTION providers_sal_search_fill()",
    "location_search_sync": f"AFTER INSERT OR UPDATE OF {_LOCATION_COLUMNS} ON {{loc}} "
    "FOR EACH ROW EXECUTE FUNCTION providers_location_search_sync()",
    "service_search_sync": "AFTER INSERT OR UPDATE OF status, organization_id ON {svc} "
    "FOR EACH ROW EXECUTE FUNCTION providers_service_search_sync()",
    "organization_search_sync": "AFTER INSERT OR UPDATE OF status ON {org} "
    "FOR EACH ROW EXECUTE FUNCTION providers_organization_search_sync()",
    "service_terms_search_sync": "AFTER INSERT OR UPDATE OR DELETE ON {st} "
    "FOR EACH ROW EXECUTE FUNCTION providers_service_terms_search_sync()",
    "term_search_sync": "AFTER INSERT OR UPDATE OF slug, kind ON {term} "
    "FOR EACH ROW EXECUTE FUNCTION providers_term_search_sync()",
}


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
                    f"AS $body${body.format(**_POSTGRES)}$body$"
                )
            for name, body in POSTGRES_TRIGGERS.items():
                table = body.split(" ON ")[1].split()[0].format(**_POSTGRES)
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                cursor.execute(f"CREATE TRIGGER {name} {body.format(**_POSTGRES)}")
        else:  # pragma: no cover - settings only allow these two
            raise NotImplementedError(f"search triggers for {connection.vendor}")


def drop_triggers(connection=default_connection) -> None:
    """Remove the triggers (a migration that changes the copies drops them first; the
    post_migrate handler installs the new ones)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        elif connection.vendor == "postgresql":
            for name, body in POSTGRES_TRIGGERS.items():
                table = body.split(" ON ")[1].split()[0].format(**_POSTGRES)
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")


def missing_triggers(connection=default_connection) -> list[str]:
    """The search triggers this database lacks: a `migrate` that failed after dropping them
    (on_pre_migrate) leaves the copies unmaintained until the next one succeeds."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            expected = SQLITE_TRIGGERS
        else:
            cursor.execute(  # a disabled trigger is as good as missing
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D'"
            )
            expected = POSTGRES_TRIGGERS
        present = {name for (name,) in cursor.fetchall()}
    return sorted(set(expected) - present)


def repair(connection=default_connection, *, batch: int = 500) -> int:
    """Rewrite the copies of the rows whose copies differ from their sources; returns how many
    (none, unless writes committed at the same moment left one behind: see the top).

    On PostgreSQL a row another transaction is writing now is left for the next run: waiting
    for it, the UPDATE would write what its snapshot saw from before that write (a shelter's
    real point, after the editor made it confidential). The rest are locked first, so the
    UPDATE, a statement of its own, reads their sources as they are."""
    names = _POSTGRES if connection.vendor == "postgresql" else _SQLITE
    repaired = 0
    with connection.cursor() as cursor:
        cursor.execute(STALE.format(**names))  # a read: writers do not wait for it
        stale = [pk for (pk,) in cursor.fetchall()]
        for start in range(0, len(stale), batch):
            ids = stale[start : start + batch]
            with transaction.atomic(using=connection.alias):
                if connection.vendor == "postgresql":
                    marks = ", ".join(["%s"] * len(ids))
                    cursor.execute(
                        f"SELECT id FROM {names['sal']} WHERE id IN ({marks})"
                        " FOR UPDATE SKIP LOCKED",
                        ids,
                    )
                    ids = [pk for (pk,) in cursor.fetchall()]
                if ids:
                    marks = ", ".join(["%s"] * len(ids))
                    cursor.execute(f"{REFRESH.format(**names)} WHERE id IN ({marks})", ids)
                repaired += len(ids)
    return repaired


def refresh(connection=default_connection) -> int:
    """Recompute the copies from the source tables in one statement, writing only the rows
    whose copies are wrong (for a database no one else is writing: bench/ builds its own).
    Returns how many rows it wrote."""
    names = _POSTGRES if connection.vendor == "postgresql" else _SQLITE
    with connection.cursor() as cursor:
        cursor.execute(f"{REFRESH} WHERE {_WRONG}".format(**names))
        return cursor.rowcount


def on_pre_migrate(sender, using="default", **kwargs) -> None:
    """Before migrations run, drop the triggers: SQLite rebuilds a table to alter it, and a
    trigger that reads a table being rebuilt fails the migration ("no such table"). The
    post_migrate handler installs them again and repairs every wrong copy."""
    from django.db import connections

    connection = connections[using]
    if _NAMES["sal"] in connection.introspection.table_names():
        drop_triggers(connection)


def on_post_migrate(sender, using="default", **kwargs) -> None:
    from django.db import connections

    connection = connections[using]
    if _NAMES["sal"] not in connection.introspection.table_names():
        return  # migrated backwards past providers/0001
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(cursor, _NAMES["sal"])
    if "search_service_published" not in {column.name for column in description}:
        return  # migrated backwards past 0027 (its own backwards step fills search_listed)
    install_triggers(connection)
    # The rows whose copies are wrong, skipping one an editor is writing now (repair()): on a
    # live site one UPDATE of every row waited for that editor, then wrote what it saw before
    # the edit, a shelter's real point among it.
    repair(connection)
