from django.db import migrations


def load(apps, schema_editor):
    from providers.importers.mapping import load_default_mapping

    load_default_mapping(apps)


class Migration(migrations.Migration):
    dependencies = [("providers", "0003_import_mapping_and_runs")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
