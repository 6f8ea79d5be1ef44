"""Every 4xx under /api/ is JSON with the true reason, and documented (issue 20, items 2, 4):
an unknown `format` is a 400 naming the formats (DRF's own answer is a bare 404, which reads
as a missing page), an Accept header an operation cannot answer is a 406, and both are in
the OpenAPI document for every operation, for the public and for a signed-in editor."""

import re
from http import HTTPStatus

import pytest

pytestmark = pytest.mark.django_db

ANY_ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


@pytest.fixture
def openapi(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == HTTPStatus.OK
    return response.json()


def test_an_unknown_schema_format_is_a_400_naming_the_formats(client):
    response = client.get("/api/schema/?format=bad")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"format": ["Unknown format: use one of yaml, json."]}


def test_an_accept_the_schema_cannot_answer_is_a_json_406(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="text/csv")

    assert response.status_code == HTTPStatus.NOT_ACCEPTABLE
    assert response["Content-Type"].startswith("application/json")
    assert "Accept" in response.json()["detail"]


def test_an_unknown_format_on_a_referrals_list_is_a_400_not_a_404(admin_client):
    response = admin_client.get("/api/v1/lists/?format=bad")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "format" in response.json()


@pytest.mark.parametrize("signed_in", [False, True], ids=["public", "editor"])
def test_a_bad_format_or_accept_gets_a_documented_json_error_everywhere(
    client, admin_client, openapi, signed_in
):
    caller = admin_client if signed_in else client
    wrong = []
    for path, operations in openapi["paths"].items():
        url = re.sub(r"\{[^}]+\}", ANY_ID, path)
        for method, operation in operations.items():
            documented = set(operation["responses"])
            for query, headers in (("?format=bad", {}), ("", {"HTTP_ACCEPT": "text/html"})):
                response = getattr(caller, method)(url + query, **headers)
                status = response.status_code
                if status < HTTPStatus.BAD_REQUEST:
                    continue
                json_body = response["Content-Type"].startswith("application/json")
                if str(status) not in documented or not json_body:
                    wrong.append(f"{method.upper()} {url}{query} {headers}: {status}")
    assert not wrong, wrong
