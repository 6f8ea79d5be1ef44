"""The public site's languages: the menu, the first visit's language and vocabularies."""

import re
import unicodedata
from http import HTTPStatus

import pytest
from django.conf import settings
from django.utils import translation
from wsgi_support import serve

from directory.vocabulary_msgids import VOCABULARY
from providers.models import Hotline, Language, Term
from providers.reference_data import vocabulary_msgids


def test_vocabulary_module_is_current_with_the_fixtures():
    # Run `make messages` (tools/write_vocabulary_msgids.py) after editing fixtures/.
    assert VOCABULARY == vocabulary_msgids()


def test_language_names_follow_the_reader_language():
    spanish = Language(code="es", name="Spanish", name_es="Español", native_name="Español")
    mandarin = Language(code="cmn", name="Mandarin", name_es="Mandarín", native_name="普通话")
    with translation.override("en"):
        assert spanish.local_name == "Spanish"
    with translation.override("es"):
        assert spanish.local_name == "Español"
    with translation.override("ar"):
        assert spanish.local_name == "الإسبانية"
    with translation.override("ru"):
        assert spanish.local_name == "Испанский"  # CLDR's "испанский", capitalised
    with translation.override("zh-hant"):
        assert spanish.local_name == "西班牙文"
        # No CLDR name for Mandarin: the catalog's, else English.
        assert mandarin.local_name == translation.gettext("Mandarin")


def test_vocabularies_follow_the_reader_language_through_the_catalogs():
    term = Term(name="Legal Assistance", name_es="Ayuda legal")
    hotline = Hotline(name="National Human Trafficking Hotline", hours="24/7")
    with translation.override("es"):
        assert term.local_name == "Ayuda legal"
    with translation.override("zh-hans"):
        assert term.local_name == "法律援助"
        assert hotline.local_hours == "全天24小时，每周7天"
    with translation.override("ar"):
        assert term.local_name == "المساعدة القانونية"
    # A term an admin added, which no catalog knows, stays as written.
    with translation.override("ar"):
        assert Term(name="Pet fostering").local_name == "Pet fostering"
        assert Term(name="").local_description == ""


@pytest.mark.django_db
def test_language_menu_names_each_language_in_itself_on_every_page(client):
    # Django's own names are not all NFC ("Tiếng Việt"): compare as a reader sees them.
    html = unicodedata.normalize("NFC", client.get("/zh-hans/options/").content.decode())
    for code, expected in [
        ("en", "English"),
        ("es", "Español"),
        ("vi", "Tiếng Việt"),
        ("ko", "한국어"),
        ("tl", "Tagalog"),
        ("ru", "Русский"),
        ("ar", "العربيّة"),
        ("ht", "Kreyòl ayisyen"),
        ("pt", "Português"),
        ("fr", "Français"),
    ]:
        prefix = "" if code == "en" else f"/{code}"
        assert f'<a href="{prefix}/options/" hreflang="{code}" lang="{code}">{expected}</a>' in html
    assert '<span aria-current="true" lang="zh-hans">简体中文</span>' in html
    assert len(settings.LANGUAGES) == 12


@pytest.mark.django_db
@pytest.mark.parametrize("code", [code for code, _name in settings.LANGUAGES])
def test_every_language_serves_the_home_page(client, code):
    prefix = "" if code == "en" else f"/{code}"
    response = client.get(f"{prefix}/", HTTP_SEC_FETCH_SITE="same-origin")
    assert response.status_code == HTTPStatus.OK
    assert f'lang="{code}"' in response.content.decode()


@pytest.mark.parametrize("path", ["//evil.example/", "//evil.example/es/", "///evil.example/x"])
def test_a_page_that_does_not_exist_never_links_its_languages_to_another_host(db, path):
    """`https://this-site//evil.example/` (a path WSGI passes as is) is a 404 whose language
    menu linked `//evil.example/es/`: another host, behind this site's own page."""
    status, _headers, body = serve(path, {"near": "10001"})
    html = body.decode()
    menu = html[
        html.index('class="languages"') : html.index("</ul>", html.index('class="languages"'))
    ]
    assert status == "404 Not Found"
    hrefs = re.findall(r'href="([^"]*)"', menu)
    assert len(hrefs) == len(settings.LANGUAGES) - 1
    assert all(href.startswith("/") and not href.startswith("//") for href in hrefs), hrefs


@pytest.mark.parametrize("path", ["//evil.example/", "///evil.example/options/"])
def test_a_first_visit_is_never_sent_to_another_host(db, path):
    """The first-visit redirect to the browser's language translated `//evil.example/` into
    `//evil.example/es/`: an open redirect to another host."""
    _status, headers, _body = serve(path, HTTP_ACCEPT_LANGUAGE="es")
    location = headers.get("Location", "")
    assert location == "" or (location.startswith("/") and not location.startswith("//"))
