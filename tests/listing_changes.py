"""Writes to what a provider row shows, one of each kind, for the tests of kept and stored
rows: each makes its change to a listing and returns a check that a row shows it. Also the
listing they change, and how to open a second PostgreSQL connection to the test database."""

from datetime import time

from django.db import connection

from providers.models import (
    Language,
    Location,
    OpeningHours,
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


def postgres_parameters() -> dict:
    """psycopg.connect() arguments for another connection to the test database."""
    settings_dict = connection.settings_dict
    return {
        "dbname": settings_dict["NAME"],
        "user": settings_dict["USER"],
        "host": settings_dict["HOST"],
        "port": settings_dict["PORT"] or 5432,
    }
