# Possible duplicates and merged records (issue 16, item 7): providers/duplicates.py, merge.py

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def grant_roles(apps, schema_editor):
    # As in 0007: create the new models' permissions now, so editors may review duplicates on
    # a fresh database too.
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    from providers.roles import apply_roles

    apply_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        # Both 0020s (jobs, provider text translations) were made side by side: this one
        # follows both, so the graph has one leaf again.
        ("providers", "0020_jobs"),
        ("providers", "0020_provider_text_translations"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="MergedRecord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("organization", "Organization"),
                            ("service", "Service"),
                            ("location", "Location"),
                        ],
                        max_length=12,
                        verbose_name="kind",
                    ),
                ),
                ("source", models.CharField(max_length=100, verbose_name="source")),
                ("source_id", models.CharField(max_length=250, verbose_name="id at the source")),
                ("merged_id", models.UUIDField(verbose_name="merged record")),
                ("kept_id", models.UUIDField(verbose_name="kept record")),
                ("merged_at", models.DateTimeField(auto_now_add=True, verbose_name="merged")),
            ],
            options={
                "verbose_name": "merged record",
                "ordering": ["kind", "source", "source_id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("kind", "source", "source_id"), name="merged_unique_source_id"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="DuplicatePair",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("score", models.PositiveSmallIntegerField(verbose_name="score")),
                ("reasons", models.JSONField(default=list, verbose_name="reasons")),
                (
                    "decision",
                    models.CharField(
                        choices=[
                            ("open", "To review"),
                            ("kept_apart", "Kept apart"),
                            ("merged", "Merged"),
                        ],
                        default="open",
                        max_length=12,
                        verbose_name="decision",
                    ),
                ),
                ("found_at", models.DateTimeField(auto_now_add=True, verbose_name="found")),
                ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="decided")),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="decided by",
                    ),
                ),
                (
                    "left",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="providers.organization",
                        verbose_name="left",
                    ),
                ),
                (
                    "right",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="providers.organization",
                        verbose_name="right",
                    ),
                ),
            ],
            options={
                "verbose_name": "possible duplicate",
                "verbose_name_plural": "possible duplicates",
                "ordering": ["-score", "id"],
                "indexes": [
                    models.Index(fields=["decision", "score"], name="duplicate_decision_idx")
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("left", "right"), name="duplicate_unique_pair")
                ],
            },
        ),
        migrations.RunPython(grant_roles, migrations.RunPython.noop),
    ]
