"""How to reach a listing: phones and weekly opening hours."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from providers.models.locations import Location
from providers.models.organizations import Organization
from providers.models.services import Service
from providers.translations import PHONE_FIELDS, translations_field

_NOT_DIALLED = re.compile(r"[^0-9+]")


def dialled(number: str) -> str:
    """The digits and "+" of a number, as a tel: or sms: URI dials them (any Unicode digit
    that str.isdigit() accepts; the regular expression is the quick way for ASCII)."""
    if number.isascii():
        return _NOT_DIALLED.sub("", number)
    return "".join(ch for ch in number if ch.isdigit() or ch == "+")


class Phone(models.Model):
    """A number to call or text, attached to an organization, service or location."""

    class Kind(models.TextChoices):
        VOICE = "voice", _("Call")
        TEXT = "text", _("Text")
        HOTLINE = "hotline", _("Hotline")
        TTY = "tty", _("TTY")
        FAX = "fax", _("Fax")

    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    number = models.CharField(_("number"), max_length=40)
    extension = models.CharField(_("extension"), max_length=10, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.VOICE)
    note = models.CharField(_("note"), max_length=200, blank=True)
    translations = translations_field(PHONE_FIELDS)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.number

    @property
    def tel_uri(self) -> str:
        return f"tel:{dialled(self.number)}" + (f";ext={self.extension}" if self.extension else "")

    @property
    def sms_uri(self) -> str:
        return f"sms:{dialled(self.number)}"


class Weekday(models.IntegerChoices):
    MONDAY = 1, _("Monday")
    TUESDAY = 2, _("Tuesday")
    WEDNESDAY = 3, _("Wednesday")
    THURSDAY = 4, _("Thursday")
    FRIDAY = 5, _("Friday")
    SATURDAY = 6, _("Saturday")
    SUNDAY = 7, _("Sunday")


class OpeningHours(models.Model):
    """One opening period on one weekday, in the location's time zone.

    A period that closes before it opens runs past midnight into the next day.
    """

    # No index of its own: hours_open_idx leads with the location.
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="hours", db_index=False
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens_at = models.TimeField(_("opens"))
    closes_at = models.TimeField(_("closes"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["weekday", "opens_at"]
        verbose_name_plural = _("opening hours")
        indexes = [
            models.Index(fields=["weekday", "opens_at"], name="hours_day_idx"),
            # "Open now" reads a listing's periods from the index alone, per listing it
            # reaches (providers/hours.py open_now_q), as do the listings' hours.
            models.Index(
                fields=["location", "weekday", "opens_at", "closes_at"], name="hours_open_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}-{self.closes_at:%H:%M}"

    def clean(self) -> None:
        if self.opens_at == self.closes_at:
            raise ValidationError(_("Opening and closing times must differ."))
