"""One user-organization link (providers' StaffMembership) for the admin and for referrals;
site admins see every referral; agencies and advocates are managed by site admins only."""

import io
from http import HTTPStatus

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from providers.models import StaffMembership
from providers.permissions import EDITORS, PROVIDER_STAFF, SITE_ADMINS, organizations_for
from referrals.access import is_site_admin, organizations_of, visible_referrals
from referrals.models import Agency, AgencyMembership

pytestmark = pytest.mark.django_db


def referral_page(referral):
    return reverse("referrals:referral-detail", kwargs={"pk": referral.pk})


def test_a_staff_membership_is_what_referrals_use(referral_world):
    membership = StaffMembership.objects.get(user=referral_world.staff_p)
    assert membership.organization == referral_world.org_p
    assert list(organizations_of(referral_world.staff_p)) == [referral_world.org_p]
    assert list(visible_referrals(referral_world.staff_p)) == [referral_world.referral]
    assert not visible_referrals(referral_world.staff_q).exists()


def test_provider_staff_of_the_admin_answer_their_referrals(client, referral_world, make_user):
    # The same person edits the listing in the admin and answers its referrals.
    staff = make_user(role=PROVIDER_STAFF, organizations=[referral_world.org_p])
    assert list(organizations_for(staff)) == [referral_world.org_p]
    client.force_login(staff)
    response = client.get(referral_page(referral_world.referral))
    assert response.status_code == HTTPStatus.OK
    assert b"JD-7" in response.content
    assert client.get(reverse("admin:index")).status_code == HTTPStatus.OK


def test_membership_alone_gives_referrals_but_not_the_admin(client, referral_world):
    client.force_login(referral_world.staff_p)
    assert client.get(referral_page(referral_world.referral)).status_code == HTTPStatus.OK
    assert not organizations_for(referral_world.staff_p).exists()  # no "Provider staff" group
    response = client.get(reverse("admin:index"))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("admin:login"))


def test_new_referral_email_goes_to_the_organizations_staff_members(
    referral_world, make_user, make_referral
):
    make_user(
        role=PROVIDER_STAFF,
        organizations=[referral_world.org_p],
        username="listing-keeper",
        email="keeper@example.org",
    )
    mail.outbox.clear()
    make_referral(
        agency=referral_world.agency_a, sal=referral_world.sal_p, by=referral_world.advocate_a
    )
    assert sorted(m.to[0] for m in mail.outbox) == ["keeper@example.org", "staff_p@example.org"]


def test_the_old_referrals_membership_model_is_gone():
    from django.apps import apps

    assert "providermembership" not in apps.get_app_config("referrals").models
    assert "referrals_providermembership" not in connection.introspection.table_names()


# --- site admins -----------------------------------------------------------------------------


def test_site_admins_group_sees_every_referral():
    codes = set(
        Group.objects.get(name=SITE_ADMINS)
        .permissions.filter(content_type__app_label="referrals")
        .values_list("codename", flat=True)
    )
    assert {"see_all_referrals", "add_agency", "change_agencymembership", "view_referral"} <= codes
    for name in (EDITORS, PROVIDER_STAFF):
        group = Group.objects.get(name=name)
        assert not group.permissions.filter(content_type__app_label="referrals").exists(), name


def test_a_site_admin_by_group_sees_every_referral(referral_world, make_user):
    admin = make_user(role=SITE_ADMINS)
    assert is_site_admin(admin)
    assert list(visible_referrals(admin)) == [referral_world.referral]


def test_sync_roles_keeps_the_referrals_permissions():
    call_command("sync_roles", stdout=io.StringIO())
    group = Group.objects.get(name=SITE_ADMINS)
    assert group.permissions.filter(codename="see_all_referrals").exists()


# --- agencies and advocates in the admin -----------------------------------------------------


def test_site_admin_adds_an_agency_with_an_advocate(client, make_user):
    site_admin = make_user(role=SITE_ADMINS)
    advocate = make_user(username="new-advocate")
    client.force_login(site_admin)
    url = reverse("admin:referrals_agency_add")
    assert client.get(url).status_code == HTTPStatus.OK
    prefix = "memberships"
    response = client.post(
        url,
        {
            "name": "County Victim-Witness",
            "is_active": "on",
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
            f"{prefix}-0-user": str(advocate.pk),
        },
    )
    assert response.status_code == HTTPStatus.FOUND, response.context["errors"]
    membership = AgencyMembership.objects.get(user=advocate)
    assert membership.agency.name == "County Victim-Witness"


@pytest.mark.parametrize("role", [EDITORS, PROVIDER_STAFF])
def test_editors_and_provider_staff_cannot_manage_agencies_or_see_referrals(
    client, referral_world, make_user, role
):
    user = make_user(role=role, organizations=[referral_world.org_p])
    # Even a group given the model permissions by hand does not open these pages.
    Group.objects.get(name=role).permissions.add(
        *Group.objects.get(name=SITE_ADMINS).permissions.filter(content_type__app_label="referrals")
    )
    client.force_login(user)
    agency = Agency.objects.first()
    for url in (
        reverse("admin:referrals_agency_changelist"),
        reverse("admin:referrals_agency_add"),
        reverse("admin:referrals_agency_change", args=[agency.pk]),
        reverse("admin:referrals_referral_changelist"),
        reverse("admin:referrals_resourcelist_changelist"),
        reverse("admin:referrals_clientdataaccess_changelist"),
        reverse("admin:providers_staffmembership_changelist"),
    ):
        response = client.get(url)
        assert response.status_code in {HTTPStatus.FORBIDDEN, HTTPStatus.FOUND}, url
        if response.status_code == HTTPStatus.FOUND:  # "not found": back to the index
            assert response["Location"] == reverse("admin:index"), url
    index = client.get(reverse("admin:index")).content.decode()
    assert "Agencies" not in index and "Referrals" not in index


# --- the data migration ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_migration_copies_referrals_memberships_to_staff_memberships(make_provider):
    organization = make_provider(name="Copied Shelter").service.organization
    executor = MigrationExecutor(connection)
    old = [("referrals", "0001_agencies_lists_referrals")]
    executor.migrate(old)
    old_apps = executor.loader.project_state(old).apps
    User = old_apps.get_model("auth", "User")
    user = User.objects.create(username="old-staff", password="!")
    ProviderMembership = old_apps.get_model("referrals", "ProviderMembership")
    ProviderMembership.objects.create(user_id=user.pk, organization_id=organization.pk)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    membership = StaffMembership.objects.get(user_id=user.pk)
    assert membership.organization_id == organization.pk
    assert "referrals_providermembership" not in connection.introspection.table_names()
    assert (
        Group.objects.get(name=SITE_ADMINS)
        .permissions.filter(codename="see_all_referrals")
        .exists()
    )
