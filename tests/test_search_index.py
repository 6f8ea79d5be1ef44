"""The search copies on ServiceAtLocation follow every write, and the ranked page loads lazily."""

import io
import math
import re
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from providers import search
from providers.models import (
    Location,
    LocationKind,
    Organization,
    Service,
    ServiceAtLocation,
    Status,
    Term,
)
from providers.search_index import drop_triggers, install_triggers, on_post_migrate, repair
from providers.search_sql import array_literal

NYC = {"lat": 40.7484, "lng": -73.9967}


def assert_copies_match_the_sources():
    listed = set(ServiceAtLocation.objects.listed().values_list("pk", flat=True))
    for row in ServiceAtLocation.objects.select_related("location", "service"):
        location = row.location
        physical = location.kind == LocationKind.PHYSICAL and location.latitude is not None
        assert row.search_listed == (row.pk in listed), row
        assert row.search_lat == (location.latitude if physical else None), row
        assert row.search_lng == (location.longitude if physical else None), row
        assert row.search_band == (search.band(location.latitude) if physical else None), row
        slugs = set(row.service.terms.service_types().values_list("slug", flat=True))
        assert set(filter(None, row.search_types.split(","))) == slugs, row


def copies(row: ServiceAtLocation) -> tuple:
    row.refresh_from_db()
    return row.search_lat, row.search_lng, row.search_listed


def test_service_type_changes_follow_links_and_renames(make_provider):
    row = make_provider(services=("legal-assistance",))
    legal = search.Filters(services=("legal-assistance",))
    counseling = search.Filters(services=("counseling-support-groups",))
    assert [r.pk for r in search.nearby(**NYC, filters=legal)] == [row.pk]
    service = row.service
    service.terms.add(
        Term.objects.get(kind=Term.Kind.SERVICE_TYPE, slug="counseling-support-groups")
    )
    service.terms.remove(Term.objects.get(kind=Term.Kind.SERVICE_TYPE, slug="legal-assistance"))
    assert list(search.nearby(**NYC, filters=legal)) == []
    assert [r.pk for r in search.nearby(**NYC, filters=counseling)] == [row.pk]
    Term.objects.filter(slug="counseling-support-groups").update(slug="counseling")
    assert [r.pk for r in search.nearby(**NYC, filters=search.Filters(services=("counseling",)))]
    service.terms.clear()
    row.refresh_from_db()
    assert row.search_types == ""
    assert_copies_match_the_sources()


def test_a_new_listing_gets_its_copies(make_provider):
    row = make_provider(lat=40.75, lng=-73.99)
    assert copies(row) == (40.75, -73.99, True)
    assert copies(make_provider(status=Status.DRAFT)) == (40.7484, -73.9967, False)
    remote = make_provider(kind=LocationKind.REMOTE)
    assert copies(remote) == (None, None, True)
    assert_copies_match_the_sources()


def test_status_changes_follow_through_save_and_queryset_update(make_provider):
    row = make_provider()
    organization = row.service.organization
    organization.status = Status.RETIRED
    organization.save()
    assert copies(row)[2] is False
    Organization.objects.filter(pk=organization.pk).update(status=Status.PUBLISHED)
    assert copies(row)[2] is True
    Service.objects.filter(pk=row.service_id).update(status=Status.DRAFT)
    assert copies(row)[2] is False
    assert list(search.nearby(**NYC)) == []
    Service.objects.filter(pk=row.service_id).update(status=Status.PUBLISHED)
    assert [r.pk for r in search.nearby(**NYC)] == [row.pk]
    assert_copies_match_the_sources()


def test_moving_a_location_or_making_it_remote_follows(make_provider):
    row = make_provider()
    Location.objects.filter(pk=row.location_id).update(latitude=41.0, longitude=-74.5)
    assert copies(row)[:2] == (41.0, -74.5)
    location = row.location
    location.kind = LocationKind.REMOTE
    location.save()
    assert copies(row)[:2] == (None, None)
    assert list(search.nearby(lat=41.0, lng=-74.5)) == []
    assert_copies_match_the_sources()


def test_moving_a_service_to_another_organization_follows(make_provider):
    row = make_provider()
    draft = make_provider(name="Draft", status=Status.DRAFT).service.organization
    Service.objects.filter(pk=row.service_id).update(organization=draft)
    assert copies(row)[2] is False
    assert_copies_match_the_sources()


def test_bulk_created_rows_and_stale_instances_are_filled_in(make_provider):
    template = make_provider()
    other = Location.objects.create(
        organization=template.service.organization, latitude=40.7, longitude=-74.0
    )
    (row,) = ServiceAtLocation.objects.bulk_create(
        [ServiceAtLocation(service=template.service, location=other)]
    )
    assert copies(row) == (40.7, -74.0, True)
    row.search_lat = None  # a stale instance saved in full writes its copies back
    row.search_service_published = row.search_organization_published = False
    row.save()
    assert copies(row) == (40.7, -74.0, True)
    assert_copies_match_the_sources()


def test_rows_written_before_their_location_in_one_transaction(make_provider):
    service = make_provider().service
    location_id = uuid.uuid4()
    with transaction.atomic():  # foreign keys are checked at commit
        row = ServiceAtLocation.objects.create(service=service, location_id=location_id)
        Location.objects.create(
            id=location_id, organization=service.organization, latitude=40.8, longitude=-73.9
        )
    assert copies(row) == (40.8, -73.9, True)


def test_a_service_type_written_after_its_link_in_one_transaction(make_provider):
    """Foreign keys are checked at commit: a link can come before its term (a fixture, an
    import), and no trigger copied the term's slug."""
    row = make_provider(services=())
    term_id = 999_999
    with transaction.atomic():
        row.service.terms.through.objects.create(service_id=row.service_id, term_id=term_id)
        Term.objects.create(id=term_id, kind=Term.Kind.SERVICE_TYPE, slug="late", name="Late")
    row.refresh_from_db()
    assert row.search_types == ",late,"


def test_post_migrate_reinstalls_dropped_triggers(make_provider):
    # SQLite drops a table's triggers when a migration rebuilds the table.
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER sal_search_insert")
        else:
            cursor.execute("DROP TRIGGER sal_search_fill ON providers_serviceatlocation")
    row = make_provider()
    assert copies(row) == (None, None, False)  # what a missing trigger would mean
    on_post_migrate(sender=None, using="default")
    assert copies(row) == (40.7484, -73.9967, True)  # refreshed ...
    assert copies(make_provider(name="Later")) == (40.7484, -73.9967, True)  # ... and installed


def test_repair_rewrites_only_the_copies_raw_sql_left_wrong(make_provider):
    rows = [make_provider(name=f"P{i}") for i in range(3)]
    assert repair() == 0
    with connection.cursor() as cursor:  # a write no trigger sees: the listing's own copies
        cursor.execute(
            "UPDATE providers_serviceatlocation SET search_organization_published = %s,"
            " search_lat = 0, search_types = '' WHERE id = %s",
            [False, rows[1].pk.hex if connection.vendor == "sqlite" else rows[1].pk],
        )
    assert copies(rows[1]) == (0, -73.9967, False)

    assert repair() == 1

    assert copies(rows[1]) == (40.7484, -73.9967, True)
    assert_copies_match_the_sources()


def test_the_repair_command_says_what_it_did_and_fails_on_missing_triggers(make_provider):
    make_provider()
    out = io.StringIO()
    call_command("repair_search_copies", stdout=out)
    assert out.getvalue() == "Search copies repaired: 0 listing(s).\n"
    drop_triggers()
    with pytest.raises(CommandError, match="Search triggers missing .*: run `manage.py migrate`"):
        call_command("repair_search_copies", stdout=io.StringIO())
    install_triggers()


def test_a_page_costs_one_count_and_one_query(make_provider, django_assert_num_queries):
    for i in range(30):
        make_provider(name=f"P{i:02d}", lat=40.7484 + i / 1000, lng=-73.9967)
    qs = search.nearby(**NYC, radius_mi=25)
    with django_assert_num_queries(2):
        assert qs.count() == 30
        page = list(qs[20:40])
    assert [r.service.organization.name for r in page] == [f"P{i:02d}" for i in range(20, 30)]
    assert all(r.location.city == "New York" for r in page)  # loaded with the page, no query
    distances = [r.exact_distance_mi for r in page]
    assert distances == sorted(distances)


@pytest.mark.parametrize("prefetch", [False, True])
def test_ranked_rows_work_with_prefetch_and_first(make_provider, prefetch):
    make_provider(name="Far", lat=40.80, lng=-73.9967)
    make_provider(name="Near", lat=40.75, lng=-73.9967)
    qs = search.nearby(**NYC)
    if prefetch:
        qs = qs.prefetch_related("service__phones")
    first = qs.first()
    assert first.service.organization.name == "Near"
    assert first.distance_mi == pytest.approx(0.1, abs=0.05)


def test_iterating_every_match_without_a_slice(make_provider):
    for i in range(8):
        make_provider(name=f"P{i}", lat=40.7484 + i / 1000, lng=-73.9967)
    rows = list(search.nearby(**NYC))
    assert [r.service.organization.name for r in rows] == [f"P{i}" for i in range(8)]
    values = list(search.nearby(**NYC).values_list("exact_distance_mi", flat=True))
    assert values == pytest.approx([r.exact_distance_mi for r in rows], rel=1e-12)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query planner")
@pytest.mark.parametrize("radius_mi", [25, 100, 250])
def test_the_count_and_the_ranking_read_only_the_covering_index(make_provider, radius_mi):
    """With the statistics ANALYZE writes for a 100k directory, SQLite answered a join of
    many spans with a Bloom filter and table reads (ten times slower); the statements must
    stay on the covering index whatever the statistics say.

    The plan names the index; that no table row is read is checked in the bytecode, since
    SQLite's plan does not call an index holding a generated column (search_listed)
    "covering" even where, as here, the table is never read."""
    for i in range(20):
        make_provider(name=f"P{i}", lat=40.0 + i / 10, lng=-74.0 + i / 10)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute(
            "UPDATE sqlite_stat1 SET stat = '100000 100000 201 1 1 1 1 1'"
            " WHERE idx = 'sal_search_idx'"
        )
        cursor.execute("ANALYZE sqlite_schema")  # reload the statistics
        radius = search.nearby(**NYC, radius_mi=radius_mi).direct()
        for statement in (
            radius.count_statement(using="default"),
            radius.rank_statement(radius_mi, using="default", ranks=True, low=0, high=20),
        ):
            cursor.execute("EXPLAIN QUERY PLAN " + statement[0], statement[1])
            plan = " / ".join(row[3] for row in cursor.fetchall())
            searches = [step for step in plan.split(" / ") if step.startswith("SEARCH")]
            assert searches and "BLOOM" not in plan, plan
            assert all("INDEX sal_search_idx (search_listed=?" in step for step in searches), plan
            assert table_rows_read(cursor, *statement) == [], plan


def table_rows_read(cursor, sql: str, params) -> list:
    """The steps of a statement's bytecode that read a row of the listings table itself."""
    cursor.execute(
        "SELECT rootpage FROM sqlite_schema WHERE name = %s", [ServiceAtLocation._meta.db_table]
    )
    (root,) = cursor.fetchone()
    cursor.execute("EXPLAIN " + sql, params)
    steps = cursor.fetchall()  # (addr, opcode, p1, p2, p3, ...)
    table = {p1 for _, opcode, p1, p2, *_ in steps if opcode == "OpenRead" and p2 == root}
    reads = {"Column", "DeferredSeek", "SeekRowid", "NotExists", "Rowid", "RowData"}
    return [step for step in steps if step[1] in reads and step[2] in table]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's statements")
def test_postgresql_binds_the_spans_as_arrays_one_statement_for_every_circle(make_provider):
    """On PostgreSQL the spans travel as arrays: the SQL text is the same for any circle (so
    psycopg prepares it once per connection), a handful of parameters, and every span is
    still an index-only seek on the covering index."""
    for i in range(20):
        make_provider(name=f"P{i}", lat=40.0 + i / 10, lng=-74.0 + i / 10)
    near = search.nearby(**NYC, radius_mi=5).direct()
    wide = search.nearby(lat=34.05, lng=-118.24, radius_mi=250).direct()
    assert len(near.spans(5)) < len(wide.spans(250))
    with connection.cursor() as cursor:
        # A tiny table: plan it as a large one is (no sequential or bitmap scan).
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_bitmapscan = off")
        for make in (
            lambda radius, r: radius.count_statement(using="default"),
            lambda radius, r: radius.rank_statement(r, using="default", ranks=True, low=0, high=20),
        ):
            (near_sql, near_params), (wide_sql, wide_params) = make(near, 5), make(wide, 250)
            assert near_sql == wide_sql
            assert len(near_params) == len(wide_params) < 30
            cursor.execute("EXPLAIN " + near_sql, near_params)
            plan = " / ".join(row[0] for row in cursor.fetchall())
            assert "Index Only Scan using sal_search_idx" in plan, plan
        # The count seeks the index once a span (one range a band, not three).
        sql, params = wide.count_statement(using="default")
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + sql, params)
        plan = [row[0] for row in cursor.fetchall()]
        seeks = [re.search(r"loops=(\d+)", line) for line in plan if "Index Only Scan" in line]
        assert [int(seek[1]) for seek in seeks] == [len(wide.spans(250))], plan
        cursor.execute("RESET enable_seqscan")
        cursor.execute("RESET enable_bitmapscan")


@pytest.mark.django_db
def test_an_array_literal_holds_exactly_its_numbers_and_ids():
    """The statements' arrays travel as one text parameter ('{...}'): each float must read
    back as the same double (a span's edge is math.nextafter of another), each id as its
    UUID; anything else is refused rather than sent."""
    floats = [-80.31616, math.nextafter(-80.31616, -math.inf), 1e-300, 5e-324, -0.0, 0.1 + 0.2]
    ids = [uuid.uuid4(), uuid.uuid4()]
    assert array_literal([3, -7]) == "{3,-7}"
    assert array_literal([]) == "{}"
    assert array_literal([str(ids[0])]) == "{" + ids[0].hex + "}"
    for bad in ([True], [None], ["1,2"], ["{}"], [b"1"]):
        with pytest.raises((TypeError, ValueError)):
            array_literal(bad)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT %s::double precision[], %s::uuid[], %s::integer[]",
                [array_literal(floats), array_literal(ids), array_literal([2307, -1])],
            )
            read_floats, read_ids, read_ints = cursor.fetchone()
        assert [value.hex() for value in read_floats] == [value.hex() for value in floats]
        assert read_ids == ids
        assert read_ints == [2307, -1]


def test_the_listing_is_by_name_and_counts_without_joins(make_provider):
    """The listing without a place reads listed-ness from the search copy, so its count
    needs no join (a page of it walks organizations by their name index on a large
    directory: bench figures in docs/search.md)."""
    for name in ("Gamma", "Alpha", "Beta"):
        make_provider(name=name)
    make_provider(name="Draft", status="draft")
    listing = search.listing()
    assert [r.service.organization.name for r in listing[:2]] == ["Alpha", "Beta"]
    assert listing.count() == 3
    assert "JOIN" not in str(listing.order_by().values("pk").query).upper()


class RowsRewritten:
    """How many service_at_location rows the database rewrote (UPDATE, by any trigger)
    inside the block: SQLite counts them with a temporary trigger, PostgreSQL reads its own
    transaction's statistics."""

    def __enter__(self):
        self.count = 0
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("CREATE TEMP TABLE IF NOT EXISTS sal_rewrites (n INTEGER)")
                cursor.execute("DELETE FROM sal_rewrites")
                cursor.execute(
                    "CREATE TEMP TRIGGER IF NOT EXISTS sal_rewritten"
                    " AFTER UPDATE ON main.providers_serviceatlocation"
                    " BEGIN INSERT INTO sal_rewrites VALUES (1); END"
                )
            self.before = self._read(cursor)
        return self

    def _read(self, cursor) -> int:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT COUNT(*) FROM sal_rewrites")
        else:
            cursor.execute(
                "SELECT COALESCE(SUM(n_tup_upd), 0) FROM pg_stat_xact_user_tables"
                " WHERE relname = 'providers_serviceatlocation'"
            )
        return int(cursor.fetchone()[0])

    def __exit__(self, *exc):
        with connection.cursor() as cursor:
            self.count = self._read(cursor) - self.before
            if connection.vendor == "sqlite":
                cursor.execute("DROP TRIGGER IF EXISTS temp.sal_rewritten")


def test_saving_what_the_copies_do_not_read_rewrites_no_listing(make_provider):
    """An editor's save of an organization's, service's or location's description writes
    every column (Django's save()), which fired the copies' triggers: every listing of the
    organization was rewritten with the same values (on PostgreSQL a new row version and
    index entries each, which searches then read past). Only a change to what the copies
    read rewrites them."""
    first = make_provider(name="Many Services Org", lat=NYC["lat"], lng=NYC["lng"])
    organization, location = first.service.organization, first.location
    for n in range(4):
        service = Service.objects.create(
            organization=organization, name=f"Service {n}", status=Status.PUBLISHED
        )
        ServiceAtLocation.objects.create(service=service, location=location)
    term = Term.objects.filter(kind=Term.Kind.SERVICE_TYPE).first()

    with RowsRewritten() as saved:
        organization.description = "Edited by an editor."
        organization.save()
        first.service.description = "Edited too."
        first.service.save()
        location.hours_note = "Call first."
        location.save()
        term.description = "Explained better."
        term.save()
    assert saved.count == 0

    with RowsRewritten() as unpublished:
        organization.status = Status.DRAFT
        organization.save()
    assert unpublished.count == 5
    assert_copies_match_the_sources()
    with RowsRewritten() as moved:
        location.latitude += 0.01
        location.save()
    assert moved.count == 5
    assert_copies_match_the_sources()


def test_service_types_are_copied_in_one_order_whatever_the_plan(make_provider):
    """The copy listed the slugs in the order the database's plan met them. A new plan (after
    an ANALYZE) gave another order, so the next migrate or repair took tens of thousands of
    right copies for wrong ones and rewrote them (39k of 100k listings on PostgreSQL). The
    order is the slugs' bytes, whatever the database's collation (en-US sorts "legal_aid"
    before "legal-advice", and a collation's new version may sort otherwise again)."""
    if connection.vendor == "postgresql":
        drop_triggers()  # all undone with the test's transaction
        with connection.cursor() as cursor:
            cursor.execute(
                "ALTER TABLE providers_term ALTER COLUMN slug"
                ' TYPE varchar(60) COLLATE "en-US-x-icu"'
            )
        install_triggers()
    made = [  # made, then linked, against the alphabet's order
        Term.objects.create(kind=Term.Kind.SERVICE_TYPE, slug=slug, name=slug)
        for slug in ("zz-last", "legalaid", "legal_aid", "legal-advice", "aa-first")
    ]
    row = make_provider(services=())
    row.service.terms.add(*made[:4])

    def types() -> str:
        row.refresh_from_db()
        return row.search_types

    assert types() == ",legal-advice,legal_aid,legalaid,zz-last,"
    row.service.terms.add(made[4])
    assert types() == ",aa-first,legal-advice,legal_aid,legalaid,zz-last,"
    row.service.terms.remove(made[2])
    Term.objects.filter(pk=made[0].pk).update(slug="ab-renamed")
    assert types() == ",aa-first,ab-renamed,legal-advice,legalaid,"
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_nestloop = off")  # a hash join of links and terms
            assert repair() == 0
    assert repair() == 0


def test_a_migrate_rewrites_only_the_listings_whose_copies_are_wrong(make_provider):
    """Every `migrate` (each start of `make serve-prod`) recomputed every copy: on
    PostgreSQL a new version of every listing and its index entries, which cleared the
    visibility map that the search's index-only scans need (each then read the table as
    well, until a vacuum), and wrote back the copies of a row an editor was changing."""
    rows = [make_provider(name=f"P{i}") for i in range(3)]
    with RowsRewritten() as settled:
        on_post_migrate(sender=None, using="default")
    assert settled.count == 0

    with connection.cursor() as cursor:  # a write no trigger sees (or a dropped trigger)
        cursor.execute(
            "UPDATE providers_serviceatlocation SET search_lat = 0 WHERE id = %s",
            [rows[1].pk.hex if connection.vendor == "sqlite" else rows[1].pk],
        )
    with RowsRewritten() as one_wrong:
        on_post_migrate(sender=None, using="default")
    assert one_wrong.count == 1
    assert_copies_match_the_sources()


@pytest.mark.parametrize("latitude", [5e-324, -1e-200])
def test_a_confidential_location_at_a_denormal_latitude_saves(make_provider, latitude):
    # PostgreSQL raised "value out of range: underflow" in the copies' trigger (the cosine
    # of the latitude in degrees times pi / 180) and an editor's save answered 500.
    row = make_provider()
    location = row.location
    location.address_confidential = True
    location.latitude, location.longitude = latitude, 0.0
    location.save()
    lat, lng, _ = copies(row)
    assert search.haversine_mi(lat1=0, lng1=0, lat2=lat, lng2=lng) == pytest.approx(
        location.offset_mi, rel=1e-3
    )


@pytest.mark.parametrize(
    ("lat", "lng", "bearing"),
    [
        (51.88, 179.99, math.pi / 2),  # the Aleutians: east, across the antimeridian
        (51.88, -179.99, -math.pi / 2),  # and west
        (89.99, 179.99, 0.0),  # north, past the pole
        (-90.0, 0.0, math.pi),  # south of the south pole
        (90.0, 0.0, math.pi / 2),  # east at the pole: cos(90°) is 6e-17, miles and miles
    ],
)
def test_a_confidential_public_point_stays_on_the_globe_and_is_found(
    make_provider, lat, lng, bearing
):
    """A public point moved past the antimeridian or a pole is wrapped and held to the
    globe, as providers/geometry.py's offset_point gives it: else the search never found
    the shelter (a longitude of 180.02) and copies ran to -3e13 and band 3601."""
    row = make_provider(confidential=True, lat=lat, lng=lng)
    Location.objects.filter(pk=row.location_id).update(offset_bearing=bearing, offset_mi=1.5)
    location = Location.objects.get(pk=row.location_id)
    location.save()  # the copies are written from the saved row
    search_lat, search_lng, _ = copies(row)
    assert -90 <= search_lat <= 90 and -180 <= search_lng < 180
    assert (search_lat, search_lng) == pytest.approx(location.search_point, abs=1e-9)
    assert 0 <= row.search_band <= search.band(90)
    found = search.nearby(lat=lat, lng=lng, radius_mi=5)
    assert [listing.pk for listing in found] == [row.pk]
    # Held at a pole, the point is nearer; anywhere people live it is the offset away.
    assert found[0].exact_distance_mi <= 1.5 + 1e-6
    if abs(lat) < 89:
        assert found[0].exact_distance_mi == pytest.approx(1.5, abs=0.05)
