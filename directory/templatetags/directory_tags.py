"""Small display helpers for the public pages."""

import functools

import phonenumbers
from django import template
from django.template import engines
from django.template.loader import get_template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

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


# Markup the same for nearly every visitor (the search form's forty checkboxes and distance
# menu, the main menu, the footer's hotlines), made once per process for each set of inputs
# it shows: the key holds every one of them (with the hotlines' version, changed on
# commit), so nothing can go stale, and none holds a searched place or a listing. A results
# page's template takes 3.6 ms of CPU with them against 5.7 rendering them afresh
# (bench/README.md). Bounded: emptied when full.
_MARKUP: dict[tuple, str] = {}
_MARKUP_MAX = 2048


def _rendered_once(key: tuple, render) -> str:
    html = _MARKUP.get(key)
    if html is None:
        if len(_MARKUP) >= _MARKUP_MAX:
            _MARKUP.clear()
        html = _MARKUP[key] = render()
    return html


class RenderedOnceNode(template.Node):
    def __init__(self, name: str, nodelist, vary_on: list) -> None:
        self.name, self.nodelist, self.vary_on = name, nodelist, vary_on

    def render(self, context) -> str:
        values = tuple(str(value.resolve(context)) for value in self.vary_on)
        if "" in values:  # a version unknown (the shared cache is down): made afresh
            return self.nodelist.render(context)
        key = ("block", self.name, get_language(), *values)
        return _rendered_once(key, lambda: mark_safe(self.nodelist.render(context)))


@register.tag
def rendered_once(parser, token):
    """`{% rendered_once "name" var ... %}...{% endrendered_once %}`: the block made once per
    process for each language and value of the variables, which must be all it depends on
    (never a searched place, a listing or anything of one visitor's); an empty value renders
    it afresh."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("rendered_once needs a name")
    nodelist = parser.parse(("endrendered_once",))
    parser.delete_first_token()
    return RenderedOnceNode(bits[1], nodelist, [parser.compile_filter(bit) for bit in bits[2:]])


def checkbox_options(field) -> list[dict]:
    """A checkbox field's choices as _checkboxes.html shows them: value, label, checked and
    the widget's own id (`id_service_0`). Iterating the bound field builds a widget context
    per choice, several times dearer on the search form's forty checkboxes."""
    chosen = {str(value) for value in field.value() or ()}
    return [
        {
            "value": str(value),
            "label": str(label),
            "checked": str(value) in chosen,
            "id": f"{field.auto_id}_{index}",
        }
        for index, (value, label) in enumerate(field.field.choices)
    ]


@register.simple_tag
def checkboxes(field, hints=None, css_class="") -> str:
    """`_checkboxes.html` for a multiple-choice field of a form (its fieldset of checkboxes),
    rendered once per process for each language, choices, hints, choices checked and errors."""
    options = checkbox_options(field)
    values = [option["value"] for option in options]
    hints = {value: str(hints.get(value, "")) for value in values} if hints else {}
    shown = {
        "auto_id": field.auto_id,
        "html_name": field.html_name,
        "label": str(field.label),
        "errors": tuple(str(error) for error in field.errors),
    }
    key = (
        "checkboxes", get_language(), css_class, *shown.values(),
        tuple(tuple(option.values()) for option in options), tuple(hints.items()),
    )  # fmt: skip
    return _rendered_once(
        key,
        lambda: get_template("directory/_checkboxes.html").render(
            {"field": shown, "options": options, "hints": hints, "class": css_class}
        ),
    )


@register.filter
def widget_once(field) -> str:
    """A choice field's widget (`{{ form.radius }}`), rendered once per process for each
    language, choices, value chosen and errors."""
    key = (
        "widget", get_language(), field.html_name, field.auto_id, str(field.value()),
        tuple((str(value), str(label)) for value, label in field.field.choices),
        tuple(str(error) for error in field.errors),
    )  # fmt: skip
    return _rendered_once(key, lambda: str(field))


@register.simple_tag(takes_context=True)
def result_cards(context, cards) -> str:
    """The `<li>` of each result card (directory/presenters.py's Card): the Jinja2 template
    directory/jinja2/directory/_cards.html, with the advocates' "Add to list" on each."""
    # Imported here: the referrals app imports the presenters, which import this module.
    from referrals.templatetags.referrals_tags import add_to_list, shows_add_to_list

    words = {
        "services": _("Services"),
        "services_here": _("Services at this place"),
        "languages": _("Languages:"),
        "directions": _("Directions"),
    }
    html = (
        engines["jinja2"]
        .get_template("directory/_cards.html")
        .render(
            {
                "cards": cards,
                "words": words,
                # None for the public: no call per card.
                "add_to_list": (
                    functools.partial(add_to_list, context)
                    if shows_add_to_list(context.get("request"))
                    else None
                ),
            }
        )
    )
    return mark_safe(html)  # Jinja2 escaped every value (autoescape)


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
