"""Dashboards by status and age, and the CSV of counts an agency exports: no client data."""

import csv
import io
from datetime import timedelta
from http import HTTPStatus

import pytest
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
