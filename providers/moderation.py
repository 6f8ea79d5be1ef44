"""Who works for which provider, and what the public suggests we change.

A suggestion holds the proposed values only: never a name, email or network address of
the person who sent it (a survivor may be the one telling us a number is wrong).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffMembership(models.Model):
    """A user who may edit one organization's listing (the "Provider staff" role)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="staff_memberships",
    )
    organization = models.ForeignKey(
        "providers.Organization",
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="staff_memberships",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("provider staff membership")
        ordering = ["organization__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"], name="staff_unique_user_organization"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization}"


class SuggestionQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=Suggestion.Status.PENDING)


class Suggestion(models.Model):
    """A correction to a listing, or a new provider, sent through the public site."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("Correction to a listing")
        NEW_PROVIDER = "new_provider", _("New provider")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        PARTIALLY_ACCEPTED = "partially_accepted", _("Partially accepted")
        REJECTED = "rejected", _("Rejected")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    # For a correction: the row the person was looking at, and its organization (kept for
    # filtering and permissions even if the row is later deleted).
    service_at_location = models.ForeignKey(
        "providers.ServiceAtLocation",
        verbose_name=_("listing"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    organization = models.ForeignKey(
        "providers.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="suggestions",
    )
    proposed = models.JSONField(_("proposed values"), default=dict, blank=True)
    # The public value each proposed field had when the suggestion was sent.
    shown = models.JSONField(_("values shown to the sender"), default=dict, blank=True)
    message = models.TextField(_("what is wrong"), blank=True)
    decisions = models.JSONField(_("decisions per field"), default=dict, blank=True)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [models.Index(fields=["status", "created_at"], name="suggestion_status_idx")]

    def __str__(self) -> str:
        if self.kind == self.Kind.NEW_PROVIDER:
            return str(_("New provider: %(name)s") % {"name": self.proposed.get("name", "?")})
        return str(
            _("Correction to %(name)s") % {"name": self.organization or _("a removed listing")}
        )
