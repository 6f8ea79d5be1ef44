"""Export the published directory as the flat spreadsheet template (one row per service at a
location), the same columns import_csv reads. Confidential locations have no street address
or coordinates."""

from collections import defaultdict

from providers import redaction
from providers.geometry import area_centre
from providers.hsds import COST_OPTIONS as COST_LABELS
from providers.importers.csv_flat import COLUMNS
from providers.importers.normalise import hours_text
from providers.importers.safe_csv import SafeDictWriter
from providers.models import (
    Location,
    LocationKind,
    OpeningHours,
    Organization,
    Phone,
    Service,
    ServiceArea,
    ServiceAtLocation,
)

PHONE_COLUMNS = {
    Phone.Kind.VOICE: "phone",
    Phone.Kind.HOTLINE: "hotline",
    Phone.Kind.TEXT: "text_number",
    Phone.Kind.TTY: "tty",
}


def _service_area_text(svc: Service) -> str:
    """'Nationwide', 'NY, NJ' or 'within 25.0 mi of 40.7,-74.0': what the importers read."""
    if svc.service_area == ServiceArea.NATIONWIDE:
        return "Nationwide"
    if svc.service_area == ServiceArea.STATES and svc.service_area_states:
        return ", ".join(svc.service_area_states)
    if svc.service_area == ServiceArea.RADIUS and svc.service_area_radius_mi:
        return (
            f"within {svc.service_area_radius_mi!r} mi of {area_centre(svc.service_area_lat)!r},"
            f"{area_centre(svc.service_area_lng)!r}"
        )
    return ""


def _names(through, owner: str, queryset) -> dict:
    out = defaultdict(lambda: defaultdict(list))
    rows = (
        through.objects.filter(**{f"{owner}__in": queryset})
        .values_list(f"{owner}_id", "term__kind", "term__name")
        .order_by("term__kind", "term__position", "term__name")
    )
    for pk, kind, name in rows.iterator(chunk_size=5000):
        out[pk][kind].append(name)
    return out


def _phones(queryset) -> dict:
    out = defaultdict(dict)
    for phone in queryset.order_by("position", "pk").iterator(chunk_size=5000):
        owner = phone.location_id or phone.service_id or phone.organization_id
        column = PHONE_COLUMNS.get(phone.kind)
        if column and column not in out[owner]:
            out[owner][column] = phone
    return out


def export_csv(stream) -> int:
    """Write the spreadsheet to a text stream; returns the number of rows."""
    orgs = Organization.objects.published()
    services = Service.objects.published()
    locations = Location.objects.filter(organization__in=orgs)
    service_terms = _names(Service.terms.through, "service", services)
    access = _names(Location.accessibility.through, "location", locations)
    languages = defaultdict(list)
    for pk, name in (
        Service.languages.through.objects.filter(service__in=services)
        .values_list("service_id", "language__name")
        .order_by("language__name")
    ):
        languages[pk].append(name)
    hours = defaultdict(list)
    for loc, day, opens, closes in OpeningHours.objects.filter(location__in=locations).values_list(
        "location_id", "weekday", "opens_at", "closes_at"
    ):
        hours[loc].append((day, opens, closes))
    phones = _phones(
        Phone.objects.filter(organization__in=orgs)
        | Phone.objects.filter(service__in=services)
        | Phone.objects.filter(location__in=locations)
    )
    # Text cells that would start a spreadsheet formula get a quote (safe_csv.py).
    writer = SafeDictWriter(
        stream, fieldnames=COLUMNS, numeric=("latitude", "longitude"), lineterminator="\n"
    )
    writer.writeheader()
    rows = (
        ServiceAtLocation.objects.filter(service__in=services, location__in=locations)
        .select_related("service__organization", "location")
        .order_by("service__organization__name", "service__name", "location__name", "pk")
    )
    count = 0
    for sal in rows.iterator(chunk_size=2000):
        svc, loc = sal.service, sal.location
        org = svc.organization
        secret = loc.address_confidential
        shown = redaction.public(loc)  # the one rule of what a location shows
        terms = service_terms.get(svc.pk, {})
        row = {
            "organization_id": org.pk, "organization_name": org.name,
            "organization_description": org.description, "organization_website": org.website,
            "organization_email": org.email, "service_id": svc.pk, "service_name": svc.name,
            "service_description": svc.description, "service_website": svc.website,
            "service_email": svc.email,
            "service_types": "; ".join(terms.get("service_type", [])),
            "victimization_types": "; ".join(terms.get("victimization", [])),
            "populations": "; ".join(terms.get("population", [])),
            "languages": "; ".join(languages.get(svc.pk, [])),
            "cost": COST_LABELS.get(svc.cost, svc.cost), "cost_note": svc.cost_note,
            "eligibility": svc.eligibility, "how_to_get_help": svc.how_to_get_help,
            "service_area": _service_area_text(svc), "location_id": loc.pk,
            "location_name": loc.name,
            "remote": "yes" if loc.kind == LocationKind.REMOTE else "",
            "street": shown.address_1, "street_2": shown.address_2, "city": loc.city,
            "state": loc.state, "zip": shown.postcode,
            "latitude": repr(shown.point[0]) if shown.point else "",
            "longitude": repr(shown.point[1]) if shown.point else "",
            "coordinates_approximate": "yes" if shown.point and loc.coordinates_approximate
            else "",
            "address_confidential": "yes" if secret else "",
            "accessibility": "; ".join(access.get(loc.pk, {}).get("accessibility", [])),
            "hours": hours_text(sorted(hours.get(loc.pk, [])), loc.open_24_7),
            "hours_note": loc.hours_note,
            # A place with an address takes its zone from its point again on import.
            "timezone": loc.timezone if loc.kind == LocationKind.REMOTE else "",
            "last_verified_on": org.last_verified_on.isoformat() if org.last_verified_on else "",
            "status": org.status, "sample_data": "yes" if org.is_sample else "",
        }  # fmt: skip
        for owner in (loc.pk, svc.pk, org.pk):
            for column, phone in phones.get(owner, {}).items():
                if not row.get(column):
                    row[column] = phone.number
                    if column == "phone":
                        row["phone_extension"] = phone.extension
        writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
        count += 1
    return count
