"""Outbox mechanics: the rules of the issue "transactional outbox" (ARCHITECTURE.md: "every
external effect goes through the outbox"; STYLE.md §7)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from motcua.core.errors import NotFound, ValidationFailed
from motcua.notifications.choices import OutboxStatus
from motcua.notifications.models import OutboxMessage
from motcua.notifications.services import outbox
from motcua.notifications.services.outbox import (
    INTERRUPTED,
    PermanentDeliveryError,
    TransactionRequired,
    backoff_delay,
    outbox_attempt,
    outbox_cancel,
    outbox_claim,
    outbox_claim_due,
    outbox_deliver,
    outbox_enqueue,
    outbox_release,
    outbox_retry,
)
from motcua.notifications.tests.conftest import T0
from motcua.org.choices import Role
from motcua.org.tests.factories import UserFactory, official

S = dt.timedelta(seconds=1)


def enqueue(key="dossier-1:received", topic="test.effect", **kwargs) -> OutboxMessage:
    with transaction.atomic():
        return outbox_enqueue(topic=topic, payload={"n": 1}, key=key, **kwargs)


# --- Written in the event's transaction -------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_enqueue_outside_a_transaction_is_refused():
    with pytest.raises(TransactionRequired):
        outbox_enqueue(topic="test.effect", payload={}, key="k")
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_action_leaves_no_message():
    def denied_action():  # a domain rule refuses after the effect was recorded
        with transaction.atomic():
            outbox_enqueue(topic="test.effect", payload={}, key="denied")
            raise ValidationFailed("denied")

    with pytest.raises(ValidationFailed):
        denied_action()
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_same_key_twice_is_one_message_and_one_dispatch():
    dispatched = []
    outbox.set_dispatcher(dispatched.append)
    try:
        first = enqueue(key="k1")
        with transaction.atomic():
            second = outbox_enqueue(topic="test.effect", payload={"n": 2}, key="k1")
    finally:
        outbox.set_dispatcher(None)
    assert second.pk == first.pk and second.payload == {"n": 1}
    assert OutboxMessage.objects.count() == 1
    assert dispatched == [first.pk]


@pytest.mark.django_db(transaction=True)
def test_dispatch_happens_after_commit_and_a_failing_dispatcher_does_not_break_it():
    def broker_down(message_id):
        raise ConnectionError("broker down")

    outbox.set_dispatcher(broker_down)
    try:
        message = enqueue()  # commits; the dispatcher raises after commit
    finally:
        outbox.set_dispatcher(None)
    assert OutboxMessage.objects.get(pk=message.pk).status == OutboxStatus.PENDING


def test_new_message_defaults(db):
    message = enqueue(dossier_id=42, agency_path="38/14848/")
    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 0 and message.max_attempts == 8
    assert message.dossier_id == 42 and message.agency_path == "38/14848/"


# --- Delivery, retries, back-off ---------------------------------------------------------------


def test_success_marks_delivered_and_passes_the_key(db, effect):
    message = enqueue()
    result = outbox_deliver(message.pk, now=T0)
    assert result.status == OutboxStatus.DELIVERED
    assert result.delivered_at == T0 and result.attempts == 1 and result.lease_until is None
    assert effect.calls == [("dossier-1:received", {"n": 1})]
    assert outbox_deliver(message.pk, now=T0 + 3600 * S) is None  # delivered once, not again
    assert len(effect.calls) == 1


def test_backoff_is_exponential_and_capped(settings, monkeypatch):
    monkeypatch.setenv("MOTCUA_OUTBOX_BACKOFF_CAP", "600")
    assert [backoff_delay(n).total_seconds() for n in range(1, 8)] == [
        30,
        60,
        120,
        240,
        480,
        600,
        600,
    ]
    assert backoff_delay(500).total_seconds() == 600


def test_jitter_only_shortens_the_delay(monkeypatch):
    monkeypatch.setenv("MOTCUA_OUTBOX_JITTER_PERCENT", "20")
    delays = {backoff_delay(3).total_seconds() for _ in range(50)}
    assert all(96 <= d <= 120 for d in delays) and len(delays) > 1


def test_failures_retry_with_backoff_then_fail_after_max_attempts(db, effect):
    effect.failures = [ConnectionError("receiver down")] * 4
    message = enqueue(max_attempts=4)
    now = T0
    expected_waits = [30, 60, 120]
    for attempt, wait in enumerate(expected_waits, start=1):
        message = outbox_deliver(message.pk, now=now)
        assert message.status == OutboxStatus.PENDING
        assert message.attempts == attempt
        assert message.next_attempt_at == now + wait * S
        assert message.last_error == "ConnectionError: receiver down"
        # Not due a second earlier:
        assert outbox_deliver(message.pk, now=message.next_attempt_at - S) is None
        now = message.next_attempt_at
    message = outbox_deliver(message.pk, now=now)
    assert message.status == OutboxStatus.FAILED
    assert message.attempts == 4
    assert message.last_error == "ConnectionError: receiver down"
    assert outbox_deliver(message.pk, now=now + 10**6 * S) is None  # failed stays failed
    assert len(effect.calls) == 4


def test_a_permanent_error_fails_at_once(db, effect):
    effect.failures = [PermanentDeliveryError("no such recipient")]
    message = outbox_deliver(enqueue().pk, now=T0)
    assert message.status == OutboxStatus.FAILED and message.attempts == 1
    assert message.last_error == "no such recipient"


def test_unknown_topic_fails_with_a_clear_error_after_its_attempts(db):
    message = enqueue(topic="dvcqg.sync", max_attempts=2)
    message = outbox_deliver(message.pk, now=T0)
    assert message.status == OutboxStatus.PENDING
    assert message.last_error == "No handler is registered for topic 'dvcqg.sync'."
    message = outbox_deliver(message.pk, now=T0 + 30 * S)
    assert message.status == OutboxStatus.FAILED
    assert "No handler is registered for topic 'dvcqg.sync'." in message.last_error


# --- Claims and leases (crash recovery, in one process; the cross-process proof is in
# test_crash_recovery.py) ----------------------------------------------------------------------


def test_claim_takes_due_messages_once_and_leases_them(db, effect):
    first, second = enqueue(key="a"), enqueue(key="b")
    later = enqueue(key="c")
    OutboxMessage.objects.filter(pk=later.pk).update(next_attempt_at=T0 + 60 * S)
    claimed = outbox_claim_due(now=T0, limit=10, lease=60 * S)
    assert [m.pk for m in claimed] == [first.pk, second.pk]
    assert all(m.status == OutboxStatus.DELIVERING for m in claimed)
    assert all(m.lease_until == T0 + 60 * S and m.attempts == 1 for m in claimed)
    # Held by a live worker: nobody else may take them before the lease ends.
    assert outbox_claim_due(now=T0 + 59 * S, limit=10, lease=60 * S) == []
    assert effect.calls == []


def test_a_message_abandoned_by_a_dead_worker_is_taken_over_after_its_lease(db, effect):
    message = enqueue()
    abandoned = outbox_claim(message_id=message.pk, now=T0, lease=60 * S)
    # … the worker dies here: nothing recorded.
    assert outbox_claim(message_id=message.pk, now=T0 + 30 * S) is None
    taken_over = outbox_claim(message_id=message.pk, now=T0 + 60 * S, lease=60 * S)
    assert taken_over.attempts == 2 and taken_over.last_error == INTERRUPTED
    done = outbox_attempt(message=taken_over, now=T0 + 61 * S)
    assert done.status == OutboxStatus.DELIVERED
    # The dead worker, were it only slow, cannot overwrite the outcome: its lease was fenced.
    late = outbox_attempt(message=abandoned, now=T0 + 62 * S)
    assert late.status == OutboxStatus.DELIVERED and late.delivered_at == T0 + 61 * S
    assert len(effect.calls) == 2  # both sent: the receiver de-duplicates by key


def test_a_message_that_kills_every_worker_ends_as_failed(db, effect):
    message = enqueue(max_attempts=2)
    outbox_claim(message_id=message.pk, now=T0, lease=60 * S)
    outbox_claim(message_id=message.pk, now=T0 + 60 * S, lease=60 * S)
    assert outbox_claim_due(now=T0 + 120 * S, limit=10) == []
    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED and message.last_error == INTERRUPTED
    assert effect.calls == []


def test_a_stopping_worker_hands_back_what_it_did_not_try(db):
    message = enqueue()
    claimed = outbox_claim(message_id=message.pk, now=T0)
    outbox_release(message=claimed)
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 0 and message.lease_until is None


# --- Administrators ----------------------------------------------------------------------------


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def test_administrator_retry_requeues_a_failed_message(db, effect, superuser):
    effect.failures = [ConnectionError("down")]
    message = outbox_deliver(enqueue(max_attempts=1).pk, now=T0)
    assert message.status == OutboxStatus.FAILED
    retried = outbox_retry(message=message, actor=superuser, now=T0 + 5 * S)
    assert retried.status == OutboxStatus.PENDING
    assert retried.attempts == 0 and retried.next_attempt_at == T0 + 5 * S
    delivered = outbox_deliver(message.pk, now=T0 + 5 * S)
    assert delivered.status == OutboxStatus.DELIVERED and delivered.attempts == 1


def test_only_failed_or_cancelled_messages_can_be_retried(db, superuser):
    message = enqueue()
    with pytest.raises(ValidationFailed) as caught:
        outbox_retry(message=message, actor=superuser)
    assert caught.value.code == "outbox_not_retryable"


def test_cancel(db, superuser):
    message = enqueue()
    assert outbox_cancel(message=message, actor=superuser).status == OutboxStatus.CANCELLED
    assert outbox_deliver(message.pk, now=T0) is None
    with pytest.raises(ValidationFailed):
        outbox_cancel(message=message, actor=superuser)
    assert outbox_retry(message=message, actor=superuser).status == OutboxStatus.PENDING


def test_a_message_in_flight_cannot_be_cancelled(db, superuser):
    message = enqueue()
    outbox_claim(message_id=message.pk)
    with pytest.raises(ValidationFailed) as caught:
        outbox_cancel(message=message, actor=superuser)
    assert caught.value.code == "outbox_not_cancellable"


def test_administrators_act_only_within_their_subtree(tree):
    # SPEC.md §1.2: a role covers the subtree of the agency it is granted on.
    own, other = tree.c1, tree.c2
    admin = official("qt", home=own, role=Role.ADMINISTRATOR)
    clerk = official("vt", home=own, role=Role.CLERK)
    mine = enqueue(key="mine", agency_path=tree.c1_units["pvhcc"].path)
    theirs = enqueue(key="theirs", agency_path=other.path)
    outbox_cancel(message=mine, actor=admin.user)
    with pytest.raises(NotFound):
        outbox_cancel(message=theirs, actor=admin.user)
    with pytest.raises(NotFound):
        outbox_cancel(message=mine, actor=clerk.user)
    theirs.refresh_from_db()
    assert theirs.status == OutboxStatus.PENDING
