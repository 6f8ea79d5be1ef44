"""What a printed or shared resource list shows for each listing: public facts only.

Confidential sites show "call first" instead of a street address (the redacted
`public_street` view of the location, never its raw fields).
"""

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.template.defaultfilters import time as format_time

from providers.models import LocationKind, Phone, ServiceAtLocation
from providers.phones import ordered_phones
from referrals.models import ResourceList, ResourceListItem


@dataclass
class HandoutEntry:
    item_id: int
    sal: ServiceAtLocation
    organization: str
    service: str
    phones: list = field(default_factory=list)
    hours: list[str] = field(default_factory=list)
    open_24_7: bool = False
    hours_note: str = ""
    languages: list[str] = field(default_factory=list)
    street: str = ""
    street_2: str = ""
    city_line: str = ""
    confidential: bool = False
    remote: bool = False


def list_items(resource_list: ResourceList) -> QuerySet:
    """The list's items whose listing is still public, with everything the handout reads."""
    prefix = "service_at_location__"
    return (
        ResourceListItem.objects.filter(
            resource_list=resource_list,
            service_at_location__in=ServiceAtLocation.objects.listed(),
        )
        .select_related(f"{prefix}service__organization", f"{prefix}location")
        .prefetch_related(
            f"{prefix}service__phones",
            f"{prefix}location__phones",
            f"{prefix}service__organization__phones",
            f"{prefix}service__languages",
            f"{prefix}location__hours",
        )
    )


def _phones(sal: ServiceAtLocation) -> list:
    """What a client can call or text (no fax), in the one order of providers/phones.py."""
    phones = ordered_phones(
        sal.service.phones.all(),
        sal.location.phones.all(),
        sal.service.organization.phones.all(),
    )
    return [phone for phone in phones if phone.kind != Phone.Kind.FAX]


def _hours(sal: ServiceAtLocation) -> list[str]:
    """Lines like "Monday–Friday: 9 a.m.–5 p.m.", in the active language; days with the same
    hours in a row share a line so the handout stays on one page."""
    days: dict[int, list[str]] = {}
    labels: dict[int, str] = {}
    for period in sal.location.hours.all():
        labels[period.weekday] = period.get_weekday_display()
        span = f"{format_time(period.opens_at)}–{format_time(period.closes_at)}"
        days.setdefault(period.weekday, []).append(span)
    runs: list[tuple[int, int, str]] = []
    for day in sorted(days):
        spans = ", ".join(days[day])
        if runs and runs[-1][1] == day - 1 and runs[-1][2] == spans:
            runs[-1] = (runs[-1][0], day, spans)
        else:
            runs.append((day, day, spans))
    lines = []
    for first, last, spans in runs:
        label = labels[first] if first == last else f"{labels[first]}–{labels[last]}"
        lines.append(f"{label}: {spans}")
    return lines


def handout_entries(resource_list: ResourceList) -> list[HandoutEntry]:
    entries = []
    for item in list_items(resource_list):
        sal = item.service_at_location
        location = sal.location
        city_line = " ".join(
            part
            for part in (
                ", ".join(p for p in (location.city, location.state) if p),
                location.public_postcode,
            )
            if part
        )
        entries.append(
            HandoutEntry(
                item_id=item.id,
                sal=sal,
                organization=sal.service.organization.name,
                service=sal.service.name,
                phones=_phones(sal),
                hours=_hours(sal),
                open_24_7=location.open_24_7,
                hours_note=location.hours_note,
                languages=[language.local_name for language in sal.service.languages.all()],
                street=location.public_street,
                street_2=location.public_street_2,
                city_line=city_line,
                confidential=location.address_confidential,
                remote=location.kind == LocationKind.REMOTE,
            )
        )
    return entries
