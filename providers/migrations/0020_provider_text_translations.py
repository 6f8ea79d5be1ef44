# Provider text in other languages (issue 17, item 4): providers/translations.py

from django.db import migrations, models

import providers.translations


class Migration(migrations.Migration):
    dependencies = [
        ("providers", "0020_jobs"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicallocation",
            name="translations",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text='Other languages, e.g. {"es": {"hours_note": "…"}}.',
                validators=[providers.translations.TranslationsValidator(("hours_note",))],
                verbose_name="translations",
            ),
        ),
        migrations.AddField(
            model_name="historicalorganization",
            name="translations",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text='Other languages, e.g. {"es": {"description": "…"}}.',
                validators=[providers.translations.TranslationsValidator(("description",))],
                verbose_name="translations",
            ),
        ),
        migrations.AddField(
            model_name="historicalphone",
            name="translations",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text='Other languages, e.g. {"es": {"note": "…"}}.',
                validators=[providers.translations.TranslationsValidator(("note",))],
                verbose_name="translations",
            ),
        ),
        migrations.AddField(
            model_name="historicalservice",
            name="translations",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text='Other languages, e.g. {"es": {"description": "…"}}.',
                validators=[
                    providers.translations.TranslationsValidator(
                        ("description", "eligibility", "how_to_get_help", "cost_note")
                    )
                ],
                verbose_name="translations",
            ),
        ),
        migrations.AddField(
            model_name="location",
            name="translations",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text='Other languages, e.g. {"es": {"hours_note": "…"}}.',
                validators=[providers.translations.TranslationsValidator(("hours_note",))],
                verbose_name="translations",
            ),
        ),
        migrations.AddField(
            model_name="organization",
            name="translations",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text='Other languages, e.g. {"es": {"description": "…"}}.',
                validators=[providers.translations.TranslationsValidator(("description",))],
                verbose_name="translations",
            ),
        ),
        migrations.AddField(
            model_name="phone",
            name="translations",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text='Other languages, e.g. {"es": {"note": "…"}}.',
                validators=[providers.translations.TranslationsValidator(("note",))],
                verbose_name="translations",
            ),
        ),
        migrations.AddField(
            model_name="service",
            name="translations",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text='Other languages, e.g. {"es": {"description": "…"}}.',
                validators=[
                    providers.translations.TranslationsValidator(
                        ("description", "eligibility", "how_to_get_help", "cost_note")
                    )
                ],
                verbose_name="translations",
            ),
        ),
    ]
