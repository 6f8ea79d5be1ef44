"""Who may change which listings: one place for the API and the admin to ask.

A simple first version: superusers and users with the `change_organization` permission may
edit every organization. Provider staff limited to their own organization come with the
admin roles (groups "Site admins", "Editors", "Provider staff"); extend these two functions
then, and every interface that asks them follows.
"""

from django.db.models import QuerySet

from providers.models import Organization


def can_edit_organization(user, organization: Organization) -> bool:
    """Whether `user` may change `organization` and its services and locations."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or user.has_perm("providers.change_organization")


def editable_organizations(user) -> QuerySet:
    """The organizations `user` may change (for listing and choosing in forms)."""
    if not (user and user.is_authenticated and user.is_active):
        return Organization.objects.none()
    if user.is_superuser or user.has_perm("providers.change_organization"):
        return Organization.objects.all()
    return Organization.objects.none()
