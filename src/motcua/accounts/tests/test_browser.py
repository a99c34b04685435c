"""Account pages in Debian's Chromium with axe-core (patterns of portal/tests/test_browser.py)."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress

from motcua.accounts.models import User
from motcua.portal.tests.test_browser import PHONE, VI, _axe, pytestmark  # noqa: F401

DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "mot-cua-Thanh-Hoa-2025"


@pytest.fixture
def site(live_server, tree):
    return live_server.url


def _signed_in(browser, site, **options):
    user = User.objects.create_user(username="dan", email="dan@example.vn", password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    context = browser.new_context(locale=VI, **options)
    page = context.new_page()
    page.goto(site + "/tai-khoan/login/")
    page.fill("#id_login", "dan@example.vn")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    return context, page


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360", "1280"])
@pytest.mark.parametrize(
    "path", ["/tai-khoan/signup/", "/tai-khoan/login/", "/tai-khoan/password/reset/"]
)
def test_entrance_pages_are_accessible(browser, site, path, viewport):
    context = browser.new_context(viewport=viewport, locale=VI)
    page = context.new_page()
    try:
        assert page.goto(site + path).status == 200
        assert page.evaluate("document.scrollingElement.scrollWidth") <= viewport["width"]
        results = _axe()().run(page)
        assert results.violations_count == 0, results.generate_report()
        assert page.locator("h1").count() == 1
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360", "1280"])
@pytest.mark.parametrize("which", ["profile", "organisations", "organisation"])
def test_profile_and_organisation_pages_are_accessible(browser, site, viewport, which):
    from motcua.accounts.services import organisations as orgs

    context, page = _signed_in(browser, site, viewport=viewport)
    try:
        path = {"profile": "/tai-khoan/ho-so/", "organisations": "/tai-khoan/to-chuc/"}.get(which)
        if path is None:
            user = User.objects.get(username="dan")
            company = orgs.organisation_register(
                actor=user, name="Công ty TNHH Dân Sinh", tax_code="2801234567"
            )
            path = f"/tai-khoan/to-chuc/{company.pk}/"
        page.goto(site + path)
        assert page.locator("h1").count() == 1
        assert page.evaluate("document.scrollingElement.scrollWidth") <= viewport["width"]
        results = _axe()().run(page)
        assert results.violations_count == 0, results.generate_report()
    finally:
        context.close()


def test_province_commune_picker_without_javascript(browser, site, tree):
    context, page = _signed_in(browser, site, viewport=PHONE, java_script_enabled=False)
    try:
        page.goto(site + "/tai-khoan/ho-so/")
        page.fill("#id_full_name", "Lê Văn Dân")
        page.select_option("#id_province", "38")
        with page.expect_navigation():
            page.get_by_role("button", name="Chọn", exact=True).click()
        assert page.input_value("#id_full_name") == "Lê Văn Dân"
        page.select_option("#id_commune", tree.c1.code)
        with page.expect_navigation():
            page.get_by_role("button", name="Lưu", exact=True).click()
        assert "Đã lưu hồ sơ cá nhân." in page.inner_text("main")
        user = User.objects.get(username="dan")
        assert (user.full_name, user.commune_id) == ("Lê Văn Dân", tree.c1.pk)
    finally:
        context.close()
