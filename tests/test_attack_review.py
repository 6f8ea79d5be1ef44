"""An attacker's review of the day's changes (results map, directions, translations, listing
history, duplicates and merge, federated sync, jobs, logs, /healthz): each attack that found
a hole is a test here beside the fix; attacks the defences held against are kept where they
add coverage the other modules lack."""

import pytest
from conftest import create_provider

from providers.merge import merge_organizations
from providers.models import Location, ServiceAtLocation

pytestmark = pytest.mark.django_db

SHELTER = (41.8781, -87.6298)


def _search_point(sal_pk):
    sal = ServiceAtLocation.objects.get(pk=sal_pk)
    return (sal.search_lat, sal.search_lng)


def test_a_merge_gives_a_shelter_no_second_public_point():
    """Two public points of one shelter narrow it to where their rings cross (docs/
    public-pages.md). A confidential location folded into a same-address one that had no
    coordinates lends it its point: the kept record must measure from the shelter's own
    public point, not a new offset of the same point."""
    shelter = create_provider(
        name="Safe Harbor", street="5 Oak St", lat=SHELTER[0], lng=SHELTER[1],
        city="Chicago", state="IL", postcode="60601", phone="3125550101", confidential=True,
    )  # fmt: skip
    known = _search_point(shelter.pk)  # what a script recovers by bisecting the radius
    office = create_provider(
        name="Safe Harbor Inc", street="5 Oak St", lat=None, lng=None,
        city="Chicago", state="IL", postcode="60601", phone="3125550199",
    )  # fmt: skip
    merge_organizations(keep=office.service.organization, other=shelter.service.organization)
    into = Location.objects.get(pk=office.location_id)
    assert into.address_confidential
    assert into.latitude == pytest.approx(SHELTER[0])
    for sal in ServiceAtLocation.objects.filter(location=into, service__status="published"):
        assert _search_point(sal.pk) == pytest.approx(known, abs=1e-9)
