"""Server-rendered SVG maps of search results: no tiles, no scripts, no third-party requests.

The basemap (providers/data/basemap.json, built by tools/build_basemap.py from us-atlas) is
already projected with d3.geoAlbersUsa().scale(1300).translate([487.5, 305]); `project` is a
port of that projection so pins land on the same 975x610 frame.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

BASEMAP_PATH = Path(__file__).resolve().parent / "data" / "basemap.json"

FRAME_WIDTH, FRAME_HEIGHT = 975.0, 610.0
ASPECT = FRAME_WIDTH / FRAME_HEIGHT
# One projected unit is about 3 miles in the lower 48: a lone pin shows ~70 miles across.
MIN_VIEW_WIDTH = 20.0
MARGIN = 0.08  # share of the view kept free on each side, so pins are never cut off
PIN_RADIUS = 0.02  # share of the view width: pins keep their on-screen size when zoomed
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


def _spread(points: list[tuple[float, float]], *, radius: float) -> list[tuple[float, float]]:
    """Fan out pins at the same spot (one building, many services) so every number shows."""
    groups: dict[tuple[int, int], list[int]] = {}
    for i, (x, y) in enumerate(points):
        groups.setdefault((round(x / radius), round(y / radius)), []).append(i)
    out = list(points)
    for members in groups.values():
        if len(members) < 2:
            continue
        ring = radius * max(1.2, len(members) * 0.35)
        for k, i in enumerate(members):
            angle = 2 * math.pi * k / len(members) - math.pi / 2
            out[i] = (points[i][0] + ring * math.cos(angle), points[i][1] + ring * math.sin(angle))
    return out


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
    counties = "".join(s.d for s in _intersecting(layers["counties"], box))
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


def _pins_markup(pins: list[Pin], points: list[tuple[float, float]], *, radius: float) -> str:
    items = []
    # Drawn last-first so pin 1 ends up on top where pins overlap.
    for pin, (x, y) in reversed(list(zip(pins, points, strict=True))):
        label = str(pin.number)
        font = radius * (1.15 if len(label) < 2 else 0.95 if len(label) < 3 else 0.75)
        items.append(
            (
                f"{pin.number}. {pin.title}",
                _num(x), _num(y), _num(radius),
                _num(x), _num(y), _num(font),
                label,
            )
        )  # fmt: skip
    return format_html_join(
        "",
        '<g><title>{}</title><circle cx="{}" cy="{}" r="{}" vector-effect="non-scaling-stroke"/>'
        '<text x="{}" y="{}" dy=".36em" font-size="{}" fill="#fff" stroke="none">{}</text></g>',
        items,
    )


def render_map(
    *,
    pins: list[Pin],
    label: str,
    highlight_center: tuple[float, float] | None = None,
    center_title: str | None = None,
) -> SafeString:
    """An inline SVG map of the pins (numbered like the result list) around the searched centre.

    `highlight_center` is (lat, lng). Pins without coordinates, or outside the 50 states and DC
    (territories, abroad), are left off the map but keep their number in the list.
    """
    placed = [(pin, project(lat=pin.lat, lng=pin.lng)) for pin in pins
              if pin.lat is not None and pin.lng is not None]  # fmt: skip
    placed = [(pin, point) for pin, point in placed if point is not None]
    center = None
    if highlight_center is not None:
        center = project(lat=highlight_center[0], lng=highlight_center[1])
    box = _view_box([point for _, point in placed] + ([center] if center else []))
    radius = box[2] * PIN_RADIUS
    points = _spread([point for _, point in placed], radius=radius)

    digest = hashlib.sha1(repr((label, pins, highlight_center)).encode(), usedforsecurity=False)
    title_id = f"rm-map-{digest.hexdigest()[:10]}"
    center_markup = ""
    if center:
        center_markup = _center_markup(
            center, radius=radius * 1.6, title=center_title or gettext("Searched location")
        )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="{} {} {} {}" class="result-map" '
        'role="img" aria-labelledby="{}" preserveAspectRatio="xMidYMid meet">'
        '<title id="{}">{}</title>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>{}{}'
        '<g fill="{}" stroke="#fff" stroke-width="1.5" font-family="system-ui, sans-serif" '
        'font-weight="700" text-anchor="middle">{}</g></svg>',
        *(_num(v) for v in box),
        title_id,
        title_id,
        label,
        *(_num(v) for v in box),
        BACKGROUND,
        _basemap_markup(box),
        center_markup,
        PIN_FILL,
        _pins_markup([pin for pin, _ in placed], points, radius=radius),
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
