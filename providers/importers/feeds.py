"""Scheduled federation: each FederatedFeed that is due is synced as a job.

`enqueue_due(now=...)` is what `manage.py run_schedules` (cron, a systemd timer) and the
RQ cron process (providers/cron.py) call; `sync_feed` is the job, the same sync as
`manage.py sync_hsds` (providers/importers/federation.py) with its report kept on the feed.
"""

from django.db import transaction
from django.utils import timezone

from providers import jobs
from providers.importers.federation import FeedError, sync_hsds
from providers.importers.models import FederatedFeed
from providers.importers.report import ImportFailed

SHOWN_ISSUES = 500


def enqueue_due(*, now=None) -> list[FederatedFeed]:
    """Enqueue a sync of every enabled feed whose interval has passed; returns them."""
    now = now or timezone.now()
    # A sync still running is left alone (an admin's "sync now" can restart a stuck one).
    feeds = FederatedFeed.objects.filter(enabled=True).exclude(state=FederatedFeed.State.RUNNING)
    due = [feed for feed in feeds if feed.is_due(now=now)]
    for feed in due:
        enqueue_sync(feed, now=now)
    return due


def enqueue_sync(feed: FederatedFeed, *, now=None) -> None:
    """Enqueue one sync now (the schedule, or an admin's "sync now")."""
    feed.state, feed.last_run_at = FederatedFeed.State.QUEUED, now or timezone.now()
    feed.save(update_fields=["state", "last_run_at"])
    jobs.enqueue_on_commit(sync_feed, feed.pk)


def sync_feed(feed_id: int) -> None:
    """Job: read the feed into its source; keep the headline and the report on the feed."""
    with transaction.atomic():
        feed = FederatedFeed.objects.select_for_update().filter(pk=feed_id).first()
        if feed is None or feed.state == FederatedFeed.State.RUNNING:
            return
        feed.state = FederatedFeed.State.RUNNING
        feed.save(update_fields=["state"])
    ok, report = False, None
    try:
        report = sync_hsds(feed.url, source=feed.source, skip_invalid=feed.skip_invalid)
        ok = report.ok
    except FeedError as error:
        feed.last_summary, feed.last_report = f"{error}; nothing was changed.", {}
    except ImportFailed as failure:
        report = failure.report
    finally:
        if report is not None:
            feed.last_summary = report.headline()
            feed.last_report = report.to_dict(limit=SHOWN_ISSUES)
        feed.state = FederatedFeed.State.DONE if ok else FederatedFeed.State.FAILED
        feed.last_finished_at = timezone.now()
        feed.save()
