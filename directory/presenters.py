"""What a result card or provider page shows, from the listing the one builder made
(providers/listings.py).

The listing is already redacted (a confidential location has no street, ZIP or point in it)
and its phones are in the one order of providers/phones.py; a card only sorts them into
buttons and puts names in the reader's language on the listing's slugs and codes.
"""

from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from types import SimpleNamespace
from uuid import UUID

from django.urls import reverse
from django.utils.formats import get_format
from django.utils.translation import gettext as _

from directory.templatetags.directory_tags import phone_display
from providers.listings import build_listings, language_name
from providers.models import Phone, Term
from providers.phones import OWNER_LOCATION, OWNER_ORGANIZATION, OWNER_SERVICE
from providers.translations import LocalText, local_text

CALL_KINDS = {Phone.Kind.VOICE, Phone.Kind.HOTLINE, Phone.Kind.TTY}


@dataclass
class Card:
    listing: dict  # the listing, as API v1 serves it
    number: int | None = None
    open_now: bool | None = None  # None: no hours listed, so we cannot say
    call_phones: list[dict] = field(default_factory=list)
    text_phones: list[dict] = field(default_factory=list)
    tags: list[Term] = field(default_factory=list)
    victimizations: list[Term] = field(default_factory=list)
    populations: list[Term] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)  # names in the reader's language
    # What the card says, in the reader's language, made here once so that the results
    # page's template only places it (a template tag or include per card cost more than
    # the card's data: about 0.8 ms a card, 25 to 70 cards a page).
    url: str = ""  # the provider page
    service_name: str = ""  # the service's name when it is not the organization's
    distance: str = ""  # "" without a distance (remote services, a list)
    open_state: str = "unknown"  # open, closed or unknown (the CSS class)
    open_label: str = ""
    free_label: str = ""  # "Free" when the service is free
    tag_names: list[str] = field(default_factory=list)
    place_note: str = ""  # the confidential-address warning
    place: str = ""  # the address line, a confidential place's town, or how to reach it
    buttons: list[dict] = field(default_factory=list)  # {"kind", "href", "label"}
    directions: str = ""  # the Directions link, set by the view (directory/directions.py)
    # A place's card (by_place): one card per service offered there, each with its own link,
    # hours, cost, tags and the numbers that are its own; empty for a card of one service.
    services: list["Card"] = field(default_factory=list)

    @property
    def pk(self) -> UUID:
        return UUID(self.listing["id"])

    @property
    def organization(self) -> dict:
        return self.listing["organization"]

    @property
    def location(self) -> dict:
        return self.listing["location"]

    @cached_property
    def text(self) -> dict[str, LocalText]:
        """The listing's own words in the reader's language (read when a template asks)."""
        return local_texts(self.listing)


def local_texts(listing: dict) -> dict[str, LocalText]:
    """A listing's description, eligibility, how to get help, cost note and hours note in the
    active language, each falling back to the original with its `lang`."""
    service = listing.get("translations")
    location = listing["location"]
    return {
        "description": local_text(listing["description"], service, "description"),
        "eligibility": local_text(listing["eligibility"], service, "eligibility"),
        "how_to_get_help": local_text(listing["how_to_get_help"], service, "how_to_get_help"),
        "cost_note": local_text(listing["cost_note"], service, "cost_note"),
        "hours_note": local_text(
            location["hours_note"], location.get("translations"), "hours_note"
        ),
    }


class Vocabulary:
    """The terms the listings' slugs name, read once for a page (one query), or the terms a page
    has already read (its search form's)."""

    def __init__(self, terms: list[Term] | None = None) -> None:
        self._terms: dict[tuple[str, str], Term] | None = None
        if terms is not None:
            self._terms = {(term.kind, term.slug): term for term in terms}

    def terms(self, kind: str, slugs: list[str]) -> list[Term]:
        if self._terms is None:
            self._terms = {(term.kind, term.slug): term for term in Term.objects.all()}
        return [self._terms[kind, slug] for slug in slugs if (kind, slug) in self._terms]


def with_sms_uri(phone: dict) -> dict:
    """A listing's phone with, for a text line, the `sms:` link of `Phone.sms_uri` beside its
    `tel:` link (only a text line's is ever shown), and its note in the reader's language
    (`local_note`, a LocalText) when it has one."""
    shown = {**phone}
    if phone["kind"] == Phone.Kind.TEXT:
        shown["sms_uri"] = Phone.sms_uri.fget(SimpleNamespace(**phone))
    if phone["note"]:
        shown["local_note"] = local_text(phone["note"], phone.get("translations"), "note")
    return shown


def owner_labels() -> dict[str, str]:
    """Whose line a number is, by its `owner`, in the reader's language."""
    return {
        OWNER_SERVICE: _("This service's own line"),
        OWNER_LOCATION: _("This location's line"),
        OWNER_ORGANIZATION: _("Organization's line"),
    }


def labelled(phones: list[dict], owners: dict[str, str]) -> list[dict]:
    """The numbers a card, page or handout shows, each with its `label` (a LocalText): its own
    note when it has one, else, when there is more than one number, whose line it is, so an
    advocate can tell which to give a client. Changes the dicts (with_sms_uri's copies)."""
    several = len({(phone["number"], phone["extension"]) for phone in phones}) > 1
    for phone in phones:
        if "local_note" in phone:
            phone["label"] = phone["local_note"]
        elif several and phone.get("owner") in owners:
            phone["label"] = LocalText(owners[phone["owner"]], "")
    return phones


class Wording:
    """A page's words for its cards, in the reader's language: translated once a page, not
    once a card (a results page shows 25 cards; each translation is a catalog lookup)."""

    def __init__(self) -> None:
        self.open_states = {
            None: ("unknown", _("Hours not listed")),
            True: ("open", _("Open now")),
            False: ("closed", _("Closed now")),
        }
        self.free = _("Free")
        self.remote = _("By phone, text or online")
        self.confidential = _("Address kept confidential for safety: call first.")
        self.call, self.tty, self.text = (
            _("Call %(number)s"),
            _("TTY %(number)s"),
            _("Text %(number)s"),
        )
        self.owners = owner_labels()
        self.within = _("Within about %(miles)s mi")
        self.near_zip, self.near_city = _("Near ZIP %(zip)s"), _("Near %(city)s")
        self.approximate, self.about = _("Place approximate"), _("about %(miles)s mi")
        self.very_near, self.away = _("Less than 0.1 mi away"), _("%(miles)s mi away")
        # The provider page's address, made once: reverse() per card cost more than its words.
        url = reverse("directory:provider-detail", args=[_URL_SAMPLE])
        self._url_head, self._url_tail = url.split(str(_URL_SAMPLE))
        self._names: dict = {}
        self._decimal_separator = get_format("DECIMAL_SEPARATOR")

    def number(self, value: float, places: int) -> str:
        """`floatformat(value, places)` as the page's language writes it (rounded half up,
        no thousands separator), its locale looked up once a page: Django's filter looks
        it up for each of a page's 20 distances, most of a card's presenting time."""
        rounded = Decimal(repr(value)).quantize(_PLACES[places], rounding=ROUND_HALF_UP)
        return f"{rounded:f}".replace(".", self._decimal_separator)

    def url(self, pk: str) -> str:
        return f"{self._url_head}{pk}{self._url_tail}"

    def name(self, item) -> str:
        """A term's or a language's name in the reader's language (once a page each)."""
        key = item.pk if isinstance(item, Term) else item["code"]
        if key not in self._names:
            self._names[key] = item.local_name if isinstance(item, Term) else language_name(item)
        return self._names[key]

    def button(self, phone: dict) -> dict:
        """A call or text button: "Call (212) 555-0100", "TTY ...", "Text ..."."""
        number = phone_display(phone["number"])
        if phone["kind"] == Phone.Kind.TEXT:
            return {
                "kind": "text",
                "href": phone["sms_uri"],
                "label": self.text % {"number": number},
            }
        label = self.tty if phone["kind"] == Phone.Kind.TTY else self.call
        return {"kind": "call", "href": phone["tel_uri"], "label": label % {"number": number}}

    def approximate_place(self, location: dict) -> str:
        """Where a place known only by its ZIP or town is: never a street, never a point."""
        if location["postcode"]:
            return self.near_zip % {"zip": location["postcode"][:5]}
        if location["city"]:
            return self.near_city % {"city": location["city"]}
        return self.approximate

    def distance(self, location: dict, miles: float | None) -> str:
        """How far a card's place is, as precisely as it may be said ("" without one)."""
        if miles is None:
            return ""
        if location["address_confidential"]:
            return self.within % {"miles": self.number(miles, 1)}
        if location["coordinates_approximate"]:
            # A place known only by its ZIP or town: never a distance to the tenth of a mile.
            near = self.approximate_place(location)
            if miles < 1:
                return near
            return f"{near} · {self.about % {'miles': self.number(miles, 0)}}"
        if miles < 0.1:
            return self.very_near
        return self.away % {"miles": self.number(miles, 1)}

    def place(self, location: dict, *, remote: bool) -> str:
        """A card's place line: how to reach a remote service, a confidential place's town
        (never its street or ZIP), or the address."""
        if remote:
            return self.remote
        if location["address_confidential"]:
            if not location["city"]:
                return ""
            return ", ".join(part for part in (location["city"], location["state"]) if part)
        parts = (location["address_1"], location["city"], location["state"])
        return f"{', '.join(part for part in parts if part)} {location['postcode']}".strip()


def shown_phones(call_phones: list[dict], text_phones: list[dict]) -> list[dict]:
    """A card's buttons: its first voice line or hotline, its first TTY line and its first
    text line. A second voice number would be a second "Call" button nobody could tell from
    the first (the provider page lists every number, with its note)."""
    voice = [phone for phone in call_phones if phone["kind"] != Phone.Kind.TTY][:1]
    tty = [phone for phone in call_phones if phone["kind"] == Phone.Kind.TTY][:1]
    return [*voice, *tty, *text_phones[:1]]


_URL_SAMPLE = UUID(int=0)
_PLACES = {0: Decimal(1), 1: Decimal("0.1")}


def present(
    listing: dict,
    *,
    number: int | None = None,
    vocabulary: Vocabulary | None = None,
    remote: bool = False,
    wording: Wording | None = None,
) -> Card:
    """The card of a listing; `remote` for the section of services reached by phone,
    text or online (its place line says so instead of an address)."""
    vocabulary = vocabulary or Vocabulary()
    wording = wording or Wording()
    location = listing["location"]
    phones = [with_sms_uri(phone) for phone in listing["phones"]]
    listed_hours = location["open_24_7"] or listing["hours"]
    open_now = listing["open_now"] if listed_hours else None
    call_phones = [p for p in phones if p["kind"] in CALL_KINDS]
    text_phones = [p for p in phones if p["kind"] == Phone.Kind.TEXT]
    labelled([*call_phones, *text_phones], wording.owners)
    tags = vocabulary.terms(Term.Kind.SERVICE_TYPE, listing["services"])
    open_state, open_label = wording.open_states[open_now]
    return Card(
        listing=listing,
        number=number,
        open_now=open_now,
        call_phones=call_phones,
        text_phones=text_phones,
        tags=tags,
        victimizations=vocabulary.terms(Term.Kind.VICTIMIZATION, listing["victimization"]),
        populations=vocabulary.terms(Term.Kind.POPULATION, listing["populations"]),
        languages=[wording.name(language) for language in listing["languages"]],
        url=wording.url(listing["id"]),
        service_name=listing["name"] if listing["name"] != listing["organization"]["name"] else "",
        distance=wording.distance(location, listing["distance_mi"]),
        open_state=open_state,
        open_label=open_label,
        free_label=wording.free if listing["cost"] == "free" else "",
        tag_names=[wording.name(term) for term in tags],
        place_note=wording.confidential if location["address_confidential"] and not remote else "",
        place=wording.place(location, remote=remote),
        buttons=[wording.button(phone) for phone in shown_phones(call_phones, text_phones)],
    )


def present_all(
    listings: list[dict],
    *,
    start: int | None = None,
    vocabulary: Vocabulary | None = None,
    remote: bool = False,
    wording: Wording | None = None,
) -> list[Card]:
    """Cards for listings (a page or a list); numbered from `start` when given (pins)."""
    vocabulary = vocabulary or Vocabulary()
    wording = wording or Wording()
    return [
        present(
            listing,
            number=None if start is None else start + index,
            vocabulary=vocabulary,
            remote=remote,
            wording=wording,
        )
        for index, listing in enumerate(listings)
    ]


def _phone_key(phone: dict) -> tuple:
    return (phone["number"], phone["extension"], phone["kind"])


def place_card(services: list[Card], wording: Wording) -> Card:
    """One card for a place's services (two or more at one location): the place's name,
    distance, address and directions once; as its buttons, the numbers every service there
    shares (the location's and the organization's lines, voice first); the languages any of
    them speaks; and the services listed, each with what is its own (link, hours, cost,
    tags and any number of its own, so no "Call" button leaves a survivor guessing whose
    line it is)."""
    first = services[0]
    keys = [
        {_phone_key(phone) for phone in (*card.call_phones, *card.text_phones)} for card in services
    ]
    shared = set.intersection(*keys)
    call = [phone for phone in first.call_phones if _phone_key(phone) in shared]
    text = [phone for phone in first.text_phones if _phone_key(phone) in shared]
    for card in services:
        own_call = [phone for phone in card.call_phones if _phone_key(phone) not in shared]
        own_text = [phone for phone in card.text_phones if _phone_key(phone) not in shared]
        card.buttons = [wording.button(phone) for phone in [*own_call[:1], *own_text[:1]]]
    languages = list(dict.fromkeys(name for card in services for name in card.languages))
    return replace(
        first,
        services=services,
        call_phones=call,
        text_phones=text,
        languages=languages,
        buttons=[wording.button(phone) for phone in shown_phones(call, text)],
    )


def by_place(cards: list[Card], *, start: int | None, wording: Wording) -> list[Card]:
    """One card per place: a page's cards of one organization at one location (they rank
    together, at the one distance) made into one (`place_card`), in the order the first of
    each came, numbered from `start` as the map's pins are. The pager counts services; a
    place whose services straddle a page's end is kept whole on one page by the view
    (directory/views.py page_of_places)."""
    places: dict[tuple[str, str], list[Card]] = {}
    for card in cards:
        # A location may host another organization's service: that one keeps its own card.
        places.setdefault((card.location["id"], card.organization["id"]), []).append(card)
    grouped = []
    for index, services in enumerate(places.values()):
        card = services[0] if len(services) == 1 else place_card(services, wording)
        card.number = None if start is None else start + index
        grouped.append(card)
    return grouped


def present_search(
    pairs: list[tuple],
    remote_ids: list,
    *,
    now=None,
    start: int | None = None,
    vocabulary: Vocabulary | None = None,
    places: bool = False,
) -> tuple[list[Card], list[Card]]:
    """Cards for a page of the search's (id, miles) pairs and for its remote services, built
    in one go by the one builder (six queries for both lists); with `places`, one card per
    place (`by_place`: the public results page) instead of one per service (the advocates',
    who refer to a service)."""
    listings = build_listings([*pairs, *((pk, None) for pk in remote_ids)], now=now)
    nearby = {str(pk) for pk, _ in pairs}
    vocabulary = vocabulary or Vocabulary()
    wording = Wording()  # the page's words, for both lists
    cards = present_all(
        [listing for listing in listings if listing["id"] in nearby],
        start=start,
        vocabulary=vocabulary,
        wording=wording,
    )
    if places:
        cards = by_place(cards, start=start, wording=wording)
    remote = present_all(
        [listing for listing in listings if listing["id"] not in nearby],
        vocabulary=vocabulary,
        remote=True,
        wording=wording,
    )
    return cards, remote
