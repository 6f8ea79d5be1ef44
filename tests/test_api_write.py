"""Editors' writes: token and session auth, permissions per role, full validation."""

from http import HTTPStatus

import pytest
from rest_framework.authtoken.models import Token

from providers.models import Location, OpeningHours, Organization, Phone, Service, Status
from providers.permissions import EDITORS, PROVIDER_STAFF

ORGS = "/api/v1/organizations/"
SERVICES = "/api/v1/services/"
LOCATIONS = "/api/v1/locations/"


@pytest.fixture
def editor(make_user):
    return make_user(role=EDITORS)


@pytest.fixture
def editor_client(api_client, editor):
    token = Token.objects.create(user=editor)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api_client


@pytest.fixture
def organization(db):
    return Organization.objects.create(name="Harbor House", status="published")


def location_payload(organization, **overrides):
    return {
        "organization": str(organization.id),
        "name": "Main office",
        "address_1": "350 Fifth Avenue",
        "city": "New York",
        "state": "ny",
        "postcode": "10001",
        "latitude": 40.7484,
        "longitude": -73.9967,
        "timezone": "America/New_York",
        "phones": [{"number": "(212) 555-0100", "kind": "voice"}],
        "hours": [{"weekday": 1, "opens_at": "09:00", "closes_at": "17:00"}],
        "accessibility": ["wheelchair"],
    } | overrides


def test_anonymous_users_cannot_write(organization, api_client):
    response = api_client.post(ORGS, {"name": "Sneaky"}, format="json")
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    patch = api_client.patch(f"{ORGS}{organization.id}/", {"name": "X"}, format="json")
    assert patch.status_code == HTTPStatus.UNAUTHORIZED
    assert Organization.objects.get().name == "Harbor House"


def test_signed_in_user_without_permissions_is_refused(organization, api_client, django_user_model):
    user = django_user_model.objects.create_user("nobody", "n@example.org", "x" * 16)
    api_client.force_authenticate(user)
    assert api_client.get(ORGS).status_code == HTTPStatus.FORBIDDEN
    response = api_client.post(ORGS, {"name": "Nope"}, format="json")
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_editor_creates_an_organization_with_phones_by_token(editor_client):
    response = editor_client.post(
        ORGS,
        {
            "name": "Harbor House",
            "website": "https://harbor.example.org/",
            "email": "help@harbor.example.org",
            "status": "published",
            "phones": [{"number": "212-555-0100", "extension": "12"}],
        },
        format="json",
    )
    assert response.status_code == HTTPStatus.CREATED, response.json()
    organization = Organization.objects.get(pk=response.json()["id"])
    assert organization.phones.get().number == "+12125550100"
    assert response.json()["phones"][0]["number"] == "+12125550100"


def test_editor_updates_with_patch_and_phones_are_replaced(editor_client, organization):
    Phone.objects.create(organization=organization, number="+12125550100")
    url = f"{ORGS}{organization.id}/"
    response = editor_client.patch(url, {"description": "Open late."}, format="json")
    assert response.status_code == HTTPStatus.OK
    assert organization.phones.count() == 1
    response = editor_client.patch(url, {"phones": [{"number": "988"}]}, format="json")
    assert response.status_code == HTTPStatus.OK
    assert list(organization.phones.values_list("number", flat=True)) == ["988"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "A", "website": "javascript:alert(1)"}, "website"),
        ({"name": "A", "website": "not a url"}, "website"),
        ({"name": "A", "email": "nobody"}, "email"),
        ({"name": "A", "status": "famous"}, "status"),
        ({"name": "A", "phones": [{"number": "12"}]}, "phones"),
        ({"name": "A", "phones": [{"number": "212-555-0100", "extension": "x9"}]}, "phones"),
        ({"name": "A", "last_verified_on": "yesterday"}, "last_verified_on"),
    ],
)
def test_invalid_organization_is_a_400_naming_the_field(editor_client, payload, field):
    response = editor_client.post(ORGS, payload, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert field in response.json()


def test_editor_creates_a_location_with_hours_phones_and_state_normalised(
    editor_client, organization
):
    response = editor_client.post(LOCATIONS, location_payload(organization), format="json")
    assert response.status_code == HTTPStatus.CREATED, response.json()
    location = Location.objects.get(pk=response.json()["id"])
    assert location.state == "NY"
    assert location.phones.get().number == "+12125550100"
    assert OpeningHours.objects.get(location=location).weekday == 1
    assert [t.slug for t in location.accessibility.all()] == ["wheelchair"]


def test_location_without_coordinates_is_placed_at_its_zip_code(editor_client, organization):
    payload = location_payload(organization, latitude=None, longitude=None)
    del payload["timezone"]
    payload["postcode"] = "60601"
    payload["city"], payload["state"] = "Chicago", "IL"
    response = editor_client.post(LOCATIONS, payload, format="json")
    assert response.status_code == HTTPStatus.CREATED, response.json()
    body = response.json()
    assert body["coordinates_approximate"] is True
    assert body["latitude"] == pytest.approx(41.88, abs=0.1)
    assert body["timezone"] == "America/Chicago"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"state": "XX"}, "state"),
        ({"postcode": "1234"}, "postcode"),
        ({"country": "usa"}, "country"),
        ({"latitude": 91}, "latitude"),
        ({"longitude": -200}, "longitude"),
        ({"latitude": None}, "latitude"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"kind": "remote"}, "kind"),
        ({"hours": [{"weekday": 8, "opens_at": "09:00", "closes_at": "17:00"}]}, "hours"),
        ({"hours": [{"weekday": 1, "opens_at": "09:00", "closes_at": "09:00"}]}, "hours"),
        ({"phones": [{"number": "call us"}]}, "phones"),
        ({"accessibility": ["teleporter"]}, "accessibility"),
        ({"organization": "00000000-0000-0000-0000-000000000000"}, "organization"),
    ],
)
def test_invalid_location_is_a_400_naming_the_field(editor_client, organization, overrides, field):
    payload = location_payload(organization) | overrides
    response = editor_client.post(LOCATIONS, payload, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert field in response.json(), response.json()


def test_physical_location_with_unknown_place_needs_coordinates(editor_client, organization):
    payload = location_payload(organization, latitude=None, longitude=None, postcode="", city="")
    response = editor_client.post(LOCATIONS, payload, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "latitude" in response.json()


def test_editor_creates_a_service_linked_to_its_location(editor_client, organization):
    location = editor_client.post(LOCATIONS, location_payload(organization), format="json").json()
    response = editor_client.post(
        SERVICES,
        {
            "organization": str(organization.id),
            "name": "Legal clinic",
            "service_types": ["legal-assistance"],
            "victimizations": ["labor-trafficking"],
            "languages": ["es", "en"],
            "locations": [location["id"]],
            "service_area": "states",
            "service_area_states": ["ny", "nj"],
            "phones": [{"number": "+1 212 555 0100", "kind": "hotline"}],
        },
        format="json",
    )
    assert response.status_code == HTTPStatus.CREATED, response.json()
    service = Service.objects.get(pk=response.json()["id"])
    assert service.service_area_states == ["NJ", "NY"]
    assert sorted(t.slug for t in service.terms.all()) == ["labor-trafficking", "legal-assistance"]
    assert [str(loc.id) for loc in service.locations.all()] == [location["id"]]
    # Now the public search finds it.
    search = editor_client.get("/api/v1/providers/?near=10001&service=legal-assistance").json()
    assert [row["name"] for row in search["results"]] == ["Legal clinic"]
    # A PATCH of one kind of term keeps the others.
    url = f"{SERVICES}{service.id}/"
    editor_client.patch(url, {"service_types": ["victim-advocacy"]}, format="json")
    assert sorted(t.slug for t in service.terms.all()) == ["labor-trafficking", "victim-advocacy"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"service_types": ["flying"]}, "service_types"),
        ({"service_types": "legal-assistance"}, "service_types"),
        ({"languages": ["klingon"]}, "languages"),
        ({"cost": "cheap"}, "cost"),
        ({"service_area": "states"}, "service_area_states"),
        ({"service_area": "states", "service_area_states": ["ZZ"]}, "service_area_states"),
        ({"service_area": "local", "service_area_states": ["NY"]}, "service_area_states"),
        ({"service_area": "radius", "service_area_lat": 40.7}, "service_area_lng"),
        ({"service_area": "nationwide", "service_area_radius_mi": 5}, "service_area_radius_mi"),
        (
            {
                "service_area": "radius",
                "service_area_lat": 40.7,
                "service_area_lng": -74,
                "service_area_radius_mi": 0,
            },
            "service_area_radius_mi",
        ),
        ({"website": "ftp://example.org/"}, "website"),
        ({"email": "@@"}, "email"),
    ],
)
def test_invalid_service_is_a_400_naming_the_field(editor_client, organization, payload, field):
    body = {"organization": str(organization.id), "name": "Clinic"} | payload
    response = editor_client.post(SERVICES, body, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert field in response.json(), response.json()


def test_service_cannot_use_another_organizations_location(editor_client, organization):
    other = Organization.objects.create(name="Other")
    location = Location.objects.create(organization=other, latitude=40.0, longitude=-74.0)
    body = {"organization": str(organization.id), "name": "X", "locations": [str(location.id)]}
    response = editor_client.post(SERVICES, body, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "locations" in response.json()


@pytest.fixture
def staff_client(api_client, make_user, organization):
    """Provider staff of `organization` only, by token."""
    user = make_user(role=PROVIDER_STAFF, organizations=[organization])
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return api_client


def test_provider_staff_edit_only_their_own_organization(staff_client, organization):
    other = Organization.objects.create(name="Not mine", status=Status.PUBLISHED)
    ok = staff_client.patch(f"{ORGS}{organization.id}/", {"description": "New"}, format="json")
    assert ok.status_code == HTTPStatus.OK
    assert [o["name"] for o in staff_client.get(ORGS).json()["results"]] == ["Harbor House"]
    other_url = f"{ORGS}{other.id}/"
    assert staff_client.patch(other_url, {"name": "X"}, format="json").status_code == 404
    body = {"organization": str(other.id), "name": "Sneaky", "status": "draft"}
    assert staff_client.post(SERVICES, body, format="json").status_code == HTTPStatus.FORBIDDEN
    payload = location_payload(other)
    assert staff_client.post(LOCATIONS, payload, format="json").status_code == 403
    assert not Service.objects.filter(name="Sneaky").exists()
    assert Organization.objects.get(pk=other.pk).name == "Not mine"


def test_provider_staff_cannot_publish_or_verify(staff_client, organization):
    body = {"organization": str(organization.id), "name": "New clinic"}
    created = staff_client.post(SERVICES, body, format="json")
    assert created.status_code == HTTPStatus.CREATED
    assert created.json()["status"] == Status.DRAFT  # waits for an editor
    service_url = f"{SERVICES}{created.json()['id']}/"
    publish = staff_client.patch(service_url, {"status": "published"}, format="json")
    assert publish.status_code == HTTPStatus.FORBIDDEN
    assert Service.objects.get(pk=created.json()["id"]).status == Status.DRAFT
    live = body | {"name": "Live clinic", "status": "published"}
    assert staff_client.post(SERVICES, live, format="json").status_code == 403
    verify = {"last_verified_on": "2026-01-02"}
    url = f"{ORGS}{organization.id}/"
    assert staff_client.patch(url, verify, format="json").status_code == 403
    # Taking their own listing down is always allowed (a closed shelter must leave at once).
    down = staff_client.patch(url, {"status": "retired"}, format="json")
    assert down.status_code == HTTPStatus.OK


def test_provider_staff_cannot_create_organizations(staff_client):
    response = staff_client.post(ORGS, {"name": "Brand new"}, format="json")
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_editors_publish_and_verify(editor_client, organization):
    url = f"{ORGS}{organization.id}/"
    response = editor_client.patch(url, {"last_verified_on": "2026-01-02"}, format="json")
    assert response.status_code == HTTPStatus.OK
    body = {"organization": str(organization.id), "name": "Clinic"}
    assert editor_client.post(SERVICES, body, format="json").json()["status"] == "published"


def test_session_auth_writes_need_csrf(organization, editor):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(editor)
    response = client.patch(f"{ORGS}{organization.id}/", {"name": "X"}, format="json")
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "CSRF" in response.json()["detail"]


def test_editor_list_is_paginated_and_detail_has_etag(editor_client, organization):
    listing = editor_client.get(ORGS).json()
    assert listing["count"] == 1 and listing["results"][0]["name"] == "Harbor House"
    detail = editor_client.get(f"{ORGS}{organization.id}/")
    again = editor_client.get(f"{ORGS}{organization.id}/", HTTP_IF_NONE_MATCH=detail["ETag"])
    assert again.status_code == HTTPStatus.NOT_MODIFIED


def test_delete_is_not_offered(editor_client, organization):
    response = editor_client.delete(f"{ORGS}{organization.id}/")
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


@pytest.mark.parametrize(
    ("url", "payload", "field"),
    [
        (SERVICES, {"languages": ["e\x00"]}, "languages"),
        (SERVICES, {"service_types": ["legal\x00"]}, "service_types"),
        (
            SERVICES,
            {"service_area": "states", "service_area_states": ["N\x00"]},
            "service_area_states",
        ),
        (LOCATIONS, {"accessibility": ["wheel\x00"]}, "accessibility"),
        (LOCATIONS, {"timezone": "America/New_York\x00"}, "timezone"),
        (ORGS, {"phones": [{"number": "+12125550100", "note": "\x00"}]}, "phones"),
    ],
)
def test_null_characters_are_a_400_not_a_database_error(
    editor_client, organization, url, payload, field
):
    base = {"organization": str(organization.id), "name": "N"}
    if url == LOCATIONS:
        base |= {"latitude": 40.0, "longitude": -74.0}
    response = editor_client.post(url, base | payload, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert field in response.json()
