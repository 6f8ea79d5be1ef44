"""The printable handout in real Chromium: one page on paper, readable on a 320px phone."""

import re
from datetime import time
from pathlib import Path

import pytest
from conftest import create_referral_user
from django.test import Client

from providers.models import Service
from providers.reference_data import load_reference_data
from referrals.models import Agency, ResourceList, ResourceListItem

SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
WEEKDAYS = tuple((day, time(9), time(17)) for day in range(1, 6))


@pytest.fixture
def handout(live_server, make_provider):
    # Transactional tests flush the tables between tests; the serialized copy of the reference
    # data is not always restored in time, so load it (idempotent) before building listings.
    load_reference_data()
    agency = Agency.objects.create(name="Hotline")
    advocate = create_referral_user("printer", agency=agency)
    resource_list = ResourceList.objects.create(agency=agency, title="Housing", language="es")
    providers = [
        make_provider(
            name="Legal Aid of the City",
            services=("legal-assistance",),
            languages=("en", "es"),
            hours=WEEKDAYS,
        ),
        make_provider(
            name="Safe Haven Shelter",
            confidential=True,
            street="1 Secret Way",
            open_24_7=True,
            phone="+12125550111",
        ),
        make_provider(name="Counseling Collective", languages=("en", "es", "zh"), hours=WEEKDAYS),
        make_provider(name="Immigrant Rights Project", languages=("es",), hours=WEEKDAYS),
        make_provider(name="Job Training Works", hours=WEEKDAYS),
        make_provider(name="Community Health Clinic", languages=("en", "es"), hours=WEEKDAYS),
    ]
    # Everything the handout prints for each listing (issue 17): it must still fit one sheet.
    Service.objects.update(
        cost_note="No one is turned away for inability to pay.",
        eligibility="Adults and young people who have experienced a crime, any status.",
        how_to_get_help="Call to make an appointment; walk-ins Monday mornings.",
    )
    for position, sal in enumerate(providers):
        ResourceListItem.objects.create(
            resource_list=resource_list, service_at_location=sal, position=position
        )
    resource_list.share()
    client = Client()
    client.force_login(advocate)
    return {"list": resource_list, "session": client.cookies["sessionid"].value}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_printed_handout_fits_one_page_and_hides_the_controls(browser, live_server, handout):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 800, "height": 1100})
    context.add_cookies(
        [{"name": "sessionid", "value": handout["session"], "url": live_server.url}]
    )
    page = context.new_page()
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(re.sub(r"^\w+://([^/]+).*$", r"\1", request.url)))
    page.goto(f"{live_server.url}/referrals/lists/{handout['list'].pk}/print/")
    assert page.locator("html").get_attribute("lang") == "es"
    page.emulate_media(media="print")
    assert not page.locator(".quick-exit").is_visible()
    assert page.get_by_text("Dirección confidencial por seguridad: llame primero").is_visible()
    assert "1 Secret Way" not in page.content()
    page.screenshot(path=str(SCREENSHOTS / "referrals-handout-print.png"), full_page=True)
    pdf = page.pdf(format="Letter", print_background=False)
    (SCREENSHOTS / "referrals-handout.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == 1
    assert hosts == {live_server.url.split("://", 1)[1]}
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_shared_link_on_a_phone_has_quick_exit_and_no_sideways_scroll(
    browser, live_server, handout
):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(f"{live_server.url}/l/{handout['list'].share_token}/")
    assert page.locator("[data-quick-exit]").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.screenshot(path=str(SCREENSHOTS / "referrals-shared-phone.png"), full_page=True)
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_advocate_sends_a_referral_from_the_form_in_a_browser(browser, live_server, handout):
    from referrals.models import Referral

    sal = handout["list"].items.first().service_at_location
    context = browser.new_context(viewport={"width": 390, "height": 900})
    context.add_cookies(
        [{"name": "sessionid", "value": handout["session"], "url": live_server.url}]
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/referrals/new/{sal.pk}/")
    page.screenshot(path=str(SCREENSHOTS / "referrals-form.png"), full_page=True)
    page.get_by_label("Legal assistance").check()
    page.get_by_label("Client code or initials").fill("AB-12")
    page.get_by_label("Text message").check()
    page.get_by_label("Phone number or email").fill("212 555 0142")
    page.get_by_label("The client consented to this referral").check()
    page.get_by_role("button", name="Send referral").click()
    page.wait_for_url("**/referrals/r/**")
    assert page.locator("[data-status]").inner_text() == "Sent"
    assert "+12125550142" in page.content()
    page.screenshot(path=str(SCREENSHOTS / "referrals-detail.png"), full_page=True)
    assert Referral.objects.get().client_reference == "AB-12"
    context.close()
