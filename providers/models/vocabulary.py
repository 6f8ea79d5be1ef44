"""Our taxonomies (needs, victimization types, populations, accessibility), languages
and the national hotlines shown on every public page."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from providers.models.common import Bilingual, _cldr_language_names, _spanish, translated


class TermQuerySet(models.QuerySet):
    def service_types(self):
        return self.filter(kind=Term.Kind.SERVICE_TYPE)

    def victimization_types(self):
        return self.filter(kind=Term.Kind.VICTIMIZATION)

    def populations(self):
        return self.filter(kind=Term.Kind.POPULATION)

    def accessibility_features(self):
        return self.filter(kind=Term.Kind.ACCESSIBILITY)


class Term(Bilingual):
    """A term of one of our taxonomies (HSDS taxonomy_term); the needs list is one of them."""

    class Kind(models.TextChoices):
        SERVICE_TYPE = "service_type", _("Service type")
        VICTIMIZATION = "victimization", _("Victimization type")
        POPULATION = "population", _("Population served")
        ACCESSIBILITY = "accessibility", _("Accessibility")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    slug = models.SlugField(_("slug"), max_length=60)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = TermQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "slug"], name="term_unique_kind_slug"),
        ]


class Language(models.Model):
    """A language by its ISO 639 code (639-1 where one exists, else 639-3, e.g. ASL = ase)."""

    code = models.CharField(_("ISO 639 code"), max_length=8, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    name_es = models.CharField(_("name (Spanish)"), max_length=100, blank=True)
    native_name = models.CharField(_("name in the language"), max_length=100, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def local_name(self) -> str:
        """The name in the reader's language: CLDR's (Babel), else the catalogs', else English."""
        language = get_language() or settings.LANGUAGE_CODE
        if language.startswith("es") and self.name_es:
            return self.name_es
        if language.startswith("en"):
            return self.name
        name = _cldr_language_names(language).get(self.code)
        # CLDR writes some languages' names in lower case ("ruso", "anglais"); in a list
        # of choices they start with a capital.
        return name[:1].upper() + name[1:] if name else translated(self.name)


class Hotline(Bilingual):
    """A national hotline shown on every public page."""

    slug = models.SlugField(unique=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    phone_display = models.CharField(_("phone as shown"), max_length=60, blank=True)
    text_number = models.CharField(_("text number"), max_length=40, blank=True)
    text_keyword = models.CharField(_("text keyword"), max_length=40, blank=True)
    chat_url = models.URLField(_("chat or web"), blank=True)
    hours = models.CharField(_("hours"), max_length=100, blank=True)
    hours_es = models.CharField(_("hours (Spanish)"), max_length=100, blank=True)
    is_emergency = models.BooleanField(_("emergency number"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]

    @property
    def says_its_number(self) -> bool:
        """Whether its name already says its number ("Emergency: 911"): a line that shows the
        name and the number then says the number once."""
        number = self.phone_display or self.phone
        return bool(number) and number in self.local_name

    @property
    def local_hours(self) -> str:
        if _spanish() and self.hours_es:
            return self.hours_es
        return translated(self.hours)
