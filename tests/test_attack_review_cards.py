"""Attacks on the result cards since they render through Jinja2 (directory/jinja2/
directory/_cards.html): every value a provider or editor types reaches the page escaped, no
href can be steered to another scheme, and a card's missing value is not a 500 on a public
page."""

from http import HTTPStatus

import pytest
from django.template import engines
from markupsafe import escape

from directory.presenters import Card
from providers.models import Phone, Term

pytestmark = pytest.mark.django_db

EVIL = "\"'><script>alert(1)</script><img src=x onerror=alert(2)>{{7*7}}{% raw %}"


def _evil_world(make_provider):
    plain = make_provider(
        name=EVIL,
        service_name="S " + EVIL,
        city="City " + EVIL,
        street="1 " + EVIL,
        lat=40.7505,
        lng=-73.9934,
        postcode="10001",
    )
    Phone.objects.create(
        service=plain.service, number="+1212555" + "0199", kind=Phone.Kind.TEXT, extension="<b>\"'x"
    )
    Phone.objects.filter(service=plain.service, kind=Phone.Kind.VOICE).update(
        extension='1" x=y'  # an extension is at most 10 characters
    )
    make_provider(name="Shelter " + EVIL, confidential=True, city="Town " + EVIL)
    make_provider(name="Line " + EVIL, kind="remote", service_area="nationwide")
    Term.objects.filter(slug="victim-advocacy").update(name="Tag " + EVIL)


def test_every_value_on_a_card_is_escaped(client, make_provider):
    _evil_world(make_provider)
    response = client.get("/", {"near": "10001"})
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    cards = html[html.index('<li class="card"') : html.rindex("</li>")]
    assert cards.count('<li class="card"') == 3
    for raw in ("<script", "<img", "<b>", '1" x=y', EVIL):
        assert raw not in cards, raw
    assert "{{7*7}}" in cards  # shown, not evaluated
    assert "&lt;script&gt;" in cards
    assert 'href="tel:+12125550100;ext=1&#34; x=y"' in cards  # the extension, escaped
    for href in [part.split('"', 1)[0] for part in cards.split('href="')[1:]]:
        assert href.startswith(("/provider/", "tel:", "sms:", "geo:", "maps:")), href


def test_the_cards_template_escapes_every_field_it_places():
    """Straight through the template: a Card with a hostile value in each field it shows."""
    card = Card(
        listing={"id": "00000000-0000-0000-0000-000000000000", "organization": {"name": EVIL}},
        number=1,
        url=EVIL,
        service_name=EVIL,
        distance=EVIL,
        open_state=EVIL,
        open_label=EVIL,
        free_label=EVIL,
        tag_names=[EVIL],
        languages=[EVIL],
        place_note=EVIL,
        place=EVIL,
        buttons=[{"kind": EVIL, "href": EVIL, "label": EVIL}],
        directions=EVIL,
    )
    html = (
        engines["jinja2"]
        .get_template("directory/_cards.html")
        .render(
            {
                "cards": [card],
                "words": {"services": EVIL, "languages": EVIL, "directions": EVIL},
                "add_to_list": lambda card: "",
            }
        )
    )
    assert "<script" not in html and "<img" not in html and EVIL not in html
    assert html.count(escape(EVIL)) == 18  # each of the 18 places a value goes, escaped
