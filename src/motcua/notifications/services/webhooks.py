"""Webhooks: one outbox message per subscription, POSTed as signed JSON.

The receiver gets ``Idempotency-Key`` (stable across retries: apply the effect once per key),
``X-Motcua-Topic`` (the event) and ``X-Motcua-Signature: sha256=<hex HMAC-SHA256 of the body
with the subscription's secret>``. Any answer other than 2xx is a failed try (no redirects are
followed); the outbox retries it with back-off.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request

from django.db import transaction

from motcua.notifications.choices import OutboxTopic
from motcua.notifications.conf import outbox_config
from motcua.notifications.models import OutboxMessage, WebhookSubscription
from motcua.notifications.services.outbox import (
    DeliveryError,
    PermanentDeliveryError,
    TransactionRequired,
    outbox_enqueue,
)

SIGNATURE_HEADER = "X-Motcua-Signature"
USER_AGENT = "motcua-webhook/1"


def webhook_fanout(
    *,
    topic: str,
    payload: dict,
    key: str,
    agency_path: str = "",
    dossier_id: int | None = None,
) -> list[OutboxMessage]:
    """Enqueue the event ``topic`` for every active subscription that wants it (by topic and
    agency subtree), in the caller's transaction. Keys are ``<key>:webhook:<subscription id>``."""
    if not transaction.get_connection().in_atomic_block:
        raise TransactionRequired("webhook_fanout() must run inside transaction.atomic().")
    subscriptions = WebhookSubscription.objects.filter(is_active=True).select_related("agency")
    return [
        outbox_enqueue(
            topic=OutboxTopic.WEBHOOK,
            payload={"subscription_id": sub.pk, "event": topic, "data": payload},
            key=f"{key}:webhook:{sub.pk}",
            dossier_id=dossier_id,
            agency_path=agency_path,
        )
        for sub in subscriptions
        if sub.wants(topic=topic, agency_path=agency_path)
    ]


def webhook_body(message: OutboxMessage) -> bytes:
    """The exact bytes sent: the same on every retry, so the signature is too."""
    document = {
        "id": message.idempotency_key,
        "topic": message.payload.get("event", ""),
        "created_at": message.created_at.isoformat(),
        "data": message.payload.get("data", {}),
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def webhook_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # a 3xx is reported as an HTTPError: not delivered


_opener = urllib.request.build_opener(_NoRedirect)


def webhook_deliver(message: OutboxMessage) -> None:
    """Outbox handler for the ``webhook`` topic."""
    subscription = WebhookSubscription.objects.filter(
        pk=message.payload.get("subscription_id")
    ).first()
    if subscription is None:
        raise PermanentDeliveryError("The webhook subscription no longer exists.")
    if not subscription.is_active:
        raise PermanentDeliveryError(f"The webhook subscription “{subscription}” is disabled.")
    url = subscription.url
    if not url.lower().startswith(("http://", "https://")):
        raise PermanentDeliveryError(f"Not an http(s) URL: {url}")
    body = webhook_body(message)
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "Idempotency-Key": message.idempotency_key,
            "X-Motcua-Topic": message.payload.get("event", ""),
            SIGNATURE_HEADER: webhook_signature(subscription.secret, body),
        },
    )
    try:
        with _opener.open(request, timeout=outbox_config().timeout) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        try:
            detail = exc.read(300).decode("utf-8", "replace").strip()
        except (OSError, AttributeError):
            detail = ""
        raise DeliveryError(f"HTTP {exc.code} from {url}: {detail}".strip(": ")) from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(f"Cannot reach {url}: {reason}") from exc
    if not 200 <= status < 300:
        raise DeliveryError(f"HTTP {status} from {url}")
