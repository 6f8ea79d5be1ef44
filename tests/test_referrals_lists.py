"""Resource lists: add while searching, a printable handout in the list's language, and a
shared link that is unguessable, expires, is not indexed and carries no client data."""

import unicodedata
from datetime import time, timedelta
from http import HTTPStatus

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from providers.models import Status
from referrals.models import ResourceList, ResourceListItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(referral_world):
    resource_list = ResourceList.objects.create(
        agency=referral_world.agency_a,
        created_by=referral_world.advocate_a,
        title="Legal + shelter",
    )
    for position, sal in enumerate((referral_world.sal_p, referral_world.sal_q)):
        ResourceListItem.objects.create(
            resource_list=resource_list, service_at_location=sal, position=position
        )
    resource_list.share()
    return resource_list


def share_url(resource_list) -> str:
    return reverse("share:list", kwargs={"token": resource_list.share_token})


def test_share_token_is_long_and_unguessable(shared):
    other = ResourceList.objects.create(agency=shared.agency, title="Other")
    other.share()
    assert len(shared.share_token) >= 43
    assert shared.share_token != other.share_token


def test_shared_link_expires_after_the_configured_days(shared, settings):
    expected = timezone.now() + timedelta(days=settings.REFERRAL_LIST_SHARE_DAYS)
    assert abs((shared.share_expires_at - expected).total_seconds()) < 60


def test_shared_page_is_not_indexed_or_cached_and_has_quick_exit(client, shared, settings):
    response = client.get(share_url(shared))
    assert response.status_code == HTTPStatus.OK
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    html = response.content.decode()
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert "data-quick-exit" in html and settings.QUICK_EXIT_URL in html
    assert "If you are in immediate danger, call 911." in html


def test_shared_page_shows_public_facts_and_hides_confidential_address(client, shared):
    html = client.get(share_url(shared)).content.decode()
    assert "Provider P Legal Aid" in html
    assert "350 Fifth Avenue" in html
    assert "(212) 555-0100" in html
    assert "Address kept confidential for safety: call first" in html
    assert "1 Secret Way" not in html


def test_shared_page_carries_no_client_data_or_list_title(client, shared, referral_world):
    html = client.get(share_url(shared)).content.decode()
    for value in ("JD-7", "5550123", "Safe to call", "Legal + shelter", "Agency A", "advocate_a"):
        assert value not in html


def test_spanish_list_renders_in_spanish_whatever_the_browser_language(client, shared):
    shared.language = "es"
    shared.save()
    html = client.get(share_url(shared), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="es">' in html
    assert "Lugares que pueden ayudar" in html
    assert "Dirección confidencial por seguridad: llame primero" in html
    assert "Teléfono" in html and "Inglés" in html


def test_english_list_stays_english_for_a_spanish_speaking_advocate(client, shared, referral_world):
    client.force_login(referral_world.advocate_a)
    url = "/es" + reverse("referrals:list-print", kwargs={"pk": shared.pk})
    html = client.get(url).content.decode()
    assert '<html lang="en">' in html
    assert "Places that can help" in html and "Lugares" not in html


def test_hours_and_languages_appear_on_the_handout(client, shared, referral_world, make_provider):
    sal = make_provider(
        name="Open Mondays", languages=("en", "es"), hours=((1, time(9), time(17)),)
    )
    ResourceListItem.objects.create(resource_list=shared, service_at_location=sal, position=5)
    html = client.get(share_url(shared)).content.decode()
    assert "Monday: 9 a.m.–5 p.m." in html
    assert "English, Spanish" in html


def test_expired_link_is_gone_with_hotlines(client, shared):
    ResourceList.objects.filter(pk=shared.pk).update(
        share_expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = client.get(share_url(shared))
    assert response.status_code == HTTPStatus.GONE
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    html = response.content.decode()
    assert "Provider P Legal Aid" not in html
    assert "911" in html and "data-quick-exit" in html


def test_unknown_or_revoked_token_is_404(client, shared):
    old = share_url(shared)
    shared.unshare()
    assert client.get(old).status_code == HTTPStatus.NOT_FOUND
    assert client.get("/l/not-a-token/").status_code == HTTPStatus.NOT_FOUND


def test_new_link_retires_the_old_one(client, shared):
    old = share_url(shared)
    shared.share()
    assert client.get(old).status_code == HTTPStatus.NOT_FOUND
    assert client.get(share_url(shared)).status_code == HTTPStatus.OK


def test_unpublished_listing_drops_off_the_shared_page(client, shared, referral_world):
    referral_world.org_q.status = Status.RETIRED
    referral_world.org_q.save()
    html = client.get(share_url(shared)).content.decode()
    assert "Provider Q Shelter" not in html


def test_shared_page_query_count_is_fixed(
    client, shared, make_provider, django_assert_max_num_queries
):
    for n in range(5):
        sal = make_provider(name=f"Extra {n}")
        ResourceListItem.objects.create(
            resource_list=shared, service_at_location=sal, position=9 + n
        )
    with django_assert_max_num_queries(12):
        client.get(share_url(shared))


def test_add_to_list_tag_shows_only_for_advocates(referral_world):
    from django.contrib.auth.models import AnonymousUser

    template = Template("{% load referrals_tags %}{% add_to_list sal %}")
    request = RequestFactory().get("/search/?near=10001")
    for user, shown in (
        (AnonymousUser(), False),
        (referral_world.staff_p, False),
        (referral_world.advocate_a, True),
    ):
        request.user = user
        html = template.render(Context({"request": request, "sal": referral_world.sal_p}))
        assert ("Add to list" in html) is shown


def test_add_to_list_creates_a_list_then_adds_to_it(client, referral_world):
    client.force_login(referral_world.advocate_a)
    url = reverse("referrals:list-add")
    for sal in (referral_world.sal_p, referral_world.sal_q, referral_world.sal_p):
        response = client.post(
            url, {"service_at_location": sal.pk, "next": "/referrals/search/?q=x"}
        )
        assert response.status_code == HTTPStatus.FOUND
        assert response["Location"] == f"/referrals/search/?q=x#add-{sal.pk}"  # the card
    resource_list = ResourceList.objects.get()
    assert resource_list.agency == referral_world.agency_a
    assert resource_list.items.count() == 2


def test_add_to_list_refuses_an_offsite_next(client, referral_world):
    client.force_login(referral_world.advocate_a)
    response = client.post(
        reverse("referrals:list-add"),
        {"service_at_location": referral_world.sal_p.pk, "next": "https://evil.example/"},
    )
    assert response["Location"].startswith("/referrals/lists/")


def test_print_view_is_the_handout_in_the_lists_language(client, shared, referral_world):
    shared.language = "es"
    shared.save()
    client.force_login(referral_world.advocate_a)
    response = client.get(reverse("referrals:list-print", kwargs={"pk": shared.pk}))
    html = response.content.decode()
    assert '<html lang="es">' in html
    assert "referrals/print.css" in html and 'media="print"' in html
    assert "1 Secret Way" not in html


def test_days_with_the_same_hours_share_a_line(client, shared, make_provider):
    weekdays = tuple((day, time(9), time(17)) for day in range(1, 6)) + ((6, time(10), time(14)),)
    sal = make_provider(name="Weekday Clinic", hours=weekdays)
    ResourceListItem.objects.create(resource_list=shared, service_at_location=sal, position=7)
    html = client.get(share_url(shared)).content.decode()
    assert "Monday–Friday: 9 a.m.–5 p.m.; Saturday: 10 a.m.–2 p.m." in html


def test_reader_can_switch_the_shared_page_language(client, shared):
    url = share_url(shared)
    html = client.get(url).content.decode()
    assert f'href="{url}?lang=es"' in html
    spanish = client.get(url, {"lang": "es"}).content.decode()
    assert '<html lang="es">' in spanish and "Lugares que pueden ayudar" in spanish
    ignored = client.get(url, {"lang": "xx"}).content.decode()
    assert '<html lang="en">' in ignored
    # The site's language menu, names as each language writes itself (not "Tiếng việt").
    vietnamese = f'<a href="{url}?lang=vi" hreflang="vi" lang="vi">Tiếng Việt</a>'
    assert unicodedata.normalize("NFC", vietnamese) in unicodedata.normalize("NFC", html)
    assert '<span aria-current="true" lang="en">English</span>' in html


def test_printed_handout_has_cost_eligibility_next_steps_agency_and_date(
    client, shared, referral_world, make_provider
):
    sal = make_provider(
        name="Sliding Scale Clinic",
        cost="sliding_scale",
        cost_note="Nobody is turned away",
        eligibility="Adults in Kings County",
        how_to_get_help="Call to book an intake; bring ID if you have one.",
    )
    ResourceListItem.objects.create(resource_list=shared, service_at_location=sal, position=5)
    client.force_login(referral_world.advocate_a)
    today = timezone.localdate()
    for name in ("referrals:list-print", "referrals:list-detail"):
        html = client.get(reverse(name, kwargs={"pk": shared.pk})).content.decode()
        entry = html[html.index("Sliding Scale Clinic") :]
        assert "Sliding scale (Nobody is turned away)" in entry, name
        assert "<dt>Who can get help</dt><dd>Adults in Kings County</dd>" in entry, name
        assert "<dt>How to get help</dt><dd>Call to book an intake; bring ID" in entry, name
        assert f"From Agency A Hotline, {date_format(today)}" in html, name
    shared.language = "es"
    shared.save()
    html = client.get(reverse("referrals:list-print", kwargs={"pk": shared.pk})).content.decode()
    with translation.override("es"):
        assert f"De Agency A Hotline, {date_format(today)}" in html
    assert "Quién puede recibir ayuda" in html


def test_footer_hotlines_keep_their_names_on_list_pages(client, shared, referral_world):
    gone = ResourceList.objects.create(agency=referral_world.agency_a)
    gone.share()
    ResourceList.objects.filter(pk=gone.pk).update(share_expires_at=timezone.now())
    client.force_login(referral_world.advocate_a)
    for url in (
        reverse("referrals:list-detail", kwargs={"pk": shared.pk}),
        reverse("referrals:list-print", kwargs={"pk": shared.pk}),
        share_url(shared),
        share_url(gone),
    ):
        html = client.get(url).content.decode()
        footer = html[html.index('<footer class="site-footer">') :]
        assert "<strong>National Human Trafficking Hotline</strong>" in footer, url
        assert '<span class="hotline-hours">24/7</span>' in footer, url
        assert "<strong></strong>" not in html, url


def test_a_list_can_be_made_in_any_language_of_the_site(client, shared, referral_world):
    """A client who reads Vietnamese gets a Vietnamese handout: every site language is a
    list language, not only English and Spanish."""
    client.force_login(referral_world.advocate_a)
    response = client.post(reverse("referrals:lists"), {"title": "Legal help", "language": "vi"})
    assert response.status_code == HTTPStatus.FOUND
    made = ResourceList.objects.get(title="Legal help")
    assert made.language == "vi"
    shared.language = "zh-hant"
    shared.save()
    html = client.get(share_url(shared), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="zh-hant">' in html


def test_the_handout_says_the_emergency_number_once(client, shared, referral_world):
    """The handout printed "Emergency: 911: 911": the hotline's name already says it."""
    gone = ResourceList.objects.create(agency=referral_world.agency_a)
    gone.share()
    ResourceList.objects.filter(pk=gone.pk).update(share_expires_at=timezone.now())
    client.force_login(referral_world.advocate_a)
    for url in (
        share_url(shared),
        reverse("referrals:list-print", kwargs={"pk": shared.pk}),
        share_url(gone),
    ):
        html = client.get(url).content.decode()
        start = html.index('class="handout-hotlines"')
        hotlines = html[start : html.index("</ul>", start)]
        assert '<strong><a href="tel:911">Emergency: 911</a></strong>' in hotlines, url
        assert hotlines.count("911") == 2, url  # the link and its name, once
        # A name without its number still shows the number beside it.
        assert "<strong>National Human Trafficking Hotline</strong>: <a" in hotlines, url
