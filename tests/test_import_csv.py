"""import_csv: the flat spreadsheet template, its example file, messy rows and the same safety
properties as the HSDS importer."""

import io
from datetime import date, time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from hsds_support import write_csv

from providers.importers.csv_flat import COLUMNS, import_csv
from providers.importers.report import ImportFailed, Severity
from providers.models import (
    Location,
    LocationKind,
    Organization,
    Phone,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Status,
)

EXAMPLE = Path(settings.BASE_DIR) / "fixtures" / "example_providers.csv"


def sheet(tmp_path, rows: list[dict], name="coalition.csv", fields=None) -> Path:
    path = tmp_path / name
    write_csv(
        path, fields or COLUMNS, [{k: row.get(k, "") for k in fields or COLUMNS} for row in rows]
    )
    return path


def good_row(**changes) -> dict:
    row = {
        "organization_name": "Riverside Advocacy",
        "service_types": "Victim Advocacy",
        "street": "350 Fifth Avenue",
        "city": "New York",
        "state": "NY",
        "zip": "10118",
        "phone": "212-555-0100",
    }
    row.update(changes)
    return row


@pytest.mark.django_db
def test_the_example_file_imports_cleanly():
    out = io.StringIO()
    call_command("import_csv", str(EXAMPLE), "--no-progress", stdout=out)

    assert "Import applied." in out.getvalue()
    assert Organization.objects.count() == 4
    assert all(org.is_sample and "SAMPLE" in org.name for org in Organization.objects.all())
    harbor = Service.objects.get(source_id="sample-svc-1")
    assert harbor.locations.count() == 2
    assert set(harbor.terms.values_list("slug", flat=True)) == {
        "legal-assistance",
        "immigration-services",
        "labor-trafficking",
        "sex-trafficking",
        "immigrants",
    }
    assert set(harbor.languages.values_list("code", flat=True)) == {"en", "es", "ht"}
    midtown = Location.objects.get(source_id="sample-loc-1")
    assert [(h.weekday, h.opens_at, h.closes_at) for h in midtown.hours.all()] == [
        (day, time(9), time(17)) for day in range(1, 6)
    ]
    assert midtown.phones.get().extension == "12"
    shelter = Location.objects.get(source_id="sample-loc-3")
    assert shelter.address_confidential and shelter.open_24_7
    assert shelter.coordinates_approximate
    assert {p.kind for p in shelter.phones.all()} == {Phone.Kind.HOTLINE, Phone.Kind.TEXT}
    helpline = Location.objects.get(source_id="sample-loc-5")
    assert helpline.kind == LocationKind.REMOTE and helpline.latitude is None
    assert Service.objects.get(source_id="sample-svc-4").service_area == "nationwide"
    assert Service.objects.get(source_id="sample-svc-3").service_area_states == ["IL", "IN"]
    assert Organization.objects.get(source_id="sample-org-2").last_verified_on == date(2026, 2, 1)


@pytest.mark.django_db
def test_a_bad_row_stops_the_import_and_names_the_row(tmp_path):
    path = sheet(
        tmp_path,
        [
            good_row(),
            good_row(organization_name="  ", city="Springfield"),
            good_row(
                organization_name="Nowhere Org",
                street="",
                city="",
                state="",
                zip="",
                latitude="",
                longitude="",
                phone="",  # with a phone or website it would be a remote service
            ),
            good_row(organization_name="Bad Phone Org", phone="call us"),
        ],
    )

    with pytest.raises(CommandError) as error:
        call_command("import_csv", str(path), "--no-progress", stdout=io.StringIO())

    assert "3 invalid rows" in str(error.value)
    with pytest.raises(ImportFailed) as failure:
        import_csv(path)
    invalid = [(i.row, i.field) for i in failure.value.report.invalid]
    assert invalid == [(3, "name"), (4, "latitude"), (5, "phone")]
    assert not Organization.objects.exists()


@pytest.mark.django_db
def test_skip_invalid_imports_the_good_rows_and_reports_the_rest(tmp_path):
    path = sheet(tmp_path, [good_row(), good_row(organization_name="", city="X")])

    report = import_csv(path, skip_invalid=True)

    assert report.applied
    assert Organization.objects.get().name == "Riverside Advocacy"
    assert [(i.row, i.severity) for i in report.issues if i.severity == Severity.SKIPPED] == [
        (3, Severity.SKIPPED)
    ]


@pytest.mark.django_db
def test_without_ids_rows_are_matched_by_name_and_address(tmp_path):
    rows = [good_row(), good_row(street="1 Main St", city="Brooklyn", zip="11201")]
    import_csv(sheet(tmp_path, rows))

    report = import_csv(sheet(tmp_path, [good_row(service_description="Now with more"), rows[1]]))

    assert Organization.objects.count() == 1
    assert Location.objects.count() == 2
    assert Service.objects.get().description == "Now with more"
    assert report.counts["services"] == {"updated": 1}
    assert report.counts["locations"] == {"unchanged": 2}


@pytest.mark.django_db
def test_messy_spreadsheet_values_are_cleaned(tmp_path):
    fields = [
        "Organization Name",
        "Address",
        "City",
        "State",
        "Zip Code",
        "Phone Number",
        "Languages",
        "Service Types",
        "Hours",
        "Website",
        "Favourite Colour",
    ]
    path = tmp_path / "messy.csv"
    write_csv(
        path,
        fields,
        [
            {
                "Organization Name": "<b>Hope</b> Center ",
                "Address": "1 Congress St",
                "City": "Boston",
                "State": "massachusetts",
                "Zip Code": "2108",
                "Phone Number": "617.555.0100 ext 7",
                "Languages": "english, Spanish, ASL",
                "Service Types": "legal aid; Shelter; Underwater basket weaving",
                "Hours": "Mon - Fri 9-5",
                "Website": "hope.example.org",
                "Favourite Colour": "blue",
            }
        ],
    )

    report = import_csv(path, source="coalition")

    org = Organization.objects.get()
    assert (org.name, org.website, org.source) == (
        "Hope Center",
        "https://hope.example.org",
        "coalition",
    )
    location = Location.objects.get()
    assert (location.state, location.postcode) == ("MA", "02108")
    assert location.coordinates_approximate
    assert [(h.weekday, h.opens_at, h.closes_at) for h in location.hours.all()][0] == (
        1,
        time(9),
        time(17),
    )
    phone = location.phones.get()
    assert (phone.number, phone.extension) == ("+16175550100", "7")
    service = Service.objects.get()
    assert set(service.languages.values_list("code", flat=True)) == {"en", "es", "ase"}
    assert set(service.terms.values_list("slug", flat=True)) == {
        "legal-assistance",
        "food-shelter-housing",
    }
    assert ("service_types", "", "Underwater basket weaving") in report.unmapped
    assert any("favourite_colour" in i.message for i in report.issues)


@pytest.mark.django_db
def test_a_drafted_import_and_a_status_column(tmp_path):
    path = sheet(tmp_path, [good_row(), good_row(organization_name="Live Org", status="published")])

    import_csv(path, new_status=Status.DRAFT)

    assert Organization.objects.get(name="Riverside Advocacy").status == Status.DRAFT
    assert Organization.objects.get(name="Live Org").status == Status.PUBLISHED


def test_a_file_that_is_not_csv_is_a_clear_error(tmp_path):
    path = tmp_path / "directory.xlsx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(CommandError, match="not a .csv file"):
        call_command("import_csv", str(path), stdout=io.StringIO())


def test_the_template_is_documented_and_the_example_follows_it():
    doc = (Path(settings.BASE_DIR) / "docs" / "import.md").read_text(encoding="utf-8")
    assert [column for column in COLUMNS if f"`{column}`" not in doc] == []
    header = EXAMPLE.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header == COLUMNS


@pytest.mark.django_db
def test_a_whole_address_in_one_cell_is_split(tmp_path):
    path = tmp_path / "one-cell.csv"
    write_csv(
        path,
        ["Organization", "Address"],
        [
            {
                "Organization": "Harbor Legal",
                "Address": "350 Fifth Avenue, Suite 100, New York, NY 10118",
            }
        ],
    )

    report = import_csv(path)

    location = Location.objects.get()
    assert (
        location.address_1,
        location.address_2,
        location.city,
        location.state,
        location.postcode,
    ) == ("350 Fifth Avenue", "Suite 100", "New York", "NY", "10118")
    assert any("one-line address" in issue.message for issue in report.issues)


@pytest.mark.django_db
def test_a_row_with_a_phone_or_website_but_no_street_becomes_a_remote_service(tmp_path):
    path = sheet(
        tmp_path,
        [
            # A state line with no street: serves its state, not pinned to its town.
            good_row(organization_name="Ohio Line", street="", city="Columbus", state="OH",
                     zip="43215", phone="614-555-0100"),
            # Its hours are kept in its state's timezone (not the default, New York's).
            good_row(organization_name="Denver Line", street="", city="Denver", state="CO",
                     zip="80202", phone="303-555-0100"),
            # A national hotline: a toll-free number, no address at all.
            good_row(organization_name="National Line", street="", city="", state="", zip="",
                     phone="1-800-555-0199"),
            # Only a website, no phone, no address, no state: remote, local area.
            good_row(organization_name="Web Help", street="", city="", state="", zip="",
                     phone="", service_website="https://help.example"),
            # A place with a street but no coordinates stays a place (at its ZIP).
            good_row(organization_name="Office"),
        ],
    )  # fmt: skip

    report = import_csv(path, source="coalition")

    assert report.ok, report.as_text()
    kinds = {
        loc.organization.name: (loc.kind, loc.address_1, loc.latitude)
        for loc in Location.objects.select_related("organization")
    }
    assert kinds["Ohio Line"] == (LocationKind.REMOTE, "", None)
    assert kinds["National Line"] == (LocationKind.REMOTE, "", None)
    assert kinds["Web Help"] == (LocationKind.REMOTE, "", None)
    assert kinds["Office"][0] == LocationKind.PHYSICAL and kinds["Office"][2] is not None
    zones = {loc.organization.name: loc.timezone for loc in Location.objects.all()}
    assert (zones["Denver Line"], zones["Ohio Line"]) == ("America/Denver", "America/New_York")
    areas = {
        s.organization.name: (s.service_area, s.service_area_states)
        for s in Service.objects.select_related("organization")
    }
    assert areas["Ohio Line"] == (ServiceArea.STATES, ["OH"])
    assert areas["National Line"] == (ServiceArea.NATIONWIDE, [])
    assert areas["Web Help"] == (ServiceArea.LOCAL, [])
    assert "imported as a remote service serving OH" in report.as_text()


@pytest.mark.django_db
def test_a_streetless_row_that_no_one_can_reach_is_still_refused(tmp_path):
    path = sheet(tmp_path, [good_row(street="", city="", state="", zip="", phone="")])

    with pytest.raises(ImportFailed):
        import_csv(path, source="coalition")


@pytest.mark.django_db
def test_hours_ending_closed_holidays_are_read_and_the_holidays_kept_as_a_note(tmp_path, client):
    """The most common ending of a 211 spreadsheet's hours: the whole cell used to become a
    note, so the provider page showed no hours and "Open now" never found the place."""
    path = sheet(
        tmp_path,
        [good_row(hours="Mon-Fri 9am-5pm, closed holidays", hours_note="Walk-ins until 4")],
    )

    report = import_csv(path, source="coalition")

    location = Location.objects.get()
    assert sorted((h.weekday, h.opens_at, h.closes_at) for h in location.hours.all()) == [
        (day, time(9), time(17)) for day in range(1, 6)
    ]
    assert location.hours_note == "closed holidays; Walk-ins until 4"
    assert "'closed holidays' kept as a note about the hours" in report.as_text()
    sal = ServiceAtLocation.objects.get(location=location)
    page = client.get(f"/provider/{sal.pk}/").content.decode()
    assert '<tr><th scope="row">Monday</th><td>9 a.m. – 5 p.m.</td></tr>' in page
    assert "closed holidays; Walk-ins until 4" in page


@pytest.mark.django_db
def test_a_row_with_no_street_keeps_its_hours_in_the_timezone_column(tmp_path):
    """A hotline's hours are in its own zone: without the column they were kept as New
    York's. A row with a street keeps the zone of its place whatever the column says."""
    path = sheet(
        tmp_path,
        [
            good_row(
                organization_name="West Line", street="", city="", state="", zip="",
                service_area="nationwide", hours="Mon-Fri 8am-5pm", timezone="Pacific",
            ),
            good_row(timezone="America/Denver"),
            good_row(
                organization_name="Island Line", street="", city="", state="", zip="",
                service_area="nationwide", hours="Mon-Fri 8am-5pm",
                timezone="Island Time",
            ),
        ],
    )  # fmt: skip

    report = import_csv(path, source="coalition")

    zones = {loc.organization.name: loc.timezone for loc in Location.objects.all()}
    assert zones == {
        "West Line": "America/Los_Angeles",
        "Riverside Advocacy": "America/New_York",
        "Island Line": "America/New_York",
    }
    # A zone that cannot be read: the report says which zone the hours are kept in instead.
    assert (
        "timezone 'Island Time' is not one we can read (a US zone's UTC offset such"
        " as -5, or a name such as America/Chicago): ignored; its hours are kept in"
        " America/New_York"
    ) in report.as_text()
    assert "timezone 'Pacific' read as America/Los_Angeles" in report.as_text()
    assert (
        "warning: timezone 'America/Denver' ignored: a place on the map keeps the zone of where"
        " it is, America/New_York"
    ) in report.as_text()


@pytest.mark.django_db
def test_a_note_about_the_hours_made_too_long_is_shortened_and_reported(tmp_path):
    """The holidays remark goes in front of the note: past 300 characters its end was cut
    without a word."""
    note = "Walk-ins welcome " * 17 + "ZZEND"
    path = sheet(tmp_path, [good_row(hours="Mon-Fri 9-5, closed holidays", hours_note=note)])

    report = import_csv(path, source="coalition")

    kept = Location.objects.get().hours_note
    assert len(kept) == 300 and kept.startswith("closed holidays; Walk-ins") and kept[-1] == "…"
    assert "fixed [hours_note]: shortened to 300 characters" in report.as_text()


@pytest.mark.django_db
def test_a_place_given_again_with_other_hours_or_numbers_is_reported(tmp_path):
    """A 211 export writes a row per service at a site, with that service's hours and phone.
    The place takes the first row's; the others' were dropped without a word."""
    path = sheet(
        tmp_path,
        [
            good_row(service_name="Legal help", hours="Mon-Fri 9-5", phone="212-555-0100"),
            good_row(service_name="Counseling", hours="Mon-Fri 9-5", phone="212-555-0100"),
            good_row(service_name="Shelter intake", hours="24/7", phone="212-555-0199",
                     accessibility="Wheelchair accessible"),
            good_row(service_name="Food pantry", hours="M-F 9am-5pm", phone="(212) 555-0100",
                     city=" new york "),
        ],
    )  # fmt: skip

    report = import_csv(path, source="coalition")

    location = Location.objects.get()
    assert location.services.count() == 4
    assert [(h.weekday, h.opens_at) for h in location.hours.all()][:1] == [(1, time(9))]
    assert [p.number for p in Phone.objects.filter(location=location)] == ["+12125550100"]
    lines = [issue.as_text() for issue in report.issues if issue.row == 4]
    assert lines == [
        "coalition.csv row 4: warning: the same place as an earlier row, with other hours,"
        " accessibility, phone: the place keeps the first row's (a place has one set; say a"
        " service's own hours in its description)"
    ]
    assert not [issue for issue in report.issues if issue.row in (3, 5)]
    assert report.ok


@pytest.mark.django_db
@pytest.mark.parametrize("skip_invalid", [False, True])
def test_a_place_any_row_marks_confidential_is_hidden(tmp_path, skip_invalid):
    """The place took the first row's cells: a shelter marked confidential on its second row
    only was published with its street, and so was one whose marked row was refused
    (--skip-invalid); a word such as "Confidential" was read as no."""
    rows = [
        good_row(location_id="shelter-1", service_name="Legal help"),
        good_row(location_id="shelter-1", service_name="Intake", address_confidential="yes"),
        good_row(location_id="shelter-3", street="9 Oak St", address_confidential="Confidential"),
    ]
    if skip_invalid:  # the marked row is refused (no organization name); the next gives the place
        rows += [
            good_row(location_id="shelter-2", organization_name="", address_confidential="yes"),
            good_row(location_id="shelter-2", service_name="Beds", street="12 Elm St"),
        ]

    report = import_csv(sheet(tmp_path, rows), source="coalition", skip_invalid=skip_invalid)

    hidden = dict(Location.objects.values_list("source_id", "address_confidential"))
    assert hidden == {f"shelter-{n}": True for n in ((1, 2, 3) if skip_invalid else (1, 3))}
    text = report.as_text()
    assert (
        "coalition.csv row 2: fixed [address_confidential]: made confidential, as row 3 says"
        " of the same place (the address is hidden)"
    ) in text
    assert "'Confidential' is not a yes or no: read as confidential" in text
