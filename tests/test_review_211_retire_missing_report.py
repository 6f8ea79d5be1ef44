"""A 211 data manager's review of the import: the report's line about records gone from the
file says what happened to them. With --retire-missing the services were retired, not "left
unchanged"; and locations are never retired, so the line about them must not promise that
--retire-missing would."""

import pytest
from messy211 import FILES, write_messy_211

from providers.importers.hsds import import_hsds
from providers.models import Location, Service, Status

pytestmark = pytest.mark.django_db
SOURCE = "harbor-211"


def without(file: str, column: int, value: str) -> dict:
    fields, rows = FILES[file]
    return {file: (fields, [row for row in rows if row[column] != value])}


def test_the_line_about_records_gone_from_the_file_says_what_was_done_to_them(tmp_path):
    import_hsds(write_messy_211(tmp_path / "v1"), source=SOURCE)
    # The counseling service and its place (Lakeside) are gone from the next export.
    v2 = write_messy_211(
        tmp_path / "v2",
        **without("services.csv", 0, "2004"),
        **without("services_at_location.csv", 1, "2004"),
        **without("locations.csv", 0, "3003"),
        **without("physical_addresses.csv", 1, "3003"),
        **without("phones.csv", 2, "2004"),
        **without("languages.csv", 1, "2004"),
        **without("eligibility.csv", 2, "3003"),
        **without("regular_schedules.csv", 2, "3003"),
    )

    kept = import_hsds(v2, source=SOURCE).summary_lines()
    assert f"  1 services of source '{SOURCE}' are not in this package (left unchanged; " \
        "--retire-missing retires them)" in kept  # fmt: skip
    assert f"  1 locations of source '{SOURCE}' are not in this package (left unchanged)" in kept

    retired = import_hsds(v2, source=SOURCE, retire_missing=True).summary_lines()
    assert Service.objects.get(source=SOURCE, source_id="2004").status == Status.RETIRED
    assert f"  1 services of source '{SOURCE}' are not in this package (retired)" in retired
    assert f"  1 locations of source '{SOURCE}' are not in this package (left unchanged)" in retired
    assert Location.objects.filter(source=SOURCE, source_id="3003").exists()


def test_a_re_import_that_lost_records_does_not_say_the_package_matches_what_is_stored(tmp_path):
    import_hsds(write_messy_211(tmp_path / "v1"), source=SOURCE)
    v2 = write_messy_211(
        tmp_path / "v2",
        **without("services.csv", 0, "2004"),
        **without("services_at_location.csv", 1, "2004"),
        **without("phones.csv", 2, "2004"),
        **without("languages.csv", 1, "2004"),
    )

    report = import_hsds(v2, source=SOURCE)

    assert report.headline() == "Import applied: nothing changed."
    assert report.not_in_package["services"] == 1
