"""django-axes' lockout page (settings.AXES_LOCKOUT_CALLABLE), in the look of the sign-in the
person used: the admin's, or the referrals sign-in's for advocates and provider staff."""

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import ngettext

from directory.http import send_referrer_policy


def _cool_off_text() -> str:
    hours = settings.AXES_COOLOFF_TIME  # whole hours (AXES_COOLOFF_HOURS)
    return ngettext("%(hours)d hour", "%(hours)d hours", hours) % {"hours": hours}


def locked_out(request, original_response=None, credentials=None):
    match = getattr(request, "resolver_match", None)
    referrals = match is not None and match.app_name == "referrals"
    template = "referrals/locked_out.html" if referrals else settings.AXES_LOCKOUT_TEMPLATE
    context = {
        "cooloff_time": _cool_off_text(),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
    }
    response = render(request, template, context, status=settings.AXES_HTTP_RESPONSE_CODE)
    return send_referrer_policy(request, response)
