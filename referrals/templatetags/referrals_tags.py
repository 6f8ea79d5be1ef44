"""`{% add_to_list sal %}`: the Add to list button for a search result, advocates only.

Drop it into any result card (public search included): it renders nothing for the public,
and asks the database at most once per request whatever the number of results.
"""

from django import template

from referrals.access import agency_of

register = template.Library()


@register.inclusion_tag("referrals/_add_to_list.html", takes_context=True)
def add_to_list(context, sal):
    request = context.get("request")
    user = getattr(request, "user", None)
    show = bool(user is not None and user.is_authenticated and agency_of(user) is not None)
    return {
        "show": show,
        "sal": sal,
        "next": request.get_full_path() if request is not None else "",
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def phone_display(number: str) -> str:
    """A stored number as people read it: +12125550100 becomes (212) 555-0100."""
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
