"""An anonymous visitor gets no cookie anywhere, forms included; what protects the forms instead
(an Origin / Sec-Fetch-Site check, the honeypot, the rate limit); the shared list's headers,
`no-store` on API searches, and log lines that never name a searched place."""

from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from directory.logging import strip_query
from providers.models import Suggestion
from referrals.models import ResourceList, ResourceListItem

pytestmark = pytest.mark.django_db

SITE = "http://testserver"


@pytest.fixture
def row(make_provider):
    return make_provider(name="Harbor House", services=("victim-advocacy",))


@pytest.fixture
def shared_url(referral_world):
    resource_list = ResourceList.objects.create(
        agency=referral_world.agency_a, created_by=referral_world.advocate_a, title="Help"
    )
    ResourceListItem.objects.create(
        resource_list=resource_list, service_at_location=referral_world.sal_p, position=1
    )
    resource_list.share()
    return reverse("share:list", kwargs={"token": resource_list.share_token})


@pytest.fixture
def browser_client():
    """A client that checks CSRF as a browser's request would be checked."""
    return Client(enforce_csrf_checks=True)


def assert_no_cookie(response):
    assert response.cookies == {}, (response.request["PATH_INFO"], response.cookies)
    assert "Set-Cookie" not in response.headers


def suggest_url(row, language=""):
    return language + reverse("directory:suggest-correction", args=[row.pk])


# --- no cookie ------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["", "/es"])
def test_no_public_page_sets_a_cookie(client, row, shared_url, language):
    pages = [
        "/",
        "/?near=10001&service=victim-advocacy",
        "/get-help/",
        "/browse-safely/",
        "/about/",
        f"/provider/{row.pk}/",
        f"/provider/{row.pk}/suggest/",
        "/suggest/",
        "/no-such-page/",
    ]
    for page in pages:
        assert_no_cookie(client.get(language + page))
    for query in ("", "?lang=es", "?lang=en"):
        assert_no_cookie(client.get(shared_url + query))
    assert_no_cookie(client.get("/l/no-such-token/"))


def test_api_pages_and_searches_set_no_cookie(client):
    for url in (
        "/api/docs/",
        "/api/redoc/",
        "/api/schema/",
        "/api/v1/providers/?near=10001",
        "/api/v1/places/?q=10001",
        "/api/hsds/service_at_locations?postcode=10001",
    ):
        response = client.get(url)
        assert response.status_code == HTTPStatus.OK, url
        assert_no_cookie(response)


def test_api_docs_page_carries_no_csrf_token_for_a_visitor(client):
    script = client.get("/api/docs/").content.decode()
    assert 'request.headers["X-CSRFTOKEN"] = "";' in script


@pytest.mark.parametrize("language", ["", "/es"])
def test_suggestion_forms_set_no_cookie_when_sent(browser_client, row, settings, language):
    settings.SUGGESTION_RATE_PER_HOUR = 4
    headers = {"HTTP_ORIGIN": SITE, "HTTP_SEC_FETCH_SITE": "same-origin"}
    correction = suggest_url(row, language)
    new = language + reverse("directory:suggest-provider")
    sent = [
        browser_client.post(correction, {"name": "Harbor House", "message": "Closed"}, **headers),
        browser_client.post(correction, {"postcode": "ABC"}, **headers),  # refused field
        browser_client.post(new, {"name": "New Place", "contact_name": "bot"}, **headers),
        browser_client.post(new, {"name": "New Place"}, **headers),
        browser_client.post(new, {"name": "New Place"}, **headers),  # over the limit
    ]
    assert [response.status_code for response in sent] == [200, 200, 200, 200, 429]
    for response in sent:
        assert_no_cookie(response)
        assert "csrfmiddlewaretoken" not in response.content.decode()
    assert Suggestion.objects.count() == 2


def test_suggestion_forms_carry_no_csrf_token(client, row):
    for url in (suggest_url(row), reverse("directory:suggest-provider")):
        assert "csrfmiddlewaretoken" not in client.get(url).content.decode()


# --- what protects the anonymous forms instead ---------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": SITE},
        {"HTTP_SEC_FETCH_SITE": "same-origin"},
        {"HTTP_ORIGIN": SITE, "HTTP_SEC_FETCH_SITE": "same-origin"},
        {"HTTP_REFERER": f"{SITE}/suggest/"},
        {},  # no browser sent this: the honeypot and the rate limit hold it
    ],
)
def test_a_form_from_this_site_is_accepted(browser_client, headers):
    response = browser_client.post(reverse("directory:suggest-provider"), {"name": "X"}, **headers)
    assert response.status_code == HTTPStatus.OK
    assert Suggestion.objects.count() == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "https://attacker.example"},
        {"HTTP_ORIGIN": "null"},
        {"HTTP_ORIGIN": "https://testserver"},  # another scheme is another origin
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_SEC_FETCH_SITE": "same-site"},
        {"HTTP_ORIGIN": SITE, "HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_REFERER": "https://attacker.example/form.html"},
    ],
)
@pytest.mark.parametrize("language", ["", "/es"])
def test_a_form_sent_from_another_site_is_refused_with_a_reason(
    browser_client, row, headers, language
):
    for url in (suggest_url(row, language), language + reverse("directory:suggest-provider")):
        response = browser_client.post(url, {"name": "Spam", "message": "Spam"}, **headers)
        assert response.status_code == HTTPStatus.FORBIDDEN
        html = response.content.decode()
        message = (
            "Este formulario solo se puede enviar desde este sitio"
            if language
            else "This form can only be sent from this site"
        )
        assert message in html
        assert 'class="quick-exit"' in html and 'href="tel:911"' in html
        assert "default-src 'self'" in response["Content-Security-Policy"]
        assert_no_cookie(response)
    assert not Suggestion.objects.exists()


def test_a_trusted_origin_is_accepted(browser_client, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://directory.example.org"]
    response = browser_client.post(
        reverse("directory:suggest-provider"),
        {"name": "X"},
        HTTP_ORIGIN="https://directory.example.org",
    )
    assert response.status_code == HTTPStatus.OK


def test_signed_in_forms_still_need_the_csrf_token(browser_client, referral_world):
    browser_client.force_login(referral_world.advocate_a)
    response = browser_client.post(reverse("referrals:lists"), {"title": "Mine"}, HTTP_ORIGIN=SITE)
    assert response.status_code == HTTPStatus.FORBIDDEN


# --- headers --------------------------------------------------------------------------------


def test_shared_list_sends_the_public_pages_policies(client, shared_url):
    public = client.get("/")
    for url in (shared_url, "/l/no-such-token/"):
        response = client.get(url)
        assert response["Content-Security-Policy"] == public["Content-Security-Policy"]
        assert response["Permissions-Policy"] == public["Permissions-Policy"]
        assert response["Referrer-Policy"] == "no-referrer"
        assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/providers/?near=10001",
        "/api/v1/providers/?near=10001&format=geojson",
        "/api/v1/providers/?near=nowhere-at-all",
        "/api/v1/places/?q=10001",
        "/api/hsds/service_at_locations?postcode=10001",
        "/api/hsds/service_at_locations?postcode=10001&format=ndjson",
        "/api/hsds/services?postcode=10001",
    ],
)
def test_api_searches_are_never_stored(client, url):
    response = client.get(url)
    assert "no-store" in response["Cache-Control"], url


# --- logs -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ('"GET /?near=O\'Fallon,+IL HTTP/1.1" 200 9', '"GET /?… HTTP/1.1" 200 9'),
        ('"GET /?near="Oak+Park" HTTP/1.1" 200 9', '"GET /?… HTTP/1.1" 200 9'),
        ('"GET /?near=O%27Fallon%22 HTTP/1.1" 200 9', '"GET /?… HTTP/1.1" 200 9'),
        ("<WSGIRequest: GET '/?near=10001'>", "<WSGIRequest: GET '/?…'>"),
        ('<WSGIRequest: GET "/?near=O\'Fallon">', '<WSGIRequest: GET "/?…">'),
        ('"GET /es/%3Fnear=Oak+Park HTTP/1.1" 404 9', '"GET /es/?… HTTP/1.1" 404 9'),
        ('"GET /%3fnear=Oak+Park HTTP/1.1" 404 9', '"GET /?… HTTP/1.1" 404 9'),
        ("Not Found: /about/", "Not Found: /about/"),
    ],
)
def test_log_lines_never_keep_a_query_even_with_quotes(line, kept):
    assert strip_query(line) == kept
