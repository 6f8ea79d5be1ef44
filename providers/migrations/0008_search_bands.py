"""The search index by latitude band (1/20 degree) and longitude instead of half-degree grid
cells: the count reads whole ranges inside the circle without a distance (docs/search.md).
The copies are recomputed and the triggers reinstalled by the post_migrate handler."""

from django.db import migrations, models


def drop_triggers(apps, schema_editor):
    from providers.search_index import drop_triggers

    drop_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("providers", "0007_default_taxonomy_mapping")]

    operations = [
        migrations.RunPython(drop_triggers, migrations.RunPython.noop),
        migrations.RemoveIndex(model_name="serviceatlocation", name="sal_search_idx"),
        migrations.RenameField(
            model_name="serviceatlocation", old_name="search_cell", new_name="search_band"
        ),
        migrations.AddIndex(
            model_name="serviceatlocation",
            index=models.Index(
                fields=[
                    "search_listed",
                    "search_band",
                    "search_lng",
                    "search_lat",
                    "search_types",
                    "service",
                    "id",
                ],
                name="sal_search_idx",
            ),
        ),
    ]
