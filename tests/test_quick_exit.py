"""Quick Exit (button, Esc, triple Shift) on public pages only: never in the signed-in advocate
workspace or the admin, where Esc closes a date picker and must not lose a half-written form."""

from pathlib import Path

import pytest
from conftest import create_referral_user
from django.test import Client
from django.urls import reverse

from providers.permissions import EDITORS
from providers.reference_data import load_reference_data
from referrals.models import Agency, ResourceList

SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
QUICK_EXIT = "data-quick-exit"


@pytest.fixture
def workspace(db, make_provider):
    sal = make_provider(name="Legal Aid", services=("legal-assistance",))
    agency = Agency.objects.create(name="Hotline")
    advocate = create_referral_user("advocate", agency=agency)
    resource_list = ResourceList.objects.create(agency=agency, created_by=advocate)
    resource_list.share()
    return {"sal": sal, "advocate": advocate, "list": resource_list}


def test_signed_in_workspace_pages_have_no_quick_exit(client, workspace):
    client.force_login(workspace["advocate"])
    pk = workspace["list"].pk
    for url in (
        reverse("referrals:dashboard"),
        reverse("referrals:search"),
        reverse("referrals:referral-new", kwargs={"sal_pk": workspace["sal"].pk}),
        reverse("referrals:lists"),
        reverse("referrals:list-detail", kwargs={"pk": pk}),
        reverse("referrals:list-print", kwargs={"pk": pk}),
    ):
        html = client.get(url).content.decode()
        assert QUICK_EXIT not in html, url
        assert "Quick exit" not in html, url
        assert 'href="tel:911"' in html, url  # the danger line stays


def test_public_pages_keep_quick_exit_for_a_signed_in_advocate_too(client, workspace):
    share_url = reverse("share:list", kwargs={"token": workspace["list"].share_token})
    for signed_in in (False, True):
        if signed_in:
            client.force_login(workspace["advocate"])
        for url in ("/", "/?near=10001", reverse("directory:get-help"), share_url):
            assert QUICK_EXIT in client.get(url).content.decode(), (url, signed_in)
    client.logout()
    assert QUICK_EXIT in client.get(reverse("referrals:sign-in")).content.decode()


def test_admin_forms_have_no_quick_exit(client, make_user, workspace):
    client.force_login(make_user(role=EDITORS, username="eddie"))
    organization = workspace["sal"].service.organization
    url = reverse("admin:providers_organization_change", args=[organization.pk])
    html = client.get(url).content.decode()
    assert 'name="name"' in html  # the form itself
    assert QUICK_EXIT not in html and "directory/site.js" not in html


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("width", [390, 1280])
def test_esc_in_the_referral_form_keeps_the_half_written_referral(
    browser, live_server, make_provider, settings, width
):
    settings.QUICK_EXIT_URL = f"{live_server.url}/static/directory/site.css"  # never offsite
    load_reference_data()  # the live server's transactional database starts empty
    sal = make_provider(name="Legal Aid", services=("legal-assistance",))
    advocate = create_referral_user("advocate", agency=Agency.objects.create(name="Hotline"))
    client = Client()
    client.force_login(advocate)
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    form_url = f"{live_server.url}/referrals/new/{sal.pk}/"
    page.goto(form_url)
    page.get_by_label("Client code or initials").fill("AB-12")
    consent_date = page.locator("input[type=date]").first
    consent_date.focus()
    page.keyboard.press("Escape")
    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_timeout(300)  # Quick Exit replaces the page at once; give it the chance
    assert page.url == form_url
    assert page.get_by_label("Client code or initials").input_value() == "AB-12"
    assert page.locator("[data-quick-exit]").count() == 0
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"referrals-form-no-quick-exit-{width}.png"))

    page.goto(f"{live_server.url}/")  # a public page, signed in or not: Esc leaves at once
    page.keyboard.press("Escape")
    page.wait_for_url(settings.QUICK_EXIT_URL)
    context.close()
