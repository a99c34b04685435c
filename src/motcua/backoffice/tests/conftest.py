from __future__ import annotations

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from motcua.dossiers.tests.conftest import applicant_user, c1_staff, c2_staff, catalogue  # noqa: F401


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
def desk(tree):
    return tree.c1_units["pvhcc"]
