"""Attacks on the stale-listings e-mail (providers/stale_report.py): a listing's name cannot
add a header or a recipient, and the report reaches no one but active editors and site
admins (not provider staff, advocates, deactivated or non-staff accounts)."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from providers.models import Organization
from providers.permissions import EDITORS, PROVIDER_STAFF, SITE_ADMINS

pytestmark = pytest.mark.django_db


def test_a_listing_name_cannot_add_a_header_or_a_recipient(make_user, make_provider):
    make_user(role=EDITORS, username="ed", email="ed@example.org")
    hostile = "Shelter\r\nBcc: thief@example.net\r\nSubject: hi\r\n\r\nbody"
    org = make_provider(name=hostile).service.organization
    Organization.objects.filter(pk=org.pk).update(last_verified_on=None)
    call_command("stale_listings", "--email", stdout=io.StringIO())
    [message] = mail.outbox
    assert message.recipients() == ["ed@example.org"]
    raw = message.message()
    assert raw["Bcc"] is None and "thief" not in str(raw["To"])
    assert raw["Subject"] == "1 listing not verified in 365 days"
    head = message.message().as_bytes().split(b"\n\n", 1)[0]
    assert b"thief" not in head


def test_only_active_staff_editors_and_site_admins_receive_it(make_user, make_provider):
    make_user(role=EDITORS, username="ed", email="ed@example.org")
    make_user(role=SITE_ADMINS, username="sam", email="SAM@example.org")
    make_user(role=EDITORS, username="not-staff", email="ns@example.org", is_staff=False)
    make_user(role=PROVIDER_STAFF, username="provider", email="p@example.org")
    make_user(username="advocate", email="a@example.org")
    make_user(role=EDITORS, username="gone", email="gone@example.org", is_active=False)
    # a group merely named like a role's, with different case, grants nothing
    odd = Group.objects.create(name=EDITORS.upper())
    make_user(username="odd", email="odd@example.org", is_staff=True).groups.add(odd)
    org = make_provider(name="Old Place").service.organization
    Organization.objects.filter(pk=org.pk).update(
        last_verified_on=timezone.localdate() - timedelta(days=900)
    )
    call_command("stale_listings", "--email", stdout=io.StringIO())
    assert sorted(a for m in mail.outbox for a in m.to) == ["SAM@example.org", "ed@example.org"]
