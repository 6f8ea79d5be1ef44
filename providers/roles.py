"""What each role's group may do, as Django model permissions.

The object-level limits (which organizations, who may publish) are in permissions.py.
`apply_roles()` runs in migration 0004 and from `manage.py sync_roles` after new models land.
"""

from providers.permissions import EDITORS, PROVIDER_STAFF, SITE_ADMINS

_LISTING_PARTS = ("service", "location", "phone", "openinghours", "serviceatlocation")
_ALL = ("add", "change", "delete", "view")

ROLE_PERMISSIONS: dict[str, list[str]] = {
    # Editors keep listings true: no deleting organizations (retire instead), no users.
    EDITORS: [
        *(f"providers.{a}_organization" for a in ("add", "change", "view")),
        *(f"providers.{a}_{m}" for m in _LISTING_PARTS for a in _ALL),
        *(f"providers.{a}_suggestion" for a in ("change", "view", "delete")),
        *(f"providers.{a}_{m}" for m in ("term", "hotline") for a in ("add", "change", "view")),
        "providers.view_language",
        # Importers (issue #5): editors load directories and keep the taxonomy mapping.
        *(f"providers.{a}_taxonomymapping" for a in _ALL),
        "providers.view_importrun",
        # Possible duplicates: editors merge them or keep them apart.
        *(f"providers.{a}_duplicatepair" for a in ("change", "view")),
    ],
    # Provider staff: their own organization's listing (scoped in the admin); no new
    # organizations (they suggest one like anybody else), no moderation, no tags.
    PROVIDER_STAFF: [
        *(f"providers.{a}_organization" for a in ("change", "view")),
        *(f"providers.{a}_{m}" for m in _LISTING_PARTS for a in _ALL),
    ],
}


def apply_roles(apps=None) -> list[str]:
    """Create the groups and set their permissions; return permissions not found.

    Site admins get every permission that exists. Works with the migration app registry.
    """
    if apps is None:
        from django.apps import apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    missing: list[str] = []

    admins, _ = Group.objects.get_or_create(name=SITE_ADMINS)
    admins.permissions.set(Permission.objects.all())
    for name, codes in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = []
        for code in codes:
            app_label, codename = code.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is None:
                missing.append(code)
            else:
                wanted.append(permission)
        group.permissions.set(wanted)
    return missing
