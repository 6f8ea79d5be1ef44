"""A fixed random offset per location: a confidential location's public point (issue 15)."""

from django.db import migrations, models

import providers.models


def draw_offsets(apps, schema_editor):
    """AddField gave every existing location the same offset: draw one for each."""
    Location = apps.get_model("providers", "Location")
    batch = []
    for location in Location.objects.only("pk").iterator(chunk_size=2000):
        location.offset_bearing = providers.models.random_bearing()
        location.offset_mi = providers.models.random_offset_mi()
        batch.append(location)
        if len(batch) == 2000:
            Location.objects.bulk_update(batch, ["offset_bearing", "offset_mi"])
            batch = []
    Location.objects.bulk_update(batch, ["offset_bearing", "offset_mi"])


class Migration(migrations.Migration):
    dependencies = [
        ("providers", "0012_cost_not_stated"),
    ]

    operations = [
        migrations.AddField(
            model_name="location",
            name="offset_bearing",
            field=models.FloatField(default=providers.models.random_bearing, editable=False),
        ),
        migrations.AddField(
            model_name="location",
            name="offset_mi",
            field=models.FloatField(default=providers.models.random_offset_mi, editable=False),
        ),
        # The search copies are recomputed from these after every migrate (search_index).
        migrations.RunPython(draw_offsets, migrations.RunPython.noop, elidable=True),
    ]
