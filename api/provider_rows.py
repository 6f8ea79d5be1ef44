"""Provider rows as plain dicts, for the search and detail endpoints.

`ProviderSerializer` declares the output (the OpenAPI schema is built from it) and is
the reference; DRF's field-by-field walk costs about half a millisecond a row, so rows
are built here by hand instead, with the same values (tests hold the two equal). What a
row shows beyond its own joined columns (phones, terms, languages, hours, accessibility)
is read for a whole page in a few flat queries of plain values, without building models.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import NamedTuple
from uuid import UUID

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_time

from providers.hours import is_open
from providers.models import Location, Phone, ServiceAtLocation, Term


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


def provider_row(sal: ServiceAtLocation, *, related: Related, now: datetime | None) -> dict:
    """One search row, exactly as `ProviderSerializer`'s declared fields would give it."""
    service, location = sal.service, sal.location
    organization = service.organization
    terms = related.terms.get(related.key(service.id), ())
    periods = related.hours.get(related.key(location.id), ())
    verified = organization.last_verified_on
    return {
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
        "open_now": is_open(
            open_24_7=location.open_24_7,
            periods=periods,
            tz_name=location.timezone,
            now=now or timezone.now(),
        ),
        "distance_mi": _number(sal.distance_mi),
        "distance_km": _number(sal.distance_km),
        "last_verified": verified.isoformat() if verified else None,
    }
