"""Asking a provider to confirm its listing: a signed, expiring link sent by e-mail.

The link carries the organization's id and the date it was last verified, signed with
Django's TimestampSigner: it expires after CONFIRM_LINK_DAYS, and confirming (which moves
the date) spends it. Confirming records a verification by the provider; corrections go to
the moderation queue as public suggestions do.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from providers import jobs
from providers.models import Organization

CONFIRM_LINK_DAYS = 14
_SALT = "providers.confirm-listing"


class InvalidLink(ValueError):
    """The link was altered, has expired, or was already used to confirm."""


def make_token(organization: Organization) -> str:
    verified = organization.last_verified_on.isoformat() if organization.last_verified_on else ""
    return signing.TimestampSigner(salt=_SALT).sign(f"{organization.pk}_{verified}")


def organization_for(token: str) -> Organization:
    """The organization a link is for. Raises InvalidLink."""
    max_age = CONFIRM_LINK_DAYS * 24 * 3600
    try:
        value = signing.TimestampSigner(salt=_SALT).unsign(token, max_age=max_age)
    except signing.BadSignature as error:  # SignatureExpired is a BadSignature
        raise InvalidLink(str(error)) from error
    pk, _sep, verified = value.partition("_")
    organization = Organization.objects.filter(pk=pk).first()
    if organization is None:
        raise InvalidLink("no such organization")
    now = organization.last_verified_on.isoformat() if organization.last_verified_on else ""
    if now != verified:
        raise InvalidLink("already confirmed")
    return organization


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
    URL. The link is made now: it is spent by a verification made after this moment."""
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
