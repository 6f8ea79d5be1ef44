"""Opening hours as exports and people write them: weekday names and numbers, times like
9:00am or 17:00:00, 'Mon-Fri 9am-5pm; Sat 10-2', '24/7' — and back to text for export."""

import re
from datetime import time
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import available_timezones

from providers.hours import utc_offsets

_DAYS = {
    "mo": 1, "mon": 1, "monday": 1, "tu": 2, "tue": 2, "tues": 2, "tuesday": 2,
    "we": 3, "wed": 3, "wednesday": 3, "th": 4, "thu": 4, "thur": 4, "thurs": 4,
    "thursday": 4, "fr": 5, "fri": 5, "friday": 5, "sa": 6, "sat": 6, "saturday": 6,
    "su": 7, "sun": 7, "sunday": 7,
    "lunes": 1, "martes": 2, "miércoles": 3, "miercoles": 3, "jueves": 4, "viernes": 5,
    "sábado": 6, "sabado": 6, "domingo": 7,
}  # fmt: skip
HSDS_DAYS = {1: "MO", 2: "TU", 3: "WE", 4: "TH", 5: "FR", 6: "SA", 7: "SU"}
# A day open all day is kept as one period from midnight to 23:59.
ALL_DAY = (time(0, 0), time(23, 59))
EVERY_DAY_ALL_DAY = [(day, *ALL_DAY) for day in range(1, 8)]


def around_the_clock(periods) -> bool:
    """Whether these periods are every day all day, and nothing else: open 24/7."""
    return sorted(set(periods)) == EVERY_DAY_ALL_DAY


def weekday(value) -> int | None:
    """ISO weekday 1-7 from 'Monday', 'mon', 'MO', '1' (1 = Monday; 0 = Sunday)."""
    raw = str(value or "").strip().lower().rstrip(".")
    if raw in _DAYS:
        return _DAYS[raw]
    if raw.isdigit() and 0 <= int(raw) <= 7:
        return 7 if int(raw) == 0 else int(raw)
    return None


_TIME = re.compile(
    r"^(?P<h>\d{1,2})(?:[:.h]?(?P<m>\d{2}))?(?::(?P<s>\d{2}))?\s*"
    r"(?P<ampm>a\.?\s?m\.?|p\.?\s?m\.?|a|p)?$",
    re.IGNORECASE,
)


@lru_cache(maxsize=4096)  # the same few times repeat: share the objects
def clock(value) -> time | None:
    """'9:00am', '9 AM', '09:00', '0900', '17:00:00', 'noon', 'midnight' → time; else None."""
    raw = str(value or "").strip().lower()
    if not raw:
        return None
    if raw in {"noon", "midday", "12 noon"}:
        return time(12, 0)
    if raw in {"midnight", "12 midnight"}:
        return time(0, 0)
    raw = re.sub(r"([+-]\d{2}:?\d{2}|z)$", "", raw).strip()  # a UTC offset: times are local
    match = _TIME.match(raw)
    if not match:
        return None
    hour, minute = int(match["h"]), int(match["m"] or 0)
    ampm = (match["ampm"] or "").replace(".", "").replace(" ", "")
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm.startswith("p") else 0)
    if hour == 24 and minute == 0:
        return time(23, 59)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return time(hour, minute)


_AM_PM = re.compile(r"\d\s*[ap]\.?\s?m?\.?\s*$|noon|midnight", re.IGNORECASE)


def daytime_closing(
    opens: time, closes: time, written_opens="", written_closes=""
) -> tuple[time, str | None]:
    """'9:00-5:00' is 9 am to 5 pm, not a night: a closing time before the opening time,
    written without am/pm and readable as the afternoon, is moved 12 hours on (with a note for
    the report); so is '9am-5' and 'noon-8'. A night stays one: '9pm-5am', '10pm-6', and
    '17:00-08:00' (an opening on the 24-hour clock, as exports write times, says the 8 is
    morning). Returns (closes, note)."""
    if closes >= opens or _AM_PM.search(str(written_closes or "")):
        return closes, None
    if opens.hour >= 13 and not _AM_PM.search(str(written_opens or "")):
        return closes, None  # "17:00-08:00"
    if not (1 <= closes.hour < 12 and closes.hour + 12 > opens.hour):
        return closes, None
    afternoon = time(closes.hour + 12, closes.minute)
    return afternoon, (
        f"closes {closes:%H:%M} before it opens at {opens:%H:%M}: "
        f"read as {opens:%H:%M}-{afternoon:%H:%M}"
    )


_TIME_WORD = r"(?:\d{1,2}(?:[:.]?\d{2})?\s*(?:[ap]\.?\s?m\.?|[ap]\b)?|noon|midnight)"
# A range of times ("9am-5pm", "0700-1500", "9 to 5"), not part of a longer number or word.
_RANGE = (
    rf"(?<![\w:.])(?P<a>{_TIME_WORD})\s*(?:-|–|—|\bto\b|\buntil\b)\s*(?P<b>{_TIME_WORD})(?![\w:])"
)
# Open all day: "24 hours", "open 24 hrs", "all day".
_ALL_DAY = r"(?:open\s+)?(?:24\s*(?:hours?|hrs?)|all\s+day)"
_TOKEN = re.compile(rf"(?P<all_day>{_ALL_DAY})|{_RANGE}", re.IGNORECASE)
_LAST_SEPARATOR = re.compile(r"(?:,|&|\band\b)(?!.*(?:,|&|\band\b))", re.IGNORECASE)
# Days said closed: "Sat-Sun closed", "Closed: Sundays", "closed on weekends".
_CLOSED = re.compile(
    r"^(?:(?P<before>.+?)\s*:?\s*)?\bclosed\b\s*:?\s*(?:on\s+)?(?P<after>.*)$", re.IGNORECASE
)
_ALWAYS = re.compile(
    r"^(?:open\s+)?(?:24\s*/\s*7(?:\s*/\s*365)?"
    r"|24\s*(?:hours?|hrs?)(?:\s*(?:a|/|per)\s*day)?"
    r"(?:\s*[,/]?\s*7\s*days(?:\s*(?:a|/|per)\s*week)?)?|always open)\.?$",
    re.IGNORECASE,
)
# Holidays closed, which no weekly hours can say: "closed holidays", "(Closed on all federal
# holidays)", "except major holidays". Kept for the note about the hours.
_HOLIDAYS = re.compile(
    r"^\(?(?:closed|except)\s+(?:on\s+)?(?:(?:all|most|major|federal|public|legal|national"
    r"|state|bank|observed|and|&)\s+)*holidays?\.?\)?$",
    re.IGNORECASE,
)
_ALWAYS_BUT = re.compile(r"^(?P<always>.+?)\s*[,;]?\s*(?P<but>\(?(?:closed|except)\b.*)$", re.I)
HOURS_MAX_LENGTH = 500  # longer is not a week's hours (and is not read: kept as a note)
_EVERY_DAY = {"daily", "every day", "everyday", "all week", "7 days", "7 days a week", "all days"}


def _days(part: str) -> list[int] | None:
    words = part.strip().lower().replace("&", ",").replace("/", ",").replace(" and ", ",")
    if not words or words in _EVERY_DAY:
        return list(range(1, 8))
    if words in {"weekdays", "weekday"}:
        return [1, 2, 3, 4, 5]
    if words in {"weekends", "weekend"}:
        return [6, 7]
    words = re.sub(r"\s*(?:-|–|\bthrough\b|\bthru\b|\bto\b)\s*", "-", words)
    out: list[int] = []
    for chunk in re.split(r"[,\s]+", words):
        if not chunk:
            continue
        span = chunk.split("-")
        if len(span) == 2 and _day(span[0]) and _day(span[1]):
            a, b = _day(span[0]), _day(span[1])
            out.extend(range(a, b + 1) if a <= b else [*range(a, 8), *range(1, b + 1)])
        elif len(span) == 1 and _day(chunk):
            out.append(_day(chunk))
        else:
            return None
    return out or None


_LETTERS = {"m": 1, "w": 3, "f": 5}  # "M-F", "M, W, F" (T and S could be either of two)


def _day(word: str) -> int | None:
    """A weekday in a list of days: its name or abbreviation, or M, W or F (not a number:
    "7" in "7 days" is not Sunday there)."""
    word = word.rstrip(".")
    return None if word.isdigit() else (_LETTERS.get(word) or weekday(word))


def _between(text: str) -> str:
    """The words between two ranges, without the commas and "and" that join them."""
    text = text.strip(" ,&+:")
    return text[4:].lstrip(" ,:") if text.lower().startswith("and ") else text


def _closed_days(text: str) -> list[int] | None:
    """The days `text` says are closed ("Sat-Sun closed", "closed weekends"), or None when
    it says anything else ("closed holidays", "closed for lunch")."""
    match = _CLOSED.match(text)
    if match is None or bool(match["before"]) == bool(match["after"]):
        return None
    return _days(match["before"] or match["after"])


def _add(periods: list, days: list[int], opens: time, closes: time) -> bool:
    """Add the range on these days, in place of what was given before for them that it
    overlaps ("Mon-Fri 9-5, Fri 9-noon": Friday closes at noon). True if it replaced any."""

    def overlaps(period) -> bool:
        day, start, end = period
        end = time.max if end <= start else end  # a night: the rest of its first day
        return day in days and start < (time.max if closes <= opens else closes) and opens < end

    kept = [period for period in periods if not overlaps(period)]
    replaced = len(kept) < len(periods)
    periods[:] = kept + [(day, opens, closes) for day in days]
    return replaced


def _afternoon(opens: time, closes: time) -> tuple[time, time]:
    return tuple(time(t.hour + 12, t.minute) if t.hour < 12 else t for t in (opens, closes))


class Hours(NamedTuple):
    """What an hours cell says: `periods` [(weekday, opens, closes)] (None when it cannot be
    read: the caller keeps the whole value as the note about the hours), open 24/7, a note
    for the import report, and a remark for the note about the hours ("closed holidays")."""

    periods: list | None
    open_24_7: bool
    note: str | None
    remark: str = ""


def opening_hours(value) -> Hours:
    """Hours as people type them: 'Mon-Fri 9am-5pm, Sat 10:00-14:00; Sun closed', '24/7'.

    Holidays closed, which no weekly hours say, are the remark. Any other words that cannot
    be read make the whole value unreadable (periods None). Days said closed ("Sat-Sun
    closed", "closed Wednesday") have no hours.
    """
    raw = " ".join(str(value or "").replace("\u00a0", " ").split())
    if raw.lower() in {"n/a", "na", "null", "none", "-", "--"}:
        raw = ""
    if not raw:
        return Hours([], False, None)
    if len(raw) > HOURS_MAX_LENGTH:
        return Hours(None, False, f"hours of {len(raw):,} characters not read; kept as a note")
    if _ALWAYS.match(raw):
        return Hours([], True, None)
    always = _ALWAYS_BUT.match(raw)  # "24/7, closed holidays"
    if always and _ALWAYS.match(always["always"]) and _HOLIDAYS.match(always["but"]):
        remark = always["but"].strip("()")
        return Hours([], True, f"{remark!r} kept as a note about the hours", remark)
    periods, notes, closed, remarks = [], [], set(), []
    unreadable = Hours(None, False, f"hours {raw!r} not understood; kept as a note")
    for part in re.split(r"\s*[;|\n]\s*", raw):
        matches = list(_TOKEN.finditer(part))
        position, previous, last_closes = 0, None, None
        for index, match in enumerate(matches):
            words = _between(part[position : match.start()])
            position = match.end()
            if not words and match["all_day"]:  # the days after it: "24hrs M-F", "All day Sat"
                following = len(part)
                if index + 1 < len(matches):  # "24hrs M-F, Sat 9-1": up to the last comma
                    following = matches[index + 1].start()
                    last = _LAST_SEPARATOR.search(part, position, following)
                    following = last.start() if last else position
                after = re.sub(r"^on\s+", "", _between(part[position:following]), flags=re.I)
                if after and _days(after):
                    words, position = after, following
            # No days before a second range: the same days ("8-12, 1-5"), else every day.
            same_days = not words and previous is not None
            days = previous if same_days else _days(words)
            if days is None:
                return unreadable
            previous = days
            if match["all_day"]:
                if _add(periods, days, *ALL_DAY):
                    notes.append(f"{match[0]!r} replaces the hours given before for its days")
                continue
            opens, closes = clock(match["a"]), clock(match["b"])
            if opens is None or closes is None:
                return unreadable
            if opens == closes == time(0):  # how many exports write "24 hours"
                notes.append("midnight to midnight read as open all day")
                periods.extend((day, *ALL_DAY) for day in days)
                continue
            if opens == closes:
                return unreadable
            written = (match["a"], match["b"])
            if same_days and last_closes and opens < last_closes and opens.hour < 12:
                if any(_AM_PM.search(text) for text in written):
                    return unreadable  # "9am-5pm, 1am-3am": not a day people keep
                # "8-12, 1-5": the second range is the afternoon.
                opens, closes = _afternoon(opens, closes)
                notes.append(f"{'-'.join(written)} after {last_closes:%H:%M} read as the afternoon")
            elif (
                not any(_AM_PM.search(text) for text in written)
                and not match["a"].startswith("0")  # "01:00-05:00": the 24-hour clock
                and 1 <= opens.hour <= 5
                and opens < closes < time(12)
            ):
                # "Wed 1-5": 1 to 5 pm (it was 1 to 5 am).
                opens, closes = _afternoon(opens, closes)
                notes.append(f"{'-'.join(written)} read as the afternoon")
            closes, note = daytime_closing(opens, closes, *written)
            notes.extend(filter(None, [note]))
            if _add(periods, days, opens, closes):
                notes.append(f"{match[0]!r} replaces the hours given before for its days")
            last_closes = closes
        rest = _between(part[position:])
        # What follows the hours: days closed, holidays closed, or both ("Sat closed, closed
        # holidays"), read whole first ("closed Sat, Sun"), else piece by piece.
        pieces = [rest] if not rest or _closed_days(rest) else re.split(r"\s*,\s*", rest)
        for piece in filter(None, pieces):
            if _HOLIDAYS.match(piece) and (periods or remarks):
                remarks.append(piece.strip("()"))
                continue
            shut = _closed_days(piece)
            if shut is None:
                return unreadable
            closed.update(shut)
    periods = [period for period in dict.fromkeys(periods) if period[0] not in closed]
    notes += [f"{remark!r} kept as a note about the hours" for remark in remarks]
    note = "; ".join(dict.fromkeys(notes)) or None
    remark = "; ".join(dict.fromkeys(remarks))
    if around_the_clock(periods):
        return Hours([], True, note, remark)  # every day all day
    return Hours(periods, False, note, remark)


def hours_text(periods, open_24_7: bool) -> str:
    """The inverse of opening_hours: 'Mon-Fri 09:00-17:00; Sat 10:00-14:00'."""
    if open_24_7:
        return "24/7"
    names = {1: "Mon", 2: "Tue", 3: "Wed", 4: "Thu", 5: "Fri", 6: "Sat", 7: "Sun"}
    groups: dict[tuple, list[int]] = {}
    for day, opens, closes in sorted(periods):
        groups.setdefault((opens, closes), []).append(day)
    parts = []
    for (opens, closes), days in sorted(groups.items(), key=lambda item: min(item[1])):
        runs, start = [], days[0]
        for previous, day in zip(days, [*days[1:], None], strict=True):
            if day != previous + 1 if day is not None else True:
                runs.append(
                    names[start] if start == previous else f"{names[start]}-{names[previous]}"
                )
                start = day
        parts.append(f"{', '.join(runs)} {opens:%H:%M}-{closes:%H:%M}")
    return "; ".join(parts)


# A schedule's timezone as exports write it (HSDS 3.0's schedules.timezone is a UTC offset),
# by the words left once "time", "standard", "daylight" and any "(...)" are taken out.
_ZONE_WORDS = {
    "eastern": "America/New_York", "est": "America/New_York", "edt": "America/New_York",
    "et": "America/New_York",
    "central": "America/Chicago", "cst": "America/Chicago", "cdt": "America/Chicago",
    "ct": "America/Chicago",
    "mountain": "America/Denver", "mst": "America/Denver", "mdt": "America/Denver",
    "mt": "America/Denver", "arizona": "America/Phoenix",
    "pacific": "America/Los_Angeles", "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles", "pt": "America/Los_Angeles",
    "alaska": "America/Anchorage", "akst": "America/Anchorage", "akdt": "America/Anchorage",
    "hawaii": "Pacific/Honolulu", "hst": "Pacific/Honolulu",
    "hawaii-aleutian": "Pacific/Honolulu", "hawaii aleutian": "Pacific/Honolulu",
    "atlantic": "America/Puerto_Rico", "ast": "America/Puerto_Rico",
    "chamorro": "Pacific/Guam", "chst": "Pacific/Guam", "samoa": "Pacific/Pago_Pago",
    # Windows' names for US zones ("Hawaiian Standard Time", "US Mountain Standard Time").
    "hawaiian": "Pacific/Honolulu", "alaskan": "America/Anchorage", "aleutian": "America/Adak",
    "us mountain": "America/Phoenix", "us eastern": "America/Indiana/Indianapolis",
}  # fmt: skip
# The US zone whose standard time is each offset (hours east of UTC).
_OFFSET_ZONES = {
    -4: "America/Puerto_Rico", -5: "America/New_York", -6: "America/Chicago",
    -7: "America/Denver", -8: "America/Los_Angeles", -9: "America/Anchorage",
    -10: "Pacific/Honolulu", -11: "Pacific/Pago_Pago", 10: "Pacific/Guam",
}  # fmt: skip
_OFFSET = re.compile(
    r"^(?:utc|gmt)?\s*(?P<sign>[+\-−])\s*(?P<h>\d{1,2})(?::?(?P<m>00|30|45)(?::00)?)?(?:\.0+)?$"
)


@lru_cache(maxsize=1)
def _zone_names() -> dict[str, str]:
    """Every IANA zone name the system knows, by its lower-case form."""
    return {name.lower(): name for name in available_timezones()}


_US_RULES = {"EST5EDT", "CST6CDT", "MST7MDT", "PST8PDT"}  # zones named by their rule alone


def _zone_name(text: str) -> str:
    """The IANA zone `text` names ("America/New York", "america/chicago", "EST5EDT"), or ""
    (also for "UTC", "Factory" or "localtime": no place keeps its hours in those)."""
    name = _zone_names().get(text.strip().replace(" ", "_").lower(), "")
    return name if "/" in name or name in _US_RULES else ""


def schedule_zone(value, inferred: str = "") -> tuple[str, str | None]:
    """(IANA zone, note for the report) of a schedule's timezone: a zone name
    ("America/Chicago"), a US zone's words ("Pacific", "EST", "Eastern Standard Time") or a
    UTC offset ("-8", "-05:00", "UTC-6"). Words and offsets name a time, not a place: they
    are read as `inferred` (the zone of the place's states) where that zone keeps the same
    time (the same standard time for words: "MST" in Arizona is Phoenix's; an offset in
    winter or summer), else as the US zone with that standard time.
    ("", None) when there is none; ("", note) when it cannot be read."""
    raw = " ".join(str(value or "").split())
    if not raw:
        return "", None
    words = re.sub(r"\(.*?\)|\b(?:time|standard|daylight|zone)\b", " ", raw.lower())
    zone = _ZONE_WORDS.get(" ".join(words.split()))  # before names: "EST" is a zone with no DST
    named = _zone_name(raw)
    if zone is None and named:
        return named, None if named == raw else f"timezone {raw!r} read as {named}"
    inferred = _zone_name(inferred)
    match = _OFFSET.match(raw.lower())
    if zone is not None and inferred and utc_offsets(inferred)[0] == utc_offsets(zone)[0]:
        zone = inferred
    elif zone is None and match:
        minutes = int(match["h"]) * 60 + int(match["m"] or 0)
        minutes = -minutes if match["sign"] in "-−" else minutes
        zone = inferred if inferred and minutes in utc_offsets(inferred) else None
        zone = zone or _OFFSET_ZONES.get(minutes / 60)
    if zone is None:
        return "", (
            f"timezone {raw!r} is not one we can read (a US zone's UTC offset such as -5, or a"
            " name such as America/Chicago): ignored"
        )
    return zone, f"timezone {raw!r} read as {zone}"
