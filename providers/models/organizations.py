"""Providers: the agencies or programmes a person would call."""

import uuid
from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from providers.models.common import Sourced, Status
from providers.translations import ORGANIZATION_FIELDS, translations_field

OLDEST_VERIFIED_FIRST = (models.F("last_verified_on").asc(nulls_first=True), "name")


class OrganizationQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED)

    def stale(self, *, today: date | None = None, days: int | None = None):
        days = settings.STALE_AFTER_DAYS if days is None else days
        cutoff = (today or timezone.localdate()) - timedelta(days=days)
        return self.filter(
            models.Q(last_verified_on__isnull=True) | models.Q(last_verified_on__lt=cutoff)
        )


class Organization(Sourced):
    """A provider: the agency or programme a person would call."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=250)
    alternate_name = models.CharField(_("alternate name"), max_length=250, blank=True)
    description = models.TextField(_("description"), blank=True)
    translations = translations_field(ORGANIZATION_FIELDS)
    website = models.URLField(_("website"), blank=True, max_length=500)
    email = models.EmailField(_("email"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    last_verified_on = models.DateField(_("last verified"), null=True, blank=True)
    last_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # True when the provider itself confirmed the listing through an e-mailed link
    # (providers/confirmations.py), not an editor.
    verified_by_provider = models.BooleanField(_("confirmed by the provider"), default=False)
    # When a confirmation link was last used (to confirm or to correct): it is in the signed
    # link, so using a link spends it and every other link sent before.
    confirm_link_used_at = models.DateTimeField(
        _("confirmation link last used"), null=True, blank=True, editable=False
    )
    is_sample = models.BooleanField(
        _("sample data"), default=False, help_text=_("Made-up listing used for demonstration.")
    )

    objects = OrganizationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["source", "source_id"], name="org_source_idx"),
            # The listing without a place (search.listing) walks organizations by name:
            # a page of 20 at 100k listings in 3 ms instead of sorting them all (130 ms).
            models.Index(fields=["name"], name="org_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def is_stale(self, *, today: date | None = None) -> bool:
        if self.last_verified_on is None:
            return True
        cutoff = (today or timezone.localdate()) - timedelta(days=settings.STALE_AFTER_DAYS)
        return self.last_verified_on < cutoff

    def save(self, *args, **kwargs):
        whole = kwargs.get("update_fields") is None and not kwargs.get("force_insert")
        if whole and not self._state.adding and self.pk is not None:
            # Only providers/confirmations.py spend() writes the link stamp (compared and set
            # in one UPDATE): a whole save of a row read before a link was spent (an editor's
            # form, a suggestion accepted) would write the old stamp back and revive the link.
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name != "confirm_link_used_at"
            ]
        super().save(*args, **kwargs)

    def mark_verified(self, *, user, on: date | None = None, by_provider: bool = False) -> None:
        self.last_verified_on = on or timezone.localdate()
        self.last_verified_by = user
        self.verified_by_provider = by_provider
        fields = ["last_verified_on", "last_verified_by", "verified_by_provider", "updated_at"]
        self.save(update_fields=fields)
