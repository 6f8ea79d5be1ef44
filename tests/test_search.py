"""The one search: radius, order, filters, remote services and redaction."""

import math
from datetime import UTC, datetime, time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from providers import search, search_rows
from providers.geometry import haversine_mi
from providers.models import Location, LocationKind, OpeningHours, ServiceArea
from providers.search import Filters, InvalidSearch

# Midtown Manhattan (ZIP 10001), Newark NJ (~9 mi), Philadelphia (~80 mi).
NYC = {"lat": 40.7484, "lng": -73.9967}


def test_search_returns_nearest_first_with_distance(make_provider):
    make_provider(name="Far", lat=40.7357, lng=-74.1724)  # Newark
    make_provider(name="Near", lat=40.7505, lng=-73.9934)
    results = list(search.nearby(**NYC, radius_mi=25))
    assert [r.service.organization.name for r in results] == ["Near", "Far"]
    assert results[0].distance_mi < 1
    assert 8 < results[1].distance_mi < 10
    assert results[1].distance_km == pytest.approx(results[1].distance_mi * 1.609344, abs=0.2)


def test_search_excludes_providers_outside_radius(make_provider):
    make_provider(name="Philadelphia", lat=39.9526, lng=-75.1652)
    assert list(search.nearby(**NYC, radius_mi=25)) == []
    assert len(search.nearby(**NYC, radius_mi=100)) == 1


def test_search_hides_unpublished_listings(make_provider):
    make_provider(name="Draft org", status="draft")
    make_provider(name="Retired service", service_status="retired")
    make_provider(name="Live")
    names = [r.service.organization.name for r in search.nearby(**NYC)]
    assert names == ["Live"]


def test_search_filters_by_service_type_any_of(make_provider):
    make_provider(name="Legal", services=("legal-assistance",))
    make_provider(name="Shelter", services=("food-shelter-housing",))
    make_provider(name="Counsel", services=("counseling-support-groups",))
    found = search.nearby(
        **NYC, filters=Filters(services=("legal-assistance", "food-shelter-housing"))
    )
    assert sorted(r.service.organization.name for r in found) == ["Legal", "Shelter"]


def test_search_combines_filters_with_and(make_provider):
    make_provider(name="Both", services=("legal-assistance",), languages=("es",))
    make_provider(name="Legal only", services=("legal-assistance",), languages=("en",))
    found = search.nearby(**NYC, filters=Filters(services=("legal-assistance",), languages=("es",)))
    assert [r.service.organization.name for r in found] == ["Both"]


def test_search_filters_by_victimization_population_cost_and_text(make_provider):
    make_provider(
        name="Labor Rights Project",
        victimizations=("labor-trafficking",),
        populations=("immigrants",),
        cost="sliding_scale",
    )
    make_provider(name="Other", victimizations=("domestic-violence",), populations=("women",))
    assert len(search.nearby(**NYC, filters=Filters(victimizations=("labor-trafficking",)))) == 1
    assert len(search.nearby(**NYC, filters=Filters(populations=("women",)))) == 1
    assert len(search.nearby(**NYC, filters=Filters(costs=("sliding_scale",)))) == 1
    assert len(search.nearby(**NYC, filters=Filters(text="labor rights"))) == 1
    with pytest.raises(InvalidSearch):
        list(search.nearby(**NYC, filters=Filters(costs=("cheap",))))


def test_open_now_respects_local_time_and_overnight_hours(make_provider):
    make_provider(name="Day", hours=((2, time(9), time(17)),))  # Tuesday 9-17
    make_provider(name="Night", hours=((1, time(20), time(2)),))  # Monday 20:00-02:00
    make_provider(name="Always", open_24_7=True)
    tuesday_noon = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)  # 12:00 in New York
    tuesday_1am = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)  # 01:00 in New York
    noon = search.nearby(**NYC, filters=Filters(open_now=True), now=tuesday_noon)
    night = search.nearby(**NYC, filters=Filters(open_now=True), now=tuesday_1am)
    assert sorted(r.service.organization.name for r in noon) == ["Always", "Day"]
    assert sorted(r.service.organization.name for r in night) == ["Always", "Night"]


def test_open_now_reads_the_time_zones_in_use_from_their_index(make_provider):
    """One clause per time zone in use: the zones are read alone (DISTINCT over the
    location's default ordering too read every location, twice per results page: 44 ms
    each at 100k listings), and each listing's periods from one covering index."""
    make_provider(name="Day", hours=((2, time(9), time(17)),))
    make_provider(name="Chicago", lat=41.88, lng=-87.63, timezone="America/Chicago")
    with CaptureQueriesContext(connection) as queries:
        list(search.nearby(**NYC, filters=Filters(open_now=True)))
    zones = [query["sql"] for query in queries if "DISTINCT" in query["sql"]]
    assert zones == [
        'SELECT DISTINCT "providers_location"."timezone" AS "timezone" FROM "providers_location"'
    ]
    indexes = {
        index.name: index.fields
        for model in (Location, OpeningHours)
        for index in model._meta.indexes
    }
    assert indexes["location_timezone_idx"] == ["timezone"]
    assert indexes["hours_open_idx"] == ["location", "weekday", "opens_at", "closes_at"]
    # It leads with the location: the foreign key has no index of its own to write too.
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, OpeningHours._meta.db_table)
    assert [
        name
        for name, about in constraints.items()
        if about["index"] and about["columns"] == ["location_id"]
    ] == []


def test_remote_services_covering_the_point_come_back_apart(make_provider):
    make_provider(name="Near")
    make_provider(
        name="National line", kind=LocationKind.REMOTE, service_area=ServiceArea.NATIONWIDE
    )
    make_provider(
        name="NY line",
        kind=LocationKind.REMOTE,
        service_area=ServiceArea.STATES,
        service_area_states=["NY"],
    )
    make_provider(
        name="CA line",
        kind=LocationKind.REMOTE,
        service_area=ServiceArea.STATES,
        service_area_states=["CA"],
    )
    for name, (lat, lng) in {"Metro line": (40.7, -74.0), "Far line": (34.05, -118.24)}.items():
        make_provider(
            name=name,
            kind=LocationKind.REMOTE,
            service_area=ServiceArea.RADIUS,
            service_area_lat=lat,
            service_area_lng=lng,
            service_area_radius_mi=30,
        )
    results = search.search(**NYC, state="NY")
    assert [r.service.organization.name for r in results.nearby] == ["Near"]
    assert [r.service.organization.name for r in results.remote] == [
        "Metro line",
        "NY line",
        "National line",
    ]
    assert results.remote_ids == [sal.id for sal in results.remote]


def test_a_search_reads_only_the_remote_areas_that_can_cover_its_point(make_provider):
    """A national directory lists hundreds of statewide lines: a search in New York reads New
    York's and the nationwide ones, not every state's, and finds the same services as judging
    every remote service one by one."""

    def remote(name, **area):
        make_provider(name=name, kind=LocationKind.REMOTE, **area)

    for state in ("CA", "TX", "FL", "WA", "NYC", "N"):  # "NYC", "N": only whole codes match
        remote(f"{state} line", service_area=ServiceArea.STATES, service_area_states=[state])
    remote("NJ and NY line", service_area=ServiceArea.STATES, service_area_states=["NJ", "NY"])
    remote("Nationwide line", service_area=ServiceArea.NATIONWIDE)
    circles = {
        # Judged by the centre rounded to a tenth of a degree: 41.1 is 24 miles north, 41.2 is
        # 31 (geometry.area_centre).
        "Just inside, due north": (NYC["lat"] + 0.4, NYC["lng"], 30),
        "Just outside, due north": (NYC["lat"] + 0.5, NYC["lng"], 30),
        "Well north": (NYC["lat"] + 0.6, NYC["lng"], 30),
        "Far south": (25.77, -80.19, 50),
        "Same latitude, far west": (NYC["lat"], -118.0, 30),
    }
    for name, (lat, lng, miles) in circles.items():
        remote(
            name,
            service_area=ServiceArea.RADIUS,
            service_area_lat=lat,
            service_area_lng=lng,
            service_area_radius_mi=miles,
        )
    every = search_rows.remote_candidates((), None, using="default")
    read = search_rows.remote_candidates((), None, using="default", lat=NYC["lat"], state="NY")
    names = {area.organization for area in read}
    assert names == {
        "NJ and NY line",
        "Nationwide line",
        "Just inside, due north",
        "Just outside, due north",  # read, then judged by its distance
        "Same latitude, far west",  # likewise
    }
    judged = [area.id for area in every if search.area_covers(area, **NYC, state="NY")]
    assert sorted(search.covering_ids(**NYC, state="NY")) == sorted(judged)
    assert {area.organization for area in every if area.id in judged} == {
        "NJ and NY line",
        "Nationwide line",
        "Just inside, due north",
    }
    # Without a state (not known for the point) no state list is read.
    stateless = search_rows.remote_candidates((), None, using="default", lat=NYC["lat"], state="")
    assert {area.organization for area in stateless} == {
        "Nationwide line",
        "Just inside, due north",
        "Just outside, due north",
        "Same latitude, far west",
    }


def test_confidential_distance_is_measured_from_its_public_point(make_provider):
    sal = make_provider(name="Shelter", lat=40.7505, lng=-73.9934, confidential=True)
    (row,) = search.nearby(**NYC)
    public = row.location.search_point
    assert haversine_mi(lat1=40.7505, lng1=-73.9934, lat2=public[0], lng2=public[1]) >= 1
    expected = haversine_mi(lat1=NYC["lat"], lng1=NYC["lng"], lat2=public[0], lng2=public[1])
    assert row.distance_mi == round(expected, 1)
    assert row.location.public_point is None
    assert row.location.public_street == ""
    # Pinned 1.5 mi due east, it is found within 2 mi but not within 1 (the real point is 0.2).
    Location.objects.filter(pk=sal.location_id).update(offset_bearing=math.pi / 2, offset_mi=1.5)
    assert search.nearby(**NYC, radius_mi=2).count() == 1
    assert search.nearby(**NYC, radius_mi=1).count() == 0
    # Made public, it is measured from where it is; made confidential again, from afar.
    Location.objects.filter(pk=sal.location_id).update(address_confidential=False)
    assert search.nearby(**NYC, radius_mi=1).count() == 1
    Location.objects.filter(pk=sal.location_id).update(address_confidential=True)
    assert search.nearby(**NYC, radius_mi=1).count() == 0


def test_a_confidential_location_gets_its_own_fixed_offset(make_provider):
    first = make_provider(name="One", confidential=True).location
    second = make_provider(name="Two", confidential=True).location
    assert (first.offset_bearing, first.offset_mi) != (second.offset_bearing, second.offset_mi)
    assert 1 <= first.offset_mi <= 2 and 0 <= first.offset_bearing < 2 * math.pi
    before = first.search_point
    first.address_confidential = False
    first.save()
    first.address_confidential = True
    first.save()
    first.refresh_from_db()
    assert first.search_point == before  # never drawn again


def test_search_rejects_out_of_range_inputs(db):
    with pytest.raises(InvalidSearch) as error:
        search.nearby(lat=91, lng=0)
    assert error.value.field == "lat"
    with pytest.raises(InvalidSearch) as error:
        search.nearby(lat=0, lng=0, radius_mi=-1)
    assert error.value.field == "radius"
    with pytest.raises(InvalidSearch):
        search.nearby(lat=0, lng=0, radius_mi=100000)


def test_search_works_across_the_antimeridian(make_provider):
    make_provider(name="West of 180", lat=51.8, lng=179.9, timezone="America/Adak")
    make_provider(name="East of 180", lat=51.8, lng=-179.9, timezone="America/Adak")
    found = search.nearby(lat=51.8, lng=179.95, radius_mi=25)
    assert sorted(r.service.organization.name for r in found) == ["East of 180", "West of 180"]


def test_search_near_the_pole_finds_all_longitudes(make_provider):
    make_provider(name="A", lat=89.9, lng=0)
    make_provider(name="B", lat=89.9, lng=180)
    assert len(search.nearby(lat=89.95, lng=90, radius_mi=25)) == 2


def test_listing_without_a_place_is_by_name(make_provider):
    make_provider(name="Beta")
    make_provider(name="Alpha")
    assert [r.service.organization.name for r in search.search().nearby] == ["Alpha", "Beta"]


def test_tiny_coordinate_differences_do_not_fail_on_any_database(make_provider):
    # Regression: PostgreSQL raised "value out of range: underflow" for sin(1e-200)².
    make_provider(name="Origin", lat=0.0, lng=1e-200)
    make_provider(name="Near origin", lat=1e-200, lng=0.0)
    found = search.nearby(lat=1e-300, lng=0.0, radius_mi=1)
    assert sorted(r.service.organization.name for r in found) == ["Near origin", "Origin"]
    assert all(r.exact_distance_mi < 1e-6 for r in found)


def test_direct_statements_and_the_orm_query_agree_for_every_filter(make_provider):
    """nearby() answers count() and pages with its own statements; filtered further by a
    caller it runs the ORM's query. Both must find the same rows in the same order."""
    for i in range(24):
        make_provider(
            name=f"P{i:02d}",
            lat=40.7484 + (i % 6) * 0.02,
            lng=-73.9967 - (i // 6) * 0.03,
            services=("legal-assistance",) if i % 2 else ("victim-advocacy",),
            languages=("en", "es") if i % 3 == 0 else ("en",),
        )
    for filters in (
        Filters(),
        Filters(services=("legal-assistance",)),
        Filters(languages=("es",)),
        Filters(services=("legal-assistance",), languages=("es",)),
        Filters(text="P1"),
    ):
        direct = search.nearby(**NYC, radius_mi=25, filters=filters)
        via_orm = search.nearby(**NYC, radius_mi=25, filters=filters).filter(pk__isnull=False)
        assert direct.direct() is not None and via_orm.direct() is None
        expected = [row.pk for row in via_orm]
        assert expected, filters
        assert direct.count() == via_orm.count() == len(expected)
        assert [row.pk for row in direct] == expected
        for low, high in ((0, 5), (3, 9), (len(expected) - 2, len(expected) + 5)):
            assert [row.pk for row in direct[low:high]] == expected[low:high]
            fresh = search.nearby(**NYC, radius_mi=25, filters=filters)
            assert [pk for pk, _ in fresh[low:high].ranked()] == expected[low:high]


def test_remote_services_are_filtered_like_nearby_ones(make_provider):
    make_provider(name="Legal ES", kind="remote", service_area="nationwide",
                  services=("legal-assistance",), languages=("en", "es"), cost="free")  # fmt: skip
    make_provider(name="Legal EN", kind="remote", service_area="nationwide",
                  services=("legal-assistance",), languages=("en",), cost="fee")  # fmt: skip
    make_provider(name="Counsel", kind="remote", service_area="states",
                  service_area_states=["NY"], services=("counseling-support-groups",))  # fmt: skip
    make_provider(name="Hidden", kind="remote", service_area="nationwide", status="draft")

    def names(filters=None, state="NY"):
        arguments = {**NYC, "state": state, "filters": filters or Filters()}
        found = search.covering(**arguments)
        # The API's path (plain values, no models) chooses the same rows in the same order.
        assert search.covering_ids(**arguments) == [sal.id for sal in found]
        return [sal.service.organization.name for sal in found]

    assert names() == ["Counsel", "Legal EN", "Legal ES"]  # a state list before nationwide
    assert names(state="CA") == ["Legal EN", "Legal ES"]
    assert names(Filters(services=("legal-assistance",))) == ["Legal EN", "Legal ES"]
    assert names(Filters(languages=("es",))) == ["Legal ES"]
    assert names(Filters(costs=("fee",))) == ["Legal EN"]
    assert names(Filters(text="counsel")) == ["Counsel"]
    assert names(Filters(services=("legal-assistance",), costs=("free",), languages=("es",))) == [
        "Legal ES"
    ]
