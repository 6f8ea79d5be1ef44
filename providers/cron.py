"""The schedule for RQ's cron process, on a site with REDIS_URL: `manage.py rqcron
providers.cron` (one such process for the whole site) enqueues these jobs for the workers.

Without Redis, cron or systemd timers run the same commands instead (docs/deploy.md).
"""

from rq import cron

from providers.importers.feeds import enqueue_due
from providers.jobs import QUEUE, run_command

# Federated feeds: each syncs every N hours, as set in the admin.
cron.register(enqueue_due, queue_name=QUEUE, interval=300, name="federated feeds due")
# The search copies concurrent writes left behind (providers/search_index.py), every 5 minutes.
cron.register(run_command, queue_name=QUEUE, args=("repair_search_copies",), interval=300,
              name="repair search copies")  # fmt: skip
# Client details of referrals closed REFERRAL_PURGE_DAYS ago, daily at 03:17 UTC.
cron.register(run_command, queue_name=QUEUE, args=("purge_referrals",), cron="17 3 * * *",
              name="purge referrals")  # fmt: skip
# The stale listings report, e-mailed to the editors and site admins, Mondays at 06:00 UTC.
cron.register(run_command, queue_name=QUEUE, args=("stale_listings", "--email"),
              cron="0 6 * * 1", name="stale listings")  # fmt: skip
