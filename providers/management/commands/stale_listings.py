"""List the listings nobody has verified for a while (default settings.STALE_AFTER_DAYS).

Retired listings are left out (they are not shown); drafts are included unless
--published-only. Oldest first, never-verified at the top. With --email the report also goes
to every editor and site admin (providers/stale_report.py): the schedule's weekly job.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from providers.importers.safe_csv import SafeDictWriter
from providers.models import OLDEST_VERIFIED_FIRST, Organization, Status
from providers.stale_report import send_stale_report

COLUMNS = ["name", "status", "last_verified_on", "days_since", "verified_by", "id"]


class Command(BaseCommand):
    help = "Print the listings not verified for --days days (a table, or --format csv)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="Default: STALE_AFTER_DAYS.")
        parser.add_argument("--format", choices=["table", "csv"], default="table")
        parser.add_argument("--published-only", action="store_true")
        parser.add_argument(
            "--email",
            action="store_true",
            help="Also e-mail the report to the editors and site admins (none if none stale).",
        )

    def handle(self, *args, days, format, published_only, email, **options):
        days = settings.STALE_AFTER_DAYS if days is None else days
        if days < 0:
            raise CommandError("--days must be zero or more.")
        today = timezone.localdate()
        listings = (
            Organization.objects.stale(today=today, days=days)
            .exclude(status=Status.RETIRED)
            .select_related("last_verified_by")
            .order_by(*OLDEST_VERIFIED_FIRST)
        )
        if published_only:
            listings = listings.filter(status=Status.PUBLISHED)
        listings = list(listings)
        if email:
            sent = send_stale_report(listings, today=today, days=days)
            # on stderr beside a CSV on stdout
            (self.stderr if format == "csv" else self.stdout).write(
                f"E-mailed to {sent} editor(s) and site admin(s)."
            )
        rows = [
            {
                "name": org.name,
                "status": org.status,
                "last_verified_on": org.last_verified_on.isoformat()
                if org.last_verified_on
                else "",
                "days_since": (
                    str((today - org.last_verified_on).days) if org.last_verified_on else "never"
                ),
                "verified_by": org.last_verified_by.get_username() if org.last_verified_by else "",
                "id": str(org.pk),
            }
            for org in listings
        ]
        if format == "csv":
            writer = SafeDictWriter(
                self.stdout, fieldnames=COLUMNS, numeric=("days_since",), lineterminator="\n"
            )
            writer.writeheader()
            writer.writerows(rows)
            return
        self._table(rows, days)

    def _table(self, rows, days):
        if not rows:
            self.stdout.write(f"No listings unverified for more than {days} days.")
            return
        widths = {c: max(len(c), *(len(r[c]) for r in rows)) for c in COLUMNS}
        widths["name"] = min(widths["name"], 50)
        line = "  ".join(c.ljust(widths[c]) for c in COLUMNS)
        self.stdout.write(line)
        self.stdout.write("  ".join("-" * widths[c] for c in COLUMNS))
        for row in rows:
            cells = {**row, "name": row["name"][:50]}
            self.stdout.write("  ".join(cells[c].ljust(widths[c]) for c in COLUMNS))
        self.stdout.write(f"\n{len(rows)} listing(s) not verified for more than {days} days.")
