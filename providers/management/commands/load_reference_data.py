from django.core.management.base import BaseCommand

from providers.reference_data import load_reference_data


class Command(BaseCommand):
    help = "Create or update the needs list, other taxonomies, languages and national hotlines."

    def handle(self, *args, **options):
        counts = load_reference_data()
        summary = ", ".join(f"{count} {kind}" for kind, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Reference data loaded: {summary}."))
