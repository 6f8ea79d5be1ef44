"""The admin: listings (scoped by role), moderation queue, people. See permissions.py."""

from providers.admin import (
    accounts,
    duplicates,
    locations,
    organizations,
    reference,
    services,
    suggestions,
)

__all__ = [
    "accounts",
    "duplicates",
    "locations",
    "organizations",
    "reference",
    "services",
    "suggestions",
]

# --- Importers (issue #5): upload → dry-run report → confirm, and the taxonomy mapping. ----
# admin_import registers its own ModelAdmins (ImportRun, TaxonomyMapping).
from providers import admin_import  # noqa: E402, F401
