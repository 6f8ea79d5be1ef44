"""The editor's working day in the admin: inlines, checkboxes, geocoding, filters, verification."""

import csv
import io
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from providers.models import Organization, Status, Term
from providers.permissions import EDITORS, PROVIDER_STAFF

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(make_user):
    return make_user(role=EDITORS, username="eddie")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def changelist_names(client, **params):
    response = client.get(reverse("admin:providers_organization_changelist"), params)
    assert response.status_code == HTTPStatus.OK
    return {org.name for org in response.context["cl"].queryset}


def test_provider_page_shows_services_locations_and_phones_inline(editor_client, make_provider):
    row = make_provider(name="Harbor House")
    response = editor_client.get(change_url(row.service.organization))
    assert response.status_code == HTTPStatus.OK
    prefixes = {inline.formset.prefix for inline in response.context["inline_admin_formsets"]}
    assert prefixes == {"services", "locations", "phones"}
    body = response.content.decode()
    # Service types are checkboxes, not a multi-select.
    assert 'type="checkbox" name="services-0-service_types"' in body


def test_service_type_checkboxes_save_and_keep_other_tags(editor_client, make_provider, admin_data):
    row = make_provider(services=("victim-advocacy",), populations=("lgbtq",))
    service = row.service
    population = service.terms.get(kind=Term.Kind.POPULATION)
    shelter = Term.objects.service_types().exclude(slug="victim-advocacy").first()
    data = admin_data(editor_client.get(change_url(service.organization)))
    data["services-0-service_types"] = [str(shelter.pk)]
    response = editor_client.post(change_url(service.organization), data)
    assert response.status_code == HTTPStatus.FOUND
    assert set(service.terms.all()) == {shelter, population}


def test_service_page_edits_every_tag_kind(editor_client, make_provider):
    row = make_provider(populations=("lgbtq",))
    body = editor_client.get(change_url(row.service)).content.decode()
    for name in ("service_types", "victimization_types", "populations", "languages"):
        assert f'type="checkbox" name="{name}"' in body, name


def test_location_page_edits_hours_phones_and_services_here(editor_client, make_provider):
    row = make_provider()
    response = editor_client.get(change_url(row.location))
    prefixes = {inline.formset.prefix for inline in response.context["inline_admin_formsets"]}
    assert prefixes == {"phones", "services_here"}
    # Opening hours are the weekly grid (tests/test_admin_editor.py), not an inline.
    assert 'name="hours_1_0_opens"' in response.content.decode()


# --- geocoding on save ----------------------------------------------------------------------


def location_data(client, location, admin_data, **changes):
    data = admin_data(client.get(change_url(location)))
    data.update(changes)
    return data


def test_changed_address_is_placed_offline_with_timezone(editor_client, make_provider, admin_data):
    location = make_provider().location
    data = location_data(
        editor_client,
        location,
        admin_data,
        address_1="1100 Congress Ave",
        city="Austin",
        state="tx",
        postcode="78701",
    )
    response = editor_client.post(change_url(location), data)
    assert response.status_code == HTTPStatus.FOUND, response.context["errors"]
    location.refresh_from_db()
    assert location.state == "TX"
    assert (round(location.latitude), round(location.longitude)) == (30, -98)
    assert location.coordinates_approximate
    assert location.timezone == "America/Chicago"


def test_missing_coordinates_are_filled(editor_client, make_provider, admin_data):
    location = make_provider().location
    data = location_data(editor_client, location, admin_data, latitude="", longitude="")
    assert editor_client.post(change_url(location), data).status_code == HTTPStatus.FOUND
    location.refresh_from_db()
    assert (location.latitude, location.longitude) == pytest.approx((40.7484, -73.9967), abs=0.01)


def test_typed_or_kept_coordinates_win_over_the_geocoder(editor_client, make_provider, admin_data):
    location = make_provider().location
    data = location_data(
        editor_client,
        location,
        admin_data,
        city="Austin",
        state="TX",
        postcode="78701",
        keep_coordinates="on",
    )
    assert editor_client.post(change_url(location), data).status_code == HTTPStatus.FOUND
    location.refresh_from_db()
    assert (location.latitude, location.longitude) == (40.7484, -73.9967)
    data = location_data(
        editor_client, location, admin_data, postcode="78702", latitude="30.26", longitude="-97.72"
    )
    assert editor_client.post(change_url(location), data).status_code == HTTPStatus.FOUND
    location.refresh_from_db()
    assert (location.latitude, location.longitude) == (30.26, -97.72)


def test_an_address_that_cannot_be_placed_is_a_form_error(editor_client, make_provider, admin_data):
    location = make_provider().location
    data = location_data(
        editor_client,
        location,
        admin_data,
        address_1="1 Nowhere Rd",
        city="Qqqqville",
        state="ZZ",
        postcode="",
        latitude="",
        longitude="",
    )
    response = editor_client.post(change_url(location), data)
    assert response.status_code == HTTPStatus.OK
    assert "could not be placed" in str(response.context["adminform"].form.non_field_errors())
    location.refresh_from_db()
    assert location.city == "New York"


def test_location_added_inline_on_the_provider_is_placed(editor_client, make_provider, admin_data):
    organization = make_provider().service.organization
    data = admin_data(editor_client.get(change_url(organization)))
    data |= {
        "locations-TOTAL_FORMS": "2",
        "locations-1-name": "Second office",
        "locations-1-kind": "physical",
        "locations-1-address_1": "200 N Spring St",
        "locations-1-city": "Los Angeles",
        "locations-1-state": "CA",
        "locations-1-postcode": "90012",
        "locations-1-timezone": "America/New_York",
    }
    response = editor_client.post(change_url(organization), data)
    assert response.status_code == HTTPStatus.FOUND, response.context["errors"]
    added = organization.locations.get(name="Second office")
    assert added.latitude == pytest.approx(34.06, abs=0.1)
    assert added.timezone == "America/Los_Angeles"


def test_location_page_shows_an_offline_map(editor_client, make_provider):
    location = make_provider().location
    body = editor_client.get(change_url(location)).content.decode()
    assert "<svg" in body
    assert "tile" not in body.lower() or "openstreetmap" not in body.lower()
    assert "https://" not in body.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        "http://www.w3.org/2000/svg", ""
    )


# --- filters, search ------------------------------------------------------------------------


def test_changelist_filters(editor_client, make_provider):
    make_provider(name="NY Shelter", services=("food-shelter-housing",), confidential=True)
    make_provider(name="TX Legal", state="TX", services=("legal-assistance",))
    make_provider(name="Draft One", status=Status.DRAFT)
    assert changelist_names(editor_client, state="TX") == {"TX Legal"}
    assert changelist_names(editor_client, service_type="food-shelter-housing") == {"NY Shelter"}
    assert changelist_names(editor_client, confidential="yes") == {"NY Shelter"}
    assert "NY Shelter" not in changelist_names(editor_client, confidential="no")
    assert changelist_names(editor_client, status__exact="draft") == {"Draft One"}
    assert changelist_names(editor_client, q="Legal") == {"TX Legal"}


def test_verification_filter_and_mark_verified_action(editor_client, editor, make_provider):
    fresh = make_provider(name="Fresh").service.organization
    old = make_provider(name="Old").service.organization
    make_provider(name="Never")
    Organization.objects.filter(pk=fresh.pk).update(last_verified_on=timezone.localdate())
    Organization.objects.filter(pk=old.pk).update(
        last_verified_on=timezone.localdate() - timedelta(days=400)
    )
    assert changelist_names(editor_client, verification="stale") == {"Old", "Never"}
    assert changelist_names(editor_client, verification="current") == {"Fresh"}

    response = editor_client.post(
        reverse("admin:providers_organization_changelist"),
        {"action": "mark_verified", "_selected_action": [str(old.pk)]},
    )
    assert response.status_code == HTTPStatus.FOUND
    old.refresh_from_db()
    assert old.last_verified_on == timezone.localdate()
    assert old.last_verified_by == editor
    assert old.history.latest().history_user == editor
    assert changelist_names(editor_client, verification="stale") == {"Never"}


def test_stale_list_sorts_oldest_first_never_verified_first(editor_client, make_provider):
    today = timezone.localdate()
    for name, days_ago in (("Aaron", 400), ("Bea", None), ("Cy", 900), ("Dee", 10), ("Ed", None)):
        org = make_provider(name=name).service.organization
        verified = None if days_ago is None else today - timedelta(days=days_ago)
        Organization.objects.filter(pk=org.pk).update(last_verified_on=verified)
    url = reverse("admin:providers_organization_changelist")
    response = editor_client.get(url, {"verification": "stale"})
    assert [org.name for org in response.context["cl"].result_list] == ["Bea", "Ed", "Cy", "Aaron"]
    html = response.content.decode()
    assert html.index(">Bea<") < html.index(">Ed<") < html.index(">Cy<") < html.index(">Aaron<")
    # A column the editor clicks still sorts the stale list.
    by_name = editor_client.get(url, {"verification": "stale", "o": "1"}).context["cl"]
    assert [org.name for org in by_name.result_list] == ["Aaron", "Bea", "Cy", "Ed"]


def test_listing_list_sorts_oldest_verified_first_without_a_filter(editor_client, make_provider):
    """The list an editor opens is the work list: never verified first, then oldest, so a
    stale listing is never buried under the alphabet (issue 17, item 7)."""
    today = timezone.localdate()
    for name, days_ago in (("Aaron", 400), ("Bea", None), ("Cy", 900), ("Dee", 10)):
        org = make_provider(name=name).service.organization
        verified = None if days_ago is None else today - timedelta(days=days_ago)
        Organization.objects.filter(pk=org.pk).update(last_verified_on=verified)
    url = reverse("admin:providers_organization_changelist")
    everyone = editor_client.get(url).context["cl"].result_list
    assert [org.name for org in everyone] == ["Bea", "Cy", "Aaron", "Dee"]
    # The verification column sorts by age too, never verified first.
    cl = editor_client.get(url, {"o": "3"}).context["cl"]
    assert [org.name for org in cl.result_list] == ["Bea", "Cy", "Aaron", "Dee"]
    by_name = editor_client.get(url, {"o": "1"}).context["cl"].result_list
    assert [org.name for org in by_name] == ["Aaron", "Bea", "Cy", "Dee"]


def test_stale_days_follow_the_setting(editor_client, make_provider, settings):
    org = make_provider(name="Checked").service.organization
    Organization.objects.filter(pk=org.pk).update(
        last_verified_on=timezone.localdate() - timedelta(days=40)
    )
    assert changelist_names(editor_client, verification="stale") == set()
    settings.STALE_AFTER_DAYS = 30
    assert changelist_names(editor_client, verification="stale") == {"Checked"}


def test_change_page_says_stale(editor_client, make_provider):
    org = make_provider(name="Unchecked").service.organization
    assert "Stale: never verified" in editor_client.get(change_url(org)).content.decode()


def test_retire_keeps_the_listing_and_hides_it(editor_client, make_provider):
    row = make_provider(name="Closed Clinic")
    org = row.service.organization
    editor_client.post(
        reverse("admin:providers_organization_changelist"),
        {"action": "retire", "_selected_action": [str(org.pk)]},
    )
    org.refresh_from_db()
    assert org.status == Status.RETIRED
    from providers.models import ServiceAtLocation

    assert not ServiceAtLocation.objects.listed().filter(pk=row.pk).exists()


def test_publish_action_is_for_editors(editor_client, make_provider):
    org = make_provider(name="Ready", status=Status.DRAFT).service.organization
    editor_client.post(
        reverse("admin:providers_organization_changelist"),
        {"action": "publish", "_selected_action": [str(org.pk)]},
    )
    org.refresh_from_db()
    assert org.status == Status.PUBLISHED


def test_admin_index_links_stale_listings_and_pending_suggestions(editor_client, make_provider):
    make_provider(name="Never checked")
    body = editor_client.get(reverse("admin:index")).content.decode()
    assert "1 published listing not verified in 365 days" in body
    assert "?verification=stale" in body
    assert "0 suggestions waiting for review" in body


def test_staff_index_counts_only_their_stale_listings(client, make_provider, make_user):
    ours = make_provider(name="Ours").service.organization
    make_provider(name="Theirs")
    client.force_login(make_user(role=PROVIDER_STAFF, organizations=[ours]))
    body = client.get(reverse("admin:index")).content.decode()
    assert "1 published listing not verified" in body
    assert "suggestions waiting" not in body


# --- manage.py stale_listings ---------------------------------------------------------------


@pytest.fixture
def verified_set(make_provider, monkeypatch):
    # One clock for the ages set here and the report read later: across midnight the report
    # counted 901 days for a listing verified 900 days before the fixture's "today".
    moment = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: moment)
    today = timezone.localdate()
    ages = {"Fresh": 10, "Old": 400, "Ancient": 900, "Retired old": 800}
    for name, days in ages.items():
        status = Status.RETIRED if name.startswith("Retired") else Status.PUBLISHED
        org = make_provider(name=name, status=status).service.organization
        Organization.objects.filter(pk=org.pk).update(last_verified_on=today - timedelta(days=days))
    make_provider(name="Never", status=Status.DRAFT)


def run_report(*args) -> str:
    out = io.StringIO()
    call_command("stale_listings", *args, stdout=out)
    return out.getvalue()


def test_stale_report_lists_unverified_oldest_first(verified_set):
    output = run_report()
    lines = [line for line in output.splitlines() if line.strip()]
    names = [line.split("  ")[0].strip() for line in lines[2:-1]]
    assert names == ["Never", "Ancient", "Old"]
    assert "3 listing(s) not verified for more than 365 days." in output


def test_stale_report_csv_days_and_published_only(verified_set):
    rows = list(csv.DictReader(io.StringIO(run_report("--format", "csv", "--days", "5"))))
    assert [row["name"] for row in rows] == ["Never", "Ancient", "Old", "Fresh"]
    assert rows[0]["days_since"] == "never"
    assert rows[1]["days_since"] == "900"
    rows = list(csv.DictReader(io.StringIO(run_report("--format", "csv", "--published-only"))))
    assert [row["name"] for row in rows] == ["Ancient", "Old"]


def test_stale_report_with_nothing_stale(db):
    assert "No listings unverified" in run_report()


def test_changelist_queries_do_not_grow_with_listings(
    editor_client, make_provider, django_assert_max_num_queries
):
    for number in range(15):
        make_provider(name=f"Provider {number}")
    with django_assert_max_num_queries(12):
        response = editor_client.get(reverse("admin:providers_organization_changelist"))
    assert len(response.context["cl"].result_list) == 15


def test_provider_page_queries_are_bounded(
    editor_client, make_provider, django_assert_max_num_queries
):
    organization = make_provider().service.organization
    with django_assert_max_num_queries(30):
        assert editor_client.get(change_url(organization)).status_code == HTTPStatus.OK
