from django.core.management.base import BaseCommand

from providers.importers.mapping import load_default_mapping


class Command(BaseCommand):
    help = (
        "Add the shipped default taxonomy mapping rules (fixtures/taxonomy_mapping.json) that "
        "are missing. Rules edited or added in the admin are left alone."
    )

    def handle(self, *args, **options):
        created = load_default_mapping()
        self.stdout.write(self.style.SUCCESS(f"{created} default mapping rules added."))
