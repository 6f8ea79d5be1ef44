"""Work that does not belong in a web request: imports, e-mails, purges, scheduled syncs.

With REDIS_URL set, a job is put on RQ's `default` queue (django-rq) and a worker process
(`manage.py rqworker default`) runs it. Without it, the job runs at once in this process,
so a one-machine site and the tests need no worker. Either way the job is a plain function
of plain arguments (ids, not objects): a worker reads everything again from the database.

A job that must not start before the caller's transaction commits (an e-mail about a saved
referral) is handed over with `enqueue_on_commit`, so that it waits in-process too. (On the
queue every job already waits: django-rq enqueues when the transaction commits, so a worker
never looks for a row that is not there yet.)
"""

import logging
from collections.abc import Callable
from functools import partial

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)
QUEUE = "default"


def uses_worker() -> bool:
    """True when jobs go to a Redis queue for a worker process (REDIS_URL is set)."""
    return QUEUE in getattr(settings, "RQ_QUEUES", {})


def enqueue(func: Callable, *args, **kwargs) -> None:
    """Run `func(*args, **kwargs)` as a job: on the queue, or now in this process."""
    if uses_worker():
        import django_rq

        # The description is what the worker logs for each job: the function's name only,
        # never its arguments (a provider's signed confirmation link is one).
        name = f"{func.__module__}.{func.__qualname__}"
        django_rq.get_queue(QUEUE).enqueue_call(func, args, kwargs, description=name)
        return
    try:
        func(*args, **kwargs)
    except Exception:
        # As a worker would: the job failed, the caller (a page, a command) goes on.
        logger.exception("Job %s failed", getattr(func, "__qualname__", func))


def enqueue_on_commit(func: Callable, *args, **kwargs) -> None:
    """Enqueue once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(partial(enqueue, func, *args, **kwargs))


def run_command(name: str, *args: str) -> None:
    """Job: a management command (purge_referrals, stale_listings...), its output logged."""
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command(name, *args, stdout=out)
    logger.info("%s: %s", name, out.getvalue().strip())
