"""The advocates' search pages like the public results (?page=N, the search's own count) and
shows the public page's map after a place search, confidential places at no exact point."""

from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from providers.models import Location

pytestmark = pytest.mark.django_db


def _nearby(make_provider, count: int) -> list[str]:
    """`count` listings, each a little farther north of ZIP 10001 than the last."""
    names = [f"Nearby Place {i:02d}" for i in range(count)]
    for i, name in enumerate(names):
        make_provider(name=name, lat=40.7500 + i * 0.002, lng=-73.9967, street=f"{i + 1} Main St")
    return names


def test_page_two_shows_the_next_results_and_the_total(
    client, referral_world, make_provider, monkeypatch
):
    monkeypatch.setattr("referrals.views.PER_PAGE", 3)
    names = _nearby(make_provider, 5)
    client.force_login(referral_world.advocate_a)
    url = reverse("referrals:search")
    first = client.get(url, {"near": "10001", "q": "Nearby"}).content.decode()
    second = client.get(url, {"near": "10001", "q": "Nearby", "page": 2}).content.decode()
    assert "5 results" in first and "5 results" in second
    assert all(name in first for name in names[:3]) and names[3] not in first
    assert all(name in second for name in names[3:]) and names[0] not in second
    assert 'rel="next"' in first and "page=2" in first and "q=Nearby" in first
    assert 'rel="prev"' in second and "near=10001" in second
    # "Add to list" comes back to this page, to the card.
    assert "page=2" in second[second.index('name="next"') :].split(">")[0]


@pytest.mark.parametrize("page", ["9", "0", "two", "-1"])
def test_a_page_that_does_not_exist_is_a_clear_message(client, referral_world, page):
    client.force_login(referral_world.advocate_a)
    response = client.get(reverse("referrals:search"), {"near": "10001", "page": page})
    assert response.status_code == HTTPStatus.OK
    assert "There is no such page of these results." in response.content.decode()
    assert "Provider P Legal Aid" not in response.content.decode()


def test_the_map_follows_a_place_search_with_no_confidential_point(client, referral_world):
    client.force_login(referral_world.advocate_a)
    url = reverse("referrals:search")
    html = client.get(url, {"near": "10001"}).content.decode()
    assert 'id="results-map"' in html and "<svg" in html
    assert "Provider Q Shelter" in html  # listed, but not where it is
    location = Location.objects.get(pk=referral_world.sal_q.location_id)
    assert "Secret Way" not in html
    for lat, lng in ((location.latitude, location.longitude), location.search_point):
        assert f"{lat:.4f}" not in html and f"{abs(lng):.4f}" not in html
    # The public page draws the same map from the same cards: one pin (P), none for Q.
    assert html.count('data-result="') == 1
    # No place searched: no map.
    words = client.get(url, {"q": "Provider"}).content.decode()
    assert "Provider P Legal Aid" in words and 'id="results-map"' not in words


def test_query_count_does_not_grow_with_the_page_size(
    client, referral_world, make_provider, monkeypatch
):
    _nearby(make_provider, 8)
    client.force_login(referral_world.advocate_a)
    client.get(reverse("referrals:search"), {"near": "10001"})  # the session, the caches
    counts = []
    for size in (2, 8):
        monkeypatch.setattr("referrals.views.PER_PAGE", size)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("referrals:search"), {"near": "10001", "q": "Nearby"})
        assert response.content.decode().count('class="rf-result"') == size
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_a_result_shows_todays_hours_and_what_each_number_is_for(
    client, referral_world, make_provider
):
    """An advocate on the phone with a client needs today's hours and whose line a number is."""
    from datetime import time

    from providers.models import Phone

    open_daily = make_provider(
        name="Daily Hours Center",
        hours=tuple((day, time(9), time(17)) for day in range(1, 8)),
    )
    Phone.objects.create(
        organization=open_daily.service.organization, number="+12125550177", note="Front desk"
    )
    make_provider(name="Always Open Line", open_24_7=True, lat=40.7600)
    make_provider(name="No Hours Given", lat=40.7700)
    client.force_login(referral_world.advocate_a)

    html = client.get(reverse("referrals:search"), {"near": "10001"}).content.decode()

    def result(name: str) -> str:
        start = html.index(name)
        return html[start : html.index("</li>", start)]

    assert '<span class="rf-hours">Today: 9 a.m. – 5 p.m.</span>' in result("Daily Hours Center")
    assert '<span class="rf-phone-note">(Front desk)</span>' in result("Daily Hours Center")
    assert '<span class="rf-hours">Open 24 hours, 7 days</span>' in result("Always Open Line")
    assert "rf-hours" not in result("No Hours Given")


def test_a_night_that_began_yesterday_is_not_called_closed_today(referral_world, make_provider):
    """Open Monday 22:00 to 06:00, read at 03:00 on Tuesday: open now, not "Closed today"."""
    from datetime import datetime
    from types import SimpleNamespace
    from unittest import mock
    from zoneinfo import ZoneInfo

    from referrals.templatetags.referrals_tags import hours_today

    tuesday_3am = datetime(2026, 12, 1, 3, tzinfo=ZoneInfo("America/New_York"))
    card = SimpleNamespace(
        location={"open_24_7": False, "timezone": "America/New_York"},
        listing={"hours": [{"weekday": 1, "opens_at": "22:00:00", "closes_at": "06:00:00"}]},
        open_now=True,
    )
    with mock.patch("referrals.templatetags.referrals_tags.timezone.now", return_value=tuesday_3am):
        assert hours_today(card) == ""
        card.open_now = False
        assert hours_today(card) == "Closed today"
