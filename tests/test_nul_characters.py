"""A NUL character ("\\x00") typed anywhere is refused with a reason, never a 500.

PostgreSQL cannot store NUL in text and psycopg refuses to send it, so a value that reached
the database with one was a server error there (SQLite stores it). Every test here runs on
both databases (`make test` and `make test-postgres`); the write API's own cases are in
tests/test_api_write.py.
"""

import json
from http import HTTPStatus

import pytest
from django.urls import reverse
from hsds_support import write_csv

from providers.importers.csv_flat import COLUMNS, import_csv
from providers.importers.hsds import import_hsds
from providers.importers.report import ImportFailed
from providers.models import Organization, Suggestion
from providers.permissions import SITE_ADMINS

pytestmark = pytest.mark.django_db

NUL = "\x00"
REASON = "Null characters are not allowed."


@pytest.fixture
def row(make_provider):
    return make_provider(name="Harbor House", phone="+12125550100", services=("victim-advocacy",))


@pytest.mark.parametrize(
    "query",
    [
        {"near": f"10001{NUL}"},
        {"near": "10001", "service": f"legal-assistance{NUL}"},
        {"near": "10001", "language": f"es{NUL}"},
        {"lat": f"40.7{NUL}", "lng": "-74.0"},
    ],
)
def test_results_page_with_nul_gets_its_forms_friendly_message(client, row, query):
    response = client.get("/", query)
    assert response.status_code == HTTPStatus.OK
    assert "Please check your search" in response.content.decode()


def test_the_reason_is_in_the_pages_language(client, row):
    response = client.get("/es/options/find/", {"near": f"10001{NUL}"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Los caracteres nulos no están permitidos." in response.content.decode()


def test_a_percent_sign_that_is_not_a_nul_is_searched(client, row):
    assert client.get("/", {"near": "10001", "q": "%00"}).status_code == HTTPStatus.OK


@pytest.mark.parametrize(
    "query",
    [
        {"near": f"10001{NUL}"},
        {"near": "10001", "q": f"legal{NUL}"},
        {"near": "10001", "service_type": f"legal-assistance{NUL}"},
        {"near": "10001", "language": f"es{NUL}"},
        {"near": "10001", "state": f"NY{NUL}"},
        {"lat": f"40.7{NUL}", "lng": "-74.0"},
        {"near": "10001", "page": f"2{NUL}"},
        {"near": "10001", "cursor": f"abc{NUL}"},
    ],
)
def test_api_search_with_nul_is_a_400_naming_the_parameter(api_client, row, query):
    response = api_client.get("/api/v1/providers/", query)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    named = next(key for key, value in query.items() if NUL in value)
    assert response.json() == {named: [REASON]}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/places/?q=Austin%00",
        "/api/v1/terms/?kind=service_type%00",
        "/api/hsds/services?search=legal%00",
        "/api/hsds/services?taxonomy_term_id=abc%00",
        "/api/hsds/organizations?search=x%00",
        "/api/hsds/service_at_locations?postcode=10001%00",
        "/options/find/?near=10001%00&service=legal-assistance%00",
        "/options/help/?near=10001%00",
    ],
)
def test_other_read_endpoints_with_nul_are_a_400(client, row, path):
    response = client.get(path)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert REASON in response.content.decode()


def test_correction_form_with_nul_is_refused_with_a_message(client, row):
    url = reverse("directory:suggest-correction", args=[row.pk])
    response = client.post(url, {"name": f"Harbor{NUL}House", "message": "x"})
    assert response.status_code == HTTPStatus.OK
    assert "Null characters are not allowed." in response.content.decode()
    assert not Suggestion.objects.exists()


@pytest.mark.parametrize(
    "field", ["name", "phone_voice", "city", "state", "postcode", "services", "message"]
)
def test_new_provider_form_with_nul_is_refused_with_a_message(client, field):
    data = {
        "name": "Hill Country Advocates",
        "phone_voice": "(512) 555-0100",
        "city": "Austin",
        "state": "tx",
        "postcode": "78701",
        "services": ["legal-assistance"],
        "message": "They opened last month.",
    }
    data[field] = [f"legal-assistance{NUL}"] if field == "services" else f"{data[field]}{NUL}"
    response = client.post(reverse("directory:suggest-provider"), data)
    assert response.status_code in (HTTPStatus.OK, HTTPStatus.BAD_REQUEST)
    assert not Suggestion.objects.exists()


def test_csv_import_with_nul_names_the_row_and_writes_nothing(tmp_path):
    path = tmp_path / "coalition.csv"
    good = {
        "organization_name": "Riverside Advocacy",
        "service_types": "Victim Advocacy",
        "street": "350 Fifth Avenue",
        "city": "New York",
        "state": "NY",
        "zip": "10118",
        "phone": "212-555-0100",
    }
    bad = good | {"organization_name": f"Second{NUL}Org", "description": f"x{NUL}y"}
    write_csv(path, COLUMNS, [{k: r.get(k, "") for k in COLUMNS} for r in (good, bad)])
    with pytest.raises(ImportFailed) as failure:
        import_csv(path)
    invalid = [(i.row, i.field, i.message) for i in failure.value.report.invalid]
    assert invalid == [(3, "organization_name", "contains a NUL character (\\x00)")]
    assert not Organization.objects.exists()


def test_hsds_json_import_with_nul_names_the_row_and_writes_nothing(tmp_path):
    services = [
        {"id": "s-1", "name": "Court Support", "organization": {"id": "o-1", "name": "DA"}},
        {"id": "s-2", "name": f"Shelter{NUL}", "organization": {"id": "o-2", "name": "Home"}},
    ]
    (tmp_path / "services.json").write_text(json.dumps(services), encoding="utf-8")
    with pytest.raises(ImportFailed) as failure:
        import_hsds(tmp_path, source="feed")
    invalid = [(i.file, i.row, i.field, i.message) for i in failure.value.report.invalid]
    assert invalid == [("services.csv", 3, "name", "contains a NUL character (\\x00)")]
    assert not Organization.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/admin/providers/organization/?q=Harbor%00",
        "/admin/providers/location/?q=%00",
        "/admin/providers/service/?q=x%00",
        "/admin/providers/suggestion/?q=x%00",
        "/admin/referrals/referral/?q=x%00",
        "/admin/providers/organization/?status=published%00",
        "/referrals/search/?near=10001%00",
        "/referrals/?q=x%00",
    ],
)
def test_signed_in_pages_with_nul_are_a_400(client, make_user, row, path):
    client.force_login(make_user(role=SITE_ADMINS, is_superuser=True))
    response = client.get(path)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert REASON in response.content.decode()
