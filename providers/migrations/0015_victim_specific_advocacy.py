from django.db import migrations


def victim_specific_advocacy(apps, schema_editor):
    """The shipped keyword rule 'advocacy' → victim advocacy tagged legislative,
    transportation and community-action advocacy as victim services: it goes (an admin's own
    rules stay), and the victim-specific rules and the case-management code come in."""
    from providers.importers.mapping import load_default_mapping

    TaxonomyMapping = apps.get_model("providers", "TaxonomyMapping")
    TaxonomyMapping.objects.filter(
        match="keyword",
        pattern="advocacy",
        is_default=True,
        term__kind="service_type",
        term__slug="victim-advocacy",
    ).delete()
    load_default_mapping(apps)


class Migration(migrations.Migration):
    dependencies = [("providers", "0014_drop_stored_rows")]

    operations = [migrations.RunPython(victim_specific_advocacy, migrations.RunPython.noop)]
