"""Provider rows as plain dicts, for the search and detail endpoints.

`ProviderSerializer` declares the output (the OpenAPI schema is built from it) and is
the reference; DRF's field-by-field walk costs about half a millisecond a row, so rows
are built here by hand instead, with the same values (tests hold the two equal). What a
row shows beyond its own joined columns (phones, terms, languages, hours, accessibility)
is read for a whole page in a few flat queries of plain values, without building models.

`provider_rows` goes one step further for the endpoints: given the ids the search
decided (and their distances), it reads the rows' own columns in one join into light
stand-ins for the four models (`_Light`), which carry the models' redacting properties
(`public_street`, `public_point`, `distance_mi`) themselves, so `provider_row` treats both
alike. Building Django model instances was half the cost of a search request. It keeps
the rows it built while the directory token is unchanged (providers/directory_version.py)
and fills only open now and the distances for each request.
"""

import itertools
import json
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import NamedTuple
from uuid import UUID

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_time

from providers.directory_version import current_token
from providers.hours import is_open
from providers.models import (
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
from providers.search_rows import as_uuid, db_ids


class PhoneRow(NamedTuple):
    number: str
    extension: str
    kind: str
    note: str


class Period(NamedTuple):
    weekday: int
    opens_at: time
    closes_at: time


@dataclass
class Related:
    """What a page of rows shows beyond their joined columns, by the owner's id as the
    database holds it (`key`)."""

    key: Callable[[UUID], object]
    service_phones: dict = field(default_factory=dict)
    location_phones: dict = field(default_factory=dict)
    organization_phones: dict = field(default_factory=dict)
    terms: dict = field(default_factory=dict)  # service -> [(kind, slug), ...]
    languages: dict = field(default_factory=dict)
    hours: dict = field(default_factory=dict)
    accessibility: dict = field(default_factory=dict)


# Plain SQL: building these five small queries with the ORM cost several times more than
# running them (about a millisecond each, most of it preparing every id of the IN lists).
# The orders are those of the models' relations as the serializer's reference reads them.
_PHONES = """
    SELECT service_id, location_id, organization_id, number, extension, kind, note
    FROM providers_phone
    WHERE service_id IN ({services}) OR location_id IN ({locations})
        OR organization_id IN ({organizations})
    ORDER BY position, id"""
_TERMS = """
    SELECT link.service_id, term.kind, term.slug
    FROM providers_service_terms link JOIN providers_term term ON term.id = link.term_id
    WHERE link.service_id IN ({services})
    ORDER BY term.kind, term.position, term.slug"""
_LANGUAGES = """
    SELECT link.service_id, language.code, language.name, language.name_es,
        language.native_name
    FROM providers_service_languages link
        JOIN providers_language language ON language.code = link.language_id
    WHERE link.service_id IN ({services})
    ORDER BY language.code"""
_HOURS = """
    SELECT location_id, weekday, opens_at, closes_at
    FROM providers_openinghours
    WHERE location_id IN ({locations})
    ORDER BY weekday, opens_at, id"""
_ACCESSIBILITY = """
    SELECT link.location_id, term.slug
    FROM providers_location_accessibility link
        JOIN providers_term term ON term.id = link.term_id
    WHERE link.location_id IN ({locations})
    ORDER BY term.position, term.slug"""


def _hex(value: UUID) -> str:
    return value.hex


def _same(value: UUID) -> UUID:
    return value


def _time(value) -> time:
    return value if isinstance(value, time) else parse_time(value)


def load_related(rows: list[ServiceAtLocation]) -> Related:
    """Phones, terms, languages, hours and accessibility of `rows`: five queries, any size."""
    # SQLite keeps a UUID as 32 hex digits (and returns it so); PostgreSQL has a uuid type.
    key = _same if connection.features.has_native_uuid_field else _hex
    if not rows:
        return Related(key=key)
    services = list({key(sal.service_id) for sal in rows})
    locations = list({key(sal.location_id) for sal in rows})
    organizations = list({key(sal.service.organization_id) for sal in rows})
    marks = {
        name: ", ".join(["%s"] * len(ids))
        for name, ids in [
            ("services", services),
            ("locations", locations),
            ("organizations", organizations),
        ]
    }
    related = Related(
        key=key,
        service_phones=defaultdict(list),
        location_phones=defaultdict(list),
        organization_phones=defaultdict(list),
        terms=defaultdict(list),
        languages=defaultdict(list),
        hours=defaultdict(list),
        accessibility=defaultdict(list),
    )
    with connection.cursor() as cursor:
        # One query for the three owners' numbers; a number may belong to more than one.
        cursor.execute(_PHONES.format(**marks), [*services, *locations, *organizations])
        for service_id, location_id, organization_id, *phone in cursor.fetchall():
            row = PhoneRow(*phone)
            if service_id is not None:
                related.service_phones[service_id].append(row)
            if location_id is not None:
                related.location_phones[location_id].append(row)
            if organization_id is not None:
                related.organization_phones[organization_id].append(row)
        cursor.execute(_TERMS.format(**marks), services)
        for service_id, kind, slug in cursor.fetchall():
            related.terms[service_id].append((kind, slug))
        cursor.execute(_LANGUAGES.format(**marks), services)
        for service_id, code, name, name_es, native_name in cursor.fetchall():
            related.languages[service_id].append(
                {"code": code, "name": name, "name_es": name_es, "native_name": native_name}
            )
        cursor.execute(_HOURS.format(**marks), locations)
        for location_id, weekday, opens_at, closes_at in cursor.fetchall():
            related.hours[location_id].append(Period(weekday, _time(opens_at), _time(closes_at)))
        cursor.execute(_ACCESSIBILITY.format(**marks), locations)
        for location_id, slug in cursor.fetchall():
            related.accessibility[location_id].append(slug)
    return related


def _text(value) -> str | None:
    # As DRF's CharField, UUIDField and ChoiceField give it (None stays None).
    return None if value is None else str(value)


def _number(value) -> float | None:
    return None if value is None else float(value)


def _hh_mm(value: time) -> str:
    return value.strftime("%H:%M")


def _phones(sal: ServiceAtLocation, related: Related) -> list[dict]:
    """The service's numbers first, then the location's, then the organization's."""
    key = related.key
    seen: set[tuple[str, str]] = set()
    phones = []
    for phone in [
        *related.service_phones.get(key(sal.service_id), ()),
        *related.location_phones.get(key(sal.location_id), ()),
        *related.organization_phones.get(key(sal.service.organization_id), ()),
    ]:
        number = (phone.number, phone.extension)
        if number not in seen:
            seen.add(number)
            phones.append(
                {
                    "number": _text(phone.number),
                    "extension": _text(phone.extension),
                    "kind": _text(phone.kind),
                    "note": _text(phone.note),
                    # The model's own property, read off the plain row.
                    "tel_uri": Phone.tel_uri.fget(phone),
                }
            )
    return phones


def _location(location: Location, related: Related) -> dict:
    # The redacted view only (public_street, public_point): never the raw address fields.
    point = location.public_point
    return {
        "id": _text(location.id),
        "name": _text(location.name),
        "kind": _text(location.kind),
        "address_1": _text(location.public_street),
        "address_2": _text(location.public_street_2),
        "city": _text(location.city),
        "state": _text(location.state),
        "postcode": _text(location.postcode),
        "country": _text(location.country),
        "lat": point[0] if point else None,
        "lng": point[1] if point else None,
        "address_confidential": bool(location.address_confidential),
        "coordinates_approximate": bool(location.coordinates_approximate),
        "timezone": _text(location.timezone),
        "open_24_7": bool(location.open_24_7),
        "hours_note": _text(location.hours_note),
        "accessibility": list(related.accessibility.get(related.key(location.id), ())),
    }


class _Kept(NamedTuple):
    """A built row (open_now and the distances left None) and what those depend on."""

    row: dict
    open_24_7: bool
    periods: tuple[Period, ...]
    tz_name: str
    confidential: bool

    def serve(self, miles: float | None, now: datetime) -> dict:
        """The row with open_now at `now` and the public distances of `miles`: a new dict
        whose nested lists and dicts are the kept row's."""
        row = dict(self.row)
        row["open_now"] = is_open(
            open_24_7=self.open_24_7, periods=self.periods, tz_name=self.tz_name, now=now
        )
        row["distance_mi"] = public_miles(miles, confidential=self.confidential)
        row["distance_km"] = public_km(row["distance_mi"], confidential=self.confidential)
        return row


def provider_row(sal: ServiceAtLocation, *, related: Related, now: datetime | None) -> dict:
    """One search row, exactly as `ProviderSerializer`'s declared fields would give it."""
    miles = getattr(sal, "exact_distance_mi", None)
    return _prepared(sal, related).serve(miles, now or timezone.now())


def _prepared(sal: ServiceAtLocation, related: Related) -> _Kept:
    """A row with everything but what changes with the request (open_now, distances)."""
    service, location = sal.service, sal.location
    organization = service.organization
    terms = related.terms.get(related.key(service.id), ())
    periods = tuple(related.hours.get(related.key(location.id), ()))
    verified = organization.last_verified_on
    row = {
        "id": _text(sal.id),
        "service_id": _text(sal.service_id),
        "name": _text(service.name),
        "description": _text(service.description),
        "organization": {
            "id": _text(organization.id),
            "name": _text(organization.name),
            "alternate_name": _text(organization.alternate_name),
            "website": _text(organization.website),
            "email": _text(organization.email),
        },
        "services": [slug for kind, slug in terms if kind == Term.Kind.SERVICE_TYPE],
        "victimization": [slug for kind, slug in terms if kind == Term.Kind.VICTIMIZATION],
        "populations": [slug for kind, slug in terms if kind == Term.Kind.POPULATION],
        "languages": [
            dict(language) for language in related.languages.get(related.key(service.id), ())
        ],
        "cost": _text(service.cost),
        "cost_note": _text(service.cost_note),
        "eligibility": _text(service.eligibility),
        "how_to_get_help": _text(service.how_to_get_help),
        "website": _text(service.website),
        "email": _text(service.email),
        "service_area": {
            "kind": _text(service.service_area),
            "states": (
                None
                if service.service_area_states is None
                else [_text(state) for state in service.service_area_states]
            ),
            "radius_mi": _number(service.service_area_radius_mi),
        },
        "location": _location(location, related),
        "phones": _phones(sal, related),
        "hours": [
            {"weekday": int(day), "opens_at": _hh_mm(opens), "closes_at": _hh_mm(closes)}
            for day, opens, closes in periods
        ],
        "open_now": None,
        "distance_mi": None,
        "distance_km": None,
        "last_verified": verified.isoformat() if verified else None,
    }
    return _Kept(
        row=row,
        open_24_7=bool(location.open_24_7),
        periods=periods,
        tz_name=location.timezone,
        confidential=bool(location.address_confidential),
    )


class _Light:
    """A stand-in for a model row: its columns as attributes, and the model's own
    properties (the redacted view) copied onto the class, so they run unchanged."""

    __slots__ = ()
    model: type
    columns: tuple[str, ...] = ()

    @classmethod
    def of(cls, model, columns: Iterable[str], *, extra=(), borrow=()) -> type:
        namespace = {
            "__slots__": (*columns, *extra),
            "model": model,
            "columns": tuple(columns),
            **{name: model.__dict__[name] for name in borrow},
        }
        return type(f"Light{model.__name__}", (cls,), namespace)


# What provider_row reads of each model (it reads nothing else: a missing one fails loudly).
_LightOrganization = _Light.of(
    Organization, ("id", "name", "alternate_name", "website", "email", "last_verified_on")
)
_LightService = _Light.of(
    Service,
    (
        "id",
        "organization_id",
        "name",
        "description",
        "cost",
        "cost_note",
        "eligibility",
        "how_to_get_help",
        "website",
        "email",
        "service_area",
        "service_area_states",
        "service_area_radius_mi",
    ),
    extra=("organization",),
)
_LightLocation = _Light.of(
    Location,
    (
        "id",
        "name",
        "kind",
        "address_1",
        "address_2",
        "city",
        "state",
        "postcode",
        "country",
        "latitude",
        "longitude",
        "address_confidential",
        "coordinates_approximate",
        "timezone",
        "open_24_7",
        "hours_note",
    ),
    borrow=("public_street", "public_street_2", "public_point"),
)
_LightRow = _Light.of(
    ServiceAtLocation,
    ("id", "service_id", "location_id"),
    extra=("service", "location", "exact_distance_mi"),
    borrow=("distance_mi", "distance_km"),
)
_PARTS = (_LightRow, _LightService, _LightOrganization, _LightLocation)


def _converter(model, name: str):
    """What turns the cursor's value of a column into the model attribute's value."""
    internal = model._meta.get_field(name).get_internal_type()
    if internal == "UUIDField" or name.endswith("_id"):
        return as_uuid
    if internal == "DateField":
        return lambda value: value if isinstance(value, date) else date.fromisoformat(value)
    if internal == "JSONField":
        return lambda value: json.loads(value) if isinstance(value, str) else value
    if internal == "BooleanField":
        return bool
    return None


class _Columns:
    """The join of the four tables for a list of ids, compiled once per connection vendor."""

    def __init__(self, vendor_connection) -> None:
        quote = vendor_connection.ops.quote_name
        aliases = {ServiceAtLocation: "sal", Service: "s", Organization: "o", Location: "l"}
        selected = []
        self.converters = []
        self.slices = []
        for part in _PARTS:
            self.slices.append((part, len(selected), len(selected) + len(part.columns)))
            model = part.model
            for name in part.columns:
                column = model._meta.get_field(name).column
                selected.append(f"{aliases[model]}.{quote(column)}")
                self.converters.append(_converter(model, name))

        def table(model) -> str:
            return f"{quote(model._meta.db_table)} {aliases[model]}"

        self.sql = (
            f"SELECT {', '.join(selected)} FROM {table(ServiceAtLocation)}"
            f" JOIN {table(Service)} ON s.id = sal.{quote('service_id')}"
            f" JOIN {table(Organization)} ON o.id = s.{quote('organization_id')}"
            f" JOIN {table(Location)} ON l.id = sal.{quote('location_id')}"
            " WHERE sal.id IN ({ids}) AND s.status = %s AND o.status = %s"
        )


_COLUMNS: dict[str, _Columns] = {}


def _light_rows(ids: list[UUID]) -> dict[UUID, object]:
    """The listed rows among `ids` as light stand-ins, by id: one query."""
    columns = _COLUMNS.get(connection.vendor)
    if columns is None:
        columns = _COLUMNS[connection.vendor] = _Columns(connection)
    sql = columns.sql.format(ids=", ".join(["%s"] * len(ids)))
    with connection.cursor() as cursor:
        params = [*db_ids(ids, using=connection.alias), Status.PUBLISHED, Status.PUBLISHED]
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    found = {}
    for values in fetched:
        values = [
            value if convert is None or value is None else convert(value)
            for convert, value in zip(columns.converters, values, strict=True)
        ]
        row, service, organization, location = (
            _fill(part(), part.columns, values[start:stop]) for part, start, stop in columns.slices
        )
        service.organization, row.service, row.location = organization, service, location
        found[row.id] = row
    return found


def _fill(light: _Light, names: tuple[str, ...], values: list) -> _Light:
    for name, value in zip(names, values, strict=True):
        setattr(light, name, value)
    return light


# Rows built in this process, by database alias: (the directory token they were built
# under, {id: _Kept}). A row is kept only while the token stays the same
# (providers/directory_version.py); never a search's place or words, only listed rows.
_kept: dict[str, tuple[int, dict[UUID, _Kept]]] = {}
_kept_lock = threading.Lock()


def _kept_rows(alias: str, token: int) -> dict[UUID, _Kept]:
    state = _kept.get(alias)
    if state is None or state[0] != token:
        state = _kept[alias] = (token, {})
    return state[1]


def _keep(
    kept: dict[UUID, _Kept], built: dict[UUID, _Kept], used: list[UUID], *, size: int
) -> None:
    """Add the rows just built; the rows just used move to the newest end (least recently
    used first out), and the oldest go when there are more than `size`."""
    with _kept_lock:
        for pk in used:
            entry = kept.pop(pk, None)
            if entry is not None:
                kept[pk] = entry
        kept.update(built)
        # The oldest first (dicts keep insertion order), down to nine tenths of the size.
        surplus = len(kept) - size
        if surplus > 0:
            for pk in list(itertools.islice(kept, surplus + size // 10)):
                kept.pop(pk, None)


def _build(ids: list[UUID]) -> dict[UUID, _Kept]:
    """The listed rows among `ids`, built: six queries for any number of rows."""
    rows = list(_light_rows(ids).values())
    related = load_related(rows)
    return {row.id: _prepared(row, related) for row in rows}


def provider_rows(
    pairs: list[tuple[UUID, float | None]], *, now: datetime | None = None
) -> list[dict]:
    """The API rows of (id, exact miles or None) pairs, in their order: listed rows only
    (an id that is not listed is left out). A row built before in this process is reused
    while the directory token is the same (one query to read it; `API_ROW_CACHE_SIZE`
    rows at most, 0 to keep none); the others are built with six queries in all.
    The rows share their nested lists and dicts with the kept ones: read them, never
    change them."""
    if not pairs:
        return []
    size = settings.API_ROW_CACHE_SIZE
    token = current_token(connection) if size else None
    kept = {} if token is None else _kept_rows(connection.alias, token)
    # One look at the kept rows, then served from this snapshot: another request (or this
    # one's own additions) may drop kept rows meanwhile.
    found = {pk: kept.get(pk) for pk, _ in pairs}
    missing = [pk for pk, entry in found.items() if entry is None]
    built = _build(missing) if missing else {}
    found.update(built)
    crowded = len(kept) > size // 2  # then the rows used move to the newest end
    if token is not None and (built or crowded):
        used = [pk for pk in found if pk not in built] if crowded else []
        _keep(kept, built, used, size=size)
    now = now or timezone.now()
    rows = []
    for pk, miles in pairs:
        entry = found[pk]
        if entry is None:  # not listed
            continue
        rows.append(entry.serve(miles, now))
    return rows
