"""Signing in with a second factor in tests. Officials, superusers and the admin's staff must
have confirmed their session with a code before the back office, the admin or the API's session
authentication lets them act (issue 5, ``accounts.security``)."""

from __future__ import annotations

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    generate_totp_secret,
    yield_hotp_counters_from_time,
)


def with_totp(user) -> str:
    """Give ``user`` a TOTP authenticator; returns its secret."""
    secret = generate_totp_secret()
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, secret)
    return secret


def mfa_login(client, user) -> None:
    """Signed in as after a password and a TOTP code (what allauth records in the session)."""
    with_totp(user)
    client.force_login(user)
    session = client.session
    now = time.time()
    session["account_authentication_methods_user"] = str(user.pk)
    session["account_authentication_methods"] = [
        {"method": "password", "at": now},
        {"method": "mfa", "at": now, "type": "totp"},
    ]
    session.save()


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's ``admin_client``, signed in with a code: import it into a test module to
    use it there."""
    mfa_login(client, admin_user)
    return client


_USED_COUNTERS: dict[str, int] = {}


def wait_for_a_fresh_totp_window(margin: float = 3.0) -> None:
    """Sleep into the next 30-second TOTP window when the current one ends within ``margin``
    seconds, so that a code computed now is still current when the server checks it."""
    left = 30 - time.time() % 30
    if left < margin:
        time.sleep(left + 0.2)


def fresh_totp_counter(secret: str) -> int:
    """The TOTP counter to sign in with: allauth accepts the current 30-second window only and
    refuses a code already used in it (replay), so wait for the next window when this secret
    used the current one, or when it ends within two seconds."""
    counter = next(yield_hotp_counters_from_time())
    if _USED_COUNTERS.get(secret) == counter:
        time.sleep(30 - time.time() % 30 + 0.2)
    else:
        wait_for_a_fresh_totp_window(2.0)
    counter = next(yield_hotp_counters_from_time())
    _USED_COUNTERS[secret] = counter
    return counter
