"""Provider text in more than one language: one JSON column, `translations`, per record.

A record's own columns hold its text in the original language (`ORIGINAL_LANGUAGE`, the
site's `LANGUAGE_CODE`: what providers and imports write). `translations` holds the other
languages, keyed by the codes of `settings.LANGUAGES`, each with the record's translated
fields only: `{"es": {"eligibility": "...", "description": "..."}, "vi": {...}}`. An empty
or missing text means "not translated": the reader gets the original, marked with its
`lang` so a screen reader reads it in the right voice.

Why a JSON column and not a column per language (django-modeltranslation): eleven languages
times the seven texts of `*_FIELDS` below would be 77 columns across four tables, and a
migration for every language added; one column keeps a listing's read to the same join,
and adding a language needs no schema change.
"""

from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

ORIGINAL_LANGUAGE = settings.LANGUAGE_CODE

# The fields each model lets an editor translate (and the API accept in `translations`).
ORGANIZATION_FIELDS = ("description",)
SERVICE_FIELDS = ("description", "eligibility", "how_to_get_help", "cost_note")
LOCATION_FIELDS = ("hours_note",)
PHONE_FIELDS = ("note",)


def target_languages() -> list[tuple[str, str]]:
    """(code, name) of every language a text can be translated into."""
    return [(code, name) for code, name in settings.LANGUAGES if code != ORIGINAL_LANGUAGE]


class LocalText(NamedTuple):
    """A text in the reader's language if it has one, else the original, with `lang` set to
    the original's code (empty when the text is in the reader's language)."""

    text: str
    lang: str

    def __str__(self) -> str:
        return self.text


def local_text(original: str, translations: dict | None, field: str) -> LocalText:
    """`field` of a record in the active language, falling back to the original."""
    language = get_language() or ORIGINAL_LANGUAGE
    if language == ORIGINAL_LANGUAGE or not original and not translations:
        return LocalText(original or "", "")
    translated = ((translations or {}).get(language) or {}).get(field)
    if translated:
        return LocalText(translated, "")
    return LocalText(original or "", ORIGINAL_LANGUAGE if original else "")


@deconstructible
class TranslationsValidator:
    """`translations` holds known languages and this model's translatable fields, as text."""

    def __init__(self, fields: tuple[str, ...]) -> None:
        self.fields = tuple(fields)

    def __call__(self, value) -> None:
        if value in (None, ""):
            return
        if not isinstance(value, dict):
            raise ValidationError(_("Translations must be an object keyed by language code."))
        known = dict(target_languages())
        for language, texts in value.items():
            if language not in known:
                raise ValidationError(
                    _("Unknown language %(code)s: use one of %(codes)s.")
                    % {"code": language, "codes": ", ".join(known)}
                )
            if not isinstance(texts, dict):
                raise ValidationError(
                    _("Translations in %(code)s must be an object of field: text.")
                    % {"code": language}
                )
            for field, text in texts.items():
                if field not in self.fields:
                    raise ValidationError(
                        _("%(field)s cannot be translated here: use %(fields)s.")
                        % {"field": field, "fields": ", ".join(self.fields)}
                    )
                if not isinstance(text, str):
                    raise ValidationError(
                        _("The %(code)s %(field)s must be text.")
                        % {"code": language, "field": field}
                    )

    def __eq__(self, other) -> bool:
        return isinstance(other, TranslationsValidator) and self.fields == other.fields


def cleaned(value):
    """The translations without empty texts or languages (what is stored). Anything not
    shaped as {language: {field: text}} is returned as it is, for the validator to name."""
    if not isinstance(value, dict):
        return value
    result = {}
    for language, texts in value.items():
        if not isinstance(texts, dict):
            result[language] = texts
            continue
        kept = {
            field: text.strip() if isinstance(text, str) else text
            for field, text in texts.items()
            if text is not None and not (isinstance(text, str) and not text.strip())
        }
        if kept:
            result[language] = kept
    return result


def translations_field(fields: tuple[str, ...]):
    """The `translations` column of a model whose `fields` an editor may translate."""
    from django.db import models

    return models.JSONField(
        _("translations"),
        default=dict,
        blank=True,
        validators=[TranslationsValidator(fields)],
        help_text=_('Other languages, e.g. {"es": {"%(field)s": "…"}}.') % {"field": fields[0]},
    )
