"""Models of the importers: how outside taxonomies map onto ours, and a log of import runs.

Imported into providers.models (so they belong to the providers app) at the bottom of it.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from providers.importers.outbound import Refused, check_url


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
    """One upload checked (dry run) or applied from the admin, with its report. Checking and
    applying are jobs (providers/importers/runs.py): the state says where the run is."""

    class Kind(models.TextChoices):
        HSDS = "hsds", _("HSDS data package")
        CSV = "csv", _("Spreadsheet (flat CSV template)")

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting to be checked")
        RUNNING = "running", _("Running")
        CHECKED = "checked", _("Checked (dry run)")
        CONFIRMED = "confirmed", _("Confirmed: waiting to be imported")
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
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
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


class FederatedFeed(models.Model):
    """Another directory's HSDS API, synced into a named source on a schedule an admin sets.

    `manage.py run_schedules` (from cron or a systemd timer) enqueues every feed that is due;
    the sync itself is a job (providers/importers/feeds.py), as `manage.py sync_hsds` is by hand.
    """

    class State(models.TextChoices):
        NEVER = "never", _("Never run")
        QUEUED = "queued", _("Waiting to run")
        RUNNING = "running", _("Running")
        DONE = "done", _("Synced")
        FAILED = "failed", _("Failed: nothing changed")

    source = models.CharField(
        _("source name"),
        max_length=100,
        unique=True,
        help_text=_("Records are matched on this name and their ids: keep it the same."),
    )
    url = models.URLField(
        _("HSDS API root"), max_length=500, help_text=_("e.g. https://211.example/api/hsds/")
    )
    every_hours = models.PositiveIntegerField(
        _("every (hours)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 366)],
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    skip_invalid = models.BooleanField(
        _("leave out invalid records"),
        default=False,
        help_text=_("Otherwise any invalid record stops the sync and nothing changes."),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.NEVER, editable=False
    )
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True, editable=False)
    last_finished_at = models.DateTimeField(
        _("last finished"), null=True, blank=True, editable=False
    )
    last_summary = models.TextField(_("last result"), blank=True, editable=False)
    last_report = models.JSONField(_("last report"), default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["source"]
        verbose_name = _("federated feed")

    def __str__(self) -> str:
        return self.source

    def clean(self) -> None:
        """Only a feed on the public internet: an address on our own network (Redis on
        127.0.0.1, a cloud's metadata service, a private host) is refused here, and again,
        redirects included, whenever the feed is read (outbound.py)."""
        super().clean()
        if self.url:
            try:
                check_url(self.url)
            except Refused as refused:
                raise ValidationError({"url": str(refused)}) from None

    def is_due(self, *, now) -> bool:
        if not self.enabled:
            return False
        return self.last_run_at is None or now >= self.last_run_at + timedelta(
            hours=self.every_hours
        )
