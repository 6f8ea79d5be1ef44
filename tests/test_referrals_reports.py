"""Dashboards by status and age, and the CSV of counts an agency exports: no client data."""

import csv
import io
import re
from datetime import timedelta
from http import HTTPStatus
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from referrals.access import Role
from referrals.models import Referral
from referrals.reports import EXPORT_COLUMNS, export_counts, status_age_table
from referrals.workflow import change_status

pytestmark = pytest.mark.django_db


def age(referral, days: int):
    Referral.objects.filter(pk=referral.pk).update(created_at=timezone.now() - timedelta(days=days))


def test_status_age_table_buckets_by_days_since_sent(referral_world, make_referral):
    w = referral_world
    ten_days = make_referral(agency=w.agency_a, sal=w.sal_p, by=w.advocate_a)
    old = make_referral(agency=w.agency_a, sal=w.sal_p, by=w.advocate_a)
    age(ten_days, 10)
    age(old, 45)
    change_status(old, to="accepted", by=w.staff_p, roles={Role.PROVIDER})
    rows = {row["status"]: row for row in status_age_table(Referral.objects.all())}
    assert (rows["sent"]["days_0_7"], rows["sent"]["days_7_30"], rows["sent"]["total"]) == (1, 1, 2)
    assert (rows["accepted"]["days_30_plus"], rows["accepted"]["total"]) == (1, 1)


def test_export_counts_by_month_status_and_need(referral_world, make_referral):
    w = referral_world
    make_referral(
        agency=w.agency_a,
        sal=w.sal_p,
        by=w.advocate_a,
        needs=("legal-assistance", "case-management"),
    )
    rows = export_counts(Referral.objects.filter(agency=w.agency_a))
    month = timezone.localdate().strftime("%Y-%m")
    assert rows == [
        {"month": month, "status": "sent", "service_type": "case-management", "referrals": 1},
        {"month": month, "status": "sent", "service_type": "legal-assistance", "referrals": 2},
    ]


def test_csv_export_has_counts_only_and_only_the_agencys_own(client, referral_world, make_referral):
    w = referral_world
    make_referral(agency=w.agency_b, sal=w.sal_q, by=w.advocate_b, needs=("food-shelter-housing",))
    client.force_login(w.advocate_a)
    response = client.get(reverse("referrals:export"))
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert tuple(rows[0].keys()) == EXPORT_COLUMNS
    assert [(r["service_type"], r["referrals"]) for r in rows] == [("legal-assistance", "1")]
    for value in ("JD-7", "5550123", "Safe to call", "Provider", "advocate", "Agency"):
        assert value not in body


def test_advocate_dashboard_counts_and_open_referrals_without_client_data(client, referral_world):
    client.force_login(referral_world.advocate_a)
    response = client.get(reverse("referrals:dashboard"))
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert referral_world.referral.short_id in html
    assert "Provider P Legal Aid" in html
    assert "JD-7" not in html and "5550123" not in html
    assert not referral_world.referral.accesses.exists()


def test_provider_inbox_lists_incoming_referrals(client, referral_world):
    client.force_login(referral_world.staff_p)
    html = client.get(reverse("referrals:dashboard")).content.decode()
    assert "Incoming referrals" in html
    assert referral_world.referral.short_id in html
    assert "Agency A Hotline" in html


def test_other_provider_inbox_is_empty(client, referral_world):
    client.force_login(referral_world.staff_q)
    html = client.get(reverse("referrals:dashboard")).content.decode()
    assert referral_world.referral.short_id not in html


def test_dashboard_query_count_is_fixed(
    client, referral_world, make_referral, django_assert_max_num_queries
):
    w = referral_world
    for _ in range(6):
        make_referral(agency=w.agency_a, sal=w.sal_p, by=w.advocate_a)
    client.force_login(w.advocate_a)
    with django_assert_max_num_queries(15):
        client.get(reverse("referrals:dashboard"))


def rows_of(html: str) -> str:
    """The table of referrals sent (not the counts), or "" when there is none."""
    start = html.find("<caption>Referrals sent</caption>")
    return "" if start < 0 else html[start : html.index("</table>", start)]


@pytest.fixture
def closed_and_open(referral_world, make_referral):
    w = referral_world
    closed = make_referral(agency=w.agency_a, sal=w.sal_q, by=w.advocate_a)
    Referral.objects.filter(pk=closed.pk).update(status="closed", closed_at=timezone.now())
    return {"open": w.referral, "closed": closed}


def test_dashboard_shows_closed_referrals_with_a_filter(client, referral_world, closed_and_open):
    client.force_login(referral_world.advocate_a)
    url = reverse("referrals:dashboard")
    opened, closed = closed_and_open["open"].short_id, closed_and_open["closed"].short_id
    by_default = rows_of(client.get(url).content.decode())
    assert opened in by_default and closed not in by_default
    only_closed = rows_of(client.get(url, {"status": "closed"}).content.decode())
    assert closed in only_closed and opened not in only_closed
    everything = rows_of(client.get(url, {"status": "all"}).content.decode())
    assert opened in everything and closed in everything
    sent = rows_of(client.get(url, {"status": "sent"}).content.decode())
    assert opened in sent and closed not in sent
    # The counts link to the same lists.
    html = client.get(url).content.decode()
    assert 'href="?status=closed">1<span class="visually-hidden"> Closed</span></a>' in html
    assert client.get(url, {"status": "bogus"}).status_code == HTTPStatus.OK  # open ones


@pytest.mark.parametrize(
    "typed",
    [
        lambda r: r.short_id,
        lambda r: r.short_id.lower(),
        lambda r: f"  {r.short_id[2:]} ",
        lambda r: str(r.pk),
        lambda r: r.pk.hex.upper(),
        lambda r: r.short_id[:5],
    ],
    ids=["short", "lower", "no prefix", "uuid", "hex", "prefix"],
)
def test_dashboard_finds_a_referral_by_id_open_or_closed(
    client, referral_world, closed_and_open, typed
):
    client.force_login(referral_world.advocate_a)
    closed, opened = closed_and_open["closed"], closed_and_open["open"]
    html = rows_of(
        client.get(reverse("referrals:dashboard"), {"ref": typed(closed)}).content.decode()
    )
    assert closed.short_id in html
    if not opened.short_id.startswith(typed(closed).strip()):
        assert opened.short_id not in html


def test_referral_id_search_stays_within_what_the_user_may_see(client, referral_world):
    client.force_login(referral_world.advocate_b)
    response = client.get(reverse("referrals:dashboard"), {"ref": referral_world.referral.short_id})
    html = response.content.decode()
    assert rows_of(html) == "" and "No referrals to show." in html


def test_a_malformed_referral_id_gets_a_message(client, referral_world):
    client.force_login(referral_world.advocate_a)
    response = client.get(reverse("referrals:dashboard"), {"ref": "R-NOPE'; --"})
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "Enter a referral id like R-1A2B3C4D." in html
    assert referral_world.referral.short_id in rows_of(html)  # the open ones, as by default


def test_dashboard_rows_read_as_cards_on_a_phone_with_whole_words(client, referral_world):
    """At 390 px the referrals table broke words anywhere ("Ref erral", "R-84D 9C3 A4",
    "Se nt"): on a phone each row is a card whose cells name their column, and a table keeps
    its words whole (it scrolls rather than breaking them)."""
    client.force_login(referral_world.advocate_a)
    html = client.get(reverse("referrals:dashboard")).content.decode()
    table = html[html.index('<table class="rf-table rf-rows">') :]
    table = table[: table.index("</table>")]
    columns = re.findall(r'<th scope="col">([^<]+)</th>', table)
    assert columns == ["Referral", "To", "Needs", "Status", "Sent"]
    cells = re.findall(r'<td data-label="([^"]+)">', table)
    assert cells == columns[1:]  # one referral: each cell names its column
    assert '<th scope="row" class="rf-id">' in table
    css = (Path(settings.BASE_DIR) / "referrals/static/referrals/referrals.css").read_text()
    assert re.search(r"\.rf-table \{[^}]*overflow-wrap: break-word", css)
    assert re.search(r"\.rf-id a[^{]*\{[^}]*white-space: nowrap", css)
    phone = css[css.index("@media (max-width: 40em)") :]
    assert re.search(r"\.rf-rows tr[^{]*\{[^}]*display: block", phone)
    assert re.search(r"\.rf-rows td::before \{ content: attr\(data-label\)", phone)
