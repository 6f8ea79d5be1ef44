"""`{% add_to_list sal %}`: the Add to list button for a search result (a ServiceAtLocation or
a result card), advocates only.

Drop it into any result card (public search included): it renders nothing for the public,
and asks the database at most once per request whatever the number of results.
"""

import functools
from datetime import time

from django import template
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from directory.http import signed_in
from providers.hours import local_now
from referrals.access import agency_of
from referrals.list_views import active_list, add_anchor

register = template.Library()


def _list_in_use(request) -> tuple[bool, object, set]:
    """(an advocate's page?, their list in use or None, the listings on it): asked of the
    database once per request (cached on the user) whatever the number of results."""
    # signed_in() does not touch a visitor's session: their page is the same as without tags.
    if request is None or not signed_in(request) or agency_of(request.user) is None:
        return False, None, set()
    resource_list = active_list(request)
    user = request.user
    if not hasattr(user, "_referrals_on_list"):
        user._referrals_on_list = (
            set(resource_list.items.values_list("service_at_location_id", flat=True))
            if resource_list
            else set()
        )
    return True, resource_list, user._referrals_on_list


def shows_add_to_list(request) -> bool:
    """Whether this page's result cards carry "Add to list" (an advocate's page)."""
    return _list_in_use(request)[0]


@register.simple_tag(takes_context=True)
def add_to_list(context, sal) -> str:
    request = context.get("request")
    show, resource_list, on_list = _list_in_use(request)
    if not show:  # the public: nothing, without rendering a template per card
        return ""
    return render_to_string(
        "referrals/_add_to_list.html",
        {
            "show": show,
            "pk": sal.pk,
            # A result card (its listing) or a ServiceAtLocation.
            "name": sal.listing["name"] if hasattr(sal, "listing") else sal.service.name,
            "anchor": add_anchor(sal),
            "resource_list": resource_list,
            "on_list": sal.pk in on_list,
            "next": request.get_full_path() if request is not None else "",
            "csrf_token": context.get("csrf_token"),
        },
    )


@register.inclusion_tag("referrals/_list_in_use.html", takes_context=True)
def list_in_use(context):
    """Which list "Add to list" adds to, above an advocate's results (nothing for the public)."""
    show, resource_list, on_list = _list_in_use(context.get("request"))
    return {"show": show, "resource_list": resource_list, "count": len(on_list)}


@register.filter
@functools.lru_cache(maxsize=4096)
def phone_display(number: str) -> str:
    """A stored number as people read it: +12125550100 becomes (212) 555-0100. Kept per
    process: a results page shows a hundred numbers, the same ones page after page."""
    import phonenumbers

    try:
        parsed = phonenumbers.parse(number, "US")
    except phonenumbers.NumberParseException:
        return number
    if not phonenumbers.is_possible_number(parsed):
        return number
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if parsed.country_code == 1
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(parsed, style)


@register.filter
def hours_today(card) -> str:
    """A result's hours today, in its place's time zone and the page's language: "Today: 9 a.m.
    – 5 p.m.", "Open 24 hours, 7 days", "Closed today", or "" when no hours are listed (the
    card then says "Hours not listed")."""
    location = card.location
    if location["open_24_7"]:
        return _("Open 24 hours, 7 days")
    if not card.listing["hours"]:
        return ""
    day = local_now(tz_name=location["timezone"], now=timezone.now()).isoweekday()
    periods = [period for period in card.listing["hours"] if period["weekday"] == day]
    if not periods:
        # Open now with nothing today: a night that began yesterday ("Open now" says it).
        return "" if card.open_now else _("Closed today")
    today = ", ".join(
        f"{time_format(time.fromisoformat(period['opens_at']))}"
        f" – {time_format(time.fromisoformat(period['closes_at']))}"
        for period in periods
    )
    return _("Today: %(today)s") % {"today": today}
