"""`manage.py purge_referrals` blanks client fields of referrals closed long enough ago or
whose consent expired; everything the counts need stays."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from referrals.access import Role
from referrals.models import Referral
from referrals.workflow import change_status

pytestmark = pytest.mark.django_db


def close(referral, by, *, days_ago: int):
    change_status(referral, to="closed", by=by, roles={Role.ADVOCATE})
    Referral.objects.filter(pk=referral.pk).update(
        closed_at=timezone.now() - timedelta(days=days_ago)
    )


def purge(*args) -> str:
    out = StringIO()
    call_command("purge_referrals", *args, stdout=out)
    return out.getvalue()


def test_purge_blanks_client_fields_of_referrals_closed_past_the_period(referral_world, settings):
    settings.REFERRAL_PURGE_DAYS = 90
    referral = referral_world.referral
    close(referral, referral_world.advocate_a, days_ago=91)
    assert "1 referral" in purge()
    referral.refresh_from_db()
    assert (referral.client_reference, referral.contact_value, referral.note) == ("", "", "")
    assert referral.contact_method == ""
    assert referral.client_data_purged_at is not None
    assert referral.status == "closed"
    assert referral.needs.count() == 1
    assert referral.events.count() == 2


def test_purge_keeps_recently_closed_and_open_referrals(referral_world, make_referral, settings):
    settings.REFERRAL_PURGE_DAYS = 90
    recent = referral_world.referral
    close(recent, referral_world.advocate_a, days_ago=89)
    still_open = make_referral(
        agency=referral_world.agency_a, sal=referral_world.sal_p, by=referral_world.advocate_a
    )
    assert "0 referral" in purge()
    for referral in (recent, still_open):
        referral.refresh_from_db()
        assert referral.client_reference == "JD-7"


def test_purge_period_comes_from_settings(referral_world, settings):
    settings.REFERRAL_PURGE_DAYS = 0
    close(referral_world.referral, referral_world.advocate_a, days_ago=0)
    purge()
    referral_world.referral.refresh_from_db()
    assert referral_world.referral.client_reference == ""


def test_purge_removes_client_fields_once_consent_expired(referral_world):
    referral = referral_world.referral
    Referral.objects.filter(pk=referral.pk).update(
        consent_expires_on=timezone.localdate() - timedelta(days=1)
    )
    purge()
    referral.refresh_from_db()
    assert referral.client_reference == ""
    assert referral.status == "sent"


def test_dry_run_changes_nothing(referral_world, settings):
    settings.REFERRAL_PURGE_DAYS = 1
    close(referral_world.referral, referral_world.advocate_a, days_ago=5)
    assert "1 referral(s) would" in purge("--dry-run")
    referral_world.referral.refresh_from_db()
    assert referral_world.referral.client_reference == "JD-7"


def test_purged_referral_page_says_details_were_removed(client, referral_world, settings):
    settings.REFERRAL_PURGE_DAYS = 0
    close(referral_world.referral, referral_world.advocate_a, days_ago=1)
    purge()
    client.force_login(referral_world.advocate_a)
    response = client.get(f"/referrals/r/{referral_world.referral.pk}/")
    assert b"Client details were removed" in response.content
    assert not referral_world.referral.accesses.exists()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"REFERRAL_PURGE_DAYS": "soon"}, "REFERRAL_PURGE_DAYS='soon' is not a whole number"),
        ({"REFERRAL_LIST_SHARE_DAYS": "0"}, "REFERRAL_LIST_SHARE_DAYS=0 must be between 1"),
        ({"SITE_URL": "map.example.org"}, "SITE_URL='map.example.org' is not an http(s) URL"),
    ],
)
def test_nonsense_referral_settings_stop_the_start(env, message):
    import os
    import subprocess
    import sys
    from pathlib import Path

    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert message in result.stderr
