"""``motcua manage outbox_worker [--once]``: deliver outbox messages from a separate process.

Use it with ``MOTCUA_OUTBOX_MODE=external`` (or to drain the outbox by hand with ``--once``).
SIGTERM and SIGINT stop it gracefully: the message being sent is finished and recorded, the
rest of the claimed batch is handed back.
"""

from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand

from motcua.notifications.services.worker import run_worker


class Command(BaseCommand):
    help = "Deliver due outbox messages (notifications, webhooks, sync) with retries."

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="deliver what is due now, then exit"
        )
        parser.add_argument("--batch", type=int, help="messages claimed at a time")
        parser.add_argument("--poll-interval", type=float, help="seconds between sweeps")

    def handle(self, *args, once: bool, batch: int | None, poll_interval: float | None, **opts):
        stop = threading.Event()

        def request_stop(signum, frame):
            self.stderr.write(f"outbox_worker: {signal.Signals(signum).name}, stopping")
            stop.set()

        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, request_stop)
        tried = run_worker(once=once, batch=batch, poll_interval=poll_interval, stop=stop)
        if opts["verbosity"] > 0:
            self.stdout.write(f"outbox_worker: {tried} message(s) tried")
