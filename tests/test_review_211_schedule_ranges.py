"""A 211 data manager's review of the import: regular_schedules.csv rows as 211 exports
write them, with a range of days in the weekday cell ("Tue-Fri") or the whole range of hours
in opens_at ("9:00-5:00", closes_at empty), are read as the hours they say, like the same
words in a spreadsheet's hours column, instead of being kept only as a note that ran the rows
together ("Monday 9:00-5:00 - Tue-Fri 9:00 - 5:00" read as one range from Monday to Friday)."""

from datetime import time

import pytest
from messy211 import FILES, write_messy_211

from providers.importers.hsds import import_hsds
from providers.models import Location

pytestmark = pytest.mark.django_db
SOURCE = "harbor-211"


def schedules(*rows: list[str]) -> dict:
    return {"regular_schedules.csv": (FILES["regular_schedules.csv"][0], list(rows))}


def test_day_ranges_and_hours_in_one_cell_are_read_as_hours(tmp_path):
    package = write_messy_211(
        tmp_path / "export",
        **schedules(
            ["7001", "", "3001", "", "Monday", "9:00-5:00", "", ""],
            ["7002", "", "3001", "", "Tue-Fri", "9:00", "5:00", ""],
            ["7003", "", "3001", "", "Saturday", "10:00 AM", "12:00 PM", ""],
        ),
    )

    report = import_hsds(package, source=SOURCE)

    office = Location.objects.get(source=SOURCE, source_id="3001")
    hours = sorted((h.weekday, h.opens_at, h.closes_at) for h in office.hours.all())
    assert hours == [
        *[(day, time(9), time(17)) for day in range(1, 6)],
        (6, time(10), time(12)),
    ]
    assert office.hours_note == ""
    fixes = {(i.row, i.message) for i in report.issues if i.file == "regular_schedules.csv"}
    assert (3, "'Tue-Fri 9:00-5:00' read as Tue-Fri 09:00-17:00") in fixes


def test_a_schedule_still_not_understood_is_kept_as_a_note_row_by_row(tmp_path):
    package = write_messy_211(
        tmp_path / "export",
        **schedules(
            ["7001", "", "3001", "", "Monday", "mornings", "", ""],
            ["7002", "", "3001", "", "Tue-Fri", "after lunch", "late", ""],
            # no day given: the hours are not spread over a week nobody stated
            ["7003", "", "3001", "", "", "9:00", "5:00", ""],
        ),
    )

    import_hsds(package, source=SOURCE)

    office = Location.objects.get(source=SOURCE, source_id="3001")
    assert not office.hours.exists()
    assert office.hours_note == "Monday mornings; Tue-Fri after lunch-late; 9:00-5:00"
