"""Every kind of write to what a listing shows is in the API's next answer: rows are built
from the tables on each request, so a shelter made confidential stops showing its street at
once and a retired service stops being found by id."""

from datetime import time
from http import HTTPStatus

import pytest
from django.db import connection, transaction

from providers.models import (
    Language,
    Location,
    OpeningHours,
    Organization,
    Phone,
    Service,
    ServiceAtLocation,
    Term,
)


def _organization_save(sal):
    organization = sal.service.organization
    organization.name = "Renamed Aid"
    organization.save()
    return lambda row: row["organization"]["name"] == "Renamed Aid"


def _service_update(sal):
    Service.objects.filter(pk=sal.service_id).update(description="Walk-ins welcome")
    return lambda row: row["description"] == "Walk-ins welcome"


def _made_confidential(sal):
    Location.objects.filter(pk=sal.location_id).update(address_confidential=True)
    return lambda row: (
        row["location"]["address_1"] == ""
        and row["location"]["lat"] is None
        and row["location"]["address_confidential"] is True
    )


def _phone_added(sal):
    Phone.objects.create(location=sal.location, number="+12125550199", kind="text")
    return lambda row: "+12125550199" in [phone["number"] for phone in row["phones"]]


def _phone_deleted_by_raw_sql(sal):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM providers_phone")
    return lambda row: row["phones"] == []


def _phone_added_ignoring_conflicts(sal):
    # INSERT OR IGNORE on SQLite: its conflict clause must not reach the trigger's writes.
    Phone.objects.bulk_create(
        [Phone(organization=sal.service.organization, number="+12125550188")],
        ignore_conflicts=True,
    )
    return lambda row: "+12125550188" in [phone["number"] for phone in row["phones"]]


def _hours_bulk_created(sal):
    OpeningHours.objects.bulk_create(
        [OpeningHours(location=sal.location, weekday=6, opens_at=time(10), closes_at=time(14))]
    )
    return lambda row: len(row["hours"]) == 2


def _service_type_added(sal):
    sal.service.terms.add(Term.objects.get(slug="case-management"))
    return lambda row: "case-management" in row["services"]


def _language_removed(sal):
    sal.service.languages.remove(Language.objects.get(code="es"))
    return lambda row: [language["code"] for language in row["languages"]] == ["en"]


def _accessibility_cleared(sal):
    sal.location.accessibility.clear()
    return lambda row: row["location"]["accessibility"] == []


def _term_renamed(sal):
    Term.objects.filter(slug="legal-assistance").update(slug="legal-help")
    return lambda row: "legal-help" in row["services"]


def _language_renamed(sal):
    Language.objects.filter(code="es").update(name="Castilian")
    return lambda row: "Castilian" in [language["name"] for language in row["languages"]]


def _location_moved(sal):
    ServiceAtLocation.objects.filter(pk=sal.pk).update(description="x")
    Location.objects.filter(pk=sal.location_id).update(city="Brooklyn")
    return lambda row: row["location"]["city"] == "Brooklyn"


CHANGES = [
    _organization_save,
    _service_update,
    _made_confidential,
    _phone_added,
    _phone_deleted_by_raw_sql,
    _phone_added_ignoring_conflicts,
    _hours_bulk_created,
    _service_type_added,
    _language_removed,
    _accessibility_cleared,
    _term_renamed,
    _language_renamed,
    _location_moved,
]


def legal_aid(make_provider) -> ServiceAtLocation:
    """The listing the changes are made to."""
    return make_provider(
        name="Legal Aid",
        services=("legal-assistance",),
        languages=("en", "es"),
        accessibility=("wheelchair",),
        hours=((1, time(9), time(17)),),
    )


SEARCH = "/api/v1/providers/?lat=40.7484&lng=-73.9967"


@pytest.fixture
def legal(make_provider):
    return legal_aid(make_provider)


def detail(api_client, sal) -> dict:
    response = api_client.get(f"/api/v1/providers/{sal.pk}/")
    assert response.status_code == HTTPStatus.OK, response.content
    return response.json()


@pytest.mark.parametrize("change", CHANGES)
def test_every_kind_of_write_shows_in_the_next_answer(api_client, legal, change):
    detail(api_client, legal)
    shows_change = change(legal)
    assert shows_change(detail(api_client, legal))
    assert shows_change(api_client.get(SEARCH).json()["results"][0])


@pytest.mark.parametrize(
    "retire",
    [
        lambda sal: Service.objects.filter(pk=sal.service_id).update(status="retired"),
        lambda sal: Organization.objects.filter(pk=sal.service.organization_id).update(
            status="draft"
        ),
        lambda sal: ServiceAtLocation.objects.filter(pk=sal.pk).delete(),
    ],
    ids=["service retired", "organization unpublished", "row deleted"],
)
def test_a_row_that_stops_being_listed_is_not_found_by_id(api_client, legal, retire):
    detail(api_client, legal)
    retire(legal)
    assert api_client.get(f"/api/v1/providers/{legal.pk}/").status_code == HTTPStatus.NOT_FOUND


def test_a_rolled_back_write_leaves_the_row_as_it_was(api_client, legal):
    before = detail(api_client, legal)
    with pytest.raises(RuntimeError), transaction.atomic():
        Organization.objects.filter(pk=legal.service.organization_id).update(name="Not saved")
        assert detail(api_client, legal)["organization"]["name"] == "Not saved"
        raise RuntimeError
    assert detail(api_client, legal) == before
