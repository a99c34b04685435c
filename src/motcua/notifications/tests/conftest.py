from __future__ import annotations

import datetime as dt

import pytest

from motcua.accounts.tests.mfa import admin_client  # noqa: F401  (signed in with a code)
from motcua.notifications.services import outbox
from motcua.notifications.tests.receiver import Receiver

T0 = dt.datetime(2030, 1, 7, 1, 0, tzinfo=dt.UTC)  # a fixed "now", later than any created row


@pytest.fixture(autouse=True)
def outbox_env(monkeypatch):
    """Exact delays (no jitter) and short leases in every test of this app."""
    monkeypatch.setenv("MOTCUA_OUTBOX_JITTER_PERCENT", "0")
    monkeypatch.setenv("MOTCUA_OUTBOX_BACKOFF_BASE", "30")
    monkeypatch.setenv("MOTCUA_OUTBOX_BACKOFF_CAP", "3600")
    monkeypatch.setenv("MOTCUA_OUTBOX_MAX_ATTEMPTS", "8")
    monkeypatch.setenv("MOTCUA_OUTBOX_LEASE", "60")
    monkeypatch.setenv("MOTCUA_OUTBOX_TIMEOUT", "5")
    monkeypatch.delenv("MOTCUA_OUTBOX_CRASH_AT", raising=False)
    monkeypatch.delenv("EMAIL_URL", raising=False)


class Effect:
    """A handler for the test topic: records each call and fails while told to."""

    topic = "test.effect"

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []
        self.failures: list[Exception] = []

    def __call__(self, message) -> None:
        self.calls.append((message.idempotency_key, message.payload))
        if self.failures:
            raise self.failures.pop(0)


@pytest.fixture
def effect():
    handler = Effect()
    outbox.register_handler(Effect.topic, handler)
    yield handler
    outbox._HANDLERS.pop(Effect.topic, None)


@pytest.fixture
def receiver():
    server = Receiver(secret="s3cret-for-tests").start()
    yield server
    server.stop()
