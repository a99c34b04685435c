"""Webhooks against a real HTTP receiver on 127.0.0.1 (mocks only at the edge: STYLE.md §17)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from motcua.notifications.choices import OutboxStatus, OutboxTopic
from motcua.notifications.models import OutboxMessage, WebhookSubscription
from motcua.notifications.services.outbox import TransactionRequired, outbox_deliver
from motcua.notifications.services.webhooks import webhook_fanout, webhook_signature
from motcua.notifications.tests.conftest import T0

S = dt.timedelta(seconds=1)


def subscribe(url, secret="s3cret-for-tests", **fields) -> WebhookSubscription:
    fields.setdefault("topics", "*")
    return WebhookSubscription.objects.create(name="Receiver", url=url, secret=secret, **fields)


def fanout(topic="dossier.received", key="H56.1:received", agency_path="", **kwargs):
    with transaction.atomic():
        return webhook_fanout(
            topic=topic,
            payload={"code": "H56.1", "status": "received"},
            key=key,
            agency_path=agency_path,
            **kwargs,
        )


def test_fanout_follows_topics_agency_subtree_and_activity(tree):
    everything = subscribe("http://a.example/h")
    received_only = subscribe("http://b.example/h", topics=["dossier.received"])
    other_topic = subscribe("http://c.example/h", topics=["dossier.returned"])
    province = subscribe("http://d.example/h", agency=tree.p1)
    other_province = subscribe("http://e.example/h", agency=tree.p2)
    subscribe("http://f.example/h", is_active=False)

    messages = fanout(agency_path=tree.c1_units["pvhcc"].path, dossier_id=7)

    by_subscription = {m.payload["subscription_id"]: m for m in messages}
    assert set(by_subscription) == {everything.pk, received_only.pk, province.pk}
    assert other_topic.pk not in by_subscription and other_province.pk not in by_subscription
    message = by_subscription[province.pk]
    assert message.topic == OutboxTopic.WEBHOOK
    assert message.idempotency_key == f"H56.1:received:webhook:{province.pk}"
    assert message.dossier_id == 7 and message.agency_path == tree.c1_units["pvhcc"].path
    # An event without an agency goes to unscoped subscriptions only.
    assert {m.payload["subscription_id"] for m in fanout(key="k2")} == {
        everything.pk,
        received_only.pk,
    }
    fanout()  # the same event again: nothing new
    assert OutboxMessage.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_fanout_outside_a_transaction_is_refused():
    subscribe("http://a.example/h")
    with pytest.raises(TransactionRequired):
        webhook_fanout(topic="dossier.received", payload={}, key="k")
    assert not OutboxMessage.objects.exists()


def test_delivered_with_key_topic_and_a_valid_signature(db, receiver):
    sub = subscribe(receiver.url)
    (message,) = fanout()
    assert outbox_deliver(message.pk, now=T0).status == OutboxStatus.DELIVERED
    (request,) = receiver.requests
    headers = request["headers"]
    assert headers["Idempotency-Key"] == f"H56.1:received:webhook:{sub.pk}"
    assert headers["X-Motcua-Topic"] == "dossier.received"
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers["X-Motcua-Signature"] == webhook_signature("s3cret-for-tests", request["body"])
    assert receiver.signature_ok(request["body"], headers["X-Motcua-Signature"])
    assert request["json"] == {
        "id": f"H56.1:received:webhook:{sub.pk}",
        "topic": "dossier.received",
        "created_at": message.created_at.isoformat(),
        "data": {"code": "H56.1", "status": "received"},
    }
    assert receiver.applied_count(headers["Idempotency-Key"]) == 1


def test_a_wrong_secret_is_refused_by_the_receiver_and_retried(db, receiver):
    subscribe(receiver.url, secret="not-the-receivers-secret")
    (message,) = fanout()
    message = outbox_deliver(message.pk, now=T0)
    assert message.status == OutboxStatus.PENDING
    assert message.last_error.startswith(f"HTTP 401 from {receiver.url}")


def test_a_500_is_retried_with_backoff_then_delivered_with_the_same_body(db, receiver):
    subscribe(receiver.url)
    receiver.fail_next(500, 503)
    (message,) = fanout()
    first = outbox_deliver(message.pk, now=T0)
    assert first.status == OutboxStatus.PENDING and first.attempts == 1
    assert first.next_attempt_at == T0 + 30 * S
    assert first.last_error == f"HTTP 500 from {receiver.url}: receiver says no"
    second = outbox_deliver(message.pk, now=first.next_attempt_at)
    assert second.next_attempt_at == T0 + 90 * S and second.attempts == 2
    third = outbox_deliver(message.pk, now=second.next_attempt_at)
    assert third.status == OutboxStatus.DELIVERED and third.attempts == 3
    assert [r["body"] for r in receiver.requests] == [receiver.requests[0]["body"]] * 3
    assert receiver.applied_count(message.idempotency_key) == 1


def test_an_unreachable_receiver_is_a_failed_try(db, receiver):
    url = receiver.url
    receiver.stop()
    subscribe(url)
    (message,) = fanout()
    message = outbox_deliver(message.pk, now=T0)
    assert message.status == OutboxStatus.PENDING
    assert message.last_error.startswith(f"Cannot reach {url}")


def test_a_redirect_is_not_followed(db, receiver):
    receiver.fail_next(302)
    subscribe(receiver.url)
    (message,) = fanout()
    message = outbox_deliver(message.pk, now=T0)
    assert message.status == OutboxStatus.PENDING
    assert message.last_error.startswith("HTTP 302")
    assert len(receiver.requests) == 1


def test_a_deleted_or_disabled_subscription_fails_at_once(db, receiver):
    sub = subscribe(receiver.url)
    (message,) = fanout()
    sub.is_active = False
    sub.save()
    message = outbox_deliver(message.pk, now=T0)
    assert message.status == OutboxStatus.FAILED
    assert "disabled" in message.last_error
    assert receiver.requests == []


def test_subscription_validation(db):
    sub = WebhookSubscription(name="x", url="ftp://example.org/", topics="*")
    with pytest.raises(ValidationError) as caught:
        sub.full_clean()
    assert "url" in caught.value.message_dict
    sub = WebhookSubscription(name="x", url="https://example.org/", topics=["ok", 3])
    with pytest.raises(ValidationError) as caught:
        sub.full_clean()
    assert set(caught.value.message_dict) == {"topics"}
    WebhookSubscription(name="x", url="https://example.org/", topics=["dossier.received"]).clean()
    assert len(WebhookSubscription(name="x", url="https://x.org").secret) >= 40


def test_body_is_compact_sorted_utf8(db, receiver):
    subscribe(receiver.url)
    with transaction.atomic():
        (message,) = webhook_fanout(topic="t", payload={"b": "Thanh Hóa", "a": 1}, key="k")
    outbox_deliver(message.pk, now=T0)
    body = receiver.requests[0]["body"]
    assert '"data":{"a":1,"b":"Thanh Hóa"}' in body.decode()
    assert json.loads(body)["data"] == {"a": 1, "b": "Thanh Hóa"}
