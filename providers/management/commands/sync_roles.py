"""Re-apply the role groups' permissions (after new models land, or to undo hand edits)."""

from django.core.management.base import BaseCommand

from providers.roles import apply_roles


class Command(BaseCommand):
    help = "Create the Site admins / Editors / Provider staff groups and set their permissions."

    def handle(self, *args, **options):
        missing = apply_roles()
        for code in missing:
            self.stderr.write(self.style.WARNING(f"Permission not found: {code}"))
        self.stdout.write(self.style.SUCCESS("Roles are up to date."))
