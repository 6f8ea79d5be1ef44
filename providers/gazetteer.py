"""The offline geocoder's data: the committed gazetteer of US ZIP codes, places and states
(built by tools/build_gazetteer.py, see providers/data/README.md), its indexes, name
normalisation and the nearest-ZIP lookup. providers.geocode answers queries from it.
"""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import math
import re
import threading
import unicodedata
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

GAZETTEER_PATH = Path(__file__).resolve().parent / "data" / "us_gazetteer.csv.gz"
# timezone_for/reverse look this far (degrees, roughly 165 km) for the nearest ZIP centroid.
NEARBY_DEGREES = 1.5
GRID_DEGREES = 0.1

STATES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa",
    "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland",
    "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi",
    "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire",
    "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee",
    "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming", "DC": "District of Columbia",
    "PR": "Puerto Rico", "GU": "Guam", "VI": "U.S. Virgin Islands", "AS": "American Samoa",
    "MP": "Northern Mariana Islands",
}  # fmt: skip

# USPS and everyday abbreviations in place names, expanded on both sides of every comparison.
_ABBREVIATIONS = {
    "st": "saint", "ste": "sainte", "ft": "fort", "mt": "mount", "mtn": "mountain",
    "pt": "point", "hts": "heights", "spgs": "springs", "jct": "junction", "vlg": "village",
    "twp": "township", "ctr": "center", "hbr": "harbor", "bch": "beach", "lk": "lake",
}  # fmt: skip
_TOKEN = re.compile(r"[a-z0-9]+")
_DOTTED = re.compile(r"\b(?:[a-z]\.){2,}")  # "d.c." -> "dc", "u.s.a." -> "usa"
_APOSTROPHES = re.compile(r"['’`´]")


def normalise(text: str) -> str:
    """Fold accents, case, punctuation and abbreviations: "St. Louis" -> "saint louis"."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold()
    if "." in text:
        text = _DOTTED.sub(lambda m: m.group(0).replace(".", ""), text)
    text = _APOSTROPHES.sub("", text)
    return " ".join([_ABBREVIATIONS.get(t, t) for t in _TOKEN.findall(text)])


def name_key(text: str) -> str:
    """Index key of a place name: normalised without spaces ("La Porte" == "LaPorte")."""
    return normalise(text).replace(" ", "")


class Spot(NamedTuple):
    name: str
    state: str
    lat: float
    lng: float
    population: int
    timezone: str

    @property
    def label(self) -> str:
        return f"{self.name}, {self.state}"


class Gazetteer:
    """The gazetteer's indexes; only what every lookup needs is built at load, the rest lazily."""

    def __init__(self, path: Path):
        # Tuples of plain values, not lists: the garbage collector stops tracking such a tuple,
        # so a worker's full collections no longer walk 43,000 ZIP rows (a quarter less time).
        self.zips: dict[str, tuple[str, ...]] = {}  # ZIP -> its raw row (parsed on use)
        self.spots: dict[tuple[str, str], Spot] = {}  # (name_key, state) -> place
        self.by_name: dict[str, tuple[Spot, ...]] = {}  # name_key -> places, most populous first
        self.states: dict[str, Spot] = {}
        self._named: list[tuple[str, str, str]] = []  # (spaced name, name_key, state)
        spaced_names: dict[str, str] = {}  # memo: many places share a name
        by_name: dict[str, list[Spot]] = {}
        rows = csv.reader(io.StringIO(gzip.decompress(path.read_bytes()).decode("utf-8")))
        next(rows)  # header
        for row in rows:
            kind, key, name, state, lat, lng, population, tz = row
            if kind == "z":
                self.zips[key] = tuple(row)
            elif kind == "s":
                self.states[key] = Spot(name, key, float(lat), float(lng), 0, tz)
            else:
                spot = Spot(name, state, float(lat), float(lng), int(population or 0), tz)
                spaced = spaced_names.get(name)
                if spaced is None:
                    spaced = spaced_names[name] = normalise(name)
                nkey = spaced.replace(" ", "")
                self.spots[(nkey, state)] = spot
                by_name.setdefault(nkey, []).append(spot)
                self._named.append((spaced, nkey, state))
        self.by_name = {
            nkey: tuple(sorted(spots, key=lambda s: (-s.population, s.state)))
            for nkey, spots in by_name.items()
        }

    @cached_property
    def zip_codes(self) -> list[str]:
        """Mapped ZIPs in order, for prefix completion and nearest-number suggestions."""
        return sorted(code for code, row in self.zips.items() if row[4])

    @cached_property
    def grid(self) -> dict[tuple[int, int], list[tuple[float, float, str]]]:
        grid: dict[tuple[int, int], list[tuple[float, float, str]]] = {}
        for code in self.zip_codes:
            lat, lng = float(self.zips[code][4]), float(self.zips[code][5])
            grid.setdefault(cell(lat, lng), []).append((lat, lng, code))
        return grid

    @cached_property
    def grid_rows(self) -> tuple[int, int]:
        """The first and last rows of the grid that hold a ZIP."""
        rows = [row for row, _ in self.grid]
        return (min(rows), max(rows)) if rows else (0, -1)

    @cached_property
    def keys(self) -> list[str]:
        return sorted(self.by_name)

    @cached_property
    def names(self) -> dict[str, str]:
        """Spaced normalised name -> name_key, for fuzzy matching."""
        return {spaced: nkey for spaced, nkey, _ in self._named}

    @cached_property
    def names_by_state(self) -> dict[str, dict[str, str]]:
        pools: dict[str, dict[str, str]] = {}
        for spaced, nkey, state in self._named:
            pools.setdefault(state, {})[spaced] = nkey
        return pools

    @cached_property
    def names_by_initial(self) -> dict[str, list[str]]:
        """Fuzzy-match pools: a typo rarely hits the first letter, and this keeps it fast."""
        pools: dict[str, list[str]] = {}
        for spaced in self.names:
            pools.setdefault(spaced[:1], []).append(spaced)
        return pools


_load_lock = threading.Lock()
_loaded: Gazetteer | None = None


def gazetteer() -> Gazetteer:
    global _loaded
    if _loaded is None:
        with _load_lock:
            if _loaded is None:
                _loaded = Gazetteer(GAZETTEER_PATH)
    return _loaded


def cell(lat: float, lng: float) -> tuple[int, int]:
    return (math.floor(lat / GRID_DEGREES), math.floor(lng / GRID_DEGREES))


def nearest_zip(gaz: Gazetteer, *, lat: float, lng: float) -> str:
    """The nearest mapped ZIP within NEARBY_DEGREES (equirectangular), or "".

    Scans rings of grid cells outwards (each cell once) and stops once no unseen cell can
    be nearer.
    """
    best, best_d2 = "", NEARBY_DEGREES**2
    scale = max(math.cos(math.radians(lat)), 0.05)  # a degree of longitude shrinks poleward
    row, col = cell(lat, lng)
    rings = math.ceil(NEARBY_DEGREES / GRID_DEGREES) + 2  # ring r reaches r rows away
    first, last = gaz.grid_rows
    if not first - (rings - 1) <= row <= last + (rings - 1):
        return best  # far north or south of every ZIP (near a pole, a ring is widest)
    seen_rows, seen_cols = -1, -1
    for ring in range(rings):
        if ring and ((ring - 1) * GRID_DEGREES) ** 2 > best_d2:
            break  # every unseen cell is at least (ring - 1) cells away
        cols = math.ceil(ring / scale)
        for drow in range(-ring, ring + 1):
            if -seen_rows <= drow <= seen_rows:  # a row seen before: its new ends only
                dcols = itertools.chain(range(-cols, -seen_cols), range(seen_cols + 1, cols + 1))
            else:
                dcols = range(-cols, cols + 1)
            for dcol in dcols:
                for zlat, zlng, code in gaz.grid.get((row + drow, col + dcol), ()):
                    d2 = (zlat - lat) ** 2 + ((zlng - lng) * scale) ** 2
                    if d2 < best_d2 or (d2 == best_d2 and code < best):
                        best, best_d2 = code, d2
        seen_rows, seen_cols = ring, cols
    return best
