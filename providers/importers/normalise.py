"""Cleaning the values real exports contain: each function returns the clean value and, when
it changed something a person would care about, a note saying what (for the report).
Values that cannot be cleaned raise `Unusable` with the reason.
"""

import functools
import html
import re
import unicodedata
from datetime import date, datetime

import ftfy
import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.html import strip_tags

from providers.importers.safe_csv import unquote_cell
from providers.importers.timetable import (  # noqa: E402, F401 - part of this module's API
    ALL_DAY,
    EVERY_DAY_ALL_DAY,
    HSDS_DAYS,
    Hours,
    around_the_clock,
    clock,
    daytime_closing,
    hours_text,
    opening_hours,
    schedule_zone,
    weekday,
)


class Unusable(ValueError):
    """A value that cannot be imported; the message says why."""


US_STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma",
    "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina",
    "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont",
    "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin",
    "WY": "Wyoming", "PR": "Puerto Rico", "GU": "Guam", "VI": "U.S. Virgin Islands",
    "AS": "American Samoa", "MP": "Northern Mariana Islands",
}  # fmt: skip
_STATE_BY_NAME = {name.lower(): code for code, name in US_STATES.items()}
_STATE_BY_NAME.update({"washington dc": "DC", "washington d.c.": "DC", "virgin islands": "VI"})

# Placeholders spreadsheets use for "nothing".
_EMPTY_MARKERS = {"null", "none", "n/a", "na", "#n/a", "-", "--", "---", "tbd", "nil", "?"}
# What 211 exports put in the street field of shelters whose address is secret.
CONFIDENTIAL_MARKER = re.compile(
    r"\b(confidential|undisclosed|withheld|not\s+(?:be\s+)?(?:disclosed|published|listed)|"
    r"secret|redacted|call\s+for\s+(?:the\s+)?(?:address|location))\b",
    re.IGNORECASE,
)

_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
_BLOCK_TAG = re.compile(r"<\s*(br|/p|/div|/h\d|/tr)\s*/?\s*>", re.IGNORECASE)
_LIST_ITEM = re.compile(r"<\s*li[^>]*>", re.IGNORECASE)
# Excel writes carriage returns inside cells as _x000D_; some systems write literal "\n".
_EXCEL_CR = re.compile(r"_x000[dDaA]_")
_LITERAL_NEWLINE = re.compile(r"\\r\\n|\\n|\\r")
# UTF-8 punctuation read as code page 437 ('’' → 'ΓÇÖ'), whose Greek gamma some exports
# fold to a Latin G ('AttorneyGÇÖs'); ftfy does not guess code page 437, so it is undone here.
_CP437_MOJIBAKE = re.compile("[ΓG]Ç[\u00a0-\u00ff\u0192\u0393-\u03c6\u2022-\u25a0]")
# Vendor markers in 211 exports: '###MON###' starts a weekday's hours, others mark fields.
_VENDOR_DAY = re.compile(r"#{2,}\s*(MON|TUE|WED|THU|FRI|SAT|SUN)[A-Z]*\s*#{2,}:?", re.IGNORECASE)
_VENDOR_MARKER = re.compile(r"#{2,}\s*[A-Za-z_]*\s*#{2,}")
_DAY_NAMES = {
    "MON": "Monday", "TUE": "Tuesday", "WED": "Wednesday", "THU": "Thursday", "FRI": "Friday",
    "SAT": "Saturday", "SUN": "Sunday",
}  # fmt: skip
# Markup that is not a whole tag: comments, a tag cut off at the end, '&nbsp' without ';'.
_STRAY_MARKUP = re.compile(r"<!--.*?(?:-->|$)|<\s*/?\s*[a-zA-Z][^<>]*$|&nbsp\b(?!;)", re.S)


def _undo_cp437(match: re.Match) -> str:
    try:
        return ("Γ" + match[0][1:]).encode("cp437").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return match[0]


_FTFY = ftfy.TextFixerConfig(
    explain=False, uncurl_quotes=False, unescape_html=False, fix_line_breaks=False
)
# ftfy fixes each line as one piece, and only around characters that aren't printable
# ASCII: its rules look at most 2 characters before one and 6 after ('Ã quele'), and its
# choice of encoding is made over all of them, so one span from the first to the last of
# them, with that margin, is fixed exactly as the whole line would be
# (tests/test_import_mojibake.py compares the two; bench/mojibake.py times them).
_NOT_PLAIN = re.compile(r"[^\t\n\r -~]")
_CONTEXT = 7
_LINE = re.compile(r"[^\n]*\n|[^\n]+")


@functools.lru_cache(maxsize=4096)
def _fix_fragment(fragment: str) -> str:
    return ftfy.fix_text(fragment, _FTFY)


def _fix_line(line: str) -> str:
    """ftfy.fix_text of one line (ftfy fixes each line on its own), run only on the part from
    the first to the last character that isn't printable ASCII, widened by 7 characters and
    on to whitespace each side: the same result, and a package's recurring garbled phrase is
    fixed once however the text around it differs."""
    first = _NOT_PLAIN.search(line)
    if first is None:
        return line
    if len(line) > _FTFY.max_decode_length:
        return ftfy.fix_text(line, _FTFY)
    start = max(0, first.start() - _CONTEXT)
    while start and not line[start - 1].isspace():
        start -= 1
    stop = len(line) - _NOT_PLAIN.search(line[::-1]).start() + _CONTEXT
    while stop < len(line) and not line[stop].isspace():
        stop += 1
    return line[:start] + _fix_fragment(line[start:stop]) + line[stop:]


def repair_characters(value: str):
    """Mojibake repaired (ftfy, and the code page 437 kind). Returns (text, note)."""
    if value.isascii():
        return value, None
    out = _CP437_MOJIBAKE.sub(_undo_cp437, value)
    out = "".join(_fix_line(line) for line in _LINE.findall(out))
    if out == value:
        return value, None
    return out, "garbled characters repaired (mojibake)"


def strip_vendor_markup(value: str):
    """Vendor markers ('###MON###' → 'Monday:') and stray markup removed. (text, note)."""
    if "#" not in value and "<" not in value and "&nbsp" not in value:
        return value, None
    out = _VENDOR_DAY.sub(lambda m: f" {_DAY_NAMES[m[1][:3].upper()]}: ", value)
    out = _VENDOR_MARKER.sub(" ", out)
    out = _STRAY_MARKUP.sub(" ", out)
    if out == value:
        return value, None
    return out, "vendor markers removed"


def is_empty(value) -> bool:
    return value is None or str(value).strip().lower() in _EMPTY_MARKERS or not str(value).strip()


def text(value, *, max_length: int | None = None, multiline: bool = False):
    """Plain text: markup and markers removed, spaces tidied. Returns (text, note)."""
    if value is None:
        return "", None
    if type(value) is str:  # a package repeats cities, states, eligibility, descriptions
        return _text(value, max_length, multiline)
    return _text.__wrapped__(str(value), max_length, multiline)


@functools.lru_cache(maxsize=65536)
def _text(value: str, max_length: int | None, multiline: bool):
    raw = unquote_cell(value)  # our exports quote a cell that looks like a formula
    if is_empty(raw):
        return "", None
    notes = []
    out = unicodedata.normalize("NFC", raw).replace("\u00a0", " ").replace("\ufeff", "")
    for repair in (repair_characters, strip_vendor_markup):
        out, note = repair(out)
        if note:
            notes.append(note)
    if _EXCEL_CR.search(out) or (multiline and _LITERAL_NEWLINE.search(out)):
        out = _LITERAL_NEWLINE.sub("\n", _EXCEL_CR.sub("\n", out))
        notes.append("line-break markers turned into line breaks")
    if _TAG.search(out) or _ENTITY.search(out):
        out = _LIST_ITEM.sub("\n- ", _BLOCK_TAG.sub("\n", out))
        out = html.unescape(strip_tags(out))
        notes.append("HTML markup removed")
    if multiline:
        lines = [" ".join(line.split()) for line in out.replace("\r", "\n").split("\n")]
        out = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    else:
        out = " ".join(out.split())
    if max_length and len(out) > max_length:
        out = out[: max_length - 1].rstrip() + "…"
        notes.append(f"shortened to {max_length} characters")
    return out, ("; ".join(notes) or None)


def state(value):
    """A two-letter US state code from 'ny ', 'N.Y.', 'New York'. Returns (code, note)."""
    raw, _ = text(value)
    if not raw:
        return "", None
    key = raw.replace(".", "").strip()
    if key.upper() in US_STATES:
        code = key.upper()
    elif key.lower() in _STATE_BY_NAME:
        code = _STATE_BY_NAME[key.lower()]
    else:
        return "", f"{raw!r} is not a US state or territory; left empty"
    return code, (None if code == str(value).strip() else f"{str(value)!r} → {code}")


def postcode(value):
    """A US ZIP (12345 or 12345-6789). Returns (zip, note); an unusable one is left empty."""
    raw, _ = text(value)
    if not raw:
        return "", None
    compact = raw.replace(" ", "")
    if re.fullmatch(r"\d{5}\.0+", compact):  # a spreadsheet that made the ZIP a number
        compact = compact.split(".")[0]
    digits = compact.replace("-", "")
    if re.fullmatch(r"\d{5}", digits):
        out = digits
    elif re.fullmatch(r"\d{9}", digits):
        out = f"{digits[:5]}-{digits[5:]}"
    elif re.fullmatch(r"\d{3,4}", digits):  # leading zeros lost (New England, New Jersey)
        out = digits.zfill(5)
        return out, f"{raw!r} → {out} (leading zeros restored)"
    else:
        return "", f"{raw!r} is not a US ZIP code; left empty"
    return out, (None if out == str(value).strip() else f"{str(value)!r} → {out}")


def country(value):
    raw, _ = text(value)
    key = raw.upper().replace(".", "").strip()
    if key in {"", "US", "USA", "UNITED STATES", "UNITED STATES OF AMERICA"}:
        return "US", None
    if re.fullmatch(r"[A-Z]{2}", key):
        return key, None
    return "US", f"country {raw!r} not understood; assumed US"


_SHORT_CODES = {"211", "311", "411", "511", "611", "711", "811", "911", "988"}
# A phone menu choice after the number or in the extension cell: 'x OPT2', 'press 1',
# 'option 3', 'ext. Spanish'. Digits alone after x/ext are an extension, not a menu.
_MENU = re.compile(
    r"[\s,;(]*\b(?P<word>x|ext|extension|press|opt|option|menu)(?=[\s\d.:#)]|$)", re.IGNORECASE
)
_EXTENSION = re.compile(r"(?:(?:x|ext|extension)\.?\s*[:#]?\s*)?\d+(?:\.0+)?", re.IGNORECASE)


def phone_menu(value, extension=""):
    """(number text, extension, menu): a phone menu choice ('x OPT2', 'press 1 for Spanish')
    split off the number or the extension cell, to be kept as the phone's note."""
    number, _ = text(value)
    ext, _ = text(extension)
    menus = []
    for match in _MENU.finditer(number):
        if not any(ch.isdigit() for ch in number[: match.start()]):
            continue
        tail = number[match.start() :].strip(" ,;()")
        if not _EXTENSION.fullmatch(tail):
            menus.append(tail)
            number = number[: match.start()].rstrip(" ,;(")
        break
    if ext and not _EXTENSION.fullmatch(ext):
        menus.append(ext)
        ext = ""
    return number, ext, " ".join(menus)


@functools.lru_cache(maxsize=65536)  # an organization's line is repeated on its services
def phone(value, extension=""):
    """A dialable number in E.164 (+12125550100) and its extension. Raises Unusable."""
    raw, _ = text(value)
    raw = re.sub(r"^(dial|call)\s+(?=[\d(+])", "", raw.strip("\"' "), flags=re.IGNORECASE)
    if not raw:
        raise Unusable("no phone number")
    if re.sub(r"[\s.\-]", "", raw) in _SHORT_CODES:  # N11 codes and 988, also as '2-1-1'
        short = re.sub(r"[\s.\-]", "", raw)
        return short, "", None if short == raw else f"{raw!r} → {short}"
    try:
        parsed = phonenumbers.parse(raw, "US")
    except phonenumbers.NumberParseException:
        raise Unusable(f"{raw!r} is not a phone number") from None
    if not phonenumbers.is_valid_number(parsed):
        raise Unusable(f"{raw!r} is not a valid phone number")
    number = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    ext, _ = text(extension)
    ext = re.sub(r"^(ext\.?|x)\s*", "", ext, flags=re.IGNORECASE)
    if re.fullmatch(r"\d+\.0+", ext):
        ext = ext.split(".")[0]
    ext = ext or (parsed.extension or "")
    note = None if number == raw else f"{raw!r} → {number}" + (f" ext. {ext}" if ext else "")
    return number, ext[:10], note


def coordinates(lat, lng):
    """(lat, lng, note): both or neither; out of range or (0, 0) → neither, with a note.
    Coordinates swapped in a US-shaped way (lat < 0 < lng) are swapped back."""
    if is_empty(lat) and is_empty(lng):
        return None, None, None
    try:
        la, ln = float(str(lat).strip()), float(str(lng).strip())
    except ValueError:
        return None, None, f"coordinates {lat!r}, {lng!r} are not numbers; ignored"
    if la != la or ln != ln:  # NaN
        return None, None, "coordinates are not numbers; ignored"
    if la == 0 and ln == 0:
        return None, None, "coordinates 0, 0 are a placeholder; ignored"
    if -180 <= la <= -60 and 15 <= ln <= 75:
        return ln, la, f"latitude and longitude were swapped ({lat}, {lng})"
    if not (-90 <= la <= 90 and -180 <= ln <= 180):
        return None, None, f"coordinates {lat}, {lng} are out of range; ignored"
    return la, ln, None


def boolean(value) -> bool | None:
    raw = str(value or "").strip().lower()
    if raw in {"1", "y", "yes", "true", "t", "x", "on", "si", "sí"}:
        return True
    if raw in {"0", "n", "no", "false", "f", "off", ""}:
        return False
    return None


_URL = URLValidator(schemes=["http", "https"])
_EMAIL = EmailValidator()


def url(value):
    raw, _ = text(value)
    if not raw:
        return "", None
    candidate = raw if re.match(r"^https?://", raw, re.IGNORECASE) else f"https://{raw}"
    try:
        _URL(candidate)
    except ValidationError:
        return "", f"{raw!r} is not a web address; left empty"
    if len(candidate) > 500:
        return "", "web address longer than 500 characters; left empty"
    return candidate, (None if candidate == raw else f"{raw!r} → {candidate}")


def email(value):
    raw, _ = text(value)
    raw = raw.removeprefix("mailto:")
    if not raw:
        return "", None
    try:
        _EMAIL(raw)
    except ValidationError:
        return "", f"{raw!r} is not an email address; left empty"
    return raw, None


def parse_date(value) -> date | None:
    raw, _ = text(value)
    if not raw:
        return None
    for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%d %B %Y", "%B %d, %Y"):
        try:
            return datetime.strptime(raw[:10] if fmt == "%Y-%m-%d" else raw, fmt).date()
        except ValueError:
            continue
    raise Unusable(f"{raw!r} is not a date (use YYYY-MM-DD)")


def split_list(value) -> list[str]:
    """'a; b, c | d' → ['a', 'b', 'c', 'd'] (commas split only when there is no semicolon)."""
    raw, _ = text(value, multiline=True)
    if not raw:
        return []
    separators = r"[;|\n]" if re.search(r"[;|\n]", raw) else r","
    return [part.strip() for part in re.split(separators, raw) if part.strip()]


def number(value) -> float | None:
    raw, _ = text(value)
    if not raw:
        return None
    try:
        return float(raw.replace(",", ""))
    except ValueError:
        raise Unusable(f"{raw!r} is not a number") from None


_PLACE_LABELS = {"PlaceName": "city", "StateName": "state", "ZipCode": "zip"}
_UNIT_LABELS = {"OccupancyType", "OccupancyIdentifier", "SubaddressType", "SubaddressIdentifier"}


def split_address(value) -> dict | None:
    """'350 Fifth Ave, Suite 100, New York, NY 10118' in one cell → its parts (offline, with
    usaddress), or None when it does not read as a US address with a city, state or ZIP."""
    import usaddress

    raw, _ = text(value)
    try:
        tagged, _kind = usaddress.tag(raw)
    except usaddress.RepeatedLabelError:
        return None
    parts = {"street": [], "street_2": [], "city": [], "state": [], "zip": []}
    for label, token in tagged.items():
        if label in _PLACE_LABELS:
            parts[_PLACE_LABELS[label]].append(token)
        elif label in _UNIT_LABELS:
            parts["street_2"].append(token)
        elif label != "Recipient":
            parts["street"].append(token)
    out = {key: " ".join(tokens).strip(" ,") for key, tokens in parts.items()}
    if not (out["city"] or out["state"] or out["zip"]) or not out["street"]:
        return None
    return out
