"""Listings that are probably the same provider: pairs proposed by the
finder (providers/duplicates.py) for an editor to merge or keep apart, and the ids of
records merged away, so a re-import of their source finds the kept record."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from providers.models.organizations import Organization


class DuplicatePair(models.Model):
    """Two organizations that look like one provider, with the reasons; `left` has the
    smaller id, so a pair is stored once whichever way it was found."""

    class Decision(models.TextChoices):
        OPEN = "open", _("To review")
        KEPT_APART = "kept_apart", _("Kept apart")
        MERGED = "merged", _("Merged")

    left = models.ForeignKey(
        Organization, verbose_name=_("left"), on_delete=models.CASCADE, related_name="+"
    )
    right = models.ForeignKey(
        Organization, verbose_name=_("right"), on_delete=models.CASCADE, related_name="+"
    )
    score = models.PositiveSmallIntegerField(_("score"))
    reasons = models.JSONField(_("reasons"), default=list)
    decision = models.CharField(
        _("decision"), max_length=12, choices=Decision.choices, default=Decision.OPEN
    )
    found_at = models.DateTimeField(_("found"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-score", "id"]
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        constraints = [
            models.UniqueConstraint(fields=["left", "right"], name="duplicate_unique_pair"),
        ]
        indexes = [models.Index(fields=["decision", "score"], name="duplicate_decision_idx")]

    def __str__(self) -> str:
        return f"{self.left} / {self.right}"

    @property
    def reasons_text(self) -> str:
        return "; ".join(self.reasons)


class MergedRecord(models.Model):
    """A record merged into another: its source and id at the source lead to the kept one.

    The importers read these (providers/importers/writer.py), so importing the merged-away
    record's source again finds the kept record instead of creating the duplicate again.
    """

    class Kind(models.TextChoices):
        ORGANIZATION = "organization", _("Organization")
        SERVICE = "service", _("Service")
        LOCATION = "location", _("Location")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    source = models.CharField(_("source"), max_length=100)
    source_id = models.CharField(_("id at the source"), max_length=250)
    merged_id = models.UUIDField(_("merged record"))
    kept_id = models.UUIDField(_("kept record"))
    merged_at = models.DateTimeField(_("merged"), auto_now_add=True)

    class Meta:
        ordering = ["kind", "source", "source_id"]
        verbose_name = _("merged record")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "source", "source_id"], name="merged_unique_source_id"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.source}:{self.source_id} → {self.kept_id}"
