"""Bearer tokens: made once and shown once, stored as a SHA-256, checked by prefix and
constant-time comparison, revocable, expiring; and the ``motcua token`` command."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from motcua.accounts.models import ApiToken
from motcua.accounts.tokens import (
    token_authenticate,
    token_create,
    token_prefix,
    token_revoke,
)
from motcua.org.tests.factories import UserFactory

TOKEN = re.compile(r"^mc_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$")


@pytest.fixture
def user(db):
    return UserFactory(username="officer")


def test_a_token_is_shown_once_and_only_its_digest_is_stored(user):
    raw = token_create(user=user, name="tích hợp")
    assert TOKEN.match(raw)
    row = ApiToken.objects.get()
    assert row.prefix == raw[3:11]
    assert row.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {row.digest, row.prefix, row.name}
    assert token_authenticate(raw) == user


def test_last_use_is_written_at_most_once_a_minute(user):
    raw = token_create(user=user)
    start = timezone.now()
    token_authenticate(raw, now=start)
    assert ApiToken.objects.get().last_used_at == start
    token_authenticate(raw, now=start + dt.timedelta(seconds=30))
    assert ApiToken.objects.get().last_used_at == start
    later = start + dt.timedelta(seconds=61)
    token_authenticate(raw, now=later)
    assert ApiToken.objects.get().last_used_at == later


@pytest.mark.parametrize(
    "mangle",
    [
        lambda raw: raw[:-1] + ("A" if raw[-1] != "A" else "B"),  # wrong secret
        lambda raw: "mc_ffffffff_" + raw[12:],  # unknown prefix
        lambda raw: raw[3:],  # no scheme
        lambda raw: "mc_XYZ_abc",  # malformed
        lambda raw: "",
    ],
)
def test_a_wrong_token_is_refused(user, mangle):
    raw = token_create(user=user)
    assert token_authenticate(mangle(raw)) is None


def test_revoked_tokens_are_refused(user):
    raw = token_create(user=user)
    token = ApiToken.objects.get()
    token_revoke(token=token)
    first = token.revoked_at
    assert token_authenticate(raw) is None
    token_revoke(token=token)  # idempotent
    assert ApiToken.objects.get().revoked_at == first


def test_expired_tokens_are_refused(user):
    now = timezone.now()
    raw = token_create(user=user, expires_at=now + dt.timedelta(days=1))
    assert token_authenticate(raw, now=now) == user
    assert token_authenticate(raw, now=now + dt.timedelta(days=1)) is None


def test_tokens_of_deactivated_users_are_refused(user):
    raw = token_create(user=user)
    user.is_active = False
    user.save()
    assert token_authenticate(raw) is None


def test_prefix_parsing():
    assert token_prefix("mc_0123abcd_secret") == "0123abcd"
    assert token_prefix("mc_0123abcd") is None
    assert token_prefix("mc_0123ABCD_secret") is None
    assert token_prefix("xx_0123abcd_secret") is None


# -- over HTTP ------------------------------------------------------------------------------


def _list(client, raw):
    return client.get("/api/v1/dossiers", HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_the_api_accepts_a_valid_token_and_refuses_revoked_and_expired_ones(client, user):
    raw = token_create(user=user)
    assert _list(client, raw).status_code == 200
    token_revoke(token=ApiToken.objects.get())
    response = _list(client, raw)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    expired = token_create(user=user, expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert _list(client, expired).status_code == 401


# -- the command ----------------------------------------------------------------------------


def _run(*args) -> str:
    out = io.StringIO()
    call_command("token", *args, stdout=out)
    return out.getvalue()


def test_create_prints_only_the_token(user):
    out = _run("create", "officer", "--name", "một cửa", "--days", "30")
    raw = out.strip()
    assert out == raw + "\n"
    assert TOKEN.match(raw)
    assert token_authenticate(raw) == user
    token = ApiToken.objects.get()
    assert token.name == "một cửa"
    remaining = token.expires_at - timezone.now()
    assert dt.timedelta(days=29, hours=23) < remaining <= dt.timedelta(days=30)


def test_list_and_revoke(user):
    raw = _run("create", "officer").strip()
    prefix = raw[3:11]
    listing = _run("list", "officer")
    assert prefix in listing and "active" in listing
    assert raw not in listing
    assert _run("revoke", prefix).strip() == f"{prefix} revoked"
    assert token_authenticate(raw) is None
    assert "revoked" in _run("list", "officer")


def test_revoke_accepts_the_whole_token(user):
    raw = _run("create", "officer").strip()
    _run("revoke", raw)
    assert token_authenticate(raw) is None


@pytest.mark.parametrize(
    "args",
    [("create", "nobody"), ("create", "officer", "--days", "0"), ("revoke", "00000000")],
)
def test_command_errors(user, args):
    with pytest.raises(CommandError):
        _run(*args)


def test_the_admin_revokes_tokens(admin_client, user):
    raw = token_create(user=user)
    token = ApiToken.objects.get()
    response = admin_client.post(
        "/admin/accounts/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert token_authenticate(raw) is None
    page = admin_client.get(f"/admin/accounts/apitoken/{token.pk}/change/")
    assert page.status_code == 200
    assert token.digest in page.content.decode()  # shown read-only
    assert admin_client.get("/admin/accounts/apitoken/add/").status_code == 403
