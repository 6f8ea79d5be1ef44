"""Rewrite the search copies of the listings whose copies differ from their sources.

The triggers keep them right, except when a few pairs of writes commit at the same moment on
PostgreSQL (providers/search_index.py says which). The schedule runs this every 5 minutes
(providers/cron.py, or cron without Redis: docs/deploy.md). Exits with an error when the
triggers themselves are missing: a `migrate` that failed part-way dropped them.
"""

from django.core.management.base import BaseCommand, CommandError

from providers import search_index


class Command(BaseCommand):
    help = "Rewrite the search copies that differ from the rows they copy."

    def handle(self, *args, **options):
        repaired = search_index.repair()
        self.stdout.write(f"Search copies repaired: {repaired} listing(s).")
        missing = search_index.missing_triggers()
        if missing:
            raise CommandError(
                f"Search triggers missing ({', '.join(missing)}): run `manage.py migrate`."
            )
