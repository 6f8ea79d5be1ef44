"""Public pages in real headless Chromium: the search flow, Quick Exit, no third-party request,
axe-core, Spanish, no JavaScript, page weight. Screenshots go to test-artifacts/screenshots/."""

from datetime import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache

from providers.models import Location, Organization
from providers.reference_data import load_reference_data

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
FIRST_LOAD_BUDGET_BYTES = 200 * 1024


@pytest.fixture
def site(live_server, settings, make_provider):
    """A live server with a few listings near ZIP 10001 and a local neutral Quick Exit page."""
    load_reference_data()  # the live server's transactional database starts empty
    cache.clear()
    settings.QUICK_EXIT_URL = f"{live_server.url}/static/directory/site.css"
    make_provider(
        name="Midtown Legal Services",
        lat=40.7505,
        lng=-73.9934,
        services=("legal-assistance", "immigration-services"),
        languages=("en", "es"),
        accessibility=("wheelchair",),
        hours=tuple((day, time(9), time(17)) for day in range(1, 6)),
        eligibility="Anyone who has experienced a crime.",
        how_to_get_help="Call to make an appointment.",
        website="https://midtown-legal.example.org/",
    )
    make_provider(
        name="Newark Justice Center",
        lat=40.7357,
        lng=-74.1724,
        services=("legal-assistance",),
        street="1 Broad Street",
        city="Newark",
        state="NJ",
        postcode="07102",
        open_24_7=True,
    )
    shelter = make_provider(
        name="Harbor Safe House",
        lat=40.7612,
        lng=-73.9812,
        services=("food-shelter-housing", "victim-advocacy"),
        confidential=True,
        street="77 Hidden Lane",
        open_24_7=True,
    )
    # The search measures a confidential place from a point 1-2 miles off in a random
    # direction: fixed here (north, away from 10001) so that the results' order is the same
    # every run. Drawn at random, it put the shelter first in about one run in fifty.
    Location.objects.filter(pk=shelter.location_id).update(offset_bearing=0, offset_mi=1.0)
    make_provider(
        name="Statewide Survivor Line",
        kind="remote",
        service_area="states",
        service_area_states=["NY"],
        services=("victim-advocacy", "legal-assistance"),
        languages=("en", "es"),
        open_24_7=True,
    )
    Organization.objects.update(last_verified_on="2026-06-01")
    yield {"url": live_server.url, "neutral": settings.QUICK_EXIT_URL, "shelter": shelter}
    cache.clear()


@pytest.fixture
def open_page(browser, site):
    """New pages that fail the test on any request to another host or a CSP violation."""
    contexts = []
    offsite: list[str] = []
    csp_errors: list[str] = []

    def make(width: str = "phone", *, javascript: bool = True, locale: str = "en-US"):
        viewport = dict(zip(("width", "height"), WIDTHS[width], strict=True))
        context = browser.new_context(
            viewport=viewport, java_script_enabled=javascript, locale=locale
        )
        contexts.append(context)
        page = context.new_page()

        def on_request(request):
            parts = urlsplit(request.url)
            if parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname not in LOCAL_HOSTS:
                offsite.append(request.url)

        page.on("request", on_request)
        page.on(
            "console",
            lambda message: (
                csp_errors.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )
        return page

    yield make
    for context in contexts:
        context.close()
    assert offsite == [], f"requests left 127.0.0.1: {offsite}"
    assert csp_errors == [], f"Content-Security-Policy violations: {csp_errors}"


def shoot(page, name: str, width: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{WIDTHS[width][0]}.png"), full_page=True)


def choose_need(page, label: str) -> None:
    """The needs fold into a list under Search (so Search is on a phone's first screen)."""
    page.locator("details.more-filters summary").first.click()
    page.get_by_label(label).check()


def search_for_legal_help(page, base: str) -> None:
    page.goto(base + "/")
    page.get_by_label("ZIP code, or city and state").fill("10001")
    choose_need(page, "Legal Assistance")
    page.get_by_role("button", name="Search").first.click()
    page.wait_for_load_state()


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_search_flow_end_to_end(open_page, site, width):
    page = open_page(width)
    page.goto(site["url"] + "/")
    shoot(page, "search", width)
    search_for_legal_help(page, site["url"])
    heading = page.locator("#results-heading")
    assert "2 services within 25 miles of New York, NY 10001" in heading.inner_text()
    names = page.locator("ol.cards h3 a").all_inner_texts()
    assert names == ["Midtown Legal Services", "Newark Justice Center"]
    states = page.locator("ol.cards .open-state").all_inner_texts()
    assert states[1] == "Open now" and states[0] in {"Open now", "Closed now"}  # Newark is 24/7
    assert page.locator(".remote").get_by_role("link", name="Statewide Survivor Line").is_visible()
    if width == "phone":  # the list first; the map is one tap away
        assert not page.locator("figure.map svg").is_visible()
        page.get_by_role("link", name="Map", exact=True).click()
        assert page.locator("figure.map svg").is_visible()
        assert not page.locator("ol.cards").is_visible()
        page.get_by_role("link", name="List", exact=True).click()
    assert page.locator("ol.cards").is_visible()
    assert page.locator("figure.map svg").is_visible() == (width == "desktop")
    shoot(page, "results", width)
    page.get_by_role("link", name="Midtown Legal Services").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Midtown Legal Services"
    assert page.get_by_text("Call to make an appointment.").is_visible()
    assert page.locator('a[href^="tel:"]').first.is_visible()
    shoot(page, "provider", width)


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_screenshots_of_the_other_pages(open_page, site, width):
    page = open_page(width)
    pages = {
        "get-help": "/get-help/",
        "browse-safely": "/browse-safely/",
        "about": "/about/",
        "provider-confidential": f"/provider/{site['shelter'].pk}/",
        "unknown-place": "/?near=Springfield",
        "no-results": "/?near=10001&radius=5&service=employment-training",
        "form-error": "/?near=&radius=junk",
        "es-search": "/es/",
        "es-results": "/es/?near=10001&service=legal-assistance",
    }
    for name, path in pages.items():
        page.goto(site["url"] + path)
        shoot(page, name, width)
    page.goto(site["url"] + f"/provider/{site['shelter'].pk}/")
    body = page.locator("body").inner_text()
    assert "Address kept confidential for safety: call first." in body
    assert "77 Hidden Lane" not in page.content()


@pytest.mark.parametrize("how", ["button", "escape", "triple-shift"])
def test_quick_exit_lands_on_the_neutral_site_and_back_does_not_return(open_page, site, how):
    page = open_page("phone")
    page.goto(site["url"] + "/?near=10001")
    if how == "button":
        page.get_by_role("link", name="Quick exit").click()
    elif how == "escape":
        page.keyboard.press("Escape")
    else:
        for _ in range(3):
            page.keyboard.press("Shift")
    page.wait_for_url(site["neutral"])
    assert page.url == site["neutral"]
    page.go_back()
    assert page.url in {"about:blank", site["neutral"]}
    assert "/?near=" not in page.url


def test_two_shift_presses_and_other_keys_do_not_exit(open_page, site):
    page = open_page("desktop")
    page.goto(site["url"] + "/")
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.keyboard.press("a")
    page.keyboard.press("Shift")
    page.wait_for_timeout(300)
    assert page.url == site["url"] + "/"


def test_quick_exit_works_without_javascript(open_page, site):
    page = open_page("phone", javascript=False)
    page.goto(site["url"] + "/about/")
    page.get_by_role("link", name="Quick exit").click()
    page.wait_for_url(site["neutral"])


def test_search_works_without_javascript(open_page, site):
    page = open_page("phone", javascript=False)
    search_for_legal_help(page, site["url"])
    assert page.locator("ol.cards h3 a").first.inner_text() == "Midtown Legal Services"
    assert page.locator("figure.map svg").count() == 1
    assert not page.get_by_role("button", name="Use my location").is_visible()


def test_spanish_flow(open_page, site):
    page = open_page("phone", locale="es-ES")
    page.goto(site["url"] + "/")  # the browser's language picks the first page's
    assert page.url == site["url"] + "/es/"
    assert page.locator("html").get_attribute("lang") == "es"
    page.get_by_label("Código postal, o ciudad y estado").fill("10001")
    choose_need(page, "Ayuda legal")
    page.get_by_role("button", name="Buscar").first.click()
    page.wait_for_load_state()
    assert "2 servicios a menos de 25 millas" in page.locator("#results-heading").inner_text()
    assert page.get_by_text("Salida rápida").first.is_visible()
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert "2 services within 25 miles" in page.locator("#results-heading").inner_text()


def test_first_load_of_search_page_is_well_under_budget(open_page, site):
    for path in ("/", "/?near=10001&service=legal-assistance"):
        page = open_page("phone")
        sizes: list[int] = []
        page.on("response", lambda response, sizes=sizes: sizes.append(len(response.body())))
        page.goto(site["url"] + path)
        page.wait_for_load_state("networkidle")
        assert len(sizes) >= 3  # the page, its stylesheet and its script
        assert sum(sizes) < FIRST_LOAD_BUDGET_BYTES, (path, sum(sizes))


def test_use_my_location_fills_rounded_coordinates_and_searches(browser, site):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        geolocation={"latitude": 40.748412, "longitude": -73.996712},
        permissions=["geolocation"],
    )
    try:
        page = context.new_page()
        page.goto(site["url"] + "/")
        page.get_by_role("button", name="Use my location").click()
        page.wait_for_url("**/?*lat=*")
        query = urlsplit(page.url).query
        assert "lat=40.748" in query and "lng=-73.997" in query and "40.7484" not in query
        assert "of your location" in page.locator("#results-heading").inner_text()
    finally:
        context.close()


def axe_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}: {v['nodes'][0]['target']})"
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_axe_finds_no_violations_on_any_public_page(open_page, site, width):
    page = open_page(width)
    paths = [
        "/",
        "/?near=10001&service=legal-assistance",
        "/?near=Springfield",
        "/?near=&radius=junk",
        "/?near=10001&radius=5&service=employment-training",
        f"/provider/{site['shelter'].pk}/",
        "/get-help/",
        "/browse-safely/",
        "/about/",
        "/es/",
        "/es/?near=10001",
        "/options/",
        "/options/basics/",
        "/options/questions/?near=10001",
        "/options/help/",
        "/options/young-people/",
        "/options/other-countries/",
        "/options/find/?service=legal-assistance",
        "/es/options/questions/",
        "/es/options/find/?service=legal-assistance",
    ]
    page.goto(site["url"] + "/?near=10001")
    paths.append(page.locator("ol.cards h3 a").first.get_attribute("href"))
    problems = {}
    for path in paths:
        page.goto(site["url"] + path)
        found = axe_violations(page)
        if found:
            problems[path] = found
    assert problems == {}


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_self_check_leads_into_a_search_with_the_needs_chosen(open_page, site, width):
    page = open_page(width, javascript=False)  # a plain GET form: no JavaScript needed
    page.goto(site["url"] + "/")
    page.get_by_role("link", name="Know your options").click()
    page.wait_for_load_state()
    assert page.title() == "Options · Resource Map"
    shoot(page, "options", width)
    page.get_by_role("link", name="Read a few questions privately and see which help fits").click()
    page.wait_for_load_state()
    assert page.title() == "Options · Resource Map"
    page.get_by_label("Do you have a legal worry").check()
    page.get_by_label("Would you like someone on your side").check()
    shoot(page, "options-questions", width)
    page.get_by_role("button", name="Show help that fits").click()
    page.wait_for_load_state()
    # No place yet: the search form asks where, with the two needs already ticked.
    assert page.get_by_role("heading", level=1).inner_text() == "Where should we look?"
    assert page.get_by_label("Legal Assistance").is_checked()
    assert page.get_by_label("Victim Advocacy").is_checked()
    assert not page.get_by_label("Food/Shelter/Housing").is_checked()
    shoot(page, "options-find", width)
    page.get_by_label("ZIP code, or city and state").fill("10001")
    page.get_by_role("button", name="Search").first.click()  # the one under the place
    page.wait_for_load_state()
    query = urlsplit(page.url).query
    assert query == "near=10001&service=victim-advocacy&service=legal-assistance"
    assert urlsplit(page.url).fragment == "results"
    assert (
        "services within 25 miles of New York, NY 10001"
        in page.locator("#results-heading").inner_text()
    )
    assert "Midtown Legal Services" in page.locator("ol.cards").inner_text()
    note = page.locator("details.guidance")
    assert note.locator("summary").inner_text() == "About this help: what to expect"
    shoot(page, "options-results", width)
    # The note is one folded line above the results, and leads back to the guidance.
    note.locator("summary").click()
    note.get_by_role("link", name="More about your options").click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == "/options/help/"
    page.get_by_role("link", name="Find Legal Assistance near you").click()
    page.wait_for_load_state()
    assert urlsplit(page.url).query == "near=10001&service=legal-assistance"


def test_self_check_in_spanish_with_a_place_goes_straight_to_the_results(open_page, site):
    page = open_page("phone", locale="es-ES")
    page.goto(site["url"] + "/es/?near=10001&service=legal-assistance")
    page.locator("details.guidance summary").click()
    page.get_by_role("link", name="Más sobre sus opciones").click()
    page.wait_for_load_state()
    assert page.title() == "Opciones · Resource Map"
    page.get_by_role("link", name="¿Me está pasando esto a mí?").first.click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "es"
    # The place searched before is kept, so the answers land on the results at once.
    assert page.get_by_label("Código postal, o ciudad y estado").input_value() == "10001"
    page.get_by_label("¿Necesita un lugar seguro para dormir esta noche, o comida?").check()
    shoot(page, "es-options-questions", "phone")
    page.get_by_role("button", name="Ver la ayuda que le sirve").click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == "/es/"
    assert urlsplit(page.url).query == "near=10001&service=food-shelter-housing"
    assert "a menos de 25 millas" in page.locator("#results-heading").inner_text()
    assert page.locator("details.guidance summary").inner_text() == (
        "Sobre Comida, refugio y vivienda: qué esperar"
    )
    assert "Harbor Safe House" in page.locator("ol.cards").inner_text()
    shoot(page, "es-options-results", "phone")


def test_page_is_usable_at_320_pixels(browser, site):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    try:
        page = context.new_page()
        for path in ("/", "/?near=10001", "/get-help/", "/options/", "/options/questions/"):
            page.goto(site["url"] + path)
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            assert scroll_width <= 320, (path, scroll_width)
        page.goto(site["url"] + "/?near=10001")
        page.screenshot(path=str(SCREENSHOTS / "results-320.png"), full_page=True)
    finally:
        context.close()


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_arabic_search_flow_right_to_left(open_page, site, width):
    page = open_page(width, locale="ar")
    page.goto(site["url"] + "/")  # the browser's language picks the first page's
    assert page.url == site["url"] + "/ar/"
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.get_by_label("الرمز البريدي (ZIP)، أو المدينة والولاية").fill("10001")
    choose_need(page, "المساعدة القانونية")
    # "Search" is also a msgid of the admin, listed first in INSTALLED_APPS: its word wins.
    page.get_by_role("button", name="ابحث", exact=True).first.click()
    page.wait_for_load_state()
    heading = page.locator("#results-heading").inner_text()
    assert "خدمتان في حدود 25 ميل من New York, NY 10001" in heading
    assert page.locator("ol.cards h3 a").all_inner_texts() == [
        "Midtown Legal Services",
        "Newark Justice Center",
    ]
    # Mirrored: the site name starts on the right, Quick exit sits on the left.
    brand = page.locator(".brand").bounding_box()
    quick_exit = page.locator(".quick-exit").bounding_box()
    assert quick_exit["x"] < brand["x"]
    # A phone number keeps its order inside an Arabic sentence: "(212) 555-…" reads left to
    # right, isolated, so its parentheses are not mirrored around the digits.
    call = page.locator("ol.cards a.button-call").first
    assert "اتصل على \u2066(" in call.inner_text()
    assert page.get_by_text("خروج سريع").first.is_visible()
    shoot(page, "ar-results", width)
    page.locator("ol.cards h3 a").first.click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("dir") == "rtl"
    shoot(page, "ar-provider", width)
    problems = {}
    for path in (
        "/ar/",
        "/ar/?near=10001&service=legal-assistance",
        "/ar/get-help/",
        "/ar/options/",
        "/ar/options/questions/",
        f"/ar/provider/{site['shelter'].pk}/",
    ):
        page.goto(site["url"] + path)
        if found := axe_violations(page):
            problems[path] = found
    assert problems == {}


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_chinese_search_flow_simplified_then_traditional(open_page, site, width):
    page = open_page(width, locale="zh-CN")
    page.goto(site["url"] + "/")
    assert page.url == site["url"] + "/zh-hans/"
    page.get_by_label("邮政编码，或城市和州").fill("10001")
    choose_need(page, "法律援助")
    page.get_by_role("button", name="搜索", exact=True).first.click()
    page.wait_for_load_state()
    heading = page.locator("#results-heading")
    assert "New York, NY 10001 周边 25 英里以内有 2 项服务" in heading.inner_text()
    assert page.locator("ol.cards .tags").first.inner_text().count("法律援助") == 1
    shoot(page, "zh-hans-results", width)
    page.get_by_role("link", name="繁體中文").click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == "/zh-hant/"
    assert "New York, NY 10001 周邊 25 英里以內有 2 項服務" in heading.inner_text()
    assert page.get_by_text("快速離開").first.is_visible()
    shoot(page, "zh-hant-results", width)
    problems = {}
    for path in (
        "/zh-hans/",
        "/zh-hant/?near=10001&service=legal-assistance",
        "/zh-hans/get-help/",
        "/zh-hant/options/questions/",
    ):
        page.goto(site["url"] + path)
        if found := axe_violations(page):
            problems[path] = found
    assert problems == {}
