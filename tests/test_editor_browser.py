"""The editor's workspace and the provider's confirmation link in real Chromium at 390 and
1280 px (issue 17, items 7 and 8): the stale list oldest first and "ask provider to confirm";
the provider's page from the e-mailed link (confirm; correct, into the moderation queue); the
review naming each phone by kind, a corrected TTY number landing on the TTY line; the export
buttons; the "not in search yet" warning for a draft service; the weekly hours grid.
Screenshots go to test-artifacts/screenshots/editor-*.png and provider-confirm-*.png."""

import csv
import io
import zipfile
from datetime import time, timedelta

import pytest
import test_advocate_browser as advocate
import test_pages_browser as pages
from conftest import create_provider, create_user
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from providers import confirmations
from providers.models import OpeningHours, Organization, Phone, Status, Suggestion
from providers.permissions import EDITORS
from providers.reference_data import load_reference_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS, shoot = pages.WIDTHS, pages.shoot
PASSWORD = "a long passphrase 4 tests"
BOTH = pytest.mark.parametrize("width", ["phone", "desktop"])


# The workspace pages' fixture: pages at a named width, failing on a request to another host.
open_page = advocate.open_page


@pytest.fixture(autouse=True)
def _editors_world(live_server, settings):
    load_reference_data()  # the live server's transactional database starts empty
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []


def sign_in(page, base: str, next_url: str, username: str = "editor-eve") -> None:
    if not get_user_model().objects.filter(username=username).exists():
        create_user(role=EDITORS, username=username)
    page.goto(f"{base}/admin/login/?next={next_url}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()


def no_sideways_scroll(page, width: str) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width][0]


def messages_on(page) -> list[str]:
    return page.locator("ul.messagelist li").all_inner_texts()


def provider_with_tty(name: str = "Harbor House", email: str = "intake@harbor.example"):
    """A listing whose TTY line sorts before its voice line."""
    row = create_provider(name=name, phone="+12125550100")
    Phone.objects.filter(service=row.service).update(position=1)
    Phone.objects.create(
        service=row.service, number="+12125550111", kind=Phone.Kind.TTY, position=0
    )
    Organization.objects.filter(pk=row.service.organization_id).update(email=email)
    return row


def emailed_link(live_server, organization) -> str:
    """The link in the e-mail an editor's "ask to confirm" sends (made as the admin does)."""
    mail.outbox = []
    confirmations.ask_to_confirm(
        Organization.objects.filter(pk=organization.pk),
        link_for=lambda token: f"{live_server.url}/confirm/{token}/",
    )
    (message,) = mail.outbox
    (line,) = [line for line in message.body.splitlines() if "/confirm/" in line]
    return line.strip()


# --- the stale list and "ask provider to confirm" -------------------------------------------


@BOTH
def test_stale_list_is_oldest_first_and_asks_a_provider_to_confirm(open_page, live_server, width):
    today = timezone.localdate()
    for name, days_ago in (("Aaron", 400), ("Bea", None), ("Cy", 900), ("Dee", 10)):
        organization = create_provider(name=name).service.organization
        verified = None if days_ago is None else today - timedelta(days=days_ago)
        Organization.objects.filter(pk=organization.pk).update(
            last_verified_on=verified, email=f"{name.lower()}@example.org"
        )
    page = open_page(width)
    sign_in(page, live_server.url, "/admin/")
    # The admin's home page links the work: listings not verified lately.
    with page.expect_navigation():
        page.get_by_role("link", name="3 published listings not verified in").click()
    names = page.locator("#result_list tbody th a").all_inner_texts()
    assert names == ["Bea", "Cy", "Aaron"]  # never verified, then the oldest
    rows = page.locator("#result_list tbody tr")
    assert "Stale: never verified" in rows.nth(0).inner_text()
    shoot(page, "editor-stale-list", width)

    page.get_by_role("checkbox", name="Select this object for an action - Cy").check()
    page.locator("select[name=action]").select_option(
        label="Ask the provider to confirm (e-mail a signed link)"
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Go").click()
    assert "1 provider asked to confirm." in messages_on(page)
    (message,) = mail.outbox
    assert message.to == ["cy@example.org"]
    assert "Cy" in message.subject
    assert f"{live_server.url}/confirm/" in message.body
    assert no_sideways_scroll(page, width)
    shoot(page, "editor-asked-to-confirm", width)


@BOTH
def test_the_stale_list_marks_the_column_it_is_sorted_by(open_page, live_server, width):
    """Sorted by verification age, the header must not say it is sorted by name."""
    today = timezone.localdate()
    for name, days_ago in (("Bea", None), ("Aaron", 900)):
        organization = create_provider(name=name).service.organization
        verified = None if days_ago is None else today - timedelta(days=days_ago)
        Organization.objects.filter(pk=organization.pk).update(last_verified_on=verified)
    page = open_page(width)
    sign_in(page, live_server.url, "/admin/providers/organization/?verification=stale")
    assert page.locator("#result_list tbody th a").all_inner_texts() == ["Bea", "Aaron"]
    sorted_headers = page.locator("#result_list thead th.sorted").all_inner_texts()
    assert [text.strip().lower() for text in sorted_headers][:1] == ["verification"], (
        f"the list is oldest first, but the header marks {sorted_headers} as its order"
    )


# --- the provider's page from the e-mailed link ---------------------------------------------


@BOTH
def test_provider_confirms_from_the_emailed_link(open_page, live_server, width):
    row = provider_with_tty()
    organization = row.service.organization
    link = emailed_link(live_server, organization)
    page = open_page(width)
    page.goto(link)
    assert page.get_by_role("heading", name="Confirm your listing: Harbor House").is_visible()
    facts = page.locator("section.confirm-listing dl").inner_text()
    assert "Phone number for calls" in facts and "+12125550100" in facts
    assert "TTY number (for deaf or hard of hearing callers)" in facts
    assert "+12125550111" in facts
    assert no_sideways_scroll(page, width)
    shoot(page, "provider-confirm", width)
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm: everything is right").click()
    assert page.get_by_role("status").inner_text() == (
        "The listing of Harbor House is confirmed as of today."
    )
    assert page.context.cookies() == []  # no account, no cookie
    shoot(page, "provider-confirmed", width)
    organization.refresh_from_db()
    assert organization.last_verified_on == timezone.localdate()
    assert organization.verified_by_provider
    # Spent: the link says so rather than confirming twice.
    page.goto(link)
    assert page.get_by_text("This link no longer works").first.is_visible()


@BOTH
def test_provider_corrects_the_tty_number_and_the_editor_accepts_it_onto_the_tty_line(
    open_page, live_server, width
):
    row = provider_with_tty()
    organization = row.service.organization
    link = emailed_link(live_server, organization)
    page = open_page(width)
    page.goto(link)
    with page.expect_navigation():
        page.get_by_role("link", name="Correct “Harbor House services”").click()
    tty = page.get_by_label("TTY number (for deaf or hard of hearing callers)")
    assert tty.input_value() == "+12125550111"
    assert page.get_by_label("Phone number for calls").input_value() == "+12125550100"
    tty.fill("212-555-0199")
    page.get_by_label("What is wrong, or anything else we should know").fill("New TTY line.")
    assert no_sideways_scroll(page, width)
    shoot(page, "provider-correct", width)
    with page.expect_navigation():
        page.get_by_role("button", name="Send the correction").click()
    assert page.get_by_role("heading", name="Thank you").is_visible()
    organization.refresh_from_db()
    assert organization.last_verified_on is None  # a correction is not a confirmation

    # The editor finds it in the moderation queue; the review names the phone by its kind.
    editor = open_page(width)
    sign_in(editor, live_server.url, "/admin/providers/suggestion/")
    queue = editor.locator("#result_list tbody tr")
    assert queue.count() == 1
    assert "Pending" in queue.first.inner_text()
    with editor.expect_navigation():
        queue.first.locator("th a").click()
    review = editor.locator("#suggestion-review table")
    labels = review.locator("tbody th[scope=row]").all_inner_texts()
    assert labels == ["TTY number"]
    assert "+12125550111" in review.inner_text() and "212-555-0199" in review.inner_text()
    assert "New TTY line." in editor.locator("blockquote").inner_text()
    assert no_sideways_scroll(editor, width)
    shoot(editor, "editor-suggestion-review", width)
    editor.get_by_label("Accept TTY number").check()
    with editor.expect_navigation():
        editor.get_by_role("button", name="Apply selected").click()
    phones = dict(Phone.objects.filter(service=row.service).values_list("kind", "number"))
    assert phones == {Phone.Kind.VOICE: "+12125550100", Phone.Kind.TTY: "+12125550199"}
    assert Suggestion.objects.get().status == Suggestion.Status.ACCEPTED


# --- export buttons -------------------------------------------------------------------------


@BOTH
def test_export_buttons_download_the_package_and_the_spreadsheet(open_page, live_server, width):
    create_provider(name="Harbor House")
    create_provider(name="Secret Shelter", confidential=True, street="12 Secret Lane")
    page = open_page(width, accept_downloads=True)
    sign_in(page, live_server.url, "/admin/providers/organization/")
    hsds = page.get_by_role("link", name="Export HSDS (.zip)")
    spreadsheet = page.get_by_role("link", name="Export spreadsheet (.csv)")
    assert hsds.is_visible() and spreadsheet.is_visible()
    assert no_sideways_scroll(page, width)
    shoot(page, "editor-export-buttons", width)

    with page.expect_download() as download:
        hsds.click()
    assert download.value.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(download.value.path()) as archive:
        names = set(archive.namelist())
        everything = "".join(archive.read(name).decode() for name in names)
        organizations = archive.read("organizations.csv").decode()
    assert "datapackage.json" in names and "Harbor House" in organizations
    assert "Secret Lane" not in everything

    with page.expect_download() as download:
        spreadsheet.click()
    assert download.value.suggested_filename.endswith(".csv")
    with open(download.value.path(), encoding="utf-8-sig") as file:
        text = file.read()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {"Harbor House", "Secret Shelter"} <= {row["organization_name"] for row in rows}
    assert "Secret Lane" not in text


# --- the "not in search yet" warning ---------------------------------------------------------


@BOTH
def test_saving_a_listing_whose_service_is_a_draft_says_it_is_not_in_search(
    open_page, live_server, width
):
    row = create_provider(name="Harbor House", service_status=Status.DRAFT)
    organization = row.service.organization
    page = open_page(width)
    sign_in(page, live_server.url, f"/admin/providers/organization/{organization.pk}/change/")
    with page.expect_navigation():
        page.get_by_role("button", name="Save and continue editing").click()
    (warning,) = [text for text in messages_on(page) if "not in search yet" in text]
    assert warning.startswith("“Harbor House” is not in search yet. Still to do:")
    assert "publish the service" in warning
    notice = page.locator("ul.messagelist li.warning")
    assert notice.is_visible()
    box = notice.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTHS[width][0]
    shoot(page, "editor-not-in-search", width)
    # The same warning on the service's own page.
    page.goto(f"{live_server.url}/admin/providers/service/{row.service.pk}/change/")
    with page.expect_navigation():
        page.get_by_role("button", name="Save and continue editing").click()
    assert any("publish the service" in text for text in messages_on(page))


# --- the weekly hours grid ------------------------------------------------------------------


@BOTH
def test_hours_grid_copies_monday_to_the_weekdays(open_page, live_server, width):
    location = create_provider(name="Harbor House").location
    page = open_page(width)
    sign_in(page, live_server.url, f"/admin/providers/location/{location.pk}/change/")
    page.get_by_label("Monday opens").fill("09:00")
    page.get_by_label("Monday closes").fill("17:00")
    page.get_by_label("Copy Monday's hours to Tuesday–Friday").check()
    for day in ("Tuesday", "Wednesday", "Thursday", "Friday"):
        assert page.get_by_label(f"{day} opens").input_value() == "09:00"
        assert page.get_by_label(f"{day} closes").input_value() == "17:00"
    assert page.get_by_label("Saturday opens").input_value() == ""
    page.get_by_label("Saturday opens").fill("10:00")
    page.get_by_label("Saturday closes").fill("14:00")
    grid = page.locator("fieldset", has_text="Weekly hours")
    grid.scroll_into_view_if_needed()
    assert no_sideways_scroll(page, width)
    grid.screenshot(path=str(pages.SCREENSHOTS / f"editor-hours-grid-{WIDTHS[width][0]}.png"))
    with page.expect_navigation():
        page.get_by_role("button", name="Save and continue editing").click()
    saved = set(
        OpeningHours.objects.filter(location=location).values_list(
            "weekday", "opens_at", "closes_at"
        )
    )
    assert saved == {(day, time(9), time(17)) for day in range(1, 6)} | {(6, time(10), time(14))}
    assert page.get_by_label("Friday closes").input_value() == "17:00"
    assert page.get_by_label("Saturday opens").input_value() == "10:00"
