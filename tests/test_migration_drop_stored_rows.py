"""Migration 0014 drops the stored rows, the directory token and the triggers that wrote to
them: a database that had them takes writes afterwards."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from providers.models import Phone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("providers", "0013_location_public_point")]
# One trigger of each kind the removed code installed, writing to the tables that go.
OLD_TRIGGERS = {
    "sqlite": [
        "CREATE TRIGGER providers_phone_version_insert AFTER INSERT ON providers_phone "
        "BEGIN UPDATE providers_directoryversion SET token = random() WHERE id = 1; END",
        "CREATE TRIGGER providers_phone_stored_insert AFTER INSERT ON providers_phone "
        "BEGIN UPDATE providers_storedrow SET body = NULL; END",
    ],
    "postgresql": [
        "CREATE FUNCTION providers_directory_version_bump() RETURNS trigger LANGUAGE plpgsql "
        "AS $$ BEGIN UPDATE providers_directoryversion SET token = 0; RETURN NULL; END $$",
        "CREATE CONSTRAINT TRIGGER providers_phone_version AFTER INSERT ON providers_phone "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
        "EXECUTE FUNCTION providers_directory_version_bump()",
        "CREATE FUNCTION providers_phone_version_stored() RETURNS trigger LANGUAGE plpgsql "
        "AS $$ BEGIN UPDATE providers_storedrow SET body = NULL; RETURN NULL; END $$",
        "CREATE CONSTRAINT TRIGGER providers_phone_version_stored AFTER INSERT "
        "ON providers_phone DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
        "EXECUTE FUNCTION providers_phone_version_stored()",
    ],
}


def trigger_names() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        return {name for (name,) in cursor.fetchall()}


def migrate(targets) -> None:
    """As `manage.py migrate` does it, with its pre- and post-migrate signals."""
    for app, name in targets:
        call_command("migrate", app, name, verbosity=0)


def test_the_migration_drops_the_old_tables_and_triggers(make_provider):
    migrate(BEFORE)
    with connection.cursor() as cursor:
        for statement in OLD_TRIGGERS[connection.vendor]:
            cursor.execute(statement)
    assert {"providers_phone_version_insert", "providers_phone_version"} & trigger_names()

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes("providers"))

    tables = set(connection.introspection.table_names())
    assert not {"providers_storedrow", "providers_directoryversion"} & tables
    left = {name for name in trigger_names() if "_version" in name or "_stored" in name}
    assert left == set()
    sal = make_provider(name="Legal Aid")
    Phone.objects.create(service=sal.service, number="+12125550111")  # no trigger in the way
    assert Phone.objects.filter(number="+12125550111").exists()
