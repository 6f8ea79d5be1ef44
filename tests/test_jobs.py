"""Jobs off the request (providers/jobs.py): in-process without Redis; with REDIS_URL, on RQ's
queue, run by a real `manage.py rqworker --burst` process. Also the federated feeds' schedule.

The queue tests use Redis database 9 at 127.0.0.1:6379 and flush only that database. A worker
is another process, so it needs a database it can open too: PostgreSQL (the test database by
name); on SQLite's in-memory test database those tests are skipped with a message.
"""

import io
import os
import socket
import subprocess
import sys
from datetime import timedelta
from http import HTTPStatus
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from test_import_admin import legacy_zip

from providers import jobs
from providers.importers import feeds, runs
from providers.importers.csv_flat import COLUMNS, import_csv
from providers.importers.models import FederatedFeed
from providers.importers.report import Report
from providers.models import ImportRun, Organization
from providers.permissions import EDITORS

ROOT = Path(settings.BASE_DIR)
UPLOAD = "admin:providers_importrun_upload"
REDIS = "redis://127.0.0.1:6379/9"
pytestmark = pytest.mark.filterwarnings("ignore:No directory at:UserWarning")


@pytest.fixture(autouse=True)
def uploads_in_tmp(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"


def _login_editor(client) -> User:
    user = User.objects.create_user("editor", password="a long enough password", is_staff=True)
    user.groups.add(Group.objects.get(name=EDITORS))
    client.force_login(user)
    return user


def review(run) -> str:
    return reverse("admin:providers_importrun_review", args=[run.pk])


# --- without Redis: in-process ---------------------------------------------------------------


def test_without_redis_jobs_run_in_process(settings):
    settings.RQ_QUEUES = {}
    seen = []
    jobs.enqueue(seen.append, "done")
    assert not jobs.uses_worker()
    assert seen == ["done"]


def test_without_redis_an_admin_upload_answers_with_the_finished_report(
    transactional_db, client, tmp_path, settings
):
    settings.RQ_QUEUES = {}
    _login_editor(client)

    response = client.post(reverse(UPLOAD), {"kind": "hsds", "file": legacy_zip(tmp_path)})

    run = ImportRun.objects.get()
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == review(run)
    assert run.state == ImportRun.State.CHECKED
    assert run.rows_read > 0 and run.finished_at is not None
    page = client.get(review(run)).content.decode()
    assert "Dry run: the import would succeed; nothing was changed." in page
    assert f"{run.rows_read} rows read." in page
    assert 'http-equiv="refresh"' not in page


def test_a_waiting_run_says_so_and_reloads_itself(db, client):
    _login_editor(client)
    run = ImportRun.objects.create(kind="csv", state=ImportRun.State.QUEUED, source="x")

    page = client.get(review(run)).content.decode()

    assert "Waiting for a worker to start it." in page
    assert '<meta http-equiv="refresh" content="3">' in page
    assert "Confirm: import it" not in page


def test_a_running_run_shows_the_rows_read_so_far(db, client):
    _login_editor(client)
    run = ImportRun.objects.create(kind="csv", state=ImportRun.State.RUNNING, source="x")
    from django.core.cache import cache

    cache.set(runs.progress_key(run.pk), 1500)
    try:
        page = client.get(review(run)).content.decode()
    finally:
        cache.delete(runs.progress_key(run.pk))

    assert "Running: 1500 rows read so far." in page


def test_an_import_tells_its_progress_as_it_reads(db, tmp_path, monkeypatch):
    monkeypatch.setattr(Report, "PROGRESS_EVERY", 2)
    sheet = tmp_path / "five.csv"
    blank = dict.fromkeys(COLUMNS, "")
    rows = [
        {**blank, "organization_name": f"Org {n}", "city": "Boston", "state": "MA", "zip": "02108"}
        for n in range(5)
    ]
    sheet.write_text(
        "\n".join([",".join(COLUMNS)] + [",".join(r[c] for c in COLUMNS) for r in rows])
    )
    told = []

    report = import_csv(sheet, dry_run=True, on_rows=told.append)

    assert told == [2, 4]
    assert report.rows_read == 5


def test_a_second_delivery_of_the_same_check_does_nothing(db):
    run = ImportRun.objects.create(kind="csv", state=ImportRun.State.CHECKED, source="x")
    runs.check_import(run.pk)
    run.refresh_from_db()
    assert run.state == ImportRun.State.CHECKED and not run.finished_at


def test_a_notification_is_sent_after_the_commit_not_before(referral_world, settings):
    from referrals.workflow import change_status

    settings.RQ_QUEUES = {}
    w = referral_world
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=False) as pending:
        change_status(w.referral, to="accepted", by=w.staff_p, roles={"provider"})
        assert mail.outbox == []  # saved, not yet committed: nobody is told yet
    assert len(pending) == 1
    pending[0]()  # the commit
    assert [m.to for m in mail.outbox] == [["advocate_a@example.org"]]


def test_a_rolled_back_change_tells_no_one(referral_world, settings):
    from referrals.workflow import change_status

    settings.RQ_QUEUES = {}
    w = referral_world
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True) as pending:
        with pytest.raises(RuntimeError), transaction.atomic():
            change_status(w.referral, to="accepted", by=w.staff_p, roles={"provider"})
            raise RuntimeError("the request failed after the save")
    assert pending == [] and mail.outbox == []


# --- the federated feeds' schedule -----------------------------------------------------------


@pytest.fixture
def fake_sync(monkeypatch):
    """The sync itself is tested against a real server in test_sync_hsds.py; here, what runs."""
    calls = []

    def sync(url, *, source, skip_invalid=False, dry_run=False):
        calls.append((url, source))
        report = Report(source=source, kind="HSDS 3.0")
        report.applied = True
        return report

    monkeypatch.setattr(feeds, "sync_hsds", sync)
    return calls


def _feed(source: str, *, hours_ago: float | None, every_hours: int = 24, **fields):
    last = timezone.now() - timedelta(hours=hours_ago) if hours_ago is not None else None
    return FederatedFeed.objects.create(
        source=source,
        url=f"http://127.0.0.1:9/{source}/",
        every_hours=every_hours,
        last_run_at=last,
        **fields,
    )


def test_a_due_feed_is_synced_and_a_not_due_one_is_not(db, settings, fake_sync):
    settings.RQ_QUEUES = {}
    due = _feed("county-211", hours_ago=25)
    never = _feed("state-211", hours_ago=None)
    _feed("recent", hours_ago=2)
    _feed("off", hours_ago=None, enabled=False)

    out = io.StringIO()
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("run_schedules", stdout=out)

    assert sorted(source for _url, source in fake_sync) == ["county-211", "state-211"]
    due.refresh_from_db()
    assert due.state == FederatedFeed.State.DONE
    assert due.last_summary == "Import applied."
    assert timezone.now() - due.last_run_at < timedelta(minutes=1)
    never.refresh_from_db()
    assert never.state == FederatedFeed.State.DONE
    assert "county-211: sync run." in out.getvalue() and "2 feed(s) due." in out.getvalue()
    # Run again at once: nothing is due any more.
    fake_sync.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert feeds.enqueue_due() == []
    assert fake_sync == []


def test_a_feed_that_cannot_be_read_is_failed_with_the_reason(db, settings):
    settings.RQ_QUEUES = {}
    settings.FEDERATION_ALLOWED_NETWORKS = ["127.0.0.1/32"]  # to reach port 9 and fail there
    feed = _feed("unreachable", hours_ago=None)

    with TestCase.captureOnCommitCallbacks(execute=True):
        feeds.enqueue_due()

    feed.refresh_from_db()
    assert feed.state == FederatedFeed.State.FAILED
    assert "could not be read" in feed.last_summary and "nothing was changed" in feed.last_summary


def test_editors_set_a_feed_in_the_admin_and_sync_it_now(db, client, settings, fake_sync):
    settings.RQ_QUEUES = {}
    _login_editor(client)
    add = client.post(
        reverse("admin:providers_federatedfeed_add"),
        {"source": "county-211", "url": "https://211.example/api/hsds/", "every_hours": "6",
         "enabled": "on"},
    )  # fmt: skip
    assert add.status_code == HTTPStatus.FOUND, add.content.decode()[:2000]
    feed = FederatedFeed.objects.get()
    assert (feed.every_hours, feed.state) == (6, FederatedFeed.State.NEVER)

    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(
            reverse("admin:providers_federatedfeed_changelist"),
            {"action": "sync_now", "_selected_action": [feed.pk]},
        )

    assert fake_sync == [("https://211.example/api/hsds/", "county-211")]
    page = client.get(reverse("admin:providers_federatedfeed_change", args=[feed.pk]))
    assert "Import applied." in page.content.decode()


# --- with Redis: RQ's queue and a real worker ------------------------------------------------


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as probe:
            probe.sendall(b"PING\r\n")
            return probe.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture
def queue(settings):
    """RQ on Redis database 9, emptied before and after."""
    if not _redis_answers():
        message = "JOB QUEUE TESTS SKIPPED: no Redis at 127.0.0.1:6379."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    import django_rq
    from redis import Redis

    redis = Redis.from_url(REDIS)
    redis.flushdb()  # database 9 only
    settings.RQ_QUEUES = {"default": {"URL": REDIS, "DEFAULT_TIMEOUT": 600}}
    yield django_rq.get_queue("default")
    redis.flushdb()


def test_a_due_feed_is_enqueued_for_the_worker_and_a_not_due_one_is_not(db, queue):
    due = _feed("county-211", hours_ago=30)
    _feed("recent", hours_ago=1)

    with TestCase.captureOnCommitCallbacks(execute=True):
        enqueued = feeds.enqueue_due()

    assert [feed.source for feed in enqueued] == ["county-211"]
    (job,) = queue.get_jobs()
    assert job.func_name == "providers.importers.feeds.sync_feed"
    assert job.args == (due.pk,)
    due.refresh_from_db()
    assert due.state == FederatedFeed.State.QUEUED


def _run_worker() -> str:
    """`manage.py rqworker default --burst` in its own process, on this test database."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "A worker process cannot open SQLite's in-memory test database: these tests run "
            "with DATABASE_URL=postgres://... (CI runs them on PostgreSQL)."
        )
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_REPLICA_URLS"}
    env |= {
        "DATABASE_URL": url,
        "REDIS_URL": REDIS,
        "DJANGO_ENV": "development",
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
    }
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    done = subprocess.run(
        [sys.executable, "manage.py", "rqworker", "default", "--burst"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout + done.stderr


def test_with_redis_a_worker_process_runs_the_upload_and_the_admin_shows_its_report(
    transactional_db, client, tmp_path, queue
):
    _login_editor(client)

    response = client.post(reverse(UPLOAD), {"kind": "hsds", "file": legacy_zip(tmp_path)})

    run = ImportRun.objects.get()
    assert response["Location"] == review(run)
    assert run.state == ImportRun.State.QUEUED and len(queue) == 1
    assert "Waiting for a worker" in client.get(review(run)).content.decode()

    _run_worker()

    run.refresh_from_db()
    assert run.state == ImportRun.State.CHECKED
    page = client.get(review(run)).content.decode()
    assert "Dry run: the import would succeed; nothing was changed." in page
    assert "organizations: 3 created" in page
    assert not Organization.objects.exists()

    client.post(reverse("admin:providers_importrun_confirm", args=[run.pk]))
    run.refresh_from_db()
    assert run.state == ImportRun.State.CONFIRMED and len(queue) == 1

    _run_worker()

    run.refresh_from_db()
    assert run.state == ImportRun.State.APPLIED and not run.stored_path
    assert "Import applied." in client.get(review(run)).content.decode()
    assert Organization.objects.filter(source="county-211").count() == 3
    history = Organization.objects.get(source_id="org-1").history.get()
    assert history.history_user.username == "editor"


def test_with_redis_the_notification_is_sent_by_the_worker_not_the_request(
    transactional_db, referral_world, make_referral, queue
):
    w = referral_world
    queue.empty()
    mail.outbox.clear()

    make_referral(agency=w.agency_a, sal=w.sal_p, by=w.advocate_a)

    assert mail.outbox == []  # the request sent nothing
    (job,) = queue.get_jobs()
    assert job.func_name == "referrals.notifications.send_new_referral"

    output = _run_worker()

    assert "Subject: New referral" in output
    assert "To: staff_p@example.org" in output
    assert len(queue) == 0


def test_a_command_is_enqueued_for_the_worker(db, queue):
    out = io.StringIO()
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("enqueue", "purge_referrals", stdout=out)

    (job,) = queue.get_jobs()
    assert job.func_name == "providers.jobs.run_command"
    assert job.args == ("purge_referrals",)
    assert "purge_referrals enqueued." in out.getvalue()


def test_only_the_scheduled_commands_may_be_enqueued(db):
    with pytest.raises(CommandError, match="cannot be enqueued"):
        call_command("enqueue", "flush")


def test_without_redis_an_enqueued_command_runs_at_once(db, settings, caplog):
    settings.RQ_QUEUES = {}
    with caplog.at_level("INFO", logger="providers.jobs"):
        call_command("enqueue", "purge_referrals", stdout=io.StringIO())
    assert "purge_referrals: Removed client details from 0 referral(s)." in caplog.text


def test_the_rq_cron_schedule_names_the_feeds_the_purge_and_the_stale_report(queue):
    from django_rq.cron import DjangoCronScheduler

    scheduler = DjangoCronScheduler()
    scheduler.load_config_from_file("providers.cron")

    jobs_by_name = {job.name: job for job in scheduler.get_jobs()}
    assert sorted(jobs_by_name) == [
        "federated feeds due",
        "purge referrals",
        "repair search copies",
        "stale listings",
    ]
    assert jobs_by_name["repair search copies"].interval == 300
    assert jobs_by_name["federated feeds due"].interval == 300
    assert jobs_by_name["purge referrals"].cron == "17 3 * * *"
