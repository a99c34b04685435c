"""Hồ sơ của tôi in a real browser (Debian's Chromium, axe-core): the list and the detail in the
states with a form (supplementation, rating) at 360 px and 1280 px, and the upload without JS."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from motcua.dossiers.choices import DossierState
from motcua.dossiers.tests.conftest import applicant_user, c1_staff, catalogue  # noqa: F401
from motcua.portal.tests import test_browser as base
from motcua.portal.tests.test_mine import PDF, returned, supplement_requested

pytestmark = base.pytestmark
# (Button names accept the English msgid too, until the Vietnamese catalogue has them.)
browser = base.browser  # the module-scoped Chromium
WIDE = {"width": 1280, "height": 900}


@pytest.fixture
def mine(live_server, settings, tree, catalogue, c1_staff, applicant_user):  # noqa: F811
    static_dir = Path(django_settings.BASE_DIR) / "static"
    if static_dir not in [Path(d) for d in settings.STATICFILES_DIRS]:
        settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, static_dir]
    version, desk = catalogue["1.004873"], tree.c1_units["pvhcc"]
    waiting = supplement_requested(applicant_user, c1_staff, version, desk)
    done = returned(applicant_user, c1_staff, version, desk)
    from motcua.dossiers.services import drafts

    drafts.draft_start(actor=applicant_user, version=version)  # listed as "not yet submitted"
    client = Client()
    client.force_login(applicant_user)
    cookie = {
        "name": django_settings.SESSION_COOKIE_NAME,
        "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }
    return {"url": live_server.url, "cookie": cookie, "waiting": waiting, "done": done}


def _page(browser, mine, viewport, *, javascript=True):
    context = browser.new_context(viewport=viewport, locale=base.VI, java_script_enabled=javascript)
    context.add_cookies([mine["cookie"]])
    return context, context.new_page()


@pytest.mark.parametrize("viewport", [base.PHONE, WIDE], ids=["360", "1280"])
@pytest.mark.parametrize("which", ["list", "waiting", "done"])
def test_my_pages_have_no_axe_violations_and_no_overflow(browser, mine, viewport, which):
    path = "/ho-so-cua-toi/" if which == "list" else f"/ho-so-cua-toi/{mine[which].code}/"
    context, page = _page(browser, mine, viewport)
    try:
        response = page.goto(mine["url"] + path)
        assert response.status == 200
        header = page.evaluate(
            "getComputedStyle(document.querySelector('.site-header')).backgroundColor"
        )
        assert header == "rgb(163, 22, 26)"  # the stylesheet is loaded
        assert page.evaluate("document.scrollingElement.scrollWidth") <= viewport["width"]
        assert page.locator("h1").count() == 1
        if which == "list":
            assert page.locator("#drafts-heading").count() == 1
        if which == "waiting":
            assert page.locator("input[type=file]").count() == 2
        if which == "done":
            assert page.get_by_role("radio", name="Rất hài lòng").count() == 2
        results = base._axe()().run(page)
        assert results.violations_count == 0, results.generate_report()
    finally:
        context.close()


def test_error_summary_has_no_axe_violations(browser, mine):
    context, page = _page(browser, mine, base.PHONE)
    try:
        page.goto(f"{mine['url']}/ho-so-cua-toi/{mine['done'].code}/")
        with page.expect_navigation():
            page.get_by_role("button", name=re.compile("Gửi đánh giá|Send the rating")).click()
        assert page.locator(".error-summary a").count() == 3
        assert page.evaluate("document.scrollingElement.scrollWidth") <= base.PHONE["width"]
        results = base._axe()().run(page)
        assert results.violations_count == 0, results.generate_report()
    finally:
        context.close()


def test_supplying_documents_without_javascript(browser, mine, tmp_path):
    scan = tmp_path / "cccd.pdf"
    scan.write_bytes(PDF)
    context, page = _page(browser, mine, base.PHONE, javascript=False)
    try:
        page.goto(f"{mine['url']}/ho-so-cua-toi/{mine['waiting'].code}/")
        page.get_by_label("Bản sao CCCD").set_input_files(str(scan))
        with page.expect_navigation():
            page.get_by_role("button", name=re.compile("Gửi giấy tờ|Send the documents")).click()
        assert page.locator(".message--success").count() == 1
        assert page.locator("input[type=file]").count() == 0
    finally:
        context.close()
    dossier = mine["waiting"]
    due_before = dossier.due_at
    dossier.refresh_from_db()
    assert dossier.state == DossierState.IN_PROCESS
    assert dossier.due_at > due_before
