"""The demo accounts of ``motcua up`` (README "Demo accounts"): they can sign in — a verified
address, since verification is mandatory — and the officials with the documented second factor,
as the back office requires (issue 5, item 1)."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.cache import cache

from motcua.accounts.tests.mfa import wait_for_a_fresh_totp_window
from motcua.org.choices import AgencyKind, AgencyLevel
from motcua.org.services.demo import (
    DEMO_COMMUNE,
    DEMO_PASSWORD,
    DEMO_PROVINCE,
    demo_code,
    ensure_demo_accounts,
)
from motcua.org.tests.factories import AgencyFactory


@pytest.fixture
def demo_agencies(db):
    province = AgencyFactory(
        code=DEMO_PROVINCE, kind=AgencyKind.PROVINCE, level=AgencyLevel.PROVINCE
    )
    AgencyFactory(
        code=f"{DEMO_PROVINCE}-pvhcc",
        kind=AgencyKind.SERVICE_CENTRE,
        level=AgencyLevel.PROVINCE,
        parent=province,
    )
    commune = AgencyFactory(code=DEMO_COMMUNE, parent=province)
    for key, kind in (("pvhcc", AgencyKind.SERVICE_CENTRE), ("van-phong", AgencyKind.DEPARTMENT)):
        AgencyFactory(code=f"{DEMO_COMMUNE}-{key}", kind=kind, parent=commune)
    return commune


def test_demo_accounts_can_sign_in_and_officials_have_the_documented_code(client, demo_agencies):
    accounts = ensure_demo_accounts()
    ensure_demo_accounts()  # idempotent: one address and one authenticator each
    for account in accounts:
        addresses = EmailAddress.objects.filter(user__username=account.username)
        assert [(a.verified, a.primary) for a in addresses] == [(True, True)]
        totp = Authenticator.objects.filter(
            user__username=account.username, type=Authenticator.Type.TOTP
        )
        assert totp.count() == (0 if account.role is None else 1), account.username

    cache.clear()
    response = client.post(
        "/tai-khoan/login/", {"login": "demo.tiepnhan", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302 and "/2fa/" in response["Location"]
    wait_for_a_fresh_totp_window()  # allauth takes the current 30-second window's code only
    response = client.post(response["Location"], {"code": demo_code()})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert client.get("/can-bo/").status_code == 200
