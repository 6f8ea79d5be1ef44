"""Build providers/data/basemap.json from the npm package us-atlas (pre-projected TopoJSON).

Usage (needs node/npm and the npm registry; run from the repository root):

    python tools/build_basemap.py            # npm-installs us-atlas into a temp dir
    python tools/build_basemap.py --atlas-dir /path/to/node_modules/us-atlas

The output is committed, so the site never needs npm or the network at run time.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path

US_ATLAS_VERSION = "3.0.1"
REPO_ROOT = Path(__file__).resolve().parent.parent
OUTPUT = REPO_ROOT / "providers" / "data" / "basemap.json"

OVERVIEW_TOLERANCE = 0.5  # projected units (975 across the country)

Point = tuple[int, int]  # projected coordinates in tenths of a unit


def install_us_atlas(workdir: Path) -> Path:
    """npm-install the pinned us-atlas into workdir and return the package folder."""
    subprocess.run(
        [
            "npm",
            "install",
            "--prefix",
            str(workdir),
            "--no-audit",
            "--no-fund",
            "--no-save",
            f"us-atlas@{US_ATLAS_VERSION}",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return workdir / "node_modules" / "us-atlas"


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Undo TopoJSON delta encoding and quantization: absolute projected coordinates."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring_points(ring: list[int], arcs: list[list[tuple[float, float]]]) -> list[Point]:
    """Stitch a ring's arcs (negative index = reversed arc) into rounded tenths, deduplicated."""
    points: list[tuple[float, float]] = []
    for index in ring:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        # Consecutive arcs share their joining point.
        points.extend(arc if not points else arc[1:])
    out: list[Point] = []
    for x, y in points:
        p = (round(x * 10), round(y * 10))
        if not out or out[-1] != p:
            out.append(p)
    if len(out) > 1 and out[0] == out[-1]:
        out.pop()  # closed by "z"
    return out


def fmt(tenths: int) -> str:
    """Shortest decimal for a value given in tenths: 5 -> ".5", -12 -> "-1.2", 30 -> "3"."""
    sign = "-" if tenths < 0 else ""
    whole, frac = divmod(abs(tenths), 10)
    if frac == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole or ''}.{frac}"


def join_numbers(numbers: list[str]) -> str:
    """Join path numbers without separators where the SVG path grammar allows it."""
    out: list[str] = []
    prev = ""
    for n in numbers:
        if out and not (n.startswith("-") or (n.startswith(".") and "." in prev)):
            out.append(" ")
        out.append(n)
        prev = n
    return "".join(out)


def path_d(rings: list[list[Point]]) -> str:
    """Absolute moveto then relative linetos, so most numbers are short deltas."""
    parts = []
    for ring in rings:
        if len(ring) < 3:
            continue
        (x0, y0), rest = ring[0], ring[1:]
        numbers = []
        px, py = x0, y0
        for x, y in rest:
            numbers += [fmt(x - px), fmt(y - py)]
            px, py = x, y
        parts.append(f"M{join_numbers([fmt(x0), fmt(y0)])}l{join_numbers(numbers)}z")
    return "".join(parts)


def simplify_arc(points: list[tuple[float, float]], *, tolerance: float) -> list:
    """Douglas-Peucker on one arc, keeping its ends so neighbouring shapes still meet."""
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        dx, dy = bx - ax, by - ay
        length = math.hypot(dx, dy)
        worst, worst_at = -1.0, -1
        for i in range(first + 1, last):
            px, py = points[i]
            if length == 0:
                dist = math.hypot(px - ax, py - ay)
            else:
                dist = abs(dy * (px - ax) - dx * (py - ay)) / length
            if dist > worst:
                worst, worst_at = dist, i
        if worst > tolerance:
            keep[worst_at] = True
            stack += [(first, worst_at), (worst_at, last)]
    # Whole units are under a pixel at that scale, and shorter to write.
    return [(round(x), round(y)) for (x, y), k in zip(points, keep, strict=True) if k]


def features(topology: dict, name: str, arcs: list, *, overview_arcs: list | None) -> list[dict]:
    result = []
    for geometry in topology["objects"][name]["geometries"]:
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        rings = [ring_points(ring, arcs) for polygon in polygons for ring in polygon]
        rings = [r for r in rings if len(r) >= 3]
        if not rings:
            continue
        xs = [x for r in rings for x, _ in r]
        ys = [y for r in rings for _, y in r]
        feature = {
            "id": geometry["id"],
            "name": geometry["properties"]["name"],
            "bbox": [min(xs) / 10, min(ys) / 10, max(xs) / 10, max(ys) / 10],
            "d": path_d(rings),
        }
        if overview_arcs:
            coarse = [ring_points(ring, overview_arcs) for polygon in polygons for ring in polygon]
            feature["d_overview"] = path_d([r for r in coarse if len(r) >= 3])
        result.append(feature)
    result.sort(key=lambda f: f["id"])
    return result


def build(atlas_dir: Path) -> dict:
    topology = json.loads((atlas_dir / "counties-albers-10m.json").read_text())
    arcs = decode_arcs(topology)
    # The whole-country view is ~1 px per unit: a coarser outline looks the same and is smaller.
    overview_arcs = [simplify_arc(arc, tolerance=OVERVIEW_TOLERANCE) for arc in arcs]
    return {
        "source": f"us-atlas@{US_ATLAS_VERSION} counties-albers-10m.json (US Census Bureau "
        "cartographic boundaries, 2017)",
        "projection": "d3.geoAlbersUsa().scale(1300).translate([487.5, 305])",
        "width": 975,
        "height": 610,
        "states": features(topology, "states", arcs, overview_arcs=overview_arcs),
        "counties": features(topology, "counties", arcs, overview_arcs=None),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--atlas-dir", type=Path, help="an installed us-atlas package folder")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    if args.atlas_dir:
        data = build(args.atlas_dir)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            data = build(install_us_atlas(Path(tmp)))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(data, separators=(",", ":")) + "\n")
    print(
        f"wrote {args.output}: {len(data['states'])} states, {len(data['counties'])} counties, "
        f"{args.output.stat().st_size / 1024:.0f} KiB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
