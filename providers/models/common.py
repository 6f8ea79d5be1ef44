"""What every part of the directory shares: publication status, the two-language
vocabulary base and where an imported record came from."""

from functools import lru_cache

from babel import Locale, UnknownLocaleError
from django.db import models
from django.utils.translation import get_language, gettext, to_locale
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


def _spanish() -> bool:
    return (get_language() or "").startswith("es")


def translated(text: str) -> str:
    """A vocabulary text in the active language: the catalogs translate the fixtures' texts.

    Spanish may come from the database's *_es column instead (see Bilingual); a text no
    catalog knows (a term an admin added) stays as it is.
    """
    return gettext(text) if text else ""


@lru_cache(maxsize=64)
def _cldr_language_names(language: str) -> dict[str, str]:
    try:
        return dict(Locale.parse(to_locale(language)).languages)
    except (ValueError, UnknownLocaleError):
        return {}


class Bilingual(models.Model):
    """A name and description in English and Spanish, read in the active language.

    Other languages translate the English through the catalogs (`translated`).
    """

    name = models.CharField(_("name"), max_length=200)
    name_es = models.CharField(_("name (Spanish)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_es = models.TextField(_("description (Spanish)"), blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def local_name(self) -> str:
        if _spanish() and self.name_es:
            return self.name_es
        return translated(self.name)

    @property
    def local_description(self) -> str:
        if _spanish() and self.description_es:
            return self.description_es
        return translated(self.description)


class Sourced(models.Model):
    """Where an imported record came from, so a re-import updates instead of duplicating."""

    source = models.CharField(_("source"), max_length=100, blank=True)
    source_id = models.CharField(_("id at the source"), max_length=250, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True
