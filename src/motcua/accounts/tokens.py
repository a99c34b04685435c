"""Bearer tokens for officials and API clients (``Authorization: Bearer mc_<prefix>_<secret>``).

A token is made once and shown once; only its SHA-256 is stored. It is found by its prefix
(indexed) and checked by a constant-time comparison of digests, so neither the database nor a
timing difference gives it away. ``last_used_at`` is written at most once a minute.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.accounts.models import ApiToken, User

SCHEME = "mc"
PREFIX_LENGTH = 8
TOUCH_INTERVAL = dt.timedelta(minutes=1)
_ATTEMPTS = 5


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_prefix(raw: str) -> str | None:
    """The prefix of a well-formed token (``mc_<8 hex>_<secret>``), otherwise None."""
    head = f"{SCHEME}_"
    if not raw.startswith(head):
        return None
    prefix, sep, secret = raw[len(head) :].partition("_")
    if not sep or not secret or len(prefix) != PREFIX_LENGTH:
        return None
    if any(ch not in "0123456789abcdef" for ch in prefix):
        return None
    return prefix


def token_create(*, user: User, name: str = "", expires_at: dt.datetime | None = None) -> str:
    """Make a token for ``user`` and return it: the only time it is ever visible."""
    for _attempt in range(_ATTEMPTS):
        prefix = secrets.token_hex(PREFIX_LENGTH // 2)
        raw = f"{SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
        try:
            with transaction.atomic():
                ApiToken.objects.create(
                    user=user,
                    name=name[:100],
                    prefix=prefix,
                    digest=token_digest(raw),
                    expires_at=expires_at,
                )
        except IntegrityError:  # the same random prefix twice: draw again
            continue
        return raw
    raise RuntimeError("could not draw a unique token prefix")


def token_revoke(*, token: ApiToken, at: dt.datetime | None = None) -> ApiToken:
    """Revoke ``token`` from now on (idempotent: a revoked token keeps its first date)."""
    if token.revoked_at is None:
        token.revoked_at = at or timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_authenticate(raw: str, *, now: dt.datetime | None = None) -> User | None:
    """The active user ``raw`` belongs to, or None (malformed, unknown, wrong secret, revoked,
    expired, or the user deactivated)."""
    prefix = token_prefix(raw.strip())
    if prefix is None:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    # Compare even when nothing was found, so that an unknown prefix takes the same time.
    expected = token.digest if token is not None else token_digest("")
    if not hmac.compare_digest(expected, token_digest(raw.strip())) or token is None:
        return None
    now = now or timezone.now()
    if not token.is_usable(now) or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
