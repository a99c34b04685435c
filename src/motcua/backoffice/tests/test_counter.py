"""Counter intake for walk-in applicants (issue 5, item 2; SPEC.md §1.4 steps 1–3, NĐ 61/2018
Điều 19): find or type the applicant, the component checklist with originals/copies and scans,
the tờ khai filled on the applicant's behalf, then receive (Mẫu 01), request completion listing
everything missing at once (Mẫu 02) or refuse with reasons (Mẫu 03) — in three screens. Bad input
changes nothing."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.backoffice.tests.conftest import mfa_login
from motcua.catalog.choices import Channel
from motcua.catalog.models import ProcedureVariant
from motcua.dossiers.choices import DossierState
from motcua.dossiers.models import Dossier, DossierEvent, SupplementRequest
from motcua.dossiers.services import counter
from motcua.dossiers.services.lifecycle import dossier_intake
from motcua.dossiers.tests.factories import dossier_in
from motcua.notifications.models import OutboxMessage
from motcua.org.choices import Role
from motcua.org.models import Agency
from motcua.org.tests.factories import UserFactory, official
from motcua.portal.tests.conftest import BIRTH, CERTIFY, catalog, places  # noqa: F401
from motcua.portal.tests.test_submit import CHILD, LAST, MOTHER, REQUESTER

FORMS = Path(__file__).resolve().parents[2] / "catalog" / "data" / "forms"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
START = "/can-bo/quay/"


@pytest.fixture
def commune(places, catalog, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    form = json.loads((FORMS / f"{BIRTH}.json").read_text(encoding="utf-8"))
    variant = ProcedureVariant.objects.get(version__procedure__code=BIRTH, is_default=True)
    variant.form_schema, variant.form_ui = form["schema"], form["ui"]
    variant.save(update_fields=["form_schema", "form_ui"])
    return Agency.objects.get(code="14848")


@pytest.fixture
def officer(commune):
    return official("quay-1", home=commune, role=Role.RECEPTION).user


@pytest.fixture
def signed_in(client, officer):
    mfa_login(client, officer)
    return client


def _variant(code: str) -> ProcedureVariant:
    return ProcedureVariant.objects.get(version__procedure__code=code, is_default=True)


def _start(client, code: str = BIRTH, **extra) -> str:
    body = {
        "case": _variant(code).pk,
        "applicant_type": 1,
        "name": "Lê Thị Hoa",
        "id_number": "038190000123",
        "phone": "0912 345 678",
        "address": "Số 1 Hạc Thành, Thanh Hóa",
    }
    desks = counter.counter_desks(client.officer)
    body["desk"] = desks[0].pk
    body.update(extra)
    response = client.post(START, body)
    assert response.status_code == 302, response.content.decode()[:3000]
    return response["Location"]


def _components(code: str):
    variant = _variant(code)
    return {c.name: c for c in counter.case_components(variant)}


def _form_answers() -> dict:
    return {**REQUESTER, **CHILD, **MOTHER, **LAST}


def _counts():
    return Dossier.objects.count(), DossierEvent.objects.count(), OutboxMessage.objects.count()


@pytest.fixture
def desk_client(signed_in, officer):
    signed_in.officer = officer
    return signed_in


# -- who has a counter -------------------------------------------------------------------------


def test_only_reception_officers_have_a_counter(client, commune, officer):
    specialist = official("cv-1", home=commune, role=Role.SPECIALIST).user
    mfa_login(client, specialist)
    assert client.get(START).status_code == 404
    client.logout()
    citizen = UserFactory(username="dan")
    client.force_login(citizen)
    assert client.get(START).status_code == 404
    client.logout()
    mfa_login(client, officer)
    page = client.get(START)
    assert page.status_code == 200
    text = page.content.decode()
    # the cases received in person at the commune, grouped by sector
    assert "Đăng ký khai sinh" in text and "Chứng thực bản sao" in text
    assert "autofocus" in text  # the lookup field: the officer starts typing at once
    home = client.get("/can-bo/").content.decode()
    assert START in home


def test_desk_is_the_communes_service_centre_when_there_is_one(commune, officer):
    desks = counter.counter_desks(officer)
    assert len(desks) == 1
    assert desks[0].path.startswith(commune.path)


# -- finding the applicant ---------------------------------------------------------------------


def test_lookup_by_full_number_only_and_within_scope(desk_client, officer, commune):
    UserFactory(
        username="hoa",
        full_name="Lê Thị Hoa",
        id_number="038190000123",
        phone="+84912345678",
        email="hoa@example.com",
        address="Số 1 Hạc Thành",
        identity_verified_by="VNeID",
    )
    found = counter.applicant_lookup(actor=officer, query="0912 345 678")
    assert [f.name for f in found] == ["Lê Thị Hoa"]
    assert found[0].phone == "0912345678"  # the national form a dossier keeps
    assert "VNeID" in found[0].source
    # partial numbers find nothing: the lookup cannot be used to browse people
    assert counter.applicant_lookup(actor=officer, query="0381900") == []
    page = desk_client.get(START, {"tim": "0381900"}).content.decode()
    assert "12-digit" in page or "12 số" in page
    # choosing a person fills the form
    page = desk_client.get(START, {"tim": "038190000123", "chon": found[0].key}).content.decode()
    assert 'value="Lê Thị Hoa"' in page and 'value="hoa@example.com"' in page


def test_lookup_finds_earlier_dossiers_only_in_the_officers_scope(officer, commune):
    version = _variant(CERTIFY).version
    other = Agency.objects.exclude(pk=commune.pk).filter(kind=commune.kind).first()
    mine = dossier_intake(
        actor=officer,
        data=dossier_in(version, counter.counter_desks(officer)[0]),
    )
    found = counter.applicant_lookup(actor=officer, query="038090001234")
    assert [f.key for f in found] == [f"hs-{mine.code}"]
    assert found[0].name == "Nguyễn Văn An"
    if other is not None:
        stranger = official("quay-2", home=other, role=Role.RECEPTION).user
        assert counter.applicant_lookup(actor=stranger, query="038090001234") == []


# -- screen 1 ----------------------------------------------------------------------------------


def test_screen_one_refuses_bad_details_with_clear_messages(desk_client):
    before = _counts()
    response = desk_client.post(
        START,
        {
            "desk": counter.counter_desks(desk_client.officer)[0].pk,
            "case": _variant(BIRTH).pk,
            "applicant_type": 1,
            "name": "",
            "id_number": "12345",
            "phone": "12",
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "12 digits" in text or "12 chữ số" in text or "12 số" in text
    assert "start with 0" in text or "bắt đầu bằng số 0" in text
    assert _counts() == before


def test_screen_one_refuses_a_case_not_received_at_this_desk(desk_client):
    before = _counts()
    response = desk_client.post(
        START,
        {
            "desk": counter.counter_desks(desk_client.officer)[0].pk,
            "case": 999999,
            "applicant_type": 1,
            "name": "Lê Thị Hoa",
        },
    )
    assert response.status_code == 400
    assert _counts() == before


# -- screen 2: receive -------------------------------------------------------------------------


def test_receive_at_the_counter_in_three_screens(desk_client, officer):
    """Screen 1 → screen 2 (tick, scan, fill the tờ khai, receive) → screen 3 prints Mẫu 01 with
    the code; the clock starts at reception (SPEC.md §1.3)."""
    checklist = _start(desk_client)
    page = desk_client.get(checklist)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Giấy chứng sinh" in text
    assert 'value="Lê Thị Hoa"' in text  # the tờ khai is prefilled from the applicant
    comps = _components(BIRTH)
    cert = comps["Giấy chứng sinh"]
    body = {
        **_form_answers(),
        f"tp-{cert.pk}-nhan": "1",
        f"tp-{cert.pk}-ban": "chinh",
        f"tp-{cert.pk}-sl": "1",
        f"tp-{cert.pk}-tep": SimpleUploadedFile("giay-chung-sinh.pdf", PDF),
        "quyet-dinh": "receive",
    }
    response = desk_client.post(checklist, body)
    assert response.status_code == 302, response.content.decode()[:4000]
    dossier = Dossier.objects.get()
    assert response["Location"] == f"/can-bo/quay/xong/{dossier.code}/"
    assert dossier.state == DossierState.RECEIVED
    assert dossier.channel == Channel.COUNTER
    assert dossier.received_at is not None and dossier.due_at is not None
    assert dossier.owner is None
    rows = {c.name: c for c in dossier.components.all()}
    # the scanned certificate is marked digitised (DuocSoHoa, SPEC.md §1.9)
    assert rows["Giấy chứng sinh"].digitised and rows["Giấy chứng sinh"].is_original
    # the tờ khai is the PDF of the answers, saying who entered them
    form_row = next(c for c in rows.values() if c.name.startswith("Tờ khai"))
    with form_row.file.file.open("rb") as handle:
        text = _pdftext(handle.read())
    assert "Bộ phận Một cửa" in text and "Nguyễn Minh An" in text
    assert dossier.form_data["child"]["full_name"] == "Nguyễn Minh An"
    # screen 3: print Mẫu 01, which carries the code
    done = desk_client.get(response["Location"]).content.decode()
    assert "Mẫu 01" in done
    pdf = desk_client.get(f"/can-bo/ho-so/{dossier.code}/bieu-mau/receipt.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert dossier.code in _pdftext(pdf.content)
    # the intake is over: its token no longer opens
    assert desk_client.get(checklist)["Location"] == START


def test_a_paper_form_can_be_scanned_instead_of_filled(desk_client):
    checklist = _start(desk_client)
    comps = _components(BIRTH)
    form = next(c for n, c in comps.items() if n.startswith("Tờ khai"))
    cert = comps["Giấy chứng sinh"]
    body = {
        f"tp-{form.pk}-nhan": "1",
        f"tp-{form.pk}-tep": SimpleUploadedFile("to-khai.pdf", PDF),
        f"tp-{form.pk}-sl": "1",
        f"tp-{cert.pk}-nhan": "1",
        f"tp-{cert.pk}-sl": "1",
        "quyet-dinh": "receive",
    }
    response = desk_client.post(checklist, body)
    assert response.status_code == 302, response.content.decode()[:4000]
    dossier = Dossier.objects.get()
    names = {c.name: c for c in dossier.components.all()}
    assert names[form.name].digitised and names[form.name].file_name == "to-khai.pdf"
    assert not names["Giấy chứng sinh"].digitised  # handed in on paper, not scanned
    assert dossier.form_data == {}


def test_receiving_with_a_required_component_missing_changes_nothing(desk_client):
    """NĐ 61/2018 Điều 19: only a complete dossier is received."""
    checklist = _start(desk_client)
    before = _counts()
    response = desk_client.post(checklist, {**_form_answers(), "quyet-dinh": "receive"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Giấy chứng sinh" in text
    assert _counts() == before


def test_unfilled_form_blocks_reception_with_the_forms_own_messages(desk_client):
    checklist = _start(desk_client)
    cert = _components(BIRTH)["Giấy chứng sinh"]
    before = _counts()
    response = desk_client.post(
        checklist, {f"tp-{cert.pk}-nhan": "1", f"tp-{cert.pk}-sl": "1", "quyet-dinh": "receive"}
    )
    assert response.status_code == 400
    assert 'class="eform-error-summary"' not in response.content.decode()  # one summary only
    assert "error-summary" in response.content.decode()
    assert _counts() == before


def test_a_disguised_file_is_refused_and_nothing_is_written(desk_client, settings):
    checklist = _start(desk_client)
    cert = _components(BIRTH)["Giấy chứng sinh"]
    before = _counts()
    response = desk_client.post(
        checklist,
        {
            **_form_answers(),
            f"tp-{cert.pk}-nhan": "1",
            f"tp-{cert.pk}-sl": "1",
            f"tp-{cert.pk}-tep": SimpleUploadedFile("giay.pdf", b"MZ\x90\x00 not a pdf"),
            "quyet-dinh": "receive",
        },
    )
    assert response.status_code == 400
    assert "choose the files again" in response.content.decode() or "chọn lại" in (
        response.content.decode()
    )
    assert _counts() == before
    assert not any(Path(settings.MEDIA_ROOT).rglob("*.pdf"))


def test_bad_quantity_is_refused(desk_client):
    checklist = _start(desk_client)
    cert = _components(BIRTH)["Giấy chứng sinh"]
    before = _counts()
    response = desk_client.post(
        checklist,
        {
            **_form_answers(),
            f"tp-{cert.pk}-nhan": "1",
            f"tp-{cert.pk}-sl": "0",
            "quyet-dinh": "receive",
        },
    )
    assert response.status_code == 400
    assert _counts() == before


# -- screen 2: completion and refusal ----------------------------------------------------------


def test_completion_lists_everything_missing_at_once(desk_client):
    """Mẫu 02: every missing item in one go (NĐ 61/2018 Điều 19 khoản 1 điểm b)."""
    checklist = _start(desk_client)
    response = desk_client.post(
        checklist,
        {"quyet-dinh": "complete", "thieu": "Giấy ủy quyền có chứng thực\n\n"},
    )
    assert response.status_code == 302, response.content.decode()[:4000]
    dossier = Dossier.objects.get()
    assert dossier.state == DossierState.RETURNED_FOR_COMPLETION
    assert dossier.received_at is None and dossier.due_at is None  # no clock before reception
    request = SupplementRequest.objects.get(dossier=dossier)
    form_name = next(n for n in _components(BIRTH) if n.startswith("Tờ khai"))
    assert request.items == [form_name, "Giấy chứng sinh", "Giấy ủy quyền có chứng thực"]
    assert request.reason == str(counter.STANDARD_COMPLETION_REASON)
    done = desk_client.get(response["Location"]).content.decode()
    assert "Mẫu 02" in done
    pdf = desk_client.get(f"/can-bo/ho-so/{dossier.code}/bieu-mau/completion_request.pdf")
    assert pdf.status_code == 200
    assert "Giấy chứng sinh" in _pdftext(pdf.content)


def test_refusal_needs_reasons(desk_client):
    checklist = _start(desk_client, code=CERTIFY)
    before = _counts()
    response = desk_client.post(checklist, {"quyet-dinh": "refuse", "ly-do": "  "})
    assert response.status_code == 400
    assert _counts() == before
    response = desk_client.post(
        checklist,
        {"quyet-dinh": "refuse", "ly-do": "Bản chính đã bị tẩy xóa, sửa chữa."},
    )
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.state == DossierState.REJECTED
    assert dossier.events.order_by("-seq").first().reason == "Bản chính đã bị tẩy xóa, sửa chữa."
    done = desk_client.get(response["Location"]).content.decode()
    assert "Mẫu 03" in done


def test_no_decision_changes_nothing(desk_client):
    checklist = _start(desk_client, code=CERTIFY)
    before = _counts()
    assert desk_client.post(checklist, {"quyet-dinh": "approve"}).status_code == 400
    assert _counts() == before


def test_an_unknown_or_finished_intake_goes_back_to_the_start(desk_client):
    response = desk_client.get("/can-bo/quay/khong-co/")
    assert response.status_code == 302 and response["Location"] == START


def _pdftext(content: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    )
    return result.stdout.decode()
