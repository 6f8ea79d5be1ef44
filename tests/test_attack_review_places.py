"""Attack review of one card per place, the provider's confirmation page, the advocates' results
and the refused referral's summary: a confidential place stays hidden, hostile names stay text,
odd input never gets a 500."""

import re
from datetime import time

import pytest
from django.urls import reverse
from test_place_cards import straddling_place
from test_result_cards import cards_of

from providers.confirmations import make_token
from providers.models import Location, OpeningHours, Phone, Service, ServiceAtLocation, Status

pytestmark = pytest.mark.django_db

STREET = "17 Hidden Court"
HOSTILE = ("Second <script>alert(1)</script>", 'Third "><img src=x onerror=alert(1)>')


@pytest.fixture
def shelter(make_provider):
    """A confidential shelter with three services (two with hostile names and notes), past
    page 1 behind 25 open offices."""
    sal = make_provider(
        name="Harbor Light Shelter",
        street=STREET,
        lat=40.715621,
        lng=-73.986234,
        postcode="10002-4817",
        confidential=True,
    )
    Location.objects.filter(pk=sal.location_id).update(address_2="Unit 9B")
    for name in HOSTILE:
        service = Service.objects.create(organization=sal.service.organization, name=name)
        Phone.objects.create(service=service, number="+12125550177", note="<b>front</b>")
        ServiceAtLocation.objects.create(service=service, location=sal.location)
    for k in range(25):
        make_provider(name=f"Open {k:02}", lat=40.7128 + k * 0.0005, lng=-74.0060)
    return sal


def _leaks(html: str) -> list[str]:
    secret = (STREET, "Unit 9B", "10002-4817", "40.7156", "-73.986", "<script>alert", "<img src=x")
    return [bit for bit in secret if bit in html]


@pytest.mark.parametrize(
    "page",
    ["0", "-1", "1e9", "9" * 30, "9" * 5000, "abc", "２", "٢", "1.5", "", "10001", "nan", "\x00"],
)
def test_any_page_value_is_a_page_never_a_500(client, shelter, page):
    response = client.get("/", {"near": "10002", "page": page})
    assert response.status_code == 200
    assert not _leaks(response.content.decode())


def test_a_confidential_places_card_shows_its_town_and_its_services_as_text(client, shelter):
    html = "".join(
        client.get("/", {"near": "10002", "page": page}).content.decode() for page in (1, 2)
    )
    assert not _leaks(html)
    card = next(card for card in cards_of(html) if "Harbor Light Shelter" in card)
    assert card.count('class="service-link"') == 3
    assert "Address kept confidential for safety" in card
    assert "Second &lt;script&gt;alert(1)&lt;/script&gt;" in card


def test_the_confirmation_page_keeps_a_confidential_street_zip_and_point_out(client, shelter):
    html = client.get(f"/confirm/{make_token(shelter.service.organization)}/").content.decode()
    assert "Address kept confidential for safety" in html
    assert not _leaks(html)
    assert "&lt;b&gt;front&lt;/b&gt;" in html


def test_the_confirmation_page_shows_unlisted_and_odd_listings_without_a_500(client, make_provider):
    """A draft without coordinates, overnight hours in a time zone that does not exist, and a
    remote service for an unknown state: what a provider's own page may hold."""
    sal = make_provider(name="Odd Org", lat=None, lng=None, service_status=Status.DRAFT)
    organization = sal.service.organization
    OpeningHours.objects.create(
        location=sal.location, weekday=1, opens_at=time(22), closes_at=time(6)
    )
    Location.objects.filter(pk=sal.location_id).update(timezone="Not/AZone")
    remote = Location.objects.create(organization=organization, name="Phone", kind="remote")
    service = Service.objects.create(
        organization=organization, name="Statewide line", service_area="states",
        service_area_states=["ZZ", "NY"],
    )  # fmt: skip
    ServiceAtLocation.objects.create(service=service, location=remote)
    response = client.get(f"/confirm/{make_token(organization)}/")
    assert response.status_code == 200
    assert "Statewide line" in response.content.decode()


def test_a_tampered_spent_or_other_organizations_link_is_refused(client, shelter, make_provider):
    organization = shelter.service.organization
    token = make_token(organization)
    for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"), "x", "a" * 5000, f"{token}:x"):
        assert client.get(f"/confirm/{bad}/").status_code == 410
    other = make_provider(name="Other Org")
    assert client.get(f"/confirm/{token}/{other.pk}/").status_code == 404
    assert client.post(f"/confirm/{token}/").status_code == 200
    assert client.get(f"/confirm/{token}/").status_code == 410


def test_advocate_results_keep_hostile_notes_as_text(client, referral_world, make_provider):
    remote = make_provider(name="Remote Line", kind="remote", service_area="nationwide")
    Phone.objects.create(service=remote.service, number="+12125550199", note="<img src=x>")
    odd = make_provider(name="Odd Zone", hours=((1, time(9), time(17)),), lat=40.75)
    Location.objects.filter(pk=odd.location_id).update(timezone="Bad/Zone")
    Phone.objects.create(location=odd.location, number="+12125550198", note="<script>x</script>")
    client.force_login(referral_world.advocate_a)
    for params in ({"near": "10001"}, {"near": "10001", "page": "9" * 30}, {}):
        response = client.get(reverse("referrals:search"), params)
        html = response.content.decode()
        assert response.status_code == 200
        assert "<img src=x" not in html and "<script>x" not in html
        assert "1 Secret Way" not in html


def test_every_error_in_a_refused_referrals_summary_links_to_its_field(client, referral_world):
    """The needs, how to reach the client and urgency are groups of boxes: their errors linked
    to "#", the top of the page, not to the field to fix."""
    client.force_login(referral_world.advocate_a)
    url = reverse("referrals:referral-new", args=[referral_world.sal_p.pk])
    response = client.post(
        url, {"client_reference": "AB", "contact_method": "<b>x</b>", "urgency": "zz"}
    )
    html = response.content.decode()
    summary = html[html.index('class="rf-error-summary"') :]
    summary = summary[: summary.index("</div>")]
    targets = re.findall(r'<a href="#([^"]*)">([^:<]+):', summary)
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    assert {label for _target, label in targets} >= {
        "Needs",
        "How the provider may reach the client",
        "How soon the provider should respond",
    }
    assert [label for target, label in targets if target not in ids] == []
    assert "&lt;b&gt;x&lt;/b&gt;" in summary


def test_a_page_whose_services_all_went_to_the_page_before_is_not_offered(client, make_provider):
    """19 places, then a three-service place ranked 20th to 22nd: page 1 shows the place whole,
    taking page 2's two services, so page 2 is empty: page 1 must not offer "Next page" to it."""
    straddling_place(make_provider)
    first = client.get("/?near=10001").content.decode()
    assert cards_of(first)[-1].count('class="service-link"') == 3
    assert cards_of(client.get("/?near=10001&page=2").content.decode()) == []
    assert 'rel="next"' not in first
