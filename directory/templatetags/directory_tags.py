"""Small display helpers for the public pages."""

import functools

import phonenumbers
from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
@functools.lru_cache(maxsize=4096)  # a results page shows the same numbers page after page
def phone_display(number: str) -> str:
    """+12125550100 -> (212) 555-0100; short codes (911, 233733) and odd values stay as given."""
    text = str(number or "").strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) < 10:
        return text
    try:
        parsed = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        return text
    if not phonenumbers.is_possible_number(parsed):
        return text
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if parsed.country_code == 1
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(parsed, style)


@register.filter
def dial_uri(number: str) -> str:
    """tel: link for a number as typed (keeps a leading +, drops spaces and punctuation)."""
    digits = "".join(ch for ch in str(number or "") if ch.isdigit() or ch == "+")
    return f"tel:{digits}"


@register.filter
def text_uri(number: str) -> str:
    digits = "".join(ch for ch in str(number or "") if ch.isdigit() or ch == "+")
    return f"sms:{digits}"


@register.filter
def checkbox_options(field) -> list[dict]:
    """A checkbox field's choices as _checkboxes.html shows them: value, label, checked and
    the widget's own id (`id_service_0`). Iterating the bound field builds a widget context
    per choice, several times dearer on the search form's forty checkboxes."""
    chosen = {str(value) for value in field.value() or ()}
    return [
        {
            "value": value,
            "label": label,
            "checked": str(value) in chosen,
            "id": f"{field.auto_id}_{index}",
        }
        for index, (value, label) in enumerate(field.field.choices)
    ]


@register.filter
def lookup(mapping, key):
    """mapping[key] or "" (for per-choice hints)."""
    if not mapping:
        return ""
    return mapping.get(key, "")


@register.filter
def lang_attr(text) -> str:
    """` lang="en" dir="auto"` on the element of a provider's text shown in its original
    language (a `LocalText` whose `lang` is set), so a screen reader reads it in that voice
    and a right-to-left page sets it left to right; nothing when it is in the reader's."""
    lang = getattr(text, "lang", "")
    if not lang:
        return ""
    return format_html(' lang="{}" dir="auto"', lang)
