"""Issue 16, a 211 data manager's review of the import: a pantry whose physical address is only
a ZIP is a place to visit, placed near its ZIP and labelled approximate, not turned into a
remote service that no search by place can find."""

import pytest
from messy211 import FILES, write_messy_211

from providers.geocode import geocode_address
from providers.importers.hsds import import_hsds
from providers.models import Location, LocationKind, Service, ServiceArea

pytestmark = pytest.mark.django_db
SOURCE = "harbor-211"


def plus(file: str, *rows: list[str]) -> dict:
    fields, base_rows = FILES[file]
    return {file: (fields, [*base_rows, *rows])}


def test_a_physical_address_with_only_a_zip_is_placed_near_the_zip_not_made_remote(tmp_path):
    package = write_messy_211(
        tmp_path / "export",
        **plus("organizations.csv", ["1007", "Westside Food Pantry", "", "", "", ""]),
        **plus("services.csv", ["2008", "1007", "Food Pantry", "Weekly groceries.", "", "",
                                "active", "", "", "", ""]),
        **plus("locations.csv", ["3007", "1007", "Pantry", "", "", "", "", ""]),
        **plus("physical_addresses.csv", ["4007", "3007", "", "", "", "", "", "", "60605",
                                          "US"]),
        **plus("services_at_location.csv", ["5008", "2008", "3007", ""]),
        **plus("phones.csv", ["6008", "3007", "", "", "", "", "312-555-0142", "", "voice",
                              "", ""]),
    )  # fmt: skip

    import_hsds(package, source=SOURCE)

    pantry = Location.objects.get(source=SOURCE, source_id="3007")
    centre = geocode_address(postcode="60605")
    assert pantry.kind == LocationKind.PHYSICAL
    assert (pantry.latitude, pantry.longitude) == (centre.lat, centre.lng)
    assert pantry.coordinates_approximate
    service = Service.objects.get(source=SOURCE, source_id="2008")
    assert service.service_area == ServiceArea.LOCAL


def test_an_eligibility_column_in_services_csv_is_imported(tmp_path):
    fields, rows = FILES["services.csv"]
    rows = [[*row, "Women and children fleeing domestic violence" if i == 0 else ""]
            for i, row in enumerate(rows)]  # fmt: skip
    package = write_messy_211(
        tmp_path / "export", **{"services.csv": ([*fields, "eligibility"], rows)}
    )

    import_hsds(package, source=SOURCE)

    service = Service.objects.get(source=SOURCE, source_id=rows[0][0])
    assert "Women and children fleeing domestic violence" in service.eligibility


def test_rows_left_out_with_their_parents_make_one_cause_not_one_per_parent(tmp_path):
    fields, rows = FILES["services.csv"]
    orphans = [["2101", "1999", "A", "", "", "", "active", "", "", "", ""],
               ["2102", "1998", "B", "", "", "", "active", "", "", "", ""]]  # fmt: skip
    phones = [["6101", "", "2101", "", "", "", "312-555-0101", "", "voice", "", ""],
              ["6102", "", "2102", "", "", "", "312-555-0102", "", "voice", "", ""]]  # fmt: skip
    package = write_messy_211(
        tmp_path / "export", **plus("services.csv", *orphans), **plus("phones.csv", *phones)
    )

    report = import_hsds(package, source=SOURCE, skip_invalid=True)

    phone_causes = {
        c: n for c, n in report.causes.items() if c[0] == "phones.csv" and c[1] == "skipped"
    }
    assert list(phone_causes.values()) == [2], phone_causes
