"""What a printed or shared resource list shows for each listing: public facts only.

Each entry holds the listing as the one builder (providers/listings.py) made it, already
redacted: a confidential site has no street, ZIP or point, and shows "call first".
"""

from dataclasses import dataclass, field
from datetime import time
from functools import cached_property
from uuid import UUID

from django.template.defaultfilters import time as format_time

from directory.presenters import labelled, local_texts, owner_labels, with_sms_uri
from providers.listings import build_listings, language_name
from providers.models import LocationKind, Phone, ServiceAtLocation, Weekday
from referrals.models import ResourceList, ResourceListItem


@dataclass
class HandoutEntry:
    item_id: int
    listing: dict  # from build_listings
    phones: list[dict] = field(default_factory=list)
    hours: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    city_line: str = ""

    @property
    def pk(self) -> UUID:
        return UUID(self.listing["id"])

    @property
    def organization(self) -> str:
        return self.listing["organization"]["name"]

    @property
    def service(self) -> str:
        return self.listing["name"]

    @property
    def location(self) -> dict:
        return self.listing["location"]

    @property
    def remote(self) -> bool:
        return self.location["kind"] == LocationKind.REMOTE

    @cached_property
    def text(self) -> dict:
        """The listing's own words in the handout's language, else the original's."""
        return local_texts(self.listing)


def _phones(listing: dict, owners: dict[str, str]) -> list[dict]:
    """What a client can call or text (no fax), in the one order of providers/phones.py, each
    labelled (its note, or whose line it is when there are several)."""
    return labelled(
        [with_sms_uri(phone) for phone in listing["phones"] if phone["kind"] != Phone.Kind.FAX],
        owners,
    )


def _hours(listing: dict) -> list[str]:
    """Lines like "Monday–Friday: 9 a.m.–5 p.m.", in the active language; days with the same
    hours in a row share a line so the handout stays on one page."""
    days: dict[int, list[str]] = {}
    for period in listing["hours"]:
        opens_at = format_time(time.fromisoformat(period["opens_at"]))
        closes_at = format_time(time.fromisoformat(period["closes_at"]))
        days.setdefault(period["weekday"], []).append(f"{opens_at}–{closes_at}")
    runs: list[tuple[int, int, str]] = []
    for day in sorted(days):
        spans = ", ".join(days[day])
        if runs and runs[-1][1] == day - 1 and runs[-1][2] == spans:
            runs[-1] = (runs[-1][0], day, spans)
        else:
            runs.append((day, day, spans))
    lines = []
    for first, last, spans in runs:
        label = (
            Weekday(first).label
            if first == last
            else f"{Weekday(first).label}–{Weekday(last).label}"
        )
        lines.append(f"{label}: {spans}")
    return lines


def handout_entries(resource_list: ResourceList) -> list[HandoutEntry]:
    """The list's listings that are still public, in the list's order."""
    items = list(
        ResourceListItem.objects.filter(
            resource_list=resource_list,
            service_at_location__in=ServiceAtLocation.objects.listed(),
        ).values_list("id", "service_at_location_id")
    )
    listings = {
        listing["id"]: listing for listing in build_listings([(pk, None) for _, pk in items])
    }
    owners = owner_labels()  # in the list's language (the views' translation.override)
    entries = []
    for item_id, pk in items:
        listing = listings.get(str(pk))
        if listing is None:  # unlisted between the two reads
            continue
        location = listing["location"]
        place = ", ".join(part for part in (location["city"], location["state"]) if part)
        entries.append(
            HandoutEntry(
                item_id=item_id,
                listing=listing,
                phones=_phones(listing, owners),
                hours=_hours(listing),
                languages=[language_name(language) for language in listing["languages"]],
                city_line=" ".join(part for part in (place, location["postcode"]) if part),
            )
        )
    return entries
