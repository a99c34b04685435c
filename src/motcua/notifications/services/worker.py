"""Outbox workers: the loop shared by every mode, and the embedded background thread.

- ``thread`` (embedded default): one daemon thread per web process, started at the first
  request and woken after each commit that enqueued something; it also sweeps every poll
  interval for retries and for messages left behind by a process that died.
- ``external``: ``motcua manage outbox_worker`` runs ``run_worker`` in its own process.
- ``celery``: ``tasks.deliver_message`` after commit and ``tasks.sweep_outbox`` from beat.

Never started by the test environment: tests call the worker explicitly.
"""

from __future__ import annotations

import logging
import os
import threading

from django import db
from django.core import mail
from django.utils import timezone

from motcua.notifications.conf import crash_point, outbox_config
from motcua.notifications.services.outbox import (
    outbox_attempt,
    outbox_claim_due,
    outbox_release,
)

logger = logging.getLogger("motcua.notifications")


def drain(*, batch: int, stop: threading.Event | None = None) -> int:
    """Claim and try due messages, ``batch`` at a time, until none is due; return the count."""
    tried = 0
    while stop is None or not stop.is_set():
        claimed = outbox_claim_due(limit=batch)
        if not claimed:
            break
        crash_point("after_claim")
        for index, message in enumerate(claimed):
            if stop is not None and stop.is_set():
                for rest in claimed[index:]:
                    outbox_release(message=rest)
                return tried
            if message.lease_until is not None and timezone.now() >= message.lease_until:
                continue  # held too long behind slow sends: another worker may have it now
            outbox_attempt(message=message)
            tried += 1
    return tried


def run_worker(
    *,
    once: bool = False,
    poll_interval: float | None = None,
    batch: int | None = None,
    stop: threading.Event | None = None,
    wake: threading.Event | None = None,
) -> int:
    """Deliver due messages; with ``once``, until none is due, else until ``stop`` is set,
    sleeping ``poll_interval`` seconds (or until ``wake``) between sweeps. Returns the tries."""
    config = outbox_config()
    poll_interval = poll_interval or config.poll_interval
    batch = batch or config.batch
    stop = stop or threading.Event()
    tried = 0
    while not stop.is_set():
        if once:
            return drain(batch=batch, stop=stop)
        db.close_old_connections()
        try:
            tried += drain(batch=batch, stop=stop)
        except Exception:
            # The database or a handler bug; keep the process alive and try again later.
            logger.exception("outbox: worker sweep failed")
            db.connections.close_all()
        if wake is not None:
            wake.wait(poll_interval)
            wake.clear()
        else:
            stop.wait(poll_interval)
    return tried


# --- The embedded background thread ----------------------------------------------------------

_lock = threading.Lock()
_wake = threading.Event()
_thread: threading.Thread | None = None
_thread_pid: int | None = None


def _in_test_environment() -> bool:
    # Django's setup_test_environment() (run by pytest-django and the test runner) adds it.
    return hasattr(mail, "outbox")


def _background_main() -> None:
    try:
        run_worker(wake=_wake)
    finally:
        db.connections.close_all()


def start_background_worker() -> bool:
    """Start this process's delivery thread unless running, not in thread mode, or in tests."""
    global _thread, _thread_pid
    if _in_test_environment() or outbox_config().mode != "thread":
        return False
    with _lock:
        if _thread is not None and _thread.is_alive() and _thread_pid == os.getpid():
            return True
        _thread = threading.Thread(target=_background_main, name="motcua-outbox", daemon=True)
        _thread_pid = os.getpid()
        _thread.start()
    logger.info("outbox: background delivery thread started in process %s", _thread_pid)
    return True


def wake_background_worker(message_id: int | None = None) -> None:
    """After a commit: let the thread sweep now instead of at its next poll."""
    _wake.set()
