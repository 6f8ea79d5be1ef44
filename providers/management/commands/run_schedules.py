"""Enqueue what is due: every federated feed whose interval has passed (FederatedFeed).

Run it every few minutes from cron or a systemd timer (docs/deploy.md). With REDIS_URL the
syncs go to the worker; without, they run here, one after another.
"""

from django.core.management.base import BaseCommand

from providers import jobs
from providers.importers.feeds import enqueue_due


class Command(BaseCommand):
    help = "Enqueue a sync of every federated feed that is due (set in the admin)."

    def handle(self, *args, **options):
        due = enqueue_due()
        where = "enqueued for the worker" if jobs.uses_worker() else "run"
        for feed in due:
            self.stdout.write(f"{feed.source}: sync {where}.")
        self.stdout.write(f"{len(due)} feed(s) due.")
