"""Issue 17's yardstick, on a phone in real Chromium: from the home page to calling the right
voice line in three taps (the place field, Search, Call), with and without JavaScript.

The first listing has a TTY and a text number on its service, entered before its voice line:
the first button must still dial the voice line, and it must be on the screen where the
search lands, without scrolling.
"""

from pathlib import Path

import pytest
from django.core.cache import cache

from providers.models import Phone
from providers.reference_data import load_reference_data

pytestmark = pytest.mark.browser

VOICE = "+12125550100"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"


@pytest.fixture
def site(live_server, make_provider):
    load_reference_data()  # the live server's transactional database starts empty
    cache.clear()
    sal = make_provider(name="Midtown Legal Services", lat=40.7505, lng=-73.9934, phone=VOICE)
    Phone.objects.filter(service=sal.service).delete()
    Phone.objects.create(service=sal.service, number="+12125550111", kind=Phone.Kind.TTY)
    Phone.objects.create(service=sal.service, number="+12125550122", kind=Phone.Kind.TEXT)
    Phone.objects.create(organization=sal.service.organization, number=VOICE)
    yield live_server.url
    cache.clear()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_home_to_the_voice_line_in_three_taps(browser, site, javascript):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, java_script_enabled=javascript
    )
    page = context.new_page()
    page.goto(site + "/")
    field = page.get_by_label("ZIP code, or city and state")
    field.click()  # tap 1: the place field
    field.fill("10001")
    search = page.get_by_role("button", name="Search").first
    assert search.is_visible() and _on_screen(page, search), "Search is below the first screen"
    search.click()  # tap 2
    page.wait_for_load_state()
    call = page.locator("ol.cards > li").first.locator('a[href^="tel:"]').first  # tap 3
    assert call.get_attribute("href") == f"tel:{VOICE}"
    assert _on_screen(page, call), "the first Call button is not where the search lands"
    assert "TTY" not in call.inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"three-taps-{'js' if javascript else 'no-js'}-390.png"))
    context.close()


def _on_screen(page, locator) -> bool:
    """Within the viewport as it is (bounding_box is relative to it), without scrolling."""
    box = locator.bounding_box()
    return box is not None and 0 <= box["y"] and box["y"] + box["height"] <= 844
