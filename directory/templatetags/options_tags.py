"""The guidance note on a results page: what the chosen kinds of help can do."""

from django import template
from django.http import QueryDict

from directory.options import NOTES, page_url, searched_place

register = template.Library()


@register.simple_tag
def need_notes(form, query: QueryDict) -> dict | None:
    """Notes for the needs searched (names from the form: no query), and a link to them all."""
    chosen = form.cleaned_data.get("service") or []
    names = dict(form.fields["service"].choices)
    notes = [
        {"slug": slug, "name": names[slug], "note": NOTES[slug]}
        for slug in dict.fromkeys(chosen)
        if slug in NOTES and slug in names
    ]
    if not notes:
        return None
    url = page_url("options-help", place=searched_place(query))
    return {"notes": notes, "url": f"{url}#{notes[0]['slug']}"}
