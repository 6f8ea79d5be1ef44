"""The result cards' markup (directory/jinja2/directory/_cards.html), pinned whole: what a
screen reader, a phone without JavaScript and the advocates' button rely on."""

import re

import pytest

from providers.models import Phone

pytestmark = pytest.mark.django_db


@pytest.fixture
def harbor(make_provider):
    sal = make_provider(
        name="Harbor & <Legal> Aid",
        lat=40.7505,
        lng=-73.9934,
        services=("legal-assistance", "victim-advocacy"),
        languages=("en", "es"),
        open_24_7=True,
        service_name="Court accompaniment",
    )
    Phone.objects.create(service=sal.service, number="+12125550199", kind=Phone.Kind.TEXT)
    return sal


@pytest.fixture
def cards_world(make_provider, harbor):
    shelter = make_provider(
        name="Quiet Shelter",
        services=("food-shelter-housing",),
        confidential=True,
        cost="sliding_scale",
    )
    line = make_provider(
        name="State Line", kind="remote", service_area="nationwide", phone="+18005550100"
    )
    return {"harbor": harbor.pk, "shelter": shelter.pk, "line": line.pk}


def cards_of(html: str) -> list[str]:
    """Each card's lines, stripped, without the blank ones the template's tags leave."""
    cards = re.findall(r'<li class="card[ "].*?\n</li>', html, flags=re.S)
    return ["\n".join(line.strip() for line in card.splitlines() if line.strip()) for card in cards]


def shown(card: tuple[str, ...], ids: dict) -> str:
    """A pinned card's lines with its provider page's link filled in."""
    return "\n".join(card).format(**{name: f"/provider/{pk}/" for name, pk in ids.items()})


ENGLISH = [
    (
        '<li class="card" id="result-1">',
        "<h3>",
        '<span class="pin-number" aria-hidden="true">1</span>',
        '<a href="{harbor}">Harbor &amp; &lt;Legal&gt; Aid</a>',
        "</h3>",
        '<p class="service-name">Court accompaniment</p>',
        '<p class="facts">',
        '<span class="distance">0.2 mi away</span>',
        '<span class="open-state open">Open now</span>',
        '<span class="cost">Free</span>',
        "</p>",
        '<ul class="tags" aria-label="Services"><li>Victim Advocacy</li>'
        "<li>Legal Assistance</li></ul>",
        '<p class="languages-spoken"><span class="label">Languages:</span> English, Spanish</p>',
        '<p class="place">350 Fifth Avenue, New York, NY 10001</p>',
        '<p class="place"><a class="directions"'
        ' href="geo:0,0?q=350%20Fifth%20Avenue%2C%20New%20York%2C%20NY%2010001">Directions</a></p>',
        '<p class="actions">',
        '<a class="button-call" href="tel:+12125550100">Call (212) 555-0100</a>',
        '<a class="button-text" href="sms:+12125550199">Text (212) 555-0199</a>',
        "</p>",
        "</li>",
    ),
    (
        '<li class="card" id="result-2">',
        "<h3>",
        '<span class="pin-number" aria-hidden="true">2</span>',
        '<a href="{shelter}">Quiet Shelter</a>',
        "</h3>",
        '<p class="service-name">Quiet Shelter services</p>',
        '<p class="facts">',
        '<span class="distance">Within about MILES mi</span>',
        '<span class="open-state unknown">Hours not listed</span>',
        "</p>",
        '<ul class="tags" aria-label="Services"><li>Food/Shelter/Housing</li></ul>',
        '<p class="languages-spoken"><span class="label">Languages:</span> English</p>',
        '<p class="place"><strong>Address kept confidential for safety: call first.</strong>'
        " <span>New York, NY</span></p>",
        '<p class="actions">',
        '<a class="button-call" href="tel:+12125550100">Call (212) 555-0100</a>',
        "</p>",
        "</li>",
    ),
    (
        '<li class="card">',
        "<h3>",
        '<a href="{line}">State Line</a>',
        "</h3>",
        '<p class="service-name">State Line services</p>',
        '<p class="facts">',
        '<span class="open-state unknown">Hours not listed</span>',
        '<span class="cost">Free</span>',
        "</p>",
        '<ul class="tags" aria-label="Services"><li>Victim Advocacy</li></ul>',
        '<p class="languages-spoken"><span class="label">Languages:</span> English</p>',
        '<p class="place">By phone, text or online</p>',
        '<p class="actions">',
        '<a class="button-call" href="tel:+18005550100">Call (800) 555-0100</a>',
        "</p>",
        "</li>",
    ),
]


def test_result_cards_show_each_kind_of_place_as_pinned(client, cards_world):
    cards = cards_of(client.get("/?near=10001").content.decode())
    # A confidential place is searched at a point 1-2 miles off its own (not a fixed figure).
    cards[1] = re.sub(r"Within about \d+\.\d mi", "Within about MILES mi", cards[1])
    assert cards == [shown(card, cards_world) for card in ENGLISH]


def test_result_cards_speak_the_pages_language(client, cards_world):
    cards = cards_of(client.get("/es/?near=10001").content.decode())
    assert len(cards) == 3
    harbor, shelter, line = cards
    for expected in (
        f'<a href="/es/provider/{cards_world["harbor"]}/">Harbor &amp; &lt;Legal&gt; Aid</a>',
        '<span class="distance">A 0,2 millas</span>',
        '<span class="open-state open">Abierto ahora</span>',
        '<span class="cost">Gratis</span>',
        '<ul class="tags" aria-label="Servicios"><li>Apoyo a víctimas</li>'
        "<li>Ayuda legal</li></ul>",
        '<p class="languages-spoken"><span class="label">Idiomas:</span> Inglés, Español</p>',
        ">Cómo llegar</a></p>",
        '<a class="button-call" href="tel:+12125550100">Llamar al (212) 555-0100</a>',
        '<a class="button-text" href="sms:+12125550199">Enviar texto al (212) 555-0199</a>',
    ):
        assert expected in harbor
    assert "<strong>Dirección confidencial por seguridad: llame primero.</strong>" in shelter
    assert re.search(r'<span class="distance">A unas \d+,\d millas o menos</span>', shelter)
    assert "350 Fifth" not in shelter  # street and ZIP withheld; the card's link holds a random
    # UUID, one in 50,000 with "10001" in it, so the ZIP counts only as a whole number.
    assert not re.search(r"(?<![0-9A-Za-z])10001(?![0-9A-Za-z])", shelter)
    assert '<p class="place">Por teléfono, texto o en línea</p>' in line


def test_an_advocates_card_ends_with_its_add_to_list_button(client, referral_world, harbor):
    client.force_login(referral_world.advocate_a)
    cards = cards_of(client.get("/?near=10001").content.decode())
    mine = next(card for card in cards if "Harbor &amp; &lt;Legal&gt; Aid" in card)
    button = mine[mine.index('<form method="post"') :]
    assert button.startswith(
        '<form method="post" action="/referrals/lists/add/" class="rf-add-to-list"'
        f' id="add-{harbor.pk}">'
    )
    assert '<input type="hidden" name="csrfmiddlewaretoken" value="' in button
    assert f'<input type="hidden" name="service_at_location" value="{harbor.pk}">' in button
    assert (
        '<button type="submit">Add to list'
        '<span class="visually-hidden">: Court accompaniment</span></button>' in button
    )
    assert button.endswith("</form>\n</li>")
    assert all('class="rf-add-to-list"' in card for card in cards)


@pytest.mark.parametrize("language", ["en", "es", "fr", "vi"])
def test_distances_are_written_as_djangos_floatformat_writes_them(language):
    from django.template.defaultfilters import floatformat
    from django.utils import translation

    from directory.presenters import Wording

    values = [k / 20 for k in range(2000)] + [k / 100 + 0.005 for k in range(500)]
    values += [0.25, 2.5, 999.95, 1234.56, 0.0, 12.34999999]
    with translation.override(language):
        wording = Wording()
        for places in (0, 1):
            written = [wording.number(value, places) for value in values]
            assert written == [str(floatformat(value, places)) for value in values]


def test_the_cards_template_holds_no_words_of_its_own():
    """Every word a card shows is made in Python (directory/presenters.py's Wording, or the
    `words` of the `result_cards` tag) with gettext: makemessages does not read Jinja2
    templates, so a word written in _cards.html would reach no catalog and stay English."""
    import html.parser
    from pathlib import Path

    source = (
        Path(__file__).resolve().parent.parent / "directory/jinja2/directory/_cards.html"
    ).read_text()
    placed = re.sub(r"\{#.*?#\}|\{\{.*?\}\}|\{%.*?%\}", " ", source, flags=re.DOTALL)
    words: list[str] = []

    class Words(html.parser.HTMLParser):
        def handle_data(self, data):
            words.extend(re.findall(r"[^\W\d_]+", data))

        def handle_starttag(self, tag, attrs):
            for name, value in attrs:
                if name in {"aria-label", "title", "alt", "placeholder"} and value:
                    words.extend(re.findall(r"[^\W\d_]+", value))

    Words().feed(placed)
    assert words == []
