"""A re-import reports what it really did (an unchanged package: nothing changed), keeps the
phones, hours and links the package still has, and an import run from the command line is
recorded as a run the admin opens, as an upload is."""

import csv
import io
from datetime import time

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from hsds_support import rewrite_csv, write_csv, write_legacy_package

from providers.importers.hsds import import_hsds
from providers.importers.report import Report
from providers.models import (
    ImportRun,
    Location,
    OpeningHours,
    Organization,
    Phone,
    Service,
    ServiceAtLocation,
)


def ids(model) -> set:
    return set(model.objects.values_list("pk", flat=True))


@pytest.mark.django_db
def test_reimporting_an_unchanged_package_reports_that_nothing_changed(tmp_path):
    package = write_legacy_package(tmp_path / "pkg")
    first = import_hsds(package, source="legacy")
    assert first.counts["service_at_location"]["linked"] == 4
    assert first.counts["phones"]["written"] == 3
    before = ids(Phone), ids(OpeningHours), ids(ServiceAtLocation)

    again = import_hsds(package, source="legacy")

    assert again.headline() == (
        "Import applied: nothing changed (the package matches what is stored)."
    )
    assert again.changes() == 0
    assert again.counts["service_at_location"] == {"unchanged": 4}
    assert again.counts["phones"] == {"unchanged": 3}
    assert again.counts["opening_hours"] == {"unchanged": 4}  # loc-2 is open 24/7: no rows
    assert "needs inferred from their words" not in again.counts["services"]
    assert "linked" not in "\n".join(again.summary_lines())
    assert "written" not in "\n".join(again.summary_lines())
    # Nothing deleted and written again: the same rows, with the same ids.
    assert (ids(Phone), ids(OpeningHours), ids(ServiceAtLocation)) == before


@pytest.mark.django_db
def test_a_changed_phone_and_hours_are_counted_as_written_and_removed(tmp_path):
    package = write_legacy_package(tmp_path / "pkg")
    import_hsds(package, source="legacy")
    kept = Phone.objects.get(number__endswith="0142").pk
    rewrite_csv(package / "phones.csv", {"number": "(212) 555-0111"})  # ph-1
    rewrite_csv(package / "regular_schedules.csv", {"closes_at": "6:00pm"})  # rs-1

    report = import_hsds(package, source="legacy")

    assert report.headline() == "Import applied."
    assert report.counts["phones"] == {"written": 1, "removed": 1, "unchanged": 2}
    assert report.counts["opening_hours"] == {"written": 1, "removed": 1, "unchanged": 3}
    assert set(Phone.objects.values_list("number", flat=True)) == {
        "+12125550111",
        "+16175550142",
        "+13125550199",
    }
    assert Phone.objects.filter(pk=kept).exists()  # an unchanged phone is left as it is
    assert OpeningHours.objects.filter(location__source_id="loc-1").count() == 3


@pytest.mark.django_db
def test_a_phone_dropped_from_the_package_is_removed(tmp_path):
    package = write_legacy_package(tmp_path / "pkg")
    import_hsds(package, source="legacy")
    rewrite_csv(package / "phones.csv", {"service_id": ""})  # ph-1

    report = import_hsds(package, source="legacy", skip_invalid=True)

    assert report.counts["phones"]["removed"] == 1
    assert not Phone.objects.filter(number="+12125550100").exists()


def run_command(*args) -> tuple[str, CommandError | None]:
    out = io.StringIO()
    try:
        call_command("import_hsds", *map(str, args), "--no-progress", stdout=out)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


@pytest.mark.django_db
def test_a_command_line_import_is_a_run_the_admin_opens(tmp_path, admin_client):
    package = write_legacy_package(tmp_path / "pkg")

    out, error = run_command(package, "--source", "legacy")

    assert error is None, out
    run = ImportRun.objects.get()
    assert run.kind == ImportRun.Kind.HSDS
    assert run.state == ImportRun.State.APPLIED
    assert run.source == "legacy"
    assert run.summary == "Import applied."
    assert run.file_name == str(package)
    assert run.report["summary"][0] == "Import applied."
    assert run.rows_read > 0 and run.finished_at is not None
    page = admin_client.get(reverse("admin:providers_importrun_review", args=[run.pk]))
    assert page.status_code == 200
    assert "Import applied." in page.content.decode()

    run_command(package, "--source", "legacy")
    again = ImportRun.objects.order_by("-created_at").first()
    assert again.summary.startswith("Import applied: nothing changed")


@pytest.mark.django_db
def test_a_command_line_dry_run_and_a_refused_import_are_recorded_too(tmp_path, admin_client):
    package = write_legacy_package(tmp_path / "pkg")
    rewrite_csv(package / "services.csv", {"organization_id": "nowhere"})  # svc-1

    out, error = run_command(package, "--source", "legacy", "--dry-run", "--skip-invalid")
    assert error is None, out
    checked = ImportRun.objects.get()
    assert checked.state == ImportRun.State.CHECKED
    assert checked.summary.startswith("Dry run:")
    page = admin_client.get(reverse("admin:providers_importrun_review", args=[checked.pk]))
    assert "Confirm: import it" not in page.content.decode()  # no upload to confirm

    out, error = run_command(package, "--source", "legacy")
    assert error is not None
    failed = ImportRun.objects.exclude(pk=checked.pk).get()
    assert failed.state == ImportRun.State.FAILED
    assert "invalid row" in failed.summary
    assert failed.report["ok"] is False


@pytest.mark.django_db
def test_a_package_that_cannot_be_opened_is_refused_before_any_run(tmp_path):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"not a zip")

    out, error = run_command(bad)

    assert error is not None and "zip" in str(error)
    assert not ImportRun.objects.exists()  # as the upload form refuses it


def drop_row(path, row: int) -> None:
    """Leave one data row out of a CSV file, as an export that no longer has it."""
    with open(path, newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    fields = list(rows[0].keys())
    del rows[row]
    write_csv(path, fields, rows)


def run_row(page: str, run: ImportRun) -> str:
    """The changelist row of one run (its cells up to the end of the row)."""
    start = page.index(reverse("admin:providers_importrun_change", args=[run.pk]))
    return page[start : page.index("</tr>", start)]


@pytest.mark.django_db
def test_the_run_list_says_what_each_applied_run_changed(tmp_path, admin_client):
    package = write_legacy_package(tmp_path / "pkg")
    run_command(package, "--source", "legacy")
    rewrite_csv(package / "services.csv", {"description": "Asylum, T and U visas."})  # svc-1
    drop_row(package / "phones.csv", 1)  # ph-2
    run_command(package, "--source", "legacy")
    run_command(package, "--source", "legacy")
    first, changed, unchanged = ImportRun.objects.order_by("created_at")

    page = admin_client.get(reverse("admin:providers_importrun_changelist")).content.decode()

    # A first run's phones, hours and links are new, not "updated": the writer knows only
    # that it wrote them.
    assert "Applied: 10 added, 11 details written</td>" in run_row(page, first)
    assert "updated" not in run_row(page, first)
    # The one detail this run changed is the phone it removed: named, not "1 detail updated".
    assert "Applied: 1 changed; 1 phone removed</td>" in run_row(page, changed)
    assert "Applied: no changes" in run_row(page, unchanged)
    review = admin_client.get(reverse("admin:providers_importrun_review", args=[unchanged.pk]))
    assert "— Applied: no changes</h2>" in review.content.decode()


@pytest.mark.django_db
def test_a_reimport_lists_the_phones_and_hours_it_removed(tmp_path, admin_client):
    package = write_legacy_package(tmp_path / "pkg")
    run_command(package, "--source", "legacy")
    drop_row(package / "phones.csv", 1)  # ph-2: the Safe Haven hotline
    drop_row(package / "regular_schedules.csv", 2)  # rs-3: loc-1 on Saturdays

    out, error = run_command(package, "--source", "legacy")

    assert error is None, out
    assert "Phones removed (1):" in out
    assert "  location Safe Haven (loc-2): +16175550142 ext. 12 (hotline)" in out
    assert "Opening hours removed (1):" in out
    assert "  location Harbor Legal Aid office (loc-1): Saturday 10:00-14:00" in out
    run = ImportRun.objects.order_by("-created_at").first()
    page = admin_client.get(reverse("admin:providers_importrun_review", args=[run.pk]))
    html = page.content.decode()
    assert "+16175550142 ext. 12 (hotline)" in html
    assert "Saturday 10:00-14:00" in html
    assert html.index("Report lines by cause") < html.index("+16175550142")
    # Each names its owner with a link to it, to check what the listing has left.
    safe_haven = Location.objects.get(source_id="loc-2")
    link = reverse("admin:providers_location_change", args=[safe_haven.pk])
    assert f'<a href="{link}">location Safe Haven (loc-2)</a>' in html


@pytest.mark.django_db
def test_removed_links_and_numbers_are_named_with_links_to_their_records(tmp_path, admin_client):
    """A service no longer listed at a location is named like a vanished hotline, and each
    removed row links to its service, organization or location while that still exists."""
    package = write_legacy_package(tmp_path / "pkg")
    run_command(package, "--source", "legacy")
    drop_row(package / "services_at_location.csv", 2)  # sal-3: Counseling at Northside
    drop_row(package / "phones.csv", 2)  # ph-3: Northside Counseling's fax
    drop_row(package / "phones.csv", 0)  # ph-1: the immigration service's intake line

    out, error = run_command(package, "--source", "legacy")

    assert error is None, out
    assert "Service-at-location links removed (1):" in out
    assert "  service Counseling (svc-3): location Northside (loc-3)" in out
    run = ImportRun.objects.order_by("-created_at").first()
    page = admin_client.get(reverse("admin:providers_importrun_changelist")).content.decode()
    # Counseling, no longer at Northside, is kept at a remote location of its own (added),
    # without Northside's opening period, open at its own schedule's hours (written).
    assert (
        "Applied: 1 added, 1 changed, 2 details written; 2 phones, 1 opening period,"
        " 1 service-at-location link removed</td>"
    ) in run_row(page, run)
    (remote,) = Service.objects.get(source_id="svc-3").locations.all()
    assert list(remote.hours.values_list("weekday", "opens_at", "closes_at")) == [
        (3, time(12), time(20))
    ]
    review = reverse("admin:providers_importrun_review", args=[run.pk])
    html = admin_client.get(review).content.decode()
    assert "Service-at-location links removed: 1" in html
    counseling = Service.objects.get(source_id="svc-3")
    legal = Service.objects.get(source_id="svc-1")
    northside = Organization.objects.get(source_id="org-3")
    for kind, record, owner in (
        ("service", counseling, "service Counseling (svc-3)"),
        ("service", legal, "service Immigration legal services (svc-1)"),
        ("organization", northside, "organization Northside Counseling (org-3)"),
    ):
        link = reverse(f"admin:providers_{kind}_change", args=[record.pk])
        assert f'<a href="{link}">{owner}</a>' in html
    assert "location Northside (loc-3)" in html

    # A record deleted since, or a run stored before the report kept references: the name
    # alone, no link to a page that is gone.
    legal.delete()
    stored = run.report
    for row in stored["removed"]["service_at_location"]:
        del row["reference"]
    ImportRun.objects.filter(pk=run.pk).update(report=stored)
    html = admin_client.get(review).content.decode()
    assert "<td>service Immigration legal services (svc-1)</td>" in html
    assert "<td>service Counseling (svc-3)</td>" in html
    link = reverse("admin:providers_organization_change", args=[northside.pk])
    assert f'<a href="{link}">organization Northside Counseling (org-3)</a>' in html

    # A report edited by hand, with references that are not text: the names, no link (a
    # number or null there answered 500).
    for row, reference in zip(stored["removed"]["phones"], [42, None], strict=False):
        row["reference"] = reference
    ImportRun.objects.filter(pk=run.pk).update(report=stored)
    page = admin_client.get(review)
    assert page.status_code == 200
    assert "<td>organization Northside Counseling (org-3)</td>" in page.content.decode()


@pytest.mark.django_db
def test_the_removed_list_is_capped_for_a_huge_run():
    report = Report(source="big")
    for n in range(Report.REMOVED_SHOWN + 7):
        report.removed_row(
            "phones", owner=f"service S{n} (s-{n})", value=f"+1555{n:07d}", reference=""
        )
    report.count("phones", "removed", Report.REMOVED_SHOWN + 7)

    text = report.as_text()

    assert "Phones removed (57):" in text
    assert "+15550000049" in text and "+15550000050" not in text
    assert "  ... and 7 more" in text
    assert len(report.to_dict()["removed"]["phones"]) == Report.REMOVED_SHOWN


@pytest.mark.django_db
def test_the_run_list_says_which_phones_and_hours_a_run_removed(tmp_path, admin_client):
    """A vanished hotline is not hidden in "3 details updated": the run list names removals,
    and calls nothing updated that was only removed."""
    package = write_legacy_package(tmp_path / "pkg")
    run_command(package, "--source", "legacy")
    drop_row(package / "phones.csv", 1)  # ph-2: the Safe Haven hotline
    drop_row(package / "regular_schedules.csv", 2)  # rs-3: loc-1 on Saturdays
    drop_row(package / "regular_schedules.csv", 1)  # rs-2: loc-1 on Tuesdays
    run_command(package, "--source", "legacy")
    first, removing = ImportRun.objects.order_by("created_at")

    page = admin_client.get(reverse("admin:providers_importrun_changelist")).content.decode()

    assert "Applied: 1 phone, 2 opening periods removed</td>" in run_row(page, removing)
    assert "removed" not in run_row(page, first)
