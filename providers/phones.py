"""The one order of a listing's phone numbers, for every page, handout and API response."""

from collections.abc import Callable, Iterable
from itertools import chain
from typing import Any, TypeVar

from providers.models import Phone

P = TypeVar("P")

# A survivor's first tap must reach a person: voice lines and hotlines before text, text
# before TTY and fax (a TTY line answered by a hearing caller is a dead end).
KIND_RANK = {
    Phone.Kind.VOICE: 0,
    Phone.Kind.HOTLINE: 0,
    Phone.Kind.TEXT: 1,
    Phone.Kind.TTY: 2,
    Phone.Kind.FAX: 3,
}

# Whose line a listing's number is (its `owner`), named for the list it came from: the
# service's own, its location's, or the organization's.
OWNER_SERVICE, OWNER_LOCATION, OWNER_ORGANIZATION = "service", "location", "organization"
OWNERS = (OWNER_SERVICE, OWNER_LOCATION, OWNER_ORGANIZATION)


def ordered_phones(
    service: Iterable[P],
    location: Iterable[P],
    organization: Iterable[P],
    *,
    read: Callable[[P, str], Any] = getattr,
) -> list[P]:
    """A listing's numbers by kind (voice and hotline, text, TTY, fax), and within a kind the
    service's first, then the location's, then the organization's; each number once per
    kind (with its extension), so a number on two owners is the nearer owner's.
    `read=getitem` orders the API's phone dicts."""
    seen: set[tuple] = set()
    phones = []
    for phone in chain(service, location, organization):
        key = (read(phone, "number"), read(phone, "extension"), read(phone, "kind"))
        if key not in seen:
            seen.add(key)
            phones.append(phone)
    phones.sort(key=lambda phone: KIND_RANK.get(read(phone, "kind"), len(KIND_RANK)))
    return phones


def owned_phones(service: Iterable, location: Iterable, organization: Iterable) -> list[tuple]:
    """`ordered_phones` of model instances, each as (owner, phone): whose line it is."""
    owned = [
        [(owner, phone) for phone in phones]
        for owner, phones in zip(OWNERS, (service, location, organization), strict=True)
    ]
    return ordered_phones(*owned, read=lambda pair, name: getattr(pair[1], name))
