"""One card per place (issue 17, item 1): a place's services share one card on the results
page, which lists them, each with what is its own; the map has one pin for it; the card's
first button is the place's voice line; the heading counts services, which is what it pages."""

import re

import pytest
from test_result_cards import cards_of

from providers.models import Phone, Service, ServiceAtLocation

pytestmark = pytest.mark.django_db


@pytest.fixture
def center(make_provider):
    """A family justice center: three services at one address. Its front desk (voice) and
    TTY lines are the location's, shared by every service; the advocacy and legal services
    each have a line of their own; the counselling service has none and is not free."""
    advocacy = make_provider(
        name="Family Justice Center",
        service_name="Victim advocacy",
        lat=40.7505,
        lng=-73.9934,
        phone="+12125550100",
    )
    location, organization = advocacy.location, advocacy.service.organization
    Phone.objects.create(location=location, number="+12125550112", kind=Phone.Kind.TTY)
    Phone.objects.create(location=location, number="+12125550111", kind=Phone.Kind.VOICE)
    listings = {"advocacy": advocacy}
    for key, name, cost, phone in (
        ("legal", "Protective order help", "free", "+12125550120"),
        ("counselling", "Counselling", "sliding_scale", None),
    ):
        service = Service.objects.create(organization=organization, name=name, cost=cost)
        service.languages.set(advocacy.service.languages.all())
        if phone:
            Phone.objects.create(service=service, number=phone)
        listings[key] = ServiceAtLocation.objects.create(service=service, location=location)
    listings["other"] = make_provider(name="Midtown Legal", lat=40.7612, lng=-73.9812)
    return listings


def test_a_places_services_share_one_card_that_lists_them(client, center):
    html = client.get("/?near=10001").content.decode()
    cards = cards_of(html)

    assert "4 services within 25 miles of New York, NY 10001" in html
    assert len(cards) == 2
    place, other = cards
    assert place.count("Family Justice Center") == 1
    assert '<li class="card place" id="result-1">' in place
    assert '<li class="card" id="result-2">' in other and "Midtown Legal" in other
    # The services, each linked to its own page, in the order the search ranked them.
    links = re.findall(r'<a class="service-link" href="/provider/([^/]+)/">([^<]+)</a>', place)
    ranked = sorted(("advocacy", "legal", "counselling"), key=lambda key: center[key].pk)
    assert links == [(str(center[key].pk), center[key].service.name) for key in ranked]


def test_a_places_card_calls_its_front_desk_first_and_names_each_services_own_line(client, center):
    place = cards_of(client.get("/?near=10001").content.decode())[0]
    head, services = place.split('<ul class="services-here"', 1)

    # The place's own lines, every service's: the voice line first, the TTY named as such.
    assert re.findall(r'<a class="button-\w+" href="[^"]+">([^<]+)</a>', head) == [
        "Call (212) 555-0111",
        "TTY (212) 555-0112",
    ]
    # A number of one service's stays beside its name, never as an unlabelled card button.
    rows = {
        re.search(r'class="service-link"[^>]*>([^<]+)</a>', row).group(1): row
        for row in services.split("\n<li>\n")[1:]
    }
    assert "Call (212) 555-0100" in rows["Victim advocacy"]
    assert "Call (212) 555-0120" in rows["Protective order help"]
    assert "button-" not in rows["Counselling"]
    # Cost and hours are each service's own: "Free" only where the data says so.
    assert '<span class="cost">Free</span>' in rows["Protective order help"]
    assert '<span class="cost">' not in rows["Counselling"]
    assert all('<span class="open-state unknown">' in row for row in rows.values())


def test_a_place_has_one_pin_on_the_map(client, center):
    html = client.get("/?near=10001").content.decode()
    figure = html[html.index('<figure class="map"') : html.index("</figure>")]
    assert sorted(set(re.findall(r'data-result="(\d+)"', figure))) == ["1", "2"]
    assert "Map of the 2 places listed on this page" in figure


def test_an_advocate_adds_any_one_of_a_places_services_to_a_list(client, center, referral_world):
    client.force_login(referral_world.advocate_a)
    cards = cards_of(client.get("/?near=10001").content.decode())
    place = next(card for card in cards if "Family Justice Center" in card)
    added = re.findall(r'name="service_at_location" value="([^"]+)"', place)
    assert sorted(added) == sorted(
        str(center[key].pk) for key in ("advocacy", "legal", "counselling")
    )


def test_the_advocates_search_keeps_one_result_per_service(client, center, referral_world):
    """An advocate refers a client to a service: their search lists each one to refer to."""
    client.force_login(referral_world.advocate_a)
    html = client.get("/referrals/search/?near=10001").content.decode()
    results = re.findall(r'<li class="rf-result".*?</li>', html, flags=re.S)
    assert sum("Family Justice Center" in result for result in results) == 3


def straddling_place(make_provider) -> None:
    """19 one-service places near 10001, then a three-service place ranking 20th to 22nd:
    across page 1's end (20 a page)."""
    for k in range(19):
        make_provider(name=f"Near {k:02}", lat=40.7484 + k * 0.0004, lng=-73.9967)
    place = make_provider(name="Straddling Center", lat=40.7700, lng=-73.9967)
    for name in ("Second service", "Third service"):
        service = Service.objects.create(organization=place.service.organization, name=name)
        ServiceAtLocation.objects.create(service=service, location=place.location)


def test_a_place_straddling_a_pages_end_shows_whole_on_that_page_only(client, make_provider):
    """19 places nearer than a three-service place, then two further: the place's services
    rank 20th to 22nd, across page 1's end (20 a page). Page 1 shows it whole; page 2 does
    not show it again."""
    straddling_place(make_provider)
    for k in range(2):
        make_provider(name=f"Far {k}", lat=40.7800 + k * 0.001, lng=-73.9967)

    first = cards_of(client.get("/?near=10001").content.decode())
    second = cards_of(client.get("/?near=10001&page=2").content.decode())

    assert len(first) == 20 and "Straddling Center" in first[-1]
    assert first[-1].count('class="service-link"') == 3
    assert [re.search(r">(Far \d)<", card).group(1) for card in second] == ["Far 0", "Far 1"]


def test_another_organizations_service_at_the_same_location_keeps_its_own_card(client, center):
    """A location can host another organization's service (a family justice center's partner
    agency): it is listed under its own name, on its own card."""
    from providers.models import Organization

    partner = Organization.objects.create(name="Partner Legal Aid", status="published")
    service = Service.objects.create(organization=partner, name="Partner clinic")
    ServiceAtLocation.objects.create(service=service, location=center["advocacy"].location)

    cards = cards_of(client.get("/?near=10001").content.decode())
    mine = [card for card in cards if "Partner Legal Aid" in card]
    assert len(mine) == 1 and "Family Justice Center" not in mine[0]
    center_card = next(card for card in cards if "Family Justice Center" in card)
    assert "Partner" not in center_card and center_card.count('class="service-link"') == 3


def test_a_card_has_one_call_button_for_a_voice_line(client, make_provider):
    """A service's own line and its organization's are both voice lines: two "Call" buttons
    nobody could tell apart. The card shows the first (the service's); the provider page
    lists both."""
    sal = make_provider(name="Two Lines", phone="+12125550100")
    Phone.objects.create(organization=sal.service.organization, number="+12125550199")
    Phone.objects.create(organization=sal.service.organization, number="+12125550198", kind="tty")
    card = cards_of(client.get("/?near=10001").content.decode())[0]
    assert re.findall(r'<a class="button-\w+" href="[^"]+">([^<]+)</a>', card) == [
        "Call (212) 555-0100",
        "TTY (212) 555-0198",
    ]
    page = client.get(f"/provider/{sal.pk}/").content.decode()
    assert "(212) 555-0199" in page
