"""A database that stays locked past the wait (SQLite behind a large import) is a 503 that
says to try again, with Retry-After: never a 500. The error is raised where the database
raises it, on the statement the request runs."""

from http import HTTPStatus

import pytest
from django.db import OperationalError, connection
from django.urls import reverse
from rest_framework.authtoken.models import Token

from providers.models import Organization, Suggestion
from providers.permissions import EDITORS

pytestmark = pytest.mark.django_db


def locked(statement: str, table: str = ""):
    """A database wrapper: the statements that start with `statement` (and name `table`)
    find the database locked."""

    def wrapper(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(statement) and table in sql:
            raise OperationalError("database is locked")
        return execute(sql, params, many, context)

    return wrapper


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/", "The directory is busy saving an update"),
        ("/es/", "El directorio está guardando una actualización"),
    ],
)
def test_a_search_that_finds_the_database_locked_is_a_calm_page(client, make_provider, path, words):
    make_provider(name="Harbor House")
    with connection.execute_wrapper(locked("SELECT", "providers_serviceatlocation")):
        response = client.get(path, {"near": "10001"})
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response["Retry-After"] == "10"
    page = response.content.decode()
    assert words in page
    assert 'href="tel:911"' in page  # the page still offers 911 and the hotlines
    assert "Your change was not saved" not in page  # the admin's words
    assert "Traceback" not in page and "Server Error" not in page


@pytest.mark.django_db(transaction=True)  # autocommit, as a site runs: no test transaction
def test_a_correction_sent_while_the_database_is_locked_is_said_not_saved(client, make_provider):
    """A person who sends a correction must not leave thinking it arrived; a search, which
    sends nothing, is not told so."""
    row = make_provider(name="Harbor House")
    url = reverse("directory:suggest-correction", args=[row.pk])
    data = {"name": "Harbor House", "message": "The number changed", "contact_name": ""}
    with connection.execute_wrapper(locked("INSERT")):
        response = client.post(url, data)
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    page = response.content.decode()
    assert "What you sent was not saved" in page
    assert not Suggestion.objects.exists()
    with connection.execute_wrapper(locked("SELECT", "providers_serviceatlocation")):
        searched = client.get("/", {"near": "10001"})
    assert searched.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert "What you sent was not saved" not in searched.content.decode()


def test_an_editor_save_that_finds_the_database_locked_is_told_to_try_again(api_client, make_user):
    organization = Organization.objects.create(name="Harbor House", status="published")
    token = Token.objects.create(user=make_user(role=EDITORS))
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    with connection.execute_wrapper(locked("UPDATE")):
        response = api_client.patch(
            f"/api/v1/organizations/{organization.pk}/", {"description": "New"}, format="json"
        )
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response["Retry-After"] == "10"
    assert response.json() == {
        "detail": "The directory is busy saving another change. Try again in a moment."
    }
    organization.refresh_from_db()
    assert organization.description == ""


def test_any_other_database_error_is_not_dressed_up_as_busy(client, make_provider):
    make_provider(name="Harbor House")

    def broken(execute, sql, params, many, context):
        raise OperationalError("no such column: providers_location.latitude")

    with connection.execute_wrapper(broken), pytest.raises(OperationalError):
        client.get("/", {"near": "10001"})


# --- in the admin: an editor is told plainly that the change was not saved, and to save it
# again (not the public page's 911, hotlines and 'nothing is wrong on your side').


def test_an_editor_save_in_the_admin_is_said_not_saved(client, make_user, admin_data):
    organization = Organization.objects.create(name="Harbor House", status="published")
    client.force_login(make_user(role=EDITORS))
    url = f"/admin/providers/organization/{organization.pk}/change/"
    data = {**admin_data(client.get(url)), "description": "New intake hours"}
    with connection.execute_wrapper(locked("UPDATE", "providers_organization")):
        response = client.post(url, data)
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response["Retry-After"] == "10"
    page = response.content.decode()
    assert "Your change was not saved" in page
    assert "save again" in page
    assert "Nothing is wrong on your side" not in page  # the public page's words
    assert 'href="tel:911"' not in page
    organization.refresh_from_db()
    assert organization.description == ""


def test_an_admin_page_that_only_reads_is_not_said_to_lose_a_change(client, make_user):
    organization = Organization.objects.create(name="Harbor House", status="published")
    client.force_login(make_user(role=EDITORS))
    with connection.execute_wrapper(locked("SELECT", "providers_organization")):
        response = client.get(f"/admin/providers/organization/{organization.pk}/change/")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    page = response.content.decode()
    assert "Your change was not saved" not in page
    assert "Try again in a moment" in page
