"""Referral status moves: who may make each, what is recorded, and the consent rule."""

from datetime import timedelta

import pytest
from django.utils import timezone

from referrals.access import Role, roles_for
from referrals.models import Referral, ReferralEvent, ReferralStatus
from referrals.workflow import TransitionError, allowed_moves, change_status

S = ReferralStatus
pytestmark = pytest.mark.django_db


def test_sending_records_a_sent_event_by_the_advocate(referral_world):
    referral = referral_world.referral
    event = referral.events.get()
    assert (event.status, event.by) == (S.SENT, referral_world.advocate_a)
    assert referral.organization == referral_world.org_p
    assert list(referral.needs.values_list("slug", flat=True)) == ["legal-assistance"]


def test_provider_moves_referral_through_the_loop_with_who_and_when(referral_world):
    referral, staff = referral_world.referral, referral_world.staff_p
    for to in (S.RECEIVED, S.ACCEPTED, S.CLIENT_CONTACTED, S.HELP_RECEIVED):
        change_status(referral, to=to, by=staff, roles={Role.PROVIDER})
    events = list(referral.events.values_list("status", "by__username"))
    assert events == [
        (S.SENT, "advocate_a"),
        (S.RECEIVED, "staff_p"),
        (S.ACCEPTED, "staff_p"),
        (S.CLIENT_CONTACTED, "staff_p"),
        (S.HELP_RECEIVED, "staff_p"),
    ]
    assert all(event.at <= timezone.now() for event in referral.events.all())


def test_decline_needs_a_reason_and_records_it(referral_world):
    referral = referral_world.referral
    with pytest.raises(TransitionError):
        change_status(referral, to=S.DECLINED, by=referral_world.staff_p, roles={Role.PROVIDER})
    change_status(
        referral,
        to=S.DECLINED,
        by=referral_world.staff_p,
        roles={Role.PROVIDER},
        reason="no_capacity",
    )
    referral.refresh_from_db()
    assert (referral.status, referral.decline_reason) == (S.DECLINED, "no_capacity")
    assert referral.events.last().reason == "no_capacity"


@pytest.mark.parametrize("to", [S.CLOSED, S.HELP_RECEIVED])
def test_provider_cannot_skip_ahead_or_close(referral_world, to):
    with pytest.raises(TransitionError):
        change_status(
            referral_world.referral, to=to, by=referral_world.staff_p, roles={Role.PROVIDER}
        )


@pytest.mark.parametrize("to", [S.ACCEPTED, S.HELP_RECEIVED, S.RECEIVED])
def test_advocate_can_only_close(referral_world, to):
    with pytest.raises(TransitionError):
        change_status(
            referral_world.referral, to=to, by=referral_world.advocate_a, roles={Role.ADVOCATE}
        )


def test_advocate_closing_sets_closed_at_and_ends_the_loop(referral_world):
    referral = referral_world.referral
    change_status(referral, to=S.CLOSED, by=referral_world.advocate_a, roles={Role.ADVOCATE})
    referral.refresh_from_db()
    assert referral.closed_at is not None
    assert allowed_moves(referral, {Role.ADVOCATE, Role.PROVIDER}) == []


def test_site_admin_may_make_any_move_including_reopening(referral_world):
    referral = referral_world.referral
    admin = referral_world.site_admin
    change_status(referral, to=S.CLOSED, by=admin, roles={Role.ADMIN})
    change_status(referral, to=S.ACCEPTED, by=admin, roles={Role.ADMIN})
    referral.refresh_from_db()
    assert (referral.status, referral.closed_at) == (S.ACCEPTED, None)


def test_roles_follow_agency_and_organization(referral_world):
    referral = referral_world.referral
    assert roles_for(referral_world.advocate_a2, referral) == {Role.ADVOCATE}
    assert roles_for(referral_world.staff_p, referral) == {Role.PROVIDER}
    assert roles_for(referral_world.site_admin, referral) == {Role.ADMIN}
    for other in (referral_world.advocate_b, referral_world.staff_q, referral_world.outsider):
        assert roles_for(other, referral) == set()


def test_referral_without_consent_is_refused(referral_world, make_referral):
    with pytest.raises(TransitionError):
        make_referral(
            agency=referral_world.agency_a,
            sal=referral_world.sal_p,
            by=referral_world.advocate_a,
            consent_given=False,
        )
    assert Referral.objects.count() == 1


def test_events_hold_no_client_fields():
    names = {field.name for field in ReferralEvent._meta.get_fields()}
    assert names.isdisjoint({"client_reference", "contact_value", "contact_method", "note"})


def test_expired_consent_hides_client_data(referral_world):
    referral = referral_world.referral
    assert referral.client_data_available()
    later = timezone.localdate() + timedelta(days=91)
    assert not referral.client_data_available(today=later)
