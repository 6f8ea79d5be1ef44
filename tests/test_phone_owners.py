"""Whose line each number is: a listing's phones say which owner (the service, its location or
its organization) they came from, and wherever an advocate sees more than one number, each is
labelled, so nobody has to guess which to give a client."""

import re
from html import unescape

import pytest
from django.urls import reverse

from providers.models import Phone
from referrals.models import ResourceList, ResourceListItem

pytestmark = pytest.mark.django_db

INTAKE = "+12125550100"  # the service's own number (make_provider's)
MAIN = "+12125550111"  # the organization's line
SITE = "+12125550122"  # the location's front desk


@pytest.fixture
def two_lines(make_provider):
    """A legal clinic whose service has its own intake line and whose organization has a main
    line, neither with a note."""
    sal = make_provider(name="Two Lines Legal Aid", services=("legal-assistance",))
    Phone.objects.create(organization=sal.service.organization, number=MAIN)
    return sal


def text_of(html: str) -> str:
    """The words of some HTML, as a reader sees them."""
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))).strip()


def after(text: str, number: str) -> str:
    """What the page says right after a number, up to the next number."""
    rest = text[text.index(number) + len(number) :]
    return re.split(r"\(\d{3}\) \d{3}-\d{4}", rest)[0]


def advocate_card(client, world, name: str = "Two Lines") -> str:
    """The first card of the advocates' search for `name`, signed in as an advocate."""
    client.force_login(world.advocate_a)
    html = client.get(reverse("referrals:search"), {"near": "10001", "q": name}).content.decode()
    card = html[html.index('<li class="rf-result"') :]
    return card[: card.index("</li>")]


def test_the_advocates_card_says_whose_each_number_is(client, referral_world, two_lines):
    text = text_of(advocate_card(client, referral_world))
    assert "Call (212) 555-0100" in text and "Call (212) 555-0111" in text
    assert "This service's own line" in after(text, "(212) 555-0100")
    assert "Organization's line" in after(text, "(212) 555-0111")


def test_a_numbers_own_note_names_it_before_its_owner(client, referral_world, two_lines):
    Phone.objects.filter(number=MAIN).update(note="Front desk, weekdays")
    text = text_of(advocate_card(client, referral_world))
    assert "Front desk, weekdays" in after(text, "(212) 555-0111")
    assert "Organization's line" not in text
    assert "This service's own line" in after(text, "(212) 555-0100")


def test_a_single_number_needs_no_owner(client, referral_world):
    text = text_of(advocate_card(client, referral_world, "Provider P Legal Aid"))
    assert "Call (212) 555-0100" in text
    assert "own line" not in text and "Organization's line" not in text


def test_the_provider_page_says_whose_each_number_is(client, referral_world, two_lines):
    Phone.objects.create(location=two_lines.location, number=SITE)
    client.force_login(referral_world.advocate_a)
    html = client.get(reverse("directory:provider-detail", args=[two_lines.pk])).content.decode()
    contact = html[html.index('id="contact-heading"') :]
    text = text_of(contact[: contact.index("</section>")])
    assert "This service's own line" in after(text, "(212) 555-0100")
    assert "This location's line" in after(text, "(212) 555-0122")
    assert "Organization's line" in after(text, "(212) 555-0111")


def test_the_handout_says_whose_each_number_is(client, referral_world, two_lines):
    resource_list = ResourceList.objects.create(
        agency=referral_world.agency_a, created_by=referral_world.advocate_a
    )
    ResourceListItem.objects.create(resource_list=resource_list, service_at_location=two_lines)
    resource_list.share()
    client.force_login(referral_world.advocate_a)
    printed = client.get(reverse("referrals:list-print", kwargs={"pk": resource_list.pk}))
    shared = client.get(reverse("share:list", kwargs={"token": resource_list.share_token}))
    for response in (printed, shared):
        html = response.content.decode()
        entry = html[html.index('class="handout-entry"') :]
        text = text_of(entry[: entry.index("</section>")])
        assert "This service's own line" in after(text, "(212) 555-0100")
        assert "Organization's line" in after(text, "(212) 555-0111")


def test_the_handout_names_owners_in_the_lists_language(client, referral_world, two_lines):
    resource_list = ResourceList.objects.create(
        agency=referral_world.agency_a, created_by=referral_world.advocate_a, language="es"
    )
    ResourceListItem.objects.create(resource_list=resource_list, service_at_location=two_lines)
    client.force_login(referral_world.advocate_a)
    printed = client.get(reverse("referrals:list-print", kwargs={"pk": resource_list.pk}))
    html = printed.content.decode()
    entry = html[html.index('class="handout-entry"') :]
    text = text_of(entry[: entry.index("</section>")])
    assert "Organization's line" not in text
    assert "línea de la organización" in after(text, "(212) 555-0111").lower()
