"""The results page's flow and map (issue 17, items 2 and 3), through the Django test client:
Search right under the place, landing at the results, the list before the map, pins only
for public places, and "Directions" handing a listed street to the device's maps app."""

import re
from html import unescape
from http import HTTPStatus

import pytest

pytestmark = pytest.mark.django_db

IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15"
ANDROID = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/131 Mobile"


def text_of(response) -> str:
    assert response.status_code == HTTPStatus.OK
    return response.content.decode()


@pytest.fixture
def listings(make_provider):
    make_provider(name="Midtown Legal Services", lat=40.7505, lng=-73.9934)
    shelter = make_provider(
        name="Harbor Safe House",
        lat=40.7612,
        lng=-73.9812,
        confidential=True,
        street="77 Hidden Lane",
        postcode="10019",
    )
    return {"shelter": shelter}


def test_search_button_comes_right_after_the_place_field_and_the_needs_fold(client, db):
    html = text_of(client.get("/"))

    form = html[html.index('<form class="search-form"') : html.index("</form>")]
    after_place = form[form.index('name="near"') :]
    # The next control after the place is Search: on a phone it is on the first screen.
    next_control = re.search(r"<(select|button|summary|fieldset)\b[^>]*>([^<]*)", after_place)
    assert next_control.group(0) == '<button type="submit" class="button-primary">Search'
    # The needs are a folded list below it (no `open`), and once a list is open a second
    # Search ends the form (site.css shows it), so nobody scrolls back up.
    needs = after_place.index("What kind of help are you looking for?")
    assert after_place.rfind("<details", 0, needs) > after_place.index("Search</button>")
    assert re.search(r'<details class="more-filters">\s*<summary>What kind of help', form)
    assert form.rstrip().endswith(
        '<p class="search-again"><button type="submit" class="button-primary">Search</button></p>'
    )


def test_the_search_lands_at_the_results_without_javascript(client, listings):
    home = text_of(client.get("/"))
    assert 'action="/#results"' in home

    html = text_of(client.get("/?near=10001"))
    assert '<section class="results" id="results"' in html
    assert 'action="/#results"' in html  # searching again lands there too


def test_a_place_not_found_is_where_the_search_lands(client, db):
    html = text_of(client.get("/?near=Springfield"))

    assert re.search(r'<section class="notice" id="results"[^>]*>\s*<h2 id="place-problem"', html)


def test_page_links_land_at_the_results(client, make_provider):
    for i in range(25):
        make_provider(name=f"Place {i:02}", lat=40.7505 + i * 0.001, lng=-73.9934)

    html = text_of(client.get("/?near=10001"))

    assert re.search(r'href="\?near=10001&amp;page=2#results" rel="next"', html)


def test_the_list_comes_before_the_map_with_a_choice_between_them(client, listings):
    html = text_of(client.get("/?near=10001"))

    choice = html.index('<ul class="view-choice"')
    cards, the_map = (
        html.index('<ol class="cards"'),
        html.index('<figure class="map" id="results-map"'),
    )
    assert choice < cards < the_map
    assert '<a href="#result-list" aria-current="true" data-view="list">List</a>' in html
    assert '<a href="#results-map" data-view="map">Map</a>' in html


def test_the_map_has_town_names_a_scale_and_pins_for_public_places_only(client, listings):
    html = text_of(client.get("/?near=10001"))

    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'class="map-labels"' in svg and ">Yonkers</text>" in svg
    assert re.search(r'<g class="map-scale">.*>\d+ mi</text></g>', svg)
    # Midtown's pin and not the shelter's. Their numbers are read from the list: the
    # shelter is ranked by its random public point, which can be nearer than Midtown.
    number_of = {
        name: number
        for number, name in re.findall(
            r'id="result-(\d+)">\s*<h3>.*?<a href="[^"]*">([^<]+)</a>', html, re.S
        )
    }
    assert set(number_of) == {"Midtown Legal Services", "Harbor Safe House"}
    assert re.findall(r'data-result="(\d+)"', svg) == [number_of["Midtown Legal Services"]]
    assert "Harbor Safe House" not in svg and "Hidden Lane" not in html


def test_directions_hand_the_street_to_the_phones_maps_app(client, listings):
    android = text_of(client.get("/?near=10001", headers={"user-agent": ANDROID}))
    iphone = text_of(client.get("/?near=10001", headers={"user-agent": IPHONE}))

    street = "350%20Fifth%20Avenue%2C%20New%20York%2C%20NY%2010001"
    assert f'<a class="directions" href="geo:0,0?q={street}">Directions</a>' in android
    assert f'<a class="directions" href="maps://?daddr={street}">Directions</a>' in iphone
    # The confidential shelter has no street to give: one link only, and "call first".
    for html in (android, iphone):
        assert html.count('class="directions"') == 1
        assert "Address kept confidential for safety: call first." in html


def test_provider_page_has_directions_unless_the_address_is_confidential(client, listings):
    from providers.models import ServiceAtLocation

    open_place = ServiceAtLocation.objects.exclude(pk=listings["shelter"].pk).get()
    html = text_of(client.get(f"/provider/{open_place.pk}/"))
    shelter = text_of(client.get(f"/provider/{listings['shelter'].pk}/"))

    assert 'class="button-secondary directions" href="geo:0,0?q=350%20Fifth' in html
    assert "directions" not in shelter and "Hidden" not in unescape(shelter)


def test_spanish_results_name_the_choice_directions_and_scale(client, listings):
    html = text_of(client.get("/es/?near=10001"))

    assert ">Lista</a>" in html and ">Mapa</a>" in html and ">Cómo llegar</a>" in html
    assert re.search(r">\d+ mi</text>", html)
    # The language links keep the search, so switching language keeps the results.
    assert 'href="/?near=10001" hreflang="en"' in html
