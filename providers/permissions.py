"""Roles and the object-level rules every interface asks (admin, API, pages).

Three roles, each a Django group (created by migration 0004, definitions in roles.py):

- Site admins: everything, including users, groups and staff memberships.
- Editors: every listing, the moderation queue, verification; no user management.
- Provider staff: only the organizations they are a member of (StaffMembership). With
  settings.REQUIRE_REVIEW (the default) their edits to a live listing are saved and shown
  (phones, hours, addresses, descriptions: they know them best, and every change is in the
  history), but they cannot make anything public: publishing or un-retiring an organization
  or a service needs an editor, and a service they add starts as a draft. They may take
  their own listing down (draft or retired), because a closed shelter must be able to leave
  the directory at once. They cannot mark a listing verified.

Superusers count as site admins. An inactive user has no role.
"""

from django.conf import settings
from django.db.models import QuerySet

from providers.models import Organization, Status

SITE_ADMINS = "Site admins"
EDITORS = "Editors"
PROVIDER_STAFF = "Provider staff"


def _in_group(user, name: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    # One query per request: the names are cached on the user object.
    if not hasattr(user, "_role_names"):
        user._role_names = set(user.groups.values_list("name", flat=True))
    return name in user._role_names


def is_site_admin(user) -> bool:
    return bool(getattr(user, "is_active", False) and user.is_superuser) or _in_group(
        user, SITE_ADMINS
    )


def is_editor(user) -> bool:
    """Editors and site admins: may edit every listing and moderate suggestions."""
    return is_site_admin(user) or _in_group(user, EDITORS)


def is_provider_staff(user) -> bool:
    return _in_group(user, PROVIDER_STAFF)


def organizations_for(user) -> QuerySet[Organization]:
    """The organizations `user` may see and edit in the admin."""
    if is_editor(user):
        return Organization.objects.all()
    if is_provider_staff(user):
        return Organization.objects.filter(staff_memberships__user=user).distinct()
    return Organization.objects.none()


def can_edit_organization(user, organization: Organization) -> bool:
    if is_editor(user):
        return True
    if not is_provider_staff(user) or organization is None or organization._state.adding:
        return False
    return organization.staff_memberships.filter(user=user).exists()


def can_publish(user, organization: Organization | None = None) -> bool:
    """May `user` make (part of) `organization` public: publish, un-retire, add live."""
    if is_editor(user):
        return True
    if settings.REQUIRE_REVIEW or organization is None:
        return False
    return can_edit_organization(user, organization)


def can_verify(user) -> bool:
    """Marking a listing verified is an editor's check, not the provider's own word."""
    return is_editor(user)


def publishes(old_status: str | None, new_status: str) -> bool:
    """Does moving from old_status (None: new record) to new_status make something public?"""
    return new_status == Status.PUBLISHED and old_status != Status.PUBLISHED
