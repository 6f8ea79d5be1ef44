"""Provider text in more than one language (issue 17, item 4): `translations` on
organizations, services, locations and phones (providers/translations.py), edited in the
admin and API v1, shown in the reader's language, the original marked with its `lang`."""

import re
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from rest_framework.authtoken.models import Token

from providers.models import Organization, Phone, Service
from providers.permissions import EDITORS
from providers.translations import TranslationsValidator, cleaned, local_text
from referrals.models import ResourceList, ResourceListItem

pytestmark = pytest.mark.django_db

ELIGIBILITY_ES = "Adultos y jóvenes del condado"
HOURS_ES = "Cerrado los días festivos"


@pytest.fixture
def bilingual(make_provider):
    """A listing whose eligibility, hours note and a phone note have Spanish; its how to get
    help, cost note and the organization's description do not."""
    sal = make_provider(
        name="Harbor House",
        eligibility="Adults and young people in the county",
        how_to_get_help="Walk in or call first",
        cost_note="Free for survivors",
        translations={"es": {"eligibility": ELIGIBILITY_ES}},
    )
    sal.service.description = ""
    sal.service.save()
    organization = sal.service.organization
    organization.description = "A shelter and legal clinic"
    organization.save()
    sal.location.hours_note = "Closed on holidays"
    sal.location.translations = {"es": {"hours_note": HOURS_ES}}
    sal.location.save()
    sal.service.phones.update(note="Front desk", translations={"es": {"note": "Recepción"}})
    return sal


def element_with(html: str, text: str) -> str:
    """The opening tag of the element whose text starts with `text`."""
    match = re.search(r"<(\w+)([^>]*)>\s*" + re.escape(text), html)
    assert match, text
    return match.group(0)


def test_provider_page_in_spanish_shows_spanish_text_and_marks_english_fallback(client, bilingual):
    html = client.get(f"/es/provider/{bilingual.pk}/").content.decode()
    assert 'lang="en"' not in element_with(html, ELIGIBILITY_ES)
    assert 'lang="en"' not in element_with(html, HOURS_ES)
    assert 'lang="en"' not in element_with(html, "Recepción")
    assert "Adults and young people" not in html
    # Not translated: the English original, marked so it is read in an English voice.
    assert 'lang="en"' in element_with(html, "Walk in or call first")
    assert 'lang="en"' in element_with(html, "Free for survivors")
    assert 'lang="en"' in element_with(html, "A shelter and legal clinic")


def test_provider_page_in_english_shows_the_original_unmarked(client, bilingual):
    html = client.get(f"/provider/{bilingual.pk}/").content.decode()
    assert ELIGIBILITY_ES not in html and HOURS_ES not in html
    assert 'lang="en"' not in element_with(html, "Adults and young people in the county")
    assert 'lang="en"' not in element_with(html, "Closed on holidays")


def test_another_language_falls_back_to_the_original_marked_english(client, bilingual):
    html = client.get(f"/vi/provider/{bilingual.pk}/").content.decode()
    assert ELIGIBILITY_ES not in html
    assert 'lang="en" dir="auto"' in element_with(html, "Adults and young people in the county")


def test_handout_shows_the_lists_language_and_marks_the_fallback(client, bilingual, referral_world):
    resource_list = ResourceList.objects.create(
        agency=referral_world.agency_a, created_by=referral_world.advocate_a, language="es"
    )
    ResourceListItem.objects.create(resource_list=resource_list, service_at_location=bilingual)
    client.force_login(referral_world.advocate_a)
    html = client.get(reverse("referrals:list-print", kwargs={"pk": resource_list.pk}))
    html = html.content.decode()
    assert 'lang="en"' not in element_with(html, ELIGIBILITY_ES)
    assert f"({HOURS_ES})" in html  # in the line's own language: no element of its own
    assert 'lang="en"' in element_with(html, "Walk in or call first")
    assert 'lang="en" dir="auto">Free for survivors</span>' in html


def test_local_text_picks_the_readers_language_else_the_original():
    texts = {"es": {"note": "Hola"}, "zh-hans": {"note": "你好"}}
    with translation.override("es"):
        assert local_text("Hello", texts, "note") == ("Hola", "")
    with translation.override("zh-hans"):
        assert local_text("Hello", texts, "note") == ("你好", "")
    with translation.override("fr"):
        assert local_text("Hello", texts, "note") == ("Hello", "en")
        assert local_text("", texts, "note") == ("", "")
    with translation.override("en"):
        assert local_text("Hello", texts, "note") == ("Hello", "")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"xx": {"note": "Hola"}}, "Unknown language xx"),
        ({"en": {"note": "Hello"}}, "Unknown language en"),  # the original is the columns
        ({"es": {"number": "1"}}, "number cannot be translated here"),
        ({"es": "Hola"}, "must be an object"),
        ({"es": {"note": 3}}, "must be text"),
        (["es"], "keyed by language code"),
    ],
)
def test_translations_are_validated(value, message):
    with pytest.raises(ValidationError, match=message):
        TranslationsValidator(("note",))(value)


def test_empty_texts_are_not_stored():
    assert cleaned({"es": {"note": "  "}, "fr": {"note": " Bonjour "}}) == {
        "fr": {"note": "Bonjour"}
    }


@pytest.fixture
def editor_api(api_client, make_user):
    token = Token.objects.create(user=make_user(role=EDITORS))
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api_client


def test_api_writes_and_returns_translations(editor_api, bilingual):
    service = bilingual.service
    response = editor_api.patch(
        f"/api/v1/services/{service.pk}/",
        {"translations": {"es": {"how_to_get_help": "Llame primero", "cost_note": ""}}},
        format="json",
    )
    assert response.status_code == HTTPStatus.OK, response.json()
    assert response.json()["translations"] == {"es": {"how_to_get_help": "Llame primero"}}
    service.refresh_from_db()
    assert service.translations == {"es": {"how_to_get_help": "Llame primero"}}
    row = editor_api.get(f"/api/v1/providers/{bilingual.pk}/").json()
    assert row["translations"] == {"es": {"how_to_get_help": "Llame primero"}}
    assert row["location"]["translations"] == {"es": {"hours_note": HOURS_ES}}
    assert {"es": {"note": "Recepción"}} in [phone["translations"] for phone in row["phones"]]


def test_api_names_a_bad_translation(editor_api, bilingual):
    organization = bilingual.service.organization
    response = editor_api.patch(
        f"/api/v1/organizations/{organization.pk}/",
        {"translations": {"klingon": {"description": "Qapla'"}}},
        format="json",
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Unknown language klingon" in str(response.json()["translations"])
    response = editor_api.patch(
        f"/api/v1/organizations/{organization.pk}/",
        {"phones": [{"number": "212-555-0100", "translations": {"es": {"number": "x"}}}]},
        format="json",
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "cannot be translated" in str(response.json()["phones"])


def change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def test_admin_edits_each_language_in_its_own_box(client, make_user, bilingual, admin_data):
    client.force_login(make_user(role=EDITORS))
    service = bilingual.service
    page = client.get(change_url(service))
    body = page.content.decode()
    # One box per language and text, filled from what is stored, in collapsed sections.
    box = r'name="translation_es_eligibility"[^>]*>\s*' + re.escape(ELIGIBILITY_ES) + "</textarea>"
    assert re.search(box, body)
    assert "In other languages: Spanish" in body
    assert 'name="translation_zh_hans_how_to_get_help"' in body
    data = admin_data(page)
    data["translation_es_eligibility"] = ""
    data["translation_vi_how_to_get_help"] = "Gọi trước"
    response = client.post(change_url(service), data)
    assert response.status_code == HTTPStatus.FOUND, response.context["errors"]
    service.refresh_from_db()
    assert service.translations == {"vi": {"how_to_get_help": "Gọi trước"}}


def test_admin_inline_of_a_service_leaves_its_translations_alone(
    client, make_user, bilingual, admin_data
):
    """The organization page shows its services inline without the translation boxes:
    saving it must not read them as emptied."""
    client.force_login(make_user(role=EDITORS))
    organization = bilingual.service.organization
    page = client.get(change_url(organization))
    data = admin_data(page)
    data["translation_es_description"] = "Un refugio y clínica legal"
    response = client.post(change_url(organization), data)
    assert response.status_code == HTTPStatus.FOUND
    assert Service.objects.get(pk=bilingual.service.pk).translations == {
        "es": {"eligibility": ELIGIBILITY_ES}
    }
    assert Organization.objects.get(pk=organization.pk).translations == {
        "es": {"description": "Un refugio y clínica legal"}
    }
    assert Phone.objects.get(service=bilingual.service).translations == {
        "es": {"note": "Recepción"}
    }


def test_sample_listings_show_spanish_eligibility_to_spanish_readers(client):
    from django.core.management import call_command

    from providers.models import ServiceAtLocation

    call_command("load_sample_data", verbosity=0)
    sal = ServiceAtLocation.objects.listed().select_related("service").first()
    spanish = sal.service.translations["es"]
    html = client.get(f"/es/provider/{sal.pk}/").content.decode()
    assert spanish["eligibility"] in html and spanish["how_to_get_help"] in html
