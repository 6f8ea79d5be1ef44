"""An editor in the admin whose save finds the database locked (SQLite behind a large
import) is told plainly that the change was not saved and to save it again: not the public
search's page, which says nothing about the change, offers 911 and 'nothing is wrong on
your side'."""

from http import HTTPStatus

import pytest
from django.db import OperationalError, connection

from providers.models import Organization
from providers.permissions import EDITORS

pytestmark = pytest.mark.django_db


def locked_on(statement: str, table: str):
    def wrapper(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(statement) and table in sql:
            raise OperationalError("database is locked")
        return execute(sql, params, many, context)

    return wrapper


def test_an_editor_save_in_the_admin_is_said_not_saved(client, make_user, admin_data):
    organization = Organization.objects.create(name="Harbor House", status="published")
    client.force_login(make_user(role=EDITORS))
    url = f"/admin/providers/organization/{organization.pk}/change/"
    data = {**admin_data(client.get(url)), "description": "New intake hours"}
    with connection.execute_wrapper(locked_on("UPDATE", "providers_organization")):
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
    with connection.execute_wrapper(locked_on("SELECT", "providers_organization")):
        response = client.get(f"/admin/providers/organization/{organization.pk}/change/")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    page = response.content.decode()
    assert "Your change was not saved" not in page
    assert "Try again in a moment" in page


def test_the_public_search_keeps_its_page(client, make_provider):
    make_provider(name="Harbor House")
    with connection.execute_wrapper(locked_on("SELECT", "providers_serviceatlocation")):
        response = client.get("/", {"near": "10001"})
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert "Your change was not saved" not in response.content.decode()
