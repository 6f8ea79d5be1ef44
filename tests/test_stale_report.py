"""The weekly stale-listings report reaches the people who act on it: an e-mail to each
active editor and site admin, with the counts, the listings oldest first and a link to the
admin's stale list; no e-mail when nothing is stale."""

import importlib
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rq import cron

from providers.models import Organization, Status
from providers.permissions import EDITORS, PROVIDER_STAFF, SITE_ADMINS

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):
    make_user(role=EDITORS, username="ed", email="ed@example.org")
    make_user(role=SITE_ADMINS, username="sam", email="sam@example.org")
    make_user(role=EDITORS, username="gone", email="gone@example.org", is_active=False)
    make_user(role=EDITORS, username="no-address", email="")
    make_user(role=PROVIDER_STAFF, username="staff", email="staff@example.org")
    make_user(username="visitor", email="visitor@example.org")


def _aged(make_provider, name: str, days: int | None, status=Status.PUBLISHED):
    org = make_provider(name=name, status=status).service.organization
    verified = None if days is None else timezone.localdate() - timedelta(days=days)
    Organization.objects.filter(pk=org.pk).update(last_verified_on=verified)


@pytest.fixture
def stale(make_provider):
    _aged(make_provider, "Fresh Clinic", 10)
    _aged(make_provider, "Old Shelter", 400)
    _aged(make_provider, "Ancient Hotline", 900)
    _aged(make_provider, "Closed Place", 800, status=Status.RETIRED)
    _aged(make_provider, "Draft Legal Aid", None, status=Status.DRAFT)


def scheduled_stale_report():
    """The job providers/cron.py schedules for Mondays, as RQ's cron process reads it."""
    import providers.cron

    cron._job_data_registry.clear()
    importlib.reload(providers.cron)
    [job] = [data for data in cron._job_data_registry if data["name"] == "stale listings"]
    cron._job_data_registry.clear()
    return job


def test_the_scheduled_report_is_e_mailed_to_editors_and_site_admins(people, stale, settings):
    settings.SITE_URL = "https://help.example.org"
    job = scheduled_stale_report()
    job["func"](*job["args"])

    assert sorted(address for m in mail.outbox for address in m.to) == [
        "ed@example.org",
        "sam@example.org",
    ]
    assert all(len(m.to) == 1 for m in mail.outbox)  # no one learns who else was told
    message = mail.outbox[0]
    assert message.subject == "3 listings not verified in 365 days"
    body = message.body
    link = reverse("admin:providers_organization_changelist") + "?verification=stale"
    assert f"https://help.example.org{link}" in body
    assert "2 published, 1 draft; 1 never verified" in body
    # oldest first, never verified at the top; neither the fresh nor the retired one
    order = [body.index(name) for name in ("Draft Legal Aid", "Ancient Hotline", "Old Shelter")]
    assert order == sorted(order)
    assert "Fresh Clinic" not in body and "Closed Place" not in body


def test_nothing_stale_sends_nothing(people, make_provider):
    _aged(make_provider, "Fresh Clinic", 10)
    job = scheduled_stale_report()
    job["func"](*job["args"])
    assert mail.outbox == []


def test_the_command_e_mails_when_asked_and_says_so(people, stale):
    out = io.StringIO()
    call_command("stale_listings", "--email", stdout=out)
    assert len(mail.outbox) == 2
    assert "E-mailed to 2 editor(s) and site admin(s)." in out.getvalue()
    mail.outbox.clear()
    call_command("stale_listings", stdout=io.StringIO())
    assert mail.outbox == []  # printing the report sends nothing


def test_a_long_report_lists_the_oldest_and_counts_the_rest(people, make_provider, settings):
    for i in range(55):
        _aged(make_provider, f"Listing {i:02d}", 400 + i)
    call_command("stale_listings", "--email", stdout=io.StringIO())
    body = mail.outbox[0].body
    assert "Listing 54" in body and "Listing 05" in body and "Listing 04" not in body
    assert "and 5 more" in body
