"""POST forms in real Chromium: the admin sign-in, a public correction, the referrals sign-in
and "Add to list" on the public results.

Under `Referrer-Policy: no-referrer` Chromium sends `Origin: null` with a form POST and
Django's CSRF check answers 403; these pages send `same-origin` (see directory/http.py).
Every POST here must carry our own origin and succeed.
"""

import re
from pathlib import Path

import pytest
from conftest import create_referral_user, create_user
from django.core.cache import cache

from providers.models import Suggestion
from providers.permissions import EDITORS
from referrals.models import Agency, ResourceListItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
PASSWORD = "a long passphrase 4 tests"


@pytest.fixture
def page(browser, live_server):
    cache.clear()  # the suggestion rate limit and axes counters live in the cache
    context = browser.new_context(viewport={"width": 390, "height": 900})
    page = context.new_page()
    page.posts = []
    page.on(
        "request",
        lambda request: (
            page.posts.append(request.headers.get("origin")) if request.method == "POST" else None
        ),
    )
    yield page
    context.close()
    cache.clear()


def assert_posted_from_our_origin(page, live_server):
    assert page.posts, "no form was posted"
    assert set(page.posts) == {live_server.url}, page.posts


def test_admin_sign_in_with_a_real_user_lands_on_the_admin_index(page, live_server):
    create_user(role=EDITORS, username="editor-eve")
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.get_by_label("Username").fill("editor-eve")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    assert page.url == f"{live_server.url}/admin/"
    assert "Forbidden" not in page.content()
    assert page.get_by_role("heading", name="Listings, suggestions and people").is_visible()
    assert_posted_from_our_origin(page, live_server)


def test_public_correction_is_sent_and_thanked(page, live_server, make_provider):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    sal = make_provider(name="Harbor House", phone="+12125550100")
    page.goto(f"{live_server.url}/provider/{sal.pk}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Suggest a correction").first.click()
    page.get_by_label("Phone number").fill("212 555 0199")
    page.get_by_label("What is wrong, or anything else we should know").fill("New number.")
    with page.expect_navigation():
        page.get_by_role("button", name="Send the correction").click()
    assert page.get_by_role("heading", name="Thank you").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "suggest-thanks-phone.png"), full_page=True)
    suggestion = Suggestion.objects.get()
    assert suggestion.service_at_location_id == sal.pk
    assert suggestion.proposed["phone_voice"] in {"212 555 0199", "+12125550199"}
    assert suggestion.message == "New number."
    assert_posted_from_our_origin(page, live_server)


def test_referrals_sign_in_lands_on_the_dashboard(page, live_server):
    agency = Agency.objects.create(name="Hotline")
    create_referral_user("advocate-ana", agency=agency, password=PASSWORD)
    page.goto(f"{live_server.url}/referrals/")  # sent to sign in first
    assert "/referrals/sign-in/" in page.url
    page.get_by_label("Username").fill("advocate-ana")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert page.url == f"{live_server.url}/referrals/"
    assert page.get_by_role("button", name="Sign out").is_visible()
    assert_posted_from_our_origin(page, live_server)


def test_advocate_adds_a_public_result_to_a_list(page, live_server, make_provider):
    agency = Agency.objects.create(name="Hotline")
    create_referral_user("advocate-ben", agency=agency, password=PASSWORD)
    sal = make_provider(name="Midtown Legal Services")
    page.goto(f"{live_server.url}/referrals/sign-in/")
    page.get_by_label("Username").fill("advocate-ben")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/?near=10001")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"^Add to list.*Midtown Legal")).click()
    assert "/?near=10001" in page.url
    assert page.get_by_role("status").filter(has_text="Added").is_visible()
    item = ResourceListItem.objects.get()
    assert item.service_at_location_id == sal.pk
    assert item.resource_list.agency == agency
    assert_posted_from_our_origin(page, live_server)
