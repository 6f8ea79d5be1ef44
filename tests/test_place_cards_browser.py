"""One card per place in real headless Chromium at 390 and 1280 px (issue 17, items 1 and 8):
a place's three services on one card, its front desk's voice line the first button (a
search, then a call), axe clean. Screenshots: test-artifacts/screenshots/
place-card-*.png."""

import pytest
import test_pages_browser as pages

from providers.models import Phone, Service, ServiceAtLocation

pytestmark = pytest.mark.browser

site, open_page = pages.site, pages.open_page
axe_violations, shoot = pages.axe_violations, pages.shoot


@pytest.fixture
def center(site, make_provider):
    """A family justice center nearer 10001 than the site's other listings: three legal
    services at one address, a front desk line and a TTY line shared by all three."""
    first = make_provider(
        name="Family Justice Center",
        service_name="Protective order help",
        lat=40.7490,
        lng=-73.9960,
        services=("legal-assistance",),
        phone="+12125550120",
    )
    location, organization = first.location, first.service.organization
    Phone.objects.create(location=location, number="+12125550112", kind=Phone.Kind.TTY)
    Phone.objects.create(location=location, number="+12125550111", kind=Phone.Kind.VOICE)
    for name in ("Immigration legal help", "Crime victim compensation claims"):
        service = Service.objects.create(organization=organization, name=name, cost="free")
        service.terms.set(first.service.terms.all())
        service.languages.set(first.service.languages.all())
        ServiceAtLocation.objects.create(service=service, location=location)
    return site


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_a_survivor_finds_the_places_front_desk_on_its_one_card(open_page, center, width):
    page = open_page(width)
    page.goto(center["url"] + "/")
    page.get_by_label("ZIP code, or city and state").fill("10001")
    page.get_by_role("button", name="Search").first.click()  # a tap
    page.wait_for_load_state()

    cards = page.locator("ol.cards > li", has_text="Family Justice Center")
    assert cards.count() == 1
    card = cards.first
    services = card.locator(".services-here .service-link").all_inner_texts()
    assert sorted(services) == [
        "Crime victim compensation claims",
        "Immigration legal help",
        "Protective order help",
    ]
    # The card's first button is the front desk's voice line (a second tap calls it).
    call = card.locator('a[href^="tel:"]').first
    assert call.inner_text() == "Call (212) 555-0111"
    assert call.get_attribute("href") == "tel:+12125550111"
    assert call.is_visible()
    # The TTY line says so; the one service's own line sits under its name.
    assert card.get_by_role("link", name="TTY (212) 555-0112").is_visible()
    own = card.locator(".services-here li", has_text="Protective order help")
    assert own.get_by_role("link", name="Call (212) 555-0120").is_visible()
    card.scroll_into_view_if_needed()
    shoot(page, "place-card", width)
    assert axe_violations(page) == []
