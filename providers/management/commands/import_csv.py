from django.core.management.base import BaseCommand, CommandError

from providers.importers.csv_flat import import_csv
from providers.importers.package import PackageError
from providers.management.commands._import_options import add_import_arguments, run_import


class Command(BaseCommand):
    help = (
        "Import a spreadsheet (CSV) in the flat template: one row per location, lists in a cell "
        "separated by semicolons. See docs/import.md and fixtures/example_providers.csv."
    )

    def add_arguments(self, parser):
        add_import_arguments(parser)

    def handle(self, *args, **options):
        try:
            run_import(self, import_csv, options)
        except PackageError as error:
            raise CommandError(str(error)) from None
