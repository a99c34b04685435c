"""The Celery application (production background work; ARCHITECTURE.md "background work").

    celery -A motcua.config.celery worker --loglevel INFO
    celery -A motcua.config.celery beat --loglevel INFO --schedule "$MOTCUA_DATA_DIR/celerybeat"

The broker is ``REDIS_URL``. Tasks are never run eagerly: a task is queued after the commit of
the transaction that enqueued an outbox message, and beat sweeps the outbox for the rest.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.config.settings")

from motcua.config.env import env

app = Celery("motcua")
_lease = env("MOTCUA_OUTBOX_LEASE")
app.conf.update(
    broker_url=env("REDIS_URL") or "memory://",
    broker_connection_retry_on_startup=True,
    # A web request queues a task after commit: with the broker down it must give up within
    # a second (the outbox row is safe; beat's sweep sends it). Workers reconnect on their own
    # terms (broker_connection_max_retries).
    broker_transport_options={
        "socket_connect_timeout": 1,
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.5,
    },
    task_always_eager=False,
    task_ignore_result=True,
    task_acks_late=True,  # a task lost with its worker is delivered again (tasks are idempotent)
    worker_prefetch_multiplier=1,
    task_time_limit=_lease,  # never hold a message past its lease
    task_soft_time_limit=max(_lease - 10, 1),
    timezone="UTC",
    enable_utc=True,
    beat_schedule={
        "outbox-sweep": {
            "task": "motcua.notifications.sweep_outbox",
            "schedule": float(env("MOTCUA_OUTBOX_POLL_INTERVAL")),
            "options": {"expires": float(env("MOTCUA_OUTBOX_POLL_INTERVAL"))},
        },
        "dossiers-purge-drafts": {
            "task": "motcua.dossiers.purge_drafts",
            "schedule": 3600.0,
            "options": {"expires": 3600.0},
        },
        "dossiers-mark-overdue": {
            "task": "motcua.dossiers.mark_overdue",
            "schedule": 300.0,
            "options": {"expires": 300.0},
        },
    },
)
app.autodiscover_tasks()
