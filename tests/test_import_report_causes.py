"""Issue 16, item 5: the import report opens with the rows left out by root cause (rows dropped
as a consequence counted under it), then the fixes as counts, then the rows; the admin shows
the same summary."""

import pytest
from messy211 import FILES, write_messy_211

from providers.importers.hsds import import_hsds
from providers.importers.report import ImportFailed, Report

pytestmark = pytest.mark.django_db
SOURCE = "harbor-211"
ORPHANS = ["1201", "1207", "1213"]


def orphaned_package(folder):
    """Six services at three organization ids organizations.csv lacks, each with a location
    link, a phone and a schedule (the downstream symptoms)."""
    services, links, phones = (
        FILES["services.csv"],
        FILES["services_at_location.csv"],
        FILES["phones.csv"],
    )
    extra = [(f"28{i}", ORPHANS[i % 3]) for i in range(6)]
    return write_messy_211(
        folder,
        **{
            "services.csv": (
                services[0],
                [*services[1], *[[sid, org, "Orphan", "", "", "", "active", "", "", "", ""]
                                 for sid, org in extra]],
            ),
            "services_at_location.csv": (
                links[0], [*links[1], *[[f"58{i}", sid, "3001", ""] for i, (sid, _) in
                                        enumerate(extra)]],
            ),
            "phones.csv": (
                phones[0], [*phones[1], *[[f"68{i}", "", sid, "", "", "", "(212) 555-0101", "",
                                           "voice", "", ""] for i, (sid, _) in enumerate(extra)]],
            ),
        },
    )  # fmt: skip


def test_the_summary_names_the_root_cause_and_counts_its_consequences(tmp_path):
    report = import_hsds(orphaned_package(tmp_path / "export"), source=SOURCE, skip_invalid=True)

    lines = report.summary_lines()
    first_cause = lines[lines.index("Rows left out, by cause:") + 1]
    assert first_cause == (
        "  6 services.csv rows point at 3 organization ids missing from organizations.csv: "
        "1201, 1207, 1213; left out as a consequence: 6 services_at_location.csv, "
        "6 phones.csv rows"
    )
    assert lines.index("Rows left out, by cause:") < lines.index("What was done:")


def test_fixes_are_counted_before_the_rows_are_listed(tmp_path):
    report = import_hsds(write_messy_211(tmp_path / "export"), source=SOURCE)

    text = report.as_text()
    [fixes] = [line for line in text.splitlines() if line.startswith("Fixed on the way: ")]
    assert "description in organizations.csv" in fixes
    assert "number in phones.csv" in fixes
    assert text.index(fixes) < text.index("phones.csv row 2: fixed")


def test_a_refused_import_opens_with_the_same_cause(tmp_path):
    with pytest.raises(ImportFailed) as failure:
        import_hsds(orphaned_package(tmp_path / "export"), source=SOURCE)

    summary = failure.value.report.to_dict()["summary"]  # what the admin shows
    assert summary[2] == "Rows left out, by cause:"
    assert summary[3].startswith("  6 services.csv rows point at 3 organization ids missing")


def test_locations_of_missing_organizations_are_one_cause_with_their_ids(tmp_path):
    fields, rows = FILES["locations.csv"]
    package = write_messy_211(
        tmp_path / "export",
        **{"locations.csv": (fields, [*rows, ["3009", "1201", "Annex", "", "", "", "", ""],
                                      ["3010", "1207", "Annex", "", "", "", "", ""]])},
    )  # fmt: skip

    report = import_hsds(package, source=SOURCE, skip_invalid=True)

    assert (
        "  2 locations.csv rows point at 2 organization ids missing from organizations.csv: "
        "1201, 1207"
    ) in report.summary_lines()


def test_a_row_that_stops_the_import_is_named_after_many_other_causes():
    """Past MAX_CAUSES causes the rest were only counted: an import of a few thousand sites,
    each with a warning of its own, failed on a bad phone and named no row (211 data
    manager)."""
    report = Report()
    for number in range(2, report.MAX_CAUSES + 10):
        report.warn("sites.csv", number, f"a warning of its own, {number}")
    report.bad_row("sites.csv", 9999, "'555' is not a valid phone number", "phone")

    assert "sites.csv row 9999: invalid [phone]: '555' is not a valid phone number" in [
        issue.as_text() for issue in report.issues
    ]
