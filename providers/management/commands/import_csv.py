from django.core.management.base import BaseCommand, CommandError

from providers.importers.package import PackageError
from providers.management.commands._import_options import add_import_arguments, run_import
from providers.models import ImportRun


class Command(BaseCommand):
    help = (
        "Import a spreadsheet (CSV) in the flat template: one row per location, lists in a cell "
        "separated by semicolons. See docs/import.md and fixtures/example_providers.csv."
    )

    def add_arguments(self, parser):
        add_import_arguments(parser)

    def handle(self, *args, **options):
        try:
            run_import(self, ImportRun.Kind.CSV, options)
        except PackageError as error:
            raise CommandError(str(error)) from None
