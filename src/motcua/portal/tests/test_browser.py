"""The public pages in a real browser: Debian's Chromium driven by Playwright, checked by axe-core.

Needs ``apt-get install chromium`` (gives /usr/bin/chromium) and the ``dev`` extras
(playwright, axe-playwright-python). Playwright's own browser download is never used."""

from __future__ import annotations

import contextlib
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings as django_settings

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse the
# fixtures' database access from it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 360, "height": 740}
# A Vietnamese phone. (Django's LocaleMiddleware honours Accept-Language, so a browser that
# prefers English gets English until the visitor chooses; Vietnamese is the fallback.)
VI = "vi-VN"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason=f"{CHROMIUM} is missing: apt-get install chromium to run the browser tests",
    ),
]

PAGES = [
    "/",
    "/thu-tuc/",
    "/thu-tuc/?q=zzzz",
    "/thu-tuc/2.001417/?province=38&commune=14848",
    "/thu-tuc/2.000815/",
    "/co-quan/",
    "/co-quan/38/",
    "/co-quan/14849/",
    "/co-quan/38-tu-phap/",
    "/khong-co-trang-nay/",
    "/tra-cuu/",
    "/tra-cuu/?ma=H56-260309-0001&so=12a",
    "/tra-cuu/?ma=H56-260309-0001&so=1234",
    "/xac-thuc/",
]


def _axe():
    module = pytest.importorskip(
        "axe_playwright_python.sync_playwright", reason="pip install axe-playwright-python"
    )
    return module.Axe


@contextlib.contextmanager
def audited(browser, url: str, *, cookies, viewport, step: str = "", open_details=False):
    """Open ``url`` in a fresh JavaScript browser with ``cookies`` at ``viewport`` and check
    what every page must pass: status 200, no horizontal overflow, one h1, no axe-core
    violation, nothing blocked by the Content-Security-Policy. Yields the tab and the bodies of
    every response it loaded (for the page weight), then closes it. ``open_details`` opens every
    <details> first, so that what they hold is checked too."""
    context = browser.new_context(viewport=viewport, locale=VI)
    context.add_cookies(cookies)
    tab = context.new_page()
    bodies: list[bytes] = []
    refused: list[str] = []
    tab.on("response", lambda r: bodies.append(r.body()))
    tab.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    try:
        response = tab.goto(url)
        assert response is not None and response.status == 200, (step, url)
        tab.wait_for_load_state("load")
        if open_details:
            tab.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        assert tab.evaluate("document.scrollingElement.scrollWidth") <= viewport["width"], step
        assert tab.locator("h1").count() == 1, step
        results = _axe()().run(tab)
        assert results.violations_count == 0, (step, results.generate_report())
        assert refused == [], (step, refused)
        yield tab, bodies
    finally:
        context.close()


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def site(live_server, portal, settings):
    """The live server with the small fixtures and the site's stylesheet available."""
    static_dir = Path(django_settings.BASE_DIR) / "static"
    if static_dir not in [Path(d) for d in settings.STATICFILES_DIRS]:
        settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, static_dir]
    return live_server.url


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, locale=VI)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_axe_violations_and_no_horizontal_overflow(phone, site, path):
    Axe = _axe()
    response = phone.goto(site + path)
    assert response.status in (200, 404)
    # the stylesheet is loaded (otherwise the contrast checks would test the browser's defaults)
    header = phone.evaluate(
        "getComputedStyle(document.querySelector('.site-header')).backgroundColor"
    )
    assert header == "rgb(163, 22, 26)"
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    results = Axe().run(phone)
    assert results.violations_count == 0, results.generate_report()
    assert phone.locator("h1").count() == 1


def test_skip_link_is_the_first_tab_stop(phone, site):
    phone.goto(site + "/thu-tuc/")
    phone.keyboard.press("Tab")
    focused = phone.evaluate(
        "[document.activeElement.className, document.activeElement.getAttribute('href')]"
    )
    assert focused == ["skip-link", "#main"]
    assert phone.locator(".skip-link").is_visible()
    phone.keyboard.press("Enter")
    assert phone.evaluate("document.activeElement.id") == "main"


def test_language_switch_changes_the_page_to_english(phone, site):
    phone.goto(site + "/thu-tuc/?q=khai+sinh")
    assert phone.locator("html").get_attribute("lang") == "vi"
    assert "Thủ tục hành chính" in phone.locator("h1").inner_text()
    with phone.expect_navigation():
        phone.get_by_role("button", name="English").click()
    assert phone.locator("html").get_attribute("lang") == "en"
    assert phone.locator("h1").inner_text() == "Administrative procedures"
    assert phone.url.endswith("/thu-tuc/?q=khai+sinh")  # same page, same search
    assert "1 procedure found" in phone.content()


def test_handling_agency_picker_works_without_javascript(browser, site):
    context = browser.new_context(viewport=PHONE, locale=VI, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(site + "/thu-tuc/2.001417/?province=")
        page.select_option("#id_province", "38")
        with page.expect_navigation():
            page.get_by_role("button", name="Xem danh sách xã").click()
        page.select_option("#id_commune", "15853")
        with page.expect_navigation():
            page.get_by_role("button", name="Xem cơ quan giải quyết").click()
        answer = page.locator(".answer")
        assert "Sở Tư pháp tỉnh Thanh Hóa" in answer.inner_text()
    finally:
        context.close()


def test_catalogue_search_without_javascript(browser, site):
    context = browser.new_context(viewport=PHONE, locale=VI, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(site + "/")
        page.fill("#home-q", "chung thuc")
        with page.expect_navigation():
            page.get_by_role("button", name="Tìm kiếm").click()
        assert "Tìm thấy 1 thủ tục" in page.content()
        found = page.get_by_role("link", name="Chứng thực bản sao từ bản chính", exact=False)
        assert found.count() == 1
    finally:
        context.close()


@pytest.mark.parametrize(
    "path", ["/", "/thu-tuc/2.001417/?province=38&commune=15853", "/co-quan/38/"]
)
def test_english_pages_have_no_axe_violations(browser, site, path):
    Axe = _axe()
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    # Pages stay Vietnamese for an English phone until the visitor switches (the cookie).
    context.add_cookies([{"name": "django_language", "value": "en", "url": site}])
    page = context.new_page()
    try:
        page.goto(site + path)
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
    finally:
        context.close()


def test_tracking_a_dossier_on_a_phone_without_javascript(browser, site, portal):
    """Tra cứu hồ sơ with a real dossier: keyboard only, no JS, 360 px, axe clean."""
    from motcua.catalog.models import ProcedureVersion
    from motcua.dossiers.services import lifecycle as svc
    from motcua.dossiers.tests.factories import dossier_in
    from motcua.org.choices import Role
    from motcua.org.tests.factories import official
    from motcua.portal.tests.conftest import BIRTH

    clerk = official("tn-browser", home=portal["hac_thanh"], role=Role.RECEPTION).user
    version = ProcedureVersion.objects.get(procedure__code=BIRTH)
    dossier = svc.dossier_intake(actor=clerk, data=dossier_in(version, portal["hac_thanh"]))

    context = browser.new_context(viewport=PHONE, locale=VI, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site}/tra-cuu/?ma={dossier.code}")  # as from the QR code on the receipt
    page.get_by_label("4 số cuối số điện thoại").fill("5678")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h2", has_text=dossier.code).count() == 1
    assert "Đã tiếp nhận" in page.inner_text("main")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    context.close()
    js_page = browser.new_context(viewport=PHONE, locale=VI).new_page()
    js_page.goto(f"{site}/tra-cuu/?ma={dossier.code}&so=5678")
    results = _axe()().run(js_page)
    assert results.violations_count == 0, results.generate_report()


def test_checking_a_signed_result_on_a_phone_without_javascript(browser, site, settings, tmp_path):
    """Xác thực văn bản (issue 7 §4): upload a result signed by a leader and the seal, read the
    verdict; 360 px, no JavaScript, axe clean on the report."""
    from weasyprint import HTML

    from motcua.documents import pki
    from motcua.documents.signing import Appearance, pkcs12_signer, sign_pdf

    root = pki.make_root()
    leader = pki.issue(root, pki.Subject("Hoàng Văn Em", "UBND phường Hạc Thành", "", "Chủ tịch"))

    def sign() -> bytes:
        return sign_pdf(
            HTML(string="<h1>KẾT QUẢ</h1>").write_pdf(),
            pkcs12_signer(leader.pkcs12("leader"), pki.DEV_PASSPHRASE),
            field="ca-nhan",
            appearance=Appearance("Hoàng Văn Em", "CHỦ TỊCH"),
            box=(300, 60, 540, 140),
        )

    # pyHanko runs its own event loop: not in this thread, where Playwright's runs
    with ThreadPoolExecutor(1) as pool:
        signed = pool.submit(sign).result()
    (tmp_path / "root.pem").write_bytes(root.certificate_pem())
    (tmp_path / "ket-qua.pdf").write_bytes(signed)
    settings.MOTCUA_TRUST_ROOTS = [str(tmp_path / "root.pem")]

    context = browser.new_context(viewport=PHONE, locale=VI, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site}/xac-thuc/")
    page.get_by_label("Tệp PDF đã ký số").set_input_files(str(tmp_path / "ket-qua.pdf"))
    with page.expect_navigation():
        page.get_by_role("button", name="Kiểm tra").click()
    assert "Văn bản xác thực." in page.inner_text("main")
    assert page.locator("h3", has_text="Hoàng Văn Em").count() == 1
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    context.close()
    js_page = browser.new_context(viewport=PHONE, locale=VI).new_page()
    js_page.goto(f"{site}/xac-thuc/")
    js_page.get_by_label("Tệp PDF đã ký số").set_input_files(str(tmp_path / "ket-qua.pdf"))
    with js_page.expect_navigation():
        js_page.get_by_role("button", name="Kiểm tra").click()
    results = _axe()().run(js_page)
    assert results.violations_count == 0, results.generate_report()
