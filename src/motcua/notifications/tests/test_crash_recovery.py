"""The issue's proof: "A worker killed after commit and before delivery delivers after restart,
and the receiver sees the effect once."

Workers run as real separate processes (``motcua manage outbox_worker --once``) that exit
abruptly (``os._exit``) at a named point, against this test's database:

- PostgreSQL: the subprocess connects to the test database itself.
- SQLite: the test database lives in memory, which another process cannot open; it is copied
  to a file for each worker run and copied back afterwards (the SQLite backup API), so the
  worker reads and writes exactly what the test wrote. Runs never overlap.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection, transaction
from django.utils import timezone

from motcua.notifications.choices import OutboxStatus
from motcua.notifications.conf import CRASH_EXIT_CODE
from motcua.notifications.models import OutboxMessage, WebhookSubscription
from motcua.notifications.services.outbox import outbox_claim_due
from motcua.notifications.services.webhooks import webhook_fanout

LEASE_SECONDS = 1


class SharedDatabase:
    """This test's database, opened by worker processes."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "motcua.config.settings",
            "MOTCUA_DATA_DIR": str(directory),
            "MOTCUA_OUTBOX_MODE": "external",
            "MOTCUA_OUTBOX_LEASE": str(LEASE_SECONDS),
            "MOTCUA_OUTBOX_JITTER_PERCENT": "0",
            "MOTCUA_OUTBOX_CRASH_AT": "",
        }
        settings = connection.settings_dict
        self.copy = connection.vendor == "sqlite" and connection.is_in_memory_db()
        if self.copy:
            self.env["DATABASE_URL"] = ""  # settings: $MOTCUA_DATA_DIR/motcua.sqlite3
            self.file = directory / "motcua.sqlite3"
        elif connection.vendor == "sqlite":
            self.env["DATABASE_URL"] = f"sqlite:///{settings['NAME']}"
        elif connection.vendor == "postgresql":
            credentials = quote(settings["USER"] or "", safe="")
            if settings["PASSWORD"]:
                credentials += ":" + quote(settings["PASSWORD"], safe="")
            host = settings["HOST"] or ""
            port = f":{settings['PORT']}" if settings["PORT"] else ""
            at = "@" if credentials or host else ""
            self.env["DATABASE_URL"] = (
                f"postgres://{credentials}{at}{host}{port}/{settings['NAME']}"
            )
        else:  # pragma: no cover
            pytest.skip(f"no cross-process set-up for {connection.vendor}")

    def _to_file(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.file}{suffix}").unlink(missing_ok=True)
        connection.ensure_connection()
        target = sqlite3.connect(self.file)
        try:
            connection.connection.backup(target)
        finally:
            target.close()

    def _from_file(self) -> None:
        source = sqlite3.connect(self.file)
        try:
            source.backup(connection.connection)
        finally:
            source.close()

    def run(self, args: list[str], **env: str) -> subprocess.CompletedProcess:
        if self.copy:
            self._to_file()
        try:
            return subprocess.run(
                [sys.executable, *args],
                env={**self.env, **env},
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
        finally:
            if self.copy:
                self._from_file()

    def worker(self, *, crash_at: str = "") -> subprocess.CompletedProcess:
        return self.run(
            ["-m", "motcua.cli", "manage", "outbox_worker", "--once"],
            MOTCUA_OUTBOX_CRASH_AT=crash_at,
        )


@pytest.fixture
def shared_db(transactional_db, tmp_path):
    return SharedDatabase(tmp_path)


def publish(receiver) -> OutboxMessage:
    WebhookSubscription.objects.create(
        name="Receiver", url=receiver.url, secret=receiver.secret, topics="*"
    )
    with transaction.atomic():  # the event's transaction commits here
        (message,) = webhook_fanout(
            topic="dossier.received", payload={"code": "H56.1"}, key="H56.1:received"
        )
    return message


def wait_for_lease_to_expire(message: OutboxMessage) -> None:
    time.sleep(max(0.0, (message.lease_until - timezone.now()).total_seconds()) + 0.05)


def test_worker_killed_after_claim_delivers_after_restart_once(shared_db, receiver):
    message = publish(receiver)

    crashed = shared_db.worker(crash_at="after_claim")
    assert crashed.returncode == CRASH_EXIT_CODE, crashed.stderr
    message.refresh_from_db()
    assert message.status == OutboxStatus.DELIVERING and message.attempts == 1
    assert receiver.requests == []
    # While the dead worker's lease lasts, nobody takes the message …
    just_before = message.lease_until - timezone.timedelta(milliseconds=1)
    assert outbox_claim_due(now=just_before, limit=10) == []

    # … after it, a restarted worker does.
    wait_for_lease_to_expire(message)
    restarted = shared_db.worker()
    assert restarted.returncode == 0, restarted.stderr
    message.refresh_from_db()
    assert message.status == OutboxStatus.DELIVERED and message.attempts == 2
    assert len(receiver.requests) == 1
    assert receiver.applied_count(message.idempotency_key) == 1


def test_worker_killed_after_sending_is_applied_once_thanks_to_the_key(shared_db, receiver):
    message = publish(receiver)

    crashed = shared_db.worker(crash_at="after_send_before_mark")
    assert crashed.returncode == CRASH_EXIT_CODE, crashed.stderr
    message.refresh_from_db()
    assert message.status == OutboxStatus.DELIVERING  # sent, but not recorded as sent
    assert len(receiver.requests) == 1

    wait_for_lease_to_expire(message)
    restarted = shared_db.worker()
    assert restarted.returncode == 0, restarted.stderr
    message.refresh_from_db()
    assert message.status == OutboxStatus.DELIVERED and message.attempts == 2
    # The receiver was called twice with the same key and body, and applied the effect once.
    first, second = receiver.requests
    assert first["headers"]["Idempotency-Key"] == second["headers"]["Idempotency-Key"]
    assert first["body"] == second["body"]
    assert receiver.applied_count(message.idempotency_key) == 1


EMBEDDED_WEB_PROCESS = """
import time, django
django.setup()
from django.core.signals import request_started
from django.db import transaction
from motcua.notifications.models import OutboxMessage
from motcua.notifications.services.webhooks import webhook_fanout

request_started.send(sender=None)  # the first request starts the delivery thread
deadline = time.monotonic() + 30

def wait_until_all_delivered():
    while OutboxMessage.objects.exclude(status="delivered").exists():
        assert time.monotonic() < deadline, "not delivered"
        time.sleep(0.05)

wait_until_all_delivered()  # left over from before the restart
with transaction.atomic():
    webhook_fanout(topic="dossier.returned", payload={}, key="H56.1:returned")
wait_until_all_delivered()  # woken by the commit, long before the 60 s poll
print("delivered")
"""


def test_embedded_mode_delivers_what_a_dead_web_process_left(shared_db, receiver):
    message = publish(receiver)
    crashed = shared_db.worker(crash_at="after_claim")  # the web process dies holding it
    assert crashed.returncode == CRASH_EXIT_CODE
    message.refresh_from_db()
    wait_for_lease_to_expire(message)

    web = shared_db.run(
        ["-c", EMBEDDED_WEB_PROCESS],
        MOTCUA_OUTBOX_MODE="thread",
        MOTCUA_OUTBOX_POLL_INTERVAL="60",
    )
    assert web.returncode == 0, web.stderr
    assert web.stdout.strip() == "delivered"
    assert [r["json"]["topic"] for r in receiver.requests] == [
        "dossier.received",
        "dossier.returned",
    ]
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"delivered"}
