"""Issue 16, item 1: packages as published. A folder or a zip whose datapackage.json names
its tables' paths (data/services.csv), with the CSV files in a data/ sub-folder."""

import json
import shutil
import zipfile

import pytest
from messy211 import FILES, write_messy_211

from providers.importers.hsds import import_hsds
from providers.importers.package import PackageError
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


# -- HSDS 3.x JSON ---------------------------------------------------------------------------
HOTLINE_ORG = {"id": "o-1", "name": "Harbor County DA", "website": "https://harbor-da.example"}
COURTHOUSE = {
    "id": "l-1",
    "name": "Courthouse office",
    "location_type": "physical",
    "latitude": 40.7484,
    "longitude": -73.9967,
    "addresses": [{"id": "a-1", "address_type": "physical", "address_1": "350 Fifth Avenue",
                   "city": "New York", "state_province": "NY", "postal_code": "10118",
                   "country": "US"}],
    "phones": [{"id": "p-2", "number": "(212) 555-0102", "type": "voice"}],
    "schedules": [{"id": "h-1", "byday": "MO,TU,WE,TH,FR", "opens_at": "09:00",
                   "closes_at": "17:00", "freq": "WEEKLY"}],
}  # fmt: skip
SERVICES_JSON = [
    {
        "id": "s-1",
        "name": "Victim Witness Assistance",
        "description": "The District AttorneyGÇÖs unit: court accompaniment.",
        "status": "active",
        "organization": HOTLINE_ORG,
        "phones": [{"id": "p-1", "number": "(212) 555-0100 x OPT2", "type": "voice"}],
        "languages": [{"id": "lang-1", "name": "Spanish", "code": "es"}],
        "service_at_locations": [{"id": "sal-1", "location": COURTHOUSE}],
        "attributes": [
            {
                "taxonomy_term": {
                    "id": "t-1",
                    "code": "FN-1500.1900-150",
                    "name": "Crime Victim Support",
                    "taxonomy": "AIRS",
                }
            }
        ],  # fmt: skip
    },
    {
        "id": "s-2",
        "name": "Court Support",
        "organization": HOTLINE_ORG,  # the same organization nested again
        "locations": [COURTHOUSE],
    },
]


@pytest.mark.parametrize("shape", ["list", "api page"])
def test_hsds_json_services_with_everything_nested_import(tmp_path, shape):
    folder = tmp_path / "json"
    folder.mkdir()
    data = SERVICES_JSON if shape == "list" else {"total_items": 2, "contents": SERVICES_JSON}
    (folder / "services.json").write_text(json.dumps(data), encoding="utf-8")

    report = import_hsds(folder, source=SOURCE)

    assert report.applied and report.kind == "HSDS 3.x JSON (services.json)"
    assert Organization.objects.get().name == "Harbor County DA"
    victim, court = Service.objects.order_by("source_id")
    assert "Attorney’s" in victim.description  # mojibake repaired as for CSV
    assert victim.phones.get().note  # the phone menu kept as a note
    assert list(victim.languages.values_list("code", flat=True)) == ["es"]
    assert victim.terms.exists()
    office = Location.objects.get()
    assert set(office.services.all()) == {victim, court}
    assert office.hours.count() == 5
    assert office.phones.count() == 1


def test_json_that_is_not_hsds_is_refused_with_a_reason(tmp_path):
    folder = tmp_path / "json"
    folder.mkdir()
    (folder / "export.json").write_text(json.dumps({"rows": [1, 2]}), encoding="utf-8")

    with pytest.raises(PackageError, match="export.json is not HSDS JSON"):
        import_hsds(folder, source=SOURCE)
