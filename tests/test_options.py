"""Know your options: the guidance pages, the self-check into a search, the note on results."""

import re
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import translation

from directory.options import NOTES, QUESTIONS, search_url, searched_place
from providers.models import Term

SECTION = [
    "/options/",
    "/options/basics/",
    "/options/questions/",
    "/options/help/",
    "/options/young-people/",
    "/options/other-countries/",
    "/options/find/?service=legal-assistance",
]

pytestmark = pytest.mark.django_db


def html_of(response) -> str:
    return response.content.decode()


def links_of(html: str) -> list[str]:
    return [link.replace("&amp;", "&") for link in re.findall(r'href="([^"]+)"', html)]


def main_of(html: str) -> str:
    return re.search(r"<main.*?</main>", html, re.S).group(0)


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


@pytest.mark.parametrize("language", ["", "/es"])
@pytest.mark.parametrize("path", SECTION)
def test_every_page_is_public_safe_and_neutrally_titled(client, settings, path, language):
    settings.QUICK_EXIT_URL = "https://neutral.example/"
    response = client.get(language + path)
    assert response.status_code == HTTPStatus.OK
    assert response.cookies == {} and "Set-Cookie" not in response.headers
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    html = html_of(response)
    assert '<a class="quick-exit" href="https://neutral.example/"' in html
    assert 'href="tel:911"' in html
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert title == ("Opciones · Resource Map" if language else "Options · Resource Map")
    assert not re.search(r'<(script|img|link|iframe)[^>]+(src|href)="(https?:)?//', html)
    assert " style=" not in html and not re.search(r"<script(?![^>]*\bsrc=)", html)


def test_spanish_pages_are_in_spanish(client):
    html = html_of(client.get("/es/options/"))
    assert '<html lang="es">' in html
    assert "Conozca sus opciones" in html
    assert "Know your options" not in html
    questions = html_of(client.get("/es/options/questions/"))
    assert "¿Me está pasando esto a mí?" in questions
    assert "¿Necesita un lugar seguro para dormir esta noche, o comida?" in questions


def test_the_main_menu_leads_to_the_section(client):
    html = html_of(client.get("/about/"))
    assert '<a href="/options/">Know your options</a>' in html
    assert '<a href="/options/" aria-current="page">' in html_of(client.get("/options/"))


def test_self_check_asks_one_plain_question_per_need_and_sends_only_needs(client):
    html = html_of(client.get("/options/questions/"))
    form = re.search(r'<form[^>]*action="/options/find/".*?</form>', html, re.S).group(0)
    assert 'method="get"' in form
    names = set(re.findall(r'name="([^"]+)"', form))
    assert names == {"service", "near"}  # the situations read above are never sent
    values = re.findall(r'name="service" value="([^"]+)"', form)
    assert sorted(values) == sorted(Term.objects.service_types().values_list("slug", flat=True))
    assert set(values) == set(QUESTIONS)
    assert "Do you need a safe place to sleep tonight, or food?" in form


def test_self_check_with_a_place_lands_on_the_search_with_those_needs(client):
    response = client.get(
        "/options/find/",
        {"service": ["food-shelter-housing", "legal-assistance"], "near": "10001"},
    )
    assert response.status_code == HTTPStatus.FOUND
    url = response["Location"]
    assert urlsplit(url).path == "/"
    assert urlsplit(url).fragment == "results"  # the page opens at the results
    assert query_of(url) == {
        "near": ["10001"],
        "service": ["food-shelter-housing", "legal-assistance"],
    }
    results = html_of(client.get(url))
    assert re.search(r'value="food-shelter-housing"[^>]*checked', results)
    assert re.search(r'value="legal-assistance"[^>]*checked', results)
    assert not re.search(r'value="victim-advocacy"[^>]*checked', results)


def test_self_check_in_spanish_stays_in_spanish(client):
    response = client.get("/es/options/find/", {"service": "legal-assistance", "near": "10001"})
    assert response["Location"] == "/es/?near=10001&service=legal-assistance#results"


def test_self_check_without_a_place_asks_where_with_the_needs_ticked(client):
    response = client.get("/options/find/", {"service": ["legal-assistance", "victim-advocacy"]})
    assert response.status_code == HTTPStatus.OK
    html = html_of(response)
    assert "Where should we look?" in html
    form = re.search(r'<form[^>]*action="/#results".*?</form>', html, re.S).group(0)
    assert 'method="get"' in form
    checked = re.findall(r'name="service" value="([^"]+)"[^>]*checked', form)
    assert sorted(checked) == ["legal-assistance", "victim-advocacy"]
    assert re.search(r'<input type="text" name="near"[^>]*required', form)


def test_a_unknown_need_in_a_link_is_named_not_searched(client):
    response = client.get(
        "/options/find/", {"service": ["<b>nope</b>", "legal-assistance"], "near": "10001"}
    )
    assert response.status_code == HTTPStatus.OK  # no redirect into a search it cannot do
    html = html_of(response)
    assert "This link asked for a kind of help we do not list (&lt;b&gt;nope&lt;/b&gt;)" in html
    assert re.search(r'value="legal-assistance"[^>]*checked', html)


def test_a_young_peoples_link_keeps_its_group_visible_and_in_the_search(client):
    html = html_of(client.get("/options/find/?service=victim-advocacy&population=youth-minors"))
    assert "Only services for: Youth and minors" in html
    assert '<input type="hidden" name="population" value="youth-minors">' in html


def test_every_need_and_option_links_into_the_directory_keeping_the_place(client):
    for path in (
        "/options/",
        "/options/help/",
        "/options/young-people/",
        "/options/other-countries/",
    ):
        with_place = links_of(main_of(html_of(client.get(path + "?near=Houston, TX"))))
        searches = [url for url in with_place if urlsplit(url).path == "/" and "service=" in url]
        assert searches, path
        for url in searches:
            assert query_of(url)["near"] == ["Houston, TX"], url
        section = [url for url in with_place if url.startswith("/options/")]
        assert all("near=Houston" in url for url in section), path
        without = links_of(main_of(html_of(client.get(path))))
        assert not [
            url for url in without if "service=" in url and not url.startswith("/options/find/")
        ]
    needs = links_of(html_of(client.get("/options/help/?near=10001")))
    for slug in Term.objects.service_types().values_list("slug", flat=True):
        assert f"/?near=10001&service={slug}#results" in needs


def test_a_searched_location_is_kept_as_rounded_coordinates(client):
    html = html_of(client.get("/options/?lat=40.748412&lng=-73.996712"))
    assert "/?lat=40.748&lng=-73.997&service=legal-assistance#results" in links_of(html)
    questions = html_of(client.get("/options/questions/?lat=40.748412&lng=-73.996712"))
    assert '<input type="hidden" name="lat" value="40.748">' in questions


@pytest.mark.parametrize(
    "query",
    [{"near": "x" * 500}, {"lat": "nan", "lng": "1"}, {"lat": "91", "lng": "0"}, {"lat": "a"}, {}],
)
def test_nonsense_places_are_dropped_not_carried(client, query):
    assert searched_place(client.get("/", query).wsgi_request.GET) == {}
    response = client.get("/options/help/", query)
    assert response.status_code == HTTPStatus.OK
    assert "near=" not in main_of(html_of(response))


def test_results_for_a_need_carry_a_folded_note_linking_to_its_guidance(client, make_provider):
    make_provider(name="Midtown Legal", lat=40.7505, lng=-73.9934, services=("legal-assistance",))
    html = html_of(client.get("/?near=10001&service=legal-assistance"))
    note = re.search(r'<details class="more-filters guidance">.*?</details>', html, re.S).group(0)
    assert "<summary>About Legal Assistance: what to expect</summary>" in note
    assert str(NOTES["legal-assistance"]) in note
    assert 'href="/options/help/?near=10001#legal-assistance"' in note
    # The note comes before the results heading, as one folded line.
    assert html.index("guidance") < html.index('id="results-heading"')
    assert "open" not in note.split(">")[0]


def test_results_without_a_need_carry_no_note(client):
    assert "guidance" not in html_of(client.get("/?near=10001"))


def test_results_note_in_spanish(client):
    html = html_of(client.get("/es/?near=10001&service=legal-assistance"))
    assert "Sobre Ayuda legal: qué esperar" in html
    assert 'href="/es/options/help/?near=10001#legal-assistance"' in html


def test_every_question_and_note_is_translated():
    for text in [*QUESTIONS.values(), *NOTES.values()]:
        with translation.override("en"):
            english = str(text)
        with translation.override("es"):
            assert str(text) != english, english


def test_search_url_without_a_place_asks_where_first():
    assert (
        search_url(place={}, services=["legal-assistance"])
        == "/options/find/?service=legal-assistance"
    )
    assert (
        search_url(place={"near": "10001"}, services=["a", "b"])
        == "/?near=10001&service=a&service=b#results"
    )
