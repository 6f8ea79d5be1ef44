from django.db import migrations


def load(apps, schema_editor):
    from providers.importers.mapping import load_default_mapping

    load_default_mapping(apps)


def grant_roles(apps, schema_editor):
    # As in 0004_roles: create the new models' permissions now, so editors get the taxonomy
    # mapping and the import runs on a fresh database too.
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    from providers.roles import apply_roles

    apply_roles(apps)


class Migration(migrations.Migration):
    dependencies = [("providers", "0006_import_mapping_and_runs")]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
        migrations.RunPython(grant_roles, migrations.RunPython.noop),
    ]
