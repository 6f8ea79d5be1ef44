"""The v1 API read side: search, detail, vocabularies, places, and what clients rely on."""

from datetime import time
from http import HTTPStatus

import pytest
from rest_framework.throttling import AnonRateThrottle

from providers.geometry import haversine_mi
from providers.models import Location, LocationKind, Phone, ServiceArea

SEARCH = "/api/v1/providers/"
NYC = "lat=40.7484&lng=-73.9967"


def get(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code < 500, response.content
    return response


def names(rows):
    return [row["organization"]["name"] for row in rows]


def test_search_near_zip_returns_nearest_first_with_both_distances(make_provider, api_client):
    make_provider(name="Newark", lat=40.7357, lng=-74.1724)
    make_provider(name="Midtown", lat=40.7505, lng=-73.9934)
    make_provider(name="Philadelphia", lat=39.9526, lng=-75.1652)
    response = get(api_client, f"{SEARCH}?near=10001")
    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert names(body["results"]) == ["Midtown", "Newark"]
    assert body["count"] == 2
    assert body["place"]["label"].startswith("New York")
    assert body["radius_mi"] == 25
    newark = body["results"][1]
    assert 8 < newark["distance_mi"] < 10
    assert newark["distance_km"] == pytest.approx(newark["distance_mi"] * 1.609344, abs=0.2)


def test_search_result_carries_location_phones_hours_languages_services_and_verified(
    make_provider, api_client
):
    sal = make_provider(
        name="Legal Aid",
        services=("legal-assistance", "victim-advocacy"),
        victimizations=("labor-trafficking",),
        languages=("en", "es"),
        hours=((1, time(9), time(17)),),
        accessibility=("wheelchair",),
    )
    Phone.objects.create(location=sal.location, number="+12125550199", kind=Phone.Kind.TEXT)
    row = get(api_client, f"{SEARCH}?{NYC}").json()["results"][0]
    assert sorted(row["services"]) == ["legal-assistance", "victim-advocacy"]
    assert row["victimization"] == ["labor-trafficking"]
    assert [language["code"] for language in row["languages"]] == ["en", "es"]
    assert row["location"]["address_1"] == "350 Fifth Avenue"
    assert (row["location"]["lat"], row["location"]["lng"]) == (40.7484, -73.9967)
    assert row["location"]["accessibility"] == ["wheelchair"]
    assert [phone["number"] for phone in row["phones"]] == ["+12125550100", "+12125550199"]
    assert row["hours"] == [{"weekday": 1, "opens_at": "09:00", "closes_at": "17:00"}]
    assert row["last_verified"] is None
    assert row["id"] == str(sal.id)


def test_search_with_km_unit_converts_the_radius(make_provider, api_client):
    make_provider(name="Newark", lat=40.7357, lng=-74.1724)  # about 14 km away
    assert get(api_client, f"{SEARCH}?{NYC}&radius=10&unit=km").json()["count"] == 0
    body = get(api_client, f"{SEARCH}?{NYC}&radius=20&unit=km").json()
    assert body["count"] == 1
    assert body["radius_km"] == 20.0


def test_remote_services_come_in_their_own_list(make_provider, api_client):
    make_provider(name="Office")
    make_provider(name="National Line", kind=LocationKind.REMOTE, service_area="nationwide")
    make_provider(
        name="Texas Line",
        kind=LocationKind.REMOTE,
        service_area=ServiceArea.STATES,
        service_area_states=["TX"],
    )
    body = get(api_client, f"{SEARCH}?near=10001").json()
    assert names(body["results"]) == ["Office"]
    assert names(body["remote"]) == ["National Line"]
    assert body["remote"][0]["distance_mi"] is None
    assert body["remote_count"] == 1 and body["remote_next"] is None


def test_a_page_carries_the_first_five_remote_services_and_a_link_to_all(make_provider, api_client):
    for number in range(7):
        make_provider(name=f"Line {number}", kind=LocationKind.REMOTE, service_area="nationwide")
    body = get(api_client, f"{SEARCH}?{NYC}&page_size=3").json()
    assert names(body["remote"]) == [f"Line {number}" for number in range(5)]
    assert body["remote_count"] == 7
    assert "remote=all" in body["remote_next"] and "page_size=3" in body["remote_next"]
    every = get(api_client, body["remote_next"]).json()
    assert names(every["remote"]) == [f"Line {number}" for number in range(7)]
    assert every["remote_count"] == 7 and every["remote_next"] is None
    junk = get(api_client, f"{SEARCH}?{NYC}&remote=some")
    assert junk.status_code == HTTPStatus.BAD_REQUEST
    assert junk.json() == {"remote": ["Use all, or leave it out for the first few."]}


def test_search_filters_by_repeated_service_any_of_and_other_filters(make_provider, api_client):
    make_provider(name="Legal", services=("legal-assistance",), languages=("es",))
    make_provider(name="Shelter", services=("food-shelter-housing",), cost="fee")
    make_provider(name="Counsel", services=("counseling-support-groups",))
    both = get(api_client, f"{SEARCH}?{NYC}&service=legal-assistance&service=food-shelter-housing")
    assert sorted(names(both.json()["results"])) == ["Legal", "Shelter"]
    commas = get(api_client, f"{SEARCH}?{NYC}&service=legal-assistance,food-shelter-housing")
    assert commas.json()["count"] == 2
    assert names(get(api_client, f"{SEARCH}?{NYC}&language=es").json()["results"]) == ["Legal"]
    assert names(get(api_client, f"{SEARCH}?{NYC}&cost=fee").json()["results"]) == ["Shelter"]
    assert names(get(api_client, f"{SEARCH}?q=counsel").json()["results"]) == ["Counsel"]


def test_open_now_filter_accepts_true_and_rejects_junk(make_provider, api_client):
    make_provider(name="Always", open_24_7=True)
    make_provider(name="Never")
    assert names(get(api_client, f"{SEARCH}?{NYC}&open_now=true").json()["results"]) == ["Always"]
    junk = get(api_client, f"{SEARCH}?{NYC}&open_now=maybe")
    assert junk.status_code == HTTPStatus.BAD_REQUEST
    assert junk.json() == {"open_now": ["Use true or false."]}


def test_without_a_place_the_search_is_a_listing_by_name(make_provider, api_client):
    make_provider(name="Zeta", lat=34.05, lng=-118.24)
    make_provider(name="Alpha")
    body = get(api_client, SEARCH).json()
    assert names(body["results"]) == ["Alpha", "Zeta"]
    assert body["place"] is None and body["remote"] == [] and body["radius_mi"] is None
    assert body["remote_count"] == 0 and body["remote_next"] is None


@pytest.mark.parametrize(
    ("query", "field", "reason"),
    [
        ("lat=91&lng=0", "lat", "less than or equal to 90"),
        ("lat=0&lng=-181", "lng", "greater than or equal to -180"),
        ("lat=abc&lng=0", "lat", "Enter a number"),
        ("lat=40", "lng", "Give both lat and lng"),
        ("lat=nan&lng=0", "lat", "Enter a number"),
        (f"{NYC}&radius=-1", "radius", "more than 0"),
        (f"{NYC}&radius=0", "radius", "more than 0"),
        (f"{NYC}&radius=100000", "radius", "at most 250 mi"),
        (f"{NYC}&radius=500&unit=km", "radius", "at most 402 km"),
        (f"{NYC}&radius=ten", "radius", "Enter a number"),
        (f"{NYC}&unit=feet", "unit", "Select a valid choice"),
        ("service=flying-lessons", "service", "Unknown service types: flying-lessons"),
        ("victimization=x", "victimization", "Unknown victimization types: x"),
        ("population=x", "population", "Unknown populations: x"),
        ("language=klingon", "language", "Unknown languages: klingon"),
        ("accessibility=x", "accessibility", "Unknown accessibility features: x"),
        ("cost=cheap", "cost", "Unknown costs: cheap"),
        ("near=00000", "near", "ZIP code 00000"),
        ("near=Qwxzyville, ZZ", "near", "couldn't find"),
        (f"near=10001&{NYC}", "near", "not both"),
        ("q=" + "x" * 201, "q", "at most 200 characters"),
        ("q=%00", "q", "Null characters"),
        ("page=0", "page", "from 1"),
        ("page=-3", "page", "from 1"),
        ("page=two", "page", "whole number"),
        ("page_size=0", "page_size", "from 1"),
        ("page_size=lots", "page_size", "whole number"),
        ("format=xml", "format", "Unknown format"),
    ],
)
def test_invalid_search_input_is_a_400_naming_the_field_and_reason(
    db, api_client, query, field, reason
):
    response = get(api_client, f"{SEARCH}?{query}")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    body = response.json()
    assert field in body, body
    assert any(reason in message for message in body[field]), body


def test_unknown_place_comes_with_suggestions(db, api_client):
    body = get(api_client, f"{SEARCH}?near=Springfild, IL").json()
    assert "Springfield, IL" in body["suggestions"]


def test_page_past_the_last_is_a_404_with_a_reason(make_provider, api_client):
    make_provider()
    response = get(api_client, f"{SEARCH}?page=2")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "1 pages" in response.json()["page"][0]


def test_empty_result_first_page_is_ok(db, api_client):
    body = get(api_client, f"{SEARCH}?near=10001").json()
    assert body["count"] == 0 and body["results"] == []


def test_page_size_is_capped_at_100(make_provider, api_client):
    make_provider()
    body = get(api_client, f"{SEARCH}?page_size=100000").json()
    assert body["count"] == 1


def test_pages_never_repeat_or_skip_when_distances_tie(make_provider, api_client):
    for number in range(7):  # all at one point: every distance ties, ids break the tie
        make_provider(name=f"Same place {number}")
    seen = []
    for page in (1, 2, 3):
        body = get(api_client, f"{SEARCH}?{NYC}&page_size=3&page={page}").json()
        seen += [row["id"] for row in body["results"]]
    assert len(seen) == len(set(seen)) == 7
    assert seen == sorted(seen)


def test_a_page_beyond_the_first_circle_is_read_with_the_count_in_order(
    make_provider, api_client, django_assert_max_num_queries
):
    # Two within a quarter of the radius (the circle ranked with the count), five 10-20
    # miles north: the first page needs the wider circle, sized from the count.
    for number, miles in enumerate([0.5, 1.0, 10.0, 12.0, 14.0, 16.0, 20.0]):
        make_provider(name=f"At {number}", lat=40.7484 + miles / 69.0, lng=-73.9967)
    expected = [f"At {number}" for number in range(7)]
    first = get(api_client, f"{SEARCH}?{NYC}&radius=25&page_size=4").json()
    assert first["count"] == 7 and names(first["results"]) == expected[:4]
    last = get(api_client, f"{SEARCH}?{NYC}&radius=25&page_size=4&page=2").json()
    assert last["count"] == 7 and names(last["results"]) == expected[4:]
    with django_assert_max_num_queries(2):  # the count with the page, the remote section
        past = get(api_client, f"{SEARCH}?{NYC}&radius=25&page_size=4&page=3")
    assert past.status_code == HTTPStatus.NOT_FOUND
    assert "2 pages" in past.json()["page"][0]


def test_listing_pages_never_repeat_or_skip_with_equal_names(make_provider, api_client):
    for _ in range(5):
        make_provider(name="Twin")
    seen = []
    for page in (1, 2, 3):
        seen += [
            r["id"] for r in get(api_client, f"{SEARCH}?page_size=2&page={page}").json()["results"]
        ]
    assert len(set(seen)) == 5


@pytest.mark.parametrize("page_size", [5, 50])
def test_search_query_count_is_constant_whatever_the_page_size(
    make_provider, api_client, django_assert_max_num_queries, page_size
):
    for number in range(55):
        sal = make_provider(
            name=f"Provider {number:02}",
            hours=((1, time(9), time(17)),),
            languages=("en", "es"),
            accessibility=("wheelchair",),
            victimizations=("sex-trafficking",),
        )
        Phone.objects.create(location=sal.location, number="+12125550111")
    make_provider(name="Line", kind=LocationKind.REMOTE, service_area="nationwide")
    near = f"{SEARCH}?{NYC}&page_size={page_size}&open_now=false"
    # The search (the count with the ranked ids, the remote section), then six queries build
    # the rows (one on PostgreSQL).
    with django_assert_max_num_queries(8):
        body = get(api_client, near).json()
    assert len(body["results"]) == page_size
    with django_assert_max_num_queries(9):
        get(api_client, f"{SEARCH}?page_size={page_size}&service=victim-advocacy")


def test_geojson_is_a_feature_collection_without_points_for_confidential(make_provider, api_client):
    open_place = make_provider(name="Open")
    hidden = make_provider(name="Shelter", confidential=True, lat=40.7512, lng=-73.9901)
    response = get(api_client, f"{SEARCH}?{NYC}&format=geojson")
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("application/geo+json")
    body = response.json()
    assert body["type"] == "FeatureCollection"
    features = {feature["id"]: feature for feature in body["features"]}
    assert features[str(open_place.id)]["geometry"] == {
        "type": "Point",
        "coordinates": [-73.9967, 40.7484],
    }
    assert features[str(hidden.id)]["geometry"] is None
    public = Location.objects.get(pk=hidden.location_id).search_point
    miles = haversine_mi(lat1=40.7484, lng1=-73.9967, lat2=public[0], lng2=public[1])
    assert features[str(hidden.id)]["properties"]["distance_mi"] == round(miles, 1)


def test_provider_detail_by_search_row_id(make_provider, api_client):
    sal = make_provider(name="Detail Org")
    response = get(api_client, f"{SEARCH}{sal.id}/")
    assert response.status_code == HTTPStatus.OK
    assert response.json()["organization"]["name"] == "Detail Org"
    assert response.json()["distance_mi"] is None


def test_provider_detail_hides_drafts_and_unknown_ids(make_provider, api_client):
    draft = make_provider(status="draft")
    assert get(api_client, f"{SEARCH}{draft.id}/").status_code == HTTPStatus.NOT_FOUND
    missing = "/api/v1/providers/00000000-0000-0000-0000-000000000000/"
    assert get(api_client, missing).status_code == HTTPStatus.NOT_FOUND
    assert get(api_client, f"{SEARCH}not-a-uuid/").status_code == HTTPStatus.NOT_FOUND


def test_provider_detail_has_an_etag_and_answers_304_until_it_changes(make_provider, api_client):
    sal = make_provider()
    url = f"{SEARCH}{sal.id}/"
    first = get(api_client, url)
    etag = first["ETag"]
    assert etag.startswith('"')
    again = get(api_client, url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == HTTPStatus.NOT_MODIFIED
    assert again.content == b""
    Phone.objects.create(service=sal.service, number="+12125550142")
    changed = get(api_client, url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == HTTPStatus.OK
    assert changed["ETag"] != etag


def test_public_get_endpoints_are_open_to_other_origins(make_provider, api_client):
    make_provider()
    for url in (SEARCH, "/api/hsds/services", "/api/v1/service-types/"):
        response = get(api_client, url, HTTP_ORIGIN="https://partner.example")
        assert response["Access-Control-Allow-Origin"] == "*"


def test_anonymous_clients_are_throttled_with_retry_after(db, api_client, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    statuses = [get(api_client, "/api/v1/service-types/").status_code for _ in range(4)]
    assert statuses == [HTTPStatus.OK] * 3 + [HTTPStatus.TOO_MANY_REQUESTS]
    limited = get(api_client, "/api/v1/hotlines/")
    assert limited.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert int(limited["Retry-After"]) > 0


def test_service_types_terms_languages_and_hotlines(db, api_client):
    types = get(api_client, "/api/v1/service-types/").json()
    assert types[0]["slug"] == "victim-advocacy"
    assert {term["kind"] for term in types} == {"service_type"}
    victimization = get(api_client, "/api/v1/terms/?kind=victimization").json()
    assert "labor-trafficking" in [term["slug"] for term in victimization]
    assert get(api_client, "/api/v1/terms/?kind=nope").status_code == HTTPStatus.BAD_REQUEST
    languages = get(api_client, "/api/v1/languages/").json()
    assert "es" in [language["code"] for language in languages]
    hotlines = get(api_client, "/api/v1/hotlines/").json()
    assert hotlines and all(hotline["slug"] for hotline in hotlines)


def test_places_resolve_zip_and_city_and_suggest_for_unknown(db, api_client):
    zip_place = get(api_client, "/api/v1/places/?q=10001").json()
    assert zip_place["kind"] == "zip" and zip_place["state"] == "NY"
    assert zip_place["lat"] == pytest.approx(40.75, abs=0.05)
    city = get(api_client, "/api/v1/places/?q=Springfield, IL").json()
    assert city["state"] == "IL"
    unknown = get(api_client, "/api/v1/places/?q=Springfild, IL")
    assert unknown.status_code == HTTPStatus.BAD_REQUEST
    assert unknown.json()["suggestions"] == ["Springfield, IL"]
    assert get(api_client, "/api/v1/places/").status_code == HTTPStatus.BAD_REQUEST


def test_search_never_logs_the_searched_place(make_provider, api_client, caplog):
    make_provider()
    with caplog.at_level("DEBUG"):
        get(api_client, f"{SEARCH}?near=Springfild, IL")
        get(api_client, f"{SEARCH}?near=10001&radius=-5")
    assert "Springfild" not in caplog.text
    assert "10001" not in caplog.text


def test_parameter_forms_keep_their_own_answers(db):
    from django.http import QueryDict

    from api.filters import ProviderSearchForm

    bad = ProviderSearchForm(QueryDict("lat=91&lng=10&service=nope"))
    good = ProviderSearchForm(QueryDict("lat=40.7&lng=-74&service=legal-assistance"))
    assert not bad.is_valid() and set(bad.errors) == {"lat", "service"}
    assert good.is_valid(), good.errors
    assert good.cleaned_data["service"] == ("legal-assistance",)
    assert bad.cleaned_data.get("service") is None
