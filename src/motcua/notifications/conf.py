"""Outbox tuning, read from the environment (``config/env.py`` documents each variable).

Read on every call rather than at import: the values are cheap to read, and tests and the
worker command can change them without reloading settings.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import dataclass

from django.conf import settings

from motcua.config.env import ImproperEnvironment, env

logger = logging.getLogger("motcua.notifications")

MODES = ("thread", "celery", "external")
CRASH_POINTS = ("after_claim", "after_send_before_mark")
CRASH_EXIT_CODE = 70


@dataclass(frozen=True)
class OutboxConfig:
    mode: str
    max_attempts: int
    backoff_base: dt.timedelta
    backoff_cap: dt.timedelta
    jitter: float  # fraction of a delay that may be taken off at random
    lease: dt.timedelta
    poll_interval: float
    batch: int
    timeout: float


def outbox_config() -> OutboxConfig:
    mode = env("MOTCUA_OUTBOX_MODE").strip().lower()
    if mode == "auto":
        mode = "celery" if env("REDIS_URL") else "thread"
    if mode not in MODES:
        raise ImproperEnvironment(
            f"MOTCUA_OUTBOX_MODE must be auto, {', '.join(MODES)}; got {mode!r}"
        )
    if mode == "celery" and not env("REDIS_URL"):
        raise ImproperEnvironment("MOTCUA_OUTBOX_MODE=celery needs REDIS_URL (the broker)")
    jitter = env("MOTCUA_OUTBOX_JITTER_PERCENT")
    if not 0 <= jitter <= 100:
        raise ImproperEnvironment("MOTCUA_OUTBOX_JITTER_PERCENT must be between 0 and 100")
    return OutboxConfig(
        mode=mode,
        max_attempts=max(1, env("MOTCUA_OUTBOX_MAX_ATTEMPTS")),
        backoff_base=dt.timedelta(seconds=max(0, env("MOTCUA_OUTBOX_BACKOFF_BASE"))),
        backoff_cap=dt.timedelta(seconds=max(0, env("MOTCUA_OUTBOX_BACKOFF_CAP"))),
        jitter=jitter / 100,
        lease=dt.timedelta(seconds=max(1, env("MOTCUA_OUTBOX_LEASE"))),
        poll_interval=float(max(1, env("MOTCUA_OUTBOX_POLL_INTERVAL"))),
        batch=max(1, env("MOTCUA_OUTBOX_BATCH")),
        timeout=float(max(1, env("MOTCUA_OUTBOX_TIMEOUT"))),
    )


def crash_point(name: str) -> None:
    """Test hook for the crash-recovery proof: exit abruptly (no cleanup, no commit of
    anything still open) when ``MOTCUA_OUTBOX_CRASH_AT`` names this point. Never in production.
    """
    if env("MOTCUA_OUTBOX_CRASH_AT") == name and not settings.PRODUCTION:
        logger.warning("outbox: simulated crash at %s", name)
        os._exit(CRASH_EXIT_CODE)
