"""One history per listing with per-field revert (issue 17, item 7): the organization's page
shows the changes of its services, locations, phones and hours too, field by field, and a
revert sets back one field without restoring the rest of the record (or un-publishing it)."""

from datetime import UTC, datetime, time
from http import HTTPStatus

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from providers import confirmations
from providers.listing_history import listing_history
from providers.models import OpeningHours, Organization, Phone, Status
from providers.permissions import EDITORS, PROVIDER_STAFF

pytestmark = pytest.mark.django_db


def history_url(organization) -> str:
    return reverse("admin:providers_organization_listing_history", args=[organization.pk])


@pytest.fixture
def edited(make_provider):
    """A listing edited piece by piece: the organization (a draft, then its description,
    then published), its service, location, phone and hours."""
    sal = make_provider(name="Harbor House", status=Status.DRAFT)
    organization = sal.service.organization
    organization.description = "Old words"
    organization.save()
    organization.description = "New words"
    organization.save()
    organization.status = Status.PUBLISHED
    organization.save()
    sal.service.eligibility = "Adults"
    sal.service.save()
    sal.location.hours_note = "Closed on holidays"
    sal.location.save()
    phone = sal.service.phones.get()
    phone.number = "+12125550199"
    phone.save()
    OpeningHours.objects.create(
        location=sal.location, weekday=1, opens_at=time(9), closes_at=time(17)
    )
    return sal


@pytest.fixture
def editor_client(client, make_user):
    client.force_login(make_user(role=EDITORS, username="eddie"))
    return client


def test_one_page_shows_changes_to_every_part_of_the_listing(editor_client, edited):
    organization = edited.service.organization
    response = editor_client.get(history_url(organization))
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    for text in ("Old words", "New words", "Adults", "Closed on holidays", "+12125550199"):
        assert text in html
    assert "+12125550100" in html  # the phone's number before the change
    kinds = {change.kind for change in response.context["changes"]}
    assert kinds >= {"organization", "service", "location", "phone", "openinghours"}
    # Newest first.
    whens = [change.when for change in response.context["changes"]]
    assert whens == sorted(whens, reverse=True)
    # The organization's page links to it.
    change_page = reverse("admin:providers_organization_change", args=[organization.pk])
    assert history_url(organization) in editor_client.get(change_page).content.decode()


def field_change(organization, kind: str, name: str, new: str):
    for change in listing_history(organization):
        for item in change.fields:
            if change.kind == kind and item.name == name and item.new == new:
                return change, item
    raise AssertionError(f"no change of {kind}.{name} to {new}")


def test_reverting_one_field_keeps_the_rest_and_stays_published(editor_client, edited):
    organization = edited.service.organization
    change, item = field_change(organization, "organization", "description", "New words")
    assert item.old == "Old words" and item.revertible
    # A later change to another field must survive the revert.
    organization.refresh_from_db()
    organization.name = "Harbor House Center"
    organization.save()
    response = editor_client.post(
        history_url(organization),
        {"kind": "organization", "history_id": change.history_id, "field": "description"},
    )
    assert response.status_code == HTTPStatus.FOUND
    organization = Organization.objects.get(pk=organization.pk)
    assert organization.description == "Old words"
    assert organization.status == Status.PUBLISHED  # the old version was a draft
    assert organization.name == "Harbor House Center"
    latest = organization.history.latest()
    assert latest.history_user.username == "eddie"
    assert latest.history_change_reason.startswith("Reverted description")


def test_reverting_a_phone_number_changes_only_that_phone(editor_client, edited):
    organization = edited.service.organization
    change, _ = field_change(organization, "phone", "number", "+12125550199")
    phone = Phone.objects.get(service=edited.service)
    phone.note = "Front desk"
    phone.save()
    editor_client.post(
        history_url(organization),
        {"kind": "phone", "history_id": change.history_id, "field": "number"},
    )
    phone.refresh_from_db()
    assert (phone.number, phone.note) == ("+12125550100", "Front desk")


def test_provider_staff_cannot_revert_a_listing_into_being_published(client, make_user, edited):
    organization = edited.service.organization
    change, item = field_change(organization, "organization", "status", "Published")
    # Take the listing down, then try to go back to published by reverting "draft".
    organization.status = Status.DRAFT
    organization.save()
    down, _ = field_change(organization, "organization", "status", "Draft")
    staff = make_user(role=PROVIDER_STAFF, organizations=[organization])
    client.force_login(staff)
    response = client.post(
        history_url(organization),
        {"kind": "organization", "history_id": down.history_id, "field": "status"},
        follow=True,
    )
    assert "An editor must review this" in response.content.decode()
    assert Organization.objects.get(pk=organization.pk).status == Status.DRAFT


def test_other_organizations_history_is_not_theirs(client, make_user, make_provider, edited):
    other = make_provider(name="Elsewhere").service.organization
    client.force_login(make_user(role=PROVIDER_STAFF, organizations=[other]))
    organization = edited.service.organization
    assert client.get(history_url(organization)).status_code == HTTPStatus.NOT_FOUND
    assert client.get(history_url(other)).status_code == HTTPStatus.OK


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "nonsense", "history_id": "1", "field": "name"},
        {"kind": "organization", "history_id": "x", "field": "name"},
        {"kind": "organization", "history_id": "999999", "field": "name"},
        {"kind": "organization", "history_id": "1", "field": "id"},
        {},
    ],
)
def test_bad_revert_requests_get_a_message_not_an_error(editor_client, edited, data):
    organization = edited.service.organization
    before = Organization.objects.get(pk=organization.pk)
    response = editor_client.post(history_url(organization), data, follow=True)
    assert response.status_code == HTTPStatus.OK
    assert 'class="error"' in response.content.decode()
    after = Organization.objects.get(pk=organization.pk)
    assert (after.name, after.description, after.status) == (
        before.name,
        before.description,
        before.status,
    )


def test_a_revert_of_another_listings_change_is_refused(editor_client, edited, make_provider):
    other = make_provider(name="Elsewhere").service.organization
    other.description = "Theirs"
    other.save()
    change, _ = field_change(other, "organization", "description", "Theirs")
    organization = edited.service.organization
    response = editor_client.post(
        history_url(organization),
        {"kind": "organization", "history_id": change.history_id, "field": "description"},
        follow=True,
    )
    assert "not part of this listing" in response.content.decode()
    assert Organization.objects.get(pk=other.pk).description == "Theirs"


def test_the_page_reads_a_fixed_number_of_queries_however_big_the_listing(
    editor_client, edited, django_assert_max_num_queries
):
    """Seven history queries, two to name services and locations, the admin's own: not one
    per record (a listing with many services and phones must not slow the page down)."""
    from providers.models import Location, Service, ServiceAtLocation

    organization = edited.service.organization
    with django_assert_max_num_queries(25) as small:
        editor_client.get(history_url(organization))
    for index in range(8):
        service = Service.objects.create(organization=organization, name=f"Service {index}")
        location = Location.objects.create(
            organization=organization, name=f"Place {index}", latitude=40.7, longitude=-74.0
        )
        ServiceAtLocation.objects.create(service=service, location=location)
        Phone.objects.create(service=service, number=f"+1212555020{index}")
        service.eligibility = "Anyone"
        service.save()
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = editor_client.get(history_url(organization))
    assert "Service 7 @ Place 7" in response.content.decode()


# --- the old per-record history: one history per listing, nothing reverted whole ------------


@pytest.mark.parametrize("kind", ["organization", "service", "location"])
def test_a_records_old_revert_form_changes_nothing(editor_client, admin_data, edited, kind):
    """Reverting a published service to its "Created" version through django-simple-history's
    form un-published it: the form reads the old version but does not save it."""
    record = {
        "organization": edited.service.organization,
        "service": edited.service,
        "location": edited.location,
    }[kind]
    record.name = "Now called this"
    record.save()
    created = record.history.earliest("history_date")
    url = reverse(f"admin:providers_{kind}_simple_history", args=[record.pk, created.history_id])
    response = editor_client.get(url)
    assert response.status_code == HTTPStatus.OK
    assert 'name="_save"' not in response.content.decode()  # no Revert button
    response = editor_client.post(url, admin_data(response))
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    fresh = type(record).objects.get(pk=record.pk)
    assert fresh.name == "Now called this"
    assert getattr(fresh, "status", None) == getattr(record, "status", None)
    assert record.history.latest().name == "Now called this"


@pytest.mark.parametrize("kind", ["organization", "service", "location"])
def test_a_records_history_link_opens_its_listing_history(editor_client, edited, kind):
    record = {
        "organization": edited.service.organization,
        "service": edited.service,
        "location": edited.location,
    }[kind]
    organization = edited.service.organization
    response = editor_client.get(reverse(f"admin:providers_{kind}_history", args=[record.pk]))
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == history_url(organization)
    # The change page names one history: the listing's, not the record's own as well.
    page = editor_client.get(reverse(f"admin:providers_{kind}_change", args=[record.pk]))
    html = page.content.decode()
    assert history_url(organization) in html
    assert reverse(f"admin:providers_{kind}_history", args=[record.pk]) not in html


def test_another_organizations_record_history_is_not_found(client, make_user, make_provider):
    ours = make_provider(name="Ours").service.organization
    theirs = make_provider(name="Theirs").service
    client.force_login(make_user(role=PROVIDER_STAFF, organizations=[ours]))
    response = client.get(reverse("admin:providers_service_history", args=[theirs.pk]))
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_a_revert_names_the_changes_date_in_the_sites_time_zone(editor_client, edited, settings):
    """The history page shows dates in the site's time (Eastern); the revert's reason said
    the same change's date in UTC."""
    settings.TIME_ZONE = "America/New_York"
    organization = edited.service.organization
    change, _ = field_change(organization, "organization", "description", "New words")
    # 03:30 UTC on 15 January is 22:30 on the 14th in New York.
    when = datetime(2026, 1, 15, 3, 30, tzinfo=UTC)
    organization.history.update(history_date=F("history_date") + (when - change.when))
    editor_client.post(
        history_url(organization),
        {"kind": "organization", "history_id": change.history_id, "field": "description"},
    )
    reason = Organization.objects.get(pk=organization.pk).history.latest().history_change_reason
    assert reason == "Reverted description to its value before 2026-01-14 22:30"


def test_a_spent_confirmation_link_cannot_be_revived_from_the_history(editor_client, edited):
    """Attack: the time a confirmation link was used is what spends it (it is in the signed
    link), so an editor's revert of that stamp in the listing history brought the spent link
    back. It is the machine's, as the offsets are: not shown as a change, never reverted."""
    organization = edited.service.organization
    organization.mark_verified(user=None, on=timezone.localdate())  # verified today already
    token = confirmations.make_token(organization)
    found = confirmations.organization_for(token)
    confirmations.spend(found)
    confirmations.confirm(found)  # saves: the history copy that stamped the time of use
    stamped = organization.history.latest()

    response = editor_client.post(
        history_url(organization),
        {"kind": "organization", "history_id": stamped.history_id, "field": "confirm_link_used_at"},
        follow=True,
    )

    with pytest.raises(confirmations.InvalidLink):
        confirmations.organization_for(token)
    assert "This field cannot be reverted." in response.content.decode()
    names = {item.name for change in listing_history(organization) for item in change.fields}
    assert "confirm_link_used_at" not in names
