"""The transactional outbox (ARCHITECTURE.md "Nothing is lost"; STYLE.md §7).

Rules from the issue, and where each is kept:

- Every external effect is a row written in the same transaction as the event:
  ``outbox_enqueue`` refuses to run outside ``transaction.atomic()`` and is a plain insert, so a
  rolled-back (or denied) action leaves nothing behind.
- Idempotency: the caller's key is unique; enqueuing the same key twice returns the first row.
  Handlers pass the key to the receiver, which is how a receiver applies an effect once even when
  a worker died after sending and before recording it.
- Delivery with retries: a worker claims due messages (``outbox_claim_due``), calls the topic's
  handler, and on failure schedules the next try with exponential back-off and jitter; after
  ``max_attempts`` tries the message is failed and shown to administrators, who may retry or
  cancel it.
- Crash recovery: a claim is a lease. A worker that dies between commit and delivery leaves the
  message "delivering" with a lease that expires; it is then claimable again. Tries are counted
  at claim time, so a message that kills its worker every time still ends as failed.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections.abc import Callable
from functools import partial

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import ValidationFailed
from motcua.notifications.choices import OutboxStatus
from motcua.notifications.conf import OutboxConfig, crash_point, outbox_config
from motcua.notifications.models import OutboxMessage
from motcua.notifications.policies import require_outbox_admin

__all__ = [
    "DeliveryError",
    "PermanentDeliveryError",
    "TransactionRequired",
    "backoff_delay",
    "outbox_attempt",
    "outbox_cancel",
    "outbox_claim",
    "outbox_claim_due",
    "outbox_deliver",
    "outbox_enqueue",
    "outbox_release",
    "outbox_retry",
    "register_handler",
    "set_dispatcher",
]

logger = logging.getLogger("motcua.notifications")

Handler = Callable[[OutboxMessage], None]
_HANDLERS: dict[str, Handler] = {}
_dispatcher: Callable[[int], None] | None = None

MAX_ERROR_LENGTH = 2000
INTERRUPTED = "The previous try did not finish (the worker stopped); taken over after its lease."


class TransactionRequired(RuntimeError):
    """``outbox_enqueue`` was called outside ``transaction.atomic()``: a programming error."""


class DeliveryError(Exception):
    """A handler's try failed; the message is tried again later."""


class PermanentDeliveryError(DeliveryError):
    """A handler's try failed in a way no retry can fix; the message fails at once."""


class UnknownTopic(DeliveryError):
    """No handler is registered for the message's topic (retried: it may be registered later)."""


# --- Handlers and dispatch -------------------------------------------------------------------


def register_handler(topic: str, func: Handler) -> Handler:
    """Make ``func(message)`` the handler of ``topic``. A handler raises to report failure and
    must send ``message.idempotency_key`` so that the receiver applies the effect once."""
    _HANDLERS[topic] = func
    return func


def set_dispatcher(func: Callable[[int], None] | None) -> None:
    """What to do after a commit that enqueued a message (wake the thread, queue a Celery task).
    Chosen once at start-up by ``NotificationsConfig.ready``; None: wait for the next sweep."""
    global _dispatcher
    _dispatcher = func


def _dispatch(message_id: int) -> None:
    if _dispatcher is None:
        return
    try:
        _dispatcher(message_id)
    except Exception:
        # The message is committed; a broker outage only delays it until the next sweep.
        logger.warning("outbox: could not dispatch message %s; the sweep will", message_id)


# --- Writing ---------------------------------------------------------------------------------


def outbox_enqueue(
    *,
    topic: str,
    payload: dict,
    key: str,
    dossier_id: int | None = None,
    agency_path: str = "",
    max_attempts: int | None = None,
) -> OutboxMessage:
    """Record an external effect in the caller's transaction; it is sent after commit.

    A plain insert (no network, no broker): calling it in a transaction that is then rolled
    back leaves nothing. The same ``key`` twice returns the existing row.
    """
    if not transaction.get_connection().in_atomic_block:
        raise TransactionRequired(
            "outbox_enqueue() must run inside transaction.atomic(), in the transaction that "
            "records the event it belongs to."
        )
    if not key:
        raise ValueError("an outbox message needs an idempotency key")
    message, created = OutboxMessage.objects.get_or_create(
        idempotency_key=key,
        defaults={
            "topic": topic,
            "payload": payload,
            "dossier_id": dossier_id,
            "agency_path": agency_path,
            "max_attempts": max_attempts or outbox_config().max_attempts,
        },
    )
    if created:
        transaction.on_commit(partial(_dispatch, message.pk), robust=True)
    elif message.topic != topic:
        logger.warning(
            "outbox: key %s already used for topic %s, not %s", key, message.topic, topic
        )
    return message


# --- Claiming --------------------------------------------------------------------------------


def _claimable(now: dt.datetime) -> Q:
    return Q(status=OutboxStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=OutboxStatus.DELIVERING, lease_until__lte=now
    )


def _claim(
    where: Q, *, now: dt.datetime | None, limit: int, lease: dt.timedelta | None
) -> list[OutboxMessage]:
    now = now or timezone.now()
    lease = lease or outbox_config().lease
    with transaction.atomic():
        # PostgreSQL: concurrent workers skip each other's rows. SQLite: select_for_update is a
        # no-op, but the connection BEGINs IMMEDIATE, so claims are serialised by the write lock.
        rows = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(where & _claimable(now))
            .order_by("next_attempt_at", "id")
            .values_list("id", "status", "attempts", "max_attempts")[:limit]
        )
        interrupted = {pk for pk, status, *_ in rows if status == OutboxStatus.DELIVERING}
        exhausted = [pk for pk, _s, tries, most in rows if pk in interrupted and tries >= most]
        taken = [pk for pk, *_ in rows if pk not in exhausted]
        if exhausted:
            # A worker died during the last try: nothing is left to try.
            OutboxMessage.objects.filter(pk__in=exhausted).update(
                status=OutboxStatus.FAILED, lease_until=None, last_error=INTERRUPTED
            )
        if not taken:
            return []
        OutboxMessage.objects.filter(pk__in=taken).update(
            status=OutboxStatus.DELIVERING,
            lease_until=now + lease,
            attempts=F("attempts") + 1,
        )
        OutboxMessage.objects.filter(pk__in=interrupted.intersection(taken)).update(
            last_error=INTERRUPTED
        )
        return list(OutboxMessage.objects.filter(pk__in=taken).order_by("next_attempt_at", "id"))


def outbox_claim_due(
    *, now: dt.datetime | None = None, limit: int = 10, lease: dt.timedelta | None = None
) -> list[OutboxMessage]:
    """Claim up to ``limit`` due messages for this worker, committed before returning.

    Due: pending with ``next_attempt_at <= now``, or delivering with an expired lease (the
    worker that held it died). Claimed: delivering, ``lease_until = now + lease``, one more try
    counted.
    """
    return _claim(Q(), now=now, limit=limit, lease=lease)


def outbox_claim(
    *, message_id: int, now: dt.datetime | None = None, lease: dt.timedelta | None = None
) -> OutboxMessage | None:
    """Claim one message if it is due; None if it is not (sent, held by a live worker …)."""
    claimed = _claim(Q(pk=message_id), now=now, limit=1, lease=lease)
    return claimed[0] if claimed else None


# --- Delivering ------------------------------------------------------------------------------


def backoff_delay(attempt: int, *, config: OutboxConfig | None = None) -> dt.timedelta:
    """Wait after the ``attempt``-th failed try: base · 2^(attempt−1), at most the cap, less a
    random share of up to the jitter percentage."""
    config = config or outbox_config()
    seconds = config.backoff_base.total_seconds() * 2 ** min(max(attempt - 1, 0), 40)
    seconds = min(seconds, config.backoff_cap.total_seconds())
    if config.jitter:
        seconds -= seconds * config.jitter * random.random()  # noqa: S311 - not cryptographic
    return dt.timedelta(seconds=seconds)


def _describe(exc: BaseException) -> str:
    text = str(exc) if isinstance(exc, DeliveryError) else f"{type(exc).__name__}: {exc}"
    return text[:MAX_ERROR_LENGTH]


def _finish(message: OutboxMessage, **fields) -> OutboxMessage:
    """Record the outcome of a try, unless this worker's lease was taken over meanwhile."""
    updated = OutboxMessage.objects.filter(
        pk=message.pk, status=OutboxStatus.DELIVERING, lease_until=message.lease_until
    ).update(**fields)
    if not updated:
        logger.warning("outbox: lease on message %s was lost; outcome not recorded", message.pk)
        message.refresh_from_db()
        return message
    for name, value in fields.items():
        setattr(message, name, value)
    return message


def outbox_attempt(*, message: OutboxMessage, now: dt.datetime | None = None) -> OutboxMessage:
    """Try a message this worker has claimed: call the topic's handler and record the outcome."""
    handler = _HANDLERS.get(message.topic)
    try:
        if handler is None:
            raise UnknownTopic(f"No handler is registered for topic {message.topic!r}.")
        handler(message)
    except Exception as exc:
        now = now or timezone.now()
        error = _describe(exc)
        if isinstance(exc, PermanentDeliveryError) or message.attempts >= message.max_attempts:
            logger.error("outbox: message %s failed for good: %s", message.pk, error)
            return _finish(message, status=OutboxStatus.FAILED, lease_until=None, last_error=error)
        logger.warning("outbox: message %s try %s failed: %s", message.pk, message.attempts, error)
        return _finish(
            message,
            status=OutboxStatus.PENDING,
            next_attempt_at=now + backoff_delay(message.attempts),
            lease_until=None,
            last_error=error,
        )
    crash_point("after_send_before_mark")
    return _finish(
        message,
        status=OutboxStatus.DELIVERED,
        delivered_at=now or timezone.now(),
        lease_until=None,
        last_error="",
    )


def outbox_release(*, message: OutboxMessage) -> None:
    """Hand back a claimed message that this worker will not try (it is stopping): pending
    again, the try not counted."""
    _finish(
        message,
        status=OutboxStatus.PENDING,
        attempts=max(message.attempts - 1, 0),
        lease_until=None,
    )


def outbox_deliver(message_id: int, *, now: dt.datetime | None = None) -> OutboxMessage | None:
    """Claim one message and try it; None if it was not due (already sent, held by another
    worker, waiting for its next try). Safe to call any number of times (tasks take ids)."""
    message = outbox_claim(message_id=message_id, now=now)
    if message is None:
        return None
    return outbox_attempt(message=message, now=now)


# --- Administrators --------------------------------------------------------------------------


def outbox_retry(*, message: OutboxMessage, actor, now: dt.datetime | None = None) -> OutboxMessage:
    """Send a failed or cancelled message again, with a fresh set of tries."""
    require_outbox_admin(actor, message)
    with transaction.atomic():
        locked = OutboxMessage.objects.select_for_update().get(pk=message.pk)
        if locked.status not in (OutboxStatus.FAILED, OutboxStatus.CANCELLED):
            raise ValidationFailed(
                _("Only a failed or cancelled message can be sent again."),
                code="outbox_not_retryable",
            )
        locked.status = OutboxStatus.PENDING
        locked.attempts = 0
        locked.next_attempt_at = now or timezone.now()
        locked.lease_until = None
        locked.save(update_fields=["status", "attempts", "next_attempt_at", "lease_until"])
        transaction.on_commit(partial(_dispatch, locked.pk), robust=True)
    logger.info("outbox: message %s re-queued by %s", locked.pk, actor)
    return locked


def outbox_cancel(*, message: OutboxMessage, actor) -> OutboxMessage:
    """Give up on a pending or failed message; it is kept, marked cancelled."""
    require_outbox_admin(actor, message)
    with transaction.atomic():
        locked = OutboxMessage.objects.select_for_update().get(pk=message.pk)
        if locked.status not in (OutboxStatus.PENDING, OutboxStatus.FAILED):
            raise ValidationFailed(
                _("Only a message that is waiting or has failed can be cancelled."),
                code="outbox_not_cancellable",
            )
        locked.status = OutboxStatus.CANCELLED
        locked.lease_until = None
        locked.save(update_fields=["status", "lease_until"])
    logger.info("outbox: message %s cancelled by %s", locked.pk, actor)
    return locked
