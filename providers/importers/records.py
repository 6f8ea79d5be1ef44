"""Turning one cleaned-up row into model values, shared by the HSDS and spreadsheet importers.

Each builder reports what it fixed (file, row, field, what) and returns None for a row that
cannot be imported, after reporting why.
"""

import re
from dataclasses import dataclass

from providers.geocode import states_timezone
from providers.geometry import area_centre
from providers.importers import normalise as norm
from providers.importers.places import Placer
from providers.importers.report import Report
from providers.models import Cost, Location, LocationKind, ServiceArea, Status

ORG_FIELDS = ("name", "alternate_name", "description", "website", "email", "is_sample",
              "last_verified_on")  # fmt: skip
SERVICE_FIELDS = (
    "organization_id", "name", "description", "website", "email", "status", "cost",
    "cost_note", "eligibility", "how_to_get_help", "service_area", "service_area_states",
    "service_area_lat", "service_area_lng", "service_area_radius_mi",
)  # fmt: skip
LOCATION_FIELDS = (
    "organization_id", "name", "kind", "address_1", "address_2", "city", "state", "postcode",
    "country", "latitude", "longitude", "coordinates_approximate", "address_confidential",
    "timezone", "open_24_7", "hours_note",
)  # fmt: skip


@dataclass
class Row:
    """One source row being read: records fixes against its file and row number."""

    report: Report
    file: str
    number: int

    def fixed(self, field: str, note: str | None) -> None:
        if note:
            self.report.fixed(self.file, self.number, field, note)

    def warn(self, message: str) -> None:
        self.report.warn(self.file, self.number, message)

    def bad(self, message: str, field: str = "") -> None:
        self.report.bad_row(self.file, self.number, message, field)

    def text(self, value, field: str, *, max_length: int | None = None, multiline=False) -> str:
        out, note = norm.text(value, max_length=max_length, multiline=multiline)
        self.fixed(field, note)
        return out

    def url(self, value, field: str = "website") -> str:
        out, note = norm.url(value)
        self.fixed(field, note)
        return out

    def email(self, value, field: str = "email") -> str:
        out, note = norm.email(value)
        self.fixed(field, note)
        return out

    def date(self, value, field: str):
        try:
            return norm.parse_date(value)
        except norm.Unusable as error:
            self.fixed(field, f"{error}; left empty")
            return None


def organization_values(
    row: Row,
    *,
    name,
    alternate_name="",
    description="",
    website="",
    email="",
    is_sample=False,
    last_verified_on=None,
) -> dict | None:
    clean_name = row.text(name, "name", max_length=250)
    if not clean_name:
        row.bad("the organization has no name", "name")
        return None
    clean_description = row.text(description, "description", multiline=True)
    if clean_description == clean_name:  # our export fills a required description with the name
        clean_description = ""
    values = {
        "name": clean_name,
        "alternate_name": row.text(alternate_name, "alternate_name", max_length=250),
        "description": clean_description,
        "website": row.url(website),
        "email": row.email(email),
        "is_sample": bool(is_sample),
    }
    if last_verified_on is not None:
        values["last_verified_on"] = last_verified_on
    return values


_FREE = re.compile(r"\b(free|no (cost|charge|fee)s?|at no cost|gratis|gratuito)\b", re.I)
_SLIDING = re.compile(r"\bsliding\b|\bincome[- ]based\b|\bescala\b", re.I)
_FEE = re.compile(
    r"\$|\b(fees?|charges?|costs?|pay|paid|payments?|insurance|medicaid|medicare|co-?pays?|"
    r"tarifas?|costos?|cuotas?)\b",
    re.I,
)


def cost_from_text(*texts: str) -> str | None:
    """Free, sliding scale or fee from what the source says; None when it says nothing a
    person could rely on ("Varies", "Call for information"): cost is then not stated."""
    joined = " ".join(t for t in texts if t)
    if not joined.strip():
        return None
    if _SLIDING.search(joined):
        return Cost.SLIDING_SCALE
    if _FREE.search(joined):
        return Cost.FREE
    key = joined.strip().lower().replace(" ", "_").replace("-", "_")
    if key in Cost.values and key:
        return key
    if _FEE.search(joined):
        return Cost.FEE
    return None


def service_values(
    row: Row,
    *,
    organization_id,
    name,
    description="",
    website="",
    email="",
    active=True,
    cost=None,
    cost_note="",
    eligibility="",
    how_to_get_help="",
    area=None,
) -> dict | None:
    clean_name = row.text(name, "name", max_length=250)
    if not clean_name:
        row.bad("the service has no name", "name")
        return None
    values = {
        "organization_id": organization_id,
        "name": clean_name,
        "description": row.text(description, "description", multiline=True),
        "website": row.url(website, "url"),
        "email": row.email(email),
        "cost": cost or Cost.NOT_STATED,  # a silent source states nothing
        "cost_note": row.text(cost_note, "fees_description", max_length=300),
        "eligibility": row.text(eligibility, "eligibility", multiline=True),
        "how_to_get_help": row.text(how_to_get_help, "application_process", multiline=True),
        "service_area": ServiceArea.LOCAL,
        "service_area_states": [],
        "service_area_lat": None,
        "service_area_lng": None,
        "service_area_radius_mi": None,
    }
    if area:
        values.update(area)
    if not active:
        values["status"] = Status.RETIRED
    return values


_RADIUS = re.compile(
    r"within\s+(?P<r>\d+(?:\.\d+)?)\s*(?:mi|miles?)\s+of\s+(?P<lat>-?\d+(?:\.\d+)?)\s*,\s*"
    r"(?P<lng>-?\d+(?:\.\d+)?)",
    re.I,
)


def service_area(row: Row, texts: list[str]) -> dict | None:
    """Service area from HSDS service_areas names/extents or our spreadsheet column:
    'nationwide', state codes or names, 'within 50 mi of 40.7,-74.0'. Anything else (counties,
    ZIP lists) is kept as local, with a note."""
    states: list[str] = []
    for raw in texts:
        value = " ".join(str(raw or "").split())
        if not value:
            continue
        if value.lower() in {
            "nationwide",
            "national",
            "united states",
            "us",
            "usa",
            "entire us",
            "all states",
        }:
            return {"service_area": ServiceArea.NATIONWIDE}
        match = _RADIUS.search(value)
        if match:
            return {
                "service_area": ServiceArea.RADIUS,
                "service_area_radius_mi": float(match["r"]),
                "service_area_lat": area_centre(float(match["lat"])),
                "service_area_lng": area_centre(float(match["lng"])),
            }
        for part in re.split(r"\s*[,;]\s*", value):
            code, _ = norm.state(part)
            if not code:
                row.fixed("service_area", f"service area {value!r} not understood; kept local")
                states = []
                break
            states.append(code)
        else:
            continue
        break
    if states:
        return {"service_area": ServiceArea.STATES, "service_area_states": sorted(set(states))}
    return None


ADDRESS_LABELS = {
    "address_1": "address_1", "address_2": "address_2", "city": "city",
    "state": "state_province", "postcode": "postal_code", "country": "country",
}  # fmt: skip


def location_values(
    row: Row,
    placer: Placer,
    *,
    organization_id,
    name="",
    remote=False,
    address_1="",
    address_2="",
    city="",
    state="",
    postcode="",
    country="",
    lat=None,
    lng=None,
    confidential=False,
    approximate=False,
    address_row: Row | None = None,
    labels: dict | None = None,
    served_states: list[str] | None = None,
    schedule_zones: list[tuple[str, Row]] = (),
) -> dict | None:
    """A location with a checked address and a place on the map, or None (reported). A remote
    one keeps its hours in the timezone its schedule gives (`schedule_zones`: the values its
    schedules give, each with its row, where readings are reported; the first is kept),
    else its state's, else that of the states its service serves (`served_states`) when
    they share one. A placed one keeps its point's zone (a different one given is reported).

    Address fixes are reported against `address_row` (the addresses file) when given, under
    the source's column names (`labels`: our name -> theirs)."""
    at = address_row or row
    label = {**ADDRESS_LABELS, **(labels or {})}
    if not norm.is_empty(address_1) and all(norm.is_empty(v) for v in (city, state, postcode)):
        parts = norm.split_address(address_1)
        if parts:  # the whole address in the street cell, as spreadsheets often have it
            at.fixed(
                label["address_1"],
                f"one-line address {norm.text(address_1)[0]!r} split "
                "into street, city, state and ZIP",
            )
            address_1, city, state, postcode = (
                parts["street"],
                parts["city"],
                parts["state"],
                parts["zip"],
            )
            address_2 = address_2 or parts["street_2"]
    street = at.text(address_1, label["address_1"], max_length=250)
    street_2 = at.text(address_2, label["address_2"], max_length=250)
    for field, value in (("address_1", street), ("address_2", street_2)):
        if value and norm.CONFIDENTIAL_MARKER.search(value):
            if not confidential:
                at.fixed(
                    label[field],
                    f"{value!r} marks a confidential address: flagged "
                    "confidential, street not kept",
                )
            confidential = True
            street, street_2 = ("", street_2) if field == "address_1" else (street, "")
    clean_state, note = norm.state(state)
    at.fixed(label["state"], note)
    clean_zip, note = norm.postcode(postcode)
    at.fixed(label["postcode"], note)
    clean_country, note = norm.country(country)
    at.fixed(label["country"], note)
    values = {
        "organization_id": organization_id,
        "name": row.text(name, "name", max_length=250),
        "kind": LocationKind.REMOTE if remote else LocationKind.PHYSICAL,
        "address_1": "" if remote else street,
        "address_2": "" if remote else street_2,
        "city": at.text(city, label["city"], max_length=120),
        "state": clean_state,
        "postcode": clean_zip,
        "country": clean_country,
        "latitude": None,
        "longitude": None,
        "coordinates_approximate": False,
        "address_confidential": bool(confidential),
    }
    if remote:
        # Its hours are kept in its state's timezone (the default, New York's, otherwise:
        # written either way, so a re-import does not keep a zone its states no longer say).
        zone = states_timezone([clean_state] if clean_state else served_states or [])
        kept, unread = "", []
        for given, zone_row in schedule_zones:
            scheduled, note = norm.schedule_zone(given, inferred=zone)
            if kept and scheduled and scheduled != kept:
                zone_row.warn(
                    f"timezone {given!r} differs from the one given first for the same place:"
                    f" its hours are kept in {kept}"
                )
            elif not kept and scheduled:
                zone_row.fixed("timezone", note)
                kept = scheduled
            elif not kept:
                unread.append((zone_row, note))
        zone = kept or zone or Location._meta.get_field("timezone").default
        for zone_row, note in unread:  # and which zone the hours are kept in instead
            zone_row.fixed("timezone", f"{note}; its hours are kept in {zone}")
        values["timezone"] = zone
        return values
    lat, lng, note = norm.coordinates(lat, lng)
    row.fixed("latitude", note)
    placed = placer.place(
        lat=lat, lng=lng, street=street, city=values["city"], state=clean_state, postcode=clean_zip
    )
    if placed is None:
        where = ", ".join(p for p in (values["city"], clean_state, clean_zip) if p) or "nothing"
        row.bad(
            "cannot be placed on the map: no valid coordinates, and the offline geocoder "
            f"does not know the ZIP or city/state given ({where})",
            "latitude",
        )
        return None
    if placed.moved:
        row.fixed("latitude", placed.how)
    elif placed.approximate:
        row.fixed("latitude", f"no coordinates: {placed.how}")
    values.update(
        latitude=placed.lat,
        longitude=placed.lng,
        # Given coordinates the source (our exports) marks as a ZIP's or town's centre stay so.
        coordinates_approximate=placed.approximate or bool(approximate),
        timezone=placed.timezone,
    )
    for given, zone_row in schedule_zones:  # a place's zone is its point's: say so if not
        zone, _note = norm.schedule_zone(given, inferred=placed.timezone)
        if zone and zone != placed.timezone:
            zone_row.warn(
                f"timezone {given!r} ignored: a place on the map keeps the zone of where it"
                f" is, {placed.timezone}"
            )
            break
    return values
