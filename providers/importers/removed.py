"""The phones and opening hours a re-import deletes, named for its report: whose they were
(the organization, service or location, with its id at the source) and what they said."""

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


def describe_phones(queryset: models.QuerySet, limit: int) -> list[tuple[str, str]]:
    """(owner, number) of the first `limit` phones, e.g. ("location Safe Haven (loc-2)",
    "+16175550142 ext. 12 (hotline)")."""
    described = []
    rows = queryset.select_related("organization", "service", "location").order_by(
        "organization__name", "service__name", "location__name", "position", "number"
    )
    for phone in rows[:limit]:
        kind = next(k for k in ("service", "location", "organization") if getattr(phone, k))
        value = phone.number + (f" ext. {phone.extension}" if phone.extension else "")
        detail = phone.kind + (f": {phone.note}" if phone.note else "")
        described.append((_owner(kind, getattr(phone, kind)), f"{value} ({detail})"))
    return described


def describe_hours(queryset: models.QuerySet, limit: int) -> list[tuple[str, str]]:
    """(owner, period) of the first `limit` opening periods, e.g.
    ("location Harbor Legal Aid office (loc-1)", "Saturday 10:00-14:00")."""
    rows = queryset.select_related("location").order_by("location__name", "weekday", "opens_at")
    return [
        (
            _owner("location", hours.location),
            f"{DAYS[hours.weekday - 1]} {hours.opens_at:%H:%M}-{hours.closes_at:%H:%M}",
        )
        for hours in rows[:limit]
    ]
