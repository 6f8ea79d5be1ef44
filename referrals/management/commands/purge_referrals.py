"""Remove client details from referrals closed over REFERRAL_PURGE_DAYS ago or past consent.

Run daily (cron). Statuses, dates and needs stay for the counts; the client code, contact
and note are blanked. --dry-run only counts.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from referrals.models import Referral


class Command(BaseCommand):
    help = "Blank client details of referrals closed long enough ago or whose consent expired."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count, change nothing.")

    def handle(self, *args, dry_run: bool = False, **options):
        now = timezone.now()
        due = Referral.objects.purgeable(now=now)
        if dry_run:
            self.stdout.write(f"{due.count()} referral(s) would have client details removed.")
            return
        count = 0
        for referral in due.iterator():
            referral.purge_client_data(now=now)
            count += 1
        self.stdout.write(f"Removed client details from {count} referral(s).")
