"""Each role can do exactly what it should in the admin, and nothing more."""

from http import HTTPStatus

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from providers.models import Organization, Service, Status
from providers.permissions import (
    EDITORS,
    PROVIDER_STAFF,
    SITE_ADMINS,
    can_edit_organization,
    can_publish,
    is_editor,
    organizations_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_orgs(make_provider):
    ours = make_provider(name="Our Shelter").service.organization
    theirs = make_provider(name="Their Clinic").service.organization
    return ours, theirs


def change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def changelist(client, model_name):
    return client.get(reverse(f"admin:providers_{model_name}_changelist"))


def test_migration_creates_the_three_role_groups():
    names = set(Group.objects.values_list("name", flat=True))
    assert {SITE_ADMINS, EDITORS, PROVIDER_STAFF} <= names
    editors = Group.objects.get(name=EDITORS)
    codes = set(editors.permissions.values_list("codename", flat=True))
    assert "change_organization" in codes
    assert "change_suggestion" in codes
    assert "delete_organization" not in codes
    assert not any(code.endswith("_user") or code.endswith("_group") for code in codes)
    staff = set(
        Group.objects.get(name=PROVIDER_STAFF).permissions.values_list("codename", flat=True)
    )
    assert "add_organization" not in staff
    assert "change_suggestion" not in staff


# --- the rules themselves ----------------------------------------------------------------


def test_rules_per_role(two_orgs, make_user, settings):
    ours, theirs = two_orgs
    admin = make_user(role=SITE_ADMINS)
    editor = make_user(role=EDITORS)
    staff = make_user(role=PROVIDER_STAFF, organizations=[ours])
    nobody = make_user()
    assert is_editor(admin) and is_editor(editor) and not is_editor(staff)
    assert set(organizations_for(editor)) == {ours, theirs}
    assert list(organizations_for(staff)) == [ours]
    assert list(organizations_for(nobody)) == []
    assert can_edit_organization(staff, ours)
    assert not can_edit_organization(staff, theirs)
    assert not can_edit_organization(nobody, ours)
    settings.REQUIRE_REVIEW = True
    assert can_publish(editor, ours)
    assert not can_publish(staff, ours)
    settings.REQUIRE_REVIEW = False
    assert can_publish(staff, ours)
    assert not can_publish(staff, theirs)


def test_inactive_user_has_no_role(two_orgs, make_user):
    ours, _ = two_orgs
    editor = make_user(role=EDITORS, is_active=False)
    assert not is_editor(editor)
    assert not can_edit_organization(editor, ours)


# --- site admins ---------------------------------------------------------------------------


def test_site_admin_manages_users_and_deletes_listings(client, two_orgs, make_user):
    ours, _ = two_orgs
    client.force_login(make_user(role=SITE_ADMINS))
    assert client.get(reverse("admin:auth_user_changelist")).status_code == HTTPStatus.OK
    assert client.get(reverse("admin:auth_group_changelist")).status_code == HTTPStatus.OK
    assert changelist(client, "staffmembership").status_code == HTTPStatus.OK
    delete = reverse("admin:providers_organization_delete", args=[ours.pk])
    assert client.get(delete).status_code == HTTPStatus.OK


# --- editors ---------------------------------------------------------------------------------


def test_editor_sees_every_listing_but_no_user_management(client, two_orgs, make_user):
    ours, theirs = two_orgs
    client.force_login(make_user(role=EDITORS))
    response = changelist(client, "organization")
    assert response.status_code == HTTPStatus.OK
    assert set(response.context["cl"].queryset) == {ours, theirs}
    assert client.get(change_url(theirs)).status_code == HTTPStatus.OK
    assert changelist(client, "suggestion").status_code == HTTPStatus.OK
    for url in (
        reverse("admin:auth_user_changelist"),
        reverse("admin:auth_group_changelist"),
        reverse("admin:providers_staffmembership_changelist"),
    ):
        assert client.get(url).status_code == HTTPStatus.FORBIDDEN, url


def test_editor_cannot_delete_an_organization(client, two_orgs, make_user):
    ours, _ = two_orgs
    client.force_login(make_user(role=EDITORS))
    delete = reverse("admin:providers_organization_delete", args=[ours.pk])
    assert client.get(delete).status_code == HTTPStatus.FORBIDDEN
    assert client.post(delete, {"post": "yes"}).status_code == HTTPStatus.FORBIDDEN
    assert Organization.objects.filter(pk=ours.pk).exists()


def test_editor_publishes_a_draft(client, make_provider, make_user, admin_data):
    draft = make_provider(name="New Draft", status=Status.DRAFT).service.organization
    client.force_login(make_user(role=EDITORS))
    data = admin_data(client.get(change_url(draft)))
    data["status"] = Status.PUBLISHED
    response = client.post(change_url(draft), data)
    assert response.status_code == HTTPStatus.FOUND, response.context["errors"]
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED


# --- provider staff --------------------------------------------------------------------------


@pytest.fixture
def staff_client(client, two_orgs, make_user):
    ours, _ = two_orgs
    client.force_login(make_user(role=PROVIDER_STAFF, organizations=[ours]))
    return client


def test_staff_see_only_their_organization(staff_client, two_orgs):
    ours, theirs = two_orgs
    response = changelist(staff_client, "organization")
    assert list(response.context["cl"].queryset) == [ours]
    services = changelist(staff_client, "service").context["cl"].queryset
    assert {s.organization for s in services} == {ours}
    locations = changelist(staff_client, "location").context["cl"].queryset
    assert {loc.organization for loc in locations} == {ours}


def test_staff_cannot_open_another_organization(staff_client, two_orgs):
    ours, theirs = two_orgs
    assert staff_client.get(change_url(ours)).status_code == HTTPStatus.OK
    for obj in (theirs, theirs.services.get(), theirs.locations.get()):
        response = staff_client.get(change_url(obj))
        # The admin treats what is outside your queryset as missing: back to the index.
        assert response.status_code == HTTPStatus.FOUND, obj
        assert response.url == reverse("admin:index")
        history = reverse(f"admin:providers_{obj._meta.model_name}_history", args=[obj.pk])
        assert staff_client.get(history).status_code in {
            HTTPStatus.FOUND,
            HTTPStatus.FORBIDDEN,
            HTTPStatus.NOT_FOUND,
        }


def test_staff_cannot_post_changes_to_another_organization(staff_client, two_orgs):
    _, theirs = two_orgs
    response = staff_client.post(change_url(theirs), {"name": "Hijacked", "status": "published"})
    assert response.status_code in {HTTPStatus.FOUND, HTTPStatus.FORBIDDEN}
    theirs.refresh_from_db()
    assert theirs.name == "Their Clinic"


def test_staff_cannot_add_organizations_or_manage_people(staff_client):
    for url in (
        reverse("admin:providers_organization_add"),
        reverse("admin:auth_user_changelist"),
        reverse("admin:auth_group_changelist"),
        reverse("admin:providers_suggestion_changelist"),
        reverse("admin:providers_staffmembership_changelist"),
        reverse("admin:providers_term_changelist"),
        reverse("admin:providers_hotline_changelist"),
    ):
        assert staff_client.get(url).status_code in {HTTPStatus.FORBIDDEN, HTTPStatus.NOT_FOUND}


def test_staff_cannot_delete_their_organization(staff_client, two_orgs):
    ours, _ = two_orgs
    delete = reverse("admin:providers_organization_delete", args=[ours.pk])
    assert staff_client.get(delete).status_code == HTTPStatus.FORBIDDEN


def test_staff_edit_their_live_listing(staff_client, two_orgs, admin_data):
    ours, _ = two_orgs
    data = admin_data(staff_client.get(change_url(ours)))
    data["description"] = "Open again after the flood."
    response = staff_client.post(change_url(ours), data)
    assert response.status_code == HTTPStatus.FOUND
    ours.refresh_from_db()
    assert ours.description == "Open again after the flood."
    assert ours.status == Status.PUBLISHED


def test_staff_cannot_publish_when_review_is_required(
    client, make_provider, make_user, admin_data, settings
):
    settings.REQUIRE_REVIEW = True
    draft = make_provider(name="Draft Org", status=Status.DRAFT).service.organization
    client.force_login(make_user(role=PROVIDER_STAFF, organizations=[draft]))
    data = admin_data(client.get(change_url(draft)))
    data["status"] = Status.PUBLISHED
    response = client.post(change_url(draft), data)
    assert response.status_code == HTTPStatus.OK
    assert "status" in response.context["adminform"].form.errors
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_staff_publish_when_review_is_not_required(
    client, make_provider, make_user, admin_data, settings
):
    settings.REQUIRE_REVIEW = False
    draft = make_provider(name="Draft Org", status=Status.DRAFT).service.organization
    client.force_login(make_user(role=PROVIDER_STAFF, organizations=[draft]))
    data = admin_data(client.get(change_url(draft)))
    data["status"] = Status.PUBLISHED
    assert client.post(change_url(draft), data).status_code == HTTPStatus.FOUND
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED


def test_staff_cannot_unretire(client, make_provider, make_user, admin_data):
    retired = make_provider(name="Closed", status=Status.RETIRED).service.organization
    client.force_login(make_user(role=PROVIDER_STAFF, organizations=[retired]))
    data = admin_data(client.get(change_url(retired)))
    data["status"] = Status.PUBLISHED
    client.post(change_url(retired), data)
    retired.refresh_from_db()
    assert retired.status == Status.RETIRED


def test_staff_can_take_their_listing_down(staff_client, two_orgs, admin_data):
    ours, _ = two_orgs
    data = admin_data(staff_client.get(change_url(ours)))
    data["status"] = Status.RETIRED
    assert staff_client.post(change_url(ours), data).status_code == HTTPStatus.FOUND
    ours.refresh_from_db()
    assert ours.status == Status.RETIRED


def test_service_added_by_staff_starts_as_draft_and_cannot_be_published(
    staff_client, two_orgs, admin_data
):
    ours, _ = two_orgs
    add = reverse("admin:providers_service_add")
    response = staff_client.get(add)
    assert response.context["adminform"].form["status"].value() == Status.DRAFT
    base = {"organization": str(ours.pk), "name": "Night line", "cost": "free"}
    base |= {"service_area": "local", "service_area_states": "[]"}
    base |= {f"{p}-TOTAL_FORMS": "0" for p in ("phones", "locations_here")}
    base |= {f"{p}-INITIAL_FORMS": "0" for p in ("phones", "locations_here")}
    response = staff_client.post(add, {**base, "status": Status.PUBLISHED})
    assert response.status_code == HTTPStatus.OK
    assert "status" in response.context["adminform"].form.errors
    response = staff_client.post(add, {**base, "status": Status.DRAFT})
    assert response.status_code == HTTPStatus.FOUND, response.context["errors"]
    assert Service.objects.get(name="Night line").status == Status.DRAFT


def test_staff_cannot_attach_a_location_to_another_organization(staff_client, two_orgs):
    _, theirs = two_orgs
    add = reverse("admin:providers_location_add")
    data = {
        "organization": str(theirs.pk),
        "name": "Sneaky",
        "kind": "remote",
        "timezone": "America/New_York",
        "country": "US",
    }
    for prefix in ("hours", "phones", "services_here"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    response = staff_client.post(add, data)
    assert response.status_code == HTTPStatus.OK
    assert "organization" in response.context["adminform"].form.errors
    assert not theirs.locations.filter(name="Sneaky").exists()


def test_staff_have_no_verify_or_publish_action(staff_client, two_orgs):
    ours, _ = two_orgs
    actions = changelist(staff_client, "organization").context["action_form"].fields["action"]
    names = {value for value, _ in actions.choices}
    assert "retire" in names
    assert "mark_verified" not in names
    assert "publish" not in names
    response = staff_client.post(
        reverse("admin:providers_organization_changelist"),
        {"action": "mark_verified", "_selected_action": [str(ours.pk)]},
    )
    ours.refresh_from_db()
    assert ours.last_verified_on is None
    assert response.status_code in {HTTPStatus.OK, HTTPStatus.FOUND}


def test_staff_cannot_revert_history_to_a_published_version(
    client, make_provider, make_user, admin_data
):
    org = make_provider(name="Once Live").service.organization
    org.status = Status.DRAFT
    org.save()
    published = org.history.filter(status=Status.PUBLISHED).earliest("history_date")
    client.force_login(make_user(role=PROVIDER_STAFF, organizations=[org]))
    url = reverse(
        "admin:providers_organization_simple_history", args=[org.pk, published.history_id]
    )
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    data = admin_data(response)
    client.post(url, data)
    org.refresh_from_db()
    assert org.status == Status.DRAFT


# --- no role ---------------------------------------------------------------------------------


def test_staff_flag_without_a_role_sees_nothing(client, two_orgs, make_user):
    client.force_login(make_user(is_staff=True))
    assert changelist(client, "organization").status_code == HTTPStatus.FORBIDDEN
    assert client.get(reverse("admin:index")).context["app_list"] == []


def test_anonymous_is_sent_to_login(client, two_orgs):
    ours, _ = two_orgs
    response = client.get(change_url(ours))
    assert response.status_code == HTTPStatus.FOUND
    assert reverse("admin:login") in response.url


def test_services_here_offers_only_the_organizations_own_services(
    staff_client, two_orgs, admin_data
):
    ours, theirs = two_orgs
    location = ours.locations.get()
    response = staff_client.get(change_url(location))
    inline = next(
        i for i in response.context["inline_admin_formsets"] if i.formset.prefix == "services_here"
    )
    choices = set(inline.formset.forms[0].fields["service"].queryset)
    assert choices == set(ours.services.all())
    data = admin_data(response)
    data |= {
        "services_here-TOTAL_FORMS": "2",
        "services_here-1-service": str(theirs.services.get().pk),
        "services_here-1-location": str(location.pk),
    }
    response = staff_client.post(change_url(location), data)
    assert response.status_code == HTTPStatus.OK  # the form again, with the error
    assert not theirs.services.get().locations.filter(pk=location.pk).exists()
