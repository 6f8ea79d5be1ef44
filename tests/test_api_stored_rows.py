"""Each listing's API row is stored in the database (StoredRow) and served only while
nothing it shows has changed.

Triggers mark a stored row to be built in the writing transaction, whatever the way of
writing; a write through the models builds the rows it marked when it commits; a row built
from data that changed meanwhile is never stored. No kept rows here (API_ROW_CACHE_SIZE=0),
so every request reads the stored rows or builds.
"""

import io
import uuid
from datetime import time
from http import HTTPStatus
from pathlib import Path

import orjson
import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from listing_changes import CHANGES, legal_aid, postgres_parameters

from api import provider_rows
from api.provider_rows import store_rows
from providers import stored_rows
from providers.directory_version import WATCHED
from providers.models import (
    Language,
    Organization,
    Phone,
    Service,
    ServiceAtLocation,
    StoredRow,
)

SEARCH = "/api/v1/providers/?lat=40.7484&lng=-73.9967"
# Committed writes: rows are built when a write commits.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def legal(make_provider, settings):
    settings.API_ROW_CACHE_SIZE = 0
    settings.API_STORED_ROWS = True
    return legal_aid(make_provider)


def stored(listing) -> dict | None:
    """The stored row of a listing (or a StoredRow): its row, None if stored as not listed;
    'to build' if marked."""
    body = StoredRow.objects.get(listing=listing.pk).body
    if body is None:
        return "to build"
    return orjson.loads(bytes(body))["row"]


def request(api_client, url: str) -> tuple[dict, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = api_client.get(url)
    assert response.status_code == HTTPStatus.OK, response.content
    return response.json(), [query["sql"] for query in captured.captured_queries]


def built_from_tables(queries: list[str]) -> bool:
    return any("providers_phone" in sql for sql in queries)


def test_a_write_through_the_models_stores_its_rows_at_commit(legal):
    row = stored(legal)
    assert row["organization"]["name"] == "Legal Aid"
    assert row["open_now"] is None and row["distance_mi"] is None  # filled per request


def test_a_first_search_reads_the_stored_rows_in_one_query(api_client, legal, settings):
    body, queries = request(api_client, SEARCH)
    assert not built_from_tables(queries)
    assert sum("providers_storedrow" in sql for sql in queries) == 1
    settings.API_STORED_ROWS = False
    built, queries = request(api_client, SEARCH)
    assert built_from_tables(queries)
    assert body == built
    assert body["results"][0]["distance_mi"] is not None


@pytest.mark.parametrize("page_size", [3, 12])
def test_a_first_search_reads_every_row_in_one_query_whatever_the_page_size(
    make_provider, api_client, django_assert_max_num_queries, settings, page_size
):
    settings.API_ROW_CACHE_SIZE = 0
    for number in range(12):
        make_provider(name=f"Provider {number:02}", hours=((1, time(9), time(17)),))
    body, queries = request(api_client, f"{SEARCH}&page_size={page_size}")
    assert len(body["results"]) == page_size
    assert not built_from_tables(queries)
    # The throttle, the search's count and ranking, the remote section and the stored rows.
    with django_assert_max_num_queries(5):
        request(api_client, f"{SEARCH}&page_size={page_size}")


@pytest.mark.parametrize("change", CHANGES)
def test_every_kind_of_write_marks_the_stored_rows(api_client, legal, settings, change):
    """The trigger marks the row in the writing transaction (nothing rebuilt here: the
    setting is off while writing); the next request builds from the tables and shows the
    change; the row stored next shows it too."""
    assert stored(legal) not in (None, "to build")
    settings.API_STORED_ROWS = False  # no building at commit: the mark alone
    shows_change = change(legal)
    assert stored(legal) == "to build"
    settings.API_STORED_ROWS = True
    row, queries = request(api_client, f"/api/v1/providers/{legal.pk}/")
    assert built_from_tables(queries) and shows_change(row)
    store_rows()
    assert shows_change(stored(legal))
    row, queries = request(api_client, f"/api/v1/providers/{legal.pk}/")
    assert not built_from_tables(queries) and shows_change(row)
    assert shows_change(request(api_client, SEARCH)[0]["results"][0])


def test_a_saved_change_is_stored_when_it_commits(legal):
    with transaction.atomic():
        organization = legal.service.organization
        organization.name = "Renamed Aid"
        organization.save()
        Phone.objects.create(service=legal.service, number="+12125550177")
    row = stored(legal)  # built after commit
    assert row["organization"]["name"] == "Renamed Aid"
    assert "+12125550177" in [phone["number"] for phone in row["phones"]]


def test_a_transaction_that_wrote_reads_its_own_rows(api_client, legal):
    with transaction.atomic():
        Phone.objects.create(service=legal.service, number="+12125550177")
        row, queries = request(api_client, f"/api/v1/providers/{legal.pk}/")
        assert "+12125550177" in [phone["number"] for phone in row["phones"]]
        assert built_from_tables(queries)
    assert "+12125550177" in [phone["number"] for phone in stored(legal)["phones"]]


def test_a_rolled_back_write_leaves_the_stored_row_as_it_was(legal):
    before = stored(legal)
    with pytest.raises(RuntimeError), transaction.atomic():
        Organization.objects.filter(pk=legal.service.organization_id).update(name="Not saved")
        raise RuntimeError
    assert stored(legal) == before


@pytest.mark.parametrize(
    "retire",
    [
        lambda sal: Service.objects.filter(pk=sal.service_id).update(status="retired"),
        lambda sal: Organization.objects.filter(pk=sal.service.organization_id).update(
            status="draft"
        ),
    ],
    ids=["service retired", "organization unpublished"],
)
def test_a_row_that_stops_being_listed_is_stored_as_not_listed(api_client, legal, retire):
    retire(legal)
    assert api_client.get(f"/api/v1/providers/{legal.pk}/").status_code == HTTPStatus.NOT_FOUND
    store_rows()
    assert stored(legal) is None
    assert api_client.get(f"/api/v1/providers/{legal.pk}/").status_code == HTTPStatus.NOT_FOUND
    assert request(api_client, SEARCH)[0]["results"] == []


def test_a_deleted_listing_loses_its_stored_row(api_client, legal):
    with connection.cursor() as cursor:  # raw SQL: no model signal, the trigger alone
        cursor.execute(
            "DELETE FROM providers_serviceatlocation WHERE id = %s",
            [legal.pk.hex if connection.vendor == "sqlite" else legal.pk],
        )
    assert not StoredRow.objects.filter(listing=legal.pk).exists()
    assert api_client.get(f"/api/v1/providers/{legal.pk}/").status_code == HTTPStatus.NOT_FOUND


def test_a_new_listing_gets_a_row_to_build(make_provider, settings):
    settings.API_STORED_ROWS = False
    sal = make_provider(name="New Center")
    assert stored(sal) == "to build"
    assert store_rows() == 1
    assert stored(sal)["organization"]["name"] == "New Center"
    assert store_rows() == 0  # nothing left to build


def test_a_row_whose_data_changes_while_it_is_built_is_not_stored(legal, monkeypatch):
    organization = Organization.objects.filter(pk=legal.service.organization_id)
    with transaction.atomic():  # mark it, without building at commit
        organization.update(name="Before")
    assert stored(legal) == "to build"
    build = provider_rows._build

    def build_then_a_write_commits(ids):
        rows = build(ids)
        organization.update(name="During")  # commits (autocommit) before the row is stored
        return rows

    monkeypatch.setattr(provider_rows, "_build", build_then_a_write_commits)
    store_rows()
    assert stored(legal) == "to build"  # built from "Before": not stored
    monkeypatch.setattr(provider_rows, "_build", build)
    store_rows()
    assert stored(legal)["organization"]["name"] == "During"


def test_a_confidential_address_never_reaches_a_stored_row(make_provider, settings):
    settings.API_STORED_ROWS = True
    sal = make_provider(name="Safe House", confidential=True, lat=40.7512, lng=-73.9901)
    body = bytes(StoredRow.objects.get(listing=sal.pk).body)
    row = orjson.loads(body)["row"]
    assert row["location"]["address_1"] == "" and row["location"]["lat"] is None
    assert sal.location.address_1 and sal.location.address_1.encode() not in body
    assert b"40.7512" not in body and b"73.9901" not in body


def test_every_watched_table_has_a_stored_row_trigger():
    """The tables a row reads (held to provider_rows' queries by test_api_row_cache) are
    those whose writes mark stored rows."""
    assert set(stored_rows.OWNERS) | {"providers_serviceatlocation"} == set(WATCHED)


def test_store_rows_command_rebuilds_everything_with_all(legal, settings):
    settings.API_STORED_ROWS = False
    Language.objects.filter(code="es").update(name="Castilian")  # marked, not rebuilt
    call_command("store_rows", verbosity=0)
    assert "Castilian" in [language["name"] for language in stored(legal)["languages"]]
    StoredRow.objects.all().delete()  # lost (a restore without them): --all puts them back
    call_command("store_rows", "--all", verbosity=0)
    assert stored(legal)["organization"]["name"] == "Legal Aid"


def test_a_migrate_marks_every_row_only_when_a_trigger_was_missing(legal):
    call_command("migrate", verbosity=0)  # nothing to do: the rows stay stored
    assert stored(legal)["organization"]["name"] == "Legal Aid"
    with connection.cursor() as cursor:  # as a SQLite table rebuild drops its triggers
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER providers_phone_stored_insert")
        else:
            cursor.execute("DROP TRIGGER providers_phone_version_stored ON providers_phone")
    Phone.objects.bulk_create([Phone(service=legal.service, number="+12125550155")])
    call_command("migrate", verbosity=0)
    assert stored(legal) == "to build"
    store_rows()
    assert "+12125550155" in [phone["number"] for phone in stored(legal)["phones"]]


def test_loaded_stored_rows_are_built_again(legal):
    """loaddata saves raw: a stored row from a fixture (perhaps of a listing that is not
    there) is never served as it was loaded."""
    ghost = StoredRow(listing=uuid.uuid4(), version=1, body=StoredRow.objects.get().body)
    ghost.save_base(raw=True)
    assert StoredRow.objects.get(listing=ghost.listing).body is None
    store_rows()
    assert stored(ghost) is None  # no such listing: not listed


def test_a_row_stored_by_other_code_is_not_served_and_migrate_rebuilds_it(api_client, legal):
    """A deploy that changes how rows are built or redacted (api/provider_rows.py, the
    models) must not serve the rows the old code stored."""
    document = orjson.loads(bytes(StoredRow.objects.get(listing=legal.pk).body))
    document["format"] = "older"
    document["row"]["name"] = "As the old code built it"
    StoredRow.objects.filter(listing=legal.pk).update(body=orjson.dumps(document))
    row, queries = request(api_client, f"/api/v1/providers/{legal.pk}/")
    assert built_from_tables(queries) and row["name"] == legal.service.name
    call_command("migrate", verbosity=0)
    assert stored(legal) == "to build"
    store_rows()
    assert stored(legal)["name"] == legal.service.name


def test_rolling_the_migration_back_leaves_no_trigger_behind(legal):
    call_command("migrate", "providers", "0010", verbosity=0)
    assert stored_rows.TABLE not in connection.introspection.table_names()
    Phone.objects.create(service=legal.service, number="+12125550166")  # no trigger to fail
    call_command("migrate", verbosity=0)
    assert stored(legal) == "to build"  # every listing, after a migrate
    store_rows()
    assert "+12125550166" in [phone["number"] for phone in stored(legal)["phones"]]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's row locks")
def test_building_never_waits_for_a_writer(legal):
    """A row a writing transaction holds is skipped (the writer marks it anyway): the
    builder waits for no lock, so it can never deadlock with a writer."""
    import psycopg

    parameters = postgres_parameters()
    organization = Organization.objects.filter(pk=legal.service.organization_id)
    with transaction.atomic():  # marked, committed, not built
        organization.update(name="Before")
    with psycopg.connect(**parameters) as writer:
        writer.execute(
            "UPDATE providers_organization SET name = 'Writing' WHERE id = %s",
            [legal.service.organization_id],
        )
        writer.execute("SET CONSTRAINTS ALL IMMEDIATE")  # commit's marks now: it holds the row
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        assert store_rows() == 0  # skipped, without waiting
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
        writer.commit()
    assert stored(legal) == "to build"
    store_rows()
    assert stored(legal)["organization"]["name"] == "Writing"


def test_an_import_stores_the_rows_it_wrote(settings):
    settings.API_STORED_ROWS = True
    example = Path(settings.BASE_DIR) / "fixtures" / "example_providers.csv"
    call_command("import_csv", str(example), "--no-progress", stdout=io.StringIO())
    rows = StoredRow.objects.all()
    assert rows.count() == ServiceAtLocation.objects.count() > 0
    assert not rows.filter(body=None).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's trigger order")
def test_a_committing_transaction_changes_the_token_before_it_marks_rows():
    """PostgreSQL fires a row's deferred triggers in name order: the token's first, so
    transactions mark stored rows one at a time (see providers/stored_rows.py)."""
    with connection.cursor() as cursor:
        for table in WATCHED:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass "
                "AND tgconstraint <> 0 AND NOT tgisinternal ORDER BY tgname",
                [table],
            )
            names = [name for (name,) in cursor.fetchall()]
            assert names == [f"{table}_version", f"{table}_version_stored"], table
            cursor.execute(  # TRUNCATE's statement triggers (tgtype bit 32), the same
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass "
                "AND tgtype & 32 <> 0 AND NOT tgisinternal ORDER BY tgname",
                [table],
            )
            names = [name for (name,) in cursor.fetchall()]
            token, stored = f"{table}_version_truncate", f"{table}_version_truncate_stored"
            assert names.index(token) < names.index(stored), table


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's triggers")
def test_migrate_drops_the_triggers_an_earlier_version_named_otherwise(legal):
    with connection.cursor() as cursor:  # as the first version installed them
        cursor.execute(
            "CREATE FUNCTION providers_phone_stored() RETURNS trigger LANGUAGE plpgsql "
            "AS $$ BEGIN RETURN NULL; END $$"
        )
        cursor.execute(
            "CREATE CONSTRAINT TRIGGER providers_phone_stored AFTER INSERT ON providers_phone "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION providers_phone_stored()"
        )
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_proc WHERE proname = 'providers_phone_stored'")
        assert cursor.fetchone() == (0,)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's concurrency")
def test_a_listing_moved_by_a_concurrent_commit_is_marked_by_the_other_writer(make_provider):
    """B moves listing X to location L and is committing; A adds a phone at L and commits
    after B. A's marks must find X at L (they did not when made before B committed, and
    the row B's commit built, without A's phone, stayed stored)."""
    import threading

    import psycopg

    moved = make_provider(name="Moved")
    target = make_provider(name="Target").location
    elsewhere = make_provider(name="Elsewhere").location
    parameters = postgres_parameters()
    with psycopg.connect(**parameters) as a, psycopg.connect(**parameters) as b:
        b.execute(
            "UPDATE providers_serviceatlocation SET location_id = %s WHERE id = %s",
            [target.pk, moved.pk],
        )
        b.execute("SET CONSTRAINTS ALL IMMEDIATE")  # B's commit-time triggers run now
        a.execute(
            "INSERT INTO providers_phone (location_id, number, extension, kind, note, position)"
            " VALUES (%s, '+12125550124', '', 'voice', '', 0)",
            [target.pk],
        )
        a.execute(  # a long commit after its first mark, as an import's
            "INSERT INTO providers_openinghours (location_id, weekday, opens_at, closes_at) "
            "SELECT %s, 1 + g %% 7, '09:00', '17:00' FROM generate_series(1, 20000) g",
            [elsewhere.pk],
        )
        committing = threading.Thread(target=a.commit)
        committing.start()
        committing.join(timeout=0.5)  # A waits for the token B holds
        b.commit()
        store_rows()  # what B's commit does, while A commits: X without A's phone
        committing.join(timeout=10)
        assert not committing.is_alive()
    store_rows()
    assert "+12125550124" in [phone["number"] for phone in stored(moved)["phones"]]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's concurrency")
def test_two_writers_of_different_rows_do_not_deadlock_at_commit(make_provider):
    """W1 changes X's and Y's locations around a long write; W2 changes Y's service. Both
    mark X's and Y's stored rows at commit, one after the other."""
    import threading

    import psycopg

    x, y = make_provider(name="X"), make_provider(name="Y")
    parameters = postgres_parameters()
    errors = {}

    def commit(name, writer):
        try:
            writer.commit()
        except psycopg.Error as error:
            errors[name] = error

    with psycopg.connect(**parameters) as w1, psycopg.connect(**parameters) as w2:
        w1.execute("UPDATE providers_location SET hours_note = 'w1' WHERE id = %s", [x.location_id])
        w1.execute(
            "INSERT INTO providers_openinghours (location_id, weekday, opens_at, closes_at) "
            "SELECT %s, 1 + g %% 7, '09:00', '17:00' FROM generate_series(1, 20000) g",
            [x.location_id],
        )
        w1.execute("UPDATE providers_location SET hours_note = 'w1' WHERE id = %s", [y.location_id])
        w2.execute("UPDATE providers_service SET cost_note = 'w2' WHERE id = %s", [y.service_id])
        first = threading.Thread(target=commit, args=("w1", w1))
        first.start()
        first.join(timeout=0.2)  # W1 is marking rows
        second = threading.Thread(target=commit, args=("w2", w2))
        second.start()
        first.join(timeout=30)
        second.join(timeout=30)
    assert errors == {}
    assert stored(x) == stored(y) == "to build"
