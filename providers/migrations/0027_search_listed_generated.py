"""search_listed generated from two copies, each written by its own table's trigger
(providers/search_index.py): concurrent status changes of a service and its organization
can no longer leave it as one of them saw it. The post_migrate handler fills the copies."""

from django.db import migrations, models

SEARCH_INDEX_FIELDS = [
    "search_listed",
    "search_band",
    "search_lng",
    "search_lat",
    "search_types",
    "service",
    "id",
]


def listed_as_before(apps, schema_editor):
    """Backwards: the plain column, filled (the triggers of the code before this come back with
    that code's next `migrate`; until then new writes are not copied)."""
    schema_editor.execute(
        "UPDATE providers_serviceatlocation SET search_listed = COALESCE((SELECT"
        " s.status = 'published' AND o.status = 'published' FROM providers_service s"
        " JOIN providers_organization o ON o.id = s.organization_id"
        " WHERE s.id = providers_serviceatlocation.service_id), false)"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("providers", "0026_service_name_index"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, listed_as_before, elidable=True),
        migrations.RemoveIndex(model_name="serviceatlocation", name="sal_search_idx"),
        migrations.AddField(
            model_name="serviceatlocation",
            name="search_service_published",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddField(
            model_name="serviceatlocation",
            name="search_organization_published",
            field=models.BooleanField(default=False, editable=False),
        ),
        # Listed as before until post_migrate recomputes every copy: a search during the
        # rest of the migrate (or after one that fails later) still finds what it did.
        migrations.RunSQL(
            "UPDATE providers_serviceatlocation SET search_service_published = search_listed,"
            " search_organization_published = search_listed",
            migrations.RunSQL.noop,
        ),
        migrations.RemoveField(model_name="serviceatlocation", name="search_listed"),
        migrations.AddField(
            model_name="serviceatlocation",
            name="search_listed",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Q(
                    ("search_organization_published", True), ("search_service_published", True)
                ),
                output_field=models.BooleanField(),
            ),
        ),
        migrations.AddIndex(
            model_name="serviceatlocation",
            index=models.Index(fields=SEARCH_INDEX_FIELDS, name="sal_search_idx"),
        ),
    ]
