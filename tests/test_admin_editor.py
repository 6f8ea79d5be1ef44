"""The editor's workspace (issue 17): listing steps, the hours grid, asking a provider to
confirm, and exports from the admin."""

import pytest
from django.urls import reverse

from providers.models import Location, ServiceAtLocation, Status
from providers.permissions import EDITORS

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(make_user):
    return make_user(role=EDITORS, username="edna", email="edna@example.org")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- a listing is searchable as soon as its service and location are published -----------


def test_a_service_and_its_only_location_are_linked_on_save(
    editor_client, make_provider, admin_data
):
    row = make_provider(name="Harbor House")
    organization, service = row.service.organization, row.service
    row.delete()  # a new provider: one service, one location, not yet linked
    data = admin_data(editor_client.get(change_url(organization)))
    response = editor_client.post(change_url(organization), data, follow=True)
    listed = ServiceAtLocation.objects.listed().get(service=service)
    assert listed.location == organization.locations.get()
    assert ServiceAtLocation.objects.filter(pk=listed.pk, search_listed=True).exists()
    assert any("only location" in text for text in messages_of(response))
    assert not any("not in search yet" in text for text in messages_of(response))


def test_the_admin_names_each_missing_step(editor_client, make_provider, admin_data):
    row = make_provider(name="Harbor House", status=Status.DRAFT)
    organization = row.service.organization
    row.delete()
    Location.objects.create(organization=organization, name="Second office", kind="remote")
    data = admin_data(editor_client.get(change_url(organization)))
    response = editor_client.post(change_url(organization), data, follow=True)
    (warning,) = [text for text in messages_of(response) if "not in search yet" in text]
    assert "publish the organization (its status is Draft)" in warning
    assert "offer the service “Harbor House services” at a location" in warning
    assert not ServiceAtLocation.objects.exists()  # two places: the editor chooses


def test_the_service_page_warns_too(editor_client, make_provider, admin_data):
    row = make_provider(service_status=Status.DRAFT)
    data = admin_data(editor_client.get(change_url(row.service)))
    response = editor_client.post(change_url(row.service), data, follow=True)
    assert any("publish the service" in text for text in messages_of(response))
