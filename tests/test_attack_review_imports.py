"""Attack review of the imports that now write rows without model instances (inserts.py):
a confidential location imported in bulk must still get its own random offset (1 to 2 miles,
any bearing), or its public point, and every distance the search gives, would be its own."""

import io
import math

import pytest
from django.core.management import call_command
from hsds_support import write_csv

from providers.importers.csv_flat import COLUMNS
from providers.models import Location, ServiceAtLocation

pytestmark = pytest.mark.django_db


def test_bulk_imported_confidential_locations_each_get_their_own_offset(tmp_path):
    rows = [
        {
            "organization_name": f"Quiet Shelter {n}",
            "service_types": "Victim Advocacy",
            "street": f"{100 + n} Fifth Avenue",
            "city": "New York",
            "state": "NY",
            "zip": "10118",
            "phone": "212-555-0100",
            "latitude": f"{40.70 + n / 1000:.4f}",
            "longitude": "-73.9900",
            "address_confidential": "yes",
        }
        for n in range(12)
    ]
    path = tmp_path / "shelters.csv"
    fields = [c for c in COLUMNS if c in rows[0]] + [c for c in COLUMNS if c not in rows[0]]
    write_csv(path, fields, [{k: row.get(k, "") for k in fields} for row in rows])
    call_command("import_csv", str(path), "--no-progress", stdout=io.StringIO())
    first = dict(Location.objects.values_list("pk", "offset_bearing"))
    # Imported again (a weekly refresh): a new draw would give each shelter a second public
    # point, and two circles of distances around two points narrow down the real one.
    call_command("import_csv", str(path), "--no-progress", stdout=io.StringIO())
    assert dict(Location.objects.values_list("pk", "offset_bearing")) == first
    shelters = list(Location.objects.filter(address_confidential=True))
    assert len(shelters) == 12
    assert all(1 <= s.offset_mi <= 2 for s in shelters)
    assert len({s.offset_bearing for s in shelters}) == 12  # drawn for each, not once
    for shelter in shelters:
        [row] = ServiceAtLocation.objects.filter(location=shelter)
        assert (row.search_lat, row.search_lng) == pytest.approx(shelter.search_point)
        # at least a mile off (a degree of latitude is 69 miles)
        assert math.dist(shelter.search_point, (shelter.latitude, shelter.longitude)) > 1 / 70
