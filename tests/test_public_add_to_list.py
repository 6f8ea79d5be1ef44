""" "Add to list" on the public results: advocates only; the public's page does not change."""

from http import HTTPStatus
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from referrals.models import ResourceList, ResourceListItem

pytestmark = pytest.mark.django_db

CARD = Path(__file__).resolve().parent.parent / "directory/templates/directory/_card.html"
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
    assert "{% add_to_list card.sal %}" in source
    with_tag = client.get(RESULTS)
    assert with_tag.content.count(b'class="card"') == 3

    without = source.replace("{% add_to_list card.sal %}", "")
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [
        {
            **engine,
            "APP_DIRS": False,
            "OPTIONS": {
                **engine["OPTIONS"],
                "loaders": [
                    ("django.template.loaders.locmem.Loader", {"directory/_card.html": without}),
                    "django.template.loaders.app_directories.Loader",
                ],
            },
        }
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
    assert response["Location"] == RESULTS
    item = ResourceListItem.objects.get()
    assert item.service_at_location == sal
    assert item.resource_list.agency == referral_world.agency_a
    assert ResourceList.objects.count() == 1
    page = client.get(RESULTS).content.decode()
    assert "Added Provider P Legal Aid services to “Resources”." in page
