from django.db import migrations


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate); create them now
    # so the groups can be given them on a fresh database.
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    from providers.roles import apply_roles

    apply_roles(apps)


def remove_roles(apps, schema_editor):
    from providers.permissions import EDITORS, PROVIDER_STAFF, SITE_ADMINS

    apps.get_model("auth", "Group").objects.filter(
        name__in=[SITE_ADMINS, EDITORS, PROVIDER_STAFF]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("providers", "0003_history_staff_suggestions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
