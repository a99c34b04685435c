"""E-mail through the outbox (Django's test mail backend is the edge of the system here)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction

from motcua.config.env import ImproperEnvironment
from motcua.notifications.choices import OutboxStatus, OutboxTopic
from motcua.notifications.services.email import (
    CONSOLE_BACKEND,
    email_enqueue,
    email_message_id,
    mail_connection,
)
from motcua.notifications.services.outbox import outbox_deliver
from motcua.notifications.tests.conftest import T0


def enqueue(**kwargs):
    fields = {
        "to": "cong.dan@example.vn",
        "subject": "Hồ sơ H56.1 đã được tiếp nhận",
        "body": "Kính gửi ông/bà …",
        "key": "H56.1:received:email",
    }
    fields.update(kwargs)
    with transaction.atomic():
        return email_enqueue(**fields)


def test_email_is_sent_with_a_message_id_derived_from_the_key(db, monkeypatch):
    monkeypatch.setenv("EMAIL_FROM", "Một cửa <motcua@thanhhoa.gov.vn>")
    message = enqueue(html="<p>Kính gửi</p>")
    assert message.topic == OutboxTopic.EMAIL
    assert outbox_deliver(message.pk, now=T0).status == OutboxStatus.DELIVERED
    (sent,) = mail.outbox
    assert sent.to == ["cong.dan@example.vn"]
    assert sent.subject == "Hồ sơ H56.1 đã được tiếp nhận"
    assert sent.from_email == "Một cửa <motcua@thanhhoa.gov.vn>"
    assert sent.alternatives[0][1] == "text/html"
    message_id = sent.message()["Message-ID"]
    assert message_id == email_message_id("H56.1:received:email")
    assert message_id.endswith("@thanhhoa.gov.vn>")
    assert email_message_id("other") != message_id


def test_email_without_recipient_fails_at_once(db):
    message = outbox_deliver(enqueue(to=[]).pk, now=T0)
    assert message.status == OutboxStatus.FAILED
    assert message.last_error == "The e-mail has no recipient."
    assert mail.outbox == []


def test_smtp_refusal_is_retried(db, monkeypatch):
    monkeypatch.setenv("EMAIL_URL", "smtp://127.0.0.1:1")  # nothing listens on port 1
    message = outbox_deliver(enqueue().pk, now=T0)
    assert message.status == OutboxStatus.PENDING
    assert message.last_error.startswith("ConnectionRefusedError")


def test_email_url(monkeypatch):
    monkeypatch.setenv("EMAIL_URL", "smtp+tls://user%40x:p%3Ass@mail.example.vn:587")
    smtp = mail_connection()
    assert (smtp.host, smtp.port, smtp.username, smtp.password) == (
        "mail.example.vn",
        587,
        "user@x",
        "p:ss",
    )
    assert smtp.use_tls and not smtp.use_ssl and smtp.timeout == 5
    monkeypatch.setenv("EMAIL_URL", "smtps://mail.example.vn")
    assert mail_connection().use_ssl and mail_connection().port == 465
    monkeypatch.setenv("EMAIL_URL", "console:")
    assert type(mail_connection()).__module__ + ".EmailBackend" == CONSOLE_BACKEND
    monkeypatch.setenv("EMAIL_URL", "pigeon://x")
    with pytest.raises(ImproperEnvironment):
        mail_connection()
