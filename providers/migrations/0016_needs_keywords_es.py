from django.db import migrations


def load(apps, schema_editor):
    """The default rules added since 0015: Spanish and English keywords a service's own words
    are classified by (providers/importers/classify.py)."""
    from providers.importers.mapping import load_default_mapping

    load_default_mapping(apps)


class Migration(migrations.Migration):
    dependencies = [("providers", "0015_victim_specific_advocacy")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
