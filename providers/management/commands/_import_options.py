"""Options and output shared by import_hsds and import_csv."""

import sys
from pathlib import Path

from django.core.management.base import CommandError

from providers.importers.runs import run_from_command
from providers.models import Status


def add_import_arguments(parser) -> None:
    parser.add_argument("path", help="the file (or folder) to import")
    parser.add_argument(
        "--source",
        help="name of the source, matched with each record's id on re-import "
        "(default: the package name or the file name)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="report what would change; change nothing"
    )
    parser.add_argument(
        "--skip-invalid",
        action="store_true",
        help="import the good rows and leave out invalid ones (default: any invalid row "
        "stops the import and nothing changes)",
    )
    parser.add_argument(
        "--draft",
        action="store_true",
        help="create new organizations as drafts, to review before they go live "
        "(default: published; existing records keep their status)",
    )
    parser.add_argument(
        "--retire-missing",
        action="store_true",
        help="retire organizations and services of this source that the file no longer has",
    )
    parser.add_argument("--report", metavar="CSV", help="write every report line to this CSV")
    parser.add_argument(
        "--limit", type=int, default=200, help="report lines to print (default 200; 0: all)"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def run_import(command, kind: str, options) -> None:
    """Run the import as a recorded run (Admin → Import runs shows it with its report)."""
    path = Path(options["path"])
    progress = not options["no_progress"] and sys.stderr.isatty()
    report, failed = run_from_command(
        kind,
        path,
        source=options["source"],
        dry_run=options["dry_run"],
        progress=progress,
        skip_invalid=options["skip_invalid"],
        new_status=Status.DRAFT if options["draft"] else Status.PUBLISHED,
        retire_missing=options["retire_missing"],
    )
    limit = options["limit"] or None
    if options["report"]:
        with open(options["report"], "w", newline="", encoding="utf-8") as stream:
            report.write_csv(stream)
    command.stdout.write(report.as_text(limit=limit))
    if failed or not report.ok:  # a dry run with invalid rows fails too, for scripts
        raise CommandError(report.headline())
    style = command.style.WARNING if report.dry_run else command.style.SUCCESS
    command.stdout.write(style(report.headline()))
