"""Server-rendered SVG maps of search results: no tiles, no scripts, no third-party requests.

The basemap (providers/data/basemap.json, built by tools/build_basemap.py from us-atlas) is
already projected with d3.geoAlbersUsa().scale(1300).translate([487.5, 305]); `project` is a
port of that projection so pins land on the same 975x610 frame. Town names come from our own
gazetteer (providers/data/us_gazetteer.csv.gz), pins that would overlap become one numbered
cluster (its places fan out when tapped: directory/static/directory/site.js), and a scale bar
says how far is how far.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from providers.gazetteer import gazetteer

BASEMAP_PATH = Path(__file__).resolve().parent / "data" / "basemap.json"

FRAME_WIDTH, FRAME_HEIGHT = 975.0, 610.0
# A little wider than tall: the map is a phone's width, or a column beside the list.
ASPECT = 1.25
# One projected unit is about 3 miles in the lower 48: a lone pin shows ~70 miles across.
MIN_VIEW_WIDTH = 20.0
MARGIN = 0.08  # share of the view kept free on each side, so pins are never cut off
PIN_RADIUS = 0.03  # share of the view width: pins keep their on-screen size when zoomed
LABEL_SIZE = 0.034  # town names, as a share of the view width (~12 px on a phone)
MAX_LABELS = 10
LABEL_INK, HALO = "#3b3f46", "#ffffff"  # #3b3f46 on the land colour is 9.6:1
SCALE_MILES = (0.5, 1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000)
COUNTY_MAX_VIEW_WIDTH = 120.0  # wider than this, county lines are clutter and bytes
DETAILED_STATES_MAX_VIEW_WIDTH = 300.0

LAND, BACKGROUND = "#f5f2ea", "#dfe7ec"
COUNTY_LINE, STATE_LINE = "#cbc5b8", "#7d858f"
PIN_FILL, CENTER_LINE = "#1d4ed8", "#b42318"  # white text on #1d4ed8 is 6.7:1

# d3-geo constants, kept verbatim so results match d3 to the last digits.
_EPSILON = 1e-6
_SCALE = 1300.0
_TRANSLATE = (487.5, 305.0)


class _ConicEqualArea:
    """d3.geoConicEqualArea with rotate, center, scale, translate and a clip extent."""

    def __init__(
        self,
        *,
        parallels: tuple[float, float],
        rotate: float,
        center: tuple[float, float],
        scale: float,
        translate: tuple[float, float],
        clip: tuple[float, float, float, float],
    ) -> None:
        sy0 = math.sin(math.radians(parallels[0]))
        self.n = (sy0 + math.sin(math.radians(parallels[1]))) / 2
        self.c = 1 + sy0 * (2 * self.n - sy0)
        self.r0 = math.sqrt(self.c) / self.n
        self.rotate = math.radians(rotate)
        self.scale = scale
        cx, cy = self._raw(math.radians(center[0]), math.radians(center[1]))
        self.dx = translate[0] - scale * cx
        self.dy = translate[1] + scale * cy
        self.clip = clip

    def _raw(self, lam: float, phi: float) -> tuple[float, float]:
        r = math.sqrt(self.c - 2 * self.n * math.sin(phi)) / self.n
        lam *= self.n
        return r * math.sin(lam), self.r0 - r * math.cos(lam)

    def __call__(self, lng: float, lat: float) -> tuple[float, float] | None:
        lam = math.radians(lng) + self.rotate
        if abs(lam) > math.pi:
            # JavaScript's Math.round rounds halves up; Python's round() would not.
            lam -= math.floor(lam / math.tau + 0.5) * math.tau
        x, y = self._raw(lam, math.radians(lat))
        px, py = self.dx + self.scale * x, self.dy - self.scale * y
        x0, y0, x1, y1 = self.clip
        if x0 <= px <= x1 and y0 <= py <= y1:
            return px, py
        return None


def _albers_usa() -> tuple[_ConicEqualArea, ...]:
    k, (x, y) = _SCALE, _TRANSLATE
    lower48 = _ConicEqualArea(
        parallels=(29.5, 45.5),
        rotate=96,
        center=(-0.6, 38.7),
        scale=k,
        translate=(x, y),
        clip=(x - 0.455 * k, y - 0.238 * k, x + 0.455 * k, y + 0.238 * k),
    )
    alaska = _ConicEqualArea(
        parallels=(55, 65),
        rotate=154,
        center=(-2, 58.5),
        scale=k * 0.35,
        translate=(x - 0.307 * k, y + 0.201 * k),
        clip=(
            x - 0.425 * k + _EPSILON,
            y + 0.120 * k + _EPSILON,
            x - 0.214 * k - _EPSILON,
            y + 0.234 * k - _EPSILON,
        ),
    )
    hawaii = _ConicEqualArea(
        parallels=(8, 18),
        rotate=157,
        center=(-3, 19.9),
        scale=k,
        translate=(x - 0.205 * k, y + 0.212 * k),
        clip=(
            x - 0.214 * k + _EPSILON,
            y + 0.166 * k + _EPSILON,
            x - 0.115 * k - _EPSILON,
            y + 0.234 * k - _EPSILON,
        ),
    )
    return lower48, alaska, hawaii


_REGIONS = _albers_usa()


def project(*, lat: float, lng: float) -> tuple[float, float] | None:
    """Project like d3.geoAlbersUsa (scale 1300): None outside the lower 48, Alaska and Hawaii."""
    if not (math.isfinite(lat) and math.isfinite(lng)) or abs(lat) > 90:
        return None
    for region in _REGIONS:
        point = region(lng, lat)
        if point is not None:
            return point
    return None


@dataclass(frozen=True)
class Pin:
    lat: float | None
    lng: float | None
    number: int
    title: str


@dataclass(frozen=True)
class _Shape:
    bbox: tuple[float, float, float, float]
    d: str
    d_overview: str


@cache
def _basemap() -> dict[str, list[_Shape]]:
    data = json.loads(BASEMAP_PATH.read_text())
    return {
        layer: [
            _Shape(bbox=tuple(f["bbox"]), d=f["d"], d_overview=f.get("d_overview", f["d"]))
            for f in data[layer]
        ]
        for layer in ("states", "counties")
    }


def _view_box(points: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    """Fit the points with a margin, at least MIN_VIEW_WIDTH wide, in the frame's aspect."""
    if not points:
        return 0.0, 0.0, FRAME_WIDTH, FRAME_HEIGHT
    xs, ys = [x for x, _ in points], [y for _, y in points]
    width = max(max(xs) - min(xs), (max(ys) - min(ys)) * ASPECT, MIN_VIEW_WIDTH)
    width /= 1 - 2 * MARGIN
    height = width / ASPECT
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    return cx - width / 2, cy - height / 2, width, height


def _intersecting(shapes: list[_Shape], box: tuple[float, float, float, float]) -> list[_Shape]:
    x, y, w, h = box
    return [s for s in shapes if s.bbox[0] <= x + w and s.bbox[2] >= x and s.bbox[1] <= y + h
            and s.bbox[3] >= y]  # fmt: skip


COUNTY_CELL = 20.0  # projected units per side of a cell of the county index


@cache
def _county_cells() -> dict[tuple[int, int], list[int]]:
    """Each cell's counties (their places in the basemap's list) whose box reaches into it."""
    cells: dict[tuple[int, int], list[int]] = {}
    for index, shape in enumerate(_basemap()["counties"]):
        x0, y0, x1, y1 = shape.bbox
        for col in range(int(x0 // COUNTY_CELL), int(x1 // COUNTY_CELL) + 1):
            for row in range(int(y0 // COUNTY_CELL), int(y1 // COUNTY_CELL) + 1):
                cells.setdefault((col, row), []).append(index)
    return cells


def _counties_in(box: tuple[float, float, float, float]) -> list[_Shape]:
    """`_intersecting(counties, box)`, in the same order, looking only at the counties of the
    cells the view covers (a page's view holds a few dozen of the 3,100)."""
    x, y, w, h = box
    cells = _county_cells()
    near: set[int] = set()
    for col in range(int(x // COUNTY_CELL), int((x + w) // COUNTY_CELL) + 1):
        for row in range(int(y // COUNTY_CELL), int((y + h) // COUNTY_CELL) + 1):
            near.update(cells.get((col, row), ()))
    counties = _basemap()["counties"]
    return _intersecting([counties[index] for index in sorted(near)], box)


Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in projected units


def _clusters(
    placed: list[tuple[Pin, tuple[float, float]]], *, radius: float
) -> list[list[tuple[Pin, tuple[float, float]]]]:
    """Group pins that would overlap (in list order): each group is one pin or one cluster."""
    groups: list[list[tuple[Pin, tuple[float, float]]]] = []
    for pin, (x, y) in placed:
        for group in groups:
            gx, gy = group[0][1]
            if math.hypot(x - gx, y - gy) < 2 * radius:
                group.append((pin, (x, y)))
                break
        else:
            groups.append([(pin, (x, y))])
    return groups


def _fan(center: tuple[float, float], count: int, *, radius: float) -> list[tuple[float, float]]:
    """Where a cluster's pins go when it is opened: a ring around it, every number clear."""
    ring = radius * max(2.2, count * 0.4)
    return [
        (
            center[0] + ring * math.cos(2 * math.pi * k / count - math.pi / 2),
            center[1] + ring * math.sin(2 * math.pi * k / count - math.pi / 2),
        )
        for k in range(count)
    ]


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


TOWN_CELL = 10.0  # projected units per side of a cell of the town index


@cache
def _towns() -> tuple[list[tuple[int, str, float, float]], dict[tuple[int, int], list]]:
    """Populated places of the gazetteer, projected, most populous first: the big ones (for
    wide views) and an index by cell (for local ones)."""
    towns = []
    for spot in gazetteer().spots.values():
        if spot.population < 1000:  # USPS names without a population of their own
            continue
        point = project(lat=spot.lat, lng=spot.lng)
        if point is not None:
            towns.append((-spot.population, spot.name, point[0], point[1]))
    towns.sort()
    grid: dict[tuple[int, int], list] = {}
    for town in towns:
        grid.setdefault((int(town[2] // TOWN_CELL), int(town[3] // TOWN_CELL)), []).append(town)
    return [town for town in towns if -town[0] >= 50_000], grid


def _towns_in(box: Box, *, limit: int) -> list[tuple[int, str, float, float]]:
    """The `limit` most populous towns inside the box."""
    big, grid = _towns()
    x0, y0, x1, y1 = box
    if x1 - x0 > 150:
        found = iter(big)
    else:  # each cell's towns are already most populous first: merge them lazily
        cells = [
            grid[col, row]
            for col in range(int(x0 // TOWN_CELL), int(x1 // TOWN_CELL) + 1)
            for row in range(int(y0 // TOWN_CELL), int(y1 // TOWN_CELL) + 1)
            if (col, row) in grid
        ]
        found = heapq.merge(*cells)
    inside = (t for t in found if x0 <= t[2] <= x1 and y0 <= t[3] <= y1)
    return list(itertools.islice(inside, limit))


def _labels_markup(box: Box, *, taken: list[Box], ring: Box | None) -> str:
    """Names of the largest towns in view that fit beside their dot without covering a pin,
    the searched place, the scale or each other."""
    width = box[2] - box[0]
    font = width * LABEL_SIZE
    inner = (box[0] + font * 0.3, box[1] + font * 0.3, box[2] - font * 0.3, box[3] - font * 0.3)
    dots, texts = [], []
    for _, name, x, y in _towns_in(box, limit=MAX_LABELS * 3):  # the largest few are enough
        if len(texts) >= MAX_LABELS:
            break
        text_w = font * 0.64 * len(name)
        under_ring = ring is not None and ring[0] <= x <= ring[2] and ring[1] <= y <= ring[3]
        # Right, left, above, below the dot, then the same further out (the searched place's
        # town sits under its ring): (anchor, text x, baseline y, box).
        spots = [
            spot
            for gap in ((width * PIN_RADIUS * 1.8,) if under_ring else (font * 0.4,))
            for spot in (
                ("start", x + gap, y + font * 0.35,
                 (x + gap - font * 0.05, y - font * 0.55, x + gap + text_w, y + font * 0.5)),
                ("end", x - gap, y + font * 0.35,
                 (x - gap - text_w, y - font * 0.55, x - gap + font * 0.05, y + font * 0.5)),
                ("middle", x, y - gap - font * 0.05,
                 (x - text_w / 2, y - gap - font * 0.9, x + text_w / 2, y - gap + font * 0.2)),
                ("middle", x, y + gap + font * 0.75,
                 (x - text_w / 2, y + gap - font * 0.2, x + text_w / 2, y + gap + font * 0.95)),
            )
        ]  # fmt: skip
        for anchor, tx, ty, rect in spots:
            inside = inner[0] <= rect[0] and rect[2] <= inner[2] and inner[1] <= rect[1]
            if inside and rect[3] <= inner[3] and not any(_overlaps(rect, t) for t in taken):
                taken.append(rect)
                dots.append((_num(x), _num(y)))
                texts.append((anchor, _num(tx), _num(ty), name))
                break
    if not texts:
        return ""
    # f-strings, not format_html: only the names are text (escaped); the rest are numbers.
    dot = _num(font * 0.17)
    circles = "".join(f'<circle cx="{x}" cy="{y}" r="{dot}"/>' for x, y in dots)
    names = "".join(
        f'<text text-anchor="{anchor}" x="{x}" y="{y}" vector-effect="non-scaling-stroke">'
        f"{escape(name)}</text>"
        for anchor, x, y, name in texts
    )
    return (
        f'<g class="map-towns" fill="{LABEL_INK}">{circles}</g><g class="map-labels" '
        f'fill="{LABEL_INK}" stroke="{HALO}" stroke-width="3" paint-order="stroke" '
        f'stroke-linejoin="round" font-size="{_num(font)}" font-family="system-ui, sans-serif" '
        f'font-weight="600">{names}</g>'
    )


def _miles_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance of two (lat, lng) points."""
    lat1, lng1, lat2, lng2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2
    h += math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 2 * 3958.8 * math.asin(math.sqrt(h))


def _units_per_mile(ref: tuple[float, float]) -> float | None:
    """How many projected units a mile is near `ref` (lat, lng), north-south and east-west."""
    lat, lng = ref
    here = project(lat=lat, lng=lng)
    if here is None:
        return None
    rates = []
    for other in ((lat + 0.05, lng), (lat, lng + 0.05)):
        there = project(lat=other[0], lng=other[1])
        if there is not None:
            rates.append(math.dist(here, there) / _miles_between(ref, other))
    return sum(rates) / len(rates) if rates else None


def _scale_markup(box: Box, *, ref: tuple[float, float] | None, taken: list[Box]) -> str:
    """A scale bar in the lower left corner: the longest round distance under ~28% of the view."""
    per_mile = _units_per_mile(ref) if ref else None
    if not per_mile:
        return ""
    width = box[2] - box[0]
    fitting = [miles for miles in SCALE_MILES if miles * per_mile <= width * 0.28]
    if not fitting:
        return ""
    miles = fitting[-1]
    bar, font, pad = miles * per_mile, width * 0.032, width * 0.012
    x, y = box[0] + width * 0.035, box[3] - width * 0.03  # the bar's left end
    back = (x - pad, y - font * 1.35 - pad, x + max(bar, font * 3) + pad, y + pad * 1.2)
    taken.append(back)
    text = gettext("%(miles)s mi") % {"miles": f"{miles:g}"}
    return format_html(
        '<g class="map-scale"><rect x="{}" y="{}" width="{}" height="{}" rx="{}" fill="#fff" '
        'fill-opacity="0.85"/><path d="M{} {}v{}h{}v{}" fill="none" stroke="{}" stroke-width="2" '
        'vector-effect="non-scaling-stroke"/><text x="{}" y="{}" font-size="{}" fill="{}" '
        'font-family="system-ui, sans-serif" font-weight="600">{}</text></g>',
        _num(back[0]), _num(back[1]), _num(back[2] - back[0]), _num(back[3] - back[1]),
        _num(pad / 2),
        _num(x), _num(y - pad * 0.8), _num(pad * 0.8), _num(bar), _num(-pad * 0.8), LABEL_INK,
        _num(x), _num(y - font * 0.45), _num(font), LABEL_INK, text,
    )  # fmt: skip


def _num(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _basemap_markup(box: tuple[float, float, float, float]) -> SafeString:
    layers = _basemap()
    width = box[2]
    states = _intersecting(layers["states"], box)
    line = 'vector-effect="non-scaling-stroke" stroke-linejoin="round"'
    if width > COUNTY_MAX_VIEW_WIDTH:
        detailed = width <= DETAILED_STATES_MAX_VIEW_WIDTH
        d = "".join(s.d if detailed else s.d_overview for s in states)
        return format_html(
            '<path d="{}" fill="{}" stroke="{}" stroke-width="0.8" {}/>',
            d,
            LAND,
            STATE_LINE,
            mark_safe(line),
        )
    # Counties carry the land fill; state borders go on top so they are never covered.
    counties = "".join(s.d for s in _counties_in(box))
    return format_html(
        '<path d="{}" fill="{}" stroke="{}" stroke-width="0.7" {}/>'
        '<path d="{}" fill="none" stroke="{}" stroke-width="1.3" {}/>',
        counties,
        LAND,
        COUNTY_LINE,
        mark_safe(line),
        "".join(s.d for s in states),
        STATE_LINE,
        mark_safe(line),
    )


def _center_markup(point: tuple[float, float], *, radius: float, title: str) -> SafeString:
    x, y = _num(point[0]), _num(point[1])
    ring = 'vector-effect="non-scaling-stroke"'
    return format_html(
        '<g><title>{}</title><circle cx="{}" cy="{}" r="{}" fill="none" stroke="#fff" '
        'stroke-width="6" {}/><circle cx="{}" cy="{}" r="{}" fill="none" stroke="{}" '
        'stroke-width="3" {}/><circle cx="{}" cy="{}" r="{}" fill="{}"/></g>',
        title,
        x, y, _num(radius), mark_safe(ring),
        x, y, _num(radius), CENTER_LINE, mark_safe(ring),
        x, y, _num(radius * 0.25), CENTER_LINE,
    )  # fmt: skip


def _pin(pin: Pin, point: tuple[float, float], *, radius: float, linked: bool) -> str:
    """A numbered pin; built with f-strings (many per page): only the title is text, escaped."""
    label = str(pin.number)
    font = radius * (1.15 if len(label) < 2 else 0.95 if len(label) < 3 else 0.75)
    x, y = _num(point[0]), _num(point[1])
    # A tapped pin shows its card (site.js reads data-result). No link: the map is one image
    # to assistive technology, and the list, which comes first, is what they read.
    data = f' data-result="{pin.number:d}"' if linked else ""
    return (
        f"<g{data}><title>{escape(f'{pin.number}. {pin.title}')}</title>"
        f'<circle cx="{x}" cy="{y}" r="{_num(radius)}" vector-effect="non-scaling-stroke"/>'
        f'<text x="{x}" y="{y}" dy=".36em" font-size="{_num(font)}" fill="#fff" stroke="none">'
        f"{label}</text></g>"
    )


def _cluster(group: list[tuple[Pin, tuple[float, float]]], *, radius: float, linked: bool) -> str:
    """One badge with the count; its pins, fanned out, show when it is tapped (site.js).
    Without JavaScript the list (which comes first) has them all."""
    cx = _num(sum(point[0] for _, point in group) / len(group))
    cy = _num(sum(point[1] for _, point in group) / len(group))
    names = "; ".join(f"{pin.number}. {pin.title}" for pin, _ in group)
    title = ngettext(
        "%(count)d place close together: %(places)s",
        "%(count)d places close together: %(places)s",
        len(group),
    ) % {"count": len(group), "places": names}
    fanned = _fan((float(cx), float(cy)), len(group), radius=radius)
    members = "".join(
        _pin(pin, point, radius=radius, linked=linked)
        for (pin, _), point in reversed(list(zip(group, fanned, strict=True)))
    )
    line = 'vector-effect="non-scaling-stroke"'
    return (
        f'<g class="map-cluster" data-cluster><g class="cluster-badge">'
        f"<title>{escape(title)}</title>"
        f'<circle cx="{cx}" cy="{cy}" r="{_num(radius * 1.25)}" fill="#fff" stroke="{PIN_FILL}" '
        f'stroke-width="3" {line}/><circle cx="{cx}" cy="{cy}" r="{_num(radius * 1.45)}" '
        f'fill="none" stroke="#fff" stroke-width="1.5" {line}/><text x="{cx}" y="{cy}" '
        f'dy=".36em" font-size="{_num(radius * 1.2)}" fill="{PIN_FILL}" stroke="none">'
        f'{len(group)}</text></g><g class="cluster-members">{members}</g></g>'
    )


def _pins_markup(groups: list, *, radius: float, linked: bool) -> str:
    # Drawn last-first so pin 1 ends up on top where pins come close.
    return "".join(
        _pin(*group[0], radius=radius, linked=linked)
        if len(group) == 1
        else _cluster(group, radius=radius, linked=linked)
        for group in reversed(groups)
    )


def render_map(
    *,
    pins: list[Pin],
    label: str,
    highlight_center: tuple[float, float] | None = None,
    center_title: str | None = None,
    link_pins: bool = False,
) -> SafeString:
    """An inline SVG map of the pins (numbered like the result list) around the searched centre.

    `highlight_center` is (lat, lng). Pins without coordinates, or outside the 50 states and DC
    (territories, abroad), are left off the map but keep their number in the list. With
    `link_pins`, each pin carries `data-result="<number>"`: site.js shows `#result-<number>`.
    """
    placed = [(pin, project(lat=pin.lat, lng=pin.lng)) for pin in pins
              if pin.lat is not None and pin.lng is not None]  # fmt: skip
    placed = [(pin, point) for pin, point in placed if point is not None]
    center = None
    if highlight_center is not None:
        center = project(lat=highlight_center[0], lng=highlight_center[1])
    box = _view_box([point for _, point in placed] + ([center] if center else []))
    radius = box[2] * PIN_RADIUS
    groups = _clusters(placed, radius=radius)

    # The pins as plain tuples: a dataclass's repr (reentrancy guard and all) cost more.
    shown = [(pin.lat, pin.lng, pin.number, pin.title) for pin in pins]
    digest = hashlib.sha1(repr((label, shown, highlight_center)).encode(), usedforsecurity=False)
    title_id = f"rm-map-{digest.hexdigest()[:10]}"
    center_markup, ring = "", None
    # What town names must not cover: pins (closed clusters) and the searched place.
    taken: list[Box] = []
    for group in groups:
        gx = sum(point[0] for _, point in group) / len(group)
        gy = sum(point[1] for _, point in group) / len(group)
        r = radius * (1.5 if len(group) > 1 else 1.05)
        taken.append((gx - r, gy - r, gx + r, gy + r))
    if center:
        center_markup = _center_markup(
            center, radius=radius * 1.6, title=center_title or gettext("Searched location")
        )
        r = radius * 1.7
        ring = (center[0] - r, center[1] - r, center[0] + r, center[1] + r)
        taken.append(ring)
    corners = (box[0], box[1], box[0] + box[2], box[1] + box[3])
    ref = highlight_center
    if ref is None and placed:
        ref = (placed[0][0].lat, placed[0][0].lng)
    scale = _scale_markup(corners, ref=ref, taken=taken) if (placed or center) else ""
    labels = _labels_markup(corners, taken=taken, ring=ring) if (placed or center) else ""
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="{} {} {} {}" class="result-map" '
        'role="img" aria-labelledby="{}" preserveAspectRatio="xMidYMid meet" direction="ltr">'
        '<title id="{}">{}</title>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>{}{}{}{}'
        '<g fill="{}" stroke="#fff" stroke-width="1.5" font-family="system-ui, sans-serif" '
        'font-weight="700" text-anchor="middle">{}</g></svg>',
        *(_num(v) for v in box),
        title_id,
        title_id,
        label,
        *(_num(v) for v in box),
        BACKGROUND,
        _basemap_markup(box),
        mark_safe(labels),
        scale,
        center_markup,
        PIN_FILL,
        mark_safe(_pins_markup(groups, radius=radius, linked=link_pins)),
    )


def pins_json(pins: list[Pin]) -> str:
    """Pins for the optional tile map (directory/static/directory/map.js), as a JSON string.

    Only for a `data-pins` attribute, which the template escapes; pins without coordinates
    (confidential locations) are left out here too.
    """
    return json.dumps(
        [
            {"lat": pin.lat, "lng": pin.lng, "number": pin.number, "title": pin.title}
            for pin in pins
            if pin.lat is not None and pin.lng is not None
        ],
        separators=(",", ":"),
    )
