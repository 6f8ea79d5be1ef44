from django.core.management.base import BaseCommand, CommandError

from providers.importers.federation import FeedError, sync_hsds
from providers.importers.report import ImportFailed


class Command(BaseCommand):
    help = (
        "Read another directory's HSDS API (3.0 or 3.1, every page) into a named source: "
        "records matched by source and id, only changed ones written, organizations and "
        "services gone from the feed retired. All or nothing. See docs/import.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("url", help="the HSDS API root, e.g. https://211.example/api/hsds/")
        parser.add_argument(
            "--source", required=True, help="name of the source (the same every time)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would change; change nothing"
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="sync the good records and leave out invalid ones (default: any invalid "
            "record stops the sync and nothing changes)",
        )
        parser.add_argument(
            "--limit", type=int, default=200, help="report lines to print (default 200; 0: all)"
        )

    def handle(self, *args, **options):
        try:
            report = sync_hsds(
                options["url"],
                source=options["source"],
                dry_run=options["dry_run"],
                skip_invalid=options["skip_invalid"],
            )
            failed = False
        except FeedError as error:
            raise CommandError(f"{error}; nothing was changed.") from None
        except ImportFailed as error:
            report, failed = error.report, True
        self.stdout.write(report.as_text(limit=options["limit"] or None))
        if failed or not report.ok:
            raise CommandError(report.headline())
        style = self.style.WARNING if report.dry_run else self.style.SUCCESS
        self.stdout.write(style(report.headline()))
