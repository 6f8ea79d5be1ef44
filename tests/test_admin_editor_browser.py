"""The editor's hours grid in real Chromium at 1280 px: "copy Monday" fills the weekdays at
once, and the saved week is the one shown."""

from datetime import time
from pathlib import Path

import pytest
from conftest import create_user
from django.core.cache import cache

from providers.models import OpeningHours
from providers.permissions import EDITORS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
PASSWORD = "a long passphrase 4 tests"


@pytest.fixture
def page(browser, live_server):
    cache.clear()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()
    cache.clear()


def test_copy_monday_to_the_weekdays_in_the_hours_grid(page, live_server, make_provider):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    location = make_provider().location
    create_user(role=EDITORS, username="editor-hal")
    page.goto(
        f"{live_server.url}/admin/login/?next=/admin/providers/location/{location.pk}/change/"
    )
    page.get_by_label("Username").fill("editor-hal")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    page.get_by_label("Monday opens").fill("09:00")
    page.get_by_label("Monday closes").fill("17:00")
    page.get_by_label("Copy Monday's hours to Tuesday–Friday").check()
    assert page.get_by_label("Friday closes").input_value() == "17:00"
    assert page.get_by_label("Saturday opens").input_value() == ""
    page.locator("fieldset", has_text="Weekly hours").screenshot(
        path=str(SCREENSHOTS / "admin-hours-grid.png")
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    saved = set(OpeningHours.objects.filter(location=location).values_list("weekday", "opens_at"))
    assert saved == {(day, time(9)) for day in range(1, 6)}
