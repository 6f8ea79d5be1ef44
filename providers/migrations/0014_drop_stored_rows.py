"""Stored provider rows and the directory version token go: their tables, and the triggers
(and PostgreSQL functions) that post_migrate handlers installed on the listing tables.
The search copies' triggers (providers/search_index.py) are named otherwise and stay."""

from django.db import migrations

# Every table a provider row read; the old triggers were on these.
TABLES = (
    "providers_organization",
    "providers_service",
    "providers_location",
    "providers_serviceatlocation",
    "providers_phone",
    "providers_service_terms",
    "providers_service_languages",
    "providers_openinghours",
    "providers_location_accessibility",
    "providers_term",
    "providers_language",
)


def _sqlite() -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_{kind}_{event}"
        for table in TABLES
        for kind in ("version", "stored")
        for event in ("insert", "update", "delete")
    ]


def _postgresql() -> list[str]:
    per_table = [
        "version_written",
        "version",
        "version_truncate",
        "version_stored",
        "version_truncate_stored",
        # Names an earlier version gave its stored-row triggers and functions.
        "stored",
        "stored_truncate",
        "version_stored_truncate",
    ]
    statements = [
        f"DROP TRIGGER IF EXISTS {table}_{name} ON {table}"
        for table in TABLES
        for name in per_table
    ]
    functions = [
        "providers_directory_written",
        "providers_directory_version_bump",
        "providers_stored_rows_truncate",
        "providers_stored_rows_truncate_listings",
        *(f"{table}_{name}" for table in TABLES for name in per_table[3:]),
    ]
    statements += [f"DROP FUNCTION IF EXISTS {name}() CASCADE" for name in functions]
    return statements


def drop_triggers(apps, schema_editor):
    # Before the tables go: a trigger left writing to them would fail every write.
    vendor = schema_editor.connection.vendor
    for statement in {"sqlite": _sqlite, "postgresql": _postgresql}[vendor]():
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("providers", "0013_location_public_point"),
    ]

    operations = [
        migrations.RunPython(drop_triggers, migrations.RunPython.noop),
        migrations.DeleteModel(name="DirectoryVersion"),
        migrations.DeleteModel(name="StoredRow"),
    ]
