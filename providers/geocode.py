"""Offline US geocoder: ZIP codes, "City, ST", states and coordinates; it never opens a socket.

Reads the committed gazetteer built by tools/build_gazetteer.py (see providers/data/README.md).
A searched location is a survivor's secret: nothing here logs the query or calls the network.
"""

from __future__ import annotations

import difflib
import functools
import heapq
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from geopy.adapters import BaseSyncAdapter
from geopy.exc import GeocoderServiceError
from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from providers.gazetteer import (  # noqa: F401 - GAZETTEER_PATH and name_key for tools/
    GAZETTEER_PATH,
    STATES,
    Gazetteer,
    Spot,
    gazetteer,
    name_key,
    nearest_zip,
    normalise,
)

MAX_QUERY_LENGTH = 200
MAX_SUGGESTIONS = 10
# A bare city name picks the most populous candidate only when it is this many times bigger
# than the next; places known only from USPS names count as this many people.
DOMINANCE = 5
UNKNOWN_POPULATION = 1000


MSG_EMPTY = "Enter a ZIP code, a city and state, or coordinates."
MSG_TOO_LONG = (
    "That is too long. Enter a ZIP code or a city and state "
    f"(at most {MAX_QUERY_LENGTH} characters)."
)
MSG_UNKNOWN_ZIP = "We don't know the ZIP code {zip}. Check the number, or enter a city and state."
MSG_ZIP_NOT_MAPPED = (
    "The ZIP code {zip} has no map location (it is a military or special-purpose ZIP code). "
    "Enter a city and state instead."
)
MSG_UNKNOWN_PLACE = (
    "We couldn't find that place. Check the spelling, or enter a ZIP code or a city and state."
)
MSG_AMBIGUOUS = (
    "More than one place has that name. Add the state, or choose one of the suggestions."
)
MSG_OUT_OF_RANGE = "Latitude must be between -90 and 90, and longitude between -180 and 180."
_NO_NETWORK = "OfflineGeocoder never uses the network."

_STATE_ALIASES = {
    "d c": "DC", "virgin islands": "VI", "us virgin islands": "VI",
    "united states virgin islands": "VI", "usvi": "VI", "northern marianas": "MP", "cnmi": "MP",
}  # fmt: skip
_COUNTRY_WORDS = (["united", "states", "of", "america"], ["united", "states"], ["usa"], ["us"])
_SEGMENT = re.compile(r"[,;\n]+")
_ZIP_ONLY = re.compile(r"(\d{5})(?:\s*-\s*\d{4}|\s+\d{4}|\d{4})?")
_ADDRESS_ZIP = re.compile(r"\s*(\d{3,5})(?:\s*-?\s*\d{4})?\s*")
_NUMBER = r"([+-]?(?:\d{1,3}(?:\.\d*)?|\.\d+))\s*°?\s*([NSEWnsew])?"
_COORDINATES = re.compile(rf"\(?\s*{_NUMBER}\s*[,;\s]\s*{_NUMBER}\s*\)?")


@dataclass(frozen=True)
class Place:
    """Where a query points: a centroid (approximate) or typed coordinates."""

    lat: float
    lng: float
    label: str  # e.g. "New York, NY 10001", "Springfield, IL", "40.7128, -74.0060"
    kind: str  # "zip" | "city" | "coordinates" | "state"
    state: str = ""
    postcode: str = ""
    timezone: str = ""
    approximate: bool = True


class PlaceNotFound(ValueError):
    """The query names no place we know; `.code` lets pages show a translated message."""

    def __init__(
        self,
        query: str,
        *,
        code: str,
        message: str,
        suggestions: Iterable[str] = (),
        candidates: Iterable[Place] = (),
    ):
        super().__init__(message)  # the query stays out of args so a logged error can't leak it
        self.query = query
        self.code = code
        self.message = message
        self.suggestions = list(suggestions)
        self.candidates = tuple(candidates)  # the places an "ambiguous" name could mean


_STATE_LOOKUP = {normalise(name): code for code, name in STATES.items()}
_STATE_LOOKUP.update({code.lower(): code for code in STATES})
_STATE_LOOKUP.update(_STATE_ALIASES)


def _zip_place(gaz: Gazetteer, code: str) -> Place | None:
    row = gaz.zips.get(code)
    if row is None or not row[4]:
        return None
    _, _, city, state, lat, lng, _, tz = row
    return Place(
        lat=float(lat),
        lng=float(lng),
        label=f"{city}, {state} {code}",
        kind="zip",
        state=state,
        postcode=code,
        timezone=tz,
    )


def _spot_place(spot: Spot, *, kind: str = "city") -> Place:
    label = spot.name if kind == "state" else spot.label
    return Place(
        lat=spot.lat, lng=spot.lng, label=label, kind=kind, state=spot.state, timezone=spot.timezone
    )


def _not_found(query: str, code: str, message: str, **kwargs) -> PlaceNotFound:
    return PlaceNotFound(query, code=code, message=message, **kwargs)


def _unknown_zip(gaz: Gazetteer, query: str, code: str) -> PlaceNotFound:
    if code in gaz.zips:
        return _not_found(query, "unknown_zip", MSG_ZIP_NOT_MAPPED.format(zip=code))
    return _not_found(
        query, "unknown_zip", MSG_UNKNOWN_ZIP.format(zip=code), suggestions=_zip_typos(gaz, code)
    )


def _zip_typos(gaz: Gazetteer, code: str, limit: int = 5) -> list[str]:
    """Known ZIPs one slip away (swapped neighbours, one wrong digit), else the nearest numbers."""
    swaps = [code[:i] + code[i + 1] + code[i] + code[i + 2 :] for i in range(4)]
    wrong = [code[:i] + d + code[i + 1 :] for i in range(5) for d in "0123456789"]
    found = [c for c in dict.fromkeys(swaps + wrong) if c != code and c in gaz.zips]
    found = sorted((c for c in found if gaz.zips[c][4]), key=lambda c: (abs(int(c) - int(code)), c))
    if not found:
        i = bisect_left(gaz.zip_codes, code)
        found = gaz.zip_codes[max(0, i - 2) : i + 2]
    return [_zip_place(gaz, c).label for c in found[:limit]]


def _parse_coordinates(query: str, text: str) -> Place | None:
    match = _COORDINATES.fullmatch(text)
    if not match:
        return None
    lat, lat_h, lng, lng_h = match.groups()
    lat_h, lng_h = (lat_h or "").lower(), (lng_h or "").lower()
    if lat_h in ("e", "w") and lng_h in ("n", "s"):  # "74.0 W 40.7 N"
        lat, lat_h, lng, lng_h = lng, lng_h, lat, lat_h
    if lat_h not in ("", "n", "s") or lng_h not in ("", "e", "w"):
        return None
    lat_f = -abs(float(lat)) if lat_h == "s" else float(lat)
    lng_f = -abs(float(lng)) if lng_h == "w" else float(lng)
    if not (-90 <= lat_f <= 90 and -180 <= lng_f <= 180):
        raise _not_found(query, "out_of_range", MSG_OUT_OF_RANGE)
    return Place(
        lat=lat_f,
        lng=lng_f,
        label=f"{lat_f:.4f}, {lng_f:.4f}",
        kind="coordinates",
        state=state_for(lat=lat_f, lng=lng_f),
        timezone=timezone_for(lat=lat_f, lng=lng_f),
        approximate=False,
    )


def _segments(text: str) -> list[list[str]]:
    """Comma-separated parts as normalised tokens, without a trailing country name."""
    segments = [normalise(part).split() for part in _SEGMENT.split(text)]
    segments = [tokens for tokens in segments if tokens]
    while segments:
        last = segments[-1]
        words = next((w for w in _COUNTRY_WORDS if last[-len(w) :] == w), None)
        if words is None or (len(segments) == 1 and len(last) == len(words)):
            break
        del last[-len(words) :]
        if not last:
            segments.pop()
    return segments


def _trailing_zip(segments: list[list[str]]) -> str:
    """Remove and return a ZIP (or ZIP+4) ending the text: "..., IL 62701-1234"."""
    last = segments[-1] if segments else []
    if len(last) >= 2 and len(last[-1]) == 4 and last[-1].isdigit() and len(last[-2]) == 5:
        last.pop()  # the +4
    if last and len(last[-1]) == 5 and last[-1].isdigit():
        code = last.pop()
        if not last:
            segments.pop()
        return code
    return ""


def _state_suffix(tokens: list[str]) -> tuple[str, int] | None:
    for size in (4, 3, 2, 1):
        if len(tokens) >= size and (code := _STATE_LOOKUP.get(" ".join(tokens[-size:]))):
            return code, size
    return None


def _city_in_state(gaz: Gazetteer, segments: list[list[str]], size: int, state: str):
    """The place named just before the state, longest match first ("West Springfield")."""
    tokens = segments[-1][:-size] or (segments[-2] if len(segments) >= 2 else [])
    for start in range(max(0, len(tokens) - 6), len(tokens)):
        spot = gaz.spots.get(("".join(tokens[start:]), state))
        if spot:
            return spot, tokens
    return None, tokens


def _pick(query: str, spots: list[Spot]) -> Place:
    """One place for a bare name: the only one, or one far bigger than the rest."""
    if len(spots) == 1:
        return _spot_place(spots[0])
    top, runner_up = spots[0], max(spots[1].population, UNKNOWN_POPULATION)
    if top.population >= DOMINANCE * runner_up:
        return _spot_place(top)
    raise _not_found(
        query,
        "ambiguous",
        MSG_AMBIGUOUS,
        suggestions=[s.label for s in spots[:MAX_SUGGESTIONS]],
        candidates=[_spot_place(s) for s in spots],
    )


def _resolve(query: str, *, guess: bool = True) -> Place:
    """Parse a query; with guess=False only a ZIP or an explicit city+state places it."""
    text = query.strip() if isinstance(query, str) else ""
    if not text:
        raise _not_found(query, "empty", MSG_EMPTY)
    if len(text) > MAX_QUERY_LENGTH:
        raise _not_found(query, "too_long", MSG_TOO_LONG)
    gaz = gazetteer()
    if match := _ZIP_ONLY.fullmatch(text):
        if place := _zip_place(gaz, match.group(1)):
            return place
        raise _unknown_zip(gaz, query, match.group(1))
    if guess and (place := _parse_coordinates(query, text)):
        return place
    segments = _segments(text)
    zip_code = _trailing_zip(segments)
    if zip_code and (place := _zip_place(gaz, zip_code)):
        return place
    state, city_tokens = "", []
    if segments and (found := _state_suffix(segments[-1])):
        state, size = found
        if len(segments) == 1 and size == len(segments[0]):
            if guess:
                return _spot_place(gaz.states[state], kind="state")
        else:
            spot, city_tokens = _city_in_state(gaz, segments, size, state)
            if spot:
                return _spot_place(spot)
    if guess and segments:
        spots = gaz.by_name.get("".join(t for tokens in segments for t in tokens))
        if not spots and not state and len(segments) >= 2:
            spots = gaz.by_name.get("".join(segments[-1]))  # "12 Elm St, Springfield"
        if spots:
            return _pick(query, spots)
    for token in reversed([t for tokens in segments for t in tokens]):
        if len(token) == 5 and token.isdigit() and (place := _zip_place(gaz, token)):
            return place  # "10001 New York": a ZIP that doesn't end the text
    if zip_code:
        raise _unknown_zip(gaz, query, zip_code)
    suggestions = _suggestions_for(gaz, segments, state, city_tokens) if segments else []
    raise _not_found(query, "unknown_place", MSG_UNKNOWN_PLACE, suggestions=suggestions)


def _close(word: str, pool: Iterable[str], n: int, cutoff: float = 0.75) -> list[str]:
    """difflib.get_close_matches, but deterministic on ties (score, then name)."""
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(word)
    scored = []
    for candidate in pool:
        matcher.set_seq1(candidate)
        if matcher.real_quick_ratio() >= cutoff and matcher.quick_ratio() >= cutoff:
            score = matcher.ratio()
            if score >= cutoff:
                scored.append((-score, candidate))
    return [candidate for _, candidate in heapq.nsmallest(n, scored)]


def _suggestions_for(gaz: Gazetteer, segments, state: str, city_tokens: list[str]) -> list[str]:
    """Close names for an unknown place: in the state given, then the same name elsewhere."""
    labels: list[str] = []
    if not state and (len(segments) >= 2 or len(segments[-1]) >= 2):
        # "Chicago, Ilinois": a misspelt state at the end.
        tail = segments[-1] if len(segments) >= 2 else segments[-1][-1:]
        close_state = _close(" ".join(tail), _STATE_LOOKUP, 1, cutoff=0.8)
        if close_state:
            state = _STATE_LOOKUP[close_state[0]]
            city_tokens = segments[-2] if len(segments) >= 2 else segments[-1][:-1]
    if state and city_tokens:
        pool = gaz.names_by_state.get(state, {})
        for size in range(1, min(4, len(city_tokens)) + 1):
            for spaced in _close(" ".join(city_tokens[-size:]), pool, MAX_SUGGESTIONS):
                labels.append(gaz.spots[(pool[spaced], state)].label)
        for spot in gaz.by_name.get("".join(city_tokens), []):
            labels.append(spot.label)
    else:
        spaced = " ".join(t for tokens in segments for t in tokens)
        for name in _close(spaced, gaz.names_by_initial.get(spaced[:1], ()), MAX_SUGGESTIONS):
            labels.extend(spot.label for spot in gaz.by_name[gaz.names[name]][:3])
        states = {normalise(name): name for name in STATES.values()}
        labels.extend(states[name] for name in _close(spaced, states, 2, cutoff=0.8))
    return list(dict.fromkeys(labels))[:MAX_SUGGESTIONS]


def geocode(text: str) -> Place:
    """Place a ZIP, "City, ST", state, "lat, lng" or street address; raises PlaceNotFound."""
    return _resolve(text)


def suggest(text: str, *, limit: int = 5) -> list[str]:
    """Completions for a partly typed ZIP or place name, most populous first."""
    text = text.strip() if isinstance(text, str) else ""
    if not text or len(text) > MAX_QUERY_LENGTH or limit <= 0:
        return []
    gaz = gazetteer()
    if text.isdigit() and len(text) <= 5:
        start = bisect_left(gaz.zip_codes, text)
        codes = gaz.zip_codes[start : start + limit]
        return [_zip_place(gaz, c).label for c in codes if c.startswith(text)]
    segments = _segments(text)
    if not segments:
        return []
    state = ""
    if len(segments) >= 2 and (found := _state_suffix(segments[-1])):
        state = found[0]
        segments = segments[:-1]
    prefix = "".join(t for tokens in segments for t in tokens)
    labels = [] if state else [n for n in STATES.values() if name_key(n).startswith(prefix)]
    matches: list[Spot] = []
    for key in gaz.keys[bisect_left(gaz.keys, prefix) :]:
        if not key.startswith(prefix):
            break
        matches.extend(s for s in gaz.by_name[key] if not state or s.state == state)
    best = heapq.nsmallest(limit, matches, key=lambda s: (-s.population, s.name, s.state))
    labels.extend(s.label for s in best)
    if len(labels) < limit:
        try:
            _resolve(text)
        except PlaceNotFound as error:
            labels.extend(error.suggestions)
    return list(dict.fromkeys(labels))[:limit]


def _state_code(state: str) -> str:
    return _STATE_LOOKUP.get(normalise(state or ""), "")


def geocode_address(
    *, street: str = "", city: str = "", state: str = "", postcode: str = ""
) -> Place | None:
    """For importers: the ZIP centroid (5-digit or ZIP+4), else city+state; None if neither."""
    gaz = gazetteer()
    code = _state_code(state)
    if match := _ADDRESS_ZIP.fullmatch(postcode or ""):
        digits = match.group(1).zfill(5)  # spreadsheets drop the leading zero of 02134
        place = _zip_place(gaz, digits)
        padded = len(match.group(1)) < 5
        if place and (not padded or not code or place.state == code):
            return place
    if city and code:
        spot = gaz.spots.get((name_key(city), code))
        if spot:
            return _spot_place(spot)
    for text in (f"{city}, {state}" if city and state else city, street):
        if text:
            try:
                return _resolve(text, guess=False)
            except PlaceNotFound:
                pass
    return None


def timezone_for(*, lat: float, lng: float) -> str:
    """The IANA timezone of the nearest ZIP centroid, or "" when none is near (not in the US)."""
    gaz = gazetteer()
    code = nearest_zip(gaz, lat=float(lat), lng=float(lng))
    return gaz.zips[code][7] if code else ""


@functools.lru_cache(maxsize=128)
def state_timezone(state: str) -> str:
    """The IANA timezone of most of a state's ZIP codes ("" for none known): where a remote
    service's hours are kept for a state it serves, with no place of its own to say."""
    zones = Counter(row[7] for row in gazetteer().zips.values() if row[3] == state and row[7])
    return zones.most_common(1)[0][0] if zones else ""


def states_timezone(states: Iterable[str]) -> str:
    """The one timezone of the states in `states` whose zone is known ("" when they span
    more than one, or none is known)."""
    zones = {state_timezone(state) for state in states} - {""}
    return zones.pop() if len(zones) == 1 else ""


def state_for(*, lat: float, lng: float) -> str:
    """The state of the nearest ZIP centroid, or "" when none is near: which statewide
    services cover a point someone shared."""
    gaz = gazetteer()
    code = nearest_zip(gaz, lat=float(lat), lng=float(lng))
    return gaz.zips[code][3] if code else ""


class _NoNetworkAdapter(BaseSyncAdapter):
    """An HTTP adapter that refuses every request, so no geopy code path can leak a query."""

    def get_json(self, url, *, timeout, headers):
        raise GeocoderServiceError(_NO_NETWORK)

    def get_text(self, url, *, timeout, headers):
        raise GeocoderServiceError(_NO_NETWORK)


def _location(place: Place) -> Location:
    return Location(place.label, (place.lat, place.lng), asdict(place))


class OfflineGeocoder(Geocoder):
    """geopy's Geocoder API over the local gazetteer; its HTTP adapter refuses everything."""

    def __init__(self, *, user_agent: str = "resource-map-offline"):
        super().__init__(
            scheme="https", proxies={}, user_agent=user_agent, adapter_factory=_NoNetworkAdapter
        )

    def geocode(self, query, *, exactly_one=True, timeout=None):
        if isinstance(query, dict):  # geopy's structured query
            place = geocode_address(
                street=query.get("street", ""),
                city=query.get("city", ""),
                state=query.get("state", ""),
                postcode=query.get("postalcode", ""),
            )
            places = [place] if place else []
        else:
            try:
                places = [geocode(query)]
            except PlaceNotFound as error:
                places = list(error.candidates)
                if exactly_one:
                    places = []
        if not places:
            return None
        locations = [_location(p) for p in places]
        return locations[0] if exactly_one else locations

    def reverse(self, query, *, exactly_one=True, timeout=None):
        point = Point(query)
        gaz = gazetteer()
        code = nearest_zip(gaz, lat=point.latitude, lng=point.longitude)
        if not code:
            return None
        location = _location(_zip_place(gaz, code))
        return location if exactly_one else [location]
