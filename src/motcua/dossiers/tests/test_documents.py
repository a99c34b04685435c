"""Official forms as PDF and the register as XLSX (SPEC.md §1.8, §2.1; NĐ 30/2020 Phụ lục I)."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from motcua.catalog.models import ProcedureVersion
from motcua.catalog.services.transfer import import_catalog
from motcua.catalog.tests.documents import sample_document
from motcua.core.errors import NotFound
from motcua.dossiers.choices import (
    Action,
    DossierState,
    FormRegime,
    ReturnMethod,
    SupplementPhase,
    Timeliness,
)
from motcua.dossiers.documents import (
    FORM_KINDS,
    available_forms,
    barcode,
    regime_for,
    render_dossier_form,
    render_register_pdf,
    render_register_xlsx,
)
from motcua.dossiers.documents.regimes import FORMS, form_spec
from motcua.dossiers.documents.text import heading, long_date, place_name
from motcua.dossiers.models import (
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierStep,
    Extension,
    SupplementRequest,
    Transfer,
)
from motcua.org.tests.factories import UserFactory

VN = ZoneInfo("Asia/Ho_Chi_Minh")
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdffonts") is None,
    reason="poppler-utils (pdftotext, pdffonts) is not installed: apt-get install poppler-utils",
)


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=VN)


def pdf_text(pdf: bytes) -> str:
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return " ".join(out.stdout.decode("utf-8").split())


def pdf_lines(pdf: bytes) -> list[str]:
    """Lines in physical layout, so that a table row reads as one line."""
    out = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    )
    return [" ".join(line.split()) for line in out.stdout.decode("utf-8").splitlines()]


# --- a received dossier, built directly (the lifecycle services are separate) ------------------


@pytest.fixture
def procedure(db):
    import_catalog(sample_document())
    # "Cấp Giấy xác nhận tình trạng hôn nhân": 03 ngày làm việc (SPEC.md §8.2)
    return ProcedureVersion.objects.get(procedure__code="1.004873")


def make_dossier(tree, version, *, received: dt.datetime | None, code: str | None, **extra):
    receiving = tree.c1_units["pvhcc"]
    due = received + dt.timedelta(days=3) if received else None
    values = {
        "procedure_version": version,
        "variant": version.variants.get(is_default=True),
        "receiving_agency": receiving,
        "handling_agency": tree.c1,
        "channel": 1,
        "state": DossierState.IN_PROCESS,
        "applicant_name": "Nguyễn Văn An",
        "applicant_phone": "0912345678",
        "applicant_email": "an@example.vn",
        "applicant_address": "12 Lê Lợi, phường Hạc Thành, tỉnh Thanh Hóa",
        "code": code,
        "submitted_at": received,
        "received_at": received,
        "due_at": due,
        "original_due_at": due,
        "register_number": 17,
        "return_method": ReturnMethod.COUNTER,
        "sets": 1,
    }
    values.update(extra)
    dossier = Dossier.objects.create(**values)
    DossierComponent.objects.create(
        dossier=dossier, name="Tờ khai cấp Giấy xác nhận tình trạng hôn nhân", is_original=True
    )
    DossierComponent.objects.create(
        dossier=dossier, name="Căn cước công dân", is_original=False, quantity=2, order=1
    )
    return dossier


def add_event(dossier, action, when, actor=None, reason="", **extra) -> DossierEvent:
    seq = dossier.events.count() + 1
    return DossierEvent.objects.create(
        dossier=dossier,
        seq=seq,
        action=action,
        at=when,
        actor=actor,
        reason=reason,
        hash=f"{seq:064d}",
        **extra,
    )


def add_history(tree, dossier: Dossier) -> None:
    """Reception, three steps (early, on time, late), a transfer and an extension."""
    receiver = UserFactory(username=f"tn-{dossier.pk}", full_name="Lê Thị Tiếp Nhận")
    specialist = UserFactory(username=f"cv-{dossier.pk}", full_name="Trần Văn Chuyên")
    leader = UserFactory(username=f"ld-{dossier.pk}", full_name="Phạm Văn Lãnh")
    t0 = dossier.received_at
    add_event(dossier, Action.RECEIVE, t0, actor=receiver)
    steps = [
        ("Tiếp nhận", dossier.receiving_agency, receiver, 0, 4, 2, Timeliness.EARLY),
        ("Thẩm định", tree.c1_units["van-phong"], specialist, 2, 24, 24, Timeliness.ON_TIME),
        ("Ký duyệt", tree.c1, leader, 24, 28, 50, Timeliness.LATE),
    ]
    for order, (name, agency, user, start, due, end, timeliness) in enumerate(steps, start=1):
        DossierStep.objects.create(
            dossier=dossier,
            order=order,
            name=name,
            agency=agency,
            role="specialist",
            assignee=user,
            finished_by=user,
            started_at=t0 + dt.timedelta(hours=start),
            due_at=t0 + dt.timedelta(hours=due),
            finished_at=t0 + dt.timedelta(hours=end),
            timeliness=timeliness,
        )
        if order > 1:
            add_event(dossier, Action.HANDOVER, t0 + dt.timedelta(hours=start), actor=user)
    Transfer.objects.create(
        dossier=dossier,
        from_agency=tree.c1,
        to_agency=tree.p1_units["tu-phap"],
        sent_at=t0 + dt.timedelta(hours=5),
        hours=Decimal(8),
        due_at=t0 + dt.timedelta(hours=20),
    )
    Extension.objects.create(
        dossier=dossier,
        created_at=t0 + dt.timedelta(days=3),
        created_by=leader,
        reason="Phải xác minh tình trạng hôn nhân tại nơi cư trú trước đây.",
        original_due=dossier.due_at,
        previous_due=dossier.due_at,
        new_due=dossier.due_at + dt.timedelta(days=2),
        regime=str(regime_for(t0.date())),
    )


@pytest.fixture
def tt01_dossier(tree, procedure):
    # Received 30/06/2025, the last day of Thông tư 01/2018.
    dossier = make_dossier(
        tree, procedure, received=at(2025, 6, 30, 9, 15), code="000.00.00.H56-250630-0001"
    )
    add_history(tree, dossier)
    return dossier


@pytest.fixture
def tt03_dossier(tree, procedure):
    # Received 01/07/2025, the first day of Thông tư 03/2025.
    dossier = make_dossier(
        tree, procedure, received=at(2025, 7, 1, 14, 5), code="000.00.00.H56-250701-0002"
    )
    add_history(tree, dossier)
    return dossier


# --- Code128 and QR (SPEC.md §2.1) ------------------------------------------------------------


def test_code128_checksum_by_hand():
    # "PJJ123C": start B = 104; values P=48 J=42 J=42 1=17 2=18 3=19 C=35;
    # 104 + 48·1 + 42·2 + 42·3 + 17·4 + 18·5 + 19·6 + 35·7 = 879; 879 mod 103 = 55.
    assert barcode.code128b_values("PJJ123C") == [104, 48, 42, 42, 17, 18, 19, 35, 55]
    # "A": 104 + 33·1 = 137; 137 mod 103 = 34.
    assert barcode.code128b_values("A") == [104, 33, 34]


def test_code128_patterns_are_well_formed():
    assert len(barcode.PATTERNS) == 106
    assert all(sum(map(int, p)) == 11 for p in barcode.PATTERNS)
    assert len(set(barcode.PATTERNS)) == 106
    assert sum(map(int, barcode.STOP)) == 13
    # start B, "A", checksum 34, stop
    assert barcode.code128b_widths("A") == "211214" + "111323" + "131123" + "2331112"


def test_code128_of_a_dossier_code():
    code = "000.00.00.H56-250630-0001"
    widths = barcode.code128b_widths(code)
    # (start + data + checksum) × 11 modules + stop 13
    assert sum(map(int, widths)) == (len(code) + 2) * 11 + 13
    svg = barcode.code128_svg(code)
    assert svg.startswith("<svg") and svg.count("<rect") == 1 + (len(widths) + 1) // 2
    with pytest.raises(barcode.BarcodeError):
        barcode.code128b_values("Hồ sơ")


@override_settings(MOTCUA_PUBLIC_URL="")
def test_qr_links_to_the_public_tracking_page():
    code = "000.00.00.H56-250630-0001"
    assert barcode.tracking_url(code) == f"http://127.0.0.1:8000/tra-cuu/?ma={code}"
    with override_settings(MOTCUA_PUBLIC_URL="https://dichvucong.thanhhoa.gov.vn/"):
        assert barcode.tracking_url(code) == (
            f"https://dichvucong.thanhhoa.gov.vn/tra-cuu/?ma={code}"
        )
    uri = barcode.qr_data_uri(barcode.tracking_url(code))
    assert uri.startswith("data:image/svg+xml")


# --- regimes (SPEC.md §1.8) ----------------------------------------------------------------


def test_regime_by_reception_date():
    assert regime_for(dt.date(2025, 6, 30)) == FormRegime.TT01_2018
    assert regime_for(dt.date(2025, 7, 1)) == FormRegime.TT03_2025
    with override_settings(MOTCUA_FORMS_TT03_FROM=dt.date(2025, 8, 1)):
        assert regime_for(dt.date(2025, 7, 31)) == FormRegime.TT01_2018
    with override_settings(MOTCUA_FORMS_TT03_FROM="2025-08-01"):  # as read from the environment
        assert regime_for(dt.date(2025, 7, 31)) == FormRegime.TT01_2018
        assert regime_for(dt.date(2025, 8, 1)) == FormRegime.TT03_2025


def test_form_table():
    assert {kind for _, kind in FORMS} == set(FORM_KINDS)
    # Thông tư 01/2018 has no stop notice; 03/2025 renumbers the control sheet and register.
    assert form_spec(FormRegime.TT01_2018, "stop_notice") is None
    numbers = {
        regime: {
            kind: form_spec(regime, kind).number for kind in FORM_KINDS if form_spec(regime, kind)
        }
        for regime in FormRegime
    }
    assert numbers[FormRegime.TT01_2018] == {
        "receipt": "01",
        "completion_request": "02",
        "refusal": "03",
        "apology": "04",
        "control_sheet": "05",
        "register": "06",
    }
    assert numbers[FormRegime.TT03_2025] == {
        "receipt": "01",
        "completion_request": "02",
        "refusal": "03",
        "apology": "04",
        "stop_notice": "05",
        "control_sheet": "06",
        "register": "07",
    }


def test_heading_and_place(tree):
    # NĐ 30/2020: a People's Committee prints no governing body; a unit prints its committee.
    assert heading(tree.c1) == {
        "governing": [],
        "agency": ["ỦY BAN NHÂN DÂN", "PHƯỜNG HẠC THÀNH"],
    }
    assert heading(tree.c1_units["pvhcc"]) == {
        "governing": ["UBND PHƯỜNG HẠC THÀNH"],
        "agency": ["TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG"],
    }
    assert place_name(tree.p1) == "Thanh Hóa"
    assert place_name(tree.p2) == "Hà Nội"
    # NĐ 30/2020 Phụ lục I: a leading zero for days < 10 and for months 1 and 2 only.
    assert long_date(dt.date(2026, 1, 5)) == "ngày 05 tháng 01 năm 2026"
    assert long_date(dt.date(2025, 6, 30)) == "ngày 30 tháng 6 năm 2025"


def test_available_forms(tree, procedure, tt01_dossier, tt03_dossier):
    assert available_forms(tt01_dossier) == ["receipt", "apology", "control_sheet"]
    stopped = make_dossier(
        tree,
        procedure,
        received=at(2025, 7, 2, 8, 0),
        code="000.00.00.H56-250702-0001",
        state=DossierState.STOPPED,
    )
    assert available_forms(stopped) == ["receipt", "stop_notice", "control_sheet"]
    stopped_tt01 = make_dossier(
        tree,
        procedure,
        received=at(2025, 6, 2, 8, 0),
        code="000.00.00.H56-250602-0001",
        state=DossierState.STOPPED,
    )
    assert "stop_notice" not in available_forms(stopped_tt01)
    refused = make_dossier(
        tree,
        procedure,
        received=None,
        submitted_at=at(2025, 7, 3, 8, 0),
        code=None,
        state=DossierState.REJECTED,
    )
    assert available_forms(refused) == ["refusal"]
    with pytest.raises(NotFound) as excinfo:
        render_dossier_form(dossier=stopped_tt01, kind="stop_notice")
    assert excinfo.value.code == "form_not_available"
    with pytest.raises(NotFound):
        render_dossier_form(dossier=refused, kind="receipt")
    with pytest.raises(NotFound):
        render_dossier_form(dossier=refused, kind="register")


# --- the PDFs ------------------------------------------------------------------------------


NATIONAL_HEADING = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc"


@needs_poppler
def test_receipt_tt01(tt01_dossier):
    pdf = render_dossier_form(dossier=tt01_dossier, kind="receipt")
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert "Mẫu số 01" in text
    assert "UBND PHƯỜNG HẠC THÀNH" in text and "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG" in text
    assert NATIONAL_HEADING in text
    assert "Thanh Hóa, ngày 30 tháng 6 năm 2025" in text
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert "Mã hồ sơ: 000.00.00.H56-250630-0001" in text
    assert "Nguyễn Văn An" in text and "0912345678" in text and "an@example.vn" in text
    assert "Cấp Giấy xác nhận tình trạng hôn nhân" in text
    assert "Căn cước công dân Bản sao 2" in text
    assert "3 ngày làm việc" in text
    assert "Thời gian nhận hồ sơ: 09 giờ 15 phút, ngày 30/06/2025" in text
    assert "Thời gian trả kết quả giải quyết hồ sơ: 09 giờ 15 phút, ngày 03/07/2025" in text
    assert "Số thứ tự: 17" in text
    assert "Lê Thị Tiếp Nhận" in text  # actor of the receive event


@pytest.mark.skipif(
    shutil.which("zbarimg") is None or shutil.which("pdftoppm") is None,
    reason="zbarimg (apt-get install zbar-tools) and pdftoppm are needed to read the codes back",
)
def test_the_printed_codes_scan(tt01_dossier, tmp_path):
    # SPEC.md §2.1: Code128 of the dossier code and a QR of the tracking URL on Mẫu 01,
    # read back from the rendered page by an independent decoder.
    (tmp_path / "receipt.pdf").write_bytes(
        render_dossier_form(dossier=tt01_dossier, kind="receipt")
    )
    subprocess.run(
        ["pdftoppm", "-png", "-r", "300", "-f", "1", "-l", "1", "receipt.pdf", "page"],
        cwd=tmp_path,
        check=True,
    )
    page = next(tmp_path.glob("page*.png"))
    out = subprocess.run(["zbarimg", "--quiet", str(page)], capture_output=True, text=True)
    symbols = set(out.stdout.split())
    assert "CODE-128:000.00.00.H56-250630-0001" in symbols
    assert "QR-Code:" + barcode.tracking_url("000.00.00.H56-250630-0001") in symbols


def test_forms_fetch_nothing_but_data_and_the_fonts():
    from motcua.dossiers.documents.pdf import FONT_DIR, _local_fetcher

    fetcher = _local_fetcher()
    for url in ("file:///etc/hostname", "http://127.0.0.1/x.png", "https://example.com/a.css"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    response = fetcher.fetch((FONT_DIR / "LiberationSerif-Regular.ttf").as_uri())
    try:
        assert response.read(4) == b"\x00\x01\x00\x00"  # a TrueType font
    finally:
        response.close()


@needs_poppler
def test_the_fonts_are_embedded(tt01_dossier):
    # The vendored Liberation Serif is declared under a private family name, so no system font
    # can stand in for it; WeasyPrint names the embedded subsets after that family.
    pdf = render_dossier_form(dossier=tt01_dossier, kind="receipt")
    out = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True)
    listing = out.stdout.decode()
    fonts = [line.split() for line in listing.splitlines()[2:]]
    names = {f[0].split("+")[-1] for f in fonts}
    assert names <= {
        "Motcua-Liberation-Serif",
        "Motcua-Liberation-Serif-Bold",
        "Motcua-Liberation-Serif-Italic",
        "Motcua-Liberation-Serif-Bold-Italic",
    }, listing
    assert {"Motcua-Liberation-Serif", "Motcua-Liberation-Serif-Bold"} <= names, listing
    # columns: name type encoding emb sub uni object-id; "emb" is 5th from the end
    assert all(f[-5] == "yes" for f in fonts), listing


@needs_poppler
def test_apology_title_follows_the_reception_date(tt01_dossier, tt03_dossier):
    old = pdf_text(render_dossier_form(dossier=tt01_dossier, kind="apology"))
    assert "Mẫu số 04" in old and "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in old
    assert "Kính gửi: Ông/Bà Nguyễn Văn An" in old
    assert "Phải xác minh tình trạng hôn nhân" in old
    assert "09 giờ 15 phút, ngày 05/07/2025" in old  # new appointment
    assert "Phạm Văn Lãnh" in old and "Nơi nhận:" in old
    new = pdf_text(render_dossier_form(dossier=tt03_dossier, kind="apology"))
    assert "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in new
    assert "đề nghị gia hạn thời gian giải quyết hồ sơ đến 14 giờ 05 phút, ngày 06/07/2025" in new


@needs_poppler
def test_control_sheet_lists_every_handover(tt01_dossier, tt03_dossier):
    # SPEC.md §1.8 form 05: every hand-over with its time and result (§3.5)
    pdf = render_dossier_form(dossier=tt01_dossier, kind="control_sheet")
    text = pdf_text(pdf)
    assert "Mẫu số 05" in text and "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    assert "Cơ quan phối hợp giải quyết hồ sơ: Sở Tư pháp Tỉnh Thanh Hóa" in text
    assert "Giao: Tổ chức, cá nhân nộp hồ sơ (Nguyễn Văn An)" in text
    assert "Nhận: Văn phòng HĐND và UBND (Trần Văn Chuyên)" in text
    lines = pdf_lines(pdf)
    rows = [
        ("1 Tiếp nhận 30/06/2025 30/06/2025 30/06/2025 Trước hạn", "09:15 13:15 11:15"),
        ("2 Thẩm định 30/06/2025 01/07/2025 01/07/2025 Đúng hạn", "11:15 09:15 09:15"),
        ("3 Ký duyệt 01/07/2025 01/07/2025 02/07/2025 Quá hạn", "09:15 13:15 11:15"),
    ]
    for first, times in rows:
        i = lines.index(first)  # hand-over, due and finished dates, then the times below
        assert lines[i + 1].endswith(times)
    tt03 = render_dossier_form(dossier=tt03_dossier, kind="control_sheet")
    assert "Mẫu số 06" in pdf_text(tt03)


@needs_poppler
def test_stop_notice_tt03(tree, procedure):
    dossier = make_dossier(
        tree,
        procedure,
        received=at(2025, 7, 2, 8, 0),
        code="000.00.00.H56-250702-0001",
        state=DossierState.STOPPED,
        stopped_at=at(2025, 7, 3, 10, 0),
    )
    add_event(
        dossier, Action.STOP, at(2025, 7, 3, 10, 0), reason="Người nộp hồ sơ đề nghị rút hồ sơ."
    )
    text = pdf_text(render_dossier_form(dossier=dossier, kind="stop_notice"))
    assert "Mẫu số 05" in text and "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text
    assert "kể từ 10 giờ 00 phút, ngày 03/07/2025" in text
    assert "Người nộp hồ sơ đề nghị rút hồ sơ." in text


@needs_poppler
def test_refusal_and_completion_request(tree, procedure):
    officer = UserFactory(username="tn-x", full_name="Lê Thị Tiếp Nhận")
    refused = make_dossier(
        tree,
        procedure,
        received=None,
        submitted_at=at(2025, 7, 3, 8, 0),
        rejected_at=at(2025, 7, 3, 9, 0),
        code=None,
        state=DossierState.REJECTED,
    )
    add_event(
        refused,
        Action.REFUSE,
        at(2025, 7, 3, 9, 0),
        actor=officer,
        reason="Không thuộc thẩm quyền.",
    )
    text = pdf_text(render_dossier_form(dossier=refused, kind="refusal"))
    assert "Mẫu số 03" in text and "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text
    assert "Không thuộc thẩm quyền." in text and "Lê Thị Tiếp Nhận" in text
    assert "Thanh Hóa, ngày 03 tháng 7 năm 2025" in text

    waiting = make_dossier(
        tree,
        procedure,
        received=None,
        submitted_at=at(2025, 7, 3, 8, 0),
        code=None,
        state=DossierState.RETURNED_FOR_COMPLETION,
    )
    SupplementRequest.objects.create(
        dossier=waiting,
        phase=SupplementPhase.BEFORE_RECEPTION,
        requested_at=at(2025, 7, 3, 10, 0),
        requested_by=officer,
        reason="Hồ sơ chưa đầy đủ.",
        items=[
            {"name": "Bản sao giấy khai sinh", "reason": "Chưa nộp"},
            "Tờ khai có chữ ký của người yêu cầu",
        ],
        respond_by=dt.date(2025, 7, 10),
    )
    assert available_forms(waiting) == ["completion_request"]
    pdf = render_dossier_form(dossier=waiting, kind="completion_request")
    text = pdf_text(pdf)
    assert "Mẫu số 02" in text and "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert "1 Bản sao giấy khai sinh Chưa nộp" in pdf_lines(pdf)
    assert "2 Tờ khai có chữ ký của người yêu cầu" in pdf_lines(pdf)
    assert "đến ngày 10 tháng 7 năm 2025" in text


def test_a_form_costs_a_fixed_number_of_queries(tt01_dossier, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        render_dossier_form(dossier=tt01_dossier, kind="control_sheet")


# --- the register (Mẫu 06 / 07) --------------------------------------------------------------


@pytest.fixture
def register_dossiers(tree, tt01_dossier, tt03_dossier):
    Dossier.objects.filter(pk=tt01_dossier.pk).update(
        finished_at=at(2025, 7, 2, 16, 0),
        returned_at=at(2025, 7, 3, 8, 30),
        result_recipient="Nguyễn Văn An",
        state=DossierState.RETURNED,
    )
    return Dossier.objects.filter(receiving_agency=tree.c1_units["pvhcc"])


@needs_poppler
def test_register_pdf(tree, register_dossiers):
    pdf = render_register_pdf(
        agency=tree.c1_units["pvhcc"],
        start=dt.date(2025, 6, 1),
        end=dt.date(2025, 7, 31),
        dossiers=register_dossiers,
    )
    text = pdf_text(pdf)
    assert "Mẫu số 07" in text and "SỔ THEO DÕI HỒ SƠ" in text  # period ends under TT 03/2025
    assert "Từ ngày 01/06/2025 đến ngày 31/07/2025" in text
    # The code breaks after a hyphen; the dates sit above their times.
    lines = pdf_lines(pdf)
    first = next(i for i, line in enumerate(lines) if line.startswith("17 000.00.00.H56-"))
    assert lines[first + 1].startswith("250630-0001 ")
    # received, appointment, forwarded, result available, returned
    assert "30/06/2025 03/07/2025 30/06/2025 02/07/2025 03/07/2025" in lines[first]
    assert "09:15 09:15 11:15 16:00 08:30" in lines[first + 1]
    second = next(i for i, line in enumerate(lines[first + 1 :], first + 1) if "H56-" in line)
    assert lines[second + 1].startswith("250701-0002")


def test_register_xlsx(tree, register_dossiers, django_assert_max_num_queries):
    from openpyxl import load_workbook

    with django_assert_max_num_queries(4):
        content = render_register_xlsx(
            agency=tree.c1_units["pvhcc"],
            start=dt.date(2025, 6, 1),
            end=dt.date(2025, 6, 30),
            dossiers=register_dossiers,
        )
    ws = load_workbook(io.BytesIO(content)).active
    assert ws["A2"].value == "SỔ THEO DÕI HỒ SƠ"
    assert ws["A3"].value == "Từ ngày 01/06/2025 đến ngày 30/06/2025"
    assert ws.cell(5, 2).value == "Mã hồ sơ" and ws.cell(6, 8).value == "Nhận hồ sơ"
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=7)]
    assert [r[1] for r in rows] == ["000.00.00.H56-250630-0001", "000.00.00.H56-250701-0002"]
    first = rows[0]
    assert first[0] == 17 and first[3] == 1 and first[4] == "Nguyễn Văn An"
    assert first[5] == "12 Lê Lợi, phường Hạc Thành, tỉnh Thanh Hóa, 0912345678"
    assert first[6] == "Ủy ban nhân dân phường Hạc Thành"
    # local wall-clock times (Asia/Ho_Chi_Minh)
    assert first[7] == dt.datetime(2025, 6, 30, 9, 15)
    assert first[8] == dt.datetime(2025, 7, 3, 9, 15)
    assert first[9] == dt.datetime(2025, 6, 30, 11, 15)  # first hand-over
    assert first[10] == dt.datetime(2025, 7, 2, 16, 0)
    assert first[11] == dt.datetime(2025, 7, 3, 8, 30)
    assert first[12] == "Nguyễn Văn An"
    assert ws.cell(7, 8).number_format == "dd/mm/yyyy hh:mm"


def test_a_record_of_another_dossier_is_refused(tt01_dossier, tt03_dossier):
    other = tt03_dossier.extensions.get()
    with pytest.raises(NotFound):
        render_dossier_form(dossier=tt01_dossier, kind="apology", extension=other)
