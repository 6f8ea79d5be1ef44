"""What a result card or provider page shows, from the one listing row (providers/listings.py).

The row is already redacted (a confidential location has no street, ZIP or point in it) and
its phones are in the one order of providers/phones.py; a card only sorts them into buttons
and puts names in the reader's language on the row's slugs and codes.
"""

from dataclasses import dataclass, field
from types import SimpleNamespace
from uuid import UUID

from providers.listings import language_name, listing_rows
from providers.models import Phone, Term

CALL_KINDS = {Phone.Kind.VOICE, Phone.Kind.HOTLINE, Phone.Kind.TTY}


@dataclass
class Card:
    row: dict  # the listing row, as API v1 serves it
    number: int | None = None
    open_now: bool | None = None  # None: no hours listed, so we cannot say
    call_phones: list[dict] = field(default_factory=list)
    text_phones: list[dict] = field(default_factory=list)
    tags: list[Term] = field(default_factory=list)
    victimizations: list[Term] = field(default_factory=list)
    populations: list[Term] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)  # names in the reader's language

    @property
    def pk(self) -> UUID:
        return UUID(self.row["id"])

    @property
    def organization(self) -> dict:
        return self.row["organization"]

    @property
    def location(self) -> dict:
        return self.row["location"]


class Vocabulary:
    """The terms the rows' slugs name, read once for a page (one query), or the terms a page
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
    """A row's phone with the `sms:` link of `Phone.sms_uri` beside its `tel:` link."""
    return {**phone, "sms_uri": Phone.sms_uri.fget(SimpleNamespace(**phone))}


def present(row: dict, *, number: int | None = None, vocabulary: Vocabulary | None = None) -> Card:
    vocabulary = vocabulary or Vocabulary()
    location = row["location"]
    phones = [with_sms_uri(phone) for phone in row["phones"]]
    listed_hours = location["open_24_7"] or row["hours"]
    return Card(
        row=row,
        number=number,
        open_now=row["open_now"] if listed_hours else None,
        call_phones=[p for p in phones if p["kind"] in CALL_KINDS],
        text_phones=[p for p in phones if p["kind"] == Phone.Kind.TEXT],
        tags=vocabulary.terms(Term.Kind.SERVICE_TYPE, row["services"]),
        victimizations=vocabulary.terms(Term.Kind.VICTIMIZATION, row["victimization"]),
        populations=vocabulary.terms(Term.Kind.POPULATION, row["populations"]),
        languages=[language_name(language) for language in row["languages"]],
    )


def present_all(
    rows: list[dict], *, start: int | None = None, vocabulary: Vocabulary | None = None
) -> list[Card]:
    """Cards for listing rows (a page or a list); numbered from `start` when given (pins)."""
    vocabulary = vocabulary or Vocabulary()
    return [
        present(row, number=None if start is None else start + index, vocabulary=vocabulary)
        for index, row in enumerate(rows)
    ]


def present_search(
    pairs: list[tuple],
    remote_ids: list,
    *,
    now=None,
    start: int | None = None,
    vocabulary: Vocabulary | None = None,
) -> tuple[list[Card], list[Card]]:
    """Cards for a page of the search's (id, miles) pairs and for its remote services, built
    in one go by the one builder (six queries for both lists)."""
    rows = listing_rows([*pairs, *((pk, None) for pk in remote_ids)], now=now)
    nearby = {str(pk) for pk, _ in pairs}
    vocabulary = vocabulary or Vocabulary()
    cards = present_all(
        [row for row in rows if row["id"] in nearby], start=start, vocabulary=vocabulary
    )
    remote = present_all([row for row in rows if row["id"] not in nearby], vocabulary=vocabulary)
    return cards, remote
