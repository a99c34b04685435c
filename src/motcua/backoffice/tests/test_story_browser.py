"""The back office's stories in a real browser (issue 5, "Must show"), in Debian's Chromium with
JavaScript off, each official signing in with a password and a TOTP code:

1. a walk-in applicant: the reception officer receives the dossier at the counter by keyboard
   alone and prints Mẫu 01 (a valid PDF carrying the code); hands it over; the head of unit
   assigns it; the specialist examines it; the leader approves (signs); the clerk issues the
   result; the reception officer returns it;
2. supplementation and extension: the specialist asks for a document, the desk records it when
   the applicant brings it, the leader extends the time with an apology, and the desk shows the
   original and the new appointment.

Every page reached is also opened with JavaScript at 360 px and 1280 px and checked by axe-core
(no violation, no horizontal overflow, one h1), and a screenshot is saved under
docs/screenshots/ with a gallery (docs/screenshots/backoffice.md)."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
)
from django.conf import settings as django_settings
from django.core.cache import cache
from django.utils import timezone

from motcua.accounts.tests.mfa import fresh_totp_counter
from motcua.backoffice.tests.conftest import with_totp
from motcua.backoffice.tests.test_reports_pages import SHOTS_PREFIX as REPORTS_SHOTS_PREFIX
from motcua.backoffice.tests.test_reports_pages import gallery_section as reports_gallery_section
from motcua.dossiers.choices import DossierState
from motcua.dossiers.models import Dossier
from motcua.dossiers.services.counter import counter_desks
from motcua.portal.tests import test_browser as base

pytestmark = base.pytestmark
browser = base.browser
WIDE = {"width": 1280, "height": 900}
SHOTS = Path(django_settings.BASE_DIR).parents[1] / "docs" / "screenshots"
PASSWORD = "Mot-cua-dien-tu-2026"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
RESULT = b"%PDF-1.7\n% Giay xac nhan tinh trang hon nhan\ntrailer <<>>\n%%EOF\n"
PROCEDURE = "1.004873"


class Office:
    """One official's browser (JavaScript off), signed in with TOTP; audits pages it reaches."""

    shots: list[tuple[str, str, str]] = []

    def __init__(self, browser, site: str, user):
        self.browser, self.site, self.user = browser, site, user
        self.context = browser.new_context(
            viewport=base.PHONE, locale=base.VI, java_script_enabled=False
        )
        self.page = self.context.new_page()

    def close(self) -> None:
        self.context.close()

    def __enter__(self) -> Office:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def sign_in(self, secret: str) -> None:
        page = self.page
        page.goto(self.site + "/can-bo/")
        assert "/tai-khoan/login/" in page.url  # the back office asks who you are
        page.locator('input[name="login"]').fill(self.user.username)
        page.locator('input[name="password"]').fill(PASSWORD)
        self.submit(page.locator('form:has(input[name="password"]) button[type="submit"]'))
        assert "/2fa/" in page.url, page.url  # then the second factor
        counter = fresh_totp_counter(secret)
        page.locator('input[name="code"]').fill(format_hotp_value(hotp_value(secret, counter)))
        self.submit(page.locator('form:has(input[name="code"]) button[type="submit"]:not([form])'))
        assert page.url.endswith("/can-bo/"), page.url

    def submit(self, locator) -> None:
        with self.page.expect_navigation():
            locator.click()

    def press(self, locator, key: str = "Enter") -> None:
        """Keyboard only: focus the control and press a key that submits."""
        locator.focus()
        with self.page.expect_navigation():
            self.page.keyboard.press(key)

    def act(self, action: str, fields: dict[str, str] | None = None, files=None) -> None:
        """Open the action's <details> on the dossier desk by keyboard, fill it, confirm."""
        page = self.page
        block = page.locator(f"#action-{action}")
        assert block.count() == 1, (action, page.inner_text("main")[:2000])
        block.locator("summary").focus()
        page.keyboard.press("Enter")
        for name, value in (fields or {}).items():
            control = block.locator(f'[name="{action}-{name}"]')
            if control.first.get_attribute("type") == "radio":
                block.locator(f'[name="{action}-{name}"][value="{value}"]').focus()
                page.keyboard.press("Space")
            elif control.evaluate("e => e.tagName") == "SELECT":
                control.select_option(value)
            else:
                control.fill(value)
        for name, payload in (files or {}).items():
            block.locator(f'[name="{action}-{name}"]').set_input_files(payload)
        self.press(block.locator('button[type="submit"]'))
        assert page.locator(".error-summary").count() == 0, page.inner_text("main")[:3000]

    def seen(self, step: str, caption: str) -> None:
        """Audit the page this official is on, in fresh JavaScript browsers with the same
        session, at 360 and 1280 px; keep a phone screenshot for the gallery."""
        number = len(Office.shots) + 1
        cookies = self.context.cookies()
        for viewport in (base.PHONE, WIDE):
            with base.audited(
                self.browser,
                self.page.url,
                cookies=cookies,
                viewport=viewport,
                step=step,
                open_details=True,
            ) as (tab, _bodies):
                if viewport is base.PHONE:
                    name = f"office-{number:02d}-{step}.png"
                    tab.screenshot(path=str(SHOTS / name), full_page=True)
                    path = self.page.url.removeprefix(self.site).split("?")[0]
                    Office.shots.append((name, caption, path))

    def open_dossier(self, code: str) -> None:
        self.page.goto(f"{self.site}/can-bo/ho-so/{code}/")


def _gallery() -> None:
    lines = [
        "# The back office, step by step",
        "",
        "Written by `src/motcua/backoffice/tests/test_story_browser.py` on every test run: the",
        "pages officials reach in the two stories of issue 5, on a 360 px phone (Chromium). Each",
        "was also checked by axe-core at 360 and 1280 px.",
        "",
        "| # | Step | Page |",
        "|---|------|------|",
    ]
    for number, (name, caption, path) in enumerate(Office.shots, start=1):
        path = re.sub(r"/quay/[A-Za-z0-9_-]{6,}/", "/quay/‹token›/", path)
        lines.append(f"| {number} | [{caption}]({name}) | `{path}` |")
    lines.extend(reports_gallery_section())  # written by test_reports_pages.py
    (SHOTS / "backoffice.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module", autouse=True)
def gallery():
    """The screenshots of this module's stories, whatever order they run in."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    Office.shots = []
    yield
    if Office.shots:  # not when the browser is missing and the stories were skipped
        taken = {name for name, _caption, _path in Office.shots}
        for old in SHOTS.glob("office-*.png"):
            if old.name not in taken and not old.name.startswith(REPORTS_SHOTS_PREFIX):
                old.unlink()
        _gallery()


@pytest.fixture
def office(live_server, settings, c1_staff, catalogue, tree, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cache.clear()  # TOTP codes used by an earlier test in the same 30 s window
    static_dir = Path(django_settings.BASE_DIR) / "static"
    if static_dir not in [Path(d) for d in settings.STATICFILES_DIRS]:
        settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, static_dir]
    secrets = {}
    for role in ("reception", "unit_leader", "specialist", "agency_leader", "clerk"):
        user = getattr(c1_staff, role)
        user.set_password(PASSWORD)
        user.full_name = {
            "reception": "Trần Thị Quầy",
            "unit_leader": "Lê Văn Trưởng",
            "specialist": "Phạm Thị Chuyên",
            "agency_leader": "Nguyễn Văn Chủ",
            "clerk": "Đỗ Thị Thư",
        }[role]
        user.email = user.email or f"{user.username}@ubnd.example.vn"
        user.save()
        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        secrets[role] = with_totp(user)
    return {
        "url": live_server.url,
        "staff": c1_staff,
        "secrets": secrets,
        "tree": tree,
        "catalogue": catalogue,
    }


def _signed_in(browser, office, role: str) -> Office:
    official = Office(browser, office["url"], getattr(office["staff"], role))
    official.sign_in(office["secrets"][role])
    return official


def _pdftext(content: bytes) -> str:
    done = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True)
    return done.stdout.decode()


def _walk_in(desk: Office) -> str:
    """The counter intake by keyboard alone; returns the dossier code."""
    page = desk.page
    desk.submit(page.get_by_role("link", name=re.compile("Tiếp nhận hồ sơ tại quầy")))
    desk.seen("counter-start", "Tiếp nhận tại quầy: người nộp và thủ tục")
    lookup = page.locator("#id_tim")
    assert lookup.evaluate("e => e === document.activeElement")  # autofocus: type at once
    page.keyboard.type("038090001234")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Không tìm thấy" in page.inner_text("main") or "Nobody found" in page.inner_text("main")
    for name, value in (
        ("name", "Nguyễn Văn An"),
        ("id_number", "038090001234"),
        ("phone", "0912345678"),
        ("address", "Số 5 đường Lê Lợi, phường Hạc Thành"),
    ):
        page.locator(f"#id_{name}").focus()
        page.keyboard.type(value)
    case = page.locator("#id_case")
    case.focus()
    for _ in range(40):  # arrow keys move a closed <select> without opening it
        if PROCEDURE in case.evaluate("e => e.options[e.selectedIndex].text"):
            break
        page.keyboard.press("ArrowDown")
    assert PROCEDURE in case.evaluate("e => e.options[e.selectedIndex].text")
    page.keyboard.press("Tab")  # the next control is the form's button
    assert page.evaluate("document.activeElement.type") == "submit"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/can-bo/quay/" in page.url and page.locator("#docs-heading").count() == 1, page.url
    boxes = page.locator('input[type="checkbox"][name$="-nhan"]')
    for index in range(boxes.count()):
        boxes.nth(index).focus()
        page.keyboard.press("Space")
    page.locator('input[type="file"]').first.set_input_files(
        {"name": "to-khai-scan.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    desk.seen("counter-checklist", "Tiếp nhận tại quầy: thành phần hồ sơ và quyết định")
    desk.press(page.locator('button[value="receive"]'))
    assert "/can-bo/quay/xong/" in page.url, page.inner_text("main")[:3000]
    code = page.locator(".submit-code").inner_text().strip()
    desk.seen("counter-done", "Đã tiếp nhận: in Giấy tiếp nhận và hẹn trả kết quả (Mẫu 01)")
    link = page.get_by_role("link", name=re.compile("Mẫu 01"))
    pdf = desk.context.request.get(desk.site + link.get_attribute("href"))
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF-")
    assert code in _pdftext(pdf.body())  # Mẫu 01 carries the code
    return code


def test_walk_in_dossier_from_the_counter_to_the_returned_result(browser, office):
    staff = office["staff"]
    # the counter officer stays signed in at the desk the whole time
    desk = _signed_in(browser, office, "reception")
    try:
        desk.seen("home-reception", "Trang công việc của cán bộ Một cửa")
        code = _walk_in(desk)
        dossier = Dossier.objects.get(code=code)
        assert dossier.state == DossierState.RECEIVED and dossier.due_at is not None
        assert dossier.receiving_agency == counter_desks(staff.reception)[0]
        assert any(c.digitised for c in dossier.components.all())
        desk.open_dossier(code)
        desk.act("handover")

        with _signed_in(browser, office, "unit_leader") as head:
            head.page.goto(f"{head.site}/can-bo/hang-doi/chua-phan-cong/")
            head.seen("queue-unassigned", "Hàng đợi: chờ phân công")
            head.open_dossier(code)
            head.act("assign", {"assignee": staff.specialist.username})

        with _signed_in(browser, office, "specialist") as specialist:
            specialist.page.goto(f"{specialist.site}/can-bo/hang-doi/cua-toi/")
            specialist.seen("queue-mine", "Hàng đợi: hồ sơ của tôi")
            assert code in specialist.page.inner_text("main")
            specialist.open_dossier(code)
            specialist.seen("desk-specialist", "Bàn xử lý hồ sơ: chuyên viên thẩm định")
            specialist.act("handover", {"note": "Đủ điều kiện, trình lãnh đạo ký."})

        with _signed_in(browser, office, "agency_leader") as leader:
            leader.open_dossier(code)
            leader.seen("desk-leader", "Bàn xử lý hồ sơ: lãnh đạo ký duyệt")
            leader.act("handover", {"note": "Đồng ý."})

        with _signed_in(browser, office, "clerk") as clerk:
            clerk.open_dossier(code)
            clerk.act(
                "resolve",
                {"result_number": "25/XNHN", "signer": "Nguyễn Văn Chủ"},
                files={
                    "result_file": {
                        "name": "xac-nhan.pdf",
                        "mimeType": "application/pdf",
                        "buffer": RESULT,
                    }
                },
            )

        desk.page.goto(f"{desk.site}/can-bo/hang-doi/tra-ket-qua/")
        desk.seen("queue-results", "Hàng đợi: kết quả chờ trả")
        assert code in desk.page.inner_text("main")
        desk.open_dossier(code)
        desk.act("return_result", {"method": "counter", "recipient": "Nguyễn Văn An"})
        desk.seen("desk-returned", "Đã trả kết quả")
    finally:
        desk.close()
    dossier.refresh_from_db()
    assert dossier.state == DossierState.RETURNED
    steps = list(dossier.steps.order_by("order"))
    assert all(s.finished_at for s in steps), [(s.name, s.finished_at) for s in steps]
    assert [s.assignee_id for s in steps if s.role == "specialist"] == [staff.specialist.pk]


def test_supplementation_and_extension_at_the_desk(browser, office):
    staff = office["staff"]
    desk = _signed_in(browser, office, "reception")
    try:
        code = _walk_in(desk)
        desk.open_dossier(code)
        desk.act("handover")
        with _signed_in(browser, office, "unit_leader") as head:
            head.open_dossier(code)
            head.act("assign", {"assignee": staff.specialist.username})

        with _signed_in(browser, office, "specialist") as specialist:
            specialist.open_dossier(code)
            specialist.act(
                "request_supplement",
                {"reason": "Bản sao CCCD bị mờ.", "items": "Bản sao Căn cước công dân rõ nét"},
            )
            specialist.seen("desk-supplement", "Yêu cầu bổ sung: đồng hồ tạm dừng")
            assert "Tạm dừng tính thời gian từ" in specialist.page.inner_text("main")
        dossier = Dossier.objects.get(code=code)
        assert dossier.state == DossierState.SUPPLEMENT_REQUESTED

        # the applicant brings the document to the counter
        desk.open_dossier(code)
        desk.act(
            "supply",
            {"note": "Công dân nộp bổ sung tại quầy."},
            files={
                "files": {
                    "name": "cccd-ro-net.pdf",
                    "mimeType": "application/pdf",
                    "buffer": PDF + b"%cccd",
                }
            },
        )
        dossier.refresh_from_db()
        assert dossier.state == DossierState.IN_PROCESS
        original_due = dossier.due_at

        with _signed_in(browser, office, "agency_leader") as leader:
            leader.open_dossier(code)
            new_due = timezone.localtime(original_due) + dt.timedelta(days=7)
            leader.act(
                "extend",
                {
                    "new_due_date": new_due.strftime("%d/%m/%Y"),
                    "new_due_time": "16:30",
                    "reason": "Cần xác minh thông tin tại nơi cư trú trước đây.",
                },
            )
            leader.seen("desk-extended", "Gia hạn: hẹn cũ và hẹn mới trên bàn xử lý")
            text = leader.page.inner_text("main")
            assert timezone.localtime(original_due).strftime("%d/%m/%Y") in text
    finally:
        desk.close()
    dossier.refresh_from_db()
    assert dossier.due_at > original_due


def _signing_keys(settings, tmp_path, staff, commune) -> bytes:
    """``MOTCUA_SIGNING_KEYS`` for the leader and the commune's seal under a root of the test's
    own, trusted by the verifier; returns the root's PEM."""
    import json

    from motcua.documents import pki

    root = pki.make_root()
    leader = pki.issue(root, pki.Subject("Nguyễn Văn Chủ", commune.name, "", "Chủ tịch"))
    seal = pki.issue(root, pki.Subject(commune.name, commune.name))
    (tmp_path / "leader.p12").write_bytes(leader.pkcs12("leader"))
    (tmp_path / "seal.p12").write_bytes(seal.pkcs12("seal"))
    (tmp_path / "root.pem").write_bytes(root.certificate_pem())
    entry = {"passphrase_env": "STORY_P12"}
    config = {
        "people": {staff.agency_leader.username: {"pkcs12": str(tmp_path / "leader.p12")} | entry},
        "seals": {commune.code: {"pkcs12": str(tmp_path / "seal.p12")} | entry},
    }
    (tmp_path / "keys.json").write_text(json.dumps(config))
    settings.MOTCUA_SIGNING_KEYS = str(tmp_path / "keys.json")
    settings.MOTCUA_TRUST_ROOTS = [str(tmp_path / "root.pem")]
    return root.certificate_pem()


def test_a_leader_signs_the_result_and_the_citizen_checks_it(
    browser, office, settings, tmp_path, monkeypatch, applicant_user, live_server
):
    """Issue 7, "Must show": the leader signs the result in the back office (numbered, personal
    signature and seal); the desk returns it online; the citizen downloads it from the portal
    and its verification page calls it genuine; the downloaded file passes ``pdfsig``."""
    from concurrent.futures import ThreadPoolExecutor

    from django.test import Client

    from motcua.documents.models import OutgoingDocument
    from motcua.documents.tests.samples import pdfsig
    from motcua.documents.verification import verify_pdf
    from motcua.dossiers.services import lifecycle as svc
    from motcua.portal.tests.test_mine import in_process

    staff, tree = office["staff"], office["tree"]
    monkeypatch.setenv("STORY_P12", "motcua-demo-pki")
    root_pem = _signing_keys(settings, tmp_path, staff, tree.c1)
    version = office["catalogue"][PROCEDURE]
    dossier = in_process(applicant_user, staff, version, tree.c1_units["pvhcc"])
    svc.dossier_handover(actor=staff.specialist, dossier=dossier)  # examined: to the leader

    with _signed_in(browser, office, "agency_leader") as leader:
        leader.open_dossier(dossier.code)
        leader.submit(leader.page.get_by_role("link", name="Ký số và ban hành kết quả"))
        page = leader.page
        assert page.locator("#id_v_full_name").input_value() == dossier.applicant_name
        for name, value in (
            ("birth_date", "12/05/1990"),
            ("sex", "Nam"),
            ("ethnicity", "Kinh"),
            ("nationality", "Việt Nam"),
            ("status", "Chưa đăng ký kết hôn với ai"),
            ("purpose", "Đăng ký kết hôn"),
        ):
            page.locator(f"#id_v_{name}").fill(value)
        page.locator('[name="competence"][value="chairman"]').focus()
        page.keyboard.press("Space")
        leader.seen("sign-result", "Lãnh đạo ký số kết quả (số, chữ ký cá nhân, chữ ký tổ chức)")
        leader.press(page.get_by_role("button", name="Ký số và ban hành"))
        assert page.locator(".error-summary").count() == 0, page.inner_text("main")[:3000]
        assert "01/XNTTHN-UBND" in page.inner_text("main")
        leader.seen("desk-signed", "Đã ký số và ban hành: hồ sơ đã xử lý xong")

    desk = _signed_in(browser, office, "reception")
    try:
        desk.open_dossier(dossier.code)
        desk.act("return_result", {"method": "online"})
    finally:
        desk.close()

    client = Client()
    client.force_login(applicant_user)
    context = browser.new_context(viewport=base.PHONE, locale=base.VI, java_script_enabled=False)
    context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/ho-so-cua-toi/{dossier.code}/")
        assert "01/XNTTHN-UBND" in page.inner_text("main")
        with page.expect_download() as waiting:
            page.get_by_role("link", name=re.compile("Tải kết quả")).click()
        pdf = Path(waiting.value.path()).read_bytes()
        document = OutgoingDocument.objects.get(dossier=dossier)
        assert document.file is not None and pdf.startswith(b"%PDF-")
        with ThreadPoolExecutor(1) as pool:  # pyHanko's event loop, not Playwright's
            check = pool.submit(verify_pdf, pdf).result()
        assert check.genuine and len(check.signatures) == 2, check.problems()
        report = pdfsig(pdf, root_pem, tmp_path)
        assert report.count("Signature Validation: Signature is Valid.") == 2, report
        assert "Certificate Validation: Certificate is Trusted." in report
        shot = SHOTS / f"office-{len(Office.shots) + 1:02d}-citizen-result.png"
        page.screenshot(path=str(shot), full_page=True)
        Office.shots.append(
            (shot.name, "Công dân tải kết quả đã ký số", f"/ho-so-cua-toi/{dossier.code}/")
        )

        with page.expect_navigation():
            page.get_by_role("link", name="kiểm tra chữ ký số của kết quả này").click()
        main = page.inner_text("main")
        assert "Văn bản xác thực." in main and "01/XNTTHN-UBND" in main, main[:2000]
        assert page.evaluate("document.scrollingElement.scrollWidth") <= base.PHONE["width"]
        shot = SHOTS / f"office-{len(Office.shots) + 1:02d}-verify-genuine.png"
        page.screenshot(path=str(shot), full_page=True)
        Office.shots.append((shot.name, "Trang xác thực: văn bản xác thực", "/xac-thuc/‹id›/"))
    finally:
        context.close()
    dossier.refresh_from_db()
    assert dossier.state == DossierState.RETURNED and dossier.result_file_id == document.file_id
