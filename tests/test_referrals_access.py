"""Every referral is visible only to the referring agency, the receiving organization and site
admins: every other access is refused (404, so existence is not revealed; 401/redirect when
anonymous), on pages and in the API."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from referrals.models import ClientDataAccess, ReferralStatus

CLIENT_VALUES = ("JD-7", "+12125550123", "Safe to call after 6pm")

pytestmark = pytest.mark.django_db


def page(referral):
    return reverse("referrals:referral-detail", kwargs={"pk": referral.pk})


def api(referral):
    return f"/api/v1/referrals/{referral.pk}/"


@pytest.mark.parametrize("who", ["advocate_b", "staff_q", "outsider"])
def test_referral_page_is_404_for_other_agencies_and_providers(client, referral_world, who):
    client.force_login(getattr(referral_world, who))
    response = client.get(page(referral_world.referral))
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert not any(value.encode() in response.content for value in CLIENT_VALUES)
    assert not ClientDataAccess.objects.exists()


@pytest.mark.parametrize("who", ["advocate_b", "staff_q", "outsider"])
def test_status_change_is_404_for_other_agencies_and_providers(client, referral_world, who):
    client.force_login(getattr(referral_world, who))
    url = reverse("referrals:referral-status", kwargs={"pk": referral_world.referral.pk})
    response = client.post(url, {"status": "closed"})
    assert response.status_code == HTTPStatus.NOT_FOUND
    referral_world.referral.refresh_from_db()
    assert referral_world.referral.status == ReferralStatus.SENT


def test_referral_page_redirects_anonymous_to_sign_in(client, referral_world):
    response = client.get(page(referral_world.referral))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("referrals:sign-in"))


@pytest.mark.parametrize("who", ["advocate_a", "advocate_a2", "staff_p", "site_admin"])
def test_referral_page_shows_client_details_to_each_party_and_logs_it(client, referral_world, who):
    user = getattr(referral_world, who)
    client.force_login(user)
    response = client.get(page(referral_world.referral))
    assert response.status_code == HTTPStatus.OK
    assert b"JD-7" in response.content
    assert response["Cache-Control"].startswith("max-age=0")
    log = ClientDataAccess.objects.get()
    assert (log.user, log.referral, log.via) == (user, referral_world.referral, "page")


@pytest.mark.parametrize("who", ["advocate_b", "staff_q", "outsider"])
def test_api_referral_detail_is_404_for_other_agencies_and_providers(client, referral_world, who):
    client.force_login(getattr(referral_world, who))
    assert client.get(api(referral_world.referral)).status_code == HTTPStatus.NOT_FOUND
    response = client.post(f"{api(referral_world.referral)}status/", {"status": "closed"})
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert not ClientDataAccess.objects.exists()


@pytest.mark.parametrize("who", ["advocate_b", "staff_q", "outsider"])
def test_api_referral_list_leaves_out_other_agencies_referrals(client, referral_world, who):
    client.force_login(getattr(referral_world, who))
    response = client.get("/api/v1/referrals/")
    assert response.status_code == HTTPStatus.OK
    assert response.json()["count"] == 0


def test_api_is_401_for_anonymous(client, referral_world):
    for url in ("/api/v1/referrals/", api(referral_world.referral), "/api/v1/lists/"):
        response = client.get(url)
        assert response.status_code == HTTPStatus.UNAUTHORIZED
        assert response["WWW-Authenticate"].startswith("Token")


def test_api_accepts_a_token_and_logs_client_data_reads(client, referral_world):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=referral_world.staff_p)
    response = client.get(api(referral_world.referral), HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == HTTPStatus.OK
    assert response.json()["client"]["client_reference"] == "JD-7"
    assert ClientDataAccess.objects.get().via == "api"


def test_api_with_another_agencys_token_is_404(client, referral_world):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=referral_world.advocate_b)
    response = client.get(api(referral_world.referral), HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_site_admin_sees_every_referral_in_the_api(client, referral_world, make_referral):
    make_referral(
        agency=referral_world.agency_b, sal=referral_world.sal_q, by=referral_world.advocate_b
    )
    client.force_login(referral_world.site_admin)
    assert client.get("/api/v1/referrals/").json()["count"] == 2


def test_provider_sees_only_referrals_to_its_organization(client, referral_world, make_referral):
    make_referral(
        agency=referral_world.agency_b, sal=referral_world.sal_q, by=referral_world.advocate_b
    )
    client.force_login(referral_world.staff_q)
    found = client.get("/api/v1/referrals/").json()["results"]
    assert [r["organization"]["name"] for r in found] == ["Provider Q Shelter"]


def test_other_agencys_list_is_404_on_pages_and_api(client, referral_world):
    from referrals.models import ResourceList

    own = ResourceList.objects.create(agency=referral_world.agency_a, title="Housing help")
    client.force_login(referral_world.advocate_b)
    for name in ("referrals:list-detail", "referrals:list-print"):
        response = client.get(reverse(name, kwargs={"pk": own.pk}))
        assert response.status_code == HTTPStatus.NOT_FOUND
    response = client.post(reverse("referrals:list-share", kwargs={"pk": own.pk}))
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert client.get(f"/api/v1/lists/{own.pk}/").status_code == HTTPStatus.NOT_FOUND
    assert client.delete(f"/api/v1/lists/{own.pk}/").status_code == HTTPStatus.NOT_FOUND
    assert ResourceList.objects.filter(pk=own.pk).exists()


def test_advocate_pages_refuse_provider_staff_and_people_without_an_agency(client, referral_world):
    for who in ("staff_p", "outsider"):
        client.force_login(getattr(referral_world, who))
        for name in ("referrals:search", "referrals:lists", "referrals:export"):
            assert client.get(reverse(name)).status_code == HTTPStatus.FORBIDDEN


def test_provider_staff_cannot_send_referrals_in_the_api(client, referral_world):
    client.force_login(referral_world.staff_p)
    response = client.post("/api/v1/referrals/", {}, content_type="application/json")
    assert response.status_code == HTTPStatus.FORBIDDEN
