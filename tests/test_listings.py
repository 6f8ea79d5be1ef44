"""Listings built by providers/listings.py equal DRF's field-by-field output of
ProviderSerializer."""

from datetime import UTC, date, datetime, time
from http import HTTPStatus

import pytest
from django.db import connection
from django.db.models import JSONField, Value
from django.utils import translation
from rest_framework import serializers

from api.serializers import ProviderSerializer
from providers import listings, search
from providers.listings import load_related
from providers.models import (
    Location,
    LocationKind,
    Phone,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Term,
)

NYC = {"lat": 40.7484, "lng": -73.9967}
# A Monday 14:30 and a Sunday 03:00 in New York, and a Saturday noon.
MOMENTS = [
    datetime(2025, 3, 3, 19, 30, tzinfo=UTC),
    datetime(2025, 3, 9, 7, 0, tzinfo=UTC),
    datetime(2025, 3, 8, 17, 0, tzinfo=UTC),
]


def reference(sal: ServiceAtLocation, *, now: datetime) -> dict:
    """DRF's own walk over the declared fields, reading relations through the ORM."""
    serializer = ProviderSerializer(context={"now": now})
    return serializers.Serializer.to_representation(serializer, sal)


@pytest.fixture
def directory(make_provider):
    """Rows that exercise every field: confidential, remote, shared numbers, odd hours."""
    legal = make_provider(
        name="Legal Aid",
        services=("legal-assistance", "victim-advocacy"),
        victimizations=("labor-trafficking", "sex-trafficking"),
        populations=("youth-minors", "women"),
        languages=("es", "en", "ase"),
        accessibility=("wheelchair", "asl"),
        hours=((1, time(9), time(17)), (1, time(18), time(20)), (6, time(22), time(2))),
        cost_note="Free for survivors",
        eligibility="Anyone",
        how_to_get_help="Call first",
        website="https://legal.example",
        email="help@legal.example",
    )
    organization = legal.service.organization
    organization.alternate_name = "LA"
    organization.website = "https://org.example"
    organization.last_verified_on = date(2025, 1, 31)
    organization.save()
    # Provider text in other languages rides along in `translations` (issue 17, item 4).
    legal.service.translations = {
        "es": {"eligibility": "Cualquiera"},
        "vi": {"cost_note": "Miễn phí"},
    }
    legal.service.save()
    legal.location.hours_note = "Closed on holidays"
    legal.location.translations = {"es": {"hours_note": "Cerrado los días festivos"}}
    legal.location.save()
    # The same number on the service, the location and the organization (shown once), and
    # one number with and without an extension (both shown), and one on two owners at once.
    Phone.objects.create(location=legal.location, number="+12125550100", position=2)
    Phone.objects.create(organization=organization, number="+12125550100")
    Phone.objects.create(
        location=legal.location, number="+1 (212) 555-0177", extension="12", kind="tty"
    )
    Phone.objects.create(
        organization=organization,
        number="+1 (212) 555-0177",
        note="Front desk",
        translations={"es": {"note": "Recepción"}},
    )
    Phone.objects.create(
        service=legal.service, location=legal.location, number="+18005550123", kind="hotline"
    )
    shelter = make_provider(
        name="Safe Harbor",
        street="1 Secret Lane",
        lat=40.7512,
        lng=-73.9901,
        confidential=True,
        open_24_7=True,
        accessibility=("wheelchair",),
        services=("food-shelter-housing",),
    )
    make_provider(
        name="Night Desk", timezone="America/Los_Angeles", hours=((7, time(20), time(4)),)
    )
    make_provider(name="National Line", kind=LocationKind.REMOTE, service_area="nationwide")
    make_provider(
        name="New York Line",
        kind=LocationKind.REMOTE,
        service_area=ServiceArea.STATES,
        service_area_states=["NJ", "NY"],
    )
    make_provider(
        name="Metro Line",
        kind=LocationKind.REMOTE,
        service_area=ServiceArea.RADIUS,
        service_area_lat=40.7,
        service_area_lng=-74.0,
        service_area_radius_mi=30,
    )
    return {"legal": legal, "shelter": shelter}


def search_rows() -> list[ServiceAtLocation]:
    results = search.search(**NYC, radius_mi=25, state="NY")
    return [*results.nearby, *results.remote]


@pytest.mark.parametrize("now", MOMENTS)
def test_rows_equal_the_serializers_declared_fields(directory, now):
    rows = search_rows()
    assert len(rows) == 6
    related = load_related(rows)
    built = [ProviderSerializer(sal, context={"now": now, "related": related}).data for sal in rows]
    assert built == [reference(sal, now=now) for sal in search_rows()]
    assert {row["open_now"] for row in built} == {True, False}


def test_rows_equal_the_serializer_in_spanish_too(directory):
    with translation.override("es"):
        rows = search_rows()
        data = ProviderSerializer(
            rows, many=True, context={"now": MOMENTS[0], "related": load_related(rows)}
        ).data
        assert data == [reference(sal, now=MOMENTS[0]) for sal in search_rows()]


def test_a_row_without_loaded_relations_loads_its_own(directory):
    sal = ServiceAtLocation.objects.select_related(
        "service", "service__organization", "location"
    ).get(pk=directory["legal"].pk)
    data = ProviderSerializer(sal, context={"now": MOMENTS[0]}).data
    assert data == reference(sal, now=MOMENTS[0])


def test_numbers_come_voice_first_then_service_first_once_each(directory):
    rows = search_rows()
    legal = next(sal for sal in rows if sal.pk == directory["legal"].pk)
    phones = ProviderSerializer(legal, context={"related": load_related(rows)}).data["phones"]
    assert [(phone["number"], phone["extension"]) for phone in phones] == [
        ("+12125550100", ""),
        ("+18005550123", ""),
        ("+1 (212) 555-0177", ""),  # the organization's voice line before the location's TTY
        ("+1 (212) 555-0177", "12"),
    ]
    assert phones[3]["tel_uri"] == "tel:+12125550177;ext=12"


def test_a_confidential_row_shows_no_street_and_no_point(directory):
    rows = search_rows()
    shelter = next(sal for sal in rows if sal.pk == directory["shelter"].pk)
    location = ProviderSerializer(shelter, context={"related": load_related(rows)}).data["location"]
    assert (location["address_1"], location["lat"], location["lng"]) == ("", None, None)
    assert location["address_confidential"] is True


def test_relations_of_any_number_of_rows_take_five_queries_one_on_postgresql(
    directory, django_assert_num_queries
):
    rows = search_rows()
    expected = 1 if connection.vendor == "postgresql" else 5
    with django_assert_num_queries(expected):
        load_related(rows)
    with django_assert_num_queries(expected):
        load_related(rows[:1])
    with django_assert_num_queries(0):
        load_related([])


def test_search_and_detail_responses_equal_the_reference(directory, api_client):
    body = api_client.get("/api/v1/providers/?lat=40.7484&lng=-73.9967").json()
    ids = [row["id"] for row in body["results"] + body["remote"]]
    now = MOMENTS[0]
    expected = {str(sal.id): reference(sal, now=now) for sal in search_rows()}
    for row in body["results"] + body["remote"]:
        # open_now is read at request time; it is compared at fixed moments above.
        assert {**row, "open_now": None} == {**expected[row["id"]], "open_now": None}
    assert len(ids) == 6
    detail = api_client.get(f"/api/v1/providers/{directory['legal'].id}/")
    assert detail.status_code == HTTPStatus.OK
    assert {**detail.json(), "open_now": None} == {
        **expected[str(directory["legal"].id)],
        "distance_mi": None,
        "distance_km": None,
        "open_now": None,
    }


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query planner")
@pytest.mark.parametrize("statistics", ["none", "large, links unanalysed"])
def test_relations_are_read_from_the_pages_links_first(directory, statistics):
    """Each relation's statement reads the page's own rows or links first and then looks up
    their terms or languages. On the 100k bench directory, whose accessibility links were
    added after its statistics were taken, SQLite had chosen to scan every term and probe
    the page's links for each (four times slower); CROSS JOIN fixes the order. (A test
    directory is too small to draw that plan from SQLite: this guards the order.)"""
    rows = search_rows()
    statements = listings._statements(
        "sqlite",
        [sal.service_id.hex for sal in rows],
        [sal.location_id.hex for sal in rows],
        [sal.service.organization_id.hex for sal in rows],
    )
    if statistics != "none":
        # Many locations with accessibility links, as in a large directory.
        organization = rows[0].service.organization
        places = Location.objects.bulk_create(
            Location(organization=organization, name=f"Extra {n}") for n in range(1500)
        )
        features = list(Term.objects.accessibility_features()[:3])
        Location.accessibility.through.objects.bulk_create(
            Location.accessibility.through(location_id=place.id, term_id=term.id)
            for place in places
            for term in features
        )
    with connection.cursor() as cursor:
        if statistics != "none":
            cursor.execute("ANALYZE")
            # A large directory's numbers, the accessibility links unanalysed (empty then).
            cursor.execute(
                "UPDATE sqlite_stat1 SET stat = '200000 2' WHERE tbl = 'providers_phone'"
                " AND idx LIKE 'providers_phone_%'"
            )
            cursor.execute(
                "UPDATE sqlite_stat1 SET stat = '500000 5' WHERE tbl = 'providers_openinghours'"
                " AND idx LIKE 'providers_openinghours_%'"
            )
            cursor.execute(
                "DELETE FROM sqlite_stat1 WHERE tbl = 'providers_location_accessibility'"
            )
            cursor.execute("ANALYZE sqlite_schema")  # reload the statistics
        for sql, params in statements:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = [row[3] for row in cursor.fetchall()]
            # The outer loop is the page's rows or links, never the whole vocabulary.
            assert not plan[0].startswith(("SCAN term", "SCAN language")), plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's statements")
def test_postgresql_reads_a_page_in_one_statement_its_ids_one_array(directory):
    """The builder's six statements bound every id of the page (a page of numbers bound 75):
    psycopg parsed each statement over 50 parameters again on every request, its text
    changed with the page's size, and dumping them cost more than the statements. Now one
    statement (the rows, then their relations), one text for any page, a handful of
    parameters."""
    rows = search_rows()
    assert len(rows) > 3
    seen = {}
    for page in (rows, rows[:1]):
        statements = seen[len(page)] = []

        def keep(execute, sql, params, many, context, statements=statements):
            statements.append((sql, len(params)))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(keep):
            assert len(listings.build_listings([(row.pk, None) for row in page])) == len(page)
    many, one = seen[len(rows)], seen[1]
    assert len(many) == 1  # the rows and their relations, one statement
    assert many == one
    assert max(count for _, count in many) <= 3


def detail_and_serializer(api_client, sal) -> tuple[dict, dict, dict]:
    """The detail endpoint's row, the serializer's, and DRF's reference walk (open_now aside)."""
    sal = ServiceAtLocation.objects.select_related(
        "service", "service__organization", "location"
    ).get(pk=sal.pk)
    response = api_client.get(f"/api/v1/providers/{sal.id}/")
    assert response.status_code == HTTPStatus.OK
    served = {**response.json(), "open_now": None}
    built = {**ProviderSerializer(sal, context={"now": MOMENTS[0]}).data, "open_now": None}
    expected = {**reference(sal, now=MOMENTS[0]), "open_now": None}
    return served, built, expected


def test_a_number_repeated_on_the_service_alone_shows_once_per_kind(make_provider, api_client):
    """A voice and a text line on one number, and nothing on the location or organization."""
    sal = make_provider(name="One Number")
    Phone.objects.filter(location=sal.location).delete()
    Phone.objects.filter(organization=sal.service.organization).delete()
    Phone.objects.filter(service=sal.service).delete()
    Phone.objects.create(service=sal.service, number="+12125550100", kind="text")
    Phone.objects.create(service=sal.service, number="+12125550100", position=1)
    Phone.objects.create(service=sal.service, number="+12125550100", position=2)
    served, built, expected = detail_and_serializer(api_client, sal)
    assert [(phone["number"], phone["kind"]) for phone in served["phones"]] == [
        ("+12125550100", "voice"),  # calls before texts, whatever the order typed
        ("+12125550100", "text"),
    ]
    assert served == built == expected


@pytest.mark.parametrize(
    "states",
    [["NY", None], "NY", [], Value(None, JSONField()), ["NJ", 7]],
    ids=["a null", "a string", "empty", "JSON null", "a number"],
)
def test_odd_states_written_past_validation_show_as_the_serializer_shows_them(
    make_provider, api_client, states
):
    """clean() keeps these out, but a direct write can put them in: the rows still equal
    DRF's (a JSON string is read as its characters, a null item stays null)."""
    sal = make_provider(name="Odd States")
    Service.objects.filter(pk=sal.service_id).update(service_area_states=states)
    served, built, expected = detail_and_serializer(api_client, sal)
    assert served == built == expected


@pytest.mark.parametrize("translations", ["x", '{"es": {"note": "a"}}', ""])
def test_a_numbers_odd_translations_written_past_validation_show_as_the_serializer_shows_them(
    directory, api_client, translations
):
    """A number's translations that are a JSON string (a direct write past validation) are
    shown as that string, on the detail and in a search. PostgreSQL's relations come as JSON:
    the column embedded as JSON was decoded twice (a 500 for "x", a dict for JSON text)."""
    legal = directory["legal"]
    Phone.objects.filter(organization=legal.service.organization).update(translations=translations)
    served, built, expected = detail_and_serializer(api_client, legal)
    assert served == built == expected
    assert translations in [phone["translations"] for phone in served["phones"]]
    body = api_client.get("/api/v1/providers/?lat=40.7484&lng=-73.9967").json()
    (found,) = [row for row in body["results"] if row["id"] == str(legal.id)]
    assert found["phones"] == expected["phones"]


def test_a_rows_source_never_shows_its_address_when_printed(directory):
    rows = search_rows()
    shelter = next(sal for sal in rows if sal.pk == directory["shelter"].pk)
    source = listings._Source.of(shelter)
    assert source.address_1 == "1 Secret Lane"
    assert "Secret" not in repr(source) and "40.75" not in repr(source)
    assert str(shelter.id.hex) in repr(source) or str(shelter.id) in repr(source)
