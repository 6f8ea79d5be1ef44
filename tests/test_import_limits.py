"""Bounded imports: an oversized upload is refused while it streams, a zip may not unpack to
much more than it weighs (a zip bomb is refused, never expanded), and the report keeps counts
per cause and only the first rows of each, however many rows go wrong."""

import zipfile
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.test import Client
from django.urls import reverse

from providers.importers.csv_flat import COLUMNS, import_csv
from providers.importers.package import Package, PackageError
from providers.importers.report import ImportFailed, Report, Severity
from providers.models import ImportRun
from providers.permissions import EDITORS

UPLOAD = "admin:providers_importrun_upload"
MB = 1024 * 1024
pytestmark = pytest.mark.filterwarnings("ignore:No directory at:UserWarning")


class RecordingUploadHandler(TemporaryFileUploadHandler):
    """Django's own handler, noting the most bytes of one file it was ever handed."""

    most_bytes = 0

    def receive_data_chunk(self, raw_data, start):
        type(self).most_bytes = max(type(self).most_bytes, start + len(raw_data))
        return super().receive_data_chunk(raw_data, start)


@pytest.fixture(autouse=True)
def uploads_in_tmp(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    return settings.IMPORT_UPLOAD_DIR


# Transactional: the upload's request commits, as in production, and the jobs it enqueues
# on commit (the dry run, the import) run then, in-process without REDIS_URL.
@pytest.fixture
def importer(transactional_db, client):
    user = User.objects.create_user("editor", password="a long enough password", is_staff=True)
    user.groups.add(Group.objects.get(name=EDITORS))
    client.force_login(user)
    return client


def zip_bomb(path: Path, *, unpacked_mb: int = 50) -> Path:
    """About 50 KB on disk, 50 MB of zeros inside."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("organizations.csv", "w") as member:
            member.write(b"id,name\n")
            for _ in range(unpacked_mb):
                member.write(b"0" * MB)
    return path


# --- the upload -----------------------------------------------------------------------------


def test_an_oversized_upload_is_refused_while_it_streams(importer, settings, uploads_in_tmp):
    settings.IMPORT_MAX_UPLOAD_MB = 1
    settings.FILE_UPLOAD_HANDLERS = [f"{__name__}.RecordingUploadHandler"]
    RecordingUploadHandler.most_bytes = 0
    big = SimpleUploadedFile("big.zip", b"x" * (5 * MB), "application/zip")

    response = importer.post(reverse(UPLOAD), {"kind": "hsds", "file": big})

    assert response.status_code == 200
    assert "The file is larger than 1 MB: use the import command." in response.content.decode()
    assert "This field is required" not in response.content.decode()
    # Django's own handler never saw more than the limit and one chunk past it.
    assert RecordingUploadHandler.most_bytes <= 1 * MB + 64 * 1024
    assert not ImportRun.objects.exists()
    assert not uploads_in_tmp.exists() or not any(uploads_in_tmp.iterdir())


def test_an_upload_within_the_limit_still_goes_through(importer, settings):
    settings.IMPORT_MAX_UPLOAD_MB = 1
    rows = [",".join(COLUMNS), ",".join("" for _ in COLUMNS)]
    sheet = SimpleUploadedFile("small.csv", "\n".join(rows).encode(), "text/csv")
    response = importer.post(reverse(UPLOAD), {"kind": "csv", "file": sheet}, follow=True)
    assert response.status_code == 200
    assert ImportRun.objects.count() == 1


# --- the zip --------------------------------------------------------------------------------


def test_a_zip_bomb_is_refused_before_anything_is_unpacked(tmp_path):
    bomb = zip_bomb(tmp_path / "bomb.zip")
    assert bomb.stat().st_size < 100 * 1024

    with pytest.raises(PackageError, match="unpacks to 50 MB") as refused:
        Package(bomb, Report())

    assert "at most 100 times" in str(refused.value)


def test_a_zip_bomb_uploaded_in_the_admin_is_a_clear_form_error(importer, tmp_path, uploads_in_tmp):
    bomb = zip_bomb(tmp_path / "bomb.zip")
    upload = SimpleUploadedFile("bomb.zip", bomb.read_bytes(), "application/zip")

    response = importer.post(reverse(UPLOAD), {"kind": "hsds", "file": upload})

    page = response.content.decode()
    assert "unpacks to 50 MB" in page and "refusing to read it" in page
    assert not ImportRun.objects.exists()
    assert not any(uploads_in_tmp.iterdir())


def test_the_unpacked_size_has_an_absolute_cap_too(tmp_path, settings):
    settings.IMPORT_MAX_UNPACKED_MB = 1
    settings.IMPORT_MAX_UNPACK_RATIO = 1_000_000
    archive = zip_bomb(tmp_path / "big.zip", unpacked_mb=2)
    with pytest.raises(PackageError, match="more than 1 MB"):
        Package(archive, Report())


def test_an_ordinary_zip_is_read(tmp_path):
    archive = tmp_path / "ok.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("organizations.csv", "id,name\n" + "1,A\n" * 20_000)  # 80 KB, 100x+
    with Package(archive, Report()) as package:
        assert package.files() == ["organizations.csv"]


# --- the report -----------------------------------------------------------------------------


def test_the_report_keeps_counts_per_cause_and_the_first_rows_of_each():
    report = Report()
    for row in range(2, 100_002):
        report.bad_row("services.csv", row, "no name", "name")
        report.fixed("services.csv", row, "state", "'ny ' → NY")
    report.warn("phones.csv", 7, "odd number")

    kept = report.issues
    assert len(kept) == 2 * Report.ROWS_PER_CAUSE + 1
    assert [issue.row for issue in report.invalid][:3] == [2, 3, 4]
    assert report.by_severity() == {
        Severity.INVALID: 100_000,
        Severity.FIXED: 100_000,
        Severity.WARNING: 1,
    }
    assert report.headline().startswith("100000 invalid rows")
    stored = report.to_dict(limit=500)
    assert stored["issues_total"] == 200_001
    assert stored["causes"][0] == {
        "file": "services.csv",
        "severity": "invalid",
        "field": "name",
        "message": "no name",
        "count": 100_000,
        "shown": Report.ROWS_PER_CAUSE,
    }
    text = report.as_text(limit=None)
    assert "services.csv: invalid [name]: no name: 100000 rows, the first 100 listed" in text


def test_a_report_of_many_different_causes_stays_bounded():
    report = Report()
    for row in range(2, 50_002):
        report.warn("organizations.csv", row, f"unknown colour {row}")
    assert len(report.issues) <= Report.MAX_ISSUES
    assert report.by_severity()[Severity.WARNING] == 50_000
    assert len(report.to_dict(limit=500)["causes"]) <= 500


def test_a_large_bad_spreadsheet_fails_with_a_bounded_report(db, tmp_path):
    sheet = tmp_path / "bad.csv"
    lines = [",".join(COLUMNS)]
    blank = dict.fromkeys(COLUMNS, "")
    for n in range(3000):
        row = {**blank, "organization_name": f"Org {n}", "city": "Atlantis", "state": "ZZ"}
        lines.append(",".join(row[c] for c in COLUMNS))
    sheet.write_text("\n".join(lines))

    with pytest.raises(ImportFailed) as failed:
        import_csv(sheet)

    report = failed.value.report
    assert report.headline().startswith("3000 invalid rows")
    assert len(report.issues) <= 10 * Report.ROWS_PER_CAUSE


def test_the_admin_report_shows_counts_per_cause(importer):
    lines = [",".join(COLUMNS)]
    blank = dict.fromkeys(COLUMNS, "")
    for n in range(250):
        row = {**blank, "organization_name": f"Org {n}", "city": "Atlantis", "state": "ZZ"}
        lines.append(",".join(row[c] for c in COLUMNS))
    sheet = SimpleUploadedFile("bad.csv", "\n".join(lines).encode(), "text/csv")

    page = importer.post(reverse(UPLOAD), {"kind": "csv", "file": sheet}, follow=True)

    html = page.content.decode()
    assert "250 invalid rows: nothing was changed" in html
    assert "Report lines by cause" in html
    assert "<td>250</td><td>100</td>" in html
    assert html.count('<tr class="issue-invalid">') <= 2 * Report.ROWS_PER_CAUSE + 10


def test_the_upload_still_checks_the_csrf_token(db):
    client = Client(enforce_csrf_checks=True)
    user = User.objects.create_user("editor", password="a long enough password", is_staff=True)
    user.groups.add(Group.objects.get(name=EDITORS))
    client.force_login(user)
    upload = SimpleUploadedFile("small.csv", b"organization_name\n", "text/csv")
    response = client.post(reverse(UPLOAD), {"kind": "csv", "file": upload})
    assert response.status_code == 403
    assert not ImportRun.objects.exists()
