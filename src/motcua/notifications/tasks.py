"""Celery tasks (production mode). They take ids, are idempotent and wrap services (STYLE.md §7).

``deliver_message`` is queued after the commit that enqueued a message; ``sweep_outbox`` runs
from beat every ``MOTCUA_OUTBOX_POLL_INTERVAL`` seconds and picks up everything else: retries
that are due, messages whose ``deliver_message`` was lost with a broker outage, and messages
whose worker died while holding them (expired lease).
"""

from __future__ import annotations

import logging

from motcua.config.celery import app
from motcua.notifications.conf import outbox_config
from motcua.notifications.services.outbox import outbox_attempt, outbox_claim_due, outbox_deliver

logger = logging.getLogger("motcua.notifications")


@app.task(name="motcua.notifications.deliver_message", ignore_result=True, acks_late=True)
def deliver_message(message_id: int) -> None:
    outbox_deliver(message_id)


@app.task(name="motcua.notifications.sweep_outbox", ignore_result=True)
def sweep_outbox() -> int:
    """Claim one batch of due messages and try them; when the batch was full, queue another
    sweep at once so that a backlog spreads over all workers. Returns the number claimed."""
    batch = outbox_config().batch
    claimed = outbox_claim_due(limit=batch)
    for message in claimed:
        outbox_attempt(message=message)
    if len(claimed) >= batch:
        try:
            sweep_outbox.apply_async(retry=False)
        except Exception:  # beat's next sweep continues
            logger.warning("outbox: could not chain the next sweep", exc_info=True)
    return len(claimed)


def dispatch_delivery(message_id: int) -> None:
    """After commit, in the web process: queue the delivery; fail fast if the broker is down
    (the message is safe in the database and the next sweep sends it)."""
    deliver_message.apply_async((message_id,), retry=False)
