"""Our models as Open Referral HSDS objects: the one mapping, pure functions to dicts.

The HSDS feed (/api/hsds/) serialises these dicts, the export (export_hsds) flattens the
same dicts into its tables, and the importer reads our own vocabulary back from the
constants here. Addresses and points are shown as the one rule of providers/redaction.py
lets them (the rule the listing builder's rows follow): a confidential location never
yields a street, a unit, a ZIP+4 or a point. Phones come in the one order of
providers/phones.py. `package=True` (the export, a data package for another directory) adds
only what that directory needs to keep the listing confidential and near: the flags
(confidential, sample) as attributes, and an address "Confidential address" with the city,
state and 5-digit ZIP (`redaction.shared`), which the importer places at the ZIP's centre.
The feed shows neither ZIP nor address for such a location. Blank optional fields are left out
rather than sent as "" or null, because several HSDS fields have formats (uri, email).

Objects we keep without a UUID (phones, opening hours, languages of a service, attributes,
service areas, cost options, addresses) get a stable UUID derived from their own keys, so
the same record has the same id in every response and export.

For speed, callers prefetch what a function reads (see `SERVICE_PREFETCH` and friends);
every function also works without prefetching, just with more queries.
"""

import uuid
from collections.abc import Iterable
from zoneinfo import ZoneInfoNotFoundError

from django.db.models import Prefetch

from providers import redaction
from providers.geometry import area_centre
from providers.hours import utc_offsets
from providers.models import (
    Cost,
    Language,
    Location,
    LocationKind,
    OpeningHours,
    Organization,
    Phone,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Status,
    Term,
)
from providers.phones import ordered_phones

# The feed answers in HSDS 3.1 (3.1.x: its released fixes are to the API document) unless a
# client asks for the 3.0 shape; 3.1 only adds to 3.0 (here: service areas on each service
# at location, publisher metadata on the root).
HSDS_VERSION = "3.1"
HSDS_VERSIONS = ("3.1", "3.0")
# What another directory's street field holds for a confidential location; the importer
# recognises it.
CONFIDENTIAL_STREET = redaction.CONFIDENTIAL_STREET
# The HSDS specification we follow, without a further profile.
HSDS_PROFILE_URLS = {
    version: f"https://github.com/openreferral/specification/tree/{version}"
    for version in HSDS_VERSIONS
}
# Fixed namespace for derived ids: never change it, or every derived id changes.
NAMESPACE = uuid.UUID("5d4b3f0e-6a43-4c3e-9b53-6f1e0c2a7d11")

TAXONOMIES = {
    Term.Kind.SERVICE_TYPE: (
        "resource-map-needs",
        "Resource Map needs",
        "What a person can get help with (our service types).",
    ),
    Term.Kind.VICTIMIZATION: (
        "resource-map-victimization",
        "Resource Map victimization types",
        "The crimes a service helps victims of.",
    ),
    Term.Kind.POPULATION: (
        "resource-map-populations",
        "Resource Map populations served",
        "Groups of people a service is meant for.",
    ),
    Term.Kind.ACCESSIBILITY: (
        "resource-map-accessibility",
        "Resource Map accessibility features",
        "Accessibility features of a location.",
    ),
}
TAXONOMY_VERSION = "1"
# Flags travel in the export as terms of our own "flags" taxonomy; the importer reads them.
FLAGS_TAXONOMY = "Resource Map: flags"
FLAG_CONFIDENTIAL = "address-confidential"
FLAG_SAMPLE = "sample-data"
FLAGS = {
    FLAG_CONFIDENTIAL: "The street address and exact position are confidential.",
    FLAG_SAMPLE: "Made-up listing used for demonstration.",
}

_PHONE_TYPES = {
    Phone.Kind.VOICE: "voice",
    Phone.Kind.TEXT: "text",
    Phone.Kind.HOTLINE: "voice",
    Phone.Kind.TTY: "textphone",
    Phone.Kind.FAX: "fax",
}
_BYDAY = {1: "MO", 2: "TU", 3: "WE", 4: "TH", 5: "FR", 6: "SA", 7: "SU"}
_SERVICE_STATUS = {
    Status.PUBLISHED: "active",
    Status.DRAFT: "inactive",
    Status.RETIRED: "defunct",
}
COST_OPTIONS = {
    Cost.FREE: "Free",
    Cost.SLIDING_SCALE: "Sliding scale",
    Cost.FEE: "Fee",
}

# What the functions below read, for `prefetch_related` / `prefetch_related_objects`.
LOCATION_PREFETCH = (
    Prefetch("phones", queryset=Phone.objects.order_by("position", "id")),
    Prefetch("hours", queryset=OpeningHours.objects.order_by("weekday", "opens_at", "id")),
    Prefetch("accessibility", queryset=Term.objects.order_by("position", "slug")),
)
SERVICE_PREFETCH = (
    Prefetch("phones", queryset=Phone.objects.order_by("position", "id")),
    Prefetch("terms", queryset=Term.objects.order_by("kind", "position", "slug")),
    Prefetch("languages", queryset=Language.objects.order_by("code")),
)


def derived_id(*parts: object) -> str:
    """A stable UUID for a record we keep without one."""
    return str(uuid.uuid5(NAMESPACE, ":".join(str(part) for part in parts)))


def taxonomy_id(kind: str) -> str:
    return derived_id("taxonomy", kind)


def _compact(data: dict) -> dict:
    """Drop blank optional values (None, "", []) so formats like uri and email hold."""
    return {key: value for key, value in data.items() if value not in (None, "", [])}


def taxonomy_to_hsds(kind: str) -> dict:
    code, name, description = TAXONOMIES[kind]
    return {
        "id": taxonomy_id(kind),
        "name": name,
        "description": description,
        "version": TAXONOMY_VERSION,
        "code": code,
    }


def taxonomy_term_to_hsds(term: Term) -> dict:
    code = TAXONOMIES[term.kind][0]
    return _compact(
        {
            "id": str(term.id),
            "code": term.slug,
            "name": term.name,
            "taxonomy": code,
            "taxonomy_id": taxonomy_id(term.kind),
            "language": "en",
        }
    ) | {"description": term.description or term.name}  # HSDS requires a description


def flags_taxonomy_to_hsds() -> dict:
    return {
        "id": taxonomy_id("flags"),
        "name": FLAGS_TAXONOMY,
        "description": f"{FLAGS_TAXONOMY} (Resource Map's own taxonomy)",
    }


def flag_term_to_hsds(code: str) -> dict:
    return {
        "id": derived_id("flag", code),
        "code": code,
        "name": code,
        "description": FLAGS[code],
        "taxonomy": FLAGS_TAXONOMY,
        "taxonomy_id": taxonomy_id("flags"),
    }


def flag_to_hsds(code: str, *, link_id: object, link_entity: str) -> dict:
    """A flag (confidential, sample) on a record, as an attribute: export only."""
    return {
        "id": derived_id("attribute", link_entity, link_id, code),
        "link_id": str(link_id),
        "link_entity": link_entity,
        "link_type": "flag",
        "taxonomy_term_id": derived_id("flag", code),
        "taxonomy_term": flag_term_to_hsds(code),
    }


def attribute_to_hsds(term: Term, *, link_id: object, link_entity: str) -> dict:
    """A term attached to a service or location (HSDS attribute -> taxonomy_term)."""
    return {
        "id": derived_id("attribute", link_entity, link_id, term.id),
        "link_id": str(link_id),
        "link_entity": link_entity,
        "link_type": term.kind,
        "taxonomy_term_id": str(term.id),
        "taxonomy_term": taxonomy_term_to_hsds(term),
    }


def phone_to_hsds(phone: Phone) -> dict:
    data = {
        "id": derived_id("phone", phone.pk),
        "number": phone.number,
        "type": _PHONE_TYPES.get(phone.kind, "voice"),
        "description": phone.note,
        "organization_id": str(phone.organization_id) if phone.organization_id else None,
        "service_id": str(phone.service_id) if phone.service_id else None,
        "location_id": str(phone.location_id) if phone.location_id else None,
    }
    # HSDS types the extension as a number; a non-numeric one goes into the description.
    if phone.extension.isdigit():
        data["extension"] = int(phone.extension)
    elif phone.extension:
        data["description"] = f"ext. {phone.extension}. {phone.note}".strip()
    return _compact(data)


def standard_offset(zone: str) -> int | float | None:
    """A zone's standard time as hours from UTC (HSDS's schedule `timezone`, a number):
    America/Denver -7. The importer reads x_timezone, the zone's name, first."""
    try:
        minutes = utc_offsets(zone)[0]
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return minutes // 60 if minutes % 60 == 0 else minutes / 60


def _schedule(location: Location, *, key: object, byday="", opens="", closes="") -> dict:
    return _compact(
        {
            "id": derived_id("schedule", location.id, key),
            "location_id": str(location.id),
            # Without it HSDS reads the times as UTC. The offset cannot tell Phoenix from
            # Denver, nor a summer offset from a standard one: the zone's name goes with it.
            "timezone": standard_offset(location.timezone),
            "x_timezone": location.timezone,
            "freq": "WEEKLY" if byday else None,
            "byday": byday,
            "opens_at": opens,
            "closes_at": closes,
            "notes": location.hours_note,
        }
    )


def schedules_to_hsds(location: Location) -> list[dict]:
    """Weekly opening periods (iCal RRULE style); 24/7 as 00:00-23:59 every day; a note
    about the hours on each (alone when no hours are known)."""
    if location.open_24_7:
        every_day = ",".join(_BYDAY.values())
        return [_schedule(location, key="24/7", byday=every_day, opens="00:00", closes="23:59")]
    periods = list(location.hours.all())
    if not periods and location.hours_note:
        return [_schedule(location, key="note")]
    return [
        _schedule(
            location,
            key=period.pk,
            byday=_BYDAY[period.weekday],
            opens=f"{period.opens_at:%H:%M}",
            closes=f"{period.closes_at:%H:%M}",
        )
        for period in periods
    ]


def phones_to_hsds(phones: Iterable[Phone]) -> list[dict]:
    """One owner's numbers in the one order of providers/phones.py (voice and hotline, text,
    TTY, fax; each number once), as the listing builder orders them."""
    return [phone_to_hsds(phone) for phone in ordered_phones(phones, (), ())]


def _shown(location: Location, *, package: bool) -> redaction.Shown:
    """What this output may show of the address: the one rule of providers/redaction.py."""
    return redaction.shared(location) if package else redaction.public(location)


def address_to_hsds(location: Location, *, package: bool = False) -> dict | None:
    """The physical address as providers/redaction.py lets it be shown; None when remote or
    incomplete (HSDS requires street, city, state and ZIP), so None for a confidential
    location in the feed, and in a package its placeholder street with the 5-digit ZIP."""
    shown = _shown(location, package=package)
    if location.kind != LocationKind.PHYSICAL or not (
        shown.address_1 and location.city and location.state and shown.postcode
    ):
        return None
    return _compact(
        {
            "id": derived_id("address", location.id),
            "location_id": str(location.id),
            "address_1": shown.address_1,
            "address_2": shown.address_2,
        }
    ) | {
        "city": location.city,
        "state_province": location.state,
        "postal_code": shown.postcode,
        "country": location.country,
        "address_type": "physical",
    }


def location_to_hsds(location: Location, *, package: bool = False) -> dict:
    """A location; confidential ones carry no street and no coordinates, only the area."""
    point = _shown(location, package=package).point
    address = address_to_hsds(location, package=package)
    data = {
        "id": str(location.id),
        "location_type": "physical" if location.kind == LocationKind.PHYSICAL else "virtual",
        "organization_id": str(location.organization_id),
        "name": location.name,
        "latitude": point[0] if point else None,
        "longitude": point[1] if point else None,
        # An extension (HSDS has no such field): the point is a ZIP's or a town's centre.
        "x_coordinates_approximate": True if point and location.coordinates_approximate else None,
        "addresses": [address] if address else [],
        "phones": phones_to_hsds(location.phones.all()),
        "schedules": schedules_to_hsds(location),
        "accessibility": [
            {
                "id": derived_id("accessibility", location.id, term.id),
                "location_id": str(location.id),
                "description": term.name,
            }
            for term in location.accessibility.all()
        ],
        "attributes": [
            attribute_to_hsds(term, link_id=location.id, link_entity="location")
            for term in location.accessibility.all()
        ],
    }
    if package and location.address_confidential:
        flag = flag_to_hsds(FLAG_CONFIDENTIAL, link_id=location.id, link_entity="location")
        data["attributes"].append(flag)
    if location.address_confidential:
        # Only the town: enough to know it is near, never enough to find it.
        town = ", ".join(part for part in (location.city, location.state) if part)
        data["description"] = f"Confidential address{' in ' + town if town else ''}: call first."
    return _compact(data)


def service_area_to_hsds(service: Service) -> list[dict]:
    """Where a service is available; a circle's centre is rounded to about 1 km."""
    base = {"service_id": str(service.id)}
    if service.service_area == ServiceArea.NATIONWIDE:
        return [
            base
            | {
                "id": derived_id("service_area", service.id, "US"),
                "name": "United States",
                "extent": "US",
                "extent_type": "country",
            }
        ]
    if service.service_area == ServiceArea.STATES:
        return [
            base
            | {
                "id": derived_id("service_area", service.id, code),
                "name": code,
                "extent": code,
                "extent_type": "state",
            }
            for code in sorted(service.service_area_states)
        ]
    if service.service_area == ServiceArea.RADIUS and service.service_area_radius_mi:
        lat = area_centre(service.service_area_lat or 0.0)
        lng = area_centre(service.service_area_lng or 0.0)
        miles = service.service_area_radius_mi
        return [
            base
            | {
                "id": derived_id("service_area", service.id, "radius"),
                # The importers read "within N miles of lat,lng" back.
                "name": f"Within {miles:g} miles of {lat:.2f},{lng:.2f}",
                "description": f"Within {miles:g} miles of {lat:.2f}, {lng:.2f}.",
                "extent": f"{lat:.2f},{lng:.2f};{miles:g}mi",
                "extent_type": "radius",
            }
        ]
    return []


def organization_to_hsds(
    organization: Organization,
    *,
    locations: Iterable[Location] = (),
    services: Iterable = (),
    package: bool = False,
) -> dict:
    """An organization; pass its public `locations` and `services` (dicts) to nest them."""
    flags = [FLAG_SAMPLE] if package and organization.is_sample else []
    data = _compact(
        {
            "id": str(organization.id),
            "name": organization.name,
            "alternate_name": organization.alternate_name,
            "email": organization.email,
            "website": organization.website,
            "phones": phones_to_hsds(organization.phones.all()),
            "locations": [location_to_hsds(location) for location in locations],
            "services": list(services),
            "attributes": [
                flag_to_hsds(code, link_id=organization.id, link_entity="organization")
                for code in flags
            ],
        }
    )
    # HSDS requires a description; the importer reads one equal to the name as none.
    return data | {"description": organization.description or organization.name}


def cost_options_to_hsds(service: Service) -> list[dict]:
    if not service.cost:
        return []  # not stated: no option rather than a guess
    return [
        _compact(
            {
                "id": derived_id("cost_option", service.id),
                "service_id": str(service.id),
                "option": COST_OPTIONS.get(service.cost, service.cost),
                "amount_description": service.cost_note,
            }
        )
    ]


def service_brief_to_hsds(service: Service) -> dict:
    """A service as a short entry (HSDS `minimal`, or nested in an organization): what the
    schema requires (id, name, status) and when it last changed."""
    return {
        "id": str(service.id),
        "name": service.name,
        "status": _SERVICE_STATUS.get(service.status, "inactive"),
        "last_modified": service.updated_at.isoformat(),
    }


def service_to_hsds(
    service: Service,
    *,
    service_at_locations: Iterable[ServiceAtLocation] | None = None,
    version: str = HSDS_VERSION,
) -> dict:
    """A service; with `service_at_locations` (public rows) it is fully nested."""
    data = {
        "id": str(service.id),
        "organization_id": str(service.organization_id),
        "name": service.name,
        "description": service.description,
        "url": service.website,
        "email": service.email,
        "status": _SERVICE_STATUS.get(service.status, "inactive"),
        # The cost itself is a cost option; the note is what the importer reads back.
        "fees_description": service.cost_note,
        "eligibility_description": service.eligibility,
        "application_process": service.how_to_get_help,
        "last_modified": service.updated_at.isoformat() if service.updated_at else None,
    }
    verified = service.organization.last_verified_on
    if verified:
        data["assured_date"] = verified.isoformat()
    if service_at_locations is None:
        return _compact(data)
    areas = service_area_to_hsds(service)
    data |= {
        "organization": organization_to_hsds(service.organization),
        **service_children(service),
        "service_at_locations": [
            service_at_location_to_hsds(sal, version=version, areas=areas)
            for sal in service_at_locations
        ],
    }
    return _compact(data)


def service_children(service: Service) -> dict:
    """What hangs off a service: phones, languages, areas, cost options, attributes."""
    return {
        "phones": phones_to_hsds(service.phones.all()),
        "languages": [
            {
                "id": derived_id("language", service.id, language.code),
                "service_id": str(service.id),
                "name": language.name,
                "code": language.code,
            }
            for language in service.languages.all()
        ],
        "service_areas": service_area_to_hsds(service),
        "cost_options": cost_options_to_hsds(service),
        "attributes": [
            attribute_to_hsds(term, link_id=service.id, link_entity="service")
            for term in service.terms.all()
        ],
    }


def service_at_location_to_hsds(
    sal: ServiceAtLocation,
    *,
    service: dict | None = None,
    location: bool = True,
    version: str = HSDS_VERSION,
    areas: list[dict] | None = None,
) -> dict:
    """A service at a location, with its (redacted) location unless `location` is False;
    `service` nests a service. From 3.1 it carries its service's areas (pass `areas`, the
    service's, when they are at hand)."""
    data = {
        "id": str(sal.id),
        "service_id": str(sal.service_id),
        "location_id": str(sal.location_id),
        "description": sal.description,
        "location": location_to_hsds(sal.location) if location else None,
        "service": service,
    }
    if version != "3.0":
        data["service_areas"] = [
            area
            | {
                "id": derived_id("service_area", sal.id, area["id"]),
                "service_at_location_id": str(sal.id),
            }
            for area in (service_area_to_hsds(sal.service) if areas is None else areas)
        ]
    return _compact(data)
