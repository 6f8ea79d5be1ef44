"""The HSDS tables that hang off organizations, services and locations: schedules, service at
location, phones, languages, taxonomy terms (attributes / services_taxonomy), accessibility.
"""

from collections import defaultdict
from datetime import time

from django.utils import timezone

from providers.hsds import FLAG_CONFIDENTIAL, FLAG_SAMPLE
from providers.importers import normalise as norm
from providers.importers.mapping import LOCATION_KINDS, SERVICE_KINDS
from providers.importers.records import Row, location_values
from providers.importers.removed import describe_hours, describe_links, describe_phones
from providers.importers.report import Report
from providers.importers.writer import Inserter, chunks
from providers.models import (
    Location,
    OpeningHours,
    Organization,
    Phone,
    Service,
    ServiceAtLocation,
    Status,
)

PHONE_KINDS = {
    "": Phone.Kind.VOICE, "voice": Phone.Kind.VOICE, "cell": Phone.Kind.VOICE,
    "landline": Phone.Kind.VOICE, "video": Phone.Kind.VOICE, "pager": Phone.Kind.VOICE,
    "main": Phone.Kind.VOICE, "text": Phone.Kind.TEXT, "sms": Phone.Kind.TEXT,
    "fax": Phone.Kind.FAX, "textphone": Phone.Kind.TTY, "tty": Phone.Kind.TTY,
    "tdd": Phone.Kind.TTY, "hotline": Phone.Kind.HOTLINE, "crisis": Phone.Kind.HOTLINE,
}  # fmt: skip
OPEN_CLOSE = ("opens_at", "closes_at")
# What makes a stored phone the package's own (kept as it is on a re-import).
PHONE_COMPARED = (
    "organization_id", "service_id", "location_id", "number", "extension", "kind", "note",
    "position",
)  # fmt: skip


# -- schedules ------------------------------------------------------------------------------
def read_schedules(imp) -> None:
    """schedules.csv (3.0: byday, opens_at, closes_at) and regular_schedules.csv (weekday
    names or numbers, times like 9:00am), kept per location or per service until the
    locations are written."""
    imp.location_hours, imp.service_hours = defaultdict(list), defaultdict(list)
    imp.location_notes, imp.service_notes = {}, {}
    # The timezones a location's or service's schedules give, each with its first row (a
    # remote place's hours are kept in the first: `records.location_values`).
    imp.location_zones, imp.service_zones = {}, {}
    # A service's own schedule: its first row, and whether a location took its hours.
    imp.service_schedule_rows, imp.service_hours_used = {}, set()
    for file in ("schedules.csv", "regular_schedules.csv"):
        for number, r in imp.pkg.rows(file):
            loc = r.get("location_id", "").strip() or imp.sal_location.get(
                r.get("service_at_location_id", "").strip(), ""
            )
            svc = r.get("service_id", "").strip()
            hours, notes = (
                (imp.location_hours, imp.location_notes)
                if loc
                else (imp.service_hours, imp.service_notes)
            )
            key = loc or svc
            if not key:
                imp.report.warn(file, number, "schedule for no location or service; ignored")
                continue
            if not loc:
                imp.service_schedule_rows.setdefault(svc, (file, number))
            # The zone's name (our export's x_timezone) before HSDS's UTC offset.
            given = norm.text(r.get("x_timezone"))[0] or norm.text(r.get("timezone"))[0]
            zones = (imp.location_zones if loc else imp.service_zones).setdefault(key, [])
            if given and given not in [text for text, _row in zones]:
                zones.append((given, Row(imp.report, file, number)))
            # The schedule as the source wrote it (original_text, in many 211 exports), its
            # description and notes: kept as the note about the hours, each text once.
            texts = (norm.text(r.get(c))[0] for c in ("original_text", "description", "notes"))
            note = " ".join(t for t in texts if t and t not in notes.get(key, ""))
            if note:
                notes[key] = "; ".join(filter(None, (notes.get(key, ""), note)))
            times = {norm.text(r.get(c))[0].lower() for c in OPEN_CLOSE}
            if times <= {"closed", ""}:
                continue  # no times, or the day marked closed: no hours (its text is the note)
            opens, closes = norm.clock(r.get("opens_at")), norm.clock(r.get("closes_at"))
            raw_days = r.get("byday") or r.get("weekday") or ""
            days = [
                norm.weekday(d) for d in str(raw_days).replace(";", ",").split(",") if d.strip()
            ]
            freq = (r.get("freq") or "weekly").strip().lower()
            if freq != "weekly" or opens is None or closes is None or not days or None in days:
                # As written: "Tue-Fri 9:00-5:00" (a range of days, or the hours in one cell),
                # read as a spreadsheet's hours are when it names its days.
                span = "-".join(filter(None, (norm.text(r.get(c))[0] for c in OPEN_CLOSE)))
                written = " ".join(filter(None, (norm.text(raw_days)[0], span)))
                periods, always, _, remark = (
                    norm.opening_hours(written)
                    if freq == "weekly" and raw_days.strip()
                    else norm.Hours(None, False, None)
                )
                if always:  # "Mon-Sun 00:00-00:00"
                    periods = norm.EVERY_DAY_ALL_DAY
                if periods:
                    read = norm.hours_text([] if always else periods, always)
                    kept = f"; {remark!r} kept as a note about the hours" if remark else ""
                    imp.report.fixed(file, number, "opens_at", f"{written!r} read as {read}{kept}")
                    hours[key].extend(periods)
                    if remark and remark not in notes.get(key, ""):  # "closed holidays"
                        notes[key] = "; ".join(filter(None, (notes.get(key, ""), remark)))
                    continue
                imp.report.fixed(
                    file,
                    number,
                    "opens_at",
                    "schedule not understood as weekly hours; kept as a note",
                )
                if not note:
                    notes[key] = "; ".join(filter(None, (notes.get(key, ""), written)))
                continue
            if opens == closes == time(0):  # how many exports write "24 hours"
                imp.report.fixed(
                    file, number, "closes_at", "midnight to midnight read as open all day"
                )
                hours[key].extend((day, *norm.ALL_DAY) for day in days)
                continue
            if opens == closes:
                imp.report.fixed(
                    file, number, "closes_at", "opens and closes at the same time; left out"
                )
                continue
            closes, fix = norm.daytime_closing(opens, closes, r.get("opens_at"), r.get("closes_at"))
            if fix:
                imp.report.fixed(file, number, "closes_at", fix)
            hours[key].extend((day, opens, closes) for day in days)


def hours_for(imp, location_sid: str):
    """(periods, open_24_7, note) for one location; its services' hours if it has none."""
    periods = imp.location_hours.pop(location_sid, [])
    note = imp.location_notes.pop(location_sid, "")
    if not periods:
        services = imp.location_services.get(location_sid, [])
        for svc in services:
            if imp.service_hours.get(svc):
                periods = list(imp.service_hours[svc])
                note = note or imp.service_notes.get(svc, "")
                imp.service_hours_used.add(svc)
                break
        else:  # no hours, but a service's schedule as text ("By appointment") says something
            note = note or next(
                (imp.service_notes[s] for s in services if s in imp.service_notes), ""
            )
    return _hours(periods, note)


def report_unused_service_hours(imp) -> None:
    """A service's own hours that no location took (each of its places has hours of its
    own): said, not dropped in silence."""
    for svc, (file, number) in imp.service_schedule_rows.items():
        if imp.service_hours.get(svc) and svc not in imp.service_hours_used and svc in imp.services:
            imp.report.warn(
                file,
                number,
                f"service {svc!r}'s own hours are shown nowhere: none of its locations took"
                " them (a location with hours of its own, or another service's, keeps those;"
                " give them by service_at_location_id to show them there)",
            )


def _hours(periods: list, note: str):
    """(periods, open_24_7, note): every day all day is open 24/7, with no periods."""
    if norm.around_the_clock(periods):
        return [], True, note
    return sorted(set(periods)), False, note


# -- everything else --------------------------------------------------------------------------
def write_links(imp) -> None:
    _service_at_location(imp)
    _phones(imp)
    _languages(imp)
    _terms(imp)
    imp.inferred.write(imp.report)
    _write_service_at_location(imp)
    _accessibility(imp)


def _resolve(imp, file, number, column, sid, table, upserter):
    """None: no id given; False: the id names nothing kept (reported); else the pk."""
    if not sid:
        return None
    if imp.parent_missing(file, number, table, upserter, sid, column):
        return False
    return upserter.get(sid)


def _service_at_location(imp) -> None:
    imp.new_links: list[tuple] = []  # (service, location, description), written after the terms
    imp.package_pairs: set[tuple] = set()
    imp.location_service_pks: dict[object, list] = defaultdict(list)
    # The links this source has: one the package still has is left as it is.
    stored = {
        (service, location): pk
        for pk, service, location in ServiceAtLocation.objects.filter(service__source=imp.source)
        .values_list("pk", "service_id", "location_id")
        .iterator()
    }
    for file, number, _sal, svc, loc, description in imp.pairs:
        service = _resolve(imp, file, number, "service_id", svc, "services.csv", imp.services)
        location = _resolve(imp, file, number, "location_id", loc, "locations.csv", imp.locations)
        if not service or not location:
            if service is None or location is None:
                imp.report.bad_row(file, number, "needs both a service_id and a location_id")
            continue
        if (service, location) in imp.package_pairs:
            continue
        imp.package_pairs.add((service, location))
        imp.location_service_pks[location].append(service)
        if (service, location) not in stored:
            imp.new_links.append((service, location, norm.text(description, multiline=True)[0]))
    _remote_locations(imp, stored)
    imp.pairs.clear()
    touched = set(imp.services.ids.values())
    stale = [
        pk
        for (service, location), pk in stored.items()
        if service in touched and (service, location) not in imp.package_pairs
    ]
    if stale:  # named in the report before they go (a service no longer listed there)
        shown = ServiceAtLocation.objects.filter(pk__in=stale[: Report.REMOVED_SHOWN])
        for owner, value, reference in describe_links(shown, Report.REMOVED_SHOWN):
            imp.report.removed_row(
                "service_at_location", owner=owner, value=value, reference=reference
            )
    for part in chunks(stale):
        ServiceAtLocation.objects.filter(pk__in=part).delete()
    written = len(imp.new_links)
    if written:
        imp.report.count("service_at_location", "linked", written)
    if len(imp.package_pairs) > written:
        imp.report.count("service_at_location", "unchanged", len(imp.package_pairs) - written)
    if stale:
        imp.report.count("service_at_location", "removed", len(stale))
    linked = {service for service, _ in imp.package_pairs}
    missing = [sid for sid, pk in imp.services.ids.items() if pk not in linked]
    for sid in missing[:50]:
        imp.report.warn(
            "services.csv",
            imp.services.rows[sid],
            "no location: this service will not appear in searches",
        )
    if len(missing) > 50:
        imp.report.warn(
            "services.csv", None, f"{len(missing) - 50} more services without a location"
        )


def add_remote_locations(imp) -> None:
    """A service the package places nowhere but that is reached by phone or online gets a
    remote location of its own, so it can be found, open at the hours of the service's own
    schedule; its area was set from the package's service areas, else its organization's
    states, else nationwide for a toll-free number (providers/importers/remote.py)."""
    for sid, name in imp.remote_names.items():
        row = Row(imp.report, "services.csv", imp.services.rows[sid])
        values = location_values(
            row,
            imp.placer,
            organization_id=imp.service_org[sid],
            name=name,
            remote=True,
            served_states=imp.served_states[sid],
            schedule_zones=imp.service_zones.get(sid, []),
        )
        hours = _hours(imp.service_hours.get(sid, []), imp.service_notes.get(sid, ""))
        imp.service_hours_used.add(sid)
        add_location(imp, f"{sid}#remote", values, row, hours)


def add_location(imp, sid: str, values: dict, row: Row, hours: tuple) -> None:
    """Queue one location with its hours ((periods, open_24_7, note), as `_hours` gives)."""
    periods, open_24_7, note = hours
    note = row.text(note, "hours_note", max_length=300)  # a longer one is reported, not cut
    values.update(open_24_7=open_24_7, hours_note=note)
    pk = imp.locations.add(sid, values, row=row.number)
    if pk is None:
        return
    for weekday, opens, closes in periods:
        imp.hours.add(location_id=pk, weekday=weekday, opens_at=opens, closes_at=closes)


def _remote_locations(imp, stored: dict) -> None:
    """Link each service placed nowhere to its remote location (`add_remote_locations`)."""
    for sid in imp.remote_names:
        service = imp.services.get(sid)
        location = imp.locations.get(f"{sid}#remote")
        if service is None or location is None:
            continue
        row = Row(imp.report, "services.csv", imp.services.rows[sid])
        row.fixed(
            "id",
            "no location, but reached by phone or online: imported as a remote service",
        )
        imp.package_pairs.add((service, location))
        imp.location_service_pks[location].append(service)
        if (service, location) not in stored:
            imp.new_links.append((service, location, ""))


def _write_service_at_location(imp) -> None:
    """The new links, written after the services' terms: a link's search copy then reads its
    service's types once as it goes in, where each term written after the link would rewrite
    the copy (providers/search_index.py)."""
    links = Inserter(ServiceAtLocation, ignore_conflicts=True, before=[imp.services, imp.locations])
    for service, location, description in imp.new_links:
        links.add(service_id=service, location_id=location, description=description)
    links.flush()
    imp.new_links.clear()


def _phones(imp) -> None:
    owners = {"organization_id": imp.orgs, "service_id": imp.services, "location_id": imp.locations}
    phones = Inserter(
        Phone,
        before=[imp.orgs, imp.services, imp.locations],
        held=owners,
        replaces=owners,
        compare=PHONE_COMPARED,
        describe=describe_phones,
    )
    positions: dict[tuple, int] = defaultdict(int)
    for number, r in imp.rows("phones.csv"):
        file = "phones.csv"
        sal = r.get("service_at_location_id", "").strip()
        candidates = (
            (
                "service_id",
                r.get("service_id", "").strip() or imp.sal_service.get(sal, ""),
                "services.csv",
                imp.services,
            ),
            ("location_id", r.get("location_id", "").strip(), "locations.csv", imp.locations),
            (
                "organization_id",
                r.get("organization_id", "").strip(),
                "organizations.csv",
                imp.orgs,
            ),
        )
        owner, broken = None, False
        for column, sid, table, upserter in candidates:
            if not sid:
                continue
            broken = imp.parent_missing(file, number, table, upserter, sid, column)
            owner = None if broken else (column, upserter.get(sid))
            break
        if broken:
            continue
        if owner is None:
            if not r.get("contact_id", "").strip():
                imp.report.warn(
                    file, number, "phone for no organization, service or location; ignored"
                )
            continue
        digits, extension, menu = norm.phone_menu(r.get("number"), r.get("extension"))
        try:
            phone, extension, note = norm.phone(digits, extension)
        except norm.Unusable as error:
            imp.report.bad_row(file, number, str(error), "number")
            continue
        row = Row(imp.report, file, number)
        row.fixed("number", note)
        row.fixed("number", menu and f"phone menu {menu!r} kept as the phone's note")
        kind_raw = (r.get("type") or "").strip().lower()
        kind = PHONE_KINDS.get(kind_raw, Phone.Kind.VOICE)
        description = row.text(r.get("description"), "description", max_length=200)
        note_text = " ".join(filter(None, (description, menu)))
        phones.add(
            **{owner[0]: owner[1]},
            number=phone,
            extension=extension,
            kind=kind,
            note=note_text[:200],
            position=positions[owner],
        )
        positions[owner] += 1
    phones.finish()
    phones.count(imp.report, "phones")


def _languages(imp) -> None:
    through = Service.languages.through
    links = Inserter(through, ignore_conflicts=True)
    for number, r in imp.rows("languages.csv"):
        codes = _row_languages(imp, number, r)
        if not codes:
            continue
        services = []
        svc, loc = r.get("service_id", "").strip(), r.get("location_id", "").strip()
        if svc and svc in imp.services:
            services = [imp.services.get(svc)]
        elif loc and loc in imp.locations:
            services = imp.location_service_pks.get(imp.locations.get(loc), [])
        elif svc or loc:
            imp.report.skipped("languages.csv", number, "its service or location was not imported")
        for service in services:
            for code in codes:
                links.add(service_id=service, language_id=code)
    links.flush()


def _row_languages(imp, number: int, r: dict) -> list[str]:
    """The language codes of one languages.csv row: one language, or a list of them in one
    cell ("English; Spanish", as many 211 exports write it); each unknown one is reported."""
    raw = r.get("code") or r.get("name") or r.get("language") or ""
    code = imp.languages.resolve(raw) or imp.languages.resolve(r.get("name", ""))
    if code is not None:
        if (r.get("code") or "").strip() and (r.get("code") or "").strip().lower() != code:
            imp.report.fixed("languages.csv", number, "code", f"{r.get('code')!r} → {code}")
        elif not (r.get("code") or "").strip():
            imp.report.fixed("languages.csv", number, "name", f"{raw!r} → {code}")
        return [code]
    parts = norm.split_list(raw)
    codes = []
    for part in parts if len(parts) > 1 else [raw]:
        code = imp.languages.resolve(part)
        if code is None:
            imp.report.warn(
                "languages.csv", number, f"language {part!r} is not one we list; left out", "name"
            )
        else:
            imp.report.fixed("languages.csv", number, "name", f"{part!r} → {code}")
            codes.append(code)
    return codes


def _link_term(imp, file, number, *, entity, link_id, term: tuple, services, locations):
    taxonomy, code, name = term
    if FLAG_CONFIDENTIAL in (code, name) or FLAG_SAMPLE in (code, name):
        return
    if entity in ("service", "") and link_id in imp.services:
        kinds, targets = SERVICE_KINDS, (services, "service_id", imp.services.get(link_id))
    elif entity in ("location", "") and link_id in imp.locations:
        kinds, targets = LOCATION_KINDS, (locations, "location_id", imp.locations.get(link_id))
    elif link_id in imp.seen["services.csv"] or link_id in imp.seen["locations.csv"]:
        table = "services.csv" if link_id in imp.seen["services.csv"] else "locations.csv"
        imp.report.skipped(
            file,
            number,
            "its service or location was not imported",
            because=(table, imp.seen[table][link_id]),
        )
        return
    elif entity in ("organization", "") and link_id in imp.orgs:
        return  # our terms describe services and locations, not organizations
    else:
        imp.report.bad_row(
            file,
            number,
            f"link_id {link_id!r} is not a service or location in this package",
            "link_id",
        )
        return
    resolved = imp.mapper.resolve(name=name, code=code, taxonomy=taxonomy, kinds=kinds)
    if not resolved.known:
        imp.report.unmapped_term(taxonomy=taxonomy, code=code, name=name)
    inserter, column, pk = targets
    if resolved.known and column == "service_id":
        imp.inferred.known_term(pk)
    kind_column = "term_id"
    for term_id in resolved.term_ids:
        inserter.add(**{column: pk, kind_column: term_id})


def _terms(imp) -> None:
    services = Inserter(Service.terms.through, ignore_conflicts=True)
    locations = Inserter(Location.accessibility.through, ignore_conflicts=True)
    for number, r in imp.rows("attributes.csv"):
        term_id = r.get("taxonomy_term_id", "").strip()
        term = imp.terms.get(term_id)
        if term is None:
            imp.report.bad_row(
                "attributes.csv",
                number,
                f"taxonomy_term_id {term_id!r} is not in taxonomy_terms.csv",
                "taxonomy_term_id",
            )
            continue
        _link_term(
            imp,
            "attributes.csv",
            number,
            entity=(r.get("link_entity") or "").strip().lower(),
            link_id=r.get("link_id", "").strip(),
            term=term,
            services=services,
            locations=locations,
        )
    for number, r in imp.rows("services_taxonomy.csv"):
        term_id = r.get("taxonomy_id", "").strip()
        term = imp.terms.get(term_id) or ("", term_id, norm.text(r.get("taxonomy_detail"))[0])
        _link_term(
            imp,
            "services_taxonomy.csv",
            number,
            entity="service",
            link_id=r.get("service_id", "").strip(),
            term=term,
            services=services,
            locations=locations,
        )
    services.flush()
    locations.flush()


def _accessibility(imp) -> None:
    locations = Inserter(Location.accessibility.through, ignore_conflicts=True)
    for file, column in (
        ("accessibility.csv", "description"),
        ("accessibility_for_disabilities.csv", "accessibility"),
    ):
        for number, r in imp.rows(file):
            loc = r.get("location_id", "").strip()
            if imp.parent_missing(file, number, "locations.csv", imp.locations, loc, "location_id"):
                continue
            text = " ".join(
                filter(None, (norm.text(r.get(column))[0], norm.text(r.get("details"))[0]))
            )
            resolved = imp.mapper.resolve(name=text, kinds=LOCATION_KINDS)
            if not resolved.term_ids:
                imp.report.unmapped_term(taxonomy="accessibility", code="", name=text[:120])
            for term_id in resolved.term_ids:
                locations.add(location_id=imp.locations.get(loc), term_id=term_id)
    locations.flush()


def _remove_unused_remote_locations(imp) -> None:
    """The remote location made for a service placed nowhere (`add_remote_locations`) goes
    once the package places that service somewhere, its opening hours named in the report:
    it is no row of the package, and left behind it was exported with its old hours. (Its
    link went with the service's other stale links.)"""
    unused = {
        sid: pk
        for sid, pk in imp.locations.existing.items()
        if sid.endswith("#remote")
        and sid not in imp.locations.ids
        and sid.removesuffix("#remote") in imp.services.ids
    }
    if not unused:
        return
    hours = OpeningHours.objects.filter(location__in=list(unused.values()))
    for owner, value, reference in describe_hours(hours, Report.REMOVED_SHOWN):
        imp.report.removed_row("opening_hours", owner=owner, value=value, reference=reference)
    removed_hours = hours.count()
    for part in chunks(list(unused.values())):
        Location.objects.filter(pk__in=part).delete()
    for sid in unused:
        del imp.locations.existing[sid]
    imp.report.count("locations", "removed", len(unused))
    if removed_hours:
        imp.report.count("opening_hours", "removed", removed_hours)


def finish(imp) -> None:
    """Verification dates, and records of this source that the package no longer has."""
    _remove_unused_remote_locations(imp)
    for part in chunks(list(imp.verified)):
        orgs = list(Organization.objects.filter(pk__in=part).only("pk", "last_verified_on"))
        for org in orgs:
            org.last_verified_on = imp.verified[org.pk]
        Organization.objects.bulk_update(orgs, ["last_verified_on"])
    for table, upserter in (
        ("organizations", imp.orgs),
        ("services", imp.services),
        ("locations", imp.locations),
    ):
        missing = upserter.missing_ids()
        imp.report.not_in_package[table] = len(missing)
        if imp.retire_missing and missing and table != "locations":
            for part in chunks(missing):
                upserter.model.objects.filter(pk__in=part).update(
                    status=Status.RETIRED, updated_at=timezone.now()
                )
            imp.report.count(table, "retired", len(missing))
