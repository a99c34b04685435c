"""The citizen's whole story in a real browser (issue 4, "Must show"), on a 360 px phone with
JavaScript off, as on a cheap phone with a slow link:

sign up → confirm the e-mail → fill the profile → submit a birth registration with attachments →
see the confirmation with the code and the due date → (the commune's officials, through the
services, receive it and ask for a missing document) → supply it → (the result is issued and
returned online) → download the result → rate the service.

Every page the citizen sees is also opened in Chromium with JavaScript at 360 px and 1280 px and
checked by axe-core; its weight (all responses, raw and gzip-compressed) is measured at 360 px and
a screenshot saved under docs/screenshots/ with a gallery (docs/screenshots/README.md)."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from motcua.dossiers.choices import DossierState
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import lifecycle as svc
from motcua.feedback.models import DossierRating
from motcua.org.choices import Role
from motcua.org.tests.factories import official
from motcua.portal.tests import test_browser as base
from motcua.portal.tests.test_submit import BIRTH, CHILD, MOTHER, PDF, REQUESTER, birth  # noqa: F401

pytestmark = base.pytestmark
browser = base.browser  # the module-scoped Chromium
WIDE = {"width": 1280, "height": 900}
SHOTS = Path(django_settings.BASE_DIR).parents[1] / "docs" / "screenshots"
PASSWORD = "Khai-sinh-cho-con-2026"
# A page of the portal, with everything it loads, compressed as the server sends it in
# production (WhiteNoise and the reverse proxy): the budget of docs/performance.md.
BUDGET_GZIP = 150 * 1024
RESULT = b"%PDF-1.7\n% Giay khai sinh (ban chinh) - ban dien tu\ntrailer <<>>\n%%EOF\n"


class Story:
    """Drives the JavaScript-free phone and audits every page it reaches."""

    def __init__(self, browser, site: str):
        self.browser, self.site = browser, site
        self.context = browser.new_context(
            viewport=base.PHONE, locale=base.VI, java_script_enabled=False, accept_downloads=True
        )
        self.page = self.context.new_page()
        self.rows: list[tuple[str, str, str, int, int, int]] = []

    def close(self) -> None:
        self.context.close()

    def seen(self, step: str, caption: str) -> None:
        """Audit the page the phone is on, in fresh browsers with the same session."""
        number = len(self.rows) + 1
        cookies = self.context.cookies()
        for viewport in (base.PHONE, WIDE):
            with base.audited(
                self.browser, self.page.url, cookies=cookies, viewport=viewport, step=step
            ) as (tab, bodies):
                if viewport is base.PHONE:
                    raw = sum(len(b) for b in bodies)
                    packed = sum(len(gzip.compress(b, 6)) for b in bodies)
                    assert packed <= BUDGET_GZIP, (step, packed)
                    path = self.page.url.removeprefix(self.site).split("?")[0]
                    self.rows.append((step, caption, path, len(bodies), raw, packed))
                    tab.screenshot(
                        path=str(SHOTS / f"story-{number:02d}-{step}.png"), full_page=True
                    )

    def click(self, locator) -> None:
        with self.page.expect_navigation():
            locator.click()

    def gallery(self) -> None:
        lines = [
            "# The citizen portal, step by step",
            "",
            "Written by `src/motcua/portal/tests/test_story_browser.py` on every test run: each",
            "page of a citizen's story on a 360 px phone without JavaScript (Chromium). Weight is",
            "every response of the page (HTML, stylesheet, images), raw and gzip-compressed.",
            "",
            "| # | Step | Page | Requests | Raw bytes | Compressed bytes |",
            "|---|------|------|---------:|----------:|-----------------:|",
        ]
        for number, (step, caption, path, count, raw, packed) in enumerate(self.rows, start=1):
            path = re.sub(r"/[0-9a-f-]{36}/", "/‹draft›/", path.split("#")[0])
            path = re.sub(r"(confirm-email/)[^/]+/", r"\1‹key›/", path)
            shot = f"story-{number:02d}-{step}.png"
            lines.append(
                f"| {number} | [{caption}]({shot}) | `{path}` | {count} | {raw:,} | {packed:,} |"
            )
        (SHOTS / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def site(live_server, birth, settings):  # noqa: F811
    static_dir = Path(django_settings.BASE_DIR) / "static"
    if static_dir not in [Path(d) for d in settings.STATICFILES_DIRS]:
        settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, static_dir]
    return live_server.url


def _sign_up(story: Story, mailoutbox) -> None:
    page, site = story.page, story.site
    page.goto(site + "/")
    story.click(page.get_by_role("link", name="Đăng nhập", exact=True))
    story.seen("login", "Đăng nhập")
    story.click(page.locator('main a[href^="/tai-khoan/signup/"]').first)
    story.seen("signup", "Đăng ký tài khoản")
    page.fill("#id_email", "hoa.le@example.vn")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    story.click(page.locator("main form button[type=submit]").first)
    story.seen("verify", "Kiểm tra hộp thư")
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["hoa.le@example.vn"]
    key = re.search(r"/tai-khoan/confirm-email/([^/\s]+)/", mailoutbox[0].body)
    assert key, mailoutbox[0].body
    page.goto(f"{site}/tai-khoan/confirm-email/{key.group(1)}/")
    story.seen("confirm", "Xác nhận địa chỉ thư điện tử")
    story.click(page.locator("main form button[type=submit]").first)


def _profile(story: Story) -> None:
    page = story.page
    page.goto(story.site + "/tai-khoan/ho-so/")
    story.seen("profile", "Hồ sơ cá nhân")
    page.fill("#id_full_name", "Lê Thị Hoa")
    page.fill("#id_id_number", "038190000123")
    page.fill("#id_date_of_birth", "12/05/1990")
    page.fill("#id_address", "Số 1 Hạc Thành")
    page.select_option("#id_province", "38")
    story.click(page.get_by_role("button", name="Chọn", exact=True))
    page.select_option("#id_commune", "14848")
    story.click(page.get_by_role("button", name="Lưu", exact=True))
    assert "Đã lưu hồ sơ cá nhân." in page.inner_text("main")


def _submit(story: Story) -> Dossier:
    page, site = story.page, story.site
    page.goto(f"{site}/thu-tuc/{BIRTH}/?province=38&commune=14848")
    story.seen("procedure", "Trang thủ tục: Đăng ký khai sinh")
    story.click(page.locator(f'a[href="/nop-ho-so/{BIRTH}/"]'))
    story.seen("start", "Bắt đầu nộp hồ sơ")
    story.click(page.locator("button.button--start"))
    if page.locator("#id_commune").count():  # the profile's commune is preselected
        story.seen("where", "Nơi nộp hồ sơ")
        page.select_option("#id_province", "38")
        story.click(page.get_by_role("button", name="Xem danh sách xã"))
        page.select_option("#id_commune", "14848")
        story.click(page.locator('form.location[method="post"] button'))
    # (fill() replaces what the profile prefilled)
    for number, answers in enumerate([REQUESTER, CHILD, MOTHER, {}, {}], start=1):
        story.seen(f"form-{number}", f"Tờ khai, trang {number}")
        for name, value in answers.items():
            radio = page.locator(f'input[type="radio"][name="{name}"][value="{value}"]')
            if radio.count():
                radio.check()
            else:
                page.fill(f'[name="{name}"]', value)
        if number == 5:
            page.check('input[name="declaration"]')
        story.click(page.locator('main form[method="post"] button[type="submit"]'))
    story.seen("documents", "Giấy tờ kèm theo")
    for index in range(page.locator('input[type="file"]').count()):
        page.locator('input[type="file"]').nth(index).set_input_files(
            {
                "name": f"giay-to-{index}.pdf",
                "mimeType": "application/pdf",
                "buffer": PDF + b"%" * index,
            }
        )
        section = page.locator("section.submit-doc").nth(index)
        story.click(section.locator('form[enctype] button[type="submit"]'))
    story.click(page.locator('input[value="continue"] ~ div button'))
    story.seen("check", "Kiểm tra lại thông tin")
    story.click(page.locator("main a.button"))
    story.seen("declare", "Cam đoan và nộp")
    page.check("#id_confirm")
    story.click(page.locator('main form[method="post"] button[type="submit"]'))
    story.seen("done", "Đã nộp: mã hồ sơ và ngày hẹn trả")
    dossier = Dossier.objects.get(owner__email="hoa.le@example.vn")
    assert dossier.code in page.locator(".submit-code").inner_text()
    # the clock starts at reception; the page says when the result would be due from now on
    assert re.search(r"ngày hẹn trả sẽ là \d\d:\d\d \d\d/\d\d/\d{4}", page.inner_text("main"))
    return dossier


def test_a_citizen_signs_up_submits_supplies_downloads_and_rates(browser, site, portal, mailoutbox):
    desk = portal["hac_thanh"]
    reception = official("tn-story", home=desk, role=Role.RECEPTION).user
    specialist = official("cv-story", home=desk, role=Role.SPECIALIST).user
    clerk = official("vt-story", home=desk, role=Role.CLERK).user
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("story-*.png"):
        old.unlink()
    story = Story(browser, site)
    page = story.page
    try:
        _sign_up(story, mailoutbox)
        _profile(story)
        dossier = _submit(story)
        story.click(page.get_by_role("link", name="Hồ sơ của tôi").first)
        story.seen("mine", "Hồ sơ của tôi")

        # The desk receives it; the specialist asks for a clearer birth certificate.
        svc.dossier_receive(actor=reception, dossier=dossier)
        svc.dossier_handover(actor=reception, dossier=dossier)
        svc.dossier_request_supplement(
            actor=specialist,
            dossier=dossier,
            reason="Giấy chứng sinh bị mờ, không đọc được số.",
            items=["Giấy chứng sinh (bản chụp rõ nét)"],
        )
        page.goto(f"{site}/ho-so-cua-toi/{dossier.code}/")
        story.seen("supplement", "Yêu cầu bổ sung giấy tờ")
        assert "Giấy chứng sinh bị mờ" in page.inner_text("main")
        page.get_by_label("Giấy chứng sinh (bản chụp rõ nét)").set_input_files(
            {"name": "giay-chung-sinh.pdf", "mimeType": "application/pdf", "buffer": PDF + b"%ro"}
        )
        story.click(page.get_by_role("button", name=re.compile("Gửi giấy tờ")))
        assert page.locator(".message--success").count() == 1
        dossier.refresh_from_db()
        assert dossier.state == DossierState.IN_PROCESS

        # Examined, signed and returned online.
        svc.dossier_handover(actor=specialist, dossier=dossier)
        svc.dossier_resolve(
            actor=clerk,
            dossier=dossier,
            result_number="125/GKS",
            signer="Chủ tịch UBND phường Hạc Thành",
            result_content=RESULT,
            result_file_name="giay-khai-sinh.pdf",
        )
        svc.dossier_return_result(actor=reception, dossier=dossier, method="online")
        page.goto(f"{site}/ho-so-cua-toi/{dossier.code}/")
        story.seen("result", "Kết quả trả trực tuyến và đánh giá")
        with page.expect_download() as info:
            page.get_by_role("link", name=re.compile("Tải kết quả")).click()
        download = info.value
        assert download.suggested_filename == "giay-khai-sinh.pdf"
        assert Path(download.path()).read_bytes() == RESULT

        page.get_by_role("radio", name="Hài lòng", exact=True).first.check()
        page.locator('input[name="dg-convenience"][value="very_satisfied"]').check()
        page.locator('input[name="dg-overall"][value="satisfied"]').check()
        page.get_by_label("Ý kiến (không bắt buộc)").fill("Nộp trên điện thoại rất nhanh.")
        story.click(page.get_by_role("button", name=re.compile("Gửi đánh giá")))
        story.seen("rated", "Đã đánh giá")
        rating = DossierRating.objects.get(dossier=dossier)
        assert (rating.liked, rating.convenience, rating.overall) == (
            True,
            "very_satisfied",
            "satisfied",
        )
        story.gallery()
    finally:
        story.close()


def test_choosing_the_case_and_the_organisation(browser, site, portal):
    """The "which case" and "who is the dossier for" steps: axe-clean at 360 and 1280 px; the
    second used without JavaScript."""
    from django.test import Client

    from motcua.accounts.services import organisations as orgs
    from motcua.catalog.models import ProcedureVersion
    from motcua.dossiers.services import drafts
    from motcua.org.models import Agency
    from motcua.org.tests.factories import UserFactory

    birth_version = ProcedureVersion.objects.get(procedure__code=BIRTH)
    birth_version.applicant_types = [1, 2]
    birth_version.save(update_fields=["applicant_types"])
    from motcua.portal.tests.test_submit import second_case

    second_case(birth_version)  # so that the "which case" step is shown too
    user = UserFactory(username="gd-story", full_name="Trần Văn Sơn")
    company = orgs.organisation_register(
        actor=user, name="Công ty TNHH Hạc Thành", tax_code="2801234567"
    )
    draft = drafts.draft_start(actor=user, version=birth_version)
    drafts.draft_choose_where(actor=user, draft=draft, commune=Agency.objects.get(code="14848"))
    client = Client()
    client.force_login(user)
    cookie = {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": site}
    url = f"{site}/nop-ho-so/{BIRTH}/{draft.uuid}/nguoi-nop/"
    for viewport, address in (
        (base.PHONE, url),
        (WIDE, url),
        (base.PHONE, url.replace("/nguoi-nop/", "/truong-hop/")),
        (WIDE, url.replace("/nguoi-nop/", "/truong-hop/")),
    ):
        context = browser.new_context(viewport=viewport, locale=base.VI)
        context.add_cookies([cookie])
        page = context.new_page()
        try:
            assert page.goto(address).status == 200
            assert page.evaluate("document.scrollingElement.scrollWidth") <= viewport["width"]
            results = base._axe()().run(page)
            assert results.violations_count == 0, results.generate_report()
        finally:
            context.close()
    context = browser.new_context(viewport=base.PHONE, locale=base.VI, java_script_enabled=False)
    context.add_cookies([cookie])
    page = context.new_page()
    try:
        page.goto(url)
        page.get_by_label("Công ty TNHH Hạc Thành", exact=False).check()
        with page.expect_navigation():
            page.get_by_role("button", name="Tiếp tục").click()
        assert page.url.endswith("/to-khai/1/")
    finally:
        context.close()
    draft.refresh_from_db()
    assert draft.organisation == company
