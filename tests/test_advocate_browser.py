"""The advocate's workspace in real Chromium at 390 and 1280 px (issue 17, items 6 and 8): the
dashboard with open and closed referrals, its status filter, search by referral id and the
counts that link; search results with phones, open now, languages, pages and the map; the
referral form; the shared list. Screenshots go to test-artifacts/screenshots/advocate-*.png."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import test_pages_browser as pages
from conftest import create_provider, create_referral, create_referral_user
from django.core.cache import cache
from django.utils import timezone

from providers.models import Phone
from providers.reference_data import load_reference_data
from referrals.models import Agency, Referral, ReferralStatus, ResourceList, ResourceListItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS, shoot = pages.WIDTHS, pages.shoot
PASSWORD = "a long passphrase 4 tests"
BOTH = pytest.mark.parametrize("width", ["phone", "desktop"])


@pytest.fixture
def open_page(browser, live_server):
    """New pages at a named width (each its own cookies) that fail the test on a request to
    another host; tests/test_editor_browser.py uses it too."""
    cache.clear()
    contexts, offsite = [], []

    def make(width: str, **options):
        w, h = WIDTHS[width]
        context = browser.new_context(viewport={"width": w, "height": h}, **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.on(
            "request",
            lambda request: (
                offsite.append(request.url)
                if urlsplit(request.url).hostname not in pages.LOCAL_HOSTS
                and urlsplit(request.url).scheme.startswith("http")
                else None
            ),
        )
        return page

    yield make
    for context in contexts:
        context.close()
    cache.clear()
    assert offsite == [], f"requests left 127.0.0.1: {offsite}"


@pytest.fixture
def agency():
    load_reference_data()  # the live server's transactional database starts empty
    return Agency.objects.create(name="Harbor Hotline")


@pytest.fixture
def advocate(agency):
    return create_referral_user("ada", agency=agency, password=PASSWORD)


def sign_in(page, base: str, next_url: str) -> None:
    page.goto(f"{base}/referrals/sign-in/?next={next_url}")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def no_sideways_scroll(page, width: str) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width][0]


def rows_of(page, caption: str) -> list[str]:
    """The referral ids in the first column of the table with this caption."""
    table = page.locator("table.rf-table", has=page.locator("caption", has_text=caption))
    return table.locator("tbody th[scope=row]").all_inner_texts()


# --- the dashboard --------------------------------------------------------------------------


@pytest.fixture
def referrals(agency, advocate):
    legal = create_provider(name="Midtown Legal Aid", services=("legal-assistance",))
    shelter = create_provider(name="Harbor Shelter", services=("food-shelter-housing",))
    sent = create_referral(agency=agency, sal=legal, by=advocate, client_reference="AB-1")
    accepted = create_referral(agency=agency, sal=shelter, by=advocate, client_reference="CD-2")
    closed = create_referral(agency=agency, sal=legal, by=advocate, client_reference="EF-3")
    Referral.objects.filter(pk=accepted.pk).update(status=ReferralStatus.ACCEPTED)
    Referral.objects.filter(pk=closed.pk).update(
        status=ReferralStatus.CLOSED,
        closed_at=timezone.now(),
        created_at=timezone.now() - timedelta(days=40),
    )
    return {"sent": sent, "accepted": accepted, "closed": closed}


@BOTH
def test_dashboard_filters_by_status_finds_a_closed_referral_by_id_and_counts_link(
    open_page, live_server, referrals, width
):
    sent, accepted, closed = referrals["sent"], referrals["accepted"], referrals["closed"]
    page = open_page(width)
    sign_in(page, live_server.url, "/referrals/")
    assert page.get_by_role("heading", name="Referrals", exact=True).is_visible()
    # Open referrals by default: the closed one is not in the list, but is counted.
    assert sorted(rows_of(page, "Referrals sent")) == sorted([sent.short_id, accepted.short_id])
    counts = page.locator("table", has=page.locator("caption", has_text="by status and age"))
    closed_row = counts.locator("tbody tr", has=page.locator("th", has_text="Closed"))
    assert closed_row.locator("td").all_inner_texts()[:3] == ["0", "0", "1"]  # over 30 days
    total = closed_row.get_by_role("link", name="1 Closed")
    assert no_sideways_scroll(page, width)
    shoot(page, "advocate-dashboard", width)

    # The count links to the referrals it counts.
    with page.expect_navigation():
        total.click()
    assert "status=closed" in page.url
    assert rows_of(page, "Referrals sent") == [closed.short_id]
    assert page.get_by_label("Show").input_value() == "closed"

    # The status filter, as an advocate would use it.
    page.get_by_label("Show").select_option(label="All referrals")
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    assert len(rows_of(page, "Referrals sent")) == 3
    page.get_by_label("Show").select_option(label="Accepted")
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    assert rows_of(page, "Referrals sent") == [accepted.short_id]

    # A closed referral found by the id the client or provider reads out.
    page.get_by_label("Show").select_option(label="Open referrals")
    page.get_by_label("Referral id").fill(closed.short_id.lower())
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    row = page.locator("table.rf-table", has=page.locator("caption", has_text="Referrals sent"))
    assert rows_of(page, "Referrals sent") == [closed.short_id]
    assert row.locator("tbody td").nth(2).inner_text() == "Closed"
    shoot(page, "advocate-dashboard-by-id", width)
    with page.expect_navigation():
        page.get_by_role("link", name=closed.short_id).click()
    assert page.get_by_role("heading", name=f"Referral {closed.short_id}").is_visible()
    assert page.locator("[data-status]").inner_text() == "Closed"

    # An id that is not an id says so.
    page.goto(f"{live_server.url}/referrals/?ref=nonsense!")
    assert page.get_by_text("Enter a referral id like R-1A2B3C4D.").is_visible()


# --- search results -------------------------------------------------------------------------


@pytest.fixture
def nearby(agency, advocate, monkeypatch):
    """Five listings a little north of ZIP 10001, three to a page; the nearest has a voice, a
    TTY and a text line, is open around the clock and speaks English and Spanish."""
    monkeypatch.setattr("referrals.views.PER_PAGE", 3)
    rows = [
        create_provider(
            name=f"Nearby Place {i:02d}",
            lat=40.7500 + i * 0.002,
            lng=-73.9967,
            street=f"{i + 1} Main St",
            languages=("en", "es") if i == 0 else ("en",),
            open_24_7=i == 0,
            phone=f"+1212555010{i}",
        )
        for i in range(5)
    ]
    first = rows[0].service
    Phone.objects.create(service=first, number="+12125550111", kind=Phone.Kind.TTY, position=0)
    Phone.objects.create(service=first, number="+12125550122", kind=Phone.Kind.TEXT, position=2)
    Phone.objects.filter(service=first, kind=Phone.Kind.VOICE).update(position=1)
    return rows


@BOTH
def test_search_results_show_phones_open_now_languages_pages_and_the_map(
    open_page, live_server, nearby, width
):
    page = open_page(width)
    sign_in(page, live_server.url, "/referrals/search/")
    page.get_by_label("ZIP code or city").fill("10001")
    page.get_by_label("Words").fill("Nearby")
    with page.expect_navigation():
        page.get_by_role("button", name="Search").click()
    assert page.locator("h2#results").inner_text() == "5 results · Page 1 of 2"
    cards = page.locator("li.rf-result")
    assert cards.count() == 3
    first = cards.first
    assert "Nearby Place 00" in first.locator("h3").inner_text()
    links = first.locator(".rf-phones a")
    # The first button is the voice line; TTY and text are named and text is sms:.
    assert links.nth(0).inner_text() == "Call (212) 555-0100"
    assert links.nth(0).get_attribute("href") == "tel:+12125550100"
    assert "TTY (212) 555-0111" in links.all_inner_texts()
    text = first.get_by_role("link", name="Text (212) 555-0122")
    assert text.get_attribute("href") == "sms:+12125550122"
    assert first.locator(".open-state").inner_text() == "Open now"
    assert first.locator(".languages-spoken").inner_text() == "Languages: English, Spanish"
    assert cards.nth(1).locator(".open-state").inner_text() == "Hours not listed"
    assert page.locator(".rf-list-in-use").is_visible()
    # The map: numbered pins for the cards on this page.
    the_map = page.locator("#results-map svg")
    the_map.scroll_into_view_if_needed()
    assert the_map.is_visible()
    assert the_map.locator("[data-result]").count() == 3
    assert no_sideways_scroll(page, width)
    shoot(page, "advocate-results", width)

    with page.expect_navigation():
        page.get_by_role("link", name="Next page").click()
    assert page.locator("h2#results").inner_text() == "5 results · Page 2 of 2"
    names = page.locator("li.rf-result h3").all_inner_texts()
    assert [name.split(" ", 1)[1] for name in names] == ["Nearby Place 03", "Nearby Place 04"]
    assert page.locator("ol.rf-results").get_attribute("start") == "4"
    # Add to list keeps the advocate on page 2, at the card.
    with page.expect_navigation():
        page.locator("li.rf-result", has_text="Nearby Place 04").get_by_role(
            "button", name="Add to list"
        ).click()
    assert "page=2" in page.url
    assert page.get_by_text("On your list “Resources”").is_visible()
    assert page.locator(".rf-list-in-use").inner_text().startswith("Adding to “Resources” (1")
    shoot(page, "advocate-results-page-2", width)
    with page.expect_navigation():
        page.get_by_role("link", name="Previous page").click()
    assert page.locator("h2#results").inner_text() == "5 results · Page 1 of 2"


# --- the referral form ----------------------------------------------------------------------


@BOTH
def test_referral_form_sends_with_language_and_urgency(open_page, live_server, advocate, width):
    sal = create_provider(name="Midtown Legal Aid", services=("legal-assistance",))
    page = open_page(width)
    sign_in(page, live_server.url, f"/referrals/new/{sal.pk}/")
    assert page.get_by_role("heading", name="Refer a client to Midtown Legal Aid").is_visible()
    assert no_sideways_scroll(page, width)
    shoot(page, "advocate-referral-form", width)
    # Sent without consent: the form says what to do and keeps what was typed.
    page.get_by_label("Legal assistance").check()
    page.get_by_label("Client code or initials").fill("AB-12")
    with page.expect_navigation():
        page.get_by_role("button", name="Send referral").click()
    assert page.get_by_label("Client code or initials").input_value() == "AB-12"
    assert Referral.objects.count() == 0
    page.get_by_label("Text message").check()
    page.get_by_label("Phone number or email").fill("212 555 0142")
    page.get_by_label("The client's language").select_option(label="Spanish")
    page.get_by_label("Within two days").check()
    page.get_by_label("The client consented to this referral").check()
    shoot(page, "advocate-referral-form-filled", width)
    with page.expect_navigation():
        page.get_by_role("button", name="Send referral").click()
    assert page.locator("[data-status]").inner_text() == "Sent"
    assert page.locator("[data-urgency]").inner_text() == "Within two days"
    assert page.get_by_role("link", name="(212) 555-0142").get_attribute("href") == (
        "sms:+12125550142"
    )
    assert no_sideways_scroll(page, width)
    shoot(page, "advocate-referral-sent", width)
    referral = Referral.objects.get()
    assert (referral.client_language, referral.urgency) == ("es", "soon")


@BOTH
def test_a_refused_referral_shows_its_errors_on_the_first_screen(
    open_page, live_server, advocate, width
):
    """Sent without a way to reach the client or consent: the advocate must see, without
    scrolling, that nothing was sent and why (a phone's first screen is the heading)."""
    sal = create_provider(name="Midtown Legal Aid", services=("legal-assistance",))
    page = open_page(width)
    sign_in(page, live_server.url, f"/referrals/new/{sal.pk}/")
    page.get_by_label("Legal assistance").check()
    page.get_by_label("Client code or initials").fill("AB-12")
    with page.expect_navigation():
        page.get_by_role("button", name="Send referral").click()
    page.screenshot(
        path=str(pages.SCREENSHOTS / f"advocate-referral-refused-{WIDTHS[width][0]}.png")
    )
    assert Referral.objects.count() == 0
    first_error = page.locator(".errorlist, [role=alert], .error-summary").first
    box = first_error.bounding_box()
    assert box is not None and 0 <= box["y"] < WIDTHS[width][1], (
        f"the first error is at y={box and box['y']}, below the first screen"
    )


# --- the shared list ------------------------------------------------------------------------


@BOTH
def test_shared_list_names_each_phone_and_fits_the_screen(open_page, live_server, agency, width):
    resource_list = ResourceList.objects.create(agency=agency, title="Housing", language="en")
    legal = create_provider(name="Midtown Legal Aid", services=("legal-assistance",))
    Phone.objects.create(service=legal.service, number="+12125550122", kind=Phone.Kind.TEXT)
    shelter = create_provider(
        name="Harbor Shelter", confidential=True, street="1 Secret Way", open_24_7=True
    )
    for position, sal in enumerate((legal, shelter)):
        ResourceListItem.objects.create(
            resource_list=resource_list, service_at_location=sal, position=position
        )
    resource_list.share()
    page = open_page(width)
    page.goto(f"{live_server.url}/l/{resource_list.share_token}/")
    assert page.get_by_text("Midtown Legal Aid").first.is_visible()
    assert page.get_by_text("Harbor Shelter").first.is_visible()
    assert "1 Secret Way" not in page.content()
    entry = page.locator(".handout-entry", has_text="Midtown Legal Aid")
    text = entry.locator("a[href^='sms:']")
    assert text.count() == 1 and text.inner_text() == "(212) 555-0122"
    assert "(212) 555-0122 (text)" in entry.inner_text()
    assert page.locator("a[href^='tel:+12125550122']").count() == 0
    assert page.locator("[data-quick-exit]").first.is_visible()
    assert no_sideways_scroll(page, width)
    shoot(page, "advocate-shared-list", width)
