"""Fixed-window rate limits kept in Django's cache (Redis in production, local memory
otherwise), and the client address they are counted per.

    rate = parse_rate("30/m")
    decision = hit(f"lookup:{client_ip(request)}", rate)
    if not decision.allowed:
        ...  # 429 with Retry-After: decision.retry_after

A window is aligned on multiples of its length (``30/m`` counts per clock minute). With a
local-memory cache each server process counts on its own; use Redis (``REDIS_URL``) when
several processes serve requests.
"""

from __future__ import annotations

import ipaddress
import math
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*(s|sec|m|min|h|hour|d|day)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Rate:
    limit: int
    seconds: int


@dataclass(frozen=True)
class Decision:
    allowed: bool
    count: int
    limit: int
    retry_after: int  # seconds until the window resets


def parse_rate(text: str) -> Rate:
    """``"30/m"``, ``"10/min"``, ``"100/h"``, ``"5/10s"`` → Rate(limit, seconds)."""
    match = _RATE.match(text or "")
    if not match:
        raise ValueError(f"invalid rate {text!r}; expected e.g. '30/m', '100/h' or '5/10s'")
    limit, multiple, unit = match.groups()
    seconds = int(multiple or 1) * _UNITS[unit[0].lower()]
    if seconds <= 0:
        raise ValueError(f"invalid rate {text!r}: the period must be positive")
    return Rate(limit=int(limit), seconds=seconds)


def _window(key: str, rate: Rate, now: float) -> tuple[str, int]:
    window = int(now // rate.seconds)
    retry = max(1, math.ceil((window + 1) * rate.seconds - now))
    return f"ratelimit:{key}:{rate.seconds}:{window}", retry


def hit(key: str, rate: Rate, *, cost: int = 1, now: float | None = None) -> Decision:
    """Count ``cost`` against ``key`` in the current window; allowed while within the limit."""
    now = time.time() if now is None else now
    cache_key, retry = _window(key, rate, now)
    cache.add(cache_key, 0, timeout=rate.seconds + 1)
    try:
        count = cache.incr(cache_key, cost)
    except ValueError:  # the window expired between add and incr
        cache.set(cache_key, cost, timeout=rate.seconds + 1)
        count = cost
    return Decision(count <= rate.limit, count, rate.limit, retry)


def peek(key: str, rate: Rate, *, now: float | None = None) -> Decision:
    """Whether ``key`` is still within the limit, without counting anything."""
    now = time.time() if now is None else now
    cache_key, retry = _window(key, rate, now)
    count = cache.get(cache_key, 0)
    return Decision(count < rate.limit, count, rate.limit, retry)


def _trusted(address: str, networks: list) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


def _networks(entries) -> list:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(str(entry).strip(), strict=False))
        except ValueError:
            continue
    return networks


def client_ip(request) -> str:
    """The address requests are counted per: ``REMOTE_ADDR``, or — when that peer is one of
    ``MOTCUA_TRUSTED_PROXIES`` (addresses or networks) — the right-most address of
    ``X-Forwarded-For`` that is not itself a trusted proxy."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    networks = _networks(getattr(settings, "MOTCUA_TRUSTED_PROXIES", []) or [])
    if not networks or not _trusted(remote, networks):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for address in reversed([part.strip() for part in forwarded.split(",") if part.strip()]):
        if not _trusted(address, networks):
            try:
                return str(ipaddress.ip_address(address))
            except ValueError:
                return remote  # garbage from the client side of the proxy: do not trust it
    return remote
