"""The HSDS read API: every response validated against the HSDS 3.0 JSON schemas (3.1 only
adds to 3.0; tests/test_api_conformance.py validates both)."""

import json
import os
import re
from datetime import datetime, time
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from providers import hsds
from providers.models import Location, LocationKind, ServiceArea, Term

ROOT = Path(__file__).resolve().parents[1]


def _schema_dir() -> Path:
    """../shared/hsds/schema next to the repository (or a worktree's ancestors), or
    HSDS_SCHEMA_DIR."""
    if os.environ.get("HSDS_SCHEMA_DIR"):
        return Path(os.environ["HSDS_SCHEMA_DIR"])
    for folder in ROOT.parents:
        candidate = folder / "shared" / "hsds" / "schema"
        if candidate.is_dir():
            return candidate
    return ROOT.parent / "shared" / "hsds" / "schema"


SCHEMA_DIR = _schema_dir()
BASE = "https://hsds.invalid/schema/"

if not SCHEMA_DIR.is_dir():
    pytest.skip(
        f"\n{'!' * 78}\n  HSDS SCHEMA TESTS SKIPPED: no HSDS schema folder at {SCHEMA_DIR}"
        f" (set HSDS_SCHEMA_DIR).\n{'!' * 78}",
        allow_module_level=True,
    )

FORMATS = FormatChecker(formats=Draft202012Validator.FORMAT_CHECKER.checkers)


@FORMATS.checks("uri", raises=ValueError)
def _is_uri(value) -> bool:
    parts = urlsplit(value)
    return bool(parts.scheme and parts.netloc)


@FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value) -> bool:
    return datetime.fromisoformat(value).tzinfo is not None


def _load() -> tuple[Registry, dict]:
    registry = Registry()
    schemas = {}
    for path in SCHEMA_DIR.glob("*.json"):
        if path.name == "openapi.json":
            continue
        contents = json.loads(path.read_text()) | {"$id": BASE + path.name}
        schemas[path.stem] = contents
        registry = registry.with_resource(
            BASE + path.name, Resource.from_contents(contents, default_specification=DRAFT202012)
        )
    return registry, schemas


REGISTRY, SCHEMAS = _load()
OPENAPI = json.loads((SCHEMA_DIR / "openapi.json").read_text())


def validate(instance, name: str) -> None:
    """Raise on any HSDS violation; `name` is a schema file's stem (e.g. "service")."""
    validator = Draft202012Validator(SCHEMAS[name], registry=REGISTRY, format_checker=FORMATS)
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def validate_page(body: dict, item: str) -> None:
    Draft202012Validator(OPENAPI["components"]["schemas"]["Page"]).validate(body)
    assert set(body) >= {"total_items", "total_pages", "page_number", "size", "contents"}
    for entry in body["contents"]:
        validate(entry, item)
        if "service" in entry:
            validate(entry["service"], "service")
        for service in entry.get("services", []):
            if "status" in service:
                validate(service, "service")


def get_json(client, url):
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK, response.content
    return response.json()


@pytest.fixture
def listings(make_provider):
    full = make_provider(
        name="Legal Aid Society",
        services=("legal-assistance",),
        victimizations=("labor-trafficking",),
        populations=("immigrants",),
        languages=("en", "es"),
        accessibility=("wheelchair",),
        hours=((1, time(9), time(17)), (5, time(22), time(2))),
        cost="sliding_scale",
        cost_note="Ask about waivers",
        website="https://legal.example.org/",
    )
    shelter = make_provider(
        name="Safe House", confidential=True, lat=40.7433, lng=-73.9891, open_24_7=True
    )
    # Its public point, which the search measures from: 1 mile due north (0.76 mi from 10001).
    Location.objects.filter(pk=shelter.location_id).update(offset_bearing=0, offset_mi=1.0)
    line = make_provider(name="National Line", kind=LocationKind.REMOTE, service_area="nationwide")
    states = make_provider(
        name="Empire Line",
        kind=LocationKind.REMOTE,
        service_area=ServiceArea.STATES,
        service_area_states=["NY", "NJ"],
    )
    radius = make_provider(
        name="City Line",
        kind=LocationKind.REMOTE,
        service_area=ServiceArea.RADIUS,
        service_area_lat=40.71,
        service_area_lng=-74.0,
        service_area_radius_mi=30,
    )
    far = make_provider(name="Chicago Center", lat=41.8781, lng=-87.6298, state="IL")
    make_provider(name="Draft Org", status="draft")
    return {
        "full": full,
        "shelter": shelter,
        "line": line,
        "states": states,
        "radius": radius,
        "far": far,
    }


def test_root_names_version_profile_and_openapi(db, api_client):
    # The 3.0 shape, as older clients ask for it (3.1, the default: test_api_conformance.py).
    body = get_json(api_client, "/api/hsds/?version=3.0")
    schema = OPENAPI["paths"]["/"]["get"]["responses"]["200"]["content"]["application/json"]
    Draft202012Validator(schema["schema"], format_checker=FORMATS).validate(body)
    assert body["version"] == "3.0"
    assert body["openapi_url"].endswith("/api/schema/")


@pytest.mark.parametrize("flags", ["", "?full=true", "?minimal=true"])
def test_services_page_is_valid_hsds(listings, api_client, flags):
    body = get_json(api_client, f"/api/hsds/services{flags}")
    validate_page(body, "service")
    assert body["total_items"] == 6  # the draft organization's service is not listed


def test_service_detail_is_fully_nested_and_valid(listings, api_client):
    service = listings["full"].service
    body = get_json(api_client, f"/api/hsds/services/{service.id}")
    validate(body, "service")
    assert body["organization"]["name"] == "Legal Aid Society"
    assert {a["taxonomy_term"]["code"] for a in body["attributes"]} == {
        "legal-assistance",
        "labor-trafficking",
        "immigrants",
    }
    assert [language["code"] for language in body["languages"]] == ["en", "es"]
    assert body["cost_options"][0]["option"] == "Sliding scale"
    location = body["service_at_locations"][0]["location"]
    assert location["addresses"][0]["address_1"] == "350 Fifth Avenue"
    assert [s["byday"] for s in location["schedules"]] == ["MO", "FR"]
    assert location["accessibility"][0]["description"] == "Wheelchair accessible"


def test_service_areas_are_published(listings, api_client):
    def areas(key):
        url = f"/api/hsds/services/{listings[key].service.id}"
        return get_json(api_client, url)["service_areas"]

    assert [a["extent"] for a in areas("line")] == ["US"]
    assert [a["extent"] for a in areas("states")] == ["NJ", "NY"]
    # Entered as 40.71, -74.0: the centre is kept to a tenth of a degree.
    assert areas("radius")[0]["extent"] == "40.70,-74.00;30mi"


def test_confidential_location_has_no_address_or_coordinates(listings, api_client):
    body = get_json(api_client, f"/api/hsds/services/{listings['shelter'].service.id}")
    validate(body, "service")
    location = body["service_at_locations"][0]["location"]
    assert "addresses" not in location
    assert "latitude" not in location and "longitude" not in location
    assert "call first" in location["description"]
    assert location["schedules"][0]["byday"] == "MO,TU,WE,TH,FR,SA,SU"


def test_services_filters_are_cumulative(listings, api_client):
    legal = Term.objects.get(kind=Term.Kind.SERVICE_TYPE, slug="legal-assistance")
    by_term = get_json(api_client, f"/api/hsds/services?taxonomy_term_id={legal.id}")
    assert [s["name"] for s in by_term["contents"]] == ["Legal Aid Society services"]
    victim_tax = hsds.taxonomy_id(Term.Kind.VICTIMIZATION)
    by_taxonomy = get_json(api_client, f"/api/hsds/services?taxonomy_id={victim_tax}")
    assert by_taxonomy["total_items"] == 1
    org = listings["far"].service.organization_id
    by_org = get_json(api_client, f"/api/hsds/services?organization_id={org}&search=chicago")
    assert [s["name"] for s in by_org["contents"]] == ["Chicago Center services"]
    nothing = get_json(api_client, f"/api/hsds/services?organization_id={org}&search=legal")
    assert nothing["empty"] is True and nothing["contents"] == []
    future = get_json(api_client, "/api/hsds/services?modified_after=2999-01-01T00:00:00Z")
    assert future["total_items"] == 0
    # An offset PostgreSQL would refuse (beyond ±15:59) is read as the moment it names.
    odd = get_json(api_client, "/api/hsds/services?modified_after=2000-01-01T00:00:00-16:16")
    assert odd["total_items"] == 6


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("taxonomy_term_id=nope", "taxonomy_term_id"),
        ("taxonomy_id=123", "taxonomy_id"),
        ("organization_id=x", "organization_id"),
        ("modified_after=yesterday", "modified_after"),
        ("modified_after=9999-12-31T23:59:59-16:00", "modified_after"),
        ("full=perhaps", "full"),
        ("minimal=2", "minimal"),
        ("page=0", "page"),
        ("per_page=none", "per_page"),
        ("format=csv", "format"),
        ("search=" + "y" * 300, "search"),
    ],
)
def test_invalid_hsds_parameters_are_400s_naming_the_field(db, api_client, query, field):
    response = api_client.get(f"/api/hsds/services?{query}")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert field in response.json()


def test_pagination_uses_the_hsds_page_envelope(listings, api_client):
    first = get_json(api_client, "/api/hsds/services?per_page=4")
    assert (first["total_items"], first["total_pages"], first["size"]) == (6, 2, 4)
    assert first["first_page"] is True and first["last_page"] is False
    second = get_json(api_client, "/api/hsds/services?per_page=4&page=2")
    assert second["size"] == 2 and second["last_page"] is True
    ids = [s["id"] for s in first["contents"] + second["contents"]]
    assert len(set(ids)) == 6
    assert api_client.get("/api/hsds/services?per_page=4&page=3").status_code == 404


def test_ndjson_streams_every_item_without_pagination(listings, api_client):
    response = api_client.get("/api/hsds/services?format=ndjson&per_page=1")
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("application/x-ndjson")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert len(lines) == 6
    for line in lines:
        validate(json.loads(line), "service")


@pytest.mark.parametrize(
    "feed",
    [
        "services",
        "services?search=line",
        "organizations",
        "service_at_locations",
        # Near a place: nearest first, then the services whose area covers it (two parts).
        "service_at_locations?postcode=10001",
        "service_at_locations?postcode=10001&proximity=50000",
        # A filter the search statements do not take: the ORM's query ranks the rows.
        "service_at_locations?postcode=10001&modified_after=2000-01-01T00:00:00Z",
        "taxonomies",  # a list, built in Python
        "taxonomy_terms",
    ],
)
def test_ndjson_reads_each_batch_by_its_ids_in_the_list_order(
    feed, listings, api_client, monkeypatch
):
    """Every feed in batches of STREAM_BATCH, in the order of the paged list, each batch read
    by its ids: sliced, each batch's OFFSET read every row before it again (an anonymous
    100k-listing feed took 82-146 s), and each slice of a search near a place ranked the
    whole circle again."""
    from api import hsds_views

    monkeypatch.setattr(hsds_views, "STREAM_BATCH", 1)
    separator = "&" if "?" in feed else "?"
    paged = get_json(api_client, f"/api/hsds/{feed}{separator}per_page=100")["contents"]
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(f"/api/hsds/{feed}{separator}format=ndjson")
        assert response.status_code == HTTPStatus.OK
        lines = b"".join(response.streaming_content).decode().splitlines()
    assert [json.loads(line)["id"] for line in lines] == [item["id"] for item in paged]
    assert len(lines) > 1  # more than one batch
    assert not [query["sql"] for query in queries if re.search(r"\bOFFSET\b", query["sql"])]


def test_service_at_locations_near_a_postcode_nearest_first_then_covering_services(
    listings, api_client
):
    body = get_json(api_client, "/api/hsds/service_at_locations?postcode=10001")
    validate_page(body, "service_at_location")
    ids = [item["id"] for item in body["contents"]]
    near = [str(listings["full"].id), str(listings["shelter"].id)]
    assert ids[:2] == near
    assert set(ids[2:]) == {str(listings[key].id) for key in ("line", "states", "radius")}
    assert str(listings["far"].id) not in ids


def test_service_at_locations_with_proximity_in_metres(listings, api_client):
    body = get_json(api_client, "/api/hsds/service_at_locations?postcode=10001&proximity=300")
    assert [item["id"] for item in body["contents"]] == [str(listings["full"].id)]
    wider = get_json(
        api_client, "/api/hsds/service_at_locations?lat=40.7484&lng=-73.9967&proximity=2000"
    )
    assert len(wider["contents"]) == 2
    validate_page(wider, "service_at_location")


def test_service_at_locations_full_nests_the_service(listings, api_client):
    body = get_json(api_client, "/api/hsds/service_at_locations?full=true")
    validate_page(body, "service_at_location")
    assert all(item["service"]["id"] == item["service_id"] for item in body["contents"])


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("postcode=ABCDE", "postcode"),
        ("postcode=00000", "postcode"),
        ("proximity=-5&postcode=10001", "proximity"),
        ("proximity=99999999&postcode=10001", "proximity"),
        ("proximity=500", "proximity"),
        ("lat=40", "lng"),
        ("lat=100&lng=0", "lat"),
        ("postcode=10001&lat=40&lng=-73", "postcode"),
    ],
)
def test_invalid_point_parameters_are_400s(db, api_client, query, field):
    response = api_client.get(f"/api/hsds/service_at_locations?{query}")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert field in response.json()


def test_service_at_location_detail_is_valid(listings, api_client):
    body = get_json(api_client, f"/api/hsds/service_at_locations/{listings['full'].id}")
    validate(body, "service_at_location")
    validate(body["service"], "service")


@pytest.mark.parametrize("flags", ["", "?full=true", "?full_service=true"])
def test_organizations_are_valid_hsds(listings, api_client, flags):
    body = get_json(api_client, f"/api/hsds/organizations{flags}")
    validate_page(body, "organization")
    assert "Draft Org" not in [org["name"] for org in body["contents"]]


def test_organization_detail_is_nested_and_valid(listings, api_client):
    org = listings["full"].service.organization
    body = get_json(api_client, f"/api/hsds/organizations/{org.id}?full_service=true")
    validate(body, "organization")
    assert body["services"][0]["name"] == "Legal Aid Society services"
    validate(body["services"][0], "service")
    assert body["locations"][0]["addresses"][0]["city"] == "New York"


def test_draft_organization_and_unknown_ids_are_404(listings, api_client):
    draft = api_client.get("/api/hsds/organizations?search=draft").json()
    assert draft["total_items"] == 0
    missing = "00000000-0000-0000-0000-000000000000"
    for path in (
        "services",
        "organizations",
        "service_at_locations",
        "taxonomies",
        "taxonomy_terms",
    ):
        assert api_client.get(f"/api/hsds/{path}/{missing}").status_code == 404


def test_our_needs_list_is_published_as_a_taxonomy(db, api_client):
    taxonomies = get_json(api_client, "/api/hsds/taxonomies")
    validate_page(taxonomies, "taxonomy")
    needs = next(t for t in taxonomies["contents"] if t["code"] == "resource-map-needs")
    detail = get_json(api_client, f"/api/hsds/taxonomies/{needs['id']}")
    validate(detail, "taxonomy")
    terms = get_json(api_client, f"/api/hsds/taxonomy_terms?taxonomy_id={needs['id']}&per_page=100")
    validate_page(terms, "taxonomy_term")
    codes = [term["code"] for term in terms["contents"]]
    assert codes[0] == "victim-advocacy" and "legal-assistance" in codes
    assert all(term["taxonomy_id"] == needs["id"] for term in terms["contents"])
    term = get_json(api_client, f"/api/hsds/taxonomy_terms/{terms['contents'][0]['id']}")
    validate(term, "taxonomy_term")
    top = get_json(api_client, "/api/hsds/taxonomy_terms?top_only=true")
    assert top["total_items"] == Term.objects.count()
    children = get_json(api_client, f"/api/hsds/taxonomy_terms?parent_id={needs['id']}")
    assert children["empty"] is True
    searched = get_json(api_client, "/api/hsds/taxonomies?search=needs")
    assert [t["code"] for t in searched["contents"]] == ["resource-map-needs"]


def test_hsds_detail_has_etag(listings, api_client):
    url = f"/api/hsds/services/{listings['full'].service.id}"
    etag = api_client.get(url)["ETag"]
    assert api_client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == HTTPStatus.NOT_MODIFIED


@pytest.mark.parametrize(
    "url",
    [
        "/api/hsds/services?full=true&per_page={n}",
        "/api/hsds/service_at_locations?postcode=10001&full=true&per_page={n}",
        "/api/hsds/organizations?full_service=true&per_page={n}",
    ],
)
def test_hsds_query_count_is_constant_whatever_the_page_size(
    make_provider, api_client, django_assert_max_num_queries, url
):
    for number in range(30):
        make_provider(name=f"Org {number:02}", hours=((2, time(8), time(12)),), languages=("es",))
    counts = []
    for size in (5, 30):
        with django_assert_max_num_queries(15):
            assert api_client.get(url.format(n=size)).status_code == HTTPStatus.OK
        counts.append(size)


def test_ndjson_near_a_place_past_the_direct_statements_reads_no_more_than_a_batch(
    listings, api_client, monkeypatch, settings
):
    """A circle too wide for the direct statements (past their bands; a site may allow 3000
    miles) is ranked by the ORM's query: its ids only, never every full row at once (an
    attacker's feed held 886 MB before its first line)."""
    from api import hsds_views

    settings.SEARCH_MAX_RADIUS_MI = 3000
    monkeypatch.setattr(hsds_views, "STREAM_BATCH", 1)
    feed = "/api/hsds/service_at_locations?postcode=10001&proximity=4828032"
    paged = get_json(api_client, f"{feed}&per_page=100")["contents"]
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(f"{feed}&format=ndjson")
        lines = b"".join(response.streaming_content).decode().splitlines()
    assert [json.loads(line)["id"] for line in lines] == [item["id"] for item in paged]
    assert len(lines) > 2  # "far" too
    # Every statement that reads full rows reads one batch: one id.
    full_rows = [query["sql"] for query in queries if '"cost_note"' in query["sql"]]
    batches = [
        re.findall(r'"providers_serviceatlocation"\."id" IN \(([^)]*)\)', sql) for sql in full_rows
    ]
    shapes = [[("SELECT" in part, part.count(",")) for part in found] for found in batches]
    assert full_rows and shapes == [[(False, 0)] for _ in full_rows], full_rows
