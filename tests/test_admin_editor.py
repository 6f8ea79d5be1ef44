"""The editor's workspace (issue 17): listing steps, the hours grid, asking a provider to
confirm, and exports from the admin."""

from datetime import time
from http import HTTPStatus

import pytest
from django.urls import reverse

from providers.models import Location, OpeningHours, ServiceAtLocation, Status
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


# --- the weekly hours grid -----------------------------------------------------------------


def hours_of(location) -> dict[int, list[tuple[time, time]]]:
    days: dict[int, list] = {}
    for row in OpeningHours.objects.filter(location=location):
        days.setdefault(row.weekday, []).append((row.opens_at, row.closes_at))
    return days


def test_the_location_page_shows_the_week_as_one_grid(editor_client, make_provider):
    row = make_provider(hours=((1, time(9), time(12)), (1, time(13), time(17))))
    body = editor_client.get(change_url(row.location)).content.decode()
    assert 'name="hours_1_0_opens" value="09:00"' in body
    assert 'name="hours_1_1_closes" value="17:00"' in body
    assert 'name="hours_7_0_opens"' in body and 'type="time"' in body
    assert 'aria-label="Sunday closes"' in body
    assert "Copy Monday&#x27;s hours to Tuesday–Friday" in body
    assert "providers/admin/hours_grid.js" in body


def test_copy_monday_to_the_weekdays_without_javascript(editor_client, make_provider, admin_data):
    row = make_provider()
    data = admin_data(editor_client.get(change_url(row.location)))
    data |= {"hours_1_0_opens": "09:00", "hours_1_0_closes": "17:00", "copy_monday": "on"}
    data |= {"hours_6_0_opens": "10:00", "hours_6_0_closes": "14:00"}
    response = editor_client.post(change_url(row.location), data)
    assert response.status_code == HTTPStatus.FOUND, response.context["errors"]
    nine_to_five = [(time(9), time(17))]
    assert hours_of(row.location) == {
        1: nine_to_five,
        2: nine_to_five,
        3: nine_to_five,
        4: nine_to_five,
        5: nine_to_five,
        6: [(time(10), time(14))],
    }


def test_changing_one_day_rewrites_only_that_day(editor_client, make_provider, admin_data):
    row = make_provider(hours=((1, time(9), time(17)), (2, time(9), time(17))))
    tuesday = OpeningHours.objects.get(location=row.location, weekday=2)
    data = admin_data(editor_client.get(change_url(row.location)))
    data |= {"hours_1_0_closes": "16:00", "hours_7_0_opens": "22:00", "hours_7_0_closes": "02:00"}
    response = editor_client.post(change_url(row.location), data)
    assert response.status_code == HTTPStatus.FOUND, response.context["errors"]
    assert hours_of(row.location) == {
        1: [(time(9), time(16))],
        2: [(time(9), time(17))],
        7: [(time(22), time(2))],  # past midnight
    }
    assert OpeningHours.objects.filter(pk=tuesday.pk).exists()


def test_a_half_filled_period_is_a_form_error(editor_client, make_provider, admin_data):
    row = make_provider()
    data = admin_data(editor_client.get(change_url(row.location)))
    data |= {"hours_3_0_opens": "09:00"}
    response = editor_client.post(change_url(row.location), data)
    assert response.status_code == HTTPStatus.OK
    assert "Give both the opening and the closing time." in response.content.decode()
    assert not OpeningHours.objects.exists()
