"""The API as the Open Referral validators try it: every GET path of our OpenAPI document is
called; the first, a middle and the last page of every HSDS list; each record's detail by the
id the list gave; "level 2" queries built from a record's own data (its postcode with a
proximity, its taxonomy term, its words) find it again; in HSDS 3.1 (the default) and in the
3.0 shape (`version=3.0`), each validated against that version's schemas. Errors under /api/
are JSON, and every public GET may be read from any origin."""

from datetime import time
from http import HTTPStatus

import pytest
from hsds_support import FeedValidator

from providers.models import LocationKind, ServiceArea

pytestmark = pytest.mark.django_db

HSDS = "/api/hsds"
# (list path, detail path, schema of an item)
LISTS = [
    ("/services", "/services/{id}", "service"),
    ("/service_at_locations", "/service_at_locations/{id}", "service_at_location"),
    ("/organizations", "/organizations/{id}", "organization"),
    ("/taxonomies", "/taxonomies/{id}", "taxonomy"),
    ("/taxonomy_terms", "/taxonomy_terms/{id}", "taxonomy_term"),
]


@pytest.fixture
def directory(make_provider):
    """Eight public listings (three pages of three) and a draft that must never show."""
    near = {"lat": 40.7484, "lng": -73.9967, "postcode": "10001"}
    make_provider(
        name="Harbor Legal Aid",
        services=("legal-assistance", "immigration-services"),
        victimizations=("labor-trafficking",),
        populations=("immigrants",),
        languages=("en", "es"),
        accessibility=("wheelchair",),
        hours=((1, time(9), time(17)), (3, time(9), time(17))),
        cost="sliding_scale",
        cost_note="By income",
        website="https://harbor.example/",
        **near,
    )
    make_provider(name="Safe Haven", confidential=True, services=("shelter",), **near)
    make_provider(name="Midtown Counseling", services=("counseling",), **near)
    make_provider(name="Chicago Center", lat=41.8858, lng=-87.6181, city="Chicago", state="IL",
                  postcode="60601")  # fmt: skip
    make_provider(name="National Line", kind=LocationKind.REMOTE, service_area="nationwide")
    make_provider(
        name="Empire Line",
        kind=LocationKind.REMOTE,
        service_area=ServiceArea.STATES,
        service_area_states=["NY", "NJ"],
    )
    make_provider(name="Open All Hours", open_24_7=True, services=("medical-care",), **near)
    make_provider(name="Job Help", services=("employment",), **near)
    make_provider(name="Draft Org", status="draft")


VERSIONS = ["3.1", "3.0"]


@pytest.fixture(scope="module", params=VERSIONS)
def feed_schemas(request):
    """One HSDS version's schemas; the tests that use it run once for each version."""
    return FeedValidator(request.param)


def get(client, url, params=None, **headers):
    response = client.get(url, params or {}, headers=headers)
    assert response.status_code == HTTPStatus.OK, (url, params, response.content[:300])
    assert "json" in response["Content-Type"], url
    return response.json()


def all_items(client, path: str, params=None, *, version="3.1") -> list[dict]:
    body = get(client, HSDS + path, {"per_page": 100, "version": version} | (params or {}))
    assert body["total_pages"] <= 1
    return body["contents"]


def test_every_get_path_of_our_openapi_document_answers(client, directory):
    document = get(client, "/api/schema/", {"format": "json"})
    ids = {HSDS + detail: all_items(client, path)[0]["id"] for path, detail, _ in LISTS}
    v1 = get(client, "/api/v1/providers/", {"near": "10001"})
    ids["/api/v1/providers/{id}/"] = v1["results"][0]["id"]
    called = []
    for path, operations in document["paths"].items():
        get_operation = operations.get("get")
        if not get_operation or {} not in get_operation.get("security", [{}]):
            continue  # signed-in endpoints: tests/test_api_write.py and the referrals tests
        url = path
        if "{id}" in path:
            url = path.replace("{id}", ids[path])
        # A required parameter gets the example the document gives.
        params = {
            parameter["name"]: next(iter(parameter["examples"].values()))["value"]
            for parameter in get_operation.get("parameters", [])
            if parameter["in"] == "query" and parameter.get("required")
        }
        get(client, url, params)
        called.append(path)
    assert {HSDS + detail for _, detail, _ in LISTS} <= set(called)
    assert {HSDS + path for path, _, _ in LISTS} | {HSDS + "/"} <= set(called)


@pytest.mark.parametrize(("path", "detail", "item"), LISTS)
def test_first_middle_and_last_pages_are_valid_and_cover_the_list(
    client, directory, feed_schemas, path, detail, item
):
    asked = {"per_page": 3, "version": feed_schemas.version}
    first = get(client, HSDS + path, asked)
    assert first["total_pages"] >= 2, first["total_items"]
    numbers = sorted({1, (first["total_pages"] + 1) // 2, first["total_pages"]})
    pages = {n: get(client, HSDS + path, asked | {"page": n}) for n in numbers}
    for number, page in pages.items():
        assert feed_schemas.page_errors(page, item) == []
        assert page["page_number"] == number
        assert page["first_page"] is (number == 1)
        assert page["last_page"] is (number == first["total_pages"])
        assert page["empty"] is False
        assert len(page["contents"]) == (
            3 if number < first["total_pages"] else first["total_items"] - 3 * (number - 1)
        )
    every = [entry["id"] for entry in all_items(client, path, version=feed_schemas.version)]
    assert len(every) == len(set(every)) == first["total_items"]


@pytest.mark.parametrize(("path", "detail", "item"), LISTS)
def test_every_listed_record_has_its_detail(client, directory, feed_schemas, path, detail, item):
    version = feed_schemas.version
    for entry in all_items(client, path, version=version):
        record = get(client, HSDS + detail.format(id=entry["id"]), {"version": version})
        assert record["id"] == entry["id"]
        assert feed_schemas.errors(record, item) == []
        for service in record.get("services", []):
            assert feed_schemas.errors(service, "service") == []


@pytest.mark.parametrize("version", VERSIONS)
def test_level_2_queries_from_a_records_own_data_find_it(client, directory, version):
    listings = all_items(client, "/service_at_locations", {"full": "true"}, version=version)
    tried = {"postcode": 0, "taxonomy_term_id": 0, "search": 0}
    for sal in listings:
        found = {
            "postcode": None,
            "taxonomy_term_id": None,
            "search": sal["service"]["name"],
        }
        for address in sal["location"].get("addresses", []):
            found["postcode"] = address["postal_code"][:5]
        terms = [a["taxonomy_term_id"] for a in sal["service"].get("attributes", [])]
        found["taxonomy_term_id"] = terms[0] if terms else None
        for parameter, value in found.items():
            if value is None:
                continue
            params = {parameter: value}
            if parameter == "postcode":
                params["proximity"] = 5000
            ids = [entry["id"] for entry in all_items(client, "/service_at_locations", params)]
            assert sal["id"] in ids, params
            if parameter != "postcode":
                ids = [entry["id"] for entry in all_items(client, "/services", params)]
                assert sal["service_id"] in ids, params
            tried[parameter] += 1
        organization = sal["service"]["organization"]
        ids = [
            o["id"] for o in all_items(client, "/organizations", {"search": organization["name"]})
        ]
        assert organization["id"] in ids
    assert all(tried.values()), tried


def test_services_listed_under_an_organization_are_valid(client, directory, feed_schemas):
    version = feed_schemas.version
    for organization in all_items(client, "/organizations", version=version):
        record = get(client, f"{HSDS}/organizations/{organization['id']}", {"version": version})
        assert record["services"], organization["name"]
        for service in record["services"]:
            assert service["status"] == "active"
            assert feed_schemas.errors(service, "service") == []


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/hsds/services/not-a-uuid", HTTPStatus.NOT_FOUND),
        ("/api/hsds/organizations/12345", HTTPStatus.NOT_FOUND),
        ("/api/hsds/no-such-list", HTTPStatus.NOT_FOUND),
        ("/api/v1/providers/not-a-uuid/", HTTPStatus.NOT_FOUND),
        ("/api/nothing-here", HTTPStatus.NOT_FOUND),
        ("/api/hsds/services/00000000-0000-0000-0000-000000000000", HTTPStatus.NOT_FOUND),
        ("/api/hsds/services?page=99", HTTPStatus.NOT_FOUND),
        ("/api/hsds/services?per_page=many", HTTPStatus.BAD_REQUEST),
        ("/api/hsds/service_at_locations?postcode=ABCDE", HTTPStatus.BAD_REQUEST),
        ("/api/hsds/services?format=xml", HTTPStatus.BAD_REQUEST),
        ("/api/v1/organizations/", HTTPStatus.UNAUTHORIZED),
    ],
)
def test_every_error_under_the_api_is_json(client, directory, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert response.json()
    assert b"<html" not in response.content.lower()


def test_a_failed_csrf_check_under_the_api_is_json(directory):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/api/hsds/services", {})
    assert response.status_code >= HTTPStatus.BAD_REQUEST
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("origin", [None, "https://partner.example"])
@pytest.mark.parametrize(
    "url",
    [
        "/api/hsds/",
        "/api/hsds/services",
        "/api/hsds/service_at_locations?postcode=10001",
        "/api/hsds/services/not-a-uuid",
        "/api/v1/providers/?near=10001",
        "/api/v1/service-types/",
        "/api/schema/",
    ],
)
def test_every_public_get_may_be_read_from_any_origin(client, directory, url, origin):
    headers = {"Origin": origin} if origin else {}
    response = client.get(url, headers=headers)
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response


def test_the_root_says_3_1_and_its_publisher_and_3_0_on_request(client, db):
    body = get(client, f"{HSDS}/")
    assert body["version"] == "3.1"
    assert body["profile"].endswith("/3.1")
    assert body["publisher"]["name"] and body["publisher"]["website"].startswith("http")
    assert body["description"]
    older = get(client, f"{HSDS}/", {"version": "3.0"})
    assert older["version"] == "3.0"
    assert "publisher" not in older


def test_a_service_at_location_carries_its_service_areas_from_3_1(client, directory):
    [line] = [
        sal
        for sal in all_items(client, "/service_at_locations")
        if sal["service_id"]
        in {s["id"] for s in all_items(client, "/services", {"search": "Empire"})}
    ]
    assert [area["extent"] for area in line["service_areas"]] == ["NJ", "NY"]
    assert {area["service_at_location_id"] for area in line["service_areas"]} == {line["id"]}
    older = get(client, f"{HSDS}/service_at_locations/{line['id']}", {"version": "3.0"})
    assert "service_areas" not in older


def test_an_unknown_version_is_a_400_naming_the_choices(client, db):
    response = client.get(f"{HSDS}/services", {"version": "2.0"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "3.1" in response.json()["version"][0]
