"""End to end with the test client: an advocate goes from a search to a printed list and a
referral; the provider accepts it and marks help received; the advocate sees it."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from conftest import create_referral_user
from django.core import mail
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from referrals.models import Referral, ResourceList

pytestmark = pytest.mark.django_db


def test_search_to_printed_list_to_referral_to_help_received(client, referral_world):
    w = referral_world
    advocate = create_referral_user("maria", agency=w.agency_a, password="a-long-test-password-1")

    # Sign in.
    response = client.post(
        reverse("referrals:sign-in"),
        {"username": "maria", "password": "a-long-test-password-1"},
    )
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("referrals:dashboard")

    # Search for legal help and add the result to a list.
    search = client.get(reverse("referrals:search"), {"service": "legal-assistance"})
    assert search.status_code == HTTPStatus.OK
    assert b"Provider P Legal Aid" in search.content
    assert b"Add to list" in search.content
    response = client.post(
        reverse("referrals:list-add"),
        {"service_at_location": w.sal_p.pk, "next": search.wsgi_request.get_full_path()},
    )
    assert response.status_code == HTTPStatus.FOUND
    resource_list = ResourceList.objects.get(created_by=advocate)

    # Print it, in Spanish for the client.
    client.post(
        reverse("referrals:list-detail", kwargs={"pk": resource_list.pk}),
        {"title": "Legal help", "language": "es"},
    )
    printed = client.get(reverse("referrals:list-print", kwargs={"pk": resource_list.pk}))
    assert printed.status_code == HTTPStatus.OK
    html = printed.content.decode()
    assert '<html lang="es">' in html and "Provider P Legal Aid" in html
    assert "350 Fifth Avenue" in html

    # Refer the client from the list.
    new_url = reverse("referrals:referral-new", kwargs={"sal_pk": w.sal_p.pk})
    form = client.get(new_url)
    assert b"Never enter the client" in form.content
    today = timezone.localdate()
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):  # the request's commit
        response = client.post(
            new_url,
            {
                "needs": [str(w.sal_p.service.terms.get(slug="legal-assistance").pk)],
                "client_reference": "MT",
                "contact_method": "phone",
                "contact_value": "212-555-0177",
                "note": "Prefers mornings",
                "consent_given": "on",
                "consent_given_on": today.isoformat(),
                "consent_expires_on": (today + timedelta(days=60)).isoformat(),
            },
        )
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()
    referral = Referral.objects.get(created_by=advocate)
    assert response["Location"] == reverse("referrals:referral-detail", kwargs={"pk": referral.pk})
    assert [m.to for m in mail.outbox] == [["staff_p@example.org"]]

    # The provider opens it (received), accepts it, then marks help received.
    client.force_login(w.staff_p)
    detail_url = reverse("referrals:referral-detail", kwargs={"pk": referral.pk})
    page = client.get(detail_url).content.decode()
    assert "MT" in page and "+12125550177" in page and "Prefers mornings" in page
    status_url = reverse("referrals:referral-status", kwargs={"pk": referral.pk})
    for status in ("accepted", "help_received"):
        response = client.post(status_url, {"status": status})
        assert response.status_code == HTTPStatus.FOUND
    referral.refresh_from_db()
    assert referral.status == "help_received"

    # The advocate sees every step and closes the loop.
    client.force_login(advocate)
    page = client.get(detail_url).content.decode()
    assert 'data-status="help_received"' in page
    for label in ("Sent", "Received", "Accepted", "Help received"):
        assert f"<strong>{label}</strong>" in page
    dashboard = client.get(reverse("referrals:dashboard")).content.decode()
    assert referral.short_id in dashboard
    client.post(status_url, {"status": "closed"})
    referral.refresh_from_db()
    assert referral.status == "closed" and referral.closed_at is not None


def test_referral_form_without_consent_says_so_and_saves_nothing(client, referral_world):
    client.force_login(referral_world.advocate_a)
    url = reverse("referrals:referral-new", kwargs={"sal_pk": referral_world.sal_p.pk})
    today = timezone.localdate()
    response = client.post(
        url,
        {
            "needs": [str(referral_world.sal_p.service.terms.first().pk)],
            "client_reference": "MT",
            "contact_method": "client_will_call",
            "consent_given_on": today.isoformat(),
            "consent_expires_on": (today + timedelta(days=60)).isoformat(),
        },
    )
    assert response.status_code == HTTPStatus.OK
    assert "only be sent with the client" in response.content.decode()
    assert Referral.objects.count() == 1


def test_decline_from_the_page_needs_a_reason(client, referral_world):
    client.force_login(referral_world.staff_p)
    url = reverse("referrals:referral-status", kwargs={"pk": referral_world.referral.pk})
    client.post(url, {"status": "declined"})
    referral_world.referral.refresh_from_db()
    assert referral_world.referral.status == "sent"
    client.post(url, {"status": "declined", "reason": "not_eligible"})
    referral_world.referral.refresh_from_db()
    assert referral_world.referral.status == "declined"


def test_advocate_search_by_zip_finds_nearby_and_says_why_a_place_is_unknown(
    client, referral_world
):
    client.force_login(referral_world.advocate_a)
    found = client.get(reverse("referrals:search"), {"near": "10001"})
    assert found.status_code == HTTPStatus.OK
    assert b"Provider P Legal Aid" in found.content
    unknown = client.get(reverse("referrals:search"), {"near": "00000"})
    assert unknown.status_code == HTTPStatus.OK
    assert b"errorlist" in unknown.content


def test_advocate_results_show_phones_open_now_and_languages(client, referral_world, make_provider):
    """An advocate decides from the result itself: the voice line to call, whether it is open
    and which languages are spoken (the same listing row as the public card)."""
    make_provider(
        name="Bilingual Legal Line",
        services=("legal-assistance",),
        languages=("en", "es"),
        open_24_7=True,
        phone="+12125550142",
    )
    client.force_login(referral_world.advocate_a)
    html = client.get(reverse("referrals:search"), {"near": "10001"}).content.decode()
    card = html[html.index("Bilingual Legal Line") :]
    card = card[: card.index("</li>")]
    assert 'href="tel:+12125550142"' in card
    assert "Open now" in card
    assert "English" in card and "Spanish" in card
    assert "Refer a client" in card


def test_a_referral_carries_the_clients_language_and_its_urgency(client, referral_world):
    """The provider learns before calling whether to bring an interpreter and how soon to
    call; the language is a client detail, removed with the others when purged."""
    from providers.models import Language

    Language.objects.get_or_create(code="es", defaults={"name": "Spanish"})
    client.force_login(referral_world.advocate_a)
    url = reverse("referrals:referral-new", kwargs={"sal_pk": referral_world.sal_p.pk})
    form = client.get(url).content.decode()
    assert 'name="urgency"' in form and 'name="client_language"' in form
    today = timezone.localdate()
    response = client.post(
        url,
        {
            "needs": [str(referral_world.sal_p.service.terms.first().pk)],
            "client_reference": "RV",
            "contact_method": "client_will_call",
            "client_language": "es",
            "urgency": "today",
            "consent_given": "on",
            "consent_given_on": today.isoformat(),
            "consent_expires_on": (today + timedelta(days=60)).isoformat(),
        },
    )
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()
    referral = Referral.objects.get(client_reference="RV")
    assert (referral.client_language, referral.urgency) == ("es", "today")
    client.force_login(referral_world.staff_p)
    page = client.get(response["Location"]).content.decode()
    assert "Spanish" in page and "Today: there is a safety concern" in page
    referral.purge_client_data()
    referral.refresh_from_db()
    assert referral.client_language == "" and referral.urgency == "today"
