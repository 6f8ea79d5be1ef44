""" "Add to list" on the public results: advocates only; the public's page does not change."""

from http import HTTPStatus
from pathlib import Path

import jinja2
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from referrals.models import ResourceList, ResourceListItem

pytestmark = pytest.mark.django_db

CARD = Path(__file__).resolve().parent.parent / "directory/jinja2/directory/_cards.html"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
RESULTS = "/?near=10001"
ANONYMOUS_MAX_QUERIES = 11  # tests/test_pages.py::test_search_query_count_does_not_grow...
# Signed in: the session and the user (as on any signed-in page), and one for the agency.
ADVOCATE_MAX_QUERIES = ANONYMOUS_MAX_QUERIES + 3


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # hotlines are cached; each test starts from the same state
    yield
    cache.clear()


@pytest.fixture
def results(make_provider):
    return [
        make_provider(name=f"Open Place {index}", open_24_7=True, languages=("en", "es"))
        for index in range(3)
    ]


def test_anonymous_results_are_byte_identical_to_cards_without_the_tag(client, settings, results):
    source = CARD.read_text(encoding="utf-8")
    assert "{{ add_to_list(card) }}" in source
    with_tag = client.get(RESULTS)
    assert with_tag.content.count(b'class="card"') == 3

    without = source.replace("{{ add_to_list(card) }}", "")
    django_engine, jinja_engine = settings.TEMPLATES
    settings.TEMPLATES = [
        django_engine,
        {
            **jinja_engine,
            "OPTIONS": {
                **jinja_engine["OPTIONS"],
                "loader": jinja2.DictLoader({"directory/_cards.html": without}),
            },
        },
    ]
    cache.clear()
    without_tag = client.get(RESULTS)
    assert with_tag.content == without_tag.content


def test_anonymous_results_have_no_form_cookie_or_extra_query(
    client, results, django_assert_max_num_queries
):
    client.get(RESULTS)  # warm the hotline cache
    with django_assert_max_num_queries(ANONYMOUS_MAX_QUERIES):
        response = client.get(RESULTS)
    html = response.content.decode()
    assert "Add to list" not in html
    assert 'method="post"' not in html and "csrfmiddlewaretoken" not in html
    assert response.cookies == {} and "Set-Cookie" not in response.headers
    assert "Cookie" not in response.get("Vary", "")  # the session was not even looked at


def test_signed_in_non_advocate_sees_no_button(client, referral_world):
    client.force_login(referral_world.staff_p)
    assert "Add to list" not in client.get(RESULTS).content.decode()


def test_advocate_sees_the_button_on_every_card_for_one_query(
    client, referral_world, make_provider, django_assert_max_num_queries
):
    client.force_login(referral_world.advocate_a)
    client.get(RESULTS)  # warm the hotline cache
    with CaptureQueriesContext(connection) as few:
        html = client.get(RESULTS).content.decode()
    cards = html.count('class="card"')
    assert html.count('class="rf-add-to-list"') == cards == 2  # Provider P and Q
    for index in range(6):
        make_provider(name=f"More {index}", open_24_7=True)
    with django_assert_max_num_queries(ADVOCATE_MAX_QUERIES):
        html = client.get(RESULTS).content.decode()
    with CaptureQueriesContext(connection) as many:
        client.get(RESULTS)
    assert html.count('class="rf-add-to-list"') == html.count('class="card"') == 8
    assert len(many) == len(few)  # the tag costs the same for 2 cards or 8
    agency_queries = [q for q in many if "referrals_agencymembership" in q["sql"]]
    assert len(agency_queries) == 1


def test_advocate_adds_a_result_and_comes_back_to_the_results(client, referral_world):
    client.force_login(referral_world.advocate_a)
    sal = referral_world.sal_p
    html = client.get(RESULTS).content.decode()
    assert f'name="service_at_location" value="{sal.pk}"' in html
    assert f'name="next" value="{RESULTS}"' in html
    response = client.post(
        "/referrals/lists/add/", {"service_at_location": str(sal.pk), "next": RESULTS}
    )
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"{RESULTS}#add-{sal.pk}"  # back to the same card
    item = ResourceListItem.objects.get()
    assert item.service_at_location == sal
    assert item.resource_list.agency == referral_world.agency_a
    assert ResourceList.objects.count() == 1
    page = client.get(RESULTS).content.decode()
    assert "Added Provider P Legal Aid services to “Resources”." in page


def sign_in_again(client, user) -> None:
    """A new sign-in: a new session, nothing carried over from the last one."""
    client.logout()
    client.force_login(user)


def test_one_list_in_use_per_advocate_across_sign_ins(client, referral_world):
    advocate = referral_world.advocate_a
    client.force_login(advocate)
    add = {"service_at_location": str(referral_world.sal_p.pk), "next": RESULTS}
    client.post("/referrals/lists/add/", add)
    sign_in_again(client, advocate)
    client.post("/referrals/lists/add/", {**add, "service_at_location": referral_world.sal_q.pk})
    resource_list = ResourceList.objects.get()  # not a new "Resources" at each sign-in
    assert resource_list.items.count() == 2

    other = ResourceList.objects.create(agency=referral_world.agency_a, title="Housing")
    client.get(f"/referrals/lists/{other.pk}/")  # opening a list puts it in use
    sign_in_again(client, advocate)
    page = client.get(RESULTS).content.decode()
    assert f'Adding to <a href="/referrals/lists/{other.pk}/">“Housing”</a> (0 listings).' in page
    # A colleague of the same agency has their own list in use.
    client.force_login(referral_world.advocate_a2)
    assert "Add to list starts a new list, “Resources”." in client.get(RESULTS).content.decode()


def test_list_in_use_is_shown_on_every_results_page(client, referral_world):
    client.force_login(referral_world.advocate_a)
    advocate_results = "/referrals/search/?q=Provider"
    for url in (RESULTS, advocate_results):
        page = client.get(url).content.decode()
        assert "Add to list starts a new list, “Resources”." in page, url
    client.post(
        "/referrals/lists/add/",
        {"service_at_location": str(referral_world.sal_p.pk), "next": RESULTS},
    )
    resource_list = ResourceList.objects.get()
    for url in (RESULTS, advocate_results):
        page = client.get(url).content.decode()
        link = f'<a href="/referrals/lists/{resource_list.pk}/">“Resources”</a>'
        assert f"Adding to {link} (1 listing)." in page, url
        assert 'href="/referrals/lists/">Change list</a>' in page, url
    client.logout()
    assert "rf-list-in-use" not in client.get(RESULTS).content.decode()


def test_add_to_list_returns_to_the_same_card(client, referral_world):
    client.force_login(referral_world.advocate_a)
    sal = referral_world.sal_q
    before = client.get(RESULTS).content.decode()
    assert f'class="rf-add-to-list" id="add-{sal.pk}"' in before
    response = client.post(
        "/referrals/lists/add/", {"service_at_location": str(sal.pk), "next": RESULTS}
    )
    path, fragment = response["Location"].split("#")
    assert path == RESULTS
    after = client.get(path).content.decode()
    # The fragment names the same card, which now says the listing is on the list.
    assert f'<p class="rf-on-list" id="{fragment}">On your list “Resources”</p>' in after
    assert after.count('class="rf-add-to-list"') == after.count('class="card"') - 1


def test_list_in_use_costs_one_query_whatever_the_number_of_cards(
    client, referral_world, make_provider, django_assert_max_num_queries
):
    client.force_login(referral_world.advocate_a)
    client.post(
        "/referrals/lists/add/",
        {"service_at_location": str(referral_world.sal_p.pk), "next": RESULTS},
    )
    client.get(RESULTS)  # warm the hotline cache
    with CaptureQueriesContext(connection) as few:
        client.get(RESULTS)
    for index in range(6):
        make_provider(name=f"More {index}", open_24_7=True)
    # As an advocate without a list, and one for the listings on the list in use.
    with django_assert_max_num_queries(ADVOCATE_MAX_QUERIES + 1):
        html = client.get(RESULTS).content.decode()
    assert html.count('class="card"') == 8
    with CaptureQueriesContext(connection) as many:
        client.get(RESULTS)
    assert len(many) == len(few)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("width", [390, 1280])
def test_add_to_list_lands_back_at_the_card_in_a_browser(
    browser, live_server, make_provider, javascript, width
):
    from conftest import create_referral_user
    from django.test import Client

    from providers.reference_data import load_reference_data
    from referrals.models import Agency

    load_reference_data()  # the live server's transactional database starts empty
    for index in range(12):
        make_provider(name=f"Place {index:02}", lat=40.7484 + index * 0.001, open_24_7=True)
    advocate = create_referral_user("advocate", agency=Agency.objects.create(name="Hotline"))
    client = Client()
    client.force_login(advocate)
    context = browser.new_context(
        viewport={"width": width, "height": 800}, java_script_enabled=javascript
    )
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.goto(f"{live_server.url}{RESULTS}")
    card = page.locator(".card", has_text="Place 09")
    card.get_by_role("button", name="Add to list").click()
    page.wait_for_load_state()
    note = card.locator(".rf-on-list")
    assert note.inner_text() == "On your list “Resources”"
    assert page.url.endswith(f"{RESULTS}#{note.get_attribute('id')}")
    box = note.bounding_box()
    assert box is not None and 0 <= box["y"] <= 800 - box["height"]  # in view, not at the top
    assert page.evaluate("window.scrollY") > 0
    assert page.get_by_text("(1 listing)").count() == 1
    name = f"add-to-list-{'js' if javascript else 'no-js'}-{width}.png"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name))
    context.close()
