"""The worker loop, the command, the Celery tasks and the mode switch."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest
from django.core.management import call_command
from django.db import transaction

from motcua.config.env import ImproperEnvironment
from motcua.notifications.choices import OutboxStatus
from motcua.notifications.conf import outbox_config
from motcua.notifications.models import OutboxMessage
from motcua.notifications.services import worker
from motcua.notifications.services.outbox import outbox_enqueue
from motcua.notifications.services.worker import drain, run_worker, start_background_worker


def enqueue_many(n: int) -> list[OutboxMessage]:
    with transaction.atomic():
        return [
            outbox_enqueue(topic="test.effect", payload={"i": i}, key=f"k{i}") for i in range(n)
        ]


def test_run_once_delivers_everything_due_in_batches(db, effect):
    enqueue_many(5)
    assert run_worker(once=True, batch=2) == 5
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"delivered"}
    assert sorted(key for key, _ in effect.calls) == [f"k{i}" for i in range(5)]
    assert run_worker(once=True) == 0


def test_failed_tries_wait_for_their_backoff(db, effect):
    effect.failures = [ConnectionError("down")]
    enqueue_many(1)
    assert run_worker(once=True) == 1  # tried once, next try in 30 s: not due now
    assert OutboxMessage.objects.get().status == OutboxStatus.PENDING


def test_the_command(db, effect, capsys):
    enqueue_many(2)
    call_command("outbox_worker", "--once")
    assert "2 message(s) tried" in capsys.readouterr().out
    assert len(effect.calls) == 2


def test_a_stop_request_finishes_the_current_message_and_hands_back_the_rest(db, effect):
    stop = threading.Event()
    enqueue_many(3)

    def stop_after_first(message):
        effect(message)
        stop.set()  # SIGTERM arrives while the first message is being sent

    from motcua.notifications.services import outbox

    outbox.register_handler("test.effect", stop_after_first)
    assert drain(batch=3, stop=stop) == 1
    statuses = dict(OutboxMessage.objects.values_list("idempotency_key", "status"))
    assert statuses == {"k0": "delivered", "k1": "pending", "k2": "pending"}
    handed_back = OutboxMessage.objects.filter(status="pending")
    assert set(handed_back.values_list("attempts", flat=True)) == {0}


def test_celery_tasks_wrap_the_services(db, effect, monkeypatch):
    from motcua.notifications import tasks

    (first, *_rest) = enqueue_many(3)
    tasks.deliver_message(first.pk)
    tasks.deliver_message(first.pk)  # idempotent: a second run finds nothing to do
    assert effect.calls == [("k0", {"i": 0})]
    chained = []
    monkeypatch.setattr(tasks.sweep_outbox, "apply_async", lambda **kw: chained.append(kw))
    monkeypatch.setenv("MOTCUA_OUTBOX_BATCH", "1")
    assert tasks.sweep_outbox() == 1
    assert chained == [{"retry": False}]  # a full batch: the next sweep follows at once
    monkeypatch.setenv("MOTCUA_OUTBOX_BATCH", "5")
    assert tasks.sweep_outbox() == 1
    assert len(chained) == 1
    assert len(effect.calls) == 3


def test_celery_is_not_eager_and_beat_sweeps():
    from motcua.config.celery import app

    assert app.conf.task_always_eager is False
    schedule = app.conf.beat_schedule["outbox-sweep"]
    assert schedule["task"] == "motcua.notifications.sweep_outbox"
    assert schedule["schedule"] == 15.0


def test_dispatch_gives_up_fast_when_the_broker_is_down():
    # In its own process: the Celery app reads REDIS_URL once, when it is created.
    script = (
        "import time, django; django.setup()\n"
        "from motcua.notifications.services import outbox\n"
        "assert outbox._dispatcher.__name__ == 'dispatch_delivery'\n"
        "t = time.monotonic(); outbox._dispatch(1); print(round(time.monotonic() - t, 1))\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "motcua.config.settings",
        "REDIS_URL": "redis://127.0.0.1:1/0",  # nothing listens there
        "MOTCUA_OUTBOX_MODE": "auto",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert float(result.stdout.strip()) < 3
    assert "could not dispatch message 1; the sweep will" in result.stderr


def test_modes(monkeypatch):
    monkeypatch.setenv("MOTCUA_OUTBOX_MODE", "auto")
    monkeypatch.setenv("REDIS_URL", "")
    assert outbox_config().mode == "thread"
    monkeypatch.setenv("REDIS_URL", "redis://r:6379/0")
    assert outbox_config().mode == "celery"
    monkeypatch.setenv("MOTCUA_OUTBOX_MODE", "external")
    assert outbox_config().mode == "external"
    monkeypatch.setenv("MOTCUA_OUTBOX_MODE", "cron")
    with pytest.raises(ImproperEnvironment):
        outbox_config()
    monkeypatch.setenv("MOTCUA_OUTBOX_MODE", "celery")
    monkeypatch.setenv("REDIS_URL", "")
    with pytest.raises(ImproperEnvironment):
        outbox_config()


def test_no_background_thread_in_tests(monkeypatch):
    monkeypatch.setenv("MOTCUA_OUTBOX_MODE", "thread")
    assert start_background_worker() is False
    assert worker._thread is None
