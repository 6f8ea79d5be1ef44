"""What a result card or provider page shows, worked out once in Python (not in templates)."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import prefetch_related_objects

from providers.hours import is_open
from providers.models import Language, Phone, ServiceAtLocation, Term
from providers.phones import ordered_phones

# Everything a card reads, fetched in a fixed number of queries whatever the page size.
CARD_PREFETCH = (
    "service__terms",
    "service__languages",
    "service__phones",
    "location__phones",
    "service__organization__phones",
    "location__hours",
)
CALL_KINDS = {Phone.Kind.VOICE, Phone.Kind.HOTLINE, Phone.Kind.TTY}


@dataclass
class Card:
    sal: ServiceAtLocation
    number: int | None = None
    open_now: bool | None = None  # None: no hours listed, so we cannot say
    call_phones: list[Phone] = field(default_factory=list)
    text_phones: list[Phone] = field(default_factory=list)
    tags: list[Term] = field(default_factory=list)
    victimizations: list[Term] = field(default_factory=list)
    populations: list[Term] = field(default_factory=list)
    languages: list[Language] = field(default_factory=list)

    @property
    def organization(self):
        return self.sal.service.organization

    @property
    def location(self):
        return self.sal.location


def phones_of(sal: ServiceAtLocation) -> list[Phone]:
    """The listing's numbers in the one order of providers/phones.py: voice lines first."""
    return ordered_phones(
        sal.service.phones.all(),
        sal.location.phones.all(),
        sal.service.organization.phones.all(),
    )


def open_state(sal: ServiceAtLocation, *, now: datetime) -> bool | None:
    location = sal.location
    periods = list(location.hours.all())
    if not location.open_24_7 and not periods:
        return None
    return is_open(
        open_24_7=location.open_24_7, periods=periods, tz_name=location.timezone, now=now
    )


def present(sal: ServiceAtLocation, *, now: datetime, number: int | None = None) -> Card:
    phones = phones_of(sal)
    terms = list(sal.service.terms.all())
    return Card(
        sal=sal,
        number=number,
        open_now=open_state(sal, now=now),
        call_phones=[p for p in phones if p.kind in CALL_KINDS],
        text_phones=[p for p in phones if p.kind == Phone.Kind.TEXT],
        tags=[t for t in terms if t.kind == Term.Kind.SERVICE_TYPE],
        victimizations=[t for t in terms if t.kind == Term.Kind.VICTIMIZATION],
        populations=[t for t in terms if t.kind == Term.Kind.POPULATION],
        languages=list(sal.service.languages.all()),
    )


def present_all(sals, *, now: datetime, start: int | None = None) -> list[Card]:
    """Cards for rows (a page or a list); numbered from `start` when given (map pins)."""
    rows = list(sals)
    prefetch_related_objects(rows, *CARD_PREFETCH)  # skips what is already fetched
    return [
        present(row, now=now, number=None if start is None else start + index)
        for index, row in enumerate(rows)
    ]
