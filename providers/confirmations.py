"""Asking a provider to confirm its listing: a signed, expiring link sent by e-mail.

The link carries the organization's id, the date it was last verified and when a link was
last used, signed with Django's TimestampSigner (as PasswordResetTokenGenerator signs the last
login): it expires after CONFIRM_LINK_DAYS, and using it, to confirm or to send a correction,
moves the time of use and so spends it, and every link sent before it, even the same day.
Confirming records a verification by the provider; corrections go to the moderation queue as
public suggestions do.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from providers import jobs
from providers.models import Organization

CONFIRM_LINK_DAYS = 14
_SALT = "providers.confirm-listing"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class InvalidLink(ValueError):
    """The link was altered, has expired, or was already used (to confirm or correct)."""


def _state(organization: Organization) -> str:
    """What the link signs besides the id: the date last verified, and the time a link was
    last used (`confirm_link_used_at`), so it changes when a link is used or an editor verifies
    on another day. Until a first use it is the date alone, as links made before migration
    0023 signed, so those keep working until one is used."""
    verified = organization.last_verified_on.isoformat() if organization.last_verified_on else ""
    used = organization.confirm_link_used_at
    if used is None:
        return verified
    return f"{verified}_{(used - _EPOCH) // timedelta(microseconds=1)}"


def make_token(organization: Organization) -> str:
    """A new link's token: valid CONFIRM_LINK_DAYS days, until any link of the organization
    is used or it is verified on another day (`_state`)."""
    return signing.TimestampSigner(salt=_SALT).sign(f"{organization.pk}_{_state(organization)}")


def organization_for(token: str) -> Organization:
    """The organization a link is for. Raises InvalidLink."""
    max_age = CONFIRM_LINK_DAYS * 24 * 3600
    try:
        value = signing.TimestampSigner(salt=_SALT).unsign(token, max_age=max_age)
    except signing.BadSignature as error:  # SignatureExpired is a BadSignature
        raise InvalidLink(str(error)) from error
    pk, _sep, state = value.partition("_")
    organization = Organization.objects.filter(pk=pk).first()
    if organization is None:
        raise InvalidLink("no such organization")
    if _state(organization) != state:
        raise InvalidLink("already used")
    return organization


def spend(organization: Organization) -> None:
    """Use the link `organization` was found by (organization_for): no link made before now
    works any more. Raises InvalidLink when another request spent it first."""
    now = timezone.now()
    unused = Organization.objects.filter(
        pk=organization.pk,
        last_verified_on=organization.last_verified_on,
        confirm_link_used_at=organization.confirm_link_used_at,
    )
    if not unused.update(confirm_link_used_at=now):
        raise InvalidLink("already used")
    organization.confirm_link_used_at = now


@transaction.atomic
def confirm(organization: Organization) -> None:
    """The provider says its listing is right: verified today, by the provider."""
    organization._change_reason = "Confirmed by the provider (e-mailed link)"
    organization.mark_verified(user=None, by_provider=True)


@dataclass
class Sent:
    sent: list[Organization]
    without_email: list[Organization]


def ask_to_confirm(organizations, *, link_for) -> Sent:
    """E-mail each organization its link (a job each); `link_for(token)` makes the absolute
    URL. The link is made now: it is spent by its use, by the use of any link made before
    it, and by a verification on a later day."""
    result = Sent(sent=[], without_email=[])
    for organization in organizations:
        if not organization.email:
            result.without_email.append(organization)
            continue
        jobs.enqueue(send_confirmation_request, organization.pk, link_for(make_token(organization)))
        result.sent.append(organization)
    return result


def send_confirmation_request(organization_id, link: str) -> None:
    """Job: the e-mail asking one provider to confirm its listing."""
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None or not organization.email:
        return
    with translation.override(settings.LANGUAGE_CODE):
        body = _(
            "Hello,\n\nPeople looking for help find %(name)s in our directory. Please check "
            "that your listing is still right, and confirm it or tell us what changed:\n\n"
            "%(link)s\n\nThe link works for %(days)d days. No account is needed.\n"
        ) % {"name": organization.name, "link": link, "days": CONFIRM_LINK_DAYS}
        subject = _("Please confirm your listing: %(name)s") % {"name": organization.name}
    send_mail(subject, body, None, [organization.email])
