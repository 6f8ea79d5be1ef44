"""The API keeps built provider rows only while the directory token is unchanged.

Every way of writing what a row shows must change the token (database triggers), so a
kept row is never served after a change: a shelter made confidential stops showing its
street at once, a retired service stops being found by id.
"""

from http import HTTPStatus

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from listing_changes import CHANGES, legal_aid, postgres_parameters

from api import provider_rows
from providers import directory_version
from providers.models import (
    Language,
    Organization,
    Phone,
    Service,
    ServiceAtLocation,
)

SEARCH = "/api/v1/providers/?lat=40.7484&lng=-73.9967"
# Committed writes, as in production: on PostgreSQL the token changes when a transaction
# commits, and a transaction that has written keeps nothing (see directory_version).
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def rows_not_stored(settings):
    """These tests are of the rows a process keeps; stored rows have their own
    (test_api_stored_rows.py)."""
    settings.API_STORED_ROWS = False


@pytest.fixture
def legal(make_provider, settings):
    settings.API_ROW_CACHE_SIZE = 100
    return legal_aid(make_provider)


def detail(api_client, sal) -> dict:
    response = api_client.get(f"/api/v1/providers/{sal.pk}/")
    assert response.status_code == HTTPStatus.OK, response.content
    return response.json()


def row_queries(api_client, url: str) -> list[str]:
    """The SQL of a request that builds rows (the phones query is one of the six)."""
    with CaptureQueriesContext(connection) as captured:
        assert api_client.get(url).status_code == HTTPStatus.OK
    return [query["sql"] for query in captured.captured_queries]


def builds_rows(queries: list[str]) -> bool:
    return any("providers_phone" in sql for sql in queries)


def test_a_second_request_reuses_the_rows_it_built(api_client, legal):
    first = api_client.get(SEARCH).json()
    queries = row_queries(api_client, SEARCH)
    assert not builds_rows(queries)
    assert any(directory_version.TABLE in sql for sql in queries)
    assert api_client.get(SEARCH).json() == first
    assert first["results"][0]["organization"]["name"] == "Legal Aid"


def test_kept_rows_still_answer_open_now_and_distance_per_request(legal):
    from datetime import UTC, datetime

    monday_noon = datetime(2025, 3, 3, 17, 0, tzinfo=UTC)  # 12:00 in New York
    monday_night = datetime(2025, 3, 3, 23, 30, tzinfo=UTC)
    first = provider_rows.provider_rows([(legal.pk, 1.23)], now=monday_noon)
    again = provider_rows.provider_rows([(legal.pk, 4.56)], now=monday_night)
    assert (first[0]["open_now"], first[0]["distance_mi"]) == (True, 1.2)
    assert (again[0]["open_now"], again[0]["distance_mi"], again[0]["distance_km"]) == (
        False,
        4.6,
        7.4,
    )
    kept = provider_rows._kept[connection.alias][1][legal.pk].row
    assert (kept["open_now"], kept["distance_mi"]) == (None, None)  # never filled in place


@pytest.mark.parametrize("change", CHANGES)
def test_every_kind_of_write_drops_the_kept_rows(api_client, legal, change):
    detail(api_client, legal)  # built and kept
    shows_change = change(legal)
    assert shows_change(detail(api_client, legal))
    assert shows_change(api_client.get(SEARCH).json()["results"][0])


@pytest.mark.parametrize(
    "retire",
    [
        lambda sal: Service.objects.filter(pk=sal.service_id).update(status="retired"),
        lambda sal: Organization.objects.filter(pk=sal.service.organization_id).update(
            status="draft"
        ),
        lambda sal: ServiceAtLocation.objects.filter(pk=sal.pk).delete(),
    ],
    ids=["service retired", "organization unpublished", "row deleted"],
)
def test_a_row_that_stops_being_listed_is_not_found_by_id(api_client, legal, retire):
    detail(api_client, legal)
    retire(legal)
    assert api_client.get(f"/api/v1/providers/{legal.pk}/").status_code == HTTPStatus.NOT_FOUND


def test_a_rolled_back_write_leaves_no_stale_row(api_client, legal):
    before = detail(api_client, legal)
    with pytest.raises(RuntimeError), transaction.atomic():
        Organization.objects.filter(pk=legal.service.organization_id).update(name="Not saved")
        # Read inside the transaction: kept under the transaction's own token.
        assert detail(api_client, legal)["organization"]["name"] == "Not saved"
        raise RuntimeError
    assert detail(api_client, legal) == before


def test_every_table_a_row_reads_changes_the_token(legal):
    """A no-op update of one row of each watched table changes the token (the trigger is
    there), and the watched tables include every table the row queries read."""
    read = {model._meta.db_table for _, model, _ in provider_rows._SOURCE}
    for sql in (
        provider_rows._PHONES,
        provider_rows._TERMS,
        provider_rows._LANGUAGES,
        provider_rows._HOURS,
        provider_rows._ACCESSIBILITY,
    ):
        read |= {word for word in sql.split() if word.startswith("providers_")}
    assert read <= set(directory_version.WATCHED)
    with connection.cursor() as cursor:
        for table in directory_version.WATCHED:
            key = connection.introspection.get_primary_key_column(cursor, table)
            before = directory_version.current_token()
            cursor.execute(
                f"UPDATE {table} SET {key} = {key} "
                f"WHERE {key} IN (SELECT {key} FROM {table} ORDER BY {key} LIMIT 1)"
            )
            assert directory_version.current_token() != before, table


def test_without_the_version_row_nothing_is_kept(api_client, legal):
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {directory_version.TABLE}")
    assert builds_rows(row_queries(api_client, SEARCH))
    assert builds_rows(row_queries(api_client, SEARCH))
    Phone.objects.create(service=legal.service, number="+12125550142")  # puts the row back
    assert directory_version.current_token() is not None


def test_size_zero_keeps_nothing_and_reads_no_token(api_client, legal, settings):
    settings.API_ROW_CACHE_SIZE = 0
    queries = row_queries(api_client, SEARCH)
    assert builds_rows(queries) and builds_rows(row_queries(api_client, SEARCH))
    assert not any(directory_version.TABLE in sql for sql in queries)


def test_kept_rows_are_bounded(make_provider, settings):
    settings.API_ROW_CACHE_SIZE = 3
    rows = [make_provider(name=f"Center {index}") for index in range(8)]
    for sal in rows:
        provider_rows.provider_rows([(sal.pk, None)], now=None)
    kept = provider_rows._kept[connection.alias][1]
    assert 0 < len(kept) <= 3
    assert rows[-1].pk in kept  # the newest stay


def test_a_page_is_complete_when_building_it_drops_kept_rows(make_provider, settings):
    """The rows a request found kept are served even when adding the ones it built pushes
    them out; the rows used last stay longest."""
    settings.API_ROW_CACHE_SIZE = 3
    a, b, c, d, e = (make_provider(name=f"Center {index}") for index in range(5))
    for sal in (a, b, c):
        provider_rows.provider_rows([(sal.pk, None)])
    page = provider_rows.provider_rows([(a.pk, None), (d.pk, None)])  # a kept, d built
    assert [row["id"] for row in page] == [str(a.pk), str(d.pk)]
    kept = provider_rows._kept[connection.alias][1]
    assert a.pk in kept and d.pk in kept and b.pk not in kept  # b was the least recent
    page = provider_rows.provider_rows([(e.pk, None), (a.pk, None), (c.pk, None)])
    assert [row["id"] for row in page] == [str(e.pk), str(a.pk), str(c.pk)]


def test_rolling_the_migration_back_leaves_no_trigger_behind(legal):
    from django.core.management import call_command

    call_command("migrate", "providers", "0009", verbosity=0)
    assert directory_version.TABLE not in connection.introspection.table_names()
    Language.objects.create(code="zz", name="Test language")  # no trigger to fail
    call_command("migrate", verbosity=0)
    before = directory_version.current_token()
    Language.objects.filter(code="zz").update(name="Renamed")
    assert directory_version.current_token() not in (None, before)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's locking")
def test_concurrent_writers_do_not_wait_for_each_other_on_the_token(legal):
    """The token changes at commit: an open transaction that wrote holds no lock on it,
    so another writer goes ahead (it used to wait, and two writers could deadlock)."""
    import psycopg

    parameters = postgres_parameters()
    before = directory_version.current_token()
    with psycopg.connect(**parameters) as first, psycopg.connect(**parameters) as second:
        first.execute(
            "UPDATE providers_organization SET name = 'First' WHERE id = %s",
            [legal.service.organization_id],
        )
        second.execute("SET lock_timeout = '3s'")
        second.execute(
            "UPDATE providers_service SET description = 'Second' WHERE id = %s",
            [legal.service_id],
        )
        second.commit()  # the first transaction is still open
        after_second = directory_version.current_token()
        first.execute(
            "UPDATE providers_service SET description = 'First' WHERE id = %s",
            [legal.service_id],
        )
        first.commit()
    assert after_second not in (None, before)
    assert directory_version.current_token() not in (None, before, after_second)


def test_a_transaction_that_wrote_reads_its_own_rows(api_client, legal):
    detail(api_client, legal)
    with transaction.atomic():
        Phone.objects.create(service=legal.service, number="+12125550177")
        numbers = [phone["number"] for phone in detail(api_client, legal)["phones"]]
        assert "+12125550177" in numbers
        if connection.vendor == "postgresql":
            assert directory_version.current_token() is None  # nothing kept or reused


def test_a_saved_or_loaded_version_row_never_brings_an_old_token_back(legal):
    from providers.models import DirectoryVersion

    old = directory_version.current_token()
    row = DirectoryVersion.objects.get(id=1)
    row.save()
    assert directory_version.current_token() not in (None, old)
    restored = DirectoryVersion(id=1, token=old)
    restored.save_base(raw=True)  # what loaddata does
    assert directory_version.current_token() not in (None, old)
