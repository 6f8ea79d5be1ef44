"""A 211 data manager's review of the import: two things a real 211 export carries in its
HSDS 1.x tables that were silently lost. A schedule row given for a service with only its
text ("Open 24 hours, 7 days", "By appointment") is the only word on the hours of the
service's place; and languages.csv often lists several languages in one row ("English;
Spanish"), which were all left out as one unknown language."""

import pytest
from messy211 import FILES, write_messy_211

from providers.importers.hsds import import_hsds
from providers.models import Location, Service

pytestmark = pytest.mark.django_db
SOURCE = "harbor-211"


def test_a_service_schedule_given_only_as_text_is_kept_as_its_places_hours_note(tmp_path):
    fields, rows = FILES["regular_schedules.csv"]
    package = write_messy_211(
        tmp_path / "export",
        **{"regular_schedules.csv": (fields, [*rows, ["7200", "2002", "", "", "", "", "",
                                                       "Open 24 hours, 7 days"]])},
    )  # fmt: skip

    import_hsds(package, source=SOURCE)

    shelter = Location.objects.get(source=SOURCE, source_id="3002")
    assert shelter.hours_note == "Open 24 hours, 7 days"
    assert not shelter.open_24_7  # the text is kept as written, not read as a fact
    assert not shelter.hours.exists()


def test_several_languages_in_one_languages_row_are_each_imported(tmp_path):
    fields, rows = FILES["languages.csv"]
    package = write_messy_211(
        tmp_path / "export",
        **{"languages.csv": (fields, [*rows, ["8002", "2001", "", "English; Spanish"],
                                      ["8003", "2003", "", "Spanish, Klingon"]])},
    )  # fmt: skip

    report = import_hsds(package, source=SOURCE)

    spoken = Service.objects.get(source=SOURCE, source_id="2001").languages
    assert set(spoken.values_list("code", flat=True)) == {"en", "es"}
    other = Service.objects.get(source=SOURCE, source_id="2003").languages
    assert set(other.values_list("code", flat=True)) == {"es"}
    warnings = [(i.row, i.message) for i in report.issues if i.severity == "warning"]
    assert (4, "language 'Klingon' is not one we list; left out") in warnings
