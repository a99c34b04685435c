"""allauth's own strings on our account pages: Vietnamese by default, English after the switch.

allauth ships no Vietnamese catalogue; ours is ``locale_allauth/vi`` (settings.LOCALE_PATHS).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from motcua.accounts.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "mot-cua-Thanh-Hoa-2025"
CATALOGUE = Path(settings.BASE_DIR) / "locale_allauth" / "vi" / "LC_MESSAGES" / "django.po"

# page → (Vietnamese that must appear, allauth's English that must not)
PUBLIC = {
    "account_login": (
        ["Đăng nhập", "Quên mật khẩu?", "Mật khẩu", "Ghi nhớ đăng nhập", "đăng ký"],
        ["Sign In", "Forgot your password?", "Remember Me", "If you have not created"],
    ),
    "account_signup": (
        ["Đăng ký", "Nhập lại mật khẩu", "Đã có tài khoản?", "đăng nhập"],
        ["Sign Up", "Password (again)", "Already have an account?", "sign in"],
    ),
    "account_reset_password": (
        ["Đặt lại mật khẩu", "Quên mật khẩu? Nhập địa chỉ thư điện tử"],
        ["Password Reset", "Reset My Password", "Forgotten your password?"],
    ),
}
SIGNED_IN = {
    "account_email": (
        ["Địa chỉ thư điện tử", "Đã xác nhận", "Thêm địa chỉ thư điện tử"],
        ["Email Addresses", "Verified", "Add Email", "Make Primary", "Re-send Verification"],
    ),
    "account_change_phone": (
        ["Đổi số điện thoại"],
        ["Change Phone", "Change to"],
    ),
    "mfa_index": (
        ["Xác thực hai lớp", "Ứng dụng xác thực", "Chưa bật ứng dụng xác thực.", "Bật"],
        ["Two-Factor Authentication", "Authenticator App", "An authenticator app is not active."],
    ),
}
TOTP = (
    ["Bật ứng dụng xác thực", "quét mã QR", "Khóa bí mật của ứng dụng xác thực", "Mã xác thực"],
    ["Activate Authenticator App", "scan the QR code", "Authenticator secret"],
)


@pytest.fixture(autouse=True)
def _no_rate_limits_from_other_tests():
    cache.clear()  # allauth counts mails per address (confirm_email: 1 per 3 minutes)


def _text(response) -> str:
    """The visible text of the page's <main> (English words in attributes do not count)."""
    html = response.content.decode()
    main = re.search(r"<main\b.*?</main>", html, re.S)
    text = re.sub(r"<[^>]+>", " ", main.group(0) if main else html)
    return re.sub(r"\s+", " ", text)


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _user(email="dan@example.vn") -> User:
    user = User.objects.create_user(username="u-dan", email=email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def _totp_page(client):
    """The TOTP activation page, after the password is asked again."""
    client.post(reverse("account_login"), {"login": "dan@example.vn", "password": PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    reauth = client.get(response["Location"])
    return reauth, response["Location"]


def _check(text: str, present: list[str], absent: list[str]) -> None:
    for words in present:
        assert words in text, words
    for words in absent:
        assert not re.search(rf"(?<![\w-]){re.escape(words)}(?![\w-])", text), words


@pytest.mark.parametrize("name", PUBLIC)
def test_public_account_pages_are_vietnamese_by_default(client, name):
    present, absent = PUBLIC[name]
    response = client.get(reverse(name))
    assert response.status_code == 200
    _check(_text(response), present, absent)


@pytest.mark.parametrize("name", PUBLIC)
def test_public_account_pages_are_english_after_switching(client, name):
    present, absent = PUBLIC[name]
    _english(client)
    text = _text(client.get(reverse(name)))
    _check(text, absent, [])
    assert present[0] not in text


@pytest.mark.parametrize("name", SIGNED_IN)
def test_signed_in_account_pages_are_vietnamese_by_default(client, name):
    present, absent = SIGNED_IN[name]
    client.force_login(_user())
    response = client.get(reverse(name))
    assert response.status_code == 200
    _check(_text(response), present, absent)


@pytest.mark.parametrize("name", SIGNED_IN)
def test_signed_in_account_pages_are_english_after_switching(client, name):
    present, absent = SIGNED_IN[name]
    client.force_login(_user())
    _english(client)
    text = _text(client.get(reverse(name)))
    _check(text, absent, [])
    assert present[0] not in text


def test_reauthentication_and_totp_activation_are_vietnamese(client):
    _user()
    reauth, url = _totp_page(client)
    _check(
        _text(reauth),
        ["Xác nhận truy cập", "Vui lòng xác thực lại", "Nhập mật khẩu của bạn:", "Xác nhận"],
        ["Confirm Access", "Please reauthenticate", "Enter your password:"],
    )
    client.post(url, {"password": PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    _check(_text(response), *TOTP)


def test_totp_activation_is_english_after_switching(client):
    _user()
    _english(client)
    reauth, url = _totp_page(client)
    assert "Confirm Access" in _text(reauth)
    client.post(url, {"password": PASSWORD})
    text = _text(client.get(reverse("mfa_activate_totp")))
    _check(text, TOTP[1], [])
    assert TOTP[0][0] not in text


def test_failed_login_message_is_vietnamese(client):
    _user()
    response = client.post(reverse("account_login"), {"login": "dan@example.vn", "password": "x"})
    text = _text(response)
    assert "Địa chỉ thư điện tử hoặc mật khẩu không đúng." in text
    assert "are not correct" not in text


def test_verification_mail_is_vietnamese(client):
    client.post(
        reverse("account_signup"),
        {"email": "hoa@example.vn", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "[motcua] Vui lòng xác nhận địa chỉ thư điện tử"
    assert "đã dùng địa chỉ thư điện tử của bạn để đăng ký tài khoản" in message.body
    assert "Please Confirm" not in message.subject
    assert "You're receiving this email" not in message.body


def test_verification_mail_is_english_after_switching(client):
    _english(client)
    client.post(
        reverse("account_signup"),
        {"email": "lan@example.vn", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert mail.outbox[0].subject == "[motcua] Please Confirm Your Email Address"


def test_password_reset_mail_is_vietnamese(client):
    _user()
    client.post(reverse("account_reset_password"), {"email": "dan@example.vn"})
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "[motcua] Đặt lại mật khẩu"
    assert "yêu cầu đặt lại mật khẩu cho tài khoản của bạn" in message.body
    assert "password reset" not in message.body


def test_catalogue_is_complete_and_keeps_placeholders():
    text = CATALOGUE.read_text(encoding="utf-8")
    assert '"Language: vi\\n"' in text
    assert '"Plural-Forms: nplurals=1; plural=0;\\n"' in text
    assert CATALOGUE.with_suffix(".mo").stat().st_mtime >= CATALOGUE.stat().st_mtime - 1
    placeholder = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w+\}")
    entries = re.findall(
        r'\nmsgid ((?:".*"\n)+)(?:msgid_plural (?:".*"\n)+)?msgstr(?:\[0\])? ((?:".*"\n?)+)', text
    )
    assert len(entries) > 250
    for msgid, msgstr in entries:
        source = "".join(re.findall(r'"(.*)"', msgid))
        target = "".join(re.findall(r'"(.*)"', msgstr))
        assert target, source
        assert sorted(placeholder.findall(source)) == sorted(placeholder.findall(target)), source
