"""The OpenAPI document: complete, served with local docs, and the API keeps to it."""

import re
from datetime import time
from http import HTTPStatus

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.urls import Resolver404, resolve
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from rest_framework.throttling import AnonRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from providers.models import LocationKind

EXAMPLES_PER_OPERATION = 12


@pytest.fixture
def openapi(db):
    return SchemaGenerator().get_schema(request=None, public=True)


def _served_by_api_app(path: str) -> bool:
    concrete = re.sub(r"\{[^}]+\}", "3fa85f64-5717-4562-b3fc-2c963f66afa6", path)
    try:
        view = resolve(concrete).func
    except Resolver404:
        concrete = re.sub(r"\{[^}]+\}", "1", path)
        view = resolve(concrete).func
    return getattr(view, "cls", view).__module__.startswith("api.")


def test_every_parameter_is_documented_with_an_example(openapi):
    missing = []
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if not (parameter.get("example") is not None or parameter.get("examples")):
                    missing.append(f"{method.upper()} {path} {parameter['name']}")
    assert not missing, missing


def test_every_parameter_of_our_api_is_described(openapi):
    """Other apps mounted under /api/ (referrals) keep their own documentation."""
    ours = [path for path in openapi["paths"] if _served_by_api_app(path)]
    assert len(ours) > 20 and "/api/v1/providers/" in ours
    missing = []
    for path in ours:
        for method, operation in openapi["paths"][path].items():
            for parameter in operation.get("parameters", []):
                if not parameter.get("description"):
                    missing.append(f"{method.upper()} {path} {parameter['name']}")
    assert not missing, missing


def test_every_operation_documents_the_client_errors_it_can_answer(openapi):
    missing = []
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            public = {} in operation.get("security", [{}])
            expected = {"401", "403"} if not public else {"429"}
            if operation.get("parameters") or operation.get("requestBody"):
                expected.add("400")
            if "{" in path:
                expected.add("404")
            documented = set(map(str, operation["responses"]))
            missing += [f"{method.upper()} {path} {code}" for code in expected - documented]
    assert not missing, missing


def test_mutually_exclusive_parameters_are_stated(openapi):
    def described(path, name):
        parameters = openapi["paths"][path]["get"]["parameters"]
        return next(p["description"] for p in parameters if p["name"] == name)

    assert "not with `near`" in described("/api/v1/providers/", "lat").lower()
    assert "not with `lat`/`lng`" in described("/api/v1/providers/", "near").lower()
    hsds = "/api/hsds/service_at_locations"
    assert "not with `lat`/`lng`" in described(hsds, "postcode").lower()
    assert "not both" in described(hsds, "lat")


def test_schema_lists_every_endpoint_of_the_issue(openapi):
    paths = set(openapi["paths"])
    assert {
        "/api/v1/providers/",
        "/api/v1/providers/{id}/",
        "/api/v1/service-types/",
        "/api/v1/hotlines/",
        "/api/v1/places/",
        "/api/v1/organizations/",
        "/api/v1/services/",
        "/api/v1/locations/",
        "/api/hsds/",
        "/api/hsds/services",
        "/api/hsds/services/{id}",
        "/api/hsds/service_at_locations",
        "/api/hsds/organizations",
        "/api/hsds/organizations/{id}",
        "/api/hsds/taxonomies",
        "/api/hsds/taxonomy_terms",
    } <= paths


def test_schema_is_served_as_json_and_yaml(db, api_client):
    response = api_client.get("/api/schema/?format=json")
    assert response.status_code == HTTPStatus.OK
    assert response.json()["info"]["title"] == "Resource Map API"
    assert api_client.get("/api/schema/").status_code == HTTPStatus.OK


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_docs_pages_load_only_our_own_files(db, client, url):
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    references = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert references, html
    assert all(ref.startswith("/static/") for ref in references), references
    assert "https://" not in html and "http://" not in html.replace("http://testserver", "")
    for ref in references:
        static = client.get(ref)
        assert static.status_code == HTTPStatus.OK, ref
        static.close()


def test_swagger_ui_has_no_external_validator(db, client):
    html = client.get("/api/docs/").content.decode()
    assert '"validatorUrl": null' in html or '"validatorUrl":null' in html


@pytest.fixture
def sample_data(make_provider):
    make_provider(name="Legal Aid", services=("legal-assistance",), hours=((1, time(9), time(17)),))
    make_provider(name="Shelter", confidential=True, lat=40.7433, lng=-73.9891, open_24_7=True)
    make_provider(name="Line", kind=LocationKind.REMOTE, service_area="nationwide")
    make_provider(name="Chicago", lat=41.8781, lng=-87.6298, state="IL", languages=("es",))


def _fuzz(operation, *, mode, headers=None) -> None:
    # Every status and content type a client gets is documented, and every body fits.
    checks = [
        not_a_server_error,
        response_schema_conformance,
        status_code_conformance,
        content_type_conformance,
    ]

    @given(case=operation.as_strategy(generation_mode=mode))
    @hypothesis_settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        response = case.call(headers=headers)
        case.validate_response(response, checks=checks)

    try:
        run()
    except Unsatisfiable:
        # An operation without parameters or body has nothing to make invalid.
        assert mode == GenerationMode.NEGATIVE, operation.label


@pytest.fixture
def wsgi_in_test_transaction():
    """Let requests made straight to the WSGI app share the test's transaction, as Django's
    test client does: closing "old" connections after a request would end it (PostgreSQL)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    # Django's WSGI app, as directory/wsgi.py makes it (without tuning this process's gc).
    yield get_wsgi_application()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_schemathesis_finds_no_server_error_and_no_response_off_schema(
    sample_data, monkeypatch, django_user_model, wsgi_in_test_transaction
):
    # Thousands of generated requests from one client would meet the anonymous rate limit.
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "100000/minute"})
    admin = django_user_model.objects.create_superuser("fuzz", "fuzz@example.org", "x" * 16)
    token = {"Authorization": f"Token {Token.objects.create(user=admin).key}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_in_test_transaction)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 25
    for operation in operations:
        # Reads as the public does; writes as an editor, so validation is what gets tested.
        headers = None if operation.method.upper() == "GET" else token
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(operation, mode=mode, headers=headers)
