"""In real Chromium at 390 and 1280 px (issue 17, items 4 and 7): an editor opens a listing's
history from the organization page and reverts one field; a Spanish reader sees a service's
Spanish description, and the English fallback is marked lang="en". Screenshots go to
test-artifacts/screenshots/ (listing-history-*.png, provider-es-translated-*.png)."""

from pathlib import Path

import pytest
from conftest import create_user
from django.core.cache import cache

from providers.models import Organization, Status
from providers.permissions import EDITORS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
PASSWORD = "a long passphrase 4 tests"
WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}


@pytest.fixture
def open_page(browser, live_server):
    contexts = []

    def open_page(width: str):
        cache.clear()
        w, h = WIDTHS[width]
        context = browser.new_context(viewport={"width": w, "height": h})
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
    cache.clear()


def sign_in(page, live_server, next_url: str) -> None:
    create_user(role=EDITORS, username="editor-rita")
    page.goto(f"{live_server.url}/admin/login/?next={next_url}")
    page.get_by_label("Username").fill("editor-rita")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_editor_reverts_one_field_from_the_listing_history(
    open_page, live_server, make_provider, width
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    sal = make_provider(name="Harbor House", status=Status.DRAFT)
    organization = sal.service.organization
    organization.description = "Old words"
    organization.save()
    organization.description = "New words"
    organization.status = Status.PUBLISHED
    organization.save()
    sal.service.eligibility = "Adults in the county"
    sal.service.save()
    page = open_page(width)
    sign_in(page, live_server, f"/admin/providers/organization/{organization.pk}/change/")
    with page.expect_navigation():
        page.get_by_role("link", name="Listing history").click()
    assert page.get_by_role("heading", name="History of Harbor House").is_visible()
    assert page.get_by_text("Adults in the county").first.is_visible()
    # Nothing is wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width][0]
    page.screenshot(
        path=str(SCREENSHOTS / f"listing-history-{WIDTHS[width][0]}.png"), full_page=True
    )
    revert = page.get_by_role("button", name="Revert description to “Old words”")
    with page.expect_navigation():
        revert.click()
    assert page.get_by_text("Reverted: only this field changed.").is_visible()
    page.screenshot(
        path=str(SCREENSHOTS / f"listing-history-reverted-{WIDTHS[width][0]}.png"),
        full_page=True,
    )
    organization = Organization.objects.get(pk=organization.pk)
    assert organization.description == "Old words"
    assert organization.status == Status.PUBLISHED


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_provider_page_in_spanish_shows_the_spanish_description(
    open_page, live_server, make_provider, width
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    sal = make_provider(
        name="Harbor House",
        description="Legal help and safety planning",
        eligibility="Adults in the county",
        translations={"es": {"description": "Ayuda legal y plan de seguridad"}},
    )
    page = open_page(width)
    page.goto(f"{live_server.url}/es/provider/{sal.pk}/")
    spanish = page.get_by_text("Ayuda legal y plan de seguridad")
    assert spanish.is_visible()
    assert spanish.get_attribute("lang") is None
    english = page.get_by_text("Adults in the county")
    assert english.get_attribute("lang") == "en"
    assert page.get_by_text("Legal help and safety planning").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width][0]
    page.screenshot(
        path=str(SCREENSHOTS / f"provider-es-translated-{WIDTHS[width][0]}.png"), full_page=True
    )
