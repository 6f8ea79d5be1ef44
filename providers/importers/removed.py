"""The phones, opening hours and service-at-location links a re-import deletes, named for its
report: whose they were (the organization, service or location, with its id at the source)
and what they said."""

from django.db import models

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _owner(kind: str, record) -> str:
    # A location without a name by its street and city; a confidential one by its city only
    # (a report is printed and stored, and its street must never be).
    street = (
        "" if getattr(record, "address_confidential", False) else getattr(record, "address_1", "")
    )
    name = record.name or ", ".join(part for part in (street, getattr(record, "city", "")) if part)
    where = f" ({record.source_id})" if record.source_id else ""
    return f"{kind} {name or '(no name)'}{where}"


def _reference(kind: str, record) -> str:
    """Which record the row was removed from ("location:<id>"), for a link to it in the
    admin (`providers.admin_import.removed_sections`)."""
    return f"{kind}:{record.pk}"


def describe_phones(queryset: models.QuerySet, limit: int) -> list[tuple[str, str, str]]:
    """(owner, number, owner's reference) of the first `limit` phones, e.g. ("location Safe
    Haven (loc-2)", "+16175550142 ext. 12 (hotline)", "location:<its id>")."""
    described = []
    rows = queryset.select_related("organization", "service", "location").order_by(
        "organization__name", "service__name", "location__name", "position", "number"
    )
    for phone in rows[:limit]:
        kind = next(k for k in ("service", "location", "organization") if getattr(phone, k))
        value = phone.number + (f" ext. {phone.extension}" if phone.extension else "")
        detail = phone.kind + (f": {phone.note}" if phone.note else "")
        owner = getattr(phone, kind)
        described.append((_owner(kind, owner), f"{value} ({detail})", _reference(kind, owner)))
    return described


def describe_hours(queryset: models.QuerySet, limit: int) -> list[tuple[str, str, str]]:
    """(owner, period, owner's reference) of the first `limit` opening periods, e.g.
    ("location Harbor Legal Aid office (loc-1)", "Saturday 10:00-14:00", "location:<id>")."""
    rows = queryset.select_related("location").order_by("location__name", "weekday", "opens_at")
    return [
        (
            _owner("location", hours.location),
            f"{DAYS[hours.weekday - 1]} {hours.opens_at:%H:%M}-{hours.closes_at:%H:%M}",
            _reference("location", hours.location),
        )
        for hours in rows[:limit]
    ]


def describe_links(queryset: models.QuerySet, limit: int) -> list[tuple[str, str, str]]:
    """(service, location, the service's reference) of the first `limit` service-at-location
    links, e.g. ("service Counseling (svc-3)", "location Northside (loc-3)", "service:<id>"):
    the service is no longer listed there."""
    rows = queryset.select_related("service", "location").order_by(
        "service__name", "location__name", "pk"
    )
    return [
        (
            _owner("service", sal.service),
            _owner("location", sal.location),
            _reference("service", sal.service),
        )
        for sal in rows[:limit]
    ]
