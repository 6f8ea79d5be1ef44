"""Export the published directory as an HSDS 3.0 tabular data package (CSV + datapackage.json,
in a folder or a .zip), flattened from the one HSDS mapping (providers/hsds.py) that the
/api/hsds/ feed serialises: the same ids, the same vocabulary, the same redaction.

Our classifications travel as HSDS taxonomies linked by attributes; the confidential and
sample flags as terms of "Resource Map: flags"; a confidential location as an address
"Confidential address" with its city, state and 5-digit ZIP only (the mapping's
`package=True`). The importer reads all of these back, so export then import gives the same
directory (docs/import.md says what a round trip cannot keep).
"""

import io
import json
import zipfile
from collections import defaultdict
from pathlib import Path

from django.db.models import Prefetch

from providers import hsds
from providers.importers.export_tables import FIELDS, NUMERIC, datapackage
from providers.importers.safe_csv import SafeDictWriter
from providers.models import (
    Location,
    Organization,
    Phone,
    Service,
    ServiceAtLocation,
    Term,
)

CHUNK = 2000
# Where the lists nested in a mapped record go: one table each.
NESTED_TABLES = {
    "phones": "phones.csv",
    "addresses": "addresses.csv",
    "schedules": "schedules.csv",
    "accessibility": "accessibility.csv",
    "attributes": "attributes.csv",
    "languages": "languages.csv",
    "service_areas": "service_areas.csv",
    "cost_options": "cost_options.csv",
}


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


def write_record(tables: Tables, file: str, record: dict) -> None:
    """One mapped record as a row of its table, and what it nests as rows of theirs."""
    tables.row(file, **{field: record.get(field) for field in FIELDS[file]})
    for key, nested_file in NESTED_TABLES.items():
        for item in record.get(key, ()):
            write_record(tables, nested_file, item)


def write_directory(tables: Tables) -> None:
    orgs = Organization.objects.published()
    services = Service.objects.published()
    locations = Location.objects.filter(organization__in=orgs)
    phones = Prefetch("phones", queryset=Phone.objects.order_by("position", "id"))
    for org in orgs.prefetch_related(phones).order_by("pk").iterator(chunk_size=CHUNK):
        write_record(tables, "organizations.csv", hsds.organization_to_hsds(org, package=True))
    for svc in (
        services.select_related("organization")
        .prefetch_related(*hsds.SERVICE_PREFETCH)
        .order_by("pk")
        .iterator(chunk_size=CHUNK)
    ):
        write_record(tables, "services.csv", hsds.service_to_hsds(svc) | hsds.service_children(svc))
    for loc in (
        locations.prefetch_related(*hsds.LOCATION_PREFETCH)
        .order_by("pk")
        .iterator(chunk_size=CHUNK)
    ):
        write_record(tables, "locations.csv", hsds.location_to_hsds(loc, package=True))
    pairs = ServiceAtLocation.objects.filter(service__in=services, location__in=locations)
    for sal in pairs.order_by("pk").iterator(chunk_size=CHUNK):
        # The 3.0 tables (a 3.1 reader takes them as they are): areas stay on the service.
        record = hsds.service_at_location_to_hsds(sal, location=False, version="3.0")
        write_record(tables, "service_at_location.csv", record)
    for kind in hsds.TAXONOMIES:
        write_record(tables, "taxonomies.csv", hsds.taxonomy_to_hsds(kind))
    write_record(tables, "taxonomies.csv", hsds.flags_taxonomy_to_hsds())
    for term in Term.objects.order_by("kind", "position", "slug"):
        write_record(tables, "taxonomy_terms.csv", hsds.taxonomy_term_to_hsds(term))
    for code in hsds.FLAGS:
        write_record(tables, "taxonomy_terms.csv", hsds.flag_term_to_hsds(code))


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
