"""`manage.py load_sample_data [--clear]`: the clearly labelled, made-up sample providers."""

from time import perf_counter

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from providers.sample_data import SampleDataError, clear_sample_data, load_sample_data


class Command(BaseCommand):
    help = (
        "Replace the sample providers (organizations marked as sample data) with a fresh, "
        "identical copy. Records that are not sample data are never touched."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--clear", action="store_true", help="Only remove the sample data; load nothing."
        )

    def handle(self, *args, clear: bool = False, **options):
        started = perf_counter()
        if clear:
            with transaction.atomic():
                removed = clear_sample_data()
            self.stdout.write(self.style.SUCCESS(f"Removed {removed} sample organizations."))
            return
        try:
            counts = load_sample_data()
        except SampleDataError as error:
            raise CommandError(str(error)) from error
        summary = ", ".join(f"{count} {kind}" for kind, count in counts.items())
        seconds = perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"Loaded sample data: {summary} ({seconds:.1f} s)."))
