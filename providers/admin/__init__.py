"""The admin: listings (scoped by role), moderation queue, people. See permissions.py."""

from providers.admin import accounts, locations, organizations, reference, services, suggestions

__all__ = ["accounts", "locations", "organizations", "reference", "services", "suggestions"]
