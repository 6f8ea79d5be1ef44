"""import_hsds: the HSDS 3.0 example package, an older-layout package full of real-world
mess, and the safety properties (dry run, atomic, idempotent, per-row report)."""

import io
import shutil
import zipfile
from datetime import time

import pytest
from django.core.management import CommandError, call_command
from hsds_support import (
    LEGACY_FILES,
    copy_example,
    rewrite_csv,
    write_csv,
    write_legacy_package,
)

from providers.importers import hsds_links
from providers.importers.hsds import import_hsds
from providers.importers.report import ImportFailed, Severity
from providers.models import (
    Location,
    LocationKind,
    OpeningHours,
    Organization,
    Phone,
    Service,
    ServiceAtLocation,
    Status,
)

EXAMPLE_ORG = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"
EXAMPLE_SERVICE = "ac148810-d857-441c-9679-408f346de14b"
EXAMPLE_LOCATION = "3a19ff88-4620-4d17-9830-ac1d859eb5d5"


def run(*args) -> tuple[str, CommandError | None]:
    out = io.StringIO()
    try:
        call_command("import_hsds", *map(str, args), "--no-progress", "--limit", "0", stdout=out)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


def fix_example(folder):
    """The example as a US publisher would send it: a real address, consistent links."""
    rewrite_csv(
        folder / "locations.csv",
        {"organization_id": EXAMPLE_ORG, "latitude": "40.7484", "longitude": "-73.9967"},
    )
    rewrite_csv(
        folder / "addresses.csv",
        {
            "address_1": "350 Fifth Avenue",
            "address_2": "",
            "city": "New York",
            "region": "",
            "state_province": "NY",
            "postal_code": "10118",
            "address_type": "physical",
        },
    )
    rewrite_csv(folder / "attributes.csv", {"link_id": EXAMPLE_SERVICE, "link_entity": "service"})
    rewrite_csv(
        folder / "taxonomy_terms.csv",
        {"code": "RP-1400.8000-327", "name": "Human Trafficking Counseling"},
    )
    return folder


# -- the HSDS 3.0 example package -----------------------------------------------------------
@pytest.mark.django_db
def test_example_package_as_published_refuses_and_names_the_bad_rows(tmp_path):
    out, error = run(copy_example(tmp_path), "--source", "example")

    assert error is not None
    assert "nothing was changed" in str(error)
    assert "locations.csv row 2: invalid [latitude]: cannot be placed on the map" in out
    assert "attributes.csv row 2: invalid [link_id]" in out
    assert "coordinates 100, 101 are out of range" in out
    assert Organization.objects.count() == 0
    assert Service.objects.count() == 0


@pytest.mark.django_db
def test_example_package_imports_its_good_rows_with_skip_invalid(tmp_path):
    out, error = run(copy_example(tmp_path), "--skip-invalid", "--source", "example")

    assert error is None, out
    org = Organization.objects.get()
    assert (org.source, org.source_id, org.name) == (
        "example",
        EXAMPLE_ORG,
        "Example Organization Inc.",
    )
    assert org.status == Status.PUBLISHED
    service = Service.objects.get()
    assert service.source_id == EXAMPLE_SERVICE
    assert list(service.languages.values_list("code", flat=True)) == ["ur"]
    assert service.phones.get().number == "+441234234567"
    assert service.phones.get().extension == "100"
    assert "Ages 12 to 100." in service.eligibility
    assert not Location.objects.exists()
    assert "locations.csv row 2: skipped [latitude]: cannot be placed" in out
    assert "service_at_location.csv row 2: skipped: its location" in out


@pytest.mark.django_db
def test_example_package_with_a_us_address_imports_everything(tmp_path):
    report = import_hsds(fix_example(copy_example(tmp_path)), source="example")

    assert report.ok and report.applied
    location = Location.objects.get()
    assert (location.latitude, location.longitude) == (40.7484, -73.9967)
    assert not location.coordinates_approximate
    assert (location.city, location.state, location.postcode) == ("New York", "NY", "10118")
    assert location.timezone == "America/New_York"
    assert set(location.accessibility.values_list("slug", flat=True)) == {"wheelchair"}
    assert [(h.weekday, h.opens_at, h.closes_at) for h in location.hours.all()] == [
        (4, time(10), time(18)),
        (5, time(10), time(18)),
    ]
    assert "public holidays" in location.hours_note
    service = Service.objects.get()
    assert ServiceAtLocation.objects.filter(service=service, location=location).exists()
    assert set(service.terms.values_list("slug", flat=True)) == {
        "counseling-support-groups",
        "labor-trafficking",
        "sex-trafficking",
    }
    assert service.cost == "fee"


@pytest.mark.django_db
def test_dry_run_reports_what_would_change_and_changes_nothing(tmp_path):
    out, error = run(fix_example(copy_example(tmp_path)), "--dry-run", "--source", "example")

    assert error is None, out
    assert "Dry run: the import would succeed; nothing was changed." in out
    assert "What a real run would do:\n  organizations: 1 created" in out
    assert not Organization.objects.exists()
    assert not Phone.objects.exists()


@pytest.mark.django_db
def test_reimport_updates_by_source_id_and_creates_no_duplicates(tmp_path):
    package = fix_example(copy_example(tmp_path))
    import_hsds(package, source="example")
    pair = ServiceAtLocation.objects.get().pk

    again = import_hsds(package, source="example")
    assert again.counts["organizations"] == {"unchanged": 1}
    assert again.counts["locations"] == {"unchanged": 1}
    rewrite_csv(package / "organizations.csv", {"name": "Example Organization (renamed)"})
    third = import_hsds(package, source="example")

    assert third.counts["organizations"] == {"updated": 1}
    assert Organization.objects.get().name == "Example Organization (renamed)"
    assert Organization.objects.count() == Service.objects.count() == 1
    assert Location.objects.count() == 1
    assert Phone.objects.count() == 1
    assert OpeningHours.objects.count() == 2
    assert ServiceAtLocation.objects.get().pk == pair


@pytest.mark.django_db
def test_reimport_keeps_the_status_an_admin_set(tmp_path):
    package = fix_example(copy_example(tmp_path))
    import_hsds(package, source="example")
    Organization.objects.update(status=Status.RETIRED)

    import_hsds(package, source="example")

    assert Organization.objects.get().status == Status.RETIRED


@pytest.mark.django_db
def test_a_failure_midway_changes_nothing(tmp_path, monkeypatch):
    def explode(imp):
        raise RuntimeError("disk full")

    monkeypatch.setattr(hsds_links, "_phones", explode)

    with pytest.raises(RuntimeError):
        import_hsds(fix_example(copy_example(tmp_path)), source="example")

    assert not Organization.objects.exists()
    assert not Location.objects.exists()


@pytest.mark.django_db
def test_draft_option_creates_new_organizations_as_drafts(tmp_path):
    run(fix_example(copy_example(tmp_path)), "--draft", "--source", "example")

    assert Organization.objects.get().status == Status.DRAFT


# -- the older 1.x/2.0 layout, messy -------------------------------------------------------
@pytest.fixture
def legacy(tmp_path):
    return write_legacy_package(tmp_path / "legacy-211")


@pytest.mark.django_db
def test_older_layout_is_detected_and_its_mess_cleaned_up(legacy):
    report = import_hsds(legacy)

    assert report.kind == "HSDS 1.x/2.0"
    assert report.source == "legacy-211"
    harbor = Organization.objects.get(source_id="org-1")
    assert harbor.name == "Harbor Legal Aid"
    assert harbor.description == "Free legal help for survivors.\n\nCall first."
    assert harbor.website == "https://www.harbor.example"
    haven = Organization.objects.get(source_id="org-2")
    assert haven.email == ""
    assert haven.description == "Emergency shelter\nfor families."
    office = Location.objects.get(source_id="loc-1")
    assert (office.address_1, office.address_2) == ("350 Fifth Avenue", "Suite 100")
    assert (office.state, office.postcode) == ("NY", "10001-1234")
    assert [(h.weekday, h.opens_at, h.closes_at) for h in office.hours.all()] == [
        (1, time(9), time(17)),
        (2, time(9), time(17)),
        (6, time(10), time(14)),
    ]
    assert set(office.accessibility.values_list("slug", flat=True)) == {"wheelchair"}
    legal = Service.objects.get(source_id="svc-1")
    assert legal.phones.get().number == "+12125550100"
    assert set(legal.languages.values_list("code", flat=True)) == {"en", "es"}
    assert set(legal.terms.values_list("slug", flat=True)) == {
        "legal-assistance",
        "immigration-services",
        "immigrants",
    }
    assert legal.cost == "free"
    assert Service.objects.get(source_id="svc-3").cost == "sliding_scale"
    assert Service.objects.get(source_id="svc-4").status == Status.RETIRED


@pytest.mark.django_db
def test_older_layout_places_and_protects_shelters(legacy):
    import_hsds(legacy)

    shelter = Location.objects.get(source_id="loc-2")
    assert shelter.address_confidential
    assert shelter.address_1 == ""
    assert (shelter.state, shelter.postcode) == ("MA", "02108")
    assert shelter.coordinates_approximate
    assert shelter.latitude == pytest.approx(42.36, abs=0.05)
    assert shelter.open_24_7
    assert not shelter.hours.exists()
    assert shelter.phones.get().kind == Phone.Kind.HOTLINE
    assert shelter.phones.get().extension == "12"
    haven = Service.objects.get(source_id="svc-2")
    assert set(haven.terms.values_list("slug", flat=True)) == {
        "food-shelter-housing",
        "domestic-violence",
    }
    assert "fleeing domestic violence" in haven.eligibility


@pytest.mark.django_db
def test_older_layout_report_names_every_fixed_row_and_unmapped_term(legacy):
    report = import_hsds(legacy)
    lines = [issue.as_text() for issue in report.issues]

    assert "physical_addresses.csv row 2: fixed [state_province]: 'ny ' → NY" in lines
    assert (
        "physical_addresses.csv row 3: fixed [postal_code]: '2108' → 02108 (leading zeros restored)"
    ) in lines
    assert "phones.csv row 2: fixed [number]: '(212) 555-0100' → +12125550100" in lines
    assert "languages.csv row 2: fixed [name]: 'Spanish' → es" in lines
    assert any("languages.csv row 5: warning" in line and "Klingon" in line for line in lines)
    assert "organizations.csv row 2: fixed [description]: HTML markup removed" in lines
    assert any(
        line.startswith("physical_addresses.csv row 3: fixed [address_1]")
        and "confidential" in line
        for line in lines
    )
    assert any(
        "locations.csv row 4: fixed [latitude]: no coordinates: placed at ZIP 60601" in line
        for line in lines
    )
    assert ("AIRS", "TJ-9999", "Pet Grooming") in report.unmapped
    assert ("accessibility", "", "Elevator to the 3rd floor") in report.unmapped
    assert report.by_severity()[Severity.INVALID] == 0


@pytest.mark.django_db
def test_a_table_the_importer_does_not_read_is_named_in_the_report(legacy):
    """An HSDS 2.0 package's holiday closures (holiday_schedules.csv) were dropped without a
    word: the data manager believed the holidays were imported."""
    write_csv(
        legacy / "holiday_schedules.csv",
        ["id", "location_id", "closed", "start_date", "end_date"],
        [{"id": "h-1", "location_id": "loc-1", "closed": "true", "start_date": "2025-12-25",
          "end_date": "2025-12-25"}],
    )  # fmt: skip
    write_csv(legacy / "programs.csv", ["id", "name"], [{"id": "p-1", "name": "Outreach"}])
    write_csv(legacy / "funding.csv", ["id", "source"], [])  # a header only: nothing lost
    write_csv(legacy / "._services.csv", ["id"], [{"id": "mac"}])  # a Mac's shadow file

    report = import_hsds(legacy)

    unread = {
        issue.file: issue.as_text()
        for issue in report.issues
        if issue.row is None and "not imported" in issue.as_text()
    }
    assert set(unread) == {"holiday_schedules.csv", "programs.csv"}
    assert "hours note" in unread["holiday_schedules.csv"]  # what to do instead
    assert report.by_severity()[Severity.INVALID] == 0


@pytest.mark.django_db
def test_a_location_that_cannot_be_placed_stops_the_import_and_is_named(legacy):
    write_legacy_package(
        legacy,
        **{
            "physical_addresses.csv": (
                ["id", "location_id", "address_1", "city", "state_province", "postal_code"],
                [
                    ["pa-1", "loc-1", "1 Nowhere Rd", "Atlantis", "", "00000"],
                    ["pa-3", "loc-3", "1 Main St", "Chicago", "IL", "60601"],
                ],
            ),
            "phones.csv": (LEGACY_FILES["phones.csv"][0], [LEGACY_FILES["phones.csv"][1][0]]),
        },
    )
    # loc-1 has coordinates; loc-2 now has no address at all, and no phone to make it a
    # remote service.
    with pytest.raises(ImportFailed) as failure:
        import_hsds(legacy)

    invalid = [(i.file, i.row, i.field) for i in failure.value.report.invalid]
    assert invalid == [("locations.csv", 3, "latitude")]
    assert not Organization.objects.exists()

    report = import_hsds(legacy, skip_invalid=True)
    assert report.applied
    assert not Location.objects.filter(source_id="loc-2").exists()
    assert Location.objects.filter(source_id="loc-1").exists()
    skipped = [(i.file, i.row) for i in report.issues if i.severity == Severity.SKIPPED]
    assert ("locations.csv", 3) in skipped
    assert ("services_at_location.csv", 3) in skipped


@pytest.mark.django_db
def test_rows_pointing_at_nothing_are_invalid(legacy):
    write_legacy_package(
        legacy,
        **{
            "phones.csv": (
                ["id", "service_id", "number"],
                [["ph-1", "svc-404", "(212) 555-0100"], ["ph-2", "svc-1", "call us"]],
            )
        },
    )

    with pytest.raises(ImportFailed) as failure:
        import_hsds(legacy)

    messages = {(i.row, i.message) for i in failure.value.report.invalid}
    assert (2, "service_id 'svc-404' is not in services.csv") in messages
    assert (3, "'call us' is not a phone number") in messages


@pytest.mark.django_db
def test_a_zip_with_a_folder_inside_imports_like_the_folder(legacy, tmp_path):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in legacy.iterdir():
            zipped.write(path, f"legacy-211/{path.name}")
        zipped.writestr("__MACOSX/legacy-211/._organizations.csv", "junk")

    report = import_hsds(archive, source="legacy-211")

    assert report.applied
    assert Organization.objects.count() == 3
    assert import_hsds(legacy, source="legacy-211").counts["organizations"] == {"unchanged": 3}


@pytest.mark.django_db
def test_windows_encoding_and_shouting_headers_are_read(legacy):
    fields, rows = (
        ["ID", " Name ", "Description"],
        [{"ID": "org-1", " Name ": "Café Legal", "Description": "Señora"}],
    )
    write_csv(legacy / "organizations.csv", fields, rows, encoding="cp1252")

    report = import_hsds(legacy, skip_invalid=True)

    assert Organization.objects.get(source_id="org-1").name == "Café Legal"
    assert any("Windows-1252" in issue.message for issue in report.issues)


@pytest.mark.django_db
def test_records_gone_from_the_package_are_reported_and_retired_on_request(legacy):
    import_hsds(legacy)
    write_legacy_package(
        legacy,
        **{
            "organizations.csv": (["id", "name"], [["org-1", "Harbor Legal Aid"]]),
            "services.csv": (["id", "organization_id", "name"], [["svc-1", "org-1", "Legal"]]),
            "services_at_location.csv": (
                ["id", "service_id", "location_id"],
                [["sal-1", "svc-1", "loc-1"]],
            ),
            "locations.csv": (
                ["id", "organization_id", "latitude", "longitude"],
                [["loc-1", "org-1", "40.7484", "-73.9967"]],
            ),
        },
    )
    for name in (
        "phones.csv",
        "languages.csv",
        "services_taxonomy.csv",
        "eligibility.csv",
        "accessibility_for_disabilities.csv",
        "regular_schedules.csv",
    ):
        (legacy / name).unlink()

    report = import_hsds(legacy)
    assert report.not_in_package == {"organizations": 2, "services": 3, "locations": 2}
    assert Organization.objects.filter(status=Status.PUBLISHED).count() == 3

    import_hsds(legacy, retire_missing=True)
    assert set(
        Organization.objects.filter(status=Status.RETIRED).values_list("source_id", flat=True)
    ) == {"org-2", "org-3"}


@pytest.mark.django_db
def test_a_big_package_is_written_in_batches(tmp_path, django_assert_max_num_queries):
    n = 300
    folder = write_legacy_package(
        tmp_path / "big",
        **{
            "organizations.csv": (["id", "name"], [[f"o{i}", f"Org {i}"] for i in range(n)]),
            "services.csv": (
                ["id", "organization_id", "name"],
                [[f"s{i}", f"o{i}", "Help"] for i in range(n)],
            ),
            "locations.csv": (
                ["id", "organization_id", "latitude", "longitude"],
                [[f"l{i}", f"o{i}", "40.7", f"-73.{i:03d}"] for i in range(n)],
            ),
            "services_at_location.csv": (
                ["id", "service_id", "location_id"],
                [[f"x{i}", f"s{i}", f"l{i}"] for i in range(n)],
            ),
            "phones.csv": (
                ["id", "service_id", "number"],
                [[f"p{i}", f"s{i}", "212-555-0100"] for i in range(n)],
            ),
        },
    )
    for name in (
        "physical_addresses.csv",
        "regular_schedules.csv",
        "languages.csv",
        "services_taxonomy.csv",
        "eligibility.csv",
        "accessibility_for_disabilities.csv",
    ):
        (folder / name).unlink()

    # 60 for the import's batches, plus a fixed 8 whatever the size: the merged ids of each
    # record kind (3) and the search for duplicates afterwards (5, providers/duplicates.py).
    with django_assert_max_num_queries(60 + 8):
        import_hsds(folder)

    assert Location.objects.filter(kind=LocationKind.PHYSICAL).count() == n


def test_a_missing_package_is_a_clear_command_error(tmp_path):
    _, error = run(tmp_path / "nope.zip")
    assert "does not exist" in str(error)
    (tmp_path / "notes.txt").write_text("hello")
    _, error = run(tmp_path / "notes.txt")
    assert "neither a folder nor a .zip" in str(error)
    shutil.rmtree(tmp_path)


@pytest.mark.django_db
def test_a_dry_run_with_invalid_rows_exits_with_an_error(tmp_path):
    out, error = run(copy_example(tmp_path), "--dry-run", "--source", "example")

    assert error is not None
    assert str(error).startswith("Dry run: 2 invalid rows")
    assert not Organization.objects.exists()


@pytest.mark.django_db
def test_a_damaged_zip_is_a_clear_error_and_changes_nothing(legacy, tmp_path):
    archive = tmp_path / "damaged.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        for path in legacy.iterdir():
            zipped.write(path, path.name)
    data = bytearray(archive.read_bytes())
    start = data.index(b"PK\x03\x04", 10)  # corrupt the second file's compressed bytes
    data[start + 60 : start + 200] = b"\x00" * 140
    archive.write_bytes(bytes(data))

    _, error = run(archive)

    assert error is not None and "damaged" in str(error)
    assert not Organization.objects.exists()


@pytest.mark.django_db
def test_imported_listings_are_found_by_the_search(legacy):
    from providers.search import Filters, nearby

    import_hsds(legacy)

    found = nearby(
        lat=40.75, lng=-73.99, radius_mi=5, filters=Filters(services=("legal-assistance",))
    )
    assert [sal.service.source_id for sal in found] == ["svc-1"]
    assert not nearby(
        lat=41.88, lng=-87.62, radius_mi=5, filters=Filters(services=("legal-assistance",))
    ).exists()
