"""The admin import: upload, dry-run report, confirm — with the commands' code underneath."""

import zipfile
from http import HTTPStatus
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hsds_support import write_legacy_package

from providers.importers.csv_flat import COLUMNS
from providers.models import ImportRun, Organization, TaxonomyMapping
from providers.permissions import EDITORS, PROVIDER_STAFF

UPLOAD = "admin:providers_importrun_upload"
# WhiteNoise warns when collectstatic has not run (as in a fresh checkout); not our concern.
pytestmark = pytest.mark.filterwarnings("ignore:No directory at:UserWarning")


@pytest.fixture(autouse=True)
def uploads_in_tmp(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    return settings.IMPORT_UPLOAD_DIR


def staff(client, username: str, group: str | None) -> User:
    user = User.objects.create_user(username, password="a long enough password", is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    return user


# Transactional: the upload's request commits, as in production, and the jobs it enqueues
# on commit (the dry run, the import) run then, in-process without REDIS_URL.
@pytest.fixture
def importer(transactional_db, client):
    staff(client, "editor", EDITORS)
    return client


def legacy_zip(tmp_path: Path) -> SimpleUploadedFile:
    folder = write_legacy_package(tmp_path / "pkg")
    archive = tmp_path / "pkg.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in folder.iterdir():
            zipped.write(path, path.name)
    return SimpleUploadedFile("county-211.zip", archive.read_bytes(), "application/zip")


def sheet(rows: list[dict]) -> SimpleUploadedFile:
    lines = [",".join(COLUMNS)] + [",".join(row.get(c, "") for c in COLUMNS) for row in rows]
    return SimpleUploadedFile("coalition.csv", "\n".join(lines).encode(), "text/csv")


@pytest.mark.parametrize("group", [None, PROVIDER_STAFF])
def test_only_editors_and_site_admins_may_import(db, client, group):
    staff(client, "someone", group)

    assert client.get(reverse(UPLOAD)).status_code == HTTPStatus.FORBIDDEN


def test_anonymous_people_are_sent_to_the_login(client, db):
    response = client.get(reverse(UPLOAD))
    assert response.status_code == HTTPStatus.FOUND
    assert "/admin/login/" in response["Location"]


def test_upload_shows_the_dry_run_report_and_changes_nothing(importer, tmp_path):
    response = importer.post(
        reverse(UPLOAD), {"kind": "hsds", "file": legacy_zip(tmp_path)}, follow=True
    )

    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert "Dry run: the import would succeed; nothing was changed." in page
    assert "What a real run would do:" in page
    assert "organizations: 3 created" in page
    assert "physical_addresses.csv" in page and "ny " in page
    assert "Pet Grooming" in page
    assert "Confirm: import it" in page
    assert not Organization.objects.exists()
    run = ImportRun.objects.get()
    assert (run.state, run.source) == (ImportRun.State.CHECKED, "county-211")
    assert Path(run.stored_path).is_file()


def test_confirm_runs_the_real_import_from_the_stored_upload(importer, tmp_path):
    importer.post(
        reverse(UPLOAD), {"kind": "hsds", "file": legacy_zip(tmp_path), "source": "county 211"}
    )
    run = ImportRun.objects.get()

    response = importer.post(
        reverse("admin:providers_importrun_confirm", args=[run.pk]), follow=True
    )

    assert response.status_code == HTTPStatus.OK
    assert "Import applied." in response.content.decode()
    run.refresh_from_db()
    assert run.state == ImportRun.State.APPLIED
    assert not run.stored_path
    assert Organization.objects.filter(source="county 211").count() == 3
    again = importer.post(reverse("admin:providers_importrun_confirm", args=[run.pk]))
    assert again.status_code == HTTPStatus.NOT_FOUND


def test_invalid_rows_are_listed_and_cannot_be_confirmed(importer):
    upload = sheet(
        [
            {"organization_name": "Good Org", "city": "Boston", "state": "MA", "zip": "02108"},
            {"organization_name": "Lost Org", "city": "Atlantis", "state": "ZZ"},
        ]
    )

    response = importer.post(reverse(UPLOAD), {"kind": "csv", "file": upload}, follow=True)

    page = response.content.decode()
    assert "1 invalid row: nothing was changed" in page
    assert "cannot be placed on the map" in page
    assert "Confirm: import it" not in page
    run = ImportRun.objects.get()
    confirm = importer.post(
        reverse("admin:providers_importrun_confirm", args=[run.pk]), follow=True
    )
    assert confirm.status_code == HTTPStatus.OK
    assert not Organization.objects.exists()
    run.refresh_from_db()
    assert run.state == ImportRun.State.FAILED


def test_skip_invalid_from_the_admin_imports_the_good_rows(importer):
    upload = sheet(
        [
            {"organization_name": "Good Org", "city": "Boston", "state": "MA", "zip": "02108"},
            {"organization_name": "Lost Org", "city": "Atlantis", "state": "ZZ"},
        ]
    )
    importer.post(
        reverse(UPLOAD), {"kind": "csv", "file": upload, "skip_invalid": "on", "draft": "on"}
    )
    run = ImportRun.objects.get()

    importer.post(reverse("admin:providers_importrun_confirm", args=[run.pk]))

    assert list(Organization.objects.values_list("name", "status")) == [("Good Org", "draft")]


def test_a_file_that_is_not_a_package_is_a_form_error_not_a_crash(importer):
    junk = SimpleUploadedFile("package.zip", b"this is not a zip", "application/zip")

    response = importer.post(reverse(UPLOAD), {"kind": "hsds", "file": junk})

    assert response.status_code == HTTPStatus.OK
    assert "neither a folder nor a .zip" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_the_wrong_kind_of_file_is_refused(importer):
    response = importer.post(reverse(UPLOAD), {"kind": "hsds", "file": sheet([])})
    assert "Expected a .zip file." in response.content.decode()


def test_discard_deletes_the_upload(importer, tmp_path):
    importer.post(reverse(UPLOAD), {"kind": "hsds", "file": legacy_zip(tmp_path)})
    run = ImportRun.objects.get()
    stored = Path(run.stored_path)

    importer.post(reverse("admin:providers_importrun_discard", args=[run.pk]))

    run.refresh_from_db()
    assert run.state == ImportRun.State.DISCARDED
    assert not stored.exists()
    assert not Organization.objects.exists()


def test_editors_see_the_import_list_and_edit_the_taxonomy_mapping(importer):
    runs = importer.get(reverse("admin:providers_importrun_changelist"))
    assert runs.status_code == HTTPStatus.OK
    assert "Import a file" in runs.content.decode()
    page = importer.get(reverse("admin:providers_taxonomymapping_changelist"))
    assert page.status_code == HTTPStatus.OK
    rule = TaxonomyMapping.objects.get(match="code", pattern="FT")
    edit = importer.get(reverse("admin:providers_taxonomymapping_change", args=[rule.pk]))
    assert edit.status_code == HTTPStatus.OK


def test_an_import_from_the_admin_is_in_each_records_history(importer, tmp_path):
    importer.post(reverse(UPLOAD), {"kind": "hsds", "file": legacy_zip(tmp_path)})
    run = ImportRun.objects.get()
    importer.post(reverse("admin:providers_importrun_confirm", args=[run.pk]))

    entry = Organization.objects.get(source_id="org-1").history.get()
    assert entry.history_type == "+"
    assert entry.history_user.username == "editor"
    assert entry.history_change_reason == "Import from county-211"
