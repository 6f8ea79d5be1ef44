"""The one order of a listing's phones (providers/phones.py), as every surface shows it: the
first "Call" is a voice line or hotline, TTY and text are labelled, text numbers are `sms:`."""

import re
from http import HTTPStatus

import pytest
from django.urls import reverse

from providers.listings import build_listings
from providers.models import Phone
from providers.phones import ordered_phones
from referrals.models import ResourceList, ResourceListItem

pytestmark = pytest.mark.django_db

TTY = "+12125550100"  # the service's own number (make_provider's), made a TTY line below
VOICE = "+12125550111"  # the organization's voice line
TEXT = "+12125550122"
FAX = "+12125550133"


@pytest.fixture
def tty_first(make_provider):
    """A listing whose service lists a TTY line and a text line before the organization's
    voice line (the order in which an editor typed them)."""
    sal = make_provider(name="Deaf Services Center", services=("legal-assistance",))
    sal.service.phones.update(kind=Phone.Kind.TTY)
    Phone.objects.create(service=sal.service, number=TEXT, kind=Phone.Kind.TEXT, position=1)
    Phone.objects.create(location=sal.location, number=FAX, kind=Phone.Kind.FAX)
    Phone.objects.create(organization=sal.service.organization, number=VOICE)
    return sal


def links(html: str) -> list[tuple[str, str]]:
    """(href, text) of each phone link, in page order."""
    found = re.findall(r'<a [^>]*href="((?:tel|sms):[^"]*)"[^>]*>(.*?)</a>', html)
    return [(href, re.sub(r"\s+", " ", text).strip()) for href, text in found]


def test_voice_and_hotline_come_before_text_tty_and_fax_nearest_source_first():
    def phone(number, kind, extension=""):
        return {"number": number, "extension": extension, "kind": kind}

    service = [phone("1", "tty"), phone("2", "text"), phone("3", "hotline")]
    location = [phone("4", "fax"), phone("5", "voice"), phone("3", "hotline")]
    organization = [phone("6", "voice"), phone("6", "voice", "12"), phone("2", "voice")]
    numbers = [
        (p["number"], p["kind"])
        for p in ordered_phones(service, location, organization, read=dict.__getitem__)
    ]
    assert numbers == [
        ("3", "hotline"),
        ("5", "voice"),
        ("6", "voice"),
        ("6", "voice"),  # the same number at another extension is another line
        ("2", "voice"),  # a number that takes calls and texts keeps both
        ("2", "text"),
        ("1", "tty"),
        ("4", "fax"),
    ]


def test_first_call_on_a_result_card_is_the_voice_line(client, tty_first):
    html = client.get("/?near=10001&service=legal-assistance").content.decode()
    cards = html[html.index('<ol class="cards"') :]
    card = cards[: cards.index("</ol>")]  # the one result
    assert links(card) == [
        (f"tel:{VOICE}", "Call (212) 555-0111"),
        (f"tel:{TTY}", "TTY (212) 555-0100"),
        (f"sms:{TEXT}", "Text (212) 555-0122"),
    ]


def test_provider_page_lists_the_voice_line_first_and_labels_tty_and_text(client, tty_first):
    html = client.get(reverse("directory:provider-detail", args=[tty_first.pk])).content.decode()
    contact = html[html.index('id="contact-heading"') :]
    assert links(contact[: contact.index("</section>")]) == [
        (f"tel:{VOICE}", "Call (212) 555-0111"),
        (f"tel:{TTY}", "TTY (212) 555-0100"),
        (f"sms:{TEXT}", "Text (212) 555-0122"),
    ]


def test_api_lists_the_voice_line_first(api_client, tty_first):
    response = api_client.get(f"/api/v1/providers/{tty_first.pk}/")
    assert response.status_code == HTTPStatus.OK
    assert [(p["number"], p["kind"]) for p in response.json()["phones"]] == [
        (VOICE, "voice"),
        (TEXT, "text"),
        (TTY, "tty"),
        (FAX, "fax"),
    ]


def test_handout_and_shared_list_text_with_sms_and_label_tty(client, tty_first, referral_world):
    resource_list = ResourceList.objects.create(
        agency=referral_world.agency_a, created_by=referral_world.advocate_a
    )
    ResourceListItem.objects.create(resource_list=resource_list, service_at_location=tty_first)
    resource_list.share()
    shared = client.get(reverse("share:list", kwargs={"token": resource_list.share_token}))
    client.force_login(referral_world.advocate_a)
    printed = client.get(reverse("referrals:list-print", kwargs={"pk": resource_list.pk}))
    for response in (shared, printed):
        html = response.content.decode()
        entry = html[html.index('class="handout-entry"') :]
        entry = entry[: entry.index("</section>")]
        assert links(entry) == [
            (f"tel:{VOICE}", "(212) 555-0111"),
            (f"sms:{TEXT}", "(212) 555-0122"),
            (f"tel:{TTY}", "(212) 555-0100"),
        ]  # no fax: a client cannot use one
        assert "(212) 555-0122</a> (text)" in entry
        assert "(212) 555-0100</a> (TTY)" in entry


@pytest.mark.parametrize(
    ("language", "label"),
    [
        ("en", "(TTY)"),
        ("es", "(TTY (teléfono para personas sordas o con dificultad auditiva))"),
        ("zh-hans", "(TTY（聋人及听障人士专线）)"),
        ("vi", "(TTY (dành cho người khiếm thính))"),
        ("ar", "(TTY (هاتف نصي للصم وضعاف السمع))"),
        ("fr", "(ATS (pour les personnes sourdes ou malentendantes))"),
    ],
)
def test_handout_names_the_tty_line_in_the_lists_language(
    client, tty_first, referral_world, language, label
):
    """A client reading the handout in Spanish (or any language) is told what a TTY line is
    for, in their language (issue 17: the label was English 'TTY' everywhere)."""
    resource_list = ResourceList.objects.create(
        agency=referral_world.agency_a, created_by=referral_world.advocate_a, language=language
    )
    ResourceListItem.objects.create(resource_list=resource_list, service_at_location=tty_first)
    client.force_login(referral_world.advocate_a)
    printed = client.get(reverse("referrals:list-print", kwargs={"pk": resource_list.pk}))
    html = printed.content.decode()
    entry = html[html.index('class="handout-entry"') :]
    assert f"(212) 555-0100</a> {label}" in entry[: entry.index("</section>")]


def test_each_number_of_a_listing_says_whose_it_is(make_provider):
    """The service's, the location's or the organization's: a number on two owners shows once,
    as the nearest owner's (the service's before the organization's)."""
    sal = make_provider(name="Owners Clinic")  # the service's own line: TTY's number
    organization = sal.service.organization
    Phone.objects.create(location=sal.location, number=TEXT)
    Phone.objects.create(service=sal.service, organization=organization, number=VOICE)
    Phone.objects.create(organization=organization, number=FAX)
    (listing,) = build_listings([(sal.pk, None)])
    assert [(phone["number"], phone["owner"]) for phone in listing["phones"]] == [
        (TTY, "service"),
        (VOICE, "service"),
        (TEXT, "location"),
        (FAX, "organization"),
    ]


def test_the_api_says_whose_each_number_is(api_client, tty_first):
    response = api_client.get(f"/api/v1/providers/{tty_first.pk}/")
    assert [(p["number"], p["owner"]) for p in response.json()["phones"]] == [
        (VOICE, "organization"),
        (TEXT, "service"),
        (TTY, "service"),
        (FAX, "location"),
    ]


def test_a_phone_serialised_alone_says_whose_it_is(tty_first):
    """Outside a listing (no owner in the serializer's context) the row's own owner."""
    from api.serializers import PhoneSerializer

    owners = {
        phone.number: PhoneSerializer(phone).data["owner"]
        for phone in Phone.objects.filter(number__in=[VOICE, TEXT, FAX])
    }
    assert owners == {VOICE: "organization", TEXT: "service", FAX: "location"}
