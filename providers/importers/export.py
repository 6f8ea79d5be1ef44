"""Export the published directory as an HSDS 3.0 tabular data package (CSV + datapackage.json,
in a folder or a .zip). Confidential locations go out without street lines or coordinates.

Our classifications travel as HSDS taxonomies ("Resource Map: service types", ...) linked by
attributes; the confidential and sample flags as terms of "Resource Map: flags". The importer
reads all of these back, so export then import gives the same directory (docs/import.md says
what a round trip cannot keep).
"""

import io
import json
import uuid
import zipfile
from collections import defaultdict
from pathlib import Path

from providers.importers.export_tables import FIELDS, NUMERIC, datapackage
from providers.importers.mapping import FLAG_CONFIDENTIAL, FLAG_SAMPLE, FLAGS_TAXONOMY
from providers.importers.normalise import EXPORT_CONFIDENTIAL_STREET, HSDS_DAYS
from providers.importers.safe_csv import SafeDictWriter
from providers.models import (
    Cost,
    Location,
    LocationKind,
    OpeningHours,
    Organization,
    Phone,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Term,
)

NAMESPACE = uuid.UUID("5b3f8f8e-8a57-4c55-9a43-2f1f3d1c7e01")
TAXONOMY_NAMES = {
    Term.Kind.SERVICE_TYPE: "Resource Map: service types",
    Term.Kind.VICTIMIZATION: "Resource Map: victimization types",
    Term.Kind.POPULATION: "Resource Map: populations served",
    Term.Kind.ACCESSIBILITY: "Resource Map: accessibility",
}
LINK_TYPES = {
    Term.Kind.SERVICE_TYPE: "service_type",
    Term.Kind.VICTIMIZATION: "victimization",
    Term.Kind.POPULATION: "audience",
}
PHONE_TYPES = {Phone.Kind.TTY: "textphone", Phone.Kind.TEXT: "text", Phone.Kind.FAX: "fax"}
COST_LABELS = {Cost.FREE: "Free", Cost.SLIDING_SCALE: "Sliding scale", Cost.FEE: "Fee"}


def derived_id(*parts) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts)))


class Tables:
    """One CSV writer per table, in memory for a zip or straight to files in a folder."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.streams, self.writers, self.counts = {}, {}, defaultdict(int)
        for file, fields in FIELDS.items():
            stream = (
                open(folder / file, "w", newline="", encoding="utf-8")  # noqa: SIM115
                if folder
                else io.StringIO()
            )
            self.streams[file] = stream
            # Text cells that would start a spreadsheet formula get a quote (safe_csv.py).
            self.writers[file] = SafeDictWriter(
                stream, fieldnames=fields, numeric=NUMERIC[file], lineterminator="\n"
            )
            self.writers[file].writeheader()

    def row(self, file: str, **values) -> None:
        self.writers[file].writerow({k: ("" if v is None else v) for k, v in values.items()})
        self.counts[file] += 1

    def close(self) -> None:
        for stream in self.streams.values():
            if self.folder:
                stream.close()


def _coordinate(value: float | None) -> str:
    return "" if value is None else repr(value)


def write_directory(tables: Tables) -> None:
    orgs = Organization.objects.published()
    services = Service.objects.published()
    locations = Location.objects.filter(organization__in=orgs)
    verified = dict(orgs.values_list("pk", "last_verified_on"))
    for org in orgs.iterator(chunk_size=2000):
        tables.row(
            "organizations.csv",
            id=org.pk,
            name=org.name,
            alternate_name=org.alternate_name,
            description=org.description or org.name,
            email=org.email,
            website=org.website,
        )
        if org.is_sample:
            tables.row(
                "attributes.csv",
                id=derived_id("flag", org.pk),
                link_id=org.pk,
                taxonomy_term_id=derived_id("term", FLAG_SAMPLE),
                link_type="flag",
                link_entity="organization",
            )
    for svc in services.iterator(chunk_size=2000):
        assured = verified.get(svc.organization_id)
        tables.row(
            "services.csv",
            id=svc.pk,
            organization_id=svc.organization_id,
            name=svc.name,
            description=svc.description,
            url=svc.website,
            email=svc.email,
            status="active",
            application_process=svc.how_to_get_help,
            fees_description=svc.cost_note,
            eligibility_description=svc.eligibility,
            assured_date=assured.isoformat() if assured else "",
        )
        if svc.cost:  # not stated: no cost option, rather than a guess
            tables.row(
                "cost_options.csv",
                id=derived_id("cost", svc.pk),
                service_id=svc.pk,
                option=COST_LABELS.get(svc.cost, svc.cost),
                amount_description=svc.cost_note,
            )
        _service_area(tables, svc)
    for loc in locations.iterator(chunk_size=2000):
        _location(tables, loc)
    _links(tables, orgs, services, locations)


def _service_area_text(svc: Service) -> str:
    """'Nationwide', 'NY, NJ' or 'within 25.0 mi of 40.7,-74.0': what the importers read."""
    if svc.service_area == ServiceArea.NATIONWIDE:
        return "Nationwide"
    if svc.service_area == ServiceArea.STATES and svc.service_area_states:
        return ", ".join(svc.service_area_states)
    if svc.service_area == ServiceArea.RADIUS and svc.service_area_radius_mi:
        return (
            f"within {svc.service_area_radius_mi!r} mi of {svc.service_area_lat!r},"
            f"{svc.service_area_lng!r}"
        )
    return ""


def _service_area(tables: Tables, svc: Service) -> None:
    name = _service_area_text(svc)
    if name:
        tables.row(
            "service_areas.csv",
            id=derived_id("area", svc.pk),
            service_id=svc.pk,
            name=name,
            extent=name,
            extent_type="text",
        )


def _location(tables: Tables, loc: Location) -> None:
    remote = loc.kind == LocationKind.REMOTE
    secret = loc.address_confidential
    tables.row(
        "locations.csv",
        id=loc.pk,
        location_type="virtual" if remote else "physical",
        organization_id=loc.organization_id,
        name=loc.name,
        latitude="" if secret else _coordinate(loc.latitude),
        longitude="" if secret else _coordinate(loc.longitude),
    )
    street = EXPORT_CONFIDENTIAL_STREET if secret else loc.address_1
    if not remote and street and loc.city and loc.state and loc.postcode:
        tables.row(
            "addresses.csv",
            id=derived_id("address", loc.pk),
            location_id=loc.pk,
            address_1=street,
            address_2="" if secret else loc.address_2,
            city=loc.city,
            state_province=loc.state,
            # HSDS needs a postal code in an address: a confidential location's 5-digit ZIP
            # (never its ZIP+4), which the importer places it at. Pages and API show none.
            postal_code=loc.postcode[:5] if secret else loc.postcode,
            country=loc.country,
            address_type="physical",
        )
    if secret:
        tables.row(
            "attributes.csv",
            id=derived_id("flag", loc.pk),
            link_id=loc.pk,
            taxonomy_term_id=derived_id("term", FLAG_CONFIDENTIAL),
            link_type="flag",
            link_entity="location",
        )


def _schedules(tables: Tables, locations) -> None:
    by_location = defaultdict(lambda: defaultdict(list))
    rows = OpeningHours.objects.filter(location__in=locations).values_list(
        "location_id", "weekday", "opens_at", "closes_at"
    )
    for location_id, weekday, opens, closes in rows.iterator(chunk_size=5000):
        by_location[location_id][(opens, closes)].append(weekday)
    for loc_id, open_24_7, note in locations.values_list("pk", "open_24_7", "hours_note"):
        groups = by_location.pop(loc_id, {})
        if open_24_7:
            groups = {(None, None): list(range(1, 8))}
        if not groups and note:
            tables.row(
                "schedules.csv", id=derived_id("note", loc_id), location_id=loc_id, description=note
            )
        for index, ((opens, closes), days) in enumerate(
            sorted(groups.items(), key=lambda item: (min(item[1]), str(item[0])))
        ):
            tables.row(
                "schedules.csv",
                id=derived_id("hours", loc_id, index),
                location_id=loc_id,
                freq="WEEKLY",
                byday=",".join(HSDS_DAYS[d] for d in sorted(days)),
                opens_at=f"{opens:%H:%M}" if opens else "00:00",
                closes_at=f"{closes:%H:%M}" if closes else "23:59",
                description=note if index == 0 else "",
            )


def _links(tables: Tables, orgs, services, locations) -> None:
    _schedules(tables, locations)
    for svc_id, loc_id, pk, description in (
        ServiceAtLocation.objects.filter(service__in=services, location__in=locations)
        .values_list("service_id", "location_id", "pk", "description")
        .iterator(chunk_size=5000)
    ):
        tables.row(
            "service_at_location.csv",
            id=pk,
            service_id=svc_id,
            location_id=loc_id,
            description=description,
        )
    phones = (
        Phone.objects.filter(organization__in=orgs)
        | Phone.objects.filter(service__in=services)
        | Phone.objects.filter(location__in=locations)
    )
    for phone in phones.order_by("pk").iterator(chunk_size=5000):
        extension, note = phone.extension, phone.note
        if extension and not extension.isdigit():
            extension, note = "", f"{note} (ext. {phone.extension})".strip()
        tables.row(
            "phones.csv",
            id=derived_id("phone", phone.pk),
            organization_id=phone.organization_id or "",
            service_id=phone.service_id or "",
            location_id=phone.location_id or "",
            number=phone.number,
            extension=extension,
            type=PHONE_TYPES.get(phone.kind, "voice"),
            description=note,
        )
    languages = Service.languages.through.objects.filter(service__in=services)
    for svc_id, code, name in languages.values_list(
        "service_id", "language_id", "language__name"
    ).iterator(chunk_size=5000):
        tables.row(
            "languages.csv",
            id=derived_id("language", svc_id, code),
            service_id=svc_id,
            name=name,
            code=code,
        )
    terms = Service.terms.through.objects.filter(service__in=services)
    for svc_id, term_id, kind in terms.values_list("service_id", "term_id", "term__kind").iterator(
        chunk_size=5000
    ):
        tables.row(
            "attributes.csv",
            id=derived_id("attribute", svc_id, term_id),
            link_id=svc_id,
            taxonomy_term_id=term_id,
            link_type=LINK_TYPES.get(kind, kind),
            link_entity="service",
        )
    access = Location.accessibility.through.objects.filter(location__in=locations)
    for loc_id, name in access.values_list("location_id", "term__name").iterator(chunk_size=5000):
        tables.row(
            "accessibility.csv",
            id=derived_id("accessibility", loc_id, name),
            location_id=loc_id,
            description=name,
        )
    _taxonomies(tables)


def _taxonomies(tables: Tables) -> None:
    taxonomies = [(k, n) for k, n in TAXONOMY_NAMES.items() if k != Term.Kind.ACCESSIBILITY]
    for kind, name in [*taxonomies, ("flags", FLAGS_TAXONOMY)]:
        tables.row(
            "taxonomies.csv",
            id=derived_id("taxonomy", kind),
            name=name,
            description=f"{name} (Resource Map's own taxonomy)",
        )
    for term in Term.objects.exclude(kind=Term.Kind.ACCESSIBILITY):
        tables.row(
            "taxonomy_terms.csv",
            id=term.pk,
            code=term.slug,
            name=term.name,
            description=term.description or term.name,
            taxonomy=TAXONOMY_NAMES[term.kind],
            taxonomy_id=derived_id("taxonomy", term.kind),
        )
    flags = (
        (FLAG_CONFIDENTIAL, "The street address and exact position are confidential."),
        (FLAG_SAMPLE, "Made-up listing used for demonstration."),
    )
    for code, description in flags:
        tables.row(
            "taxonomy_terms.csv",
            id=derived_id("term", code),
            code=code,
            name=code,
            description=description,
            taxonomy=FLAGS_TAXONOMY,
            taxonomy_id=derived_id("taxonomy", "flags"),
        )


def export_hsds(path, *, name: str = "resource-map") -> dict[str, int]:
    """Write the package to `path` (a folder, or a file ending .zip); returns row counts."""
    path = Path(path)
    as_zip = path.suffix.lower() == ".zip"
    folder = None if as_zip else path
    if folder:
        folder.mkdir(parents=True, exist_ok=True)
    tables = Tables(folder)
    try:
        write_directory(tables)
    finally:
        tables.close()
    meta = json.dumps(datapackage(name), indent=2)
    if as_zip:
        path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("datapackage.json", meta)
            for file, stream in tables.streams.items():
                archive.writestr(file, stream.getvalue())
    else:
        (folder / "datapackage.json").write_text(meta, encoding="utf-8")
    return {file: tables.counts[file] for file in FIELDS}
