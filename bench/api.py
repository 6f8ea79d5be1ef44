"""Benchmark the full search request, GET /api/v1/providers/?lat=&lng=&radius=25.

    .venv/bin/python bench/api.py --db var/bench/search-100000-v9-s7.sqlite3 [--requests 60]
    .venv/bin/python bench/api.py --db ... --enrich   # phones, hours, remote lines: see below

Times whole requests through `django.test.Client` (middleware, throttle, form, search,
pagination, rows, JSON) at a few query points, then the parts of one request on their own:
`search()` (which includes deciding the remote section, `covering_ids()`), the count and
the ranked ids of the page, reading the rows' columns and their relations, building the
rows (`providers.listings`, all of it) and rendering the JSON.
The database built by bench/search.py has no phones, hours or remote services; `--enrich`
copies it to a temporary file and adds them (every service and organization a number,
half the locations a text line, weekday hours, accessibility features, 5 % confidential,
5 % open 24/7, and 60 remote services: nationwide, four states, or a 300-mile radius), so
the rows are as full as real ones. The database given is only read. Not part of the test
run; see bench/README.md.
"""

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
from datetime import time
from pathlib import Path
from time import perf_counter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
POINTS = {
    "New York": (40.7484, -73.9967),
    "Chicago": (41.88, -87.63),
    "Denver": (39.74, -104.99),
    "Montpelier, VT": (44.26, -72.58),
}


def median_ms(function, *, repeat: int) -> float:
    function()
    times = []
    for _ in range(repeat):
        start = perf_counter()
        function()
        times.append((perf_counter() - start) * 1000)
    return statistics.median(times)


def enrich(*, seed: int = 7) -> None:
    """Phones, hours, accessibility, confidential and 24/7 locations, remote services."""
    from django.db import transaction

    from providers.models import (
        Location,
        OpeningHours,
        Organization,
        Phone,
        Service,
        ServiceAtLocation,
        Term,
    )

    rng = random.Random(seed)

    def number(prefix: str) -> str:
        return f"+1{prefix}555{rng.randint(0, 9999):04}"

    with transaction.atomic():
        features = list(Term.objects.accessibility_features())
        phones, hours, links = [], [], []
        for service_id in Service.objects.values_list("id", flat=True):
            phones.append(Phone(service_id=service_id, number=number("212")))
            if rng.random() < 0.3:
                phones.append(
                    Phone(service_id=service_id, number=number("800"), kind="hotline", position=1)
                )
        for organization_id in Organization.objects.values_list("id", flat=True):
            extension = "12" if rng.random() < 0.2 else ""
            phones.append(
                Phone(organization_id=organization_id, number=number("212"), extension=extension)
            )
        location_ids = list(Location.objects.values_list("id", flat=True))
        for location_id in location_ids:
            if rng.random() < 0.5:
                phones.append(Phone(location_id=location_id, number=number("646"), kind="text"))
            for weekday in range(1, 6):
                hours.append(
                    OpeningHours(
                        location_id=location_id,
                        weekday=weekday,
                        opens_at=time(9),
                        closes_at=time(17),
                    )
                )
            if rng.random() < 0.4:
                for term in rng.sample(features, 2):
                    links.append(
                        Location.accessibility.through(location_id=location_id, term_id=term.id)
                    )
        Phone.objects.bulk_create(phones, batch_size=5000)
        OpeningHours.objects.bulk_create(hours, batch_size=5000)
        Location.accessibility.through.objects.bulk_create(links, batch_size=5000)
        for field in ("address_confidential", "open_24_7"):
            chosen = rng.sample(location_ids, len(location_ids) // 20)
            for start in range(0, len(chosen), 500):
                Location.objects.filter(id__in=chosen[start : start + 500]).update(**{field: True})
        for index, organization in enumerate(Organization.objects.order_by("id")[:60]):
            area = ("nationwide", "states", "radius")[index % 3]
            service = Service.objects.create(
                organization=organization,
                name=f"Remote line {index}",
                status="published",
                service_area=area,
                service_area_states=["CO", "IL", "NY", "VT"] if area == "states" else [],
                service_area_lat=40.7 if area == "radius" else None,
                service_area_lng=-74.0 if area == "radius" else None,
                service_area_radius_mi=300 if area == "radius" else None,
            )
            service.terms.add(*Term.objects.service_types()[:2])
            service.languages.add("en", "es")
            Phone.objects.create(service=service, number="+18005550100", kind="hotline")
            location = Location.objects.create(organization=organization, kind="remote", state="NY")
            ServiceAtLocation.objects.create(service=service, location=location)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="SQLite database (e.g. from bench/search.py)")
    parser.add_argument("--requests", type=int, default=60, help="timed requests per point")
    parser.add_argument("--enrich", action="store_true", help="add phones, hours, remote lines")
    args = parser.parse_args()

    database = Path(args.db).resolve()
    workdir = Path(tempfile.mkdtemp(prefix="bench-api-"))
    if args.enrich:
        print(f"Copying {database.name} to {workdir} and enriching it ...", flush=True)
        shutil.copy(database, workdir / database.name)
        database = workdir / database.name
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "directory.settings")
    os.environ.setdefault("DJANGO_ENV", "development")
    os.environ["DJANGO_DEBUG"] = "false"  # DEBUG keeps every query's SQL: not a real request
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost")
    os.environ["API_ANON_RATE"] = "1000000/minute"
    import django

    django.setup()
    from django.test import Client
    from django.utils import timezone

    from api.base import FastJSONRenderer
    from providers import search
    from providers.geocode import state_for
    from providers.listings import _build, _related, _sources, build_listings
    from providers.search_rows import count_rows, ranked_ids

    try:
        if args.enrich:
            enrich()
        client = Client(HTTP_HOST="localhost")
        print(
            f"\n{'point':<16} {'request':>8} {'search()':>9} {'count':>7} {'ranked':>7} "
            f"{'columns':>8} {'related':>8} {'build':>7} {'JSON':>7}  results remote bytes"
        )
        for name, (lat, lng) in POINTS.items():
            url = f"/api/v1/providers/?lat={lat}&lng={lng}&radius=25"
            response = client.get(url)
            assert response.status_code == 200, response.content[:200]
            body = response.json()
            request = median_ms(lambda url=url: client.get(url), repeat=args.requests)
            state = state_for(lat=lat, lng=lng)
            repeat = args.requests

            def run_search(lat=lat, lng=lng, state=state):
                return search.search(lat=lat, lng=lng, radius_mi=25, state=state)

            results = run_search()
            pairs = [
                *results.ranked(0, 20),
                *((pk, None) for pk in results.remote_ids),
            ]
            ids = [pk for pk, _ in pairs]
            sources = list(_sources(ids)[0].values())
            data = build_listings(pairs, now=timezone.now())
            parts = [
                median_ms(run_search, repeat=repeat),
                median_ms(lambda r=results: count_rows(r.radius, using="default"), repeat=repeat),
                median_ms(
                    lambda r=results: ranked_ids(
                        r.radius, low=0, high=20, known=r.count(), using="default"
                    ),
                    repeat=repeat,
                ),
                median_ms(lambda ids=ids: _sources(ids), repeat=repeat),
                median_ms(
                    lambda s=sources: _related(
                        [row.service_id for row in s],
                        [row.location_id for row in s],
                        [row.organization_id for row in s],
                    ),
                    repeat=repeat,
                ),
                median_ms(lambda ids=ids: _build(ids), repeat=repeat),
                median_ms(lambda d=data: FastJSONRenderer().render({"results": d}), repeat=repeat),
            ]
            print(
                f"{name:<16} {request:>8.2f} "
                + " ".join(
                    f"{part:>{width}.2f}"
                    for part, width in zip(parts, (9, 7, 7, 8, 8, 7, 7), strict=True)
                )
                + f"  {len(body['results']):>7} {len(body['remote']):>6} {len(response.content)}"
            )
        print(
            "\nMedians in ms. 'request': whole requests; 'columns' reads the rows' own columns"
            "\n(one join); 'related' their phones, terms, languages, hours and accessibility"
            "\n(five queries); 'build' is both and building the rows, for the page and the"
            "\nremote section together."
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
