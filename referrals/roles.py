"""The referrals app's part of the roles: site admins see every referral and manage agencies.

providers' roles (providers/roles.py, `manage.py sync_roles`) create the "Site admins" group
and know nothing of this app. We add our permissions to that group from our own migration
(0004) and after every `migrate` (post_migrate, see apps.py), so a database migrated in any
order ends up the same. Editors and provider staff get nothing from this app: the admin
pages for agencies, advocates and referrals are for site admins only (see admin.py).
"""

from django.apps import apps as global_apps

from providers.permissions import SITE_ADMINS


def grant_site_admins(apps=global_apps) -> int:
    """Give the "Site admins" group every referrals permission (see_all_referrals included).

    Returns how many permissions the group has from this app; 0 when there is no group yet.
    Works with the migration app registry.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=SITE_ADMINS).first()
    if group is None:
        return 0
    permissions = list(Permission.objects.filter(content_type__app_label="referrals"))
    group.permissions.add(*permissions)
    return len(permissions)
