"""Admin for the importers: upload a file, read the dry-run report, confirm (or discard).
The same import code as the management commands runs underneath, as jobs
(providers/importers/runs.py): the upload and the confirm answer at once with a link to the
run, whose page shows its progress, then its report. Also the editable taxonomy mapping and
the federated feeds synced on a schedule. Hooked into the admin by one import in
providers/admin/__init__.py.
"""

import shutil
import uuid
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from providers import jobs
from providers.admin.forms import URL_FIELD_OVERRIDES
from providers.importers import feeds, runs
from providers.importers.models import FederatedFeed
from providers.importers.package import Package, PackageError
from providers.importers.report import Report
from providers.models import (
    ImportRun,
    Location,
    Organization,
    Service,
    Status,
    TaxonomyMapping,
)
from providers.permissions import is_editor

MB = 1024 * 1024
REFRESH_S = 3  # the page of a run still queued or running reloads itself (no script needed)


def can_import(user) -> bool:
    """Editors and site admins: an import creates, changes and publishes whole directories,
    which provider staff may not do (see providers/permissions.py)."""
    return user.is_active and user.is_staff and is_editor(user)


def upload_dir() -> Path:
    return Path(getattr(settings, "IMPORT_UPLOAD_DIR", Path(settings.BASE_DIR) / "var" / "imports"))


def max_upload_mb() -> int:
    return getattr(settings, "IMPORT_MAX_UPLOAD_MB", 50)


def _too_large() -> str:
    return _("The file is larger than %(mb)s MB: use the import command.") % {"mb": max_upload_mb()}


class SizeLimitedUpload(FileUploadHandler):
    """Stops storing an uploaded file as soon as it passes IMPORT_MAX_UPLOAD_MB: the rest of
    the request is read and dropped, so the browser still gets the page saying why."""

    def __init__(self, request, *, max_bytes: int) -> None:
        super().__init__(request)
        self.max_bytes = max_bytes
        self.refused = False

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.max_bytes:
            self.refused = True
            raise StopUpload(connection_reset=False)
        return raw_data  # on to Django's own handler, which stores it

    def file_complete(self, file_size):
        return None


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What is it?"), choices=ImportRun.Kind.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("HSDS: a .zip of the package's CSV files. Spreadsheet: a .csv file."),
    )
    source = forms.CharField(
        label=_("Source name"),
        max_length=100,
        required=False,
        help_text=_(
            "Records are matched on this name and their ids when the same source is imported "
            "again. Default: the package or file name."
        ),
    )
    skip_invalid = forms.BooleanField(
        label=_("Leave out invalid rows (otherwise any invalid row stops the import)"),
        required=False,
    )
    draft = forms.BooleanField(
        label=_("Create new organizations as drafts, to review before they go live"),
        required=False,
    )
    retire_missing = forms.BooleanField(
        label=_("Retire organizations and services of this source that the file no longer has"),
        required=False,
    )

    def __init__(self, *args, refused: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.refused = refused  # the upload was too large and was stopped part-way
        if refused:
            self.fields["file"].required = False

    def clean(self):
        data = super().clean()
        if self.refused:
            self.add_error("file", _too_large())
            return data
        upload, kind = data.get("file"), data.get("kind")
        if upload and kind:
            suffix = Path(upload.name).suffix.lower()
            expected = ".zip" if kind == ImportRun.Kind.HSDS else ".csv"
            if suffix != expected:
                self.add_error("file", _("Expected a %(suffix)s file.") % {"suffix": expected})
            if upload.size > max_upload_mb() * MB:
                self.add_error("file", _too_large())
        return data


def _options(data: dict) -> dict:
    return {
        "skip_invalid": bool(data.get("skip_invalid")),
        "new_status": Status.DRAFT if data.get("draft") else Status.PUBLISHED,
        "retire_missing": bool(data.get("retire_missing")),
    }


def _check_readable(kind: str, stored: Path) -> None:
    """Refuse at once what no job could read (not a zip, a zip bomb): a form error.
    Raises PackageError. Reading the rows is the job's work."""
    with Package(stored if kind == ImportRun.Kind.HSDS else stored.parent, Report()):
        pass


def run_result(run: ImportRun) -> str:
    """The run's state; for an applied run, what it changed in a few words, from the counts
    its report stored ("Applied: 12 added, 3 changed, 1 retired", "Applied: no changes")."""
    if run.state != ImportRun.State.APPLIED:
        return run.get_state_display()
    counts = (run.report or {}).get("counts")
    if counts is None:  # a run stored before its report kept the counts
        if run.summary.startswith("Import applied: nothing changed"):
            return _("Applied: no changes")
        return run.get_state_display()
    tally = Report.tally(counts)
    if not tally:
        return _("Applied: no changes")
    words = {
        "added": lambda n: ngettext("%(n)d added", "%(n)d added", n),
        "changed": lambda n: ngettext("%(n)d changed", "%(n)d changed", n),
        "retired": lambda n: ngettext("%(n)d retired", "%(n)d retired", n),
        # New or changed: the writers replace an owner's phones, hours and links.
        "written": lambda n: ngettext("%(n)d detail written", "%(n)d details written", n),
    }
    parts = [words[key](tally[key]) % {"n": tally[key]} for key in words if tally[key]]
    # What was removed is named, apart: "details" alone would hide a hotline number the source
    # dropped, or a service no longer listed at a location.
    removed_words = {
        "phones": lambda n: ngettext("%(n)d phone", "%(n)d phones", n),
        "opening_hours": lambda n: ngettext("%(n)d opening period", "%(n)d opening periods", n),
        "service_at_location": lambda n: ngettext(
            "%(n)d service-at-location link", "%(n)d service-at-location links", n
        ),
    }
    removed = {table: counts.get(table, {}).get("removed", 0) for table in Report.REMOVED_TABLES}
    named = [removed_words[table](n) % {"n": n} for table, n in removed.items() if n]
    if others := tally["removed"] - sum(removed.values()):
        named.append(ngettext("%(n)d other detail", "%(n)d other details", others) % {"n": others})
    changes = ", ".join(parts)
    if named:
        removal = _("%(removed)s removed") % {"removed": ", ".join(named)}
        changes = (
            _("%(changes)s; %(removed)s") % {"changes": changes, "removed": removal}
            if parts
            else removal
        )
    return _("Applied: %(changes)s") % {"changes": changes}


def removed_sections(report: dict) -> list[dict]:
    """What the run removed, by table, with how many more were not named; each row with a
    link to the record it was removed from (`url`: "" for a record deleted since, or a run
    stored before its report kept the reference)."""
    labels = {
        "phones": _("Phones"),
        "opening_hours": _("Opening hours"),
        "service_at_location": _("Service-at-location links"),
    }
    named = Report.removed_named(report.get("counts"), report.get("removed"))
    urls = _owner_urls([_reference(row) for _table, rows, _n in named for row in rows])
    return [
        {
            "label": labels[table],
            "rows": [{**row, "url": urls.get(_reference(row), "")} for row in rows],
            "total": total,
            "more": total - len(rows),
        }
        for table, rows, total in named
    ]


_OWNERS = {"organization": Organization, "service": Service, "location": Location}


def _reference(row: dict) -> str:
    """A removed row's record ("location:<id>"); "" where a report edited by hand has none."""
    reference = row.get("reference")
    return reference if isinstance(reference, str) else ""


def _owner_urls(references: list[str]) -> dict[str, str]:
    """The admin pages of the records the references name ("location:<id>") that still
    exist: one query for each kind of record."""
    wanted = defaultdict(set)
    for reference in references:
        kind, _colon, pk = reference.partition(":")
        if kind in _OWNERS and pk:
            wanted[kind].add(pk)
    urls = {}
    for kind, pks in wanted.items():
        model = _OWNERS[kind]
        try:
            found = model.objects.filter(pk__in=pks).values_list("pk", flat=True)
            for pk in found:
                urls[f"{kind}:{pk}"] = reverse(f"admin:providers_{kind}_change", args=[pk])
        except ValidationError:  # not an id (a report edited by hand)
            continue
    return urls


def _forget_stale_uploads() -> None:
    """Uploads checked but never confirmed are deleted after a day."""
    cutoff = timezone.now() - timedelta(days=1)
    for run in ImportRun.objects.filter(state=ImportRun.State.CHECKED, created_at__lt=cutoff):
        runs.discard_upload(run)
        run.state = ImportRun.State.DISCARDED
        run.save(update_fields=["stored_path", "state", "updated_at"])


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = [
        "created_at", "kind", "file_name", "source", "result", "rows_read", "created_by",
    ]  # fmt: skip
    list_filter = ["kind", "state"]
    fields = [
        "kind", "file_name", "source", "state", "rows_read", "summary", "created_by",
        "created_at", "finished_at",
    ]  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return can_import(request.user) or super().has_view_permission(request, obj)

    @admin.display(description=_("state"), ordering="state")
    def result(self, run: ImportRun) -> str:
        return run_result(run)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("upload/", view(self.upload_view), name="providers_importrun_upload"),
            path("<uuid:run_id>/review/", view(self.review_view),
                 name="providers_importrun_review"),
            path("<uuid:run_id>/confirm/", view(require_POST(self.confirm_view)),
                 name="providers_importrun_confirm"),
            path("<uuid:run_id>/discard/", view(require_POST(self.discard_view)),
                 name="providers_importrun_discard"),
            *super().get_urls(),
        ]  # fmt: skip

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return HttpResponseRedirect(reverse("admin:providers_importrun_review", args=[object_id]))

    def changelist_view(self, request, extra_context=None):
        extra = {"can_import": can_import(request.user), **(extra_context or {})}
        return super().changelist_view(request, extra_context=extra)

    def _context(self, request, **extra):
        return {**self.admin_site.each_context(request), "opts": self.model._meta, **extra}

    # The size limit must be in place before anything reads the body, the CSRF check
    # included: the check runs inside instead (Django's documented way).
    @method_decorator(csrf_exempt)
    def upload_view(self, request):
        if not can_import(request.user):
            raise PermissionDenied
        limit = SizeLimitedUpload(request, max_bytes=max_upload_mb() * MB)
        request.upload_handlers.insert(0, limit)
        return self._upload(request, limit)

    @method_decorator(csrf_protect)
    def _upload(self, request, limit: SizeLimitedUpload):
        form = UploadForm(request.POST or None, request.FILES or None, refused=limit.refused)
        if request.method == "POST" and form.is_valid():
            _forget_stale_uploads()
            upload = form.cleaned_data["file"]
            folder = upload_dir() / uuid.uuid4().hex
            folder.mkdir(parents=True, exist_ok=True)
            stored = folder / (get_valid_filename(Path(upload.name).name) or "upload")
            with open(stored, "wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            try:
                _check_readable(form.cleaned_data["kind"], stored)
            except PackageError as error:
                shutil.rmtree(folder, ignore_errors=True)
                form.add_error("file", str(error))
            else:
                run = ImportRun.objects.create(
                    kind=form.cleaned_data["kind"], state=ImportRun.State.QUEUED,
                    source=form.cleaned_data["source"].strip(), file_name=upload.name[:255],
                    stored_path=str(stored), options=_options(form.cleaned_data),
                    created_by=request.user,
                )  # fmt: skip
                jobs.enqueue_on_commit(runs.check_import, run.pk)
                return HttpResponseRedirect(
                    reverse("admin:providers_importrun_review", args=[run.pk])
                )
        context = self._context(request, title=_("Import a directory"), form=form)
        return TemplateResponse(request, "admin/providers/importrun/upload.html", context)

    def _get_run(self, request, run_id) -> ImportRun:
        if not (can_import(request.user) or self.has_view_permission(request)):
            raise PermissionDenied
        return get_object_or_404(ImportRun, pk=run_id)

    def review_view(self, request, run_id):
        run = self._get_run(request, run_id)
        report = run.report or {}
        waiting = run.state in (
            ImportRun.State.QUEUED, ImportRun.State.RUNNING, ImportRun.State.CONFIRMED
        )  # fmt: skip
        context = self._context(
            request,
            title=_("Import report"),
            run=run,
            result=run_result(run),
            report=report,
            removed=removed_sections(report),
            waiting=waiting,
            refresh_s=REFRESH_S if waiting else None,
            rows_read=runs.rows_read(run),
            # A dry run from the command line (manage.py import_hsds) kept no upload.
            can_confirm=(
                run.state == ImportRun.State.CHECKED
                and run.stored_path
                and report.get("ok")
                and can_import(request.user)
            ),
            can_discard=(
                run.state == ImportRun.State.CHECKED
                and run.stored_path
                and can_import(request.user)
            ),
        )
        return TemplateResponse(request, "admin/providers/importrun/review.html", context)

    def confirm_view(self, request, run_id):
        if not can_import(request.user):
            raise PermissionDenied
        claimed = ImportRun.objects.filter(pk=run_id, state=ImportRun.State.CHECKED).update(
            state=ImportRun.State.CONFIRMED, updated_at=timezone.now()
        )  # one confirm only, however many clicks
        run = self._get_run(request, run_id)
        if not claimed or not Path(run.stored_path or "/").is_file():
            raise Http404("This upload has already been used or discarded.")
        jobs.enqueue_on_commit(runs.apply_import, run.pk, user_id=request.user.pk)
        return HttpResponseRedirect(reverse("admin:providers_importrun_review", args=[run.pk]))

    def discard_view(self, request, run_id):
        if not can_import(request.user):
            raise PermissionDenied
        run = self._get_run(request, run_id)
        if run.state == ImportRun.State.CHECKED:
            runs.discard_upload(run)
            run.state = ImportRun.State.DISCARDED
            run.save()
            self.message_user(request, _("The upload was discarded; nothing was imported."))
        return HttpResponseRedirect(reverse("admin:providers_importrun_changelist"))


@admin.register(TaxonomyMapping)
class TaxonomyMappingAdmin(admin.ModelAdmin):
    list_display = ["pattern", "match", "term", "taxonomy", "note", "is_default"]
    list_filter = ["match", "term__kind", "is_default"]
    search_fields = ["pattern", "note", "term__name"]
    fields = ["match", "pattern", "taxonomy", "term", "note"]
    list_select_related = ["term"]
    ordering = ["match", "pattern"]


@admin.register(FederatedFeed)
class FederatedFeedAdmin(admin.ModelAdmin):
    """Other directories' HSDS APIs, synced every N hours by `manage.py run_schedules` (or the
    RQ cron process) as jobs; editors and site admins set them, as they may import."""

    list_display = ["source", "url", "every_hours", "enabled", "state", "last_run_at",
                    "last_summary"]  # fmt: skip
    list_filter = ["enabled", "state"]
    fields = ["source", "url", "every_hours", "enabled", "skip_invalid", "state",
              "last_run_at", "last_finished_at", "last_summary", "last_report_lines"]  # fmt: skip
    readonly_fields = ["state", "last_run_at", "last_finished_at", "last_summary",
                       "last_report_lines"]  # fmt: skip
    actions = ["sync_now"]
    formfield_overrides = URL_FIELD_OVERRIDES

    def _allowed(self, request) -> bool:
        return can_import(request.user)

    def has_module_permission(self, request):
        return self._allowed(request) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request) or super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)

    @admin.display(description=_("last report"))
    def last_report_lines(self, feed: FederatedFeed) -> str:
        lines = (feed.last_report or {}).get("summary") or []
        return format_html("<pre>{}</pre>", "\n".join(lines)) if lines else "-"

    @admin.action(description=_("Sync now (as a job)"), permissions=["change"])
    def sync_now(self, request, queryset):
        for feed in queryset:
            feeds.enqueue_sync(feed)
        count = len(queryset)
        self.message_user(
            request,
            ngettext("%d sync enqueued.", "%d syncs enqueued.", count) % count,
            messages.SUCCESS,
        )
