"""Build the stored provider rows that are marked to be built (providers/stored_rows.py)."""

from time import perf_counter

from django.core.management.base import BaseCommand

from api.provider_rows import store_rows
from providers.stored_rows import mark_all


class Command(BaseCommand):
    help = (
        "Build and store the API rows of listings changed since they were stored (writes "
        "through the site do this themselves; run it after raw SQL, a restore or loaddata)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all", action="store_true", help="rebuild every listing's row, not only those marked"
        )

    def handle(self, *args, all: bool = False, **options):
        started = perf_counter()
        if all:
            mark_all()
        count = store_rows()
        self.stdout.write(f"Stored {count} provider rows in {perf_counter() - started:.1f} s.")
