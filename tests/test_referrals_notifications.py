"""Notification emails say only that something happened, with a link: never client details."""

import pytest
from django.core import mail
from django.test import TestCase

from referrals.access import Role
from referrals.workflow import change_status

pytestmark = pytest.mark.django_db
CLIENT_VALUES = ("JD-7", "+12125550123", "5550123", "Safe to call", "6pm")


def assert_no_client_details(message, referral):
    text = f"{message.subject}\n{message.body}"
    for value in CLIENT_VALUES:
        assert value not in text
    # Nor which provider or need: a message may be read on a watched device.
    assert referral.organization.name not in text
    assert "legal" not in text.lower()


def test_new_referral_tells_the_providers_staff_with_a_link_only(referral_world):
    referral = referral_world.referral
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["staff_p@example.org"]
    assert message.subject == "New referral"
    assert f"http://127.0.0.1:8000/referrals/r/{referral.pk}/" in message.body
    assert_no_client_details(message, referral)


def test_status_change_tells_the_advocate_not_the_one_who_made_it(referral_world):
    referral = referral_world.referral
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        change_status(referral, to="accepted", by=referral_world.staff_p, roles={Role.PROVIDER})
    assert [m.to for m in mail.outbox] == [["advocate_a@example.org"]]
    assert mail.outbox[0].subject == "Referral updated"
    assert_no_client_details(mail.outbox[0], referral)


def test_closing_tells_the_provider(referral_world):
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        change_status(
            referral_world.referral,
            to="closed",
            by=referral_world.advocate_a,
            roles={Role.ADVOCATE},
        )
    assert [m.to for m in mail.outbox] == [["staff_p@example.org"]]


def test_no_one_in_other_agencies_or_providers_is_told(referral_world):
    with TestCase.captureOnCommitCallbacks(execute=True):
        change_status(
            referral_world.referral,
            to="accepted",
            by=referral_world.staff_p,
            roles={Role.PROVIDER},
        )
    told = {address for message in mail.outbox for address in message.to}
    assert told.isdisjoint(
        {"advocate_b@example.org", "staff_q@example.org", "outsider@example.org"}
    )


def test_link_uses_site_url(referral_world, settings, make_referral):
    settings.SITE_URL = "https://map.example.org"
    mail.outbox.clear()
    referral = make_referral(
        agency=referral_world.agency_a, sal=referral_world.sal_p, by=referral_world.advocate_a
    )
    assert f"https://map.example.org/referrals/r/{referral.pk}/" in mail.outbox[0].body
