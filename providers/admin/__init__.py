"""The admin: listings (scoped by role), moderation queue, people. See permissions.py."""

from providers.admin import accounts, locations, organizations, services, suggestions

__all__ = ["accounts", "locations", "organizations", "services", "suggestions"]
