"""Issue 16, item 6: which source an import writes. A template's name is refused (name the
source), the same package from a folder, a zip or another path is the same source, and one
source never overwrites another's records."""

import io
import shutil
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from hsds_support import write_csv
from messy211 import FILES, write_messy_211

from providers.importers.csv_flat import COLUMNS, import_csv
from providers.importers.hsds import import_hsds
from providers.importers.sources import SourceNameNeeded, is_generic, stem_name
from providers.models import Organization, Service


def zip_folder(folder: Path, target: Path, *, inside: str = "") -> Path:
    """Zip a package as people send them: the files at the top, or inside one folder."""
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, f"{inside}/{path.name}" if inside else path.name)
    return target


@pytest.mark.parametrize(
    "name",
    ["hsds-template", "HSDS 3.0 example", "211-export", "data (2)", "open-referral-sample", "csv"],
)
def test_template_and_download_names_are_generic(name):
    assert is_generic(name)


@pytest.mark.parametrize("name", ["harbor-211", "resource-map", "Bay County 211", "coalition"])
def test_names_that_say_whose_directory_are_not_generic(name):
    assert not is_generic(name)


@pytest.mark.parametrize(
    "name",
    ["harbor-211", "harbor-211 (1).zip", "Copy of harbor-211", "harbor-211-2024-05-01.zip",
     "harbor-211 copy 2"],
)  # fmt: skip
def test_copies_and_dated_downloads_keep_their_name(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"") if name.endswith(".zip") else path.mkdir()
    assert stem_name(path) == "harbor-211"


@pytest.mark.django_db
def test_a_template_named_package_is_refused_naming_the_source_option(tmp_path):
    folder = write_messy_211(tmp_path / "harbor-211")  # datapackage.json: "hsds-template"
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import_hsds", str(folder), "--no-progress", stdout=out)
    assert "'hsds-template'" in str(error.value) and "--source NAME" in str(error.value)
    assert not Organization.objects.exists()


@pytest.mark.django_db
def test_a_generic_file_name_is_refused_without_a_datapackage(tmp_path):
    with pytest.raises(SourceNameNeeded):
        import_hsds(write_messy_211(tmp_path / "export", name=None))
    sheet = tmp_path / "export (3).csv"
    write_csv(sheet, COLUMNS, [])
    with pytest.raises(SourceNameNeeded):
        import_csv(sheet)


@pytest.mark.django_db
def test_the_same_package_from_a_folder_a_zip_or_another_path_is_one_source(tmp_path):
    folder = write_messy_211(tmp_path / "downloads" / "harbor", name="harbor-county-211")
    first = import_hsds(folder)
    flat_zip = zip_folder(folder, tmp_path / "harbor-upload.zip")
    nested_zip = zip_folder(folder, tmp_path / "elsewhere.zip", inside="harbor-county-211")
    moved = shutil.copytree(folder, tmp_path / "archive" / "2024" / "copy")
    reports = [import_hsds(path) for path in (flat_zip, nested_zip, moved)]

    assert {first.source, *(r.source for r in reports)} == {"harbor-county-211"}
    assert Organization.objects.count() == len(FILES["organizations.csv"][1])
    assert Service.objects.count() == len(FILES["services.csv"][1])
    assert all(r.counts["services"]["created"] == 0 for r in reports)


@pytest.mark.django_db
def test_without_a_datapackage_a_copied_folder_or_zip_keeps_its_source(tmp_path):
    folder = write_messy_211(tmp_path / "bay-county-211", name=None)
    import_hsds(folder)
    again = import_hsds(zip_folder(folder, tmp_path / "bay-county-211 (1).zip"))
    assert again.source == "bay-county-211"
    assert Service.objects.count() == len(FILES["services.csv"][1])


@pytest.mark.django_db
def test_one_source_never_overwrites_another_sources_records(tmp_path):
    import_hsds(write_messy_211(tmp_path / "a"), source="harbor-211")
    renamed = [row[:2] + ["Another county's shelter"] + row[3:] for row in FILES["services.csv"][1]]
    other = write_messy_211(tmp_path / "b", **{"services.csv": (FILES["services.csv"][0], renamed)})
    import_hsds(other, source="lakes-211", retire_missing=True)

    harbor = Service.objects.filter(source="harbor-211")
    assert sorted(harbor.values_list("name", flat=True)) == sorted(
        row[2] for row in FILES["services.csv"][1]
    )
    assert set(harbor.values_list("status", flat=True)) == {"published"}
    assert Service.objects.filter(source="lakes-211").count() == len(renamed)
