"""Import an HSDS tabular data package (3.0, or the older 1.x/2.0 layout most published data
still uses), from a folder or a .zip. See docs/import.md for the field mapping.

The run is one transaction: a dry run, or a run with invalid rows (unless they are skipped),
changes nothing. Records are matched on (source, source id), so re-importing updates.
"""

import sys
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Callable

from providers.importers import hsds_links, hsds_lookups
from providers.importers import normalise as norm
from providers.importers.classify import InferredNeeds
from providers.importers.hsds_lookups import first
from providers.importers.mapping import Languages, Mapper
from providers.importers.package import Package, PackageError
from providers.importers.places import Placer
from providers.importers.records import (
    LOCATION_FIELDS,
    ORG_FIELDS,
    SERVICE_FIELDS,
    Row,
    cost_from_text,
    location_values,
    organization_values,
    service_area,
    service_values,
)
from providers.importers.remote import RemoteServices
from providers.importers.removed import describe_hours
from providers.importers.report import Report
from providers.importers.sources import source_name
from providers.importers.writer import Inserter, Upserter, run_atomic
from providers.models import Location, OpeningHours, Organization, Service, Status

LEGACY_FILES = {
    "physical_addresses.csv", "postal_addresses.csv", "services_at_location.csv",
    "services_taxonomy.csv", "taxonomy.csv", "regular_schedules.csv",
    "accessibility_for_disabilities.csv", "eligibility.csv",
}  # fmt: skip
V3_FILES = {
    "addresses.csv", "service_at_location.csv", "schedules.csv", "taxonomy_terms.csv",
    "attributes.csv", "accessibility.csv", "taxonomies.csv",
}  # fmt: skip
UNREAD_HINTS = {
    "holiday_schedules.csv": (
        "; say the holiday closures in each location's hours note (for example"
        ' "Closed on federal holidays"), which survivors see next to the hours'
    ),
}
HOURS_COMPARED = ("location_id", "weekday", "opens_at", "closes_at")
INACTIVE = {"inactive", "defunct", "temporarily closed", "temporarily_closed", "closed"}


def progress_bar(rows, *, total: int, desc: str, enabled: bool):
    if not enabled:
        return rows
    from tqdm import tqdm

    return tqdm(rows, total=total, desc=desc, unit=" rows", file=sys.stderr, leave=False)


def detect_layout(pkg: Package) -> str:
    if pkg.json_name:
        return f"HSDS 3.x JSON ({pkg.json_name})"
    files = set(pkg.files())
    legacy, v3 = files & LEGACY_FILES, files & V3_FILES
    if legacy and v3:
        return "HSDS mixed 3.0 and 1.x/2.0 files"
    if legacy:
        return "HSDS 1.x/2.0"
    if v3 or "location_type" in pkg.headers("locations.csv"):
        return "HSDS 3.0"
    return "HSDS (core tables only)"


class HsdsImport:
    def __init__(
        self,
        path,
        *,
        source=None,
        skip_invalid=False,
        new_status=Status.PUBLISHED,
        retire_missing=False,
        progress=False,
        user=None,
        on_rows=None,
        report: Report | None = None,
    ) -> None:
        self.report = report or Report(skip_invalid=skip_invalid)
        self.report.skip_invalid = skip_invalid
        self.path = path
        self.source_name = source
        self.new_status = new_status
        self.retire_missing = retire_missing
        self.progress = progress
        self.report.on_rows = on_rows  # a job's progress (providers/importers/runs.py)
        self.user = user  # recorded in the history of what the import creates or changes

    def rows(self, name: str):
        return progress_bar(
            self.pkg.rows(name),
            total=self.pkg.count_rows(name) if self.progress else 0,
            desc=name,
            enabled=self.progress,
        )

    def run(self, *, dry_run: bool) -> Report:
        try:
            with Package(self.path, self.report) as pkg:
                self.pkg = pkg
                self.source = source_name(
                    self.source_name, package_name=pkg.metadata_name(), path=self.path
                )
                self.report.source, self.report.kind = self.source, detect_layout(pkg)
                if not pkg.has("organizations.csv"):
                    self.report.bad_row(
                        "organizations.csv", None, "the package has no organizations"
                    )
                return run_atomic(self.report, self._work, dry_run=dry_run)
        except (zipfile.BadZipFile, zlib.error, EOFError) as error:  # rolled back already
            raise PackageError(f"The zip file is damaged ({error}); nothing was changed.") from None

    # -- the run ---------------------------------------------------------------------------
    def _work(self) -> None:
        self.placer, self.mapper = Placer(), Mapper.from_database()
        self.inferred = InferredNeeds(self.mapper)
        self.languages = Languages.from_database()
        self.seen: dict[str, dict[str, int]] = defaultdict(dict)  # file -> id -> row
        hsds_lookups.read_lookups(self)
        self.remote = RemoteServices(self)
        common = {"source": self.source, "report": self.report, "history_user": self.user}
        self.orgs = Upserter(
            Organization,
            **common,
            table="organizations",
            file="organizations.csv",
            fields=ORG_FIELDS,
        )
        self.services = Upserter(
            Service,
            **common,
            table="services",
            file="services.csv",
            fields=SERVICE_FIELDS,
            parents=[self.orgs],
        )
        self.locations = Upserter(
            Location,
            **common,
            table="locations",
            file="locations.csv",
            fields=LOCATION_FIELDS,
            parents=[self.orgs],
        )
        self._organizations()
        self._services()
        self._locations()
        hsds_links.write_links(self)
        hsds_links.finish(self)
        self._name_unread_tables()
        if self.report.ok:
            from providers.duplicates import find_duplicates

            self.report.duplicates = find_duplicates(organizations=self.orgs.ids.values())

    def _name_unread_tables(self) -> None:
        """A table this importer does not read is named, so that no one believes it was."""
        for name in self.pkg.unread():
            hint = UNREAD_HINTS.get(name, "")
            self.report.warn(name, None, f"not imported: this importer does not read it{hint}")

    def parent_missing(
        self, file: str, row: int, table: str, upserter: Upserter, sid: str, column: str
    ) -> bool:
        """True (and reported) when `sid` does not name a kept row of `table`."""
        if sid in upserter:
            return False
        if sid in self.seen[table]:
            self.report.skipped(
                file,
                row,
                # one cause for all of them (no row number): the table of causes stays short
                f"its {column[:-3]} ({table}) was not imported",
                because=(table, self.seen[table][sid]),
            )
        else:
            self.report.missing_parent(file, row, column, sid, table)
        return True

    # -- the main tables -------------------------------------------------------------------
    def _organizations(self) -> None:
        for number, r in self.rows("organizations.csv"):
            row = Row(self.report, "organizations.csv", number)
            sid = r.get("id", "").strip()
            if not sid:
                row.bad("no id", "id")
                continue
            self.seen["organizations.csv"].setdefault(sid, number)
            values = organization_values(
                row,
                name=r.get("name"),
                alternate_name=r.get("alternate_name"),
                description=r.get("description"),
                website=first(r, "website", "url"),
                email=r.get("email"),
                is_sample=sid in self.sample_orgs,
            )
            if values is not None:
                self.orgs.add(sid, values, row=number, on_create={"status": self.new_status})
        self.orgs.flush()

    def _services(self) -> None:
        self.service_org: dict[str, object] = {}
        self.remote_names: dict[str, str] = {}  # services placed nowhere, reached remotely
        self.served_states: dict[str, list[str]] = {}  # the states each service serves
        self.verified: dict[object, object] = {}
        for number, r in self.rows("services.csv"):
            row = Row(self.report, "services.csv", number)
            sid, org = r.get("id", "").strip(), r.get("organization_id", "").strip()
            if not sid:
                row.bad("no id", "id")
                continue
            self.seen["services.csv"].setdefault(sid, number)
            if not org:
                row.bad("no organization_id", "organization_id")
                continue
            if self.parent_missing(
                "services.csv", number, "organizations.csv", self.orgs, org, "organization_id"
            ):
                continue
            texts = self.service_texts.get(sid, {})
            self.eligibility_rows.pop(sid, None)
            eligibility = "\n\n".join(
                filter(
                    None,
                    [
                        # `eligibility` in services.csv: how many 211 exports name it
                        first(r, "eligibility_description", "eligibility"),
                        *texts.get("eligibility", []),
                    ],
                )
            )
            ages = [r.get("minimum_age", "").strip(), r.get("maximum_age", "").strip()]
            if any(ages):
                eligibility += ("\n\n" if eligibility else "") + _ages(*ages)
            fees = first(r, "fees_description", "fees")
            values = service_values(
                row,
                organization_id=self.orgs.get(org),
                name=r.get("name"),
                description=r.get("description"),
                website=first(r, "url", "website"),
                email=r.get("email"),
                active=(r.get("status") or "active").strip().lower() not in INACTIVE,
                cost=cost_from_text(norm.text(fees)[0], *texts.get("cost", [])),
                cost_note=fees,
                eligibility=eligibility,
                how_to_get_help=r.get("application_process"),
                area=service_area(row, texts.get("area", [])) or self._remote_area(row, sid),
            )
            if values is None:
                continue
            pk = self.services.add(sid, values, row=number)
            if pk is not None:
                self.inferred.add(pk, name=values["name"], description=values["description"])
                self.service_org[sid] = values["organization_id"]
                self.served_states[sid] = values["service_area_states"] or []
                if self.remote.without_location(sid):
                    self.remote_names[sid] = values["name"]
                verified = row.date(r.get("assured_date"), "assured_date")
                if verified and verified > self.verified.get(
                    values["organization_id"], verified.min
                ):
                    self.verified[values["organization_id"]] = verified
        self.services.flush()
        self.service_texts.clear()
        for sid, numbers in self.eligibility_rows.items():  # nothing dropped without a line
            for number in numbers:
                if sid in self.seen["services.csv"]:
                    self.report.skipped(
                        "eligibility.csv",
                        number,
                        "its service was not imported",
                        because=("services.csv", self.seen["services.csv"][sid]),
                    )
                else:
                    self.report.warn(
                        "eligibility.csv",
                        number,
                        f"service_id {sid!r} is not in services.csv; ignored",
                        "service_id",
                    )

    def _locations(self) -> None:
        self.hours = Inserter(
            OpeningHours,
            before=[self.locations],
            held={"location_id": self.locations},
            replaces={"location_id": self.locations},
            compare=HOURS_COMPARED,
            describe=describe_hours,
        )
        for number, r in self.rows("locations.csv"):
            row = Row(self.report, "locations.csv", number)
            sid = r.get("id", "").strip()
            if not sid:
                row.bad("no id", "id")
                continue
            self.seen["locations.csv"].setdefault(sid, number)
            org = self._location_org(row, sid, r.get("organization_id", "").strip())
            if org is None:
                continue
            kind = (r.get("location_type") or "physical").strip().lower()
            if kind != "virtual" and self.remote.is_remote(sid):
                row.fixed(
                    "address_1",
                    "no street address, reached by phone or online: imported as a remote "
                    "service, not placed at its mailing address or town",
                )
                kind = "virtual"
            address = self.addresses.get(sid) or (
                0,
                first(r, "address_1", "address", "street"),
                r.get("address_2", ""),
                r.get("city", ""),
                first(r, "state_province", "state"),
                first(r, "postal_code", "zip", "zip_code"),
                r.get("country", ""),
                "locations.csv",
                number,
            )
            confidential = (
                sid in self.confidential_locations
                or kind == "redacted"
                or norm.boolean(r.get("address_confidential")) is True
            )
            values = location_values(
                row,
                self.placer,
                organization_id=org,
                name=r.get("name"),
                remote=kind == "virtual",
                address_1=address[1],
                address_2=address[2],
                city=address[3],
                state=address[4],
                postcode=address[5],
                country=address[6],
                lat=r.get("latitude"),
                lng=r.get("longitude"),
                confidential=confidential,
                approximate=norm.boolean(r.get("x_coordinates_approximate")) is True,
                address_row=Row(self.report, address[7], address[8]),
                # A placed location's zone is its point's (a different one given is reported).
                **(
                    self._remote_zone(sid)
                    if kind == "virtual"
                    else {"schedule_zones": self.location_zones.get(sid, [])}
                ),
            )
            if values is None:
                continue
            hsds_links.add_location(self, sid, values, row, hsds_links.hours_for(self, sid))
        hsds_links.add_remote_locations(self)
        hsds_links.report_unused_service_hours(self)
        self.hours.finish()
        self.hours.count(self.report, "opening_hours")
        self.addresses.clear()

    def _remote_zone(self, sid: str) -> dict:
        """What tells a virtual location's timezone: the states its services serve, and the
        timezones its schedules give, else those of the service whose hours it takes (the
        first with hours, as `hsds_links.hours_for` takes them), else its other services'."""
        services = self.location_services.get(sid, [])
        by_hours = sorted(services, key=lambda svc: not self.service_hours.get(svc))
        zones = [self.location_zones.get(sid), *map(self.service_zones.get, by_hours)]
        return {
            "served_states": sorted(
                {s for svc in services for s in self.served_states.get(svc, [])}
            ),
            "schedule_zones": next(filter(None, zones), []),
        }

    def _remote_area(self, row: Row, sid: str) -> dict | None:
        area = self.remote.area_for(sid)
        if area is not None:
            served = ", ".join(area.get("service_area_states", [])) or "nationwide (toll-free)"
            row.fixed("service_area", f"remote service with no area given: serves {served}")
        return area

    def _location_org(self, row: Row, sid: str, org: str):
        if org and org in self.orgs:
            return self.orgs.get(org)
        if org and org in self.seen["organizations.csv"]:
            self.report.skipped(
                row.file,
                row.number,
                "its organization was not imported",
                because=("organizations.csv", self.seen["organizations.csv"][org]),
            )
            return None
        for svc in self.location_services.get(sid, []):
            if svc in self.service_org:
                reason = (
                    f"organization_id {org!r} is not in organizations.csv"
                    if org
                    else ("no organization_id")
                )
                row.fixed("organization_id", f"{reason}: used the organization of its service")
                return self.service_org[svc]
        if org:
            self.report.missing_parent(
                row.file,
                row.number,
                "organization_id",
                org,
                "organizations.csv",
                f"organization_id {org!r} is not in organizations.csv and no imported service "
                "is at this location",
            )
        else:
            row.bad("no organization_id", "organization_id")
        return None


def _ages(minimum: str, maximum: str) -> str:
    if minimum and maximum:
        return f"Ages {minimum} to {maximum}."
    return f"Ages {minimum} and over." if minimum else f"Ages up to {maximum}."


def import_hsds(
    path,
    *,
    source: str | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    new_status: str = Status.PUBLISHED,
    retire_missing: bool = False,
    progress: bool = False,
    user=None,
    on_rows: Callable[[int], None] | None = None,
) -> Report:
    """Import the package at `path`; raises ImportFailed (nothing changed) on invalid rows."""
    return HsdsImport(
        path,
        source=source,
        skip_invalid=skip_invalid,
        new_status=new_status,
        retire_missing=retire_missing,
        progress=progress,
        user=user,
        on_rows=on_rows,
    ).run(dry_run=dry_run)
