"""Models of the importers: how outside taxonomies map onto ours, and a log of import runs.

Imported into providers.models (so they belong to the providers app) at the bottom of it.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TaxonomyMapping(models.Model):
    """One rule: an outside taxonomy term (AIRS/211 code, Open Eligibility name, free tag)
    means one of our terms. A rule without a term marks the outside term as known but with
    no equivalent, so the import report stops listing it as unmapped.

    Exact-name rules win; otherwise every matching code and keyword rule applies.
    """

    class Match(models.TextChoices):
        NAME = "name", _("Name is exactly")
        CODE = "code", _("Code is, or starts with")
        KEYWORD = "keyword", _("Name contains the words")

    match = models.CharField(_("match"), max_length=10, choices=Match.choices)
    pattern = models.CharField(
        _("pattern"),
        max_length=200,
        help_text=_(
            "A code such as FT-3600 (also matches FT-3600.1234), an exact name, or words "
            "(end a word with * to match its start: counsel* matches counseling)."
        ),
    )
    taxonomy = models.CharField(
        _("only in taxonomy"),
        max_length=100,
        blank=True,
        help_text=_("Apply only to terms whose taxonomy name contains this; blank for any."),
    )
    term = models.ForeignKey(
        "providers.Term",
        verbose_name=_("our term"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Leave empty to mark the outside term as known, with no equivalent."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    is_default = models.BooleanField(
        _("shipped default"), default=False, help_text=_("Loaded from the default mapping.")
    )

    class Meta:
        ordering = ["match", "pattern", "id"]
        verbose_name = _("taxonomy mapping")
        constraints = [
            models.UniqueConstraint(
                fields=["match", "pattern", "taxonomy", "term"], name="taxmap_unique_rule"
            ),
        ]

    def __str__(self) -> str:
        target = self.term.name if self.term_id else _("(no equivalent)")
        return f"{self.get_match_display()} {self.pattern!r} → {target}"


class ImportRun(models.Model):
    """One upload checked (dry run) or applied from the admin or a command, with its report."""

    class Kind(models.TextChoices):
        HSDS = "hsds", _("HSDS data package")
        CSV = "csv", _("Spreadsheet (flat CSV template)")

    class State(models.TextChoices):
        CHECKED = "checked", _("Checked (dry run)")
        APPLIED = "applied", _("Applied")
        FAILED = "failed", _("Failed: nothing changed")
        DISCARDED = "discarded", _("Discarded")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    source = models.CharField(_("source"), max_length=100)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    stored_path = models.CharField(_("stored upload"), max_length=500, blank=True)
    options = models.JSONField(_("options"), default=dict, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    report = models.JSONField(_("report"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import run")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name or self.source} ({self.state})"
