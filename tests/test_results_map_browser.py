"""The search flow and the results map in real headless Chromium at 390 and 1280 px (issue 17,
items 2 and 3): Search on a phone's first screen, landing at the results with and without
JavaScript, the list before the map on a phone, town names, a scale and a cluster that opens,
and no request to another host. Screenshots go to test-artifacts/screenshots/map-*.png."""

import pytest
import test_pages_browser as pages

pytestmark = pytest.mark.browser

# The public pages' fixtures: a live site with a few listings near 10001, and pages that fail
# a test on any request to another host or any Content-Security-Policy violation.
site, open_page = pages.site, pages.open_page
SCREENSHOTS, WIDTHS, axe_violations, shoot = (
    pages.SCREENSHOTS,
    pages.WIDTHS,
    pages.axe_violations,
    pages.shoot,
)


@pytest.fixture
def crowded(site, make_provider):
    """Four more services in one Midtown building: their pins would overlap."""
    for i in range(1, 5):
        make_provider(
            name=f"Garment District Center {i}",
            lat=40.7530 + i * 0.0002,
            lng=-73.9890,
            services=("legal-assistance",),
            street=f"{500 + i} Seventh Avenue",
        )
    return site


def in_first_screen(page, locator, width: str) -> bool:
    box = locator.bounding_box()
    return box is not None and 0 <= box["y"] and box["y"] + box["height"] <= WIDTHS[width][1]


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_search_is_on_the_first_screen_and_the_page_lands_at_the_results(open_page, site, width):
    page = open_page(width)
    page.goto(site["url"] + "/")
    search = page.get_by_role("button", name="Search")
    assert search.count() == 1  # the second Search shows only once a list is open
    assert in_first_screen(page, page.get_by_label("ZIP code, or city and state"), width)
    assert in_first_screen(page, search, width)
    shoot(page, "map-home", width)
    # Once a folded list is open, a second Search ends the form: no scrolling back up.
    page.locator("details.more-filters summary").first.click()
    assert search.count() == 2 and search.last.is_visible()
    page.locator("details.more-filters summary").first.click()
    assert search.count() == 1
    page.get_by_label("ZIP code, or city and state").fill("10001")
    page.get_by_label("ZIP code, or city and state").press("Enter")
    page.wait_for_load_state()
    assert page.url.endswith("/?near=10001&radius=25#results")
    heading = page.locator("#results-heading")
    assert in_first_screen(page, heading, width)
    assert page.evaluate("window.scrollY") > 200  # not the top of the page: the results
    # On the phone the list comes first; on a wide screen the map stands beside it.
    first_card = page.locator("ol.cards li").first
    assert first_card.is_visible()
    the_map = page.locator("#results-map svg")
    if width == "phone":
        assert not the_map.is_visible()
    else:
        card, box = first_card.bounding_box(), the_map.bounding_box()
        assert box["x"] > card["x"] + card["width"]  # beside the list, not above it
        assert in_first_screen(page, page.locator("ol.cards li").nth(1), width)
    page.screenshot(path=str(shoot_path("map-landed", width)))


def shoot_path(name: str, width: str):
    """Where a screenshot of the first screen (not the whole page) goes."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}-{WIDTHS[width][0]}.png"


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_without_javascript_the_search_also_lands_at_the_results(open_page, site, width):
    page = open_page(width, javascript=False)
    page.goto(site["url"] + "/")
    page.get_by_label("ZIP code, or city and state").fill("10001")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    assert page.url.endswith("#results")
    assert in_first_screen(page, page.locator("#results-heading"), width)
    # No script: both show, the list first; "Map" jumps to the map below it.
    assert page.locator("#results-map svg").is_visible()
    assert page.locator("ol.cards li").first.is_visible()
    page.screenshot(path=str(shoot_path("map-landed-nojs", width)))


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_the_map_shows_town_names_a_scale_and_a_cluster_that_opens(open_page, crowded, width):
    page = open_page(width)
    page.goto(crowded["url"] + "/?near=10001#results")
    if width == "phone":
        page.get_by_role("link", name="Map", exact=True).click()
    svg = page.locator("#results-map svg")
    assert svg.is_visible()
    assert in_first_screen(page, svg, width)
    labels = svg.locator(".map-labels text").all_text_contents()
    assert "Yonkers" in labels or "Manhattan" in labels
    assert svg.locator(".map-scale text").text_content().endswith(" mi")
    cluster = svg.locator(".map-cluster").first
    badge = cluster.locator(".cluster-badge")
    assert badge.locator("text").text_content() == "5"  # Midtown and the four next door
    members = cluster.locator(".cluster-members [data-result]")
    assert not members.first.is_visible()
    page.locator("#results-map").scroll_into_view_if_needed()
    svg.screenshot(path=str(shoot_path("map-cluster-closed", width)))
    badge.click()
    assert members.count() == 5 and members.first.is_visible()
    svg.screenshot(path=str(shoot_path("map-cluster-open", width)))
    # Tapping a pin shows its card in the list (on a phone, the list view comes back).
    number = members.nth(2).get_attribute("data-result")
    members.nth(2).click()
    card = page.locator(f"#result-{number}")
    assert card.is_visible()
    assert page.evaluate("document.activeElement.closest('li.card').id") == f"result-{number}"
    shoot(page, "map-results", width)
    assert axe_violations(page) == []
