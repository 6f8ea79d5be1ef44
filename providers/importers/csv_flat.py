"""The spreadsheet path for coalitions without HSDS: one row per location (a service offered
at a place), with lists (service types, languages, ...) in one cell separated by semicolons.
The columns are documented in docs/import.md; fixtures/example_providers.csv is an example.

Same safety as the HSDS importer: one transaction, dry run, invalid rows stop the import
unless skipped, records matched by source and id (or, without ids, by names and address).
"""

from collections.abc import Callable
from pathlib import Path

from providers.importers import normalise as norm
from providers.importers.classify import InferredNeeds
from providers.importers.hsds import HOURS_COMPARED, progress_bar
from providers.importers.hsds_links import PHONE_COMPARED
from providers.importers.mapping import LOCATION_KINDS, SERVICE_KINDS, Languages, Mapper
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
from providers.importers.remote import is_toll_free
from providers.importers.removed import describe_hours, describe_phones
from providers.importers.report import Report
from providers.importers.sources import source_name
from providers.importers.writer import Inserter, Upserter, run_atomic
from providers.models import (
    Location,
    OpeningHours,
    Organization,
    Phone,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Status,
)

COLUMNS = [
    "organization_id", "organization_name", "organization_description", "organization_website",
    "organization_email", "service_id", "service_name", "service_description",
    "service_website", "service_email", "service_types", "victimization_types", "populations",
    "languages", "cost", "cost_note", "eligibility", "how_to_get_help", "service_area",
    "location_id", "location_name", "remote", "street", "street_2", "city", "state", "zip",
    "latitude", "longitude", "coordinates_approximate", "address_confidential",
    "accessibility", "hours", "hours_note", "timezone", "phone", "phone_extension", "hotline",
    "text_number", "tty", "last_verified_on", "status", "sample_data",
]  # fmt: skip
ALIASES = {
    "name": "organization_name", "organization": "organization_name",
    "address": "street", "address_1": "street", "address_2": "street_2",
    "postal_code": "zip", "zip_code": "zip", "zipcode": "zip", "postcode": "zip",
    "state_province": "state", "lat": "latitude", "lng": "longitude", "lon": "longitude",
    "long": "longitude", "website": "organization_website", "email": "organization_email",
    "services": "service_types", "service_type": "service_types", "confidential":
    "address_confidential", "language": "languages", "phone_number": "phone",
    "telephone": "phone", "time_zone": "timezone",
}  # fmt: skip


# What a row says of its place: a later row of the same place that says otherwise is reported.
PLACE_COLUMNS = (
    "location_name", "street", "street_2", "city", "state", "zip", "latitude", "longitude",
    "coordinates_approximate", "hours", "hours_note", "timezone", "accessibility", "phone",
    "phone_extension", "hotline", "text_number", "tty",
)  # fmt: skip


def _confidential(value) -> bool:
    """The cell hides the place: a yes, or anything that is not a clear no ("Confidential",
    "Yes - confidential"): a shelter's street must never be shown for a word we do not know."""
    said = norm.boolean(value)
    return said is True or (said is None and not norm.is_empty(value))


def _place_cells(r: dict) -> dict:
    """What a row says of its place, as compared between the rows of one place."""
    return {column: _said(column, r.get(column)) for column in PLACE_COLUMNS}


def _said(column: str, value):
    """A cell as compared between rows: what it means where we read it ("9am-5pm" and "9-5",
    "(212) 555-0100" and "212.555.0100" say the same), else its words in any case and
    spacing. "" for an empty cell."""
    words = " ".join(str(value or "").split()).casefold()
    if not words:
        return ""
    if column == "hours":
        hours = norm.opening_hours(value)
        return words if hours.periods is None else (hours.periods, hours.open_24_7, hours.remark)
    if column in {"phone", "hotline", "text_number", "tty"}:
        return "".join(filter(str.isdigit, words)).removeprefix("1")
    if column == "accessibility":
        return frozenset(item.casefold() for item in norm.split_list(value))
    if column == "state":
        return norm.state(value)[0] or words
    if column == "zip":
        return (norm.postcode(value)[0] or words)[:5]
    if column in {"latitude", "longitude"}:
        try:
            return round(float(words), 6)
        except ValueError:
            return words
    if column == "coordinates_approximate":
        return norm.boolean(value)
    return words


FLAT_LABELS = {"address_1": "street", "address_2": "street_2", "state": "state",
               "postcode": "zip"}  # fmt: skip


def _key(*parts: str) -> str:
    return "|".join(" ".join(str(p or "").lower().split()) for p in parts)


class FlatImport:
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
    ) -> None:
        self.path = Path(path)
        self.report = Report(skip_invalid=skip_invalid, kind="flat CSV")
        self.source = source_name(source, package_name="", path=self.path)
        self.report.source = self.source
        self.new_status = new_status
        self.retire_missing = retire_missing
        self.progress = progress
        self.report.on_rows = on_rows  # a job's progress (providers/importers/runs.py)
        self.user = user  # recorded in the history of what the import creates or changes

    def run(self, *, dry_run: bool) -> Report:
        if self.path.suffix.lower() != ".csv" or not self.path.is_file():
            raise PackageError(f"{self.path.name} is not a .csv file.")
        self.file = self.path.name
        with Package(self.path.parent, self.report) as pkg:
            self.pkg = pkg
            return run_atomic(self.report, self._work, dry_run=dry_run)

    def _work(self) -> None:
        self.placer, self.mapper = Placer(), Mapper.from_database()
        self.inferred = InferredNeeds(self.mapper)
        self.languages = Languages.from_database()
        self.orgs = Upserter(
            Organization,
            source=self.source,
            report=self.report,
            history_user=self.user,
            table="organizations",
            file=self.file,
            fields=ORG_FIELDS,
        )
        self.services = Upserter(
            Service,
            source=self.source,
            report=self.report,
            history_user=self.user,
            table="services",
            file=self.file,
            fields=SERVICE_FIELDS,
            parents=[self.orgs],
        )
        self.locations = Upserter(
            Location,
            source=self.source,
            report=self.report,
            history_user=self.user,
            table="locations",
            file=self.file,
            fields=LOCATION_FIELDS,
            parents=[self.orgs],
        )
        parents = [self.services, self.locations]
        self.links = Inserter(ServiceAtLocation, ignore_conflicts=True, before=parents)
        held = {"location_id": self.locations}
        self.hours = Inserter(
            OpeningHours,
            before=parents,
            held=held,
            replaces=held,
            compare=HOURS_COMPARED,
            describe=describe_hours,
        )
        self.phones = Inserter(
            Phone,
            before=parents,
            held=held,
            replaces=held,
            compare=PHONE_COMPARED,
            describe=describe_phones,
        )
        self.terms = Inserter(Service.terms.through, ignore_conflicts=True, before=parents)
        self.spoken = Inserter(Service.languages.through, ignore_conflicts=True, before=parents)
        self.access = Inserter(
            Location.accessibility.through, ignore_conflicts=True, before=parents
        )
        self.bad_keys: dict[str, int] = {}
        self.places: dict[str, tuple[int, dict]] = {}  # location id -> (first row, _place_cells)
        self.hidden: dict[str, int] = {}  # location id -> the first row that marks it confidential
        self.pairs: set = set()
        self.stored_pairs = set(  # the links this source has (left as they are)
            ServiceAtLocation.objects.filter(service__source=self.source).values_list(
                "service_id", "location_id"
            )
        )
        self._check_header()
        rows = self.pkg.rows(self.file)
        total = self.pkg.count_rows(self.file) if self.progress else 0
        for number, raw in progress_bar(rows, total=total, desc=self.file, enabled=self.progress):
            values = {ALIASES.get(k, k): v for k, v in raw.items()}
            self._row(Row(self.report, self.file, number), values)
        for inserter in (self.links, self.terms, self.spoken, self.access):
            inserter.flush()
        self._hide_places()
        for inserter, table in ((self.hours, "opening_hours"), (self.phones, "phones")):
            inserter.finish()
            inserter.count(self.report, table)
        self.inferred.write(self.report)
        linked = len(self.pairs - self.stored_pairs)
        if linked:
            self.report.count("service_at_location", "linked", linked)
        if len(self.pairs) > linked:
            self.report.count("service_at_location", "unchanged", len(self.pairs) - linked)
        for table, upserter in (
            ("organizations", self.orgs),
            ("services", self.services),
            ("locations", self.locations),
        ):
            missing = upserter.missing_ids()
            self.report.not_in_package[table] = len(missing)
            if self.retire_missing and missing and table != "locations":
                for part in (missing[i : i + 500] for i in range(0, len(missing), 500)):
                    upserter.model.objects.filter(pk__in=part).update(status=Status.RETIRED)
                self.report.count(table, "retired", len(missing))
        if self.report.ok:
            from providers.duplicates import find_duplicates

            self.report.duplicates = find_duplicates(organizations=self.orgs.ids.values())

    def _check_header(self) -> None:
        header = {ALIASES.get(h, h) for h in self.pkg.headers(self.file)}
        if "organization_name" not in header:
            self.report.bad_row(
                self.file, 1, "no organization_name column (see the template in docs/import.md)"
            )
        unknown = sorted(h for h in header - set(COLUMNS) if h)
        if unknown:
            self.report.warn(self.file, 1, f"columns not in the template, ignored: {unknown}")

    # -- one row: checked whole, then written ----------------------------------------------
    def _row(self, row: Row, r: dict) -> None:
        org_name = norm.text(r.get("organization_name"))[0]
        org_sid = norm.text(r.get("organization_id"))[0] or _key("name", org_name)
        service_name = norm.text(r.get("service_name"))[0] or org_name
        service_sid = norm.text(r.get("service_id"))[0] or _key(org_sid, "service", service_name)
        remote = norm.boolean(r.get("remote")) is True
        streetless_area = None if remote else self._streetless_remote(row, r)
        remote = remote or streetless_area is not None
        loc_sid = norm.text(r.get("location_id"))[0] or _key(
            org_sid,
            "location",
            r.get("location_name"),
            "remote" if remote else r.get("street"),
            r.get("city"),
            norm.state(r.get("state"))[0],
            norm.postcode(r.get("zip"))[0],
        )
        if _confidential(r.get("address_confidential")):  # even on a row refused below
            self.hidden.setdefault(loc_sid, row.number)
        for sid in (org_sid, service_sid, loc_sid):
            if sid in self.bad_keys and org_name:
                row.bad(f"repeats a record that was invalid at row {self.bad_keys[sid]}")
                return
        org = None if org_sid in self.orgs else self._organization(row, r)
        if org is None and org_sid not in self.orgs:
            if org_name:
                self.bad_keys[org_sid] = row.number
            return
        service = (
            None
            if service_sid in self.services
            else self._service(row, r, service_name, remote_area=streetless_area)
        )
        location = None if loc_sid in self.locations else self._location(row, r, remote)
        if loc_sid in self.places:
            self._same_place(row, r, *self.places[loc_sid])
        failed = [
            sid
            for sid, values, known in (
                (org_sid, org, self.orgs),
                (service_sid, service, self.services),
                (loc_sid, location, self.locations),
            )
            if values is None and sid not in known
        ]
        if failed:
            for sid in failed:
                self.bad_keys[sid] = row.number
            return
        if org is not None:
            status = org.pop("_status")
            self.orgs.add(org_sid, org, row=row.number, on_create={"status": status})
        org_pk = self.orgs.get(org_sid)
        if service is not None:
            self._add_service(row, r, service_sid, service, org_pk)
        if location is not None:
            self._add_location(row, r, loc_sid, location, org_pk)
            self.places[loc_sid] = row.number, _place_cells(r)
        pair = (self.services.get(service_sid), self.locations.get(loc_sid))
        if pair not in self.pairs:
            self.pairs.add(pair)
            if pair not in self.stored_pairs:
                self.links.add(service_id=pair[0], location_id=pair[1])

    def _same_place(self, row: Row, r: dict, first: int, first_cells: dict) -> None:
        """A row of a place an earlier row gave: the place keeps that row's hours, numbers
        and address (but is hidden if any row says so: `_hide_places`). Say what this one
        said otherwise (a 211 export writes each service's own hours and phone on its row)."""
        other = [
            column
            for column, said in _place_cells(r).items()
            if said != "" and said != first_cells[column]
        ]
        if other:
            self.report.warn(  # one cause for every such row (the report lists their rows)
                row.file,
                row.number,
                f"the same place as an earlier row, with other {', '.join(other)}: the place"
                " keeps the first row's (a place has one set; say a service's own hours in its"
                " description)",
            )

    @staticmethod
    def _reads_confidential(row: Row, r: dict) -> bool:
        value = r.get("address_confidential")
        confidential = _confidential(value)
        if confidential and norm.boolean(value) is None:
            row.fixed(
                "address_confidential",
                f"{norm.text(value)[0]!r} is not a yes or no: read as confidential (the address"
                " is hidden)",
            )
        return confidential

    def _hide_places(self) -> None:
        """A place any row marks confidential is hidden, whichever row gave its address (a
        shelter marked on its second row was published with its street, and so was one
        whose marked row was refused)."""
        self.locations.flush()
        for sid, number in self.hidden.items():
            pk = self.locations.get(sid)
            first = self.places.get(sid, (None,))[0]
            if pk is None or first is None or first == number:
                continue
            if Location.objects.filter(pk=pk, address_confidential=False).update(
                address_confidential=True
            ):
                self.report.fixed(
                    self.file,
                    first,
                    "address_confidential",
                    f"made confidential, as row {number} says of the same place (the address is"
                    " hidden)",
                )

    def _organization(self, row: Row, r: dict) -> dict | None:
        verified = row.date(r.get("last_verified_on"), "last_verified_on")
        values = organization_values(
            row,
            name=r.get("organization_name"),
            description=r.get("organization_description"),
            website=r.get("organization_website"),
            email=r.get("organization_email"),
            is_sample=norm.boolean(r.get("sample_data")) is True,
            last_verified_on=verified,
        )
        if values is not None:
            status = (r.get("status") or "").strip().lower() or self.new_status
            if status not in Status.values:
                row.fixed("status", f"status {status!r} not understood; {self.new_status} used")
                status = self.new_status
            values["_status"] = status
        return values

    def _streetless_remote(self, row: Row, r: dict) -> dict | None:
        """For a row with no street and no coordinates but a phone or a website (a hotline,
        a web service): the area it serves, and it becomes a remote service rather than
        being refused or pinned to its town: the row's service_area
        (read by _service), else its state, else nationwide for a toll-free number, else
        local ({}). None for a place to visit, or a row no one can reach."""
        if _confidential(r.get("address_confidential")) or any(
            not norm.is_empty(r.get(column)) for column in ("street", "latitude", "longitude")
        ):
            return None
        phones = [r.get(c) for c in ("phone", "hotline", "text_number", "tty")]
        websites = [r.get(c) for c in ("service_website", "organization_website")]
        if all(norm.is_empty(value) for value in phones + websites):
            return None
        state, _ = norm.state(r.get("state"))
        if state:
            area = {"service_area": ServiceArea.STATES, "service_area_states": [state]}
            served = state
        elif any(is_toll_free(str(value or "")) for value in phones):
            area, served = {"service_area": ServiceArea.NATIONWIDE}, "nationwide (toll-free)"
        else:
            area, served = {}, ""
        row.fixed(
            "street",
            "no street address, reached by phone or online: imported as a remote service"
            + (f" serving {served}" if served else ""),
        )
        return area

    def _service(
        self, row: Row, r: dict, name: str, *, remote_area: dict | None = None
    ) -> dict | None:
        cost_text = norm.text(r.get("cost"))[0]
        cost = cost_from_text(cost_text)
        if cost is None and cost_text:
            row.fixed("cost", f"cost {cost_text!r} states no cost: not stated, kept as the note")
        return service_values(
            row,
            organization_id=None,
            name=name,
            description=r.get("service_description"),
            website=r.get("service_website"),
            email=r.get("service_email"),
            cost=cost,
            cost_note=r.get("cost_note") or (cost_text if cost is None else ""),
            eligibility=r.get("eligibility"),
            how_to_get_help=r.get("how_to_get_help"),
            area=service_area(row, [r.get("service_area", "")]) or remote_area or None,
        )

    def _add_service(self, row: Row, r: dict, sid: str, values: dict, org_pk) -> None:
        pk = self.services.add(sid, {**values, "organization_id": org_pk}, row=row.number)
        if pk is not None:
            self.inferred.add(pk, name=values["name"], description=values["description"])
        for column in ("service_types", "victimization_types", "populations"):
            for value in norm.split_list(r.get(column)):
                if self._term(column, value, SERVICE_KINDS, self.terms, service_id=pk):
                    self.inferred.known_term(pk)
        for value in norm.split_list(r.get("languages")):
            code = self.languages.resolve(value)
            if code is None:
                self.report.warn(
                    row.file,
                    row.number,
                    f"language {value!r} is not one we list; left out",
                    "languages",
                )
            else:
                self.spoken.add(service_id=pk, language_id=code)

    def _term(self, column: str, value: str, kinds, inserter, **owner) -> bool:
        """Link the terms `value` means; False when the mapping does not know it."""
        resolved = self.mapper.resolve(name=value, kinds=kinds)
        if not resolved.known:
            self.report.unmapped_term(taxonomy=column, code="", name=value)
        for term_id in resolved.term_ids:
            inserter.add(term_id=term_id, **owner)
        return resolved.known

    def _location(self, row: Row, r: dict, remote: bool) -> dict | None:
        values = location_values(
            row,
            self.placer,
            organization_id=None,
            name=r.get("location_name"),
            remote=remote,
            address_1=r.get("street"),
            address_2=r.get("street_2"),
            city=r.get("city"),
            state=r.get("state"),
            postcode=r.get("zip"),
            lat=r.get("latitude"),
            lng=r.get("longitude"),
            confidential=self._reads_confidential(row, r),
            approximate=norm.boolean(r.get("coordinates_approximate")) is True,
            labels=FLAT_LABELS,
            # A place with an address keeps the zone of its point; one without, this one.
            schedule_zones=[(r["timezone"], row)] if not norm.is_empty(r.get("timezone")) else [],
        )
        if values is None:
            return None
        periods, open_24_7, note, remark = norm.opening_hours(r.get("hours"))
        row.fixed("hours", note)
        hours_note = row.text(r.get("hours_note"), "hours_note")
        if periods is None:
            hours_note = " ".join(filter(None, (norm.text(r.get("hours"))[0], hours_note)))
            periods = []
        elif remark:  # "Mon-Fri 9-5, closed holidays": the hours, and the holidays as a note
            hours_note = "; ".join(filter(None, (remark, hours_note)))
        hours_note = row.text(hours_note, "hours_note", max_length=300)  # reported if cut
        values.update(open_24_7=open_24_7, hours_note=hours_note, _periods=periods)
        return values

    def _add_location(self, row: Row, r: dict, sid: str, values: dict, org_pk) -> None:
        periods = values.pop("_periods")
        pk = self.locations.add(sid, {**values, "organization_id": org_pk}, row=row.number)
        for weekday, opens, closes in periods:
            self.hours.add(location_id=pk, weekday=weekday, opens_at=opens, closes_at=closes)
        for value in norm.split_list(r.get("accessibility")):
            self._term("accessibility", value, LOCATION_KINDS, self.access, location_id=pk)
        position = 0
        for column, kind in (
            ("phone", Phone.Kind.VOICE),
            ("hotline", Phone.Kind.HOTLINE),
            ("text_number", Phone.Kind.TEXT),
            ("tty", Phone.Kind.TTY),
        ):
            if norm.is_empty(r.get(column)):
                continue
            digits, extension, menu = norm.phone_menu(
                r.get(column), r.get("phone_extension") if column == "phone" else ""
            )
            try:
                number, extension, note = norm.phone(digits, extension)
            except norm.Unusable as error:
                row.bad(str(error), column)
                continue
            row.fixed(column, note)
            row.fixed(column, menu and f"phone menu {menu!r} kept as the phone's note")
            self.phones.add(
                location_id=pk,
                number=number,
                extension=extension,
                kind=kind,
                note=menu[:200],
                position=position,
            )
            position += 1


def import_csv(
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
    """Import one spreadsheet (CSV) in the flat template; raises ImportFailed on bad rows."""
    return FlatImport(
        path,
        source=source,
        skip_invalid=skip_invalid,
        new_status=new_status,
        retire_missing=retire_missing,
        progress=progress,
        user=user,
        on_rows=on_rows,
    ).run(dry_run=dry_run)
