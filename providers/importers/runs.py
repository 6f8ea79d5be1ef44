"""An admin upload's two jobs: the dry run (check) and, once confirmed, the real import (apply).

Both run on the job queue (providers/jobs.py), so the upload and the confirm answer at once.
A run moves queued -> running -> checked | applied | failed; while it runs, the rows read so
far are kept in the cache (shared by every process with Redis) for its page to show.
"""

import shutil
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from providers.importers.csv_flat import import_csv
from providers.importers.hsds import import_hsds
from providers.importers.package import Package, PackageError
from providers.importers.report import ImportFailed, Report
from providers.models import ImportRun

IMPORTERS = {ImportRun.Kind.HSDS: import_hsds, ImportRun.Kind.CSV: import_csv}
SHOWN_ISSUES = 500
PROGRESS_TTL_S = 24 * 3600


def progress_key(run_id) -> str:
    return f"import-run-rows:{run_id}"


def rows_read(run: ImportRun) -> int:
    """Rows read so far: the live count while it runs, the final one after."""
    if run.state == ImportRun.State.RUNNING:
        return cache.get(progress_key(run.pk), run.rows_read)
    return run.rows_read


def discard_upload(run: ImportRun) -> None:
    if run.stored_path:
        shutil.rmtree(Path(run.stored_path).parent, ignore_errors=True)
        run.stored_path = ""


def _start(run_id, *, expected: str) -> ImportRun | None:
    """Claim a queued run for this job (a second delivery of the same job finds it taken)."""
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.state != expected:
            return None
        run.state = ImportRun.State.RUNNING
        run.save(update_fields=["state", "updated_at"])
    return run


def _execute(run: ImportRun, *, dry_run: bool, user=None) -> bool:
    """Run the importer on the stored upload; store the report. True if it succeeded."""
    key = progress_key(run.pk)

    def on_rows(count: int) -> None:
        cache.set(key, count, PROGRESS_TTL_S)

    try:
        report = IMPORTERS[run.kind](
            Path(run.stored_path),
            source=run.source or None,
            dry_run=dry_run,
            user=user,
            on_rows=on_rows,
            **run.options,
        )
    except ImportFailed as failure:
        report = failure.report
    except PackageError as error:
        run.summary = str(error)
        run.report = {}
        return False
    finally:
        cache.delete(key)
    run.source = report.source
    run.summary = report.headline()
    run.report = report.to_dict(limit=SHOWN_ISSUES)
    run.rows_read = report.rows_read
    return report.ok if dry_run else report.applied


def check_import(run_id) -> None:
    """Job: the dry run of a new upload; the run then waits for an editor to confirm."""
    run = _start(run_id, expected=ImportRun.State.QUEUED)
    if run is None:
        return
    try:
        ok = _execute(run, dry_run=True)
    except BaseException:
        run.state, run.summary = ImportRun.State.FAILED, "The check stopped with an error."
        discard_upload(run)
        run.finished_at = timezone.now()
        run.save()
        raise
    run.state = ImportRun.State.CHECKED if ok or run.report else ImportRun.State.FAILED
    if run.state == ImportRun.State.FAILED:
        discard_upload(run)
    run.finished_at = timezone.now()
    run.save()


def apply_import(run_id, *, user_id=None) -> None:
    """Job: the confirmed import, all or nothing; the upload is deleted after."""
    run = _start(run_id, expected=ImportRun.State.CONFIRMED)
    if run is None:
        return
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    try:
        applied = _execute(run, dry_run=False, user=user)
        run.state = ImportRun.State.APPLIED if applied else ImportRun.State.FAILED
    except BaseException:
        run.state, run.summary = ImportRun.State.FAILED, "The import stopped with an error."
        raise
    finally:
        discard_upload(run)
        run.finished_at = timezone.now()
        run.save()


def check_readable(kind: str, path: Path) -> None:
    """Refuse at once what no import could read (a missing file, not a zip, not a .csv), as
    the upload form does: no run is recorded for it. Raises PackageError."""
    if kind == ImportRun.Kind.CSV and (path.suffix.lower() != ".csv" or not path.is_file()):
        raise PackageError(f"{path.name} is not a .csv file.")
    with Package(path if kind == ImportRun.Kind.HSDS else path.parent, Report()):
        pass


def run_from_command(kind: str, path: Path, *, dry_run: bool, progress: bool, **options):
    """An import from the command line (manage.py import_hsds / import_csv), recorded as a
    run with its report, as an upload's is, so the admin lists it and opens its report.
    Returns (report, failed); a package that cannot be read raises PackageError (a file
    that cannot be opened at all before any run is recorded)."""
    check_readable(kind, path)
    source = options.pop("source", None)
    run = ImportRun.objects.create(
        kind=kind,
        state=ImportRun.State.RUNNING,
        source=(source or "")[:100],
        file_name=str(path)[-255:],
        options=options,
    )
    key = progress_key(run.pk)

    def on_rows(count: int) -> None:
        cache.set(key, count, PROGRESS_TTL_S)

    failed = False
    try:
        report = IMPORTERS[kind](
            path, source=source, dry_run=dry_run, progress=progress, on_rows=on_rows, **options
        )
    except ImportFailed as failure:
        report, failed = failure.report, True
    except PackageError as error:
        run.state, run.summary = ImportRun.State.FAILED, str(error)
        raise
    except BaseException:
        run.state, run.summary = ImportRun.State.FAILED, "The import stopped with an error."
        raise
    else:
        ok = report.ok if dry_run else report.applied
        applied = ImportRun.State.CHECKED if dry_run else ImportRun.State.APPLIED
        run.state = applied if ok else ImportRun.State.FAILED
    finally:
        cache.delete(key)
        run.finished_at = timezone.now()
        if run.state == ImportRun.State.RUNNING:  # ImportFailed: nothing changed
            run.state = ImportRun.State.FAILED
        if not run.summary:
            run.source = report.source[:100] or run.source
            run.summary = report.headline()
            run.report = report.to_dict(limit=SHOWN_ISSUES)
            run.rows_read = report.rows_read
        run.save()
    return report, failed
