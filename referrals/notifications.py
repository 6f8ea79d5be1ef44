"""Emails that say only that something happened, with a link: never client details.

A message may be read on a shared or watched device, or forwarded: it names no client,
no provider, no need and no status. Each is sent by a job (providers/jobs.py) enqueued when
the referral's transaction commits, so a rolled-back change tells no one.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from providers import jobs
from referrals.models import Referral

logger = logging.getLogger(__name__)


def referral_url(referral) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse("referrals:referral-detail", kwargs={"pk": referral.pk})
    return f"{settings.SITE_URL}{path}"


def _provider_addresses(referral) -> list[str]:
    users = get_user_model().objects.filter(
        is_active=True, staff_memberships__organization_id=referral.organization_id
    )
    return sorted({u.email for u in users if u.email})


def _agency_addresses(referral) -> list[str]:
    creator = referral.created_by
    if creator is not None and creator.is_active and creator.email:
        return [creator.email]
    users = get_user_model().objects.filter(
        is_active=True, agency_membership__agency_id=referral.agency_id
    )
    return sorted({u.email for u in users if u.email})


def _send(*, subject: str, intro: str, referral, to: list[str]) -> None:
    body = "\n\n".join(
        [
            intro,
            _("Sign in to read it: %(url)s") % {"url": referral_url(referral)},
            _("This message holds no client details on purpose."),
        ]
    )
    # One message per person, so no one learns who else was told.
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in to]
    try:
        send_mass_mail(messages, fail_silently=False)
    except OSError:
        # The referral is saved and visible on the dashboards; a mail outage must not undo it.
        logger.exception("Referral notification could not be sent")


def new_referral(referral) -> None:
    """A job, once the referral is committed: the web request does not wait for the mail."""
    jobs.enqueue_on_commit(send_new_referral, referral.pk)


def status_changed(referral, *, by) -> None:
    """Tell the other side: provider moves go to the advocate, advocate moves to the provider."""
    jobs.enqueue_on_commit(send_status_changed, referral.pk, by_id=by.pk if by else None)


def send_new_referral(referral_id) -> None:
    referral = Referral.objects.filter(pk=referral_id).first()
    if referral is None:
        return
    with translation.override(settings.LANGUAGE_CODE):
        _send(
            subject=_("New referral"),
            intro=_("There is a new referral for your organization."),
            referral=referral,
            to=_provider_addresses(referral),
        )


def send_status_changed(referral_id, *, by_id=None) -> None:
    referral = Referral.objects.select_related("created_by").filter(pk=referral_id).first()
    if referral is None:
        return
    by = get_user_model().objects.filter(pk=by_id).first() if by_id else None
    to = set(_agency_addresses(referral)) | set(_provider_addresses(referral))
    if by is not None and by.email:
        to.discard(by.email)
    with translation.override(settings.LANGUAGE_CODE):
        _send(
            subject=_("Referral updated"),
            intro=_("A referral's status changed."),
            referral=referral,
            to=sorted(to),
        )
