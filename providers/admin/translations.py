"""Provider text in other languages in the admin: one box per language and field, stored in
the record's `translations` (providers/translations.py). Plain form fields: no JavaScript."""

from django import forms
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from providers import translations


def field_name(code: str, field: str) -> str:
    return f"translation_{code.replace('-', '_')}_{field}"


def translations_form(model, fields: tuple[str, ...]) -> type[forms.Form]:
    """A form base declaring one optional box per target language and translatable field
    of `model`, which a ModelForm of `model` inherits (see TranslationsFormMixin)."""
    attrs = {}
    for code, language in translations.target_languages():
        for field in fields:
            model_field = model._meta.get_field(field)
            long = isinstance(model_field, models.TextField)
            attrs[field_name(code, field)] = forms.CharField(
                label=format_lazy("{} ({})", model_field.verbose_name, language),
                required=False,
                max_length=model_field.max_length,
                widget=forms.Textarea(attrs={"rows": 3}) if long else forms.TextInput,
            )
    attrs["translated_fields"] = tuple(fields)
    return type(f"{model.__name__}TranslationsForm", (forms.Form,), attrs)


class TranslationsFormMixin:
    """Fills the boxes from `translations` and writes them back on save. Boxes a form does
    not show (an inline's short list of fields) are dropped and leave their texts alone."""

    translated_fields: tuple[str, ...]  # set by the translations_form base

    def _translation_boxes(self):
        for code, _language in translations.target_languages():
            for field in self.translated_fields:
                yield code, field, field_name(code, field)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        shown = self._meta.fields
        stored = self.instance.translations or {}
        for code, field, name in self._translation_boxes():
            if shown is not None and name not in shown:
                del self.fields[name]
            elif name not in self.initial:
                self.initial[name] = (stored.get(code) or {}).get(field, "")

    def _post_clean(self):
        value = {code: dict(texts) for code, texts in (self.instance.translations or {}).items()}
        for code, field, name in self._translation_boxes():
            if name in self.fields and name in self.cleaned_data:
                value.setdefault(code, {})[field] = self.cleaned_data[name]
        self.instance.translations = translations.cleaned(value)
        super()._post_clean()


def translation_fieldsets(fields: tuple[str, ...]) -> list[tuple]:
    """Collapsed fieldsets of the boxes: one per language when a record has several texts,
    else one for all languages."""
    languages = translations.target_languages()
    if len(fields) == 1:
        names = [field_name(code, fields[0]) for code, _language in languages]
        return [(_("In other languages"), {"fields": names, "classes": ["collapse"]})]
    return [
        (
            format_lazy("{}: {}", _("In other languages"), language),
            {"fields": [field_name(code, field) for field in fields], "classes": ["collapse"]},
        )
        for code, language in languages
    ]


class PhoneForm(forms.ModelForm):
    """A phone row of an inline: its note's translations as a small JSON box,
    `{"es": {"note": "…"}}` (a row has room for no more); empty is none."""

    class Meta:
        widgets = {"translations": forms.Textarea(attrs={"rows": 2, "cols": 30})}

    def clean_translations(self):
        return translations.cleaned(self.cleaned_data.get("translations") or {})
