"""The weekly stale-listings report, e-mailed to the people who act on it: each active editor
and site admin with an address, one message each. It gives the counts, the oldest listings
first and a link to the admin's stale list; nothing is sent when nothing is stale.

Run by `manage.py stale_listings --email` (the schedule's job, providers/cron.py, or cron).
"""

from collections import Counter

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from providers.models import Status
from providers.permissions import EDITORS, SITE_ADMINS

LISTED = 50  # the oldest this many are named; the rest are counted


def recipients() -> list[str]:
    users = get_user_model().objects.filter(is_active=True, is_staff=True)
    users = users.filter(Q(is_superuser=True) | Q(groups__name__in=[EDITORS, SITE_ADMINS]))
    return sorted({u.email for u in users.distinct() if u.email})


def stale_list_url() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse("admin:providers_organization_changelist")
    return f"{settings.SITE_URL}{path}?verification=stale"


def send_stale_report(organizations: list, *, today, days: int) -> int:
    """E-mail the report on `organizations` (stale, oldest first); returns how many people
    it went to (0, and nothing sent, when the list is empty)."""
    to = recipients()
    if not organizations or not to:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = _message(organizations, today=today, days=days)
    sender = settings.DEFAULT_FROM_EMAIL
    send_mass_mail([(subject, body, sender, [address]) for address in to], fail_silently=False)
    return len(to)


def _message(organizations: list, *, today, days: int) -> tuple[str, str]:
    total = len(organizations)
    subject = ngettext(
        "%(count)d listing not verified in %(days)d days",
        "%(count)d listings not verified in %(days)d days",
        total,
    ) % {"count": total, "days": days}
    by_status = Counter(org.status for org in organizations)
    counts = ", ".join(
        f"{by_status[status]} {status.label.lower()}"
        for status in (Status.PUBLISHED, Status.DRAFT, Status.RETIRED)
        if by_status[status]
    )
    never = sum(1 for org in organizations if org.last_verified_on is None)
    lines = [
        subject + ".",
        _("%(counts)s; %(never)d never verified.") % {"counts": counts, "never": never},
        _("Review them, oldest first, in the admin: %(url)s") % {"url": stale_list_url()},
        "",
    ]
    for org in organizations[:LISTED]:
        if org.last_verified_on is None:
            when = _("never verified")
        else:
            when = _("verified %(date)s (%(days)d days ago)") % {
                "date": org.last_verified_on.isoformat(),
                "days": (today - org.last_verified_on).days,
            }
        lines.append(f"- {org.name} ({org.get_status_display().lower()}): {when}")
    if total > LISTED:
        lines.append(_("... and %(count)d more.") % {"count": total - LISTED})
    return subject, "\n".join(lines) + "\n"
