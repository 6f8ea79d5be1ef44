"""Public pages through the Django test client: safety headers, no cookies, the search flow."""

import io
import logging
import re
from datetime import date, time, timedelta
from http import HTTPStatus

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from providers.models import Organization, Phone, Term

PUBLIC_PAGES = ["/", "/get-help/", "/browse-safely/", "/about/", "/es/", "/es/get-help/"]
CSP_PARTS = [
    "default-src 'self'",
    "img-src 'self' data:",
    "style-src 'self'",
    "script-src 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "connect-src 'self'",
]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # hotlines are cached; each test starts from the same state
    yield
    cache.clear()


@pytest.fixture
def provider_pages(make_provider):
    sal = make_provider(name="Legal Aid Society", services=("legal-assistance",))
    return [f"/provider/{sal.pk}/", f"/es/provider/{sal.pk}/"]


def text_of(response) -> str:
    return response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("url", [*PUBLIC_PAGES, "/?near=10001", "/es/?near=10001&service=x"])
def test_public_pages_send_safety_headers_and_no_cookie(client, url):
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    assert response.cookies == {}
    assert "Set-Cookie" not in response.headers
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    assert "geolocation=(self)" in response["Permissions-Policy"]
    for part in CSP_PARTS:
        assert part in response["Content-Security-Policy"]


def test_provider_pages_send_safety_headers_and_no_cookie(client, provider_pages):
    for url in provider_pages:
        response = client.get(url)
        assert response.status_code == HTTPStatus.OK
        assert response.cookies == {}
        assert "no-store" in response["Cache-Control"]
        assert "default-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_every_page_has_quick_exit_danger_line_hotlines_and_language_switch(client, settings, url):
    settings.QUICK_EXIT_URL = "https://neutral.example/"
    html = text_of(client.get(url))
    assert re.search(r'<a class="quick-exit" href="https://neutral.example/"', html)
    spanish = url.startswith("/es/")
    danger = "Si está en peligro inmediato" if spanish else "If you are in immediate danger"
    assert danger in html
    assert 'href="tel:911"' in html
    assert "tel:+18883737888" in html  # National Human Trafficking Hotline in the footer
    if spanish:
        assert f'href="{url.removeprefix("/es")}" hreflang="en"' in html
    else:
        assert f'href="/es{url}" hreflang="es"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_pages_load_nothing_from_other_hosts_and_have_no_inline_code(client, url):
    html = text_of(client.get(url))
    assert not re.search(r'<(script|img|link|iframe)[^>]+(src|href)="(https?:)?//', html)
    assert "<script>" not in html and not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert " style=" not in html and "<style" not in html
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers (CSP forbids them)


@pytest.mark.django_db
def test_first_visit_goes_to_the_browser_language_without_a_cookie(client):
    response = client.get("/?near=10001", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9,en;q=0.5")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/es/?near=10001"
    assert "Accept-Language" in response["Vary"]
    assert not response.cookies
    response = client.get("/options/", HTTP_ACCEPT_LANGUAGE="zh-TW,zh;q=0.8")
    assert response["Location"] == "/zh-hant/options/"


@pytest.mark.django_db
def test_english_stays_english_when_chosen_in_the_menu_or_preferred(client):
    # Choosing "English" in the menu is a navigation from this site.
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="es", HTTP_SEC_FETCH_SITE="same-origin")
    assert response.status_code == HTTPStatus.OK
    assert '<html lang="en">' in text_of(response)
    assert "Find help near you" in text_of(response)
    for header in ("en-US,en;q=0.9,es;q=0.8", "de-DE"):
        assert client.get("/", HTTP_ACCEPT_LANGUAGE=header).status_code == HTTPStatus.OK
    # Only pages in the language prefix move: the API, the admin and shared lists stay.
    assert client.get("/api/v1/", HTTP_ACCEPT_LANGUAGE="es").status_code != HTTPStatus.FOUND


@pytest.mark.django_db
def test_spanish_pages_under_es_prefix(client):
    html = text_of(client.get("/es/"))
    assert '<html lang="es">' in html
    assert "Busque ayuda cerca de usted" in html
    assert "Código postal, o ciudad y estado" in html
    assert "Ayuda legal" in html  # service types from the database, in Spanish
    assert "Salida rápida" in html


def test_search_lists_nearest_first_with_distance_tags_and_phone_links(client, make_provider):
    make_provider(name="Newark Legal", lat=40.7357, lng=-74.1724, services=("legal-assistance",))
    make_provider(
        name="Midtown Legal",
        lat=40.7505,
        lng=-73.9934,
        services=("legal-assistance",),
        languages=("en", "es"),
        open_24_7=True,
    )
    make_provider(name="Shelter Only", services=("food-shelter-housing",))
    sal = make_provider(name="Text Line", lat=40.75, lng=-73.99, services=("legal-assistance",))
    Phone.objects.create(service=sal.service, number="+12125550199", kind=Phone.Kind.TEXT)
    html = text_of(client.get("/?near=10001&service=legal-assistance"))
    assert "3 services within 25 miles of New York, NY 10001" in html
    listed = html[html.index('<ol class="cards"') :]
    assert listed.index("Midtown Legal") < listed.index("Text Line") < listed.index("Newark Legal")
    assert "Shelter Only" not in html
    assert "Legal Assistance" in html
    assert "English, Spanish" in html
    assert "Open now" in html
    assert 'href="tel:+12125550100"' in html
    assert 'href="sms:+12125550199"' in html
    assert re.search(r"\d+\.\d mi away", html)
    assert 'id="result-1"' in html


def test_open_now_and_closed_now_are_words_not_colours(client, make_provider):
    today = timezone.now().astimezone(timezone.get_current_timezone()).isoweekday()
    other_day = (today + 2) % 7 + 1
    make_provider(name="Always Open", open_24_7=True)
    make_provider(name="Closed Today", hours=((other_day, time(9), time(10)),))
    make_provider(name="No Hours")
    html = text_of(client.get("/?near=10001"))
    assert "Open now" in html and "Closed now" in html and "Hours not listed" in html


def test_remote_services_show_in_their_own_section(client, make_provider):
    make_provider(name="Local Center")
    make_provider(name="Statewide NY Line", kind="remote", service_area="states",
                  service_area_states=["NY"])  # fmt: skip
    make_provider(name="Texas Line", kind="remote", service_area="states",
                  service_area_states=["TX"])  # fmt: skip
    html = text_of(client.get("/?near=10001"))
    remote = html[html.index("Also serving your area by phone, text or online") :]
    assert "Statewide NY Line" in remote
    assert "Texas Line" not in html
    assert "Local Center" not in remote


def test_remote_section_shows_the_nearest_areas_first_and_links_to_all(client, make_provider):
    make_provider(name="Local Center")
    for index in range(7):
        make_provider(name=f"National Line {index}", kind="remote", service_area="nationwide")
    make_provider(name="Statewide NY Line", kind="remote", service_area="states",
                  service_area_states=["NY"])  # fmt: skip
    html = text_of(client.get("/?near=10001"))
    remote = html[html.index('id="remote-heading"') :]
    assert remote.count('class="card"') == 5
    # The state's own line before the national ones, which come by name.
    assert "Statewide NY Line" in remote and "National Line 3" in remote
    assert "National Line 4" not in remote
    link = re.search(r'<a href="([^"]+)">Show all services by phone, text or online \(8\)', remote)
    assert link and link.group(1) == "?near=10001&amp;remote=all#remote-heading"

    everything = text_of(client.get("/?near=10001&remote=all"))
    remote = everything[everything.index('id="remote-heading"') :]
    assert remote.count('class="card"') == 8 and "National Line 6" in remote
    assert "Show all services by phone" not in everything
    assert "Local Center" in everything  # the nearby list is still there


def test_results_paginate_twenty_a_page_numbered_across_pages(client, make_provider):
    for index in range(23):
        make_provider(name=f"Center {index:02d}", lat=40.7484 + index * 0.001)
    first = text_of(client.get("/?near=10001"))
    assert first.count('class="card"') == 20
    assert "Page 1 of 2" in first and "Next page" in first
    second = text_of(client.get("/?near=10001&page=2"))
    assert second.count('class="card"') == 3
    assert '<ol class="cards" start="21">' in second and 'id="result-21"' in second
    assert "Previous page" in second
    junk = client.get("/?near=10001&page=abc")
    assert junk.status_code == HTTPStatus.OK and text_of(junk).count('class="card"') == 20


def test_search_query_count_does_not_grow_with_results(
    client, make_provider, django_assert_max_num_queries
):
    for index in range(3):
        make_provider(name=f"Small {index}", languages=("en", "es"), open_24_7=True)
    make_provider(name="Remote", kind="remote", service_area="nationwide", open_24_7=True)
    client.get("/?near=10001")  # warm the hotline cache
    with django_assert_max_num_queries(11):
        client.get("/?near=10001")
    for index in range(20):
        make_provider(name=f"More {index}", languages=("en", "es"), open_24_7=True)
    # "Open now" adds one time-zone lookup for the nearby and one for the remote search.
    with django_assert_max_num_queries(13):
        response = client.get("/?near=10001&service=victim-advocacy&language=es&open=on")
    assert text_of(response).count('class="card"') == 20


def test_unknown_place_shows_suggestions_as_search_links(client, db):
    html = text_of(client.get("/?near=Springfield&service=legal-assistance"))
    assert "There is more than one place called “Springfield”" in html
    # "#results": the page opens at the results of the search it leads to.
    link = r'href="/\?near=Springfield%2C\+IL&amp;service=legal-assistance#results"'
    assert re.search(link, html)


def test_unknown_zip_says_so_and_suggests_nearby_zips(client, db):
    html = text_of(client.get("/?near=99999"))
    assert "We could not find the ZIP code “99999”" in html
    assert "Did you mean" in html


def test_empty_result_says_what_to_do_next(client, make_provider):
    make_provider(name="Far Away", lat=34.05, lng=-118.24)  # Los Angeles
    html = text_of(client.get("/?near=10001&radius=10&free=on"))
    assert "We found no places within 10 miles of New York, NY 10001" in html
    assert "Search within 25 miles" in html and "Search within 100 miles" in html
    assert "Search again without the filters" in html
    assert "national hotline" in html
    assert reverse("directory:get-help") in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "?near=",
        "?radius=abc&near=10001",
        "?radius=99999&near=10001",
        "?service=nonsense&near=10001",
        "?population=%00&near=10001",
        "?near=" + "x" * 500,
        "?lat=abc&lng=-73.9",
        "?lat=95&lng=10",
        "?lat=nan&lng=inf",
        "?lat=40.7",
        "?page=-1",
        "?near=%F0%9F%92%A5",
        "?near=10001&language=zz&language=en",
    ],
)
def test_junk_input_gets_a_friendly_message_never_a_500(client, query):
    response = client.get("/" + query)
    assert response.status_code == HTTPStatus.OK
    html = text_of(response)
    assert "Please check your search" in html or "We could not find that place" in html


def test_location_search_uses_rounded_coordinates_and_names_them_your_location(
    client, make_provider
):
    make_provider(name="Nearby Center", lat=40.7505, lng=-73.9934)
    html = text_of(client.get("/?lat=40.74841234&lng=-73.99671234"))
    assert "1 service within 25 miles of your location" in html
    assert "Nearby Center" in html
    assert "40.7484" not in html.split("</form>")[1]  # not echoed outside the form


def test_typed_place_wins_over_coordinates_left_in_the_url(client, make_provider):
    make_provider(name="Houston Center", lat=29.7633, lng=-95.3633)
    html = text_of(client.get("/?near=Houston%2C+TX&lat=40.748&lng=-73.997"))
    assert "Houston Center" in html


def test_confidential_location_never_shows_street_or_coordinates(client, make_provider):
    sal = make_provider(
        name="Safe Harbor Shelter",
        confidential=True,
        street="77 Hidden Lane",
        lat=40.7612345,
        lng=-73.9812345,
        services=("food-shelter-housing",),
    )
    make_provider(name="Open Office", lat=40.75, lng=-73.99)
    for html in (
        text_of(client.get("/?near=10001")),
        text_of(client.get(f"/provider/{sal.pk}/")),
        text_of(client.get(f"/es/provider/{sal.pk}/")),
    ):
        assert "Safe Harbor Shelter" in html
        assert "77 Hidden Lane" not in html
        assert "40.761" not in html and "73.981" not in html
    results = text_of(client.get("/?near=10001"))
    assert "Address kept confidential for safety: call first." in results
    assert re.search(r"Within about \d+\.\d mi", results)
    svg = results[results.index("<svg") : results.index("</svg>")]
    assert "Safe Harbor Shelter" not in svg and "Open Office" in svg
    detail = text_of(client.get(f"/provider/{sal.pk}/"))
    assert "Address kept confidential for safety: call first." in detail
    assert "<svg" not in detail


def test_provider_page_has_everything_needed_to_decide_and_act(client, make_provider):
    sal = make_provider(
        name="Bridge Legal Center",
        services=("legal-assistance", "immigration-services"),
        victimizations=("labor-trafficking",),
        populations=("immigrants",),
        languages=("en", "es"),
        accessibility=("wheelchair",),
        hours=((1, time(9), time(17)), (3, time(9), time(12))),
        eligibility="Survivors of trafficking, any age.",
        how_to_get_help="Call and ask for the intake line.",
        cost="sliding_scale",
        website="https://bridge.example.org/",
    )
    organization = sal.service.organization
    organization.last_verified_on = date(2026, 5, 1)
    organization.save()
    sal.location.open_24_7 = False
    sal.location.save()
    make_provider(name="Unrelated")
    from providers.models import Location, Service, ServiceAtLocation

    other_service = Service.objects.create(organization=organization, name="T visa clinic")
    other_location = Location.objects.create(
        organization=organization, name="Bronx office", city="Bronx", state="NY",
        latitude=40.84, longitude=-73.87,
    )  # fmt: skip
    ServiceAtLocation.objects.create(service=other_service, location=other_location)
    html = text_of(client.get(f"/provider/{sal.pk}/"))
    for expected in (
        "Bridge Legal Center",
        "Legal Assistance",
        "Immigration Services",
        "Labor trafficking",
        "Immigrants and foreign nationals",
        "English, Spanish",
        "Wheelchair accessible",
        "Survivors of trafficking, any age.",
        "Call and ask for the intake line.",
        "Sliding scale",
        "https://bridge.example.org/",
        "350 Fifth Avenue",
        "Monday",
        "Closed",
        'href="tel:+12125550100"',
        "Last verified: May 1, 2026",
        "Suggest a correction",
        "T visa clinic",
        "Bronx, NY",
        "<svg",
    ):
        assert expected in html, expected
    assert "Unrelated" not in html
    assert reverse("directory:suggest-correction", args=[sal.pk]) in html


def test_stale_listing_asks_to_call_to_confirm(client, make_provider):
    sal = make_provider(name="Old Listing")
    Organization.objects.filter(pk=sal.service.organization_id).update(
        last_verified_on=date(2024, 3, 5)
    )
    html = text_of(client.get(f"/provider/{sal.pk}/"))
    assert "Last verified on March 5, 2024: this listing may be out of date." in html
    assert "Call to confirm before you go." in html
    assert "year" not in html.split('class="notice warning"')[1].split("</p>")[0]
    spanish = text_of(client.get(f"/es/provider/{sal.pk}/"))
    assert "Verificado por última vez el 5 de marzo de 2024: es posible que este listado" in (
        spanish
    )
    assert "Llame para confirmar antes de ir." in spanish


def test_stale_notice_follows_the_configured_days(client, make_provider, settings):
    sal = make_provider(name="Checked In Spring")
    verified = timezone.localdate() - timedelta(days=100)
    Organization.objects.filter(pk=sal.service.organization_id).update(last_verified_on=verified)
    assert "may be out of date" not in text_of(client.get(f"/provider/{sal.pk}/"))
    settings.STALE_AFTER_DAYS = 90
    html = text_of(client.get(f"/provider/{sal.pk}/"))
    assert "may be out of date" in html
    assert "Last verified on" in html
    about = text_of(client.get("/about/"))
    assert "Listings not verified in the last 90 days carry a note" in about


def test_never_verified_listing_says_it_may_be_out_of_date(client, make_provider):
    sal = make_provider(name="Never Checked")
    html = text_of(client.get(f"/provider/{sal.pk}/"))
    assert "Not yet verified by our team: this listing may be out of date." in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "text"),
    [("/", "Suggest a new provider"), ("/es/about/", "Sugerir un nuevo proveedor")],
)
def test_footer_links_to_suggest_a_new_provider(client, url, text):
    html = text_of(client.get(url))
    footer = html.split('<footer class="site-footer">')[1]
    prefix = "/es" if url.startswith("/es/") else ""
    assert f'<a href="{prefix}/suggest/">{text}</a>' in footer


@pytest.mark.django_db
def test_about_page_credits_geonames_and_the_census_maps(client):
    response = client.get("/about/")
    html = text_of(response)
    assert "Place data: contains data from GeoNames (geonames.org), CC BY 4.0." in html
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in html
    assert "US Census Bureau" in html and "us-atlas" in html
    # Credits are links and text: nothing is loaded from those sites.
    assert not re.search(r'<(script|img|link|iframe)[^>]+(src|href)="(https?:)?//', html)
    assert "default-src 'self'" in response["Content-Security-Policy"]
    spanish = text_of(client.get("/es/about/"))
    assert "Datos de lugares: contiene datos de GeoNames (geonames.org), CC BY 4.0." in spanish
    assert "Oficina del Censo de EE. UU." in spanish


def test_unpublished_or_unknown_provider_is_not_found(client, make_provider):
    draft = make_provider(name="Draft", status="draft")
    assert client.get(f"/provider/{draft.pk}/").status_code == HTTPStatus.NOT_FOUND
    missing = "/provider/00000000-0000-0000-0000-000000000000/"
    assert client.get(missing).status_code == HTTPStatus.NOT_FOUND
    assert client.get("/provider/not-a-uuid/").status_code == HTTPStatus.NOT_FOUND


def test_provider_page_query_count_is_fixed(client, make_provider, django_assert_max_num_queries):
    sal = make_provider(name="Counted", languages=("en", "es"), accessibility=("wheelchair",))
    client.get(f"/provider/{sal.pk}/")
    with django_assert_max_num_queries(10):
        client.get(f"/provider/{sal.pk}/")


def test_spanish_search_shows_spanish_service_names_and_messages(client, make_provider):
    make_provider(name="Centro Legal", services=("legal-assistance",))
    html = text_of(client.get("/es/?near=10001&service=legal-assistance"))
    assert "1 servicio a menos de 25 millas de New York, NY 10001" in html
    assert "Ayuda legal" in html
    assert "Llamar" in html
    assert '<html lang="es">' in html


def test_get_help_page_lists_911_and_hotlines_with_call_text_and_chat(client, db):
    html = text_of(client.get("/get-help/"))
    assert "In immediate danger: call 911" in html
    assert "National Human Trafficking Hotline" in html
    assert "sms:233733?&amp;body=HELP" in html
    assert "https://humantraffickinghotline.org/chat" in html
    assert "Which one should I use?" in html
    spanish = text_of(client.get("/es/get-help/"))
    assert "Línea Nacional contra la Trata de Personas" in spanish
    assert "24 horas, todos los días" in spanish


def test_browse_safely_and_about_pages_explain_limits_and_endorsement(client, db):
    safely = text_of(client.get("/browse-safely/"))
    assert "It does not delete your browsing history" in safely
    assert "private" in safely.lower()
    about = text_of(client.get("/about/"))
    assert "not an endorsement" in about


def test_request_log_lines_never_contain_the_searched_place():
    """The runserver request logger goes through the filter that strips query strings."""
    logger = logging.getLogger("django.server")
    handler = logger.handlers[0]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        logger.info('"%s" %s %s', "GET /?near=10001&lat=40.748&lng=-73.997 HTTP/1.1", "200", "9")
        logger.warning("Not Found: %s", "/es/?near=Houston%2C+TX")
    finally:
        handler.setStream(previous)
    logged = stream.getvalue()
    assert "GET /?" in logged
    assert "10001" not in logged and "40.748" not in logged and "Houston" not in logged


@pytest.mark.django_db
def test_search_form_is_a_get_form_without_csrf_token(client):
    html = text_of(client.get("/"))
    assert re.search(r'<form class="search-form" method="get"', html)
    assert "csrfmiddlewaretoken" not in html
    assert 'autocomplete="off"' in html


@pytest.mark.django_db
def test_needs_checkboxes_are_plain_language_with_labels(client):
    html = text_of(client.get("/"))
    for term in Term.objects.service_types():
        assert f'value="{term.slug}"' in html
        assert term.name in html
    assert '<label for="id_service_1">Legal Assistance</label>' in html


@pytest.mark.django_db
def test_not_found_page_keeps_quick_exit_and_the_danger_line(client):
    response = client.get("/no-such-page/")
    assert response.status_code == HTTPStatus.NOT_FOUND
    html = text_of(response)
    assert 'class="quick-exit"' in html and "If you are in immediate danger" in html
    assert response.cookies == {}


@pytest.mark.django_db
def test_tile_host_is_allowed_only_when_an_admin_configures_it(client, settings, make_provider):
    make_provider(name="Mapped")
    assert "tiles" not in client.get("/?near=10001")["Content-Security-Policy"]
    assert "leaflet" not in text_of(client.get("/?near=10001"))
    settings.MAP_TILE_URL = "https://{s}.tiles.example.org/{z}/{x}/{y}.png"
    response = client.get("/?near=10001")
    assert "img-src 'self' data: https://*.tiles.example.org" in response["Content-Security-Policy"]
    html = text_of(response)
    assert 'data-tile-url="https://{s}.tiles.example.org/{z}/{x}/{y}.png"' in html
    assert "vendor/leaflet/leaflet.js" in html and "Mapped" in html


@pytest.mark.django_db
def test_own_basemap_on_this_site_adds_no_host_to_the_policy(client, settings, make_provider):
    """An admin's own offline tiles, on this site (docs/deploy.md): 'self' already allows them."""
    make_provider(name="Mapped")
    settings.MAP_TILE_URL = "/basemap/{z}/{x}/{y}.png"
    response = client.get("/?near=10001")
    policy = response["Content-Security-Policy"]
    assert "img-src 'self' data:;" in policy and "://" not in policy
    assert 'data-tile-url="/basemap/{z}/{x}/{y}.png"' in text_of(response)


def test_the_language_list_offers_only_languages_a_listed_service_speaks(client, make_provider):
    make_provider(name="Listed", languages=("en", "es"))
    make_provider(name="Draft", languages=("fr",), status="draft")
    make_provider(name="Retired service", languages=("vi",), service_status="retired")
    html = client.get("/").content.decode()
    options = re.findall(r'name="language" value="([a-z]{2,3})"', html)
    assert "es" in options and "en" in options
    assert "fr" not in options and "vi" not in options


def test_a_filipino_browser_gets_the_tagalog_pages(client, db):
    """Browsers send Filipino as "fil" (fil-PH); our catalog of the same language is "tl"."""
    response = client.get("/?near=10001", HTTP_ACCEPT_LANGUAGE="fil-PH,fil;q=0.9,en;q=0.5")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/tl/")
    # A similar-looking code is left alone.
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="film")
    assert english.status_code == HTTPStatus.OK
