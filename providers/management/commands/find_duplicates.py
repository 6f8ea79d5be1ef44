"""Propose listings that are probably one provider, for an editor to merge or keep apart.

The imports run the same search for their own organizations; this one looks at the whole
directory (e.g. after editors changed phones or addresses by hand). See docs/admin.md.
"""

from django.core.management.base import BaseCommand

from providers.duplicates import find_duplicates
from providers.models import DuplicatePair


class Command(BaseCommand):
    help = "Find organizations that look like one provider (Admin → Possible duplicates)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=20, help="Pairs to print (0: none).")

    def handle(self, *args, limit, **options):
        found = find_duplicates()
        self.stdout.write(f"{found} possible duplicate{'s' * (found != 1)} to review")
        pairs = DuplicatePair.objects.filter(decision=DuplicatePair.Decision.OPEN)
        for pair in pairs.select_related("left", "right")[: max(limit, 0)]:
            self.stdout.write(
                f"  {pair.score:3d}  {pair.left.name} ({pair.left.source or 'admin'}) / "
                f"{pair.right.name} ({pair.right.source or 'admin'}): {pair.reasons_text}"
            )
