"""Put a management command on the job queue, e.g. `manage.py enqueue purge_referrals`.

For cron on a site with a worker: the command then runs in the worker, not in cron's shell.
Without REDIS_URL it runs at once, here.
"""

from django.core.management import get_commands
from django.core.management.base import BaseCommand, CommandError

from providers import jobs

ALLOWED = {
    "purge_referrals",
    "stale_listings",
    "run_schedules",
    "sync_hsds",
    "repair_search_copies",
}


class Command(BaseCommand):
    help = "Enqueue a command as a job: " + ", ".join(sorted(ALLOWED)) + "."

    def add_arguments(self, parser):
        parser.add_argument("command", help="the command's name")
        parser.add_argument("arguments", nargs="*", help="its arguments (after --)")

    def handle(self, *args, command: str, **options):
        if command not in ALLOWED or command not in get_commands():
            raise CommandError(f"{command!r} cannot be enqueued; one of {sorted(ALLOWED)}.")
        jobs.enqueue(jobs.run_command, command, *options["arguments"])
        done = "enqueued" if jobs.uses_worker() else "run"
        self.stdout.write(f"{command} {done}.")
