"""Referrer-Policy: none at all on survivor-facing pages, same-origin on pages with POST forms.

Under `no-referrer` Chromium sends `Origin: null` with a form POST and Django's CSRF check
refuses it; `same-origin` still sends nothing to another site. The header and the page's
<meta name="referrer"> must agree (the meta tag wins inside the document).
tests/test_forms_browser.py proves the forms work in real Chromium.
"""

import re
from http import HTTPStatus

import pytest
from django.core.cache import cache
from django.urls import reverse

from providers.permissions import EDITORS
from referrals.models import ResourceList

pytestmark = pytest.mark.django_db

NO_REFERRER = "no-referrer"
SAME_ORIGIN = "same-origin"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def meta_policy(response) -> str | None:
    found = re.search(r'<meta name="referrer" content="([^"]*)">', response.content.decode())
    return found.group(1) if found else None


def assert_policy(response, policy: str) -> None:
    assert response["Referrer-Policy"] == policy
    if response.get("Content-Type", "").startswith("text/html"):
        assert meta_policy(response) in {policy, None}


@pytest.fixture
def sal(make_provider):
    return make_provider(name="Harbor House")


@pytest.mark.parametrize(
    "url",
    ["/", "/?near=10001", "/es/?near=10001", "/get-help/", "/browse-safely/", "/about/"],
)
def test_survivor_facing_pages_send_no_referrer(client, sal, url):
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    assert_policy(response, NO_REFERRER)
    assert meta_policy(response) == NO_REFERRER


def test_provider_page_sends_no_referrer(client, sal):
    for url in (f"/provider/{sal.pk}/", f"/es/provider/{sal.pk}/"):
        response = client.get(url)
        assert_policy(response, NO_REFERRER)
        assert meta_policy(response) == NO_REFERRER


def test_shared_list_sends_no_referrer_even_to_its_advocate(client, referral_world):
    resource_list = ResourceList.objects.create(agency=referral_world.agency_a, title="Housing")
    resource_list.share()
    url = f"/l/{resource_list.share_token}/"
    assert_policy(client.get(url), NO_REFERRER)
    assert meta_policy(client.get(url)) == NO_REFERRER
    client.force_login(referral_world.advocate_a)
    assert meta_policy(client.get(url)) == NO_REFERRER


@pytest.mark.parametrize("name", ["suggest-correction", "suggest-provider"])
def test_suggestion_forms_send_same_origin_with_their_form_and_thanks(client, sal, name):
    url = reverse(f"directory:{name}", args=[sal.pk] if name == "suggest-correction" else [])
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    assert_policy(response, SAME_ORIGIN)
    assert meta_policy(response) == SAME_ORIGIN
    posted = client.post(url, {"message": "The phone number changed to 212 555 0199."})
    assert posted.status_code == HTTPStatus.OK
    assert_policy(posted, SAME_ORIGIN)
    # Still the public page's other safety headers.
    assert "default-src 'self'" in posted["Content-Security-Policy"]
    assert "no-store" in posted["Cache-Control"]


def test_spanish_suggestion_form_sends_same_origin(client):
    response = client.get("/es/suggest/")
    assert_policy(response, SAME_ORIGIN)
    assert meta_policy(response) == SAME_ORIGIN


def test_admin_pages_send_same_origin(client, make_user):
    for url in (reverse("admin:login"), reverse("admin:index")):
        assert_policy(client.get(url), SAME_ORIGIN)
    client.force_login(make_user(role=EDITORS))
    for url in (
        reverse("admin:index"),
        reverse("admin:providers_organization_changelist"),
        reverse("admin:providers_organization_add"),
    ):
        response = client.get(url)
        assert response.status_code == HTTPStatus.OK, url
        assert_policy(response, SAME_ORIGIN)
        assert meta_policy(response) is None  # the admin's templates carry no meta tag


def test_only_the_admin_prefix_is_same_origin(client):
    assert client.get("/adminx/")["Referrer-Policy"] == NO_REFERRER


@pytest.mark.parametrize("url", ["/referrals/sign-in/", "/es/referrals/sign-in/"])
def test_referrals_sign_in_sends_same_origin(client, url):
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    assert_policy(response, SAME_ORIGIN)
    assert meta_policy(response) == SAME_ORIGIN


def test_signed_in_referrals_pages_send_same_origin(client, referral_world):
    client.force_login(referral_world.advocate_a)
    for name in ("dashboard", "search", "lists"):
        response = client.get(reverse(f"referrals:{name}"))
        assert response.status_code == HTTPStatus.OK, name
        assert_policy(response, SAME_ORIGIN)
        assert meta_policy(response) == SAME_ORIGIN
    detail = reverse("referrals:referral-detail", kwargs={"pk": referral_world.referral.pk})
    assert_policy(client.get(detail), SAME_ORIGIN)
    assert meta_policy(client.get(detail)) == SAME_ORIGIN


def test_search_is_same_origin_only_for_a_signed_in_person(client, referral_world):
    assert_policy(client.get("/?near=10001"), NO_REFERRER)
    client.force_login(referral_world.advocate_a)  # "Add to list" forms on the cards
    response = client.get("/?near=10001")
    assert_policy(response, SAME_ORIGIN)
    assert meta_policy(response) == SAME_ORIGIN
    # Information pages have no forms: still nothing.
    assert meta_policy(client.get("/about/")) == NO_REFERRER
    assert client.get("/about/")["Referrer-Policy"] == NO_REFERRER
