import sys

from django.core.management.base import BaseCommand

from providers.importers.export_flat import export_csv


class Command(BaseCommand):
    help = (
        "Write the published directory as a spreadsheet in the flat template (the columns "
        "import_csv reads). Confidential locations have no street address or coordinates."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the CSV file to write, or - for standard output")

    def handle(self, *args, **options):
        if options["path"] == "-":
            count = export_csv(sys.stdout)
        else:
            with open(options["path"], "w", newline="", encoding="utf-8") as stream:
                count = export_csv(stream)
            self.stdout.write(self.style.SUCCESS(f"Wrote {count} rows to {options['path']}."))
