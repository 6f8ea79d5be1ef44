"""The one builder of what a listing (a service at a location: HSDS's service_at_location,
the unit of every result) shows.

`build_listings(pairs)` turns the search's (id, miles) pairs into finished listings (dicts),
in their order, in six queries whatever their number: one join reads each listing's own
columns into tuples (`_Source`), five flat queries read what it shows beyond them (phones,
terms, languages, hours, accessibility). On PostgreSQL the six are one statement: the join's
rows, then one row holding each relation's rows as a JSON array (one round trip a page).
The listings are redacted by the one rule of providers/redaction.py (which the location
model's `public_*` properties and the HSDS feed and exports also follow): `_Source` carries
its `public_street`, `public_street_2`, `public_postcode` and `public_point`, so a
confidential location's street, unit, ZIP and point never reach a listing. Phones come in
the one order of providers/phones.py.

Every surface renders these listings: the results and provider pages and the advocates'
search (directory/presenters.py turns a listing into a card), handouts and shared lists, API
v1's list, detail and GeoJSON.
`ProviderSerializer` declares the API's output (the OpenAPI schema is built from it) and is
the reference: `build_listing` builds the same listing from a model instance, and tests
hold the two equal. Nothing is kept between requests but the parse of an opening time's
text (`_clock`).
"""

import functools
import json
from collections import defaultdict, namedtuple
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, time
from operator import getitem
from types import SimpleNamespace
from typing import NamedTuple
from uuid import UUID

import orjson
from django.db import connections, router
from django.utils import timezone

from providers import redaction
from providers.hours import is_open
from providers.models import (
    Language,
    Location,
    Organization,
    Phone,
    Service,
    ServiceAtLocation,
    Status,
    Term,
    public_km,
    public_miles,
)
from providers.phones import (
    OWNER_LOCATION,
    OWNER_ORGANIZATION,
    OWNER_SERVICE,
    ordered_phones,
)
from providers.search_rows import as_uuid, db_ids
from providers.search_sql import array_literal


class _PhoneRow(NamedTuple):
    number: str
    extension: str
    kind: str
    note: str
    translations: object  # JSON text (SQLite, PostgreSQL's jsonb as Django reads it) or dict


class Period(NamedTuple):
    weekday: int
    opens_at: time
    closes_at: time


@dataclass
class Related:
    """What a page of listings shows beyond their own columns, by the owner's id as the
    relations' rows give it (`key`: SQLite's 32 hex digits, or a UUID's text on PostgreSQL):
    lists and dicts in their final shape, which listings share (read them, never change
    them)."""

    key: Callable[[object], object]
    service_phones: dict = field(default_factory=dict)  # owner -> [phone dict, ...]
    location_phones: dict = field(default_factory=dict)
    organization_phones: dict = field(default_factory=dict)
    terms: dict = field(default_factory=dict)  # service -> {term kind: [slug, ...]}
    languages: dict = field(default_factory=dict)  # service -> [language dict, ...]
    periods: dict = field(default_factory=dict)  # location -> [Period, ...]
    hours: dict = field(default_factory=dict)  # location -> [hours dict, ...]
    accessibility: dict = field(default_factory=dict)  # location -> [slug, ...]


# Plain SQL: building these five small queries with the ORM cost several times more than
# running them (about a millisecond each, most of it preparing every id of the IN lists).
# Each is (columns, FROM and WHERE, ORDER BY); the orders are those of the models' relations
# as the serializer's reference reads them. CROSS JOIN makes SQLite read the links of the
# page's listings first, then their terms (without it, it chose to scan every term and look
# each up in the page's links, four times slower); on PostgreSQL it is an inner join like
# any other.
_RELATIONS = (
    (  # phones; the translations as text, decoded once whatever they hold (in PostgreSQL's
        # JSON, a JSON string would come decoded, and be decoded again)
        "service_id, location_id, organization_id, number, extension, kind, note,"
        " CAST(translations AS TEXT)",
        "providers_phone WHERE service_id {services} OR location_id {locations}"
        " OR organization_id {organizations}",
        "position, id",
    ),
    (  # terms
        "link.service_id, term.kind, term.slug",
        "providers_service_terms link CROSS JOIN providers_term term"
        " WHERE link.service_id {services} AND term.id = link.term_id",
        "term.kind, term.position, term.slug",
    ),
    (  # languages
        "link.service_id, language.code, language.name, language.name_es, language.native_name",
        "providers_service_languages link CROSS JOIN providers_language language"
        " WHERE link.service_id {services} AND language.code = link.language_id",
        "language.code",
    ),
    (  # hours
        "location_id, weekday, CAST(opens_at AS TEXT), CAST(closes_at AS TEXT)",
        "providers_openinghours WHERE location_id {locations}",
        "weekday, opens_at, id",
    ),
    (  # accessibility
        "link.location_id, term.slug",
        "providers_location_accessibility link CROSS JOIN providers_term term"
        " WHERE link.location_id {locations} AND term.id = link.term_id",
        "term.position, term.slug",
    ),
)
# PostgreSQL: the five as the columns of one row, each relation's rows a JSON array in its
# order (`json_agg(... ORDER BY ...)`), their owners' ids bound as arrays (`load_related`) or
# read from the page's rows (`_Columns.with_relations`): one round trip, one prepared
# statement, where five statements in one psycopg pipeline cost about 0.3 ms more a page
# (docs/search.md). Ids come back as text.
_RELATIONS_POSTGRESQL = ", ".join(
    f"(SELECT json_agg(json_build_array({columns}) ORDER BY {order})::text FROM {source})"
    for columns, source, order in _RELATIONS
)


def _sqlite_key(value) -> str:
    """An id as SQLite holds it (32 hex digits), from a UUID or as SQLite returned it."""
    return value.hex if isinstance(value, UUID) else value


def _uuid_text(value) -> str:
    """An id as the API shows it (str of a UUID), from a UUID or SQLite's 32 hex digits."""
    if isinstance(value, str) and len(value) == 32:
        value = value.lower()
        return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
    return str(value if isinstance(value, UUID) else UUID(value))


@functools.lru_cache(maxsize=4096)
def _clock(text: str) -> tuple[time, str]:
    """A time as the hours query reads it (text, "HH:MM:SS[.ffffff]", so that no driver
    parses it) as the time `is_open` compares and the "HH:MM" a listing shows. A directory
    has few distinct opening times: each is parsed once."""
    return time.fromisoformat(text), text[:5]


def load_related(listings: list[ServiceAtLocation]) -> Related:
    """Phones, terms, languages, hours and accessibility of `listings`: five queries (one on
    PostgreSQL), any size."""
    return _related(
        {sal.service_id for sal in listings},
        {sal.location_id for sal in listings},
        {sal.service.organization_id for sal in listings},
    )


def _in_list(ids: list) -> tuple[str, list]:
    """SQLite's "is one of `ids`": `IN (%s, ...)`, a parameter an id (it has no arrays)."""
    return f"IN ({', '.join(['%s'] * len(ids))})", ids


def _statements(
    vendor: str, services: list, locations: list, organizations: list
) -> list[tuple[str, list | dict]]:
    """(sql, params) reading the relations of these owners' ids as the statements bind them:
    on SQLite five statements (phones, terms, languages, hours, accessibility); on
    PostgreSQL the one statement of `_RELATIONS_POSTGRESQL`, each owner kind's ids one array
    parameter, named as the relations share them (one text for any page, three
    parameters)."""
    if vendor == "postgresql":
        names = {"services": services, "locations": locations, "organizations": organizations}
        among = {name: f"= ANY(%({name})s::uuid[])" for name in names}
        params = {name: array_literal(ids) for name, ids in names.items()}
        return [("SELECT " + _RELATIONS_POSTGRESQL.format(**among), params)]
    (services, service_ids), (locations, location_ids), (organizations, organization_ids) = (
        _in_list(ids) for ids in (services, locations, organizations)
    )
    among = {"services": services, "locations": locations, "organizations": organizations}
    params = [
        [*service_ids, *location_ids, *organization_ids],
        service_ids,
        service_ids,
        location_ids,
        location_ids,
    ]
    return [
        (f"SELECT {columns} FROM {source.format(**among)} ORDER BY {order}", ids)
        for (columns, source, order), ids in zip(_RELATIONS, params, strict=True)
    ]


def _reading():
    """The connection this request reads from: a replica when the router picks one."""
    return connections[router.db_for_read(ServiceAtLocation)]


def _relation_rows(connection, *owners: list) -> list[list]:
    """The rows of each relation of these owners (services, locations, organizations), in
    `_RELATIONS`' order."""
    statements = _statements(connection.vendor, *owners)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            (statement,) = statements
            cursor.execute(*statement)
            return _json_relations(cursor.fetchone())
        found = []
        for statement in statements:
            cursor.execute(*statement)
            found.append(cursor.fetchall())
        return found


def _json_relations(texts: Iterable[str | None]) -> list[list]:
    """The relations' rows from their JSON arrays (None: no rows)."""
    return [[] if text is None else _json(text) for text in texts]


def _related(
    services: Iterable, locations: Iterable, organizations: Iterable, *, rows: list | None = None
) -> Related:
    """What listings of these owners show beyond their own columns: five queries (one on
    PostgreSQL), any size; none when their `rows` were read with the listings."""
    connection = _reading()
    postgresql = connection.vendor == "postgresql"
    # `Related` is keyed by an owner's id as the relations' rows give it: SQLite's 32 hex
    # digits (as its statements bind them), a UUID's text in PostgreSQL's JSON.
    key = str if postgresql else _sqlite_key

    def bound(pks: Iterable) -> list:
        """Distinct owners' ids as the statements bind them (PostgreSQL: UUIDs)."""
        return list(set(pks)) if postgresql else list({_sqlite_key(pk) for pk in pks})

    services = bound(services)
    if not services:
        return Related(key=key)
    related = Related(
        key=key,
        service_phones=defaultdict(list),
        location_phones=defaultdict(list),
        organization_phones=defaultdict(list),
        terms=defaultdict(lambda: defaultdict(list)),
        languages=defaultdict(list),
        periods=defaultdict(list),
        hours=defaultdict(list),
        accessibility=defaultdict(list),
    )
    tel_uri = Phone.tel_uri.fget  # the model's own property, read off the plain row
    if rows is None:
        rows = _relation_rows(connection, services, bound(locations), bound(organizations))
    phones, terms, languages, hours, accessibility = rows
    # One query for the three owners' numbers; a number may belong to more than one, and
    # each owner's list says the number is its own (`owner`: whose line a page names).
    for service_id, location_id, organization_id, *values in phones:
        phone = _PhoneRow(*values)
        shown = {
            "number": phone.number,
            "extension": phone.extension,
            "kind": phone.kind,
            "note": phone.note,
            "translations": _translations(phone.translations),
            "tel_uri": tel_uri(phone),
        }
        if service_id is not None:
            related.service_phones[service_id].append({**shown, "owner": OWNER_SERVICE})
        if location_id is not None:
            related.location_phones[location_id].append({**shown, "owner": OWNER_LOCATION})
        if organization_id is not None:
            related.organization_phones[organization_id].append(
                {**shown, "owner": OWNER_ORGANIZATION}
            )
    for service_id, kind, slug in terms:
        related.terms[service_id][kind].append(slug)
    for service_id, code, name, name_es, native_name in languages:
        related.languages[service_id].append(
            {"code": code, "name": name, "name_es": name_es, "native_name": native_name}
        )
    for location_id, weekday, opens_text, closes_text in hours:
        (opens_at, opens_shown), (closes_at, closes_shown) = _clock(opens_text), _clock(closes_text)
        related.periods[location_id].append(Period(weekday, opens_at, closes_at))
        related.hours[location_id].append(
            {"weekday": int(weekday), "opens_at": opens_shown, "closes_at": closes_shown}
        )
    for location_id, slug in accessibility:
        related.accessibility[location_id].append(slug)
    return related


def _phones(service: list, location: list, organization: list) -> list[dict]:
    """The listing's numbers in the one order of providers/phones.py."""
    if len(service) <= 1 and not location and not organization:
        return list(service)
    return ordered_phones(service, location, organization, read=getitem)


class _Kept(NamedTuple):
    """A built listing (open_now and the distances left None) and what those depend on."""

    listing: dict
    open_24_7: bool
    periods: tuple[Period, ...]
    tz_name: str
    confidential: bool

    def serve(self, miles: float | None, now: datetime) -> dict:
        """The listing with open_now at `now` and the public distances of `miles`: a new dict
        whose nested lists and dicts are the kept listing's."""
        listing = dict(self.listing)
        listing["open_now"] = is_open(
            open_24_7=self.open_24_7, periods=self.periods, tz_name=self.tz_name, now=now
        )
        listing["distance_mi"] = public_miles(miles)
        listing["distance_km"] = public_km(listing["distance_mi"])
        return listing


# What a listing shows of its four joined tables: (the name in its source, model, field).
# The location's address columns keep the model's own names, so that the model's redacting
# properties run on a source unchanged.
_SOURCE = (
    ("id", ServiceAtLocation, "id"),
    ("service_id", ServiceAtLocation, "service_id"),
    ("location_id", ServiceAtLocation, "location_id"),
    ("organization_id", Service, "organization_id"),
    ("name", Service, "name"),
    ("description", Service, "description"),
    ("cost", Service, "cost"),
    ("cost_note", Service, "cost_note"),
    ("eligibility", Service, "eligibility"),
    ("how_to_get_help", Service, "how_to_get_help"),
    ("translations", Service, "translations"),
    ("website", Service, "website"),
    ("email", Service, "email"),
    ("service_area", Service, "service_area"),
    ("service_area_states", Service, "service_area_states"),
    ("service_area_radius_mi", Service, "service_area_radius_mi"),
    ("organization_name", Organization, "name"),
    ("organization_alternate_name", Organization, "alternate_name"),
    ("organization_website", Organization, "website"),
    ("organization_email", Organization, "email"),
    ("last_verified_on", Organization, "last_verified_on"),
    ("location_name", Location, "name"),
    ("kind", Location, "kind"),
    ("address_1", Location, "address_1"),
    ("address_2", Location, "address_2"),
    ("city", Location, "city"),
    ("state", Location, "state"),
    ("postcode", Location, "postcode"),
    ("country", Location, "country"),
    ("latitude", Location, "latitude"),
    ("longitude", Location, "longitude"),
    ("address_confidential", Location, "address_confidential"),
    ("coordinates_approximate", Location, "coordinates_approximate"),
    ("timezone", Location, "timezone"),
    ("open_24_7", Location, "open_24_7"),
    ("hours_note", Location, "hours_note"),
    ("location_translations", Location, "translations"),
)
_TEXT_FIELDS = {"CharField", "TextField"}
# The term kinds as the database holds them (plain strings: quicker keys than the enum's).
_SERVICE_TYPE, _VICTIMIZATION, _POPULATION = (
    str(kind.value)
    for kind in (Term.Kind.SERVICE_TYPE, Term.Kind.VICTIMIZATION, Term.Kind.POPULATION)
)


class _Source(namedtuple("_SourceColumns", [name for name, _, _ in _SOURCE])):
    """A listing's own columns: as the join returns them (SQLite: ids as 32 hex digits, dates
    as text, booleans as 0/1; JSON decoded by `_sources`) or as model instances hold
    them. It carries the redacting properties of providers/redaction.py, which read only
    the address columns."""

    __slots__ = ()
    public_street = property(redaction.public_street)
    public_street_2 = property(redaction.public_street_2)
    public_postcode = property(redaction.public_postcode)
    public_point = property(redaction.public_point)
    public_coordinates_approximate = property(redaction.public_coordinates_approximate)

    def __repr__(self) -> str:
        # Never the address columns (a confidential street must not reach a traceback).
        return f"_Source(id={self.id!r})"

    @classmethod
    def of(cls, sal: ServiceAtLocation) -> "_Source":
        """The source of a model row (and its service, organization and location)."""
        owners = {
            ServiceAtLocation: sal,
            Service: sal.service,
            Organization: sal.service.organization,
            Location: sal.location,
        }
        values = []
        for _, model, name in _SOURCE:
            model_field = model._meta.get_field(name)
            value = getattr(owners[model], model_field.attname)
            if model_field.get_internal_type() in _TEXT_FIELDS and value is not None:
                value = str(value)  # as DRF's CharField shows it
            values.append(value)
        return cls._make(values)


_STATES = _Source._fields.index("service_area_states")


def _json(text: str):
    """A JSON column's text as Django's JSONField reads it (json.loads), quickly."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:  # what json accepts beyond the standard (NaN, Infinity)
        return json.loads(text)


def _translations(value) -> dict:
    """A `translations` column as a dict (most are empty: no parsing for those)."""
    if not value or value == "{}":
        return {}
    return _json(value) if isinstance(value, str) else value


def build_listing(sal: ServiceAtLocation, *, related: Related, now: datetime | None) -> dict:
    """One listing, exactly as `ProviderSerializer`'s declared fields would give it."""
    miles = getattr(sal, "exact_distance_mi", None)
    return _prepared(_Source.of(sal), related).serve(miles, now or timezone.now())


def _prepared(source: _Source, related: Related) -> _Kept:
    """A listing with everything but what changes with the request (open_now, distances).
    Text columns are shown as they are (the database returns str or None)."""
    key = related.key
    service, location = key(source.service_id), key(source.location_id)
    terms = related.terms.get(service, {})
    periods = tuple(related.periods.get(location, ()))
    states = source.service_area_states
    radius = source.service_area_radius_mi
    verified = source.last_verified_on
    point = source.public_point
    listing = {
        "id": _uuid_text(source.id),
        "service_id": _uuid_text(source.service_id),
        "name": source.name,
        "description": source.description,
        "organization": {
            "id": _uuid_text(source.organization_id),
            "name": source.organization_name,
            "alternate_name": source.organization_alternate_name,
            "website": source.organization_website,
            "email": source.organization_email,
        },
        "services": terms.get(_SERVICE_TYPE, []),
        "victimization": terms.get(_VICTIMIZATION, []),
        "populations": terms.get(_POPULATION, []),
        "languages": related.languages.get(service, []),
        "cost": source.cost or None,  # blank: not stated
        "cost_note": source.cost_note,
        "eligibility": source.eligibility,
        "how_to_get_help": source.how_to_get_help,
        "translations": _translations(source.translations),
        "website": source.website,
        "email": source.email,
        "service_area": {
            "kind": source.service_area,
            "states": (
                None
                if states is None
                else [None if state is None else str(state) for state in states]
            ),
            "radius_mi": None if radius is None else float(radius),
        },
        # The redacted view only (public_street, public_postcode, public_point): never the
        # raw address.
        "location": {
            "id": _uuid_text(source.location_id),
            "name": source.location_name,
            "kind": source.kind,
            "address_1": source.public_street,
            "address_2": source.public_street_2,
            "city": source.city,
            "state": source.state,
            "postcode": source.public_postcode,
            "country": source.country,
            "lat": point[0] if point else None,
            "lng": point[1] if point else None,
            "address_confidential": bool(source.address_confidential),
            "coordinates_approximate": source.public_coordinates_approximate,
            "timezone": source.timezone,
            "open_24_7": bool(source.open_24_7),
            "hours_note": source.hours_note,
            "translations": _translations(source.location_translations),
            "accessibility": related.accessibility.get(location, []),
        },
        "phones": _phones(
            related.service_phones.get(service, ()),
            related.location_phones.get(location, ()),
            related.organization_phones.get(key(source.organization_id), ()),
        ),
        "hours": related.hours.get(location, []),
        "open_now": None,
        "distance_mi": None,
        "distance_km": None,
        "last_verified": (
            verified if verified is None or isinstance(verified, str) else verified.isoformat()
        ),
    }
    return _Kept(
        listing=listing,
        open_24_7=bool(source.open_24_7),
        periods=periods,
        tz_name=source.timezone,
        confidential=bool(source.address_confidential),
    )


class _Columns:
    """The join of the four tables for a list of ids (`sql`, its `{ids}` test to fill in),
    compiled once per connection vendor; on PostgreSQL also `with_relations`, the join for
    an array of ids followed by one row of the page's relations."""

    def __init__(self, vendor_connection) -> None:
        quote = vendor_connection.ops.quote_name
        aliases = {ServiceAtLocation: "sal", Service: "s", Organization: "o", Location: "l"}
        selected = [
            f"{aliases[model]}.{quote(model._meta.get_field(name).column)}"
            for _, model, name in _SOURCE
        ]

        def table(model) -> str:
            return f"{quote(model._meta.db_table)} {aliases[model]}"

        self.sql = (
            f"SELECT {', '.join(selected)} FROM {table(ServiceAtLocation)}"
            f" JOIN {table(Service)} ON s.id = sal.{quote('service_id')}"
            f" JOIN {table(Organization)} ON o.id = s.{quote('organization_id')}"
            f" JOIN {table(Location)} ON l.id = sal.{quote('location_id')}"
            " WHERE sal.id {ids} AND s.status = %s AND o.status = %s"
        )
        if vendor_connection.vendor != "postgresql":
            return
        # The listings' rows, then one row of their relations (NULL in every listing column,
        # the owners read from the listings): one statement, one round trip a page.
        fields = ", ".join(_Source._fields)
        owners = {
            name: f"= ANY(ARRAY(SELECT {column} FROM page))"
            for name, column in (
                ("services", "service_id"),
                ("locations", "location_id"),
                ("organizations", "organization_id"),
            )
        }
        self.with_relations = (
            f"WITH page({fields}) AS MATERIALIZED"
            f" ({self.sql.format(ids='= ANY(%s::uuid[])')})"
            f" SELECT {fields}, {', '.join(['NULL'] * len(_RELATIONS))} FROM page"
            f" UNION ALL SELECT {', '.join(['NULL'] * len(_SOURCE))},"
            f" {_RELATIONS_POSTGRESQL.format(**owners)}"
        )


_COLUMNS: dict[str, _Columns] = {}


def _sources(ids: list[UUID]) -> tuple[dict[UUID, _Source], list | None]:
    """The listed listings among `ids`, their own columns, by id: one query. On PostgreSQL
    the same statement reads their relations (`_related`'s rows); elsewhere None."""
    connection = _reading()
    columns = _COLUMNS.get(connection.vendor)
    if columns is None:
        columns = _COLUMNS[connection.vendor] = _Columns(connection)
    keys = db_ids(ids, using=connection.alias)
    by_key = dict(zip(keys, ids, strict=True))
    relations = None
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            params = [array_literal(keys), Status.PUBLISHED, Status.PUBLISHED]
            cursor.execute(columns.with_relations, params)
            fetched = []
            for row in cursor.fetchall():
                if row[0] is None:  # the relations' row
                    relations = _json_relations(row[len(_SOURCE) :])
                else:
                    fetched.append(row[: len(_SOURCE)])
        else:
            among, params = _in_list(keys)
            cursor.execute(
                columns.sql.format(ids=among), [*params, Status.PUBLISHED, Status.PUBLISHED]
            )
            fetched = cursor.fetchall()
    found = {}
    for values in fetched:
        states = values[_STATES]
        if isinstance(states, str):  # the JSON text (SQLite; Django reads jsonb as text too)
            values = (*values[:_STATES], _json(states), *values[_STATES + 1 :])
        source = _Source._make(values)
        pk = by_key.get(source.id)
        found[as_uuid(source.id) if pk is None else pk] = source
    return found, relations


def _build(ids: list[UUID]) -> dict[UUID, _Kept]:
    """The listed listings among `ids`, built: six queries (one on PostgreSQL) for any
    number of them."""
    sources, relations = _sources(ids)
    if not sources:
        return {}
    related = _related(
        [source.service_id for source in sources.values()],
        [source.location_id for source in sources.values()],
        [source.organization_id for source in sources.values()],
        rows=relations,
    )
    return {pk: _prepared(source, related) for pk, source in sources.items()}


def language_name(language: dict) -> str:
    """A listing's language in the reader's language, as `Language.local_name` gives it."""
    return Language.local_name.fget(SimpleNamespace(**language))


def build_listings(
    pairs: list[tuple[UUID, float | None]], *, now: datetime | None = None
) -> list[dict]:
    """The listings of (id, exact miles or None) pairs, in their order: listed ones only
    (an id that is not listed is left out), built with six queries in all (one on
    PostgreSQL)."""
    if not pairs:
        return []
    built = _build([pk for pk, _ in pairs])
    now = now or timezone.now()
    return [built[pk].serve(miles, now) for pk, miles in pairs if pk in built]
