"""The "Site admins" group (providers 0004_roles) gets every referrals permission."""

from django.db import migrations


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate); create this
    # app's now so the group can be given them on a fresh database.
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("referrals")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    from referrals.roles import grant_site_admins

    grant_site_admins(apps)


def revoke(apps, schema_editor):
    from providers.permissions import SITE_ADMINS

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=SITE_ADMINS).first()
    if group is not None:
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="referrals"))


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0003_remove_providermembership"),
        ("providers", "0004_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
