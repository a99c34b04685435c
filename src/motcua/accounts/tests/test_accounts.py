"""Sign-up, login, password reset, phone login, MFA and the OIDC button (django-allauth)."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.urls import reverse

from motcua.accounts.models import User
from motcua.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db

PASSWORD = "mot-cua-Thanh-Hoa-2025"
VI = {"HTTP_ACCEPT_LANGUAGE": "vi"}


def _link(body: str) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", body).group(1)


def verified_user(email="dan@example.vn", **fields) -> User:
    user = User.objects.create_user(username=f"u-{email}", email=email, password=PASSWORD, **fields)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def test_signup_by_email_sends_a_link_and_confirming_it_signs_in(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "Dan@Example.vn", "password1": PASSWORD, "password2": PASSWORD},
        **VI,
    )
    assert response.status_code == 302
    user = User.objects.get(email__iexact="dan@example.vn")
    assert user.username.startswith("u")  # generated: citizens never type a username
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["dan@example.vn"]
    # not verified yet: the password alone does not sign in
    client.post(reverse("account_login"), {"login": "dan@example.vn", "password": PASSWORD})
    assert "_auth_user_id" not in client.session

    confirm = _link(mail.outbox[0].body)
    assert client.get(confirm).status_code == 200  # GET only shows the button
    assert not EmailAddress.objects.get(user=user).verified
    client.post(confirm)
    assert EmailAddress.objects.get(user=user).verified
    assert int(client.session["_auth_user_id"]) == user.pk


def test_login_by_email_and_failure_message(client):
    user = verified_user()
    response = client.post(
        reverse("account_login"), {"login": "dan@example.vn", "password": "wrong"}
    )
    assert response.status_code == 200
    # allauth's messages come from our catalogue (locale_allauth): Vietnamese by default …
    assert "Địa chỉ thư điện tử hoặc mật khẩu không đúng." in response.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # … English after the switch
    response = client.post(
        reverse("account_login"), {"login": "dan@example.vn", "password": "wrong"}
    )
    assert "The email address and/or password you specified are not correct." in (
        response.content.decode()
    )
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert "_auth_user_id" not in client.session
    response = client.post(
        reverse("account_login"), {"login": "dan@example.vn", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    assert int(client.session["_auth_user_id"]) == user.pk


def test_login_by_verified_phone_number_as_written_in_vietnam(client):
    user = verified_user(phone="+84912345678", phone_verified=True)
    response = client.post(
        reverse("account_login"), {"login": "0912 345 678", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_an_unverified_phone_number_does_not_sign_in(client):
    verified_user(phone="+84912345678", phone_verified=False)
    client.post(reverse("account_login"), {"login": "0912345678", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_adding_a_phone_number_sends_a_code_through_the_outbox(client, caplog):
    user = verified_user()
    client.force_login(user)
    response = client.post(reverse("account_change_phone"), {"phone": "0912.345.678"})
    assert response.status_code == 302
    sms = OutboxMessage.objects.get(topic="sms")
    assert sms.payload["to"] == "+84912345678"
    code = re.search(r"(\S+)$", sms.payload["text"]).group(1)
    assert code in caplog.text  # development: the code is also in the log
    response = client.post(reverse("account_verify_phone"), {"code": code})
    user.refresh_from_db()
    assert (user.phone, user.phone_verified) == ("+84912345678", True)


def test_password_reset_sends_a_link_that_sets_a_new_password(client):
    user = verified_user()
    client.post(reverse("account_reset_password"), {"email": "dan@example.vn"})
    assert len(mail.outbox) == 1
    link = _link(mail.outbox[0].body)
    response = client.get(link)
    assert response.status_code == 302  # allauth moves the key out of the URL
    new = "Hac-Thanh-moi-2026"
    client.post(response["Location"], {"password1": new, "password2": new})
    user.refresh_from_db()
    assert user.check_password(new)


def test_unknown_address_gets_no_reset_link_but_the_same_page(client):
    response = client.post(reverse("account_reset_password"), {"email": "ai@example.vn"})
    assert response.status_code == 302
    assert all("ai@example.vn" not in m.to or "reset" not in m.body for m in mail.outbox)


def test_oidc_button_only_when_configured(client, settings):
    assert "VNeID" not in client.get(reverse("account_login")).content.decode()
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "vneid",
                    "name": "VNeID",
                    "client_id": "motcua",
                    "secret": "s",
                    "settings": {"server_url": "https://sso.example.gov.vn"},
                }
            ]
        }
    }
    page = client.get(reverse("account_login")).content.decode()
    assert "VNeID" in page
    assert "/tai-khoan/oidc/vneid/login/" in page


def test_totp_activation_page_for_a_signed_in_user(client):
    verified_user()
    client.post(reverse("account_login"), {"login": "dan@example.vn", "password": PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302  # setting up a second factor asks for the password again
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client.post(response["Location"], {"password": PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    assert "svg" in response.content.decode()  # the QR code to scan


def test_account_pages_need_a_login(client):
    for name in ("accounts:profile", "mfa_index", "account_email"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_header_shows_login_or_the_person_and_logout(client):
    page = client.get("/", **VI).content.decode()
    assert "Đăng nhập" in page
    client.force_login(verified_user(full_name="Lê Thị Hoa"))
    page = client.get("/", **VI).content.decode()
    assert "Lê Thị Hoa" in page
    assert "Hồ sơ cá nhân" in page
    assert f'action="{reverse("account_logout")}" method="post"' in page


def test_the_admin_signs_in_on_the_site_with_a_code(client):
    """Issue 5: the admin's own username-and-password form is closed (no second factor, no
    rate limit there); the administrator signs in on the site's login page, with the code."""
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    from motcua.accounts.tests.mfa import with_totp

    user = User.objects.create_superuser("quantri", "qt@example.vn", PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    secret = with_totp(user)
    response = client.post(
        reverse("admin:login") + "?next=/admin/", {"username": "quantri", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + "?next=%2Fadmin%2F"
    assert "_auth_user_id" not in client.session
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD, "next": "/admin/"}
    )
    assert response["Location"].startswith(reverse("mfa_authenticate"))
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_sign_ups_from_one_address_are_limited(client, db, settings):
    """allauth's rate limit for sign-up (settings.ACCOUNT_RATE_LIMITS["signup"], 20 an hour
    from one address): the next attempt is answered 429 and creates no account."""
    from django.core.cache import cache

    from motcua.accounts.models import User

    cache.clear()
    for number in range(20):
        client.post(
            "/tai-khoan/signup/",
            {
                "email": f"nguoi{number}@example.vn",
                "password1": "mot-cua-Thanh-Hoa-2025",
                "password2": "mot-cua-Thanh-Hoa-2025",
            },
        )
    assert User.objects.count() == 20
    response = client.post(
        "/tai-khoan/signup/",
        {
            "email": "nguoi-21@example.vn",
            "password1": "mot-cua-Thanh-Hoa-2025",
            "password2": "mot-cua-Thanh-Hoa-2025",
        },
    )
    assert response.status_code == 429
    assert User.objects.count() == 20
    cache.clear()
