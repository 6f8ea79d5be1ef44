"""Counts for dashboards and exports: statuses, ages and needs, never client fields."""

import io
from datetime import datetime, timedelta

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from providers.importers.safe_csv import SafeDictWriter
from referrals.models import Referral, ReferralStatus

AGE_BUCKETS = (("days_0_7", 0, 7), ("days_7_30", 7, 30), ("days_30_plus", 30, None))
EXPORT_COLUMNS = ("month", "status", "service_type", "referrals")


def status_age_table(referrals: QuerySet, *, now: datetime | None = None) -> list[dict]:
    """One row per status: counts by age since sent (<7 days, 7-30 days, >30 days) and total."""
    now = now or timezone.now()
    rows = {s: {"status": s, "label": label, "total": 0} for s, label in ReferralStatus.choices}
    for row in rows.values():
        row.update({name: 0 for name, _low, _high in AGE_BUCKETS})
    for name, low, high in AGE_BUCKETS:
        qs = referrals.filter(created_at__lte=now - timedelta(days=low))
        if high is not None:
            qs = qs.filter(created_at__gt=now - timedelta(days=high))
        for found in qs.order_by().values("status").annotate(n=Count("id")):
            rows[found["status"]][name] += found["n"]
            rows[found["status"]]["total"] += found["n"]
    return list(rows.values())


def export_counts(referrals: QuerySet) -> list[dict]:
    """Referrals by month sent x current status x need; one referral counts under each need."""
    through = Referral.needs.through
    rows = (
        through.objects.filter(referral__in=referrals.values("id"))
        .annotate(month=TruncMonth("referral__created_at"))
        .values("month", "referral__status", "term__slug")
        .annotate(n=Count("referral_id", distinct=True))
        .order_by("month", "referral__status", "term__slug")
    )
    return [
        {
            "month": row["month"].strftime("%Y-%m"),
            "status": row["referral__status"],
            "service_type": row["term__slug"],
            "referrals": row["n"],
        }
        for row in rows
    ]


def export_csv(referrals: QuerySet) -> str:
    out = io.StringIO()
    writer = SafeDictWriter(
        out, fieldnames=EXPORT_COLUMNS, numeric=("referrals",), lineterminator="\n"
    )
    writer.writeheader()
    writer.writerows(export_counts(referrals))
    return out.getvalue()
