"""E-mail through the outbox.

The payload is ``{"to": [...], "subject": ..., "body": ..., "html": optional}``. Every try of
one message carries the same ``Message-ID`` (derived from the idempotency key), so a mail that
was sent by a worker that died before recording it is recognised as the same mail by the
receiving mail systems.
"""

from __future__ import annotations

import hashlib
from email.utils import parseaddr
from urllib.parse import parse_qs, unquote, urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend

from motcua.config.env import ImproperEnvironment, env
from motcua.notifications.choices import OutboxTopic
from motcua.notifications.conf import outbox_config
from motcua.notifications.models import OutboxMessage
from motcua.notifications.services.outbox import PermanentDeliveryError, outbox_enqueue

CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def email_enqueue(
    *,
    to: str | list[str],
    subject: str,
    body: str,
    key: str,
    html: str = "",
    dossier_id: int | None = None,
    agency_path: str = "",
) -> OutboxMessage:
    """Schedule one e-mail in the caller's transaction (see ``outbox_enqueue``)."""
    payload = {"to": [to] if isinstance(to, str) else list(to), "subject": subject, "body": body}
    if html:
        payload["html"] = html
    return outbox_enqueue(
        topic=OutboxTopic.EMAIL,
        payload=payload,
        key=key,
        dossier_id=dossier_id,
        agency_path=agency_path,
    )


def sender() -> str:
    return env("EMAIL_FROM")


def email_message_id(key: str) -> str:
    domain = parseaddr(sender())[1].rpartition("@")[2] or "localhost"
    return f"<outbox.{hashlib.sha256(key.encode()).hexdigest()[:40]}@{domain}>"


def mail_connection() -> BaseEmailBackend:
    """The mail backend named by ``EMAIL_URL``; empty: Django's (the test runner's in tests),
    or the console in development when nothing was configured."""
    url = env("EMAIL_URL").strip()
    timeout = outbox_config().timeout
    if not url:
        if not settings.PRODUCTION and settings.EMAIL_BACKEND == SMTP_BACKEND:
            return get_connection(CONSOLE_BACKEND)
        return get_connection(timeout=timeout)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "console":
        return get_connection(CONSOLE_BACKEND)
    if scheme not in {"smtp", "smtp+tls", "smtps", "smtp+ssl"}:
        raise ImproperEnvironment(f"EMAIL_URL: unsupported scheme {parts.scheme!r}")
    query = parse_qs(parts.query)
    return get_connection(
        SMTP_BACKEND,
        host=parts.hostname or "localhost",
        port=parts.port or (465 if scheme in {"smtps", "smtp+ssl"} else 25),
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        use_tls=scheme == "smtp+tls" or query.get("tls") == ["1"],
        use_ssl=scheme in {"smtps", "smtp+ssl"},
        timeout=timeout,
    )


def email_deliver(message: OutboxMessage) -> None:
    """Outbox handler for the ``email`` topic."""
    payload = message.payload
    to = payload.get("to") or []
    if isinstance(to, str):
        to = [to]
    if not to:
        raise PermanentDeliveryError("The e-mail has no recipient.")
    mail = EmailMultiAlternatives(
        subject=payload.get("subject", ""),
        body=payload.get("body", ""),
        from_email=sender(),
        to=to,
        headers={
            "Message-ID": email_message_id(message.idempotency_key),
            "X-Motcua-Idempotency-Key": message.idempotency_key,
        },
        connection=mail_connection(),
    )
    if payload.get("html"):
        mail.attach_alternative(payload["html"], "text/html")
    mail.send(fail_silently=False)
