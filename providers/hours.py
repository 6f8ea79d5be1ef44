"""Opening hours: is a location open now, in Python (for display) and in SQL (for search)."""

from collections.abc import Iterable
from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Exists, F, OuterRef, Q


def local_now(*, tz_name: str, now: datetime) -> datetime:
    try:
        zone = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return now.astimezone(zone)


def utc_offsets(tz_name: str) -> tuple[int, int]:
    """A zone's UTC offsets in minutes, in winter and in summer (America/Denver: -420, -360).
    Raises ZoneInfoNotFoundError (or ValueError) for a name that is not a zone."""
    zone = ZoneInfo(tz_name)
    winter, summer = (
        datetime(2026, month, 1, tzinfo=zone).utcoffset().total_seconds() // 60 for month in (1, 7)
    )
    return int(winter), int(summer)


def _previous_weekday(weekday: int) -> int:
    return 7 if weekday == 1 else weekday - 1


def period_is_open(*, weekday: int, opens_at: time, closes_at: time, at: datetime) -> bool:
    """Whether one opening period covers the local moment `at` (ISO weekday 1-7)."""
    day, moment = at.isoweekday(), at.time()
    overnight = closes_at <= opens_at
    if weekday == day and opens_at <= moment and (overnight or moment < closes_at):
        return True
    return weekday == _previous_weekday(day) and overnight and moment < closes_at


def is_open(*, open_24_7: bool, periods: Iterable, tz_name: str, now: datetime) -> bool:
    """Whether a location with these periods (objects with weekday/opens_at/closes_at) is open."""
    if open_24_7:
        return True
    at = local_now(tz_name=tz_name, now=now)
    return any(
        period_is_open(weekday=p.weekday, opens_at=p.opens_at, closes_at=p.closes_at, at=at)
        for p in periods
    )


def open_now_q(*, timezones: Iterable[str], now: datetime, prefix: str = "location__") -> Q:
    """A filter for rows whose location is open at `now`, one clause per time zone in use."""
    from providers.models import OpeningHours

    condition = Q(**{f"{prefix}open_24_7": True})
    for tz_name in sorted(set(timezones)):
        at = local_now(tz_name=tz_name, now=now)
        day, moment = at.isoweekday(), at.time()
        periods = OpeningHours.objects.filter(location_id=OuterRef(f"{prefix}id")).filter(
            Q(weekday=day, opens_at__lte=moment, closes_at__gt=moment)
            | Q(weekday=day, opens_at__lte=moment, closes_at__lte=F("opens_at"))
            | Q(
                weekday=_previous_weekday(day),
                closes_at__gt=moment,
                closes_at__lte=F("opens_at"),
            )
        )
        condition |= Q(**{f"{prefix}timezone": tz_name}) & Q(Exists(periods))
    return condition
