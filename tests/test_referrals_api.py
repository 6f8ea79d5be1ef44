"""/api/v1/referrals/ and /api/v1/lists/: token auth, the same consent and workflow rules."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from referrals.models import Referral, ResourceList

pytestmark = pytest.mark.django_db


def as_user(user) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return api


def referral_body(sal, **changes) -> dict:
    today = timezone.localdate()
    return {
        "service_at_location": str(sal.pk),
        "needs": ["legal-assistance"],
        "client_reference": "KL",
        "contact_method": "text",
        "contact_value": "(212) 555-0199",
        "note": "",
        "consent_given": True,
        "consent_given_on": today.isoformat(),
        "consent_expires_on": (today + timedelta(days=30)).isoformat(),
        **changes,
    }


def test_advocate_sends_a_referral_and_the_list_shows_no_client_fields(referral_world):
    api = as_user(referral_world.advocate_a)
    response = api.post("/api/v1/referrals/", referral_body(referral_world.sal_p), format="json")
    assert response.status_code == HTTPStatus.CREATED, response.json()
    body = response.json()
    assert body["status"] == "sent" and "client" not in body
    referral = Referral.objects.get(pk=body["id"])
    assert referral.contact_value == "+12125550199"
    assert referral.agency == referral_world.agency_a
    listing = api.get("/api/v1/referrals/").json()
    assert listing["count"] == 2
    assert all("client" not in row and "KL" not in str(row) for row in listing["results"])


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"consent_given": False}, "consent_given"),
        ({"consent_expires_on": "2000-01-01"}, "consent_expires_on"),
        ({"contact_value": "not a phone"}, "contact_value"),
        ({"contact_method": "email", "contact_value": "nope"}, "contact_value"),
        ({"needs": []}, "needs"),
        ({"needs": ["made-up"]}, "needs"),
        ({"service_at_location": "00000000-0000-0000-0000-000000000000"}, "service_at_location"),
    ],
)
def test_bad_referral_is_400_naming_the_field(referral_world, changes, field):
    api = as_user(referral_world.advocate_a)
    response = api.post(
        "/api/v1/referrals/", referral_body(referral_world.sal_p, **changes), format="json"
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert field in response.json()
    assert Referral.objects.count() == 1


def test_client_will_call_stores_no_contact(referral_world):
    api = as_user(referral_world.advocate_a)
    body = referral_body(
        referral_world.sal_p, contact_method="client_will_call", contact_value="+12125550199"
    )
    response = api.post("/api/v1/referrals/", body, format="json")
    assert response.status_code == HTTPStatus.CREATED
    assert Referral.objects.get(pk=response.json()["id"]).contact_value == ""


def test_provider_accepts_and_marks_help_received_via_api(referral_world):
    referral = referral_world.referral
    api = as_user(referral_world.staff_p)
    detail = api.get(f"/api/v1/referrals/{referral.pk}/").json()
    assert detail["status"] == "received"
    for status in ("accepted", "help_received"):
        response = api.post(f"/api/v1/referrals/{referral.pk}/status/", {"status": status})
        assert response.status_code == HTTPStatus.OK
    advocate_view = as_user(referral_world.advocate_a).get(f"/api/v1/referrals/{referral.pk}/")
    statuses = [event["status"] for event in advocate_view.json()["events"]]
    assert statuses == ["sent", "received", "accepted", "help_received"]


def test_disallowed_move_is_400_with_a_reason(referral_world):
    api = as_user(referral_world.advocate_a)
    response = api.post(
        f"/api/v1/referrals/{referral_world.referral.pk}/status/", {"status": "accepted"}
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "cannot be moved" in response.json()["status"][0]


def test_filter_by_status_and_reject_unknown_status(referral_world):
    api = as_user(referral_world.advocate_a)
    assert api.get("/api/v1/referrals/?status=sent").json()["count"] == 1
    assert api.get("/api/v1/referrals/?status=closed").json()["count"] == 0
    response = api.get("/api/v1/referrals/?status=lost")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "status" in response.json()


def test_list_api_create_add_share_and_remove(referral_world, client):
    api = as_user(referral_world.advocate_a)
    created = api.post("/api/v1/lists/", {"title": "Legal help", "language": "es"}, format="json")
    assert created.status_code == HTTPStatus.CREATED
    pk = created.json()["id"]
    added = api.post(
        f"/api/v1/lists/{pk}/items/", {"service_at_location": str(referral_world.sal_p.pk)}
    )
    assert added.status_code == HTTPStatus.CREATED
    item = added.json()["items"][0]
    assert item["organization"] == "Provider P Legal Aid"
    again = api.post(
        f"/api/v1/lists/{pk}/items/", {"service_at_location": str(referral_world.sal_p.pk)}
    )
    assert again.status_code == HTTPStatus.BAD_REQUEST
    shared = api.post(f"/api/v1/lists/{pk}/share/").json()
    assert shared["share_url"].startswith("http://testserver/l/")
    assert client.get(shared["share_url"].removeprefix("http://testserver")).status_code == 200
    removed = api.delete(f"/api/v1/lists/{pk}/items/{item['id']}/")
    assert removed.status_code == HTTPStatus.NO_CONTENT
    assert ResourceList.objects.get(pk=pk).items.count() == 0


def test_provider_staff_cannot_make_lists(referral_world):
    api = as_user(referral_world.staff_p)
    response = api.post("/api/v1/lists/", {"title": "x", "language": "en"}, format="json")
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_referral_list_query_count_is_fixed(
    referral_world, make_referral, django_assert_max_num_queries
):
    for _ in range(8):
        make_referral(
            agency=referral_world.agency_a, sal=referral_world.sal_p, by=referral_world.advocate_a
        )
    api = as_user(referral_world.advocate_a)
    with django_assert_max_num_queries(8):
        assert api.get("/api/v1/referrals/").json()["count"] == 9
