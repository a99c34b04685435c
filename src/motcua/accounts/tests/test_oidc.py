"""Signing in through the identity provider (issue 4, item 1: a generic OpenID Connect login
configurable for a VNeID-style provider), end to end over HTTP against a local provider that
speaks the protocol (fake_oidc.py), and the profile it fills."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount

from motcua.accounts.models import User
from motcua.accounts.services import user_profile_update
from motcua.accounts.tests.fake_oidc import FakeOidcProvider
from motcua.core.errors import ValidationFailed

CLAIMS = {
    "sub": "vneid-7c1f",
    "name": "Lê Thị Hoa",
    "birthdate": "1990-05-12",
    "citizen_id": "038190000123",  # MOTCUA_OIDC_ID_NUMBER_CLAIM's default
    "phone_number": "+84912345678",
    "phone_number_verified": True,
    "email": "hoa@example.vn",
    "email_verified": True,
}


@pytest.fixture
def provider(settings, db):
    with FakeOidcProvider(client_id="motcua-test", client_secret="s3cret", claims=CLAIMS) as fake:
        settings.SOCIALACCOUNT_PROVIDERS = {
            "openid_connect": {
                "APPS": [
                    {
                        "provider_id": "vneid",
                        "name": "VNeID",
                        "client_id": "motcua-test",
                        "secret": "s3cret",
                        "settings": {"server_url": fake.url},
                    }
                ]
            }
        }
        yield fake


def _sign_in(client, provider) -> requests.Response | None:
    """Click the VNeID button, let the provider answer, come back to the callback."""
    start = client.post("/tai-khoan/oidc/vneid/login/")
    assert start.status_code == 302, start.content[:500]
    authorize = start["Location"]
    assert authorize.startswith(provider.url + "/authorize?")
    query = parse_qs(urlsplit(authorize).query)
    assert query["redirect_uri"][0].endswith("/tai-khoan/oidc/vneid/login/callback/")
    assert query["state"] and "openid" in query["scope"][0].split()
    answer = requests.get(authorize, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    back = urlsplit(answer.headers["Location"])
    return client.get(f"{back.path}?{back.query}")


def test_first_sign_in_creates_the_account_with_the_verified_identity(client, provider):
    response = _sign_in(client, provider)
    assert response.status_code == 302, response.content[:1000]
    user = User.objects.get(email="hoa@example.vn")
    assert (user.full_name, user.id_number, user.date_of_birth) == (
        "Lê Thị Hoa",
        "038190000123",
        dt.date(1990, 5, 12),
    )
    assert (user.phone, user.phone_verified) == ("+84912345678", True)
    assert user.identity_verified_by == "VNeID" and user.identity_verified_at is not None
    assert SocialAccount.objects.get(user=user).uid == "vneid-7c1f"
    # the provider was used as the protocol says: discovery, authorize, token, userinfo
    paths = [path for _method, path in provider.log]
    assert paths[0] == "/.well-known/openid-configuration"
    assert ("POST", "/token") in provider.log and ("GET", "/userinfo") in provider.log
    # signed in: the profile shows the verified fields read-only
    page = client.get("/tai-khoan/ho-so/").content.decode()
    assert 'name="full_name"' in page and "disabled" in page
    assert "Do VNeID cung cấp" in page


def test_a_later_sign_in_refreshes_the_identity_and_the_profile_cannot_override_it(
    client, provider
):
    _sign_in(client, provider)
    client.logout()
    provider.claims["name"] = "Lê Thị Thu Hoa"  # a name corrected in the national database
    response = _sign_in(client, provider)
    assert response.status_code == 302
    user = User.objects.get(email="hoa@example.vn")
    assert user.full_name == "Lê Thị Thu Hoa"
    assert User.objects.count() == 1
    # the form ignores a changed name (disabled field) ...
    client.post(
        "/tai-khoan/ho-so/",
        {"full_name": "Ai Đó", "id_number": "001200000001", "address": "Số 2 Hạc Thành"},
    )
    user.refresh_from_db()
    assert (user.full_name, user.id_number, user.address) == (
        "Lê Thị Thu Hoa",
        "038190000123",
        "Số 2 Hạc Thành",
    )
    # ... and the service refuses it outright
    with pytest.raises(ValidationFailed) as info:
        user_profile_update(user=user, data={"full_name": "Ai Đó"})
    assert info.value.code == "identity_verified"


def test_cancelling_at_the_provider_creates_nothing(client, provider):
    provider.deny = True
    response = _sign_in(client, provider)
    assert response.status_code in (200, 302)
    assert not User.objects.exists()
    assert "_auth_user_id" not in client.session


def test_a_forged_callback_is_refused(client, provider):
    client.post("/tai-khoan/oidc/vneid/login/")
    response = client.get("/tai-khoan/oidc/vneid/login/callback/?code=guess&state=forged")
    assert response.status_code == 401
    assert not User.objects.exists()
    assert "_auth_user_id" not in client.session
    assert ("POST", "/token") not in provider.log  # nothing exchanged for a forged state


def test_an_identity_number_held_by_another_account_is_not_taken_over(client, provider):
    User.objects.create_user(username="first", email="first@example.vn", id_number="038190000123")
    response = _sign_in(client, provider)
    assert response.status_code == 302
    user = User.objects.get(email="hoa@example.vn")
    assert user.id_number == ""  # left out (and logged); the sign-in goes on
    assert user.full_name == "Lê Thị Hoa"
