"""The editor's workspace (issue 17): listing steps, the hours grid, asking a provider to
confirm, and exports from the admin."""

import csv
import io
import time as time_module
import zipfile
from datetime import time
from http import HTTPStatus
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from providers import confirmations
from providers.confirmations import CONFIRM_LINK_DAYS, make_token
from providers.models import (
    Location,
    OpeningHours,
    Organization,
    ServiceAtLocation,
    Status,
    Suggestion,
)
from providers.permissions import EDITORS, PROVIDER_STAFF

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
    assert 'aria-label="Sunday closes"' in body and 'aria-label="Sunday then closes"' in body
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


# --- asking a provider to confirm its listing ---------------------------------------------


@pytest.fixture
def provider(make_provider):
    row = make_provider(name="Harbor House")
    organization = row.service.organization
    organization.email = "intake@harbor.example"
    organization.save()
    return row


def ask(editor_client, *organizations):
    return editor_client.post(
        reverse("admin:providers_organization_changelist"),
        {"action": "ask_to_confirm", "_selected_action": [org.pk for org in organizations]},
        follow=True,
    )


def link_in(mail) -> str:
    (line,) = [line for line in mail.body.splitlines() if "/confirm/" in line]
    return line.strip().removeprefix("http://testserver")


def test_ask_to_confirm_emails_a_signed_link(editor_client, provider, make_provider, mailoutbox):
    silent = make_provider(name="No Mail Org").service.organization
    response = ask(editor_client, provider.service.organization, silent)
    assert "1 provider asked to confirm." in messages_of(response)
    assert "No e-mail address, nothing sent: No Mail Org." in messages_of(response)
    (mail,) = mailoutbox
    assert mail.to == ["intake@harbor.example"]
    assert "Harbor House" in mail.subject
    assert link_in(mail).startswith("/confirm/")


def test_the_provider_confirms_without_an_account_or_a_cookie(
    client, editor_client, provider, mailoutbox
):
    ask(editor_client, provider.service.organization)
    link = link_in(mailoutbox[0])
    client.logout()
    page = client.get(link)
    assert page.status_code == HTTPStatus.OK
    assert not page.cookies
    body = page.content.decode()
    assert "Confirm your listing: Harbor House" in body and "+12125550100" in body
    done = client.post(link)
    assert done.status_code == HTTPStatus.OK and not done.cookies
    organization = provider.service.organization
    organization.refresh_from_db()
    assert organization.last_verified_on == timezone.localdate()
    assert organization.verified_by_provider and organization.last_verified_by is None
    assert "Confirmed by the provider" in organization.history.latest().history_change_reason
    # Spent: the same link cannot confirm again.
    assert client.get(link).status_code == HTTPStatus.GONE


def test_an_editor_sees_who_verified(editor_client, provider):
    organization = provider.service.organization
    confirmations.confirm(organization)
    body = editor_client.get(change_url(organization)).content.decode()
    assert "Current: confirmed by the provider" in body
    organization.mark_verified(user=None)
    organization.refresh_from_db()
    assert not organization.verified_by_provider


def test_a_correction_from_the_link_goes_to_the_moderation_queue(client, provider):
    link = reverse("directory:confirm-listing", args=[make_token(provider.service.organization)])
    correct = f"{link}{provider.pk}/"
    assert correct in client.get(link).content.decode()
    form = client.get(correct).context["form"]
    data = {f.html_name: f.value() for f in form if f.value() not in (None, "", [])}
    data |= {"phone_tty": "212-555-0111", "message": "We added a TTY line."}
    response = client.post(correct, data)
    assert response.status_code == HTTPStatus.OK and not response.cookies
    suggestion = Suggestion.objects.get()
    assert suggestion.proposed == {"phone_tty": "212-555-0111"}
    assert suggestion.service_at_location == provider
    assert "confirmation link" in suggestion.message
    organization = provider.service.organization
    organization.refresh_from_db()
    assert organization.last_verified_on is None  # a correction is not a confirmation


def _correction(client, url) -> dict:
    form = client.get(url).context["form"]
    data = {f.html_name: f.value() for f in form if f.value() not in (None, "", [])}
    return data | {"phone_tty": "212-555-0111", "message": "We added a TTY line."}


def _every_use(client, link: str, correct: str, data: dict) -> list:
    """The answers to each way a link is used: the confirmation page and the correction form,
    each read (GET) and sent (POST)."""
    return [client.get(link), client.post(link), client.get(correct), client.post(correct, data)]


@pytest.mark.parametrize("verified", ["never", "yesterday", "today"])
def test_a_used_confirmation_link_is_spent_even_the_same_day(
    client, editor, editor_client, provider, mailoutbox, verified
):
    """Attack: the link still worked after the provider confirmed with it when the listing had
    already been verified that day (the date did not move), so whoever got hold of the e-mail
    later (forwarded, a shared inbox, a shared browser's history) could confirm again or send
    a correction in the provider's name. Once used, the link is refused and changes nothing."""
    organization = provider.service.organization
    today = timezone.localdate()
    if verified != "never":
        on = today if verified == "today" else today - timezone.timedelta(days=1)
        organization.mark_verified(user=None, on=on)
    ask(editor_client, organization)
    link = link_in(mailoutbox[0])
    correct = f"{link}{provider.pk}/"
    client.logout()
    data = _correction(client, correct)
    assert client.post(link).status_code == HTTPStatus.OK  # the provider confirms
    organization.refresh_from_db()
    after = (organization.last_verified_on, organization.history.count())
    for response in _every_use(client, link, correct, data):
        assert response.status_code == HTTPStatus.GONE
        assert "This link no longer works" in response.content.decode()
    organization.refresh_from_db()
    assert (organization.last_verified_on, organization.history.count()) == after
    assert not Suggestion.objects.exists()
    # Asking again sends a new link that works.
    client.force_login(editor)
    ask(client, organization)
    client.logout()
    assert client.get(link_in(mailoutbox[1])).status_code == HTTPStatus.OK


def test_a_link_used_for_a_correction_is_spent(client, provider):
    """A correction with the link spends it: a second correction or a confirmation from the
    same e-mail is refused. The provider, who just used it, may go back to its listing."""
    organization = provider.service.organization
    link = reverse("directory:confirm-listing", args=[make_token(organization)])
    correct = f"{link}{provider.pk}/"
    data = _correction(client, correct)
    thanks = client.post(correct, data)
    assert thanks.status_code == HTTPStatus.OK
    assert Suggestion.objects.count() == 1
    for response in _every_use(client, link, correct, data):
        assert response.status_code == HTTPStatus.GONE
    organization.refresh_from_db()
    assert organization.last_verified_on is None
    assert Suggestion.objects.count() == 1
    # The page that thanks the provider links back to its listing with a fresh link.
    back = thanks.context["next_link"]
    assert back != link and back in thanks.content.decode()
    assert client.get(back).status_code == HTTPStatus.OK


def test_an_unused_link_keeps_working_while_another_is_asked_for(client, provider):
    """Two links sent before either is used both work until one of them is used."""
    organization = provider.service.organization
    first, second = make_token(organization), make_token(organization)
    for token in (first, second):
        link = reverse("directory:confirm-listing", args=[token])
        assert client.get(link).status_code == HTTPStatus.OK
    assert client.post(reverse("directory:confirm-listing", args=[second])).status_code == 200
    link = reverse("directory:confirm-listing", args=[first])
    assert client.get(link).status_code == HTTPStatus.GONE


def test_two_requests_with_one_link_spend_it_once(provider):
    """Two requests that both found the organization by the same unused link: only the first
    may use it (the stamp is compared and set in one UPDATE)."""
    token = make_token(provider.service.organization)
    first, second = confirmations.organization_for(token), confirmations.organization_for(token)
    confirmations.spend(first)
    with pytest.raises(confirmations.InvalidLink):
        confirmations.spend(second)
    with pytest.raises(confirmations.InvalidLink):
        confirmations.organization_for(token)


def test_saving_an_organization_read_before_its_link_was_spent_does_not_revive_the_link(
    provider,
):
    """An editor's form (or a suggestion accepted) holds the row as it was read; saving it
    whole after a provider used a link must not write the old stamp back."""
    organization = provider.service.organization
    token = make_token(organization)
    read_before = Organization.objects.get(pk=organization.pk)
    confirmations.spend(confirmations.organization_for(token))
    read_before.name = "Renamed by an editor"
    read_before.save()
    with pytest.raises(confirmations.InvalidLink):
        confirmations.organization_for(token)
    organization.refresh_from_db()
    assert organization.name == "Renamed by an editor"
    assert organization.confirm_link_used_at is not None


@pytest.mark.parametrize("token", ["nonsense", "x" * 200])
def test_an_altered_link_is_gone_with_a_reason(client, provider, token):
    response = client.get(reverse("directory:confirm-listing", args=[token]))
    assert response.status_code == HTTPStatus.GONE
    assert "This link no longer works" in response.content.decode()


def test_an_expired_link_is_gone(client, provider, settings):
    token = make_token(provider.service.organization)
    later = time_module.time() + (CONFIRM_LINK_DAYS + 1) * 24 * 3600
    with mock.patch("django.core.signing.time.time", return_value=later):
        response = client.get(reverse("directory:confirm-listing", args=[token]))
    assert response.status_code == HTTPStatus.GONE


def test_the_confirmation_page_speaks_spanish(client, provider):
    link = reverse("directory:confirm-listing", args=[make_token(provider.service.organization)])
    body = client.get(f"/es{link}").content.decode()
    assert "Confirmar: todo está bien" in body


def test_the_confirmation_page_shows_what_people_see(client, make_provider):
    """The page said "this is what people see" but showed phones, website, address, the
    hours note and service types only: it shows the provider page's sections, the weekly
    hours, who can get help, how, languages, the cost (not stated when unknown) and the
    description, with a confidential street kept out as on public pages."""
    row = make_provider(
        name="Quiet Harbor",
        cost="",
        languages=("en", "es"),
        hours=((1, time(9), time(17)),),
        confidential=True,
        street="12 Secret Lane",
        description="Counseling and safety planning.",
        eligibility="Adults in Kings County",
        how_to_get_help="Call and ask for intake.",
    )
    link = reverse("directory:confirm-listing", args=[make_token(row.service.organization)])
    response = client.get(link)
    body = response.content.decode()
    for text in (
        "Counseling and safety planning.",
        "Adults in Kings County",
        "Call and ask for intake.",
        "English, Spanish",
        "Not stated: call to ask.",  # the cost: never a default
        "Address kept confidential for safety: call first.",
    ):
        assert text in body, text
    hours = body[body.index('<table class="hours">') :]
    hours = hours[: hours.index("</table>")]
    assert "Monday" in hours and "9 a.m." in hours and "Tuesday" in hours
    assert "Free" not in body
    assert "12 Secret Lane" not in body and "Secret Lane" not in body
    assert "10001" not in body  # a confidential place's ZIP is not shown either
    assert 'id="listing-1-contact-heading"' in body  # each listing's sections, their own ids
    # The same words as the provider page, from the same sections.
    (details,) = response.context["listings"]
    assert details["details"]["card"].text["eligibility"].text == "Adults in Kings County"


# --- export buttons -------------------------------------------------------------------------


def test_export_buttons_download_the_hsds_package_and_the_spreadsheet(editor_client, make_provider):
    make_provider(name="Harbor House")
    make_provider(name="Secret Shelter", confidential=True, street="12 Secret Lane")
    changelist = editor_client.get(reverse("admin:providers_organization_changelist"))
    body = changelist.content.decode()
    hsds_url = reverse("admin:providers_export_hsds")
    csv_url = reverse("admin:providers_export_csv")
    assert hsds_url in body and csv_url in body

    response = editor_client.get(hsds_url)
    assert response.status_code == HTTPStatus.OK
    assert "attachment" in response["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        names = set(archive.namelist())
        organizations = archive.read("organizations.csv").decode()
        everything = "".join(archive.read(name).decode() for name in names)
    assert "datapackage.json" in names
    assert "Harbor House" in organizations
    assert "Secret Lane" not in everything

    response = editor_client.get(csv_url)
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("text/csv")
    assert ".csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {"Harbor House", "Secret Shelter"} <= {row["organization_name"] for row in rows}
    assert "Secret Lane" not in response.content.decode()


def test_exports_are_for_editors_only(client, make_user, make_provider):
    organization = make_provider().service.organization
    staff = make_user(role=PROVIDER_STAFF, organizations=[organization])
    client.force_login(staff)
    body = client.get(reverse("admin:providers_organization_changelist")).content.decode()
    assert reverse("admin:providers_export_csv") not in body
    for name in ("admin:providers_export_hsds", "admin:providers_export_csv"):
        assert client.get(reverse(name)).status_code == HTTPStatus.FORBIDDEN
