"""Issue 16: an import never invents a fact (cost, languages, hours, eligibility are "not
stated" when the source is silent), and cleans text the way real 211 exports need, on a
made-up package shaped like one (tests/messy211.py)."""

import csv
import importlib
from datetime import time
from http import HTTPStatus

import pytest
from django.apps import apps
from messy211 import write_messy_211

from providers.importers.export import export_hsds
from providers.importers.hsds import import_hsds
from providers.importers.report import Severity
from providers.models import Cost, Location, OpeningHours, Organization, Phone, Service

SOURCE = "harbor-211"


@pytest.fixture
def imported(tmp_path, db):
    return import_hsds(write_messy_211(tmp_path / "export"), source=SOURCE)


def service(source_id: str) -> Service:
    return Service.objects.get(source=SOURCE, source_id=source_id)


def lines(report, file: str, severity=None) -> list[str]:
    return [
        issue.as_text()
        for issue in report.issues
        if issue.file == file and (severity is None or issue.severity == severity)
    ]


def import_schedules(tmp_path, rows: list[list[str]]):
    """The messy package with these regular_schedules.csv rows instead of its own."""
    from messy211 import FILES

    hour_fields, _ = FILES["regular_schedules.csv"]
    return import_hsds(
        write_messy_211(tmp_path / "export", **{"regular_schedules.csv": (hour_fields, rows)}),
        source=SOURCE,
    )


# -- never invent a fact ---------------------------------------------------------------------
def test_silent_fees_leave_the_cost_not_stated(imported):
    assert service("2001").cost == Cost.NOT_STATED


def test_fees_text_that_states_no_cost_is_kept_as_a_note_only(imported):
    shelter = service("2002")
    assert shelter.cost == Cost.NOT_STATED
    assert shelter.cost_note == "Call for information"


def test_stated_costs_are_read(imported):
    assert service("2003").cost == Cost.FREE
    assert service("2004").cost == Cost.FEE


def test_no_language_is_assumed(imported):
    assert not service("2001").languages.exists()
    assert list(service("2004").languages.values_list("code", flat=True)) == ["es"]


def test_eligibility_keyed_by_service_at_location_or_location_is_imported(imported):
    assert service("2002").eligibility == "Families with children"
    assert service("2004").eligibility == "Adults and teens 13 and over"
    assert service("2001").eligibility == ""


def test_eligibility_for_nothing_has_a_report_line(imported):
    assert lines(imported, "eligibility.csv") == [
        "eligibility.csv row 4: warning: eligibility for no service in this package; ignored"
    ]


def test_handicap_accessible_is_an_accessibility_feature(imported):
    office = Location.objects.get(source=SOURCE, source_id="3001")
    assert list(office.accessibility.values_list("slug", flat=True)) == ["wheelchair"]


def test_schedule_text_is_kept_once_and_description_only_schedules_too(imported):
    office = Location.objects.get(source=SOURCE, source_id="3001")
    assert office.hours_note == "Mon-Fri 9-5, closed holidays"
    lakeside = Location.objects.get(source=SOURCE, source_id="3003")
    assert lakeside.hours_note == "By appointment only"
    assert not OpeningHours.objects.filter(location=lakeside).exists()


def test_a_source_silent_about_hours_is_not_open_24_7(imported):
    bayview = Location.objects.get(source=SOURCE, source_id="3002")
    assert (bayview.open_24_7, bayview.hours_note) == (False, "")
    assert not OpeningHours.objects.filter(location=bayview).exists()


def test_not_stated_cost_matches_no_cost_filter(imported, api_client):
    body = api_client.get("/api/v1/providers/", {"q": "Victim Witness"}).json()
    assert [row["cost"] for row in body["results"]] == [None]
    free = api_client.get("/api/v1/providers/", {"cost": "free"}).json()
    assert [row["name"] for row in free["results"]] == ["Crime Victim Compensation Help"]


def test_pages_say_the_cost_is_not_stated(imported, client):
    sal_page = client.get("/api/v1/providers/", {"q": "Victim Witness"})
    pk = sal_page.json()["results"][0]["id"]
    html = client.get(f"/provider/{pk}/").content.decode()
    assert "Cost: not stated" in html
    assert "Not stated: call to ask." in html
    assert "Free" not in html.split('class="facts"')[1].split("</p>")[0]
    html_es = client.get(f"/es/provider/{pk}/").content.decode()
    assert "Costo: no se indica" in html_es


def test_hsds_feed_and_export_give_no_cost_option_for_not_stated(imported, client, tmp_path):
    witness = service("2001")
    response = client.get(f"/api/hsds/services/{witness.id}")
    assert response.status_code == HTTPStatus.OK
    assert response.json().get("cost_options", []) == []
    Organization.objects.update(status="published")
    export_hsds(tmp_path / "out")
    with open(tmp_path / "out" / "cost_options.csv", newline="", encoding="utf-8") as stream:
        exported = {row["service_id"]: row["option"] for row in csv.DictReader(stream)}
    assert str(witness.id) not in exported
    assert exported[str(service("2003").id)] == "Free"


def test_migration_turns_only_defaulted_imported_costs_into_not_stated(db, make_provider):
    entered = make_provider(name="Entered by an admin", cost="free").service
    imported_free = make_provider(name="Imported", cost="free").service
    imported_noted = make_provider(name="Imported with a note", cost="free").service
    Organization.objects.exclude(name="Sample listing").update(is_sample=False)
    Service.objects.filter(pk=imported_free.pk).update(source="old-211", source_id="1")
    Service.objects.filter(pk=imported_noted.pk).update(
        source="old-211", source_id="2", cost_note="Free for residents"
    )
    sample = make_provider(name="Sample listing", cost="free").service  # is_sample=True
    Service.objects.filter(pk=sample.pk).update(source="sample", source_id="3")
    migration = importlib.import_module("providers.migrations.0012_cost_not_stated")
    migration.free_by_default_to_not_stated(apps, None)
    costs = dict(Service.objects.values_list("pk", "cost"))
    assert costs[entered.pk] == Cost.FREE
    assert costs[imported_free.pk] == Cost.NOT_STATED
    assert costs[imported_noted.pk] == Cost.FREE
    assert costs[sample.pk] == Cost.FREE


# -- text hygiene ----------------------------------------------------------------------------
def test_mojibake_and_vendor_markers_are_cleaned_and_reported(imported):
    da = Organization.objects.get(source=SOURCE, source_id="1001")
    assert da.description == (
        "The District Attorney\u2019s Victim Witness Unit Monday: court support Walk-ins welcome"
    )
    shelter = Organization.objects.get(source=SOURCE, source_id="1002")
    assert shelter.description == "Shelter for families in crisis."
    fixed = " ".join(lines(imported, "organizations.csv", Severity.FIXED))
    assert "garbled characters repaired (mojibake)" in fixed
    assert "vendor markers removed" in fixed


def test_nine_to_five_is_read_as_daytime_and_reported(imported):
    office = Location.objects.get(source=SOURCE, source_id="3001")
    hours = set(OpeningHours.objects.filter(location=office).values_list("opens_at", "closes_at"))
    assert hours == {(time(9), time(17))}
    assert (
        "regular_schedules.csv row 2: fixed [closes_at]: closes 05:00 before it opens at "
        "09:00: read as 09:00-17:00"
    ) in lines(imported, "regular_schedules.csv")


def test_phone_menus_become_notes_and_short_codes_are_kept(imported):
    phones = {
        (p.number, p.extension, p.note)
        for p in Phone.objects.filter(service__source=SOURCE).order_by("number")
    }
    assert phones == {
        ("+12125550100", "", "Unit x OPT2"),
        ("+16175550142", "", "OPT 3"),
        ("211", "", "United Way 211"),
        ("988", "", "Crisis line"),
    }
    assert not [issue for issue in imported.issues if issue.severity == Severity.INVALID]


@pytest.mark.django_db
def test_spreadsheet_rows_silent_or_vague_about_cost_are_not_stated(tmp_path):
    from hsds_support import write_csv

    from providers.importers.csv_flat import COLUMNS, import_csv

    base = {"organization_name": "Riverside Advocacy", "street": "350 Fifth Avenue",
            "city": "New York", "state": "NY", "zip": "10118"}  # fmt: skip
    rows = [
        {**base, "service_id": "a", "service_name": "Silent", "phone": "212-555-0100 x OPT2"},
        {**base, "service_id": "b", "service_name": "Vague", "cost": "Varies"},
        {**base, "service_id": "c", "service_name": "Stated", "cost": "Free"},
    ]
    path = tmp_path / "coalition.csv"
    write_csv(path, COLUMNS, [{k: row.get(k, "") for k in COLUMNS} for row in rows])
    import_csv(path, source="coalition")
    costs = dict(Service.objects.values_list("name", "cost"))
    assert costs == {"Silent": Cost.NOT_STATED, "Vague": Cost.NOT_STATED, "Stated": Cost.FREE}
    assert Service.objects.get(name="Vague").cost_note == "Varies"
    assert list(Phone.objects.values_list("number", "note")) == [("+12125550100", "x OPT2")]


def test_handout_says_the_cost_is_not_stated(client, referral_world):
    from django.urls import reverse

    from referrals.models import ResourceList, ResourceListItem

    Service.objects.filter(pk=referral_world.sal_p.service_id).update(cost=Cost.NOT_STATED)
    resource_list = ResourceList.objects.create(
        agency=referral_world.agency_a, created_by=referral_world.advocate_a
    )
    ResourceListItem.objects.create(
        resource_list=resource_list, service_at_location=referral_world.sal_p
    )
    client.force_login(referral_world.advocate_a)
    html = client.get(reverse("referrals:list-print", kwargs={"pk": resource_list.pk}))
    assert "<dt>Cost</dt>\n      <dd>Not stated: call to ask.</dd>" in html.content.decode()


def test_a_service_with_no_location_but_a_phone_becomes_a_remote_service(tmp_path, db):
    from messy211 import FILES

    from providers.models import LocationKind, ServiceArea

    org_fields, orgs = FILES["organizations.csv"]
    svc_fields, services = FILES["services.csv"]
    phone_fields, phones = FILES["phones.csv"]
    blank_service = ["", "", "active", "", "", "", ""]
    folder = write_messy_211(
        tmp_path / "export",
        **{
            "organizations.csv": (org_fields, [*orgs, ["1004", "National Helpline", "", "", "",
                                                       ""]]),
            "services.csv": (svc_fields, [
                *services,
                # Placed nowhere; its organization's places are in New York: serves NY.
                ["2005", "1001", "Victim Notification Line", "Call for case updates.",
                 *blank_service],
                # Placed nowhere, no place of its organization, a toll-free number.
                ["2006", "1004", "National Helpline", "Call any time.", *blank_service],
                # Placed nowhere and no phone or website: nothing to make of it.
                ["2007", "1004", "Unreachable", "", *blank_service],
            ]),
            "phones.csv": (phone_fields, [
                *phones,
                ["6005", "", "2005", "", "", "", "(212) 555-0177", "", "voice", "", ""],
                ["6006", "", "2006", "", "", "", "1-800-555-0199", "", "voice", "", ""],
            ]),
        },
    )  # fmt: skip

    report = import_hsds(folder, source=SOURCE)

    line, national = service("2005"), service("2006")
    assert (line.service_area, line.service_area_states) == (ServiceArea.STATES, ["NY"])
    assert national.service_area == ServiceArea.NATIONWIDE
    for remote in (line, national):
        (place,) = remote.locations.all()
        assert (place.kind, place.address_1, place.latitude) == (LocationKind.REMOTE, "", None)
    assert not service("2007").locations.exists()
    text = report.as_text()
    assert "imported as a remote service" in text
    assert "no location: this service will not appear in searches" in text  # 2007 only

    import_hsds(folder, source=SOURCE)  # a re-import keeps the one remote place

    assert line.locations.count() == 1 and national.locations.count() == 1


def test_a_remote_service_keeps_its_own_schedule(tmp_path, db):
    """A service placed nowhere but reached by phone keeps the hours its schedule rows give
    (by service_id): its remote place was written closed, with no hours and no note. The
    hours are kept in the timezone of the state it serves (its organization's places in
    Chicago here): read in New York's, "open now" was an hour wrong."""
    from messy211 import FILES

    svc_fields, services = FILES["services.csv"]
    phone_fields, phones = FILES["phones.csv"]
    hour_fields, hours = FILES["regular_schedules.csv"]
    blank_service = ["", "", "active", "", "", "", ""]
    weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
    every_day = [*weekdays, "Saturday", "Sunday"]
    folder = write_messy_211(
        tmp_path / "export",
        **{
            "services.csv": (svc_fields, [
                *services,
                ["2005", "1003", "Victim Notification Line", "", *blank_service],
                ["2006", "1001", "Crisis Text Line", "", *blank_service],
            ]),
            "phones.csv": (phone_fields, [
                *phones,
                ["6005", "", "2005", "", "", "", "(212) 555-0177", "", "voice", "", ""],
                ["6006", "", "2006", "", "", "", "(212) 555-0178", "", "text", "", ""],
            ]),
            "regular_schedules.csv": (hour_fields, [
                *hours,
                *[[f"75{d}", "2005", "", "", day, "8:00", "6:00", "Weekdays 8-6"]
                  for d, day in enumerate(weekdays)],
                *[[f"76{d}", "2006", "", "", day, "00:00", "23:59", ""]
                  for d, day in enumerate(every_day)],
            ]),
        },
    )  # fmt: skip

    import_hsds(folder, source=SOURCE)

    (line,) = service("2005").locations.all()
    opening = OpeningHours.objects.filter(location=line).order_by("weekday")
    assert [(h.weekday, h.opens_at, h.closes_at) for h in opening] == [
        (day, time(8), time(18)) for day in range(1, 6)
    ]
    assert (line.open_24_7, line.hours_note) == (False, "Weekdays 8-6")
    assert (service("2005").service_area_states, line.timezone) == (["IL"], "America/Chicago")
    (text_line,) = service("2006").locations.all()
    assert text_line.open_24_7 and not OpeningHours.objects.filter(location=text_line).exists()
    assert text_line.timezone == "America/New_York"  # serves New York

    import_hsds(folder, source=SOURCE)  # a re-import keeps them, once

    assert OpeningHours.objects.filter(location=line).count() == 5


def test_a_remote_service_placed_somewhere_later_leaves_no_remote_place(tmp_path, db):
    """Its remote place, which the importer made (no row of the package), goes with its
    hours, named in the report; left behind, it was exported with the old hours."""
    from messy211 import FILES

    svc_fields, services = FILES["services.csv"]
    phone_fields, phones = FILES["phones.csv"]
    hour_fields, hours = FILES["regular_schedules.csv"]
    sal_fields, links = FILES["services_at_location.csv"]
    changes = {
        "services.csv": (svc_fields, [*services, ["2005", "1001", "Notification Line", "",
                                                  "", "", "active", "", "", "", ""]]),
        "phones.csv": (phone_fields, [*phones, ["6005", "", "2005", "", "", "",
                                                "(212) 555-0177", "", "voice", "", ""]]),
        "regular_schedules.csv": (hour_fields, [*hours, ["7500", "2005", "", "", "Monday",
                                                         "8:00", "6:00", ""]]),
    }  # fmt: skip
    import_hsds(write_messy_211(tmp_path / "first", **changes), source=SOURCE)
    (remote,) = service("2005").locations.all()
    assert remote.hours.count() == 1

    placed = {
        **changes,
        "services_at_location.csv": (sal_fields, [*links, ["5005", "2005", "3001", ""]]),
    }
    report = import_hsds(write_messy_211(tmp_path / "second", **placed), source=SOURCE)

    assert [place.source_id for place in service("2005").locations.all()] == ["3001"]
    assert not Location.objects.filter(pk=remote.pk).exists()
    assert not OpeningHours.objects.filter(location_id=remote.pk).exists()
    assert report.counts["locations"]["removed"] == 1
    assert report.removed["opening_hours"] == [
        ("location Notification Line (2005#remote)", "Monday 08:00-18:00", f"location:{remote.pk}")
    ]
    assert "locations of source" not in report.as_text()  # not "left unchanged"


@pytest.mark.parametrize(("opens", "closes"), [("00:00", "00:00"), ("12:00am", "12:00am")])
def test_midnight_to_midnight_every_day_is_open_24_7(tmp_path, db, opens, closes):
    """How many 211 exports write a 24-hour line: it was left out as "opens and closes at
    the same time", and the line showed no hours."""
    from messy211 import FILES

    hour_fields, hours = FILES["regular_schedules.csv"]
    days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    every_day = [[f"76{d}", "", "3003", "", day, opens, closes, ""] for d, day in enumerate(days)]
    report = import_hsds(
        write_messy_211(tmp_path / "export", **{"regular_schedules.csv": (hour_fields, every_day)}),
        source=SOURCE,
    )
    place = Location.objects.get(source=SOURCE, source_id="3003")
    assert place.open_24_7 and not place.hours.exists()
    assert "midnight to midnight read as open all day" in report.as_text()
    assert "opens and closes at the same time" not in report.as_text()


def test_a_day_marked_closed_is_closed_and_notes_read_apart(tmp_path, db):
    """A row saying a day is closed is no hours that day (it was reported as not understood
    and kept as the note "Saturday closed-closed"); texts of several rows read apart."""
    rows = [
        ["7601", "", "3003", "", "Monday", "9:00", "5:00", "Walk in mornings"],
        ["7602", "", "3003", "", "Saturday", "closed", "closed", ""],
        ["7603", "", "3003", "", "Sunday", "", "", "Closed Sundays"],
        ["7604", "", "3003", "", "Tuesday", "Closed", "", ""],
    ]
    report = import_schedules(tmp_path, rows)
    place = Location.objects.get(source=SOURCE, source_id="3003")
    assert list(place.hours.values_list("weekday", "opens_at", "closes_at")) == [
        (1, time(9), time(17))
    ]
    assert place.hours_note == "Walk in mornings; Closed Sundays"
    assert "not understood" not in " ".join(lines(report, "regular_schedules.csv"))


def test_a_services_own_hours_no_location_shows_are_reported(tmp_path, db):
    """The Courthouse office has hours of its own: a Saturday given for one of its services
    (by service_id) is not shown there, and the report says so (it was dropped in silence)."""
    from messy211 import FILES

    hour_fields, hours = FILES["regular_schedules.csv"]
    saturday = ["7700", "2001", "", "", "Saturday", "10:00", "2:00", ""]
    report = import_hsds(
        write_messy_211(
            tmp_path / "export", **{"regular_schedules.csv": (hour_fields, [*hours, saturday])}
        ),
        source=SOURCE,
    )
    office = Location.objects.get(source=SOURCE, source_id="3001")
    assert sorted(office.hours.values_list("weekday", flat=True)) == [1, 2, 3, 4, 5]
    (warning,) = [line for line in lines(report, "regular_schedules.csv") if "own hours" in line]
    assert "row 8" in warning and "service '2001'" in warning  # the header is row 1


def test_a_remote_location_always_says_its_timezone():
    """Written whether or not its states tell one, so a re-import does not keep a zone they
    no longer say (the writer compares only the columns it is given)."""
    from providers.importers.records import Row, location_values
    from providers.importers.report import Report

    def zone(**given):
        row = Row(Report(), "services.csv", 2)
        return location_values(row, None, organization_id=None, remote=True, **given)["timezone"]

    assert zone(state="CA") == "America/Los_Angeles"
    assert zone(served_states=["CA", "NV"]) == "America/Los_Angeles"
    assert zone(served_states=["CA", "NY"]) == "America/New_York"  # no one zone: the default
    assert zone() == "America/New_York"


def test_every_day_midnight_to_midnight_in_one_row_is_reported_as_24_7(tmp_path, db):
    rows = [["7610", "", "3003", "", "Mon-Sun", "00:00", "00:00", ""]]
    report = import_schedules(tmp_path, rows)
    place = Location.objects.get(source=SOURCE, source_id="3003")
    assert place.open_24_7 and not place.hours.exists()
    (line,) = lines(report, "regular_schedules.csv")
    assert "read as 24/7" in line  # it said "read as Mon-Sun 00:00-23:59"


@pytest.mark.parametrize(
    ("days", "opens", "closes"),
    [("Mon-Fri", "00:00", "00:00"), ("Monday-Friday", "12:00am", "12:00am")],
)
def test_midnight_to_midnight_on_a_range_of_days_is_open_all_day(tmp_path, db, days, opens, closes):
    """A range of days in one row, open midnight to midnight: all day on those days. It was
    reported as not understood and kept as the note "Mon-Fri 00:00-00:00"."""
    rows = [["7610", "", "3003", "", days, opens, closes, ""]]
    report = import_schedules(tmp_path, rows)
    place = Location.objects.get(source=SOURCE, source_id="3003")
    assert list(place.hours.values_list("weekday", "opens_at", "closes_at")) == [
        (day, time(0), time(23, 59)) for day in range(1, 6)
    ]
    assert not place.open_24_7 and place.hours_note == ""
    assert "not understood" not in " ".join(lines(report, "regular_schedules.csv"))


def _virtual_places(tmp_path, *, areas=(), schedules=(), links=()):
    """The package with two virtual locations (no address): 3004 where service 2005 is given,
    3005 where service 2006 is; `areas` are service_areas.csv rows (service, name) and
    `schedules` schedules.csv rows (HSDS 3.0: service, location, byday, opens, closes,
    timezone)."""
    from messy211 import FILES

    svc_fields, services = FILES["services.csv"]
    loc_fields, locations = FILES["locations.csv"]
    sal_fields, sals = FILES["services_at_location.csv"]
    blank_service = ["", "", "active", "", "", "", ""]
    return write_messy_211(
        tmp_path / "export",
        **{
            "services.csv": (svc_fields, [
                *services,
                ["2005", "1003", "Statewide Helpline", "", *blank_service],
                ["2006", "1003", "Text Line", "", *blank_service],
            ]),
            "locations.csv": ([*loc_fields, "location_type"], [
                *[[*loc, "physical"] for loc in locations],
                ["3004", "1003", "Helpline", "", "", "", "", "", "virtual"],
                ["3005", "1003", "Text line", "", "", "", "", "", "virtual"],
            ]),
            "services_at_location.csv": (sal_fields, [
                *sals, ["5005", "2005", "3004", ""], ["5006", "2006", "3005", ""],
                *[[f"51{n}", svc, loc, ""] for n, (svc, loc) in enumerate(links)],
            ]),
            "service_areas.csv": (["id", "service_id", "name"], [
                [f"95{n}", svc, name] for n, (svc, name) in enumerate(areas)
            ]),
            "schedules.csv": (
                ["id", "service_id", "location_id", "freq", "byday", "opens_at", "closes_at",
                 "timezone"],
                [[f"96{n}", *row[:2], "WEEKLY", *row[2:]] for n, row in enumerate(schedules)],
            ),
        },
    )  # fmt: skip


def test_a_virtual_location_takes_the_timezone_of_the_states_its_services_serve(tmp_path, db):
    """A helpline in locations.csv ("virtual", no state) serving California only: its hours
    were read in New York's time, and "Open now" was three hours wrong."""
    folder = _virtual_places(tmp_path, areas=[("2005", "California"), ("2006", "California")])
    import_hsds(folder, source=SOURCE)

    helpline = Location.objects.get(source=SOURCE, source_id="3004")
    assert (helpline.kind, helpline.state) == ("remote", "")
    assert helpline.timezone == "America/Los_Angeles"


@pytest.mark.parametrize(
    ("given", "zone"),
    [
        ("America/Denver", "America/Denver"),
        ("-8", "America/Los_Angeles"),
        ("-08:00", "America/Los_Angeles"),
        ("UTC-6", "America/Chicago"),
        ("-10", "Pacific/Honolulu"),
    ],
)
def test_a_virtual_location_keeps_the_timezone_its_schedule_gives(tmp_path, db, given, zone):
    """HSDS 3.0's schedules.timezone (a UTC offset, or a zone name as some exports write it):
    the hours of a place with no state and no area are in that zone; it was ignored and they
    were read in New York's time."""
    week = "MO,TU,WE,TH,FR"
    folder = _virtual_places(
        tmp_path,
        schedules=[("", "3004", week, "08:00", "17:00", given), ("2006", "", week, "9", "5", "")],
    )
    report = import_hsds(folder, source=SOURCE)

    helpline = Location.objects.get(source=SOURCE, source_id="3004")
    assert helpline.timezone == zone
    assert helpline.hours.count() == 5
    read = [line for line in lines(report, "schedules.csv") if "timezone" in line]
    if given != zone:
        (line,) = read
        assert f"{given!r} read as {zone}" in line
    else:
        assert not read
    # Without a timezone, the default (the service's own schedule says none).
    assert Location.objects.get(source=SOURCE, source_id="3005").timezone == "America/New_York"


def test_schedules_of_one_place_giving_two_timezones_are_reported(tmp_path, db):
    folder = _virtual_places(
        tmp_path,
        schedules=[
            ("", "3004", "MO", "08:00", "17:00", "-8"),
            ("", "3004", "TU", "08:00", "17:00", "-5"),
        ],
    )
    report = import_hsds(folder, source=SOURCE)

    assert Location.objects.get(source=SOURCE, source_id="3004").timezone == "America/Los_Angeles"
    (warning,) = [line for line in lines(report, "schedules.csv") if "'-5'" in line]
    assert "kept in America/Los_Angeles" in warning


def test_a_virtual_location_keeps_its_hours_in_the_zone_of_the_service_they_came_from(tmp_path, db):
    """Its hours are the first of its services' with hours: their zone goes with them (it
    took the first service's zone that gave one, another service's)."""
    week = "MO,TU,WE,TH,FR"
    folder = _virtual_places(
        tmp_path,
        links=[("2006", "3004")],  # 3004 offers 2005 (no hours), then 2006
        schedules=[("2005", "", "SA", "", "", "-5"), ("2006", "", week, "9", "5", "-8")],
    )
    import_hsds(folder, source=SOURCE)

    helpline = Location.objects.get(source=SOURCE, source_id="3004")
    assert helpline.hours.count() == 5
    assert helpline.timezone == "America/Los_Angeles"


def test_two_timezones_of_a_place_with_coordinates_are_not_reported(tmp_path, db):
    """A place on the map takes its zone from its point: its schedules' zones are not used,
    and no warning says one of them was kept (newcomer review)."""
    folder = _virtual_places(
        tmp_path,
        schedules=[
            ("", "3003", "MO", "08:00", "17:00", "-8"),
            ("", "3003", "TU", "08:00", "17:00", "-5"),
            ("", "3004", "MO", "08:00", "17:00", "-08:00"),
            ("", "3004", "TU", "08:00", "17:00", "-8"),  # the same zone written two ways
        ],
    )
    report = import_hsds(folder, source=SOURCE)

    assert Location.objects.get(source=SOURCE, source_id="3003").timezone == "America/Chicago"
    assert not [line for line in lines(report, "schedules.csv") if "differs" in line]


@pytest.mark.parametrize("given", ["Pacific-ish", "America/Indiana"])
def test_a_schedule_timezone_that_cannot_be_read_is_reported(tmp_path, db, given):
    """ "America/Indiana" is a folder of zones: opening it as one stopped the whole import."""
    folder = _virtual_places(tmp_path, schedules=[("", "3004", "MO", "08:00", "17:00", given)])
    report = import_hsds(folder, source=SOURCE)

    assert Location.objects.get(source=SOURCE, source_id="3004").timezone == "America/New_York"
    (line,) = [line for line in lines(report, "schedules.csv") if "timezone" in line]
    assert f"{given!r}" in line and "not one we can read" in line


def test_holidays_closed_written_after_a_schedule_rows_times_are_kept_as_a_note(tmp_path, db):
    """ "5pm closed holidays" in closes_at: the hours were read and the holidays dropped
    without a word."""
    rows = [["7610", "", "3003", "", "Mon-Fri", "9am", "5pm closed holidays", ""]]
    report = import_schedules(tmp_path, rows)
    place = Location.objects.get(source=SOURCE, source_id="3003")
    assert list(place.hours.values_list("weekday", "opens_at", "closes_at")) == [
        (day, time(9), time(17)) for day in range(1, 6)
    ]
    assert place.hours_note == "closed holidays"
    assert "'closed holidays' kept as a note about the hours" in " ".join(
        lines(report, "regular_schedules.csv")
    )
