from django.core.management.base import BaseCommand, CommandError

from providers.importers.package import PackageError
from providers.management.commands._import_options import add_import_arguments, run_import
from providers.models import ImportRun


class Command(BaseCommand):
    help = (
        "Import an HSDS tabular data package (3.0, or the older 1.x/2.0 layout) from a folder "
        "or a .zip. Re-importing updates records matched by source and id. See docs/import.md."
    )

    def add_arguments(self, parser):
        add_import_arguments(parser)

    def handle(self, *args, **options):
        try:
            run_import(self, ImportRun.Kind.HSDS, options)
        except PackageError as error:
            raise CommandError(str(error)) from None
