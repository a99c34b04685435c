"""Who reaches the back office (issue 5, item 1): officials only, with a second factor, signed
out when idle; every sign-in, failure and sign-out is audited."""

from __future__ import annotations

import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from motcua.backoffice.middleware import SEEN_KEY
from motcua.backoffice.models import LoginEvent
from motcua.backoffice.tests.conftest import mfa_login, with_totp

PASSWORD = "Mot-cua-can-bo-2026"


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get("/can-bo/")
    assert response.status_code == 302 and response["Location"].startswith("/tai-khoan/login/")


def test_a_citizen_finds_no_back_office(client, applicant_user):
    client.force_login(applicant_user)
    assert client.get("/can-bo/").status_code == 404
    assert client.get("/can-bo/hang-doi/qua-han/").status_code == 404


def test_an_official_without_a_second_factor_must_set_one_up(client, c1_staff):
    client.force_login(c1_staff.reception)
    response = client.get("/can-bo/")
    assert response.status_code == 302
    assert response["Location"].startswith("/tai-khoan/2fa/totp/activate/")


def test_a_session_without_the_code_is_ended(client, c1_staff):
    with_totp(c1_staff.reception)
    client.force_login(c1_staff.reception)  # as after a password only
    response = client.get("/can-bo/")
    assert response.status_code == 302 and response["Location"].startswith("/tai-khoan/login/")
    assert "_auth_user_id" not in client.session


def test_an_official_signs_in_with_password_and_totp(client, c1_staff):
    user = c1_staff.reception
    user.set_password(PASSWORD)
    user.email = "tiep-nhan@example.vn"
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    secret = with_totp(user)
    response = client.post("/tai-khoan/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith("/tai-khoan/2fa/authenticate/")
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    response = client.post("/tai-khoan/2fa/authenticate/", {"code": code})
    assert response.status_code == 302
    assert client.get("/can-bo/").status_code == 200
    event = LoginEvent.objects.get(kind=LoginEvent.Kind.LOGIN)
    assert event.user == user and event.official and event.address == "127.0.0.1"


def test_failed_sign_ins_are_audited(client, db):
    client.post("/tai-khoan/login/", {"login": "ai-do@example.vn", "password": "sai"})
    event = LoginEvent.objects.get(kind=LoginEvent.Kind.FAILED)
    assert event.user is None and event.login == "ai-do@example.vn"


def test_an_idle_official_is_signed_out(client, c1_staff, settings):
    settings.MOTCUA_STAFF_IDLE_MINUTES = 30
    mfa_login(client, c1_staff.reception)
    assert client.get("/can-bo/").status_code == 200
    session = client.session
    session[SEEN_KEY] = time.time() - 31 * 60
    session.save()
    response = client.get("/can-bo/")
    assert response.status_code == 302 and response["Location"].startswith("/tai-khoan/login/")
    assert LoginEvent.objects.filter(kind=LoginEvent.Kind.TIMEOUT, user=c1_staff.reception).exists()


@pytest.mark.parametrize("path", ["/can-bo/", "/can-bo/hang-doi/cua-toi/"])
def test_the_pages_open_for_an_official_with_mfa(client, c1_staff, path):
    mfa_login(client, c1_staff.specialist)
    response = client.get(path)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_an_unknown_queue_is_404(client, c1_staff):
    mfa_login(client, c1_staff.specialist)
    assert client.get("/can-bo/hang-doi/khong-co/").status_code == 404


def test_the_header_offers_the_back_office_to_officials_only(client, c1_staff, applicant_user):
    client.force_login(applicant_user)
    assert 'href="/can-bo/"' not in client.get("/").content.decode()
    mfa_login(client, c1_staff.specialist)
    assert 'href="/can-bo/"' in client.get("/").content.decode()
