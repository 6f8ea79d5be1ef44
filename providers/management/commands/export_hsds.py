from django.core.management.base import BaseCommand

from providers.importers.export import export_hsds


class Command(BaseCommand):
    help = (
        "Write the published directory as an HSDS 3.0 data package: CSV files and "
        "datapackage.json in a folder, or a .zip if PATH ends in .zip. Confidential locations "
        "are written without street address or coordinates."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="a folder to create, or a file ending in .zip")
        parser.add_argument("--name", default="resource-map", help="the package name")

    def handle(self, *args, **options):
        counts = export_hsds(options["path"], name=options["name"])
        for file, count in counts.items():
            if count:
                self.stdout.write(f"  {file}: {count} rows")
        self.stdout.write(self.style.SUCCESS(f"Exported to {options['path']}."))
