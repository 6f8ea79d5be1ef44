"""The search form: a GET form (no CSRF token, no session, no cookie), checked field by field.

Anything a person (or a mangled link) puts in the URL ends as a friendly message next to the
field, never an exception.
"""

import math

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from providers.filter_choices import filter_choices
from providers.models import Cost, Term
from providers.search import Filters

RADIUS_CHOICES_MI = (5, 10, 25, 50, 100)
PLACE_MAX_LENGTH = 120

_PICK_FROM_LIST = _("Choose from the list.")


def radius_label(miles: int) -> str:
    return ngettext("%(miles)d mile", "%(miles)d miles", miles) % {"miles": miles}


class TermChoiceField(forms.MultipleChoiceField):
    """Checkboxes of taxonomy terms by slug, labelled in the page's language."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("error_messages", {"invalid_choice": _PICK_FROM_LIST})
        super().__init__(**kwargs)


_FILTER_KINDS = {
    "service": Term.Kind.SERVICE_TYPE,
    "victimization": Term.Kind.VICTIMIZATION,
    "population": Term.Kind.POPULATION,
}


class SearchForm(forms.Form):
    near = forms.CharField(
        label=_("ZIP code, or city and state"),
        help_text=_("For example: 10001, or Houston, TX"),
        max_length=PLACE_MAX_LENGTH,
        required=False,
        strip=True,
        error_messages={
            "max_length": _("That is too long for a place. Type a ZIP code or a city and state.")
        },
        # No autocomplete: the browser would otherwise remember every place typed here.
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    # Filled by "Use my location" (JavaScript), already rounded to about 100 m.
    lat = forms.CharField(required=False, widget=forms.HiddenInput)
    lng = forms.CharField(required=False, widget=forms.HiddenInput)
    radius = forms.TypedChoiceField(
        label=_("Distance"),
        choices=[(miles, miles) for miles in RADIUS_CHOICES_MI],
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": _PICK_FROM_LIST},
    )
    service = TermChoiceField(label=_("What kind of help are you looking for?"))
    victimization = TermChoiceField(label=_("What happened"))
    population = TermChoiceField(label=_("Who it serves"))
    language = TermChoiceField(label=_("Languages spoken"))
    free = forms.BooleanField(label=_("Free services only"), required=False)
    open = forms.BooleanField(label=_("Open now"), required=False)

    def __init__(self, data=None, **kwargs) -> None:
        if data is not None and not data.get("radius"):
            # The distance searched is the one the form shows as chosen.
            data = data.copy()
            data["radius"] = str(self.default_radius())
        super().__init__(data, **kwargs)
        self.fields["radius"].initial = self.default_radius()
        # Labels are made here, per request, so they follow the page's language.
        self.fields["radius"].choices = [(mi, radius_label(mi)) for mi in RADIUS_CHOICES_MI]
        # The rows come from the cache; their labels are made here, in the page's language.
        self.terms, self.languages = filter_choices()
        terms = self.terms
        # The needs list explains each choice in plain words under its label.
        self.service_hints = {
            t.slug: t.local_description for t in terms if t.kind == Term.Kind.SERVICE_TYPE
        }
        for name, kind in _FILTER_KINDS.items():
            self.fields[name].choices = [(t.slug, t.local_name) for t in terms if t.kind == kind]
        self.fields["language"].choices = [
            (language.code, language.local_name) for language in self.languages
        ]

    @staticmethod
    def default_radius() -> int:
        default = settings.SEARCH_DEFAULT_RADIUS_MI
        return default if default in RADIUS_CHOICES_MI else 25

    def _coordinate(self, name: str, limit: float) -> float | None:
        raw = self.cleaned_data.get(name) or ""
        if not raw:
            return None
        try:
            value = float(raw)
        except ValueError:
            return math.nan
        return value if math.isfinite(value) and -limit <= value <= limit else math.nan

    def clean(self) -> dict:
        data = super().clean()
        data["point"] = None
        if data.get("near") or "near" in self.errors:
            # A typed place wins over coordinates left in the URL by an earlier search.
            pass
        elif self.data.get("lat") or self.data.get("lng"):
            lat, lng = self._coordinate("lat", 90), self._coordinate("lng", 180)
            if lat is None or lng is None or math.isnan(lat) or math.isnan(lng):
                self.add_error(
                    "near", _("We could not read your location. Type a ZIP code or a city instead.")
                )
            else:
                data["point"] = (round(lat, 3), round(lng, 3))
        else:
            self.add_error(
                "near", _("Type a ZIP code, or a city and state, to search near that place.")
            )
        if data.get("radius") is None:
            data["radius"] = self.default_radius()
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            services=tuple(data.get("service") or ()),
            victimizations=tuple(data.get("victimization") or ()),
            populations=tuple(data.get("population") or ()),
            languages=tuple(data.get("language") or ()),
            costs=(Cost.FREE,) if data.get("free") else (),
            open_now=bool(data.get("open")),
        )

    def has_more_filters(self) -> bool:
        """Whether the folded "More filters" group holds a choice (then it opens)."""
        if not self.is_bound:
            return False
        return any(
            self.data.get(name)
            for name in ("victimization", "population", "language", "free", "open")
        )

    def radius_choices_wider(self, current: int) -> list[int]:
        return [miles for miles in RADIUS_CHOICES_MI if miles > current]
