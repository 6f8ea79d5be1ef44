"""A referral's life: sending, the allowed status moves for each role, and who is told."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from referrals import notifications
from referrals.access import Role
from referrals.models import Referral, ReferralEvent
from referrals.models import ReferralStatus as S

# The provider works the referral; the advocate closes the loop (or withdraws it).
PROVIDER_MOVES: dict[str, tuple[str, ...]] = {
    S.SENT: (S.RECEIVED, S.ACCEPTED, S.DECLINED),
    S.RECEIVED: (S.ACCEPTED, S.DECLINED),
    S.ACCEPTED: (S.CLIENT_CONTACTED, S.COULD_NOT_REACH, S.HELP_RECEIVED),
    S.CLIENT_CONTACTED: (S.HELP_RECEIVED, S.COULD_NOT_REACH),
    S.COULD_NOT_REACH: (S.CLIENT_CONTACTED, S.HELP_RECEIVED),
    S.HELP_RECEIVED: (),
    S.DECLINED: (),
    S.CLOSED: (),
}


class TransitionError(ValueError):
    """A status move this person may not make now; `message` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def allowed_moves(referral: Referral, roles: set[str]) -> list[str]:
    """Statuses this person may move the referral to, in workflow order."""
    allowed: set[str] = set()
    if Role.ADMIN in roles:
        allowed.update(s for s in S.values if s != referral.status)
    if Role.PROVIDER in roles:
        allowed.update(PROVIDER_MOVES[referral.status])
    if Role.ADVOCATE in roles and referral.status != S.CLOSED:
        allowed.add(S.CLOSED)
    return [s for s in S.values if s in allowed]


def _record(referral: Referral, *, status: str, by, reason: str = "") -> ReferralEvent:
    return ReferralEvent.objects.create(referral=referral, status=status, reason=reason, by=by)


def send_referral(*, referral: Referral, needs, by) -> Referral:
    """Save a new referral (built by the form, consent checked) and tell the provider."""
    if not referral.consent_given:
        raise TransitionError(_("A referral needs the client's consent."))
    with transaction.atomic():
        referral.created_by = by
        referral.status = S.SENT
        referral.organization = referral.service_at_location.service.organization
        referral.save()
        referral.needs.set(needs)
        _record(referral, status=S.SENT, by=by)
    notifications.new_referral(referral)
    return referral


def change_status(
    referral: Referral, *, to: str, by, roles: set[str], reason: str = ""
) -> ReferralEvent:
    """Move the referral to `to` if this person may, record who and when, tell the other side."""
    if to not in S.values:
        raise TransitionError(_("Unknown status."))
    if to not in allowed_moves(referral, roles):
        raise TransitionError(
            _("A referral that is “%(current)s” cannot be moved to “%(to)s” by you.")
            % {"current": referral.get_status_display(), "to": S(to).label}
        )
    if to == S.DECLINED and not reason:
        raise TransitionError(_("Say why the referral is declined."))
    if to != S.DECLINED:
        reason = ""
    with transaction.atomic():
        referral.status = to
        referral.decline_reason = reason if to == S.DECLINED else referral.decline_reason
        referral.closed_at = timezone.now() if to == S.CLOSED else None
        referral.save(update_fields=["status", "decline_reason", "closed_at", "updated_at"])
        event = _record(referral, status=to, by=by, reason=reason)
    notifications.status_changed(referral, by=by)
    return event


def mark_received(referral: Referral, *, by) -> None:
    """Provider staff opening a new referral acknowledges it."""
    if referral.status == S.SENT:
        change_status(referral, to=S.RECEIVED, by=by, roles={Role.PROVIDER})
