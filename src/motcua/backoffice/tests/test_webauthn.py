"""Security keys (WebAuthn) as an official's second factor (issue 5, item 1: "MFA required (TOTP;
WebAuthn where the browser supports it)"). A TOTP app or a security key lets an official in, after
a session confirmed with either; an official with neither is sent to set up TOTP (it works on
every phone). Keys are never a way to sign in without the password.

The last test adds a key and signs in with it in Debian's Chromium, with a virtual authenticator
(Chrome DevTools Protocol), under the site's Content-Security-Policy."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
)
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse

from motcua.accounts.security import has_second_factor, signed_in_with_mfa, trusted_session
from motcua.accounts.tests.mfa import fresh_totp_counter
from motcua.backoffice.tests.conftest import with_totp
from motcua.portal.tests import test_browser as base

browser = base.browser
PASSWORD = "Mot-cua-khoa-bao-mat-2026"


def _with_key(user) -> Authenticator:
    """A security key on record (the policy only asks whether there is one)."""
    return Authenticator.objects.create(
        user=user, type=Authenticator.Type.WEBAUTHN, data={"name": "Khóa USB", "credential": {}}
    )


def _signed_in(client, user, *steps: dict) -> None:
    """Signed in, with the steps allauth records for the session (password, mfa, …)."""
    client.force_login(user)
    session = client.session
    now = time.time()
    session["account_authentication_methods_user"] = str(user.pk)
    session["account_authentication_methods"] = [{"at": now, **step} for step in steps]
    session.save()


PASSWORD_STEP = {"method": "password"}
KEY_STEP = {"method": "mfa", "type": "webauthn", "id": 1}


# --- the policy (accounts.security, backoffice.middleware) ---------------------------------------


def test_an_official_with_only_a_security_key_gets_in_after_using_it(client, c1_staff):
    user = c1_staff.reception
    _with_key(user)
    assert has_second_factor(user)
    _signed_in(client, user, PASSWORD_STEP, KEY_STEP)
    assert client.get("/can-bo/").status_code == 200


def test_an_official_with_no_second_factor_is_sent_to_set_up_totp(client, c1_staff):
    user = c1_staff.reception
    assert not has_second_factor(user)
    _signed_in(client, user, PASSWORD_STEP)
    response = client.get("/can-bo/")
    assert response.status_code == 302
    assert response["Location"].startswith("/tai-khoan/2fa/totp/activate/")


def test_recovery_codes_alone_are_no_second_factor(c1_staff):
    user = c1_staff.reception
    Authenticator.objects.create(
        user=user, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "00", "used_mask": 0}
    )
    assert not has_second_factor(user)


@pytest.mark.parametrize("kind", ["key", "totp"])
def test_a_session_opened_with_the_password_only_is_ended(client, c1_staff, kind):
    user = c1_staff.reception
    if kind == "key":
        _with_key(user)
    else:
        with_totp(user)
    _signed_in(client, user, PASSWORD_STEP)
    response = client.get("/can-bo/")
    assert response.status_code == 302 and response["Location"].startswith("/tai-khoan/login/")
    assert "_auth_user_id" not in client.session


def test_a_passwordless_passkey_sign_in_is_no_second_factor(client, c1_staff):
    # passkey login is off (MFA_PASSKEY_LOGIN_ENABLED); were a record of one ever present, it
    # would not count as a confirmed session
    user = c1_staff.reception
    _with_key(user)
    _signed_in(client, user, {**KEY_STEP, "passwordless": True})
    response = client.get("/can-bo/")
    assert response.status_code == 302 and response["Location"].startswith("/tai-khoan/login/")


def test_the_api_trusts_a_session_confirmed_with_a_key(c1_staff, client):
    user = c1_staff.reception
    _with_key(user)
    for steps, trusted in [((PASSWORD_STEP,), False), ((PASSWORD_STEP, KEY_STEP), True)]:
        _signed_in(client, user, *steps)
        request = RequestFactory().get("/api/v1/")
        request.user = user
        request.session = client.session
        assert signed_in_with_mfa(request) is trusted
        assert trusted_session(request) is trusted


def test_keys_are_a_second_factor_only(settings):
    assert "webauthn" in settings.MFA_SUPPORTED_TYPES
    assert settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN is (not settings.PRODUCTION)
    with pytest.raises(NoReverseMatch):
        reverse("mfa_login_webauthn")  # no passwordless sign-in with a passkey
    with pytest.raises(NoReverseMatch):
        reverse("mfa_signup_webauthn")
    assert reverse("mfa_add_webauthn") == "/tai-khoan/2fa/webauthn/add/"


def _official_with_email(user):
    user.set_password(PASSWORD)
    user.email = user.email or f"{user.username}@ubnd.example.vn"
    user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


def test_the_add_key_page_runs_no_inline_script_and_explains_itself_without_javascript(
    client, c1_staff
):
    user = _official_with_email(c1_staff.reception)
    with_totp(user)
    _signed_in(
        client,
        user,
        PASSWORD_STEP,
        {"method": "mfa", "type": "totp"},
        {"method": "password", "reauthenticated": True},  # allauth asks again before adding
    )
    response = client.get("/tai-khoan/2fa/webauthn/add/")
    assert response.status_code == 200
    html = response.content.decode()
    # under the Content-Security-Policy (script-src 'self'): scripts come from files; the
    # inline blocks are JSON data, which the browser does not run
    scripts = re.findall(r"<script\b([^>]*)>", html)
    assert scripts
    for attrs in scripts:
        assert "src=" in attrs or 'type="application/json"' in attrs, attrs
    assert not re.search(r"\son[a-z]+=", html), "no inline event handler"
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    noscript = re.search(r"<noscript>(.*?)</noscript>", html, re.S)
    assert noscript and "JavaScript" in noscript.group(1)
    assert 'href="/tai-khoan/2fa/"' in noscript.group(1)  # where TOTP is set up

    # Enter in the name field posts the form before the browser has read the key
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post("/tai-khoan/2fa/webauthn/add/", {"name": "Khóa USB"})
    assert response.status_code == 200
    assert "The security key was not read." in response.content.decode()
    assert not Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN).exists()


# --- in a real browser, with a virtual security key ----------------------------------------------


@pytest.fixture
def key_site(live_server, settings, c1_staff):
    cache.clear()  # TOTP codes used by an earlier test in the same 30 s window
    static_dir = Path(django_settings.BASE_DIR) / "static"
    if static_dir not in [Path(d) for d in settings.STATICFILES_DIRS]:
        settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, static_dir]
    user = _official_with_email(c1_staff.reception)
    return {"url": live_server.url, "user": user, "secret": with_totp(user)}


@base.pytestmark[0]
@base.pytestmark[1]
def test_an_official_adds_a_security_key_and_signs_in_with_it(browser, key_site):
    # The live server is http://localhost:<port>: a secure context for the browser, and the
    # relying party's ID is the host the page came from (allauth's adapter), so "localhost".
    site, user = key_site["url"], key_site["user"]
    assert site.startswith("http://localhost:")
    context = browser.new_context(viewport=base.PHONE, locale=base.VI)
    page = context.new_page()
    refused: list[str] = []
    errors: list[str] = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )

    def submit(locator) -> None:
        with page.expect_navigation():
            locator.click()

    def password() -> None:
        page.goto(site + "/can-bo/")
        assert "/tai-khoan/login/" in page.url
        page.locator('input[name="login"]').fill(user.email)
        page.locator('input[name="password"]').fill(PASSWORD)
        submit(page.locator('form:has(input[name="password"]) button[type="submit"]'))
        assert "/tai-khoan/2fa/authenticate/" in page.url, page.url

    def audit(path: str) -> None:
        """One h1, no horizontal overflow at 360 px, nothing found by axe-core."""
        assert page.locator("h1").count() == 1, path
        assert page.evaluate("document.scrollingElement.scrollWidth") <= base.PHONE["width"], path
        results = base._axe()().run(page)
        assert results.violations_count == 0, (path, results.generate_report())

    def reauthenticate() -> None:
        # allauth asks for the password again before an authenticator is added
        assert "/tai-khoan/reauthenticate/" in page.url, page.url
        page.locator('input[name="password"]').fill(PASSWORD)
        submit(page.locator('form:has(input[name="password"]) button[type="submit"]'))

    try:
        # 1. signed in with password and TOTP, the official adds a key
        password()
        counter = fresh_totp_counter(key_site["secret"])
        code = format_hotp_value(hotp_value(key_site["secret"], counter))
        page.locator('input[name="code"]').fill(code)
        submit(page.locator('form:has(input[name="code"]) button[type="submit"]:not([form])'))
        assert page.url.endswith("/can-bo/"), page.url

        page.goto(site + "/tai-khoan/2fa/webauthn/add/")
        reauthenticate()
        assert page.url.endswith("/tai-khoan/2fa/webauthn/add/"), page.url
        audit("/tai-khoan/2fa/webauthn/add/")
        page.locator('input[name="name"]').fill("Khóa USB của tôi")
        submit(page.locator("#mfa_webauthn_add"))
        assert page.locator(".error-summary").count() == 0, page.inner_text("main")
        key = Authenticator.objects.get(user=user, type=Authenticator.Type.WEBAUTHN)
        assert key.wrap().name == "Khóa USB của tôi"
        assert not key.wrap().is_passwordless  # a second factor, not a passkey sign-in
        stored = cdp.send("WebAuthn.getCredentials", {"authenticatorId": added["authenticatorId"]})
        assert len(stored["credentials"]) == 1

        # the list of keys (the index page links to it)
        for path in ("/tai-khoan/2fa/", "/tai-khoan/2fa/webauthn/"):
            page.goto(site + path)
            assert "Khóa USB của tôi" in page.inner_text("main") or path == "/tai-khoan/2fa/"
            audit(path)

        # 2. signed out; the key is now the only second factor
        submit(page.locator(".site-nav__logout button"))
        Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()

        # 3. password, then the security key, and the back office opens
        password()
        audit("/tai-khoan/2fa/authenticate/")
        with page.expect_navigation(url=re.compile(r"/can-bo/$")):
            page.locator("#mfa_webauthn_authenticate").click()
        assert page.locator("h1").count() == 1
        key.refresh_from_db()
        assert key.last_used_at is not None
        assert refused == [], refused
        assert errors == [], errors
    finally:
        context.close()


@base.pytestmark[0]
@base.pytestmark[1]
def test_without_javascript_the_add_key_page_points_to_totp(browser, key_site):
    site, user = key_site["url"], key_site["user"]
    context = browser.new_context(viewport=base.PHONE, locale=base.VI, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(site + "/can-bo/")
        page.locator('input[name="login"]').fill(user.email)
        page.locator('input[name="password"]').fill(PASSWORD)
        with page.expect_navigation():
            page.locator('form:has(input[name="password"]) button[type="submit"]').click()
        counter = fresh_totp_counter(key_site["secret"])
        code = format_hotp_value(hotp_value(key_site["secret"], counter))
        page.locator('input[name="code"]').fill(code)
        with page.expect_navigation():
            page.locator('form:has(input[name="code"]) button[type="submit"]:not([form])').click()
        page.goto(site + "/tai-khoan/2fa/webauthn/add/")
        page.locator('input[name="password"]').fill(PASSWORD)  # allauth asks again
        with page.expect_navigation():
            page.locator('form:has(input[name="password"]) button[type="submit"]').click()
        assert page.url.endswith("/tai-khoan/2fa/webauthn/add/"), page.url
        note = page.locator("main [role=note]")
        assert note.is_visible()
        assert "JavaScript" in note.inner_text()
        with page.expect_navigation():
            note.locator("a").click()
        assert page.url.endswith("/tai-khoan/2fa/")
    finally:
        context.close()
