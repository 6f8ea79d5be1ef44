"""Issue 16, item 1: packages as published. A folder or a zip whose datapackage.json names
its tables' paths (data/services.csv), with the CSV files in a data/ sub-folder."""

import json
import shutil
import zipfile

import pytest
from messy211 import FILES, write_messy_211

from providers.importers.hsds import import_hsds
from providers.models import Location, Organization, Phone, Service

pytestmark = pytest.mark.django_db
SOURCE = "harbor-211"


def published(folder):
    """The messy package laid out as 211 portals publish it: datapackage.json at the top,
    the tables under data/, each resource naming its path."""
    write_messy_211(folder / "data", name=None)
    resources = [
        {"name": f.removesuffix(".csv"), "path": f"data/{f}", "format": "csv"} for f in FILES
    ]
    (folder / "datapackage.json").write_text(
        json.dumps({"name": "harbor-county-211", "resources": resources}), encoding="utf-8"
    )
    return folder


def zipped(folder, zip_path):
    with zipfile.ZipFile(zip_path, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, f"export-2026/{path.relative_to(folder)}")
    return zip_path


def assert_imported(report):
    assert report.applied
    assert report.source == "harbor-county-211"  # the package's own name
    assert Organization.objects.count() == len(FILES["organizations.csv"][1])
    assert Service.objects.count() == len(FILES["services.csv"][1])
    assert Location.objects.filter(source_id="3003", latitude=41.8827).exists()


def test_a_folder_with_its_tables_under_data_imports(tmp_path):
    assert_imported(import_hsds(published(tmp_path / "export")))


def test_a_zip_with_its_tables_under_data_imports_as_the_same_source(tmp_path):
    package = zipped(published(tmp_path / "export"), tmp_path / "download.zip")

    assert_imported(import_hsds(package))
    again = import_hsds(package)

    assert again.counts["services"]["created"] == 0


def test_a_resource_path_that_is_not_there_is_reported(tmp_path):
    folder = published(tmp_path / "export")
    shutil.move(folder / "data" / "phones.csv", folder / "phones.csv")

    report = import_hsds(folder)

    assert (
        "datapackage.json: warning: resource phones.csv names 'data/phones.csv', which is "
        "not there" in report.as_text()
    )
    assert report.applied
    assert Phone.objects.exists()  # phones.csv found by its name elsewhere in the folder
