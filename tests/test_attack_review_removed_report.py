"""Attack review: an import report names the phones, hours and links a re-import removed by whose
they were; a confidential location without a name must not be named by its street."""

from datetime import time

import pytest

from providers.importers.removed import describe_hours, describe_links, describe_phones
from providers.models import Location, OpeningHours, Phone, ServiceAtLocation

STREET = "12 Hidden Lane"


@pytest.fixture
def nameless_shelter(make_provider):
    sal = make_provider(name="Quiet Harbor", confidential=True, street=STREET, city="Boston")
    location = sal.location
    Location.objects.filter(pk=location.pk).update(name="")
    location.refresh_from_db()
    Phone.objects.create(location=location, number="+16175550142", kind=Phone.Kind.HOTLINE)
    OpeningHours.objects.create(location=location, weekday=6, opens_at=time(10), closes_at=time(14))
    return location


@pytest.mark.django_db
def test_a_removed_phone_of_a_nameless_confidential_location_never_names_its_street(
    nameless_shelter,
):
    rows = describe_phones(Phone.objects.filter(location=nameless_shelter), 50)
    assert rows, "the shelter's phone is described"
    assert not any("Hidden Lane" in part for row in rows for part in row)
    assert all("Boston" in owner for owner, _value, _reference in rows)


@pytest.mark.django_db
def test_removed_hours_of_a_nameless_confidential_location_never_name_its_street(
    nameless_shelter,
):
    rows = describe_hours(OpeningHours.objects.filter(location=nameless_shelter), 50)
    assert rows
    assert not any("Hidden Lane" in part for row in rows for part in row)


@pytest.mark.django_db
def test_a_removed_link_to_a_nameless_confidential_location_never_names_its_street(
    nameless_shelter,
):
    rows = describe_links(ServiceAtLocation.objects.filter(location=nameless_shelter), 50)
    assert rows
    assert not any("Hidden Lane" in part for row in rows for part in row)
    assert all(value == "location Boston" for _owner, value, _reference in rows)
