"""Nộp hồ sơ trực tuyến: the whole flow through the test client for birth registration
(1.001193, with the seed e-form of TT 04/2020/TT-BTP attached to the sample case)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from motcua.catalog.models import ProcedureVariant
from motcua.core.errors import ValidationFailed
from motcua.dossiers.choices import DossierState
from motcua.dossiers.models import Dossier, StoredFile, SubmissionDraft
from motcua.dossiers.services import drafts
from motcua.org.tests.factories import UserFactory
from motcua.portal.tests.conftest import BIRTH, CERTIFY

FORMS = Path(__file__).resolve().parents[2] / "catalog" / "data" / "forms"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BASE = f"/nop-ho-so/{BIRTH}/"

REQUESTER = {
    "requester__full_name": "Lê Thị Hoa",
    "requester__id_number": "038190000123",
    "requester__residence": "Số 1 Hạc Thành, Thanh Hóa",
    "requester__phone": "0912345678",
    "requester__is_parent": "true",
}
CHILD = {
    "child__full_name": "Nguyễn Minh An",
    "child__birth_date": "02/03/2026",
    "child__sex": "Nam",
    "child__ethnicity": "Kinh",
    "child__nationality": "Việt Nam",
    "child__birth_place": "Bệnh viện Đa khoa tỉnh Thanh Hóa",
}
MOTHER = {
    "mother__full_name": "Lê Thị Hoa",
    "mother__birth_year": "1990",
    "mother__ethnicity": "Kinh",
    "mother__nationality": "Việt Nam",
    "mother__residence": "Số 1 Hạc Thành, Thanh Hóa",
}
LAST = {"extract_copies": "1", "declaration": "true"}


@pytest.fixture
def birth(portal, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    form = json.loads((FORMS / f"{BIRTH}.json").read_text(encoding="utf-8"))
    variant = ProcedureVariant.objects.get(version__procedure__code=BIRTH, is_default=True)
    variant.form_schema, variant.form_ui = form["schema"], form["ui"]
    variant.save(update_fields=["form_schema", "form_ui"])
    return variant


@pytest.fixture
def citizen(db):
    return UserFactory(
        username="hoa",
        full_name="Lê Thị Hoa",
        id_number="038190000123",
        phone="+84912345678",
        email="hoa@example.com",
        address="Số 1 Hạc Thành, Thanh Hóa",
    )


def _start(client) -> str:
    response = client.post(BASE)
    assert response.status_code == 302
    return response["Location"].rsplit("noi-nop/", 1)[0]


def test_procedure_page_links_to_online_submission_only_where_offered(client, portal):
    page = client.get(f"/thu-tuc/{BIRTH}/").content.decode()
    assert f'href="/nop-ho-so/{BIRTH}/"' in page
    assert "/nop-ho-so/" not in client.get(f"/thu-tuc/{CERTIFY}/").content.decode()
    assert client.get(f"/nop-ho-so/{CERTIFY}/").status_code == 404


def test_start_page_is_public_and_starting_needs_a_sign_in(client, birth):
    page = client.get(BASE)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Giấy chứng sinh" in text and "Bắt đầu" in text
    response = client.post(BASE)
    assert response.status_code == 302 and "login/?next=" in response["Location"]
    assert not SubmissionDraft.objects.exists()


def test_the_whole_flow(client, birth, citizen, portal):
    client.force_login(citizen)
    draft_url = _start(client)
    draft = SubmissionDraft.objects.get(owner=citizen)
    # prefilled from the profile on the first visit
    assert draft.answers["requester"]["full_name"] == "Lê Thị Hoa"

    # where: the commune picker without JavaScript (GET the province, POST the commune)
    assert client.get(draft_url + "noi-nop/?province=38").status_code == 200
    missing = client.post(draft_url + "noi-nop/", {"province": "38", "commune": ""})
    assert missing.status_code == 422
    assert 'href="#id_commune"' in missing.content.decode()
    response = client.post(draft_url + "noi-nop/", {"province": "38", "commune": "14848"})
    assert response["Location"] == draft_url + "to-khai/1/"
    draft.refresh_from_db()
    assert draft.commune == portal["hac_thanh"]
    # a commune procedure: the ward's People's Committee receives (no ward service centre)
    assert draft.receiving_agency == portal["hac_thanh"]

    # page 1 shows the prefilled answers
    assert "Lê Thị Hoa" in client.get(draft_url + "to-khai/1/").content.decode()
    # each page: first with errors, then valid
    for number, answers in enumerate([REQUESTER, CHILD, MOTHER, {}, LAST], start=1):
        url = f"{draft_url}to-khai/{number}/"
        if answers:
            bad = {**answers, list(answers)[-1]: ""}  # a required answer left out
            response = client.post(url, bad)
            assert response.status_code == 422, number
            text = response.content.decode()
            assert 'class="eform-error-summary"' in text and 'aria-invalid="true"' in text
        response = client.post(url, answers)
        assert response.status_code == 302, (number, response.content.decode()[:2000])
    assert response["Location"] == draft_url + "giay-to/"
    draft.refresh_from_db()
    assert draft.answers["child"]["birth_date"] == "2026-03-02"
    assert "father" not in draft.answers  # the optional group left empty is dropped

    # uploads
    components = {c.name: c for c in drafts.draft_components(draft)}
    # the tờ khai is the e-form itself (ui "component"): it is not asked for as an upload
    assert "Tờ khai đăng ký khai sinh" not in components
    cert_c = components["Giấy chứng sinh"]
    files_before = StoredFile.objects.count()
    disguised = SimpleUploadedFile("giay-chung-sinh.pdf", b"just some text", "application/pdf")
    response = client.post(
        draft_url + "giay-to/",
        {"action": "upload", "component": cert_c.pk, "files": [disguised]},
    )
    assert response.status_code == 422
    assert "Tệp “giay-chung-sinh.pdf” không phải tệp PDF, JPEG hoặc PNG." in (
        response.content.decode()
    )
    empty = SimpleUploadedFile("trong.pdf", b"", "application/pdf")
    response = client.post(
        draft_url + "giay-to/", {"action": "upload", "component": cert_c.pk, "files": [empty]}
    )
    assert response.status_code == 422
    assert "Tệp “trong.pdf” không có nội dung." in response.content.decode()
    assert StoredFile.objects.count() == files_before
    # continuing with missing documents is refused
    assert client.post(draft_url + "giay-to/", {"action": "continue"}).status_code == 422
    for component in (cert_c,):
        pdf = SimpleUploadedFile("tep.pdf", PDF + component.name.encode(), "application/pdf")
        response = client.post(
            draft_url + "giay-to/", {"action": "upload", "component": component.pk, "files": [pdf]}
        )
        assert response.status_code == 302
    response = client.post(draft_url + "giay-to/", {"action": "continue"})
    assert response["Location"] == draft_url + "kiem-tra/"

    # check your answers: every answer with a change link
    text = client.get(draft_url + "kiem-tra/").content.decode()
    assert "Nguyễn Minh An" in text and "02/03/2026" in text
    assert f'href="{draft_url}to-khai/2/?from=check"' in text
    assert f'href="{draft_url}noi-nop/?from=check"' in text
    # changing an answer comes back to the check page
    response = client.post(f"{draft_url}to-khai/2/?from=check", {**CHILD, "child__sex": "Nữ"})
    assert response["Location"] == draft_url + "kiem-tra/"

    # declaration: missing, then ticked
    response = client.post(draft_url + "cam-doan/", {})
    assert response.status_code == 422
    assert 'href="#id_confirm"' in response.content.decode()
    assert not Dossier.objects.exists()
    response = client.post(draft_url + "cam-doan/", {"confirm": "on"})
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert response["Location"] == f"/nop-ho-so/{BIRTH}/da-nop/{dossier.code}/"
    assert dossier.state == DossierState.SUBMITTED
    assert dossier.owner == citizen
    assert dossier.language == "vi"  # the portal's language when submitting: notices use it
    assert dossier.receiving_agency == portal["hac_thanh"]
    assert dossier.form_data["child"]["sex"] == "Nữ"
    names = [c.name for c in dossier.components.order_by("order")]
    assert names == ["Tờ khai đăng ký khai sinh", cert_c.name]
    assert all(c.file is not None for c in dossier.components.all())
    # the tờ khai was made from the answers: a PDF with them, the declaration and the account
    form = dossier.components.get(name="Tờ khai đăng ký khai sinh")
    assert form.file.content_type == "application/pdf" and form.is_original
    text = _pdf_text(form.file.file.read())
    assert "TỜ KHAI ĐĂNG KÝ KHAI SINH" in text and "Nguyễn Minh An" in text
    assert "Kính gửi: Ủy ban nhân dân phường Hạc Thành" in text
    assert "Tôi cam đoan" in text and "hoa@example.com" in text
    assert not SubmissionDraft.objects.exists()

    done = client.get(response["Location"])
    assert done.status_code == 200
    assert dossier.code in done.content.decode()
    # another citizen never sees the confirmation
    client.force_login(UserFactory(username="other"))
    assert client.get(response["Location"]).status_code == 404


def test_reuse_a_document_from_an_earlier_dossier(client, birth, citizen, settings):
    client.force_login(citizen)
    version = birth.version
    draft = drafts.draft_start(actor=citizen, version=version)
    drafts.draft_choose_where(actor=citizen, draft=draft, commune=_commune())
    for component in drafts.draft_components(draft):
        drafts.draft_attach(
            actor=citizen,
            draft=draft,
            component_id=component.pk,
            files=[("a.pdf", PDF + component.name.encode())],
        )
    draft.answers = _answers(birth)
    draft.save(update_fields=["answers"])
    first = drafts.draft_submit(actor=citizen, draft=draft)
    cert = first.components.get(name="Giấy chứng sinh")

    draft = drafts.draft_start(actor=citizen, version=version)
    url = f"{BASE}{draft.uuid}/giay-to/"
    page = client.get(url).content.decode()
    assert first.code in page  # offered for reuse
    response = client.post(
        url, {"action": "reuse", "component": cert.component_id, "file": cert.file_id}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.uploads[str(cert.component_id)] == [
        {"file": cert.file_id, "name": "a.pdf", "reused": True}
    ]
    # a file of another citizen cannot be reused
    other = UserFactory(username="other")
    other_draft = drafts.draft_start(actor=other, version=version)
    response = client.post(
        url, {"action": "reuse", "component": cert.component_id, "file": cert.file_id + 999}
    )
    assert response.status_code == 422
    assert other_draft.uploads == {}


def _commune():
    from motcua.org.models import Agency

    commune = Agency.objects.get(code="14848")
    return commune


def _answers(variant):
    from motcua.catalog import eforms

    data, errors = eforms.clean(
        variant.form_schema, {**REQUESTER, **CHILD, **MOTHER, **LAST}, ui=variant.form_ui
    )
    assert errors == {}
    return data


def test_resume_and_privacy_of_drafts(client, birth, citizen):
    client.force_login(citizen)
    draft_url = _start(client)
    client.post(draft_url + "noi-nop/", {"province": "38", "commune": "14848"})
    # leaving and starting again resumes the same draft at "check your answers"
    response = client.post(BASE)
    assert response["Location"] == draft_url + "kiem-tra/"
    assert SubmissionDraft.objects.count() == 1
    text = client.get(draft_url + "kiem-tra/").content.decode()
    assert "Phường Hạc Thành" in text
    # Hồ sơ của tôi lists it, with a link to continue
    mine = client.get("/ho-so-cua-toi/").content.decode()
    assert "Chưa nộp" in mine and "Đăng ký khai sinh" in mine
    assert f'href="{draft_url}kiem-tra/"' in mine
    # someone else's draft looks missing
    client.force_login(UserFactory(username="other"))
    for step in ("noi-nop/", "to-khai/1/", "giay-to/", "kiem-tra/", "cam-doan/"):
        assert client.get(draft_url + step).status_code == 404, step
    assert client.post(draft_url + "cam-doan/", {"confirm": "on"}).status_code == 404
    assert not Dossier.objects.exists()
    # anonymous: sent to sign in
    client.logout()
    assert client.get(draft_url + "kiem-tra/").status_code == 302


def test_expiry_warning_and_purge(client, birth, citizen, settings):
    settings.MOTCUA_DRAFT_DAYS = 10
    client.force_login(citizen)
    now = timezone.now()
    draft = drafts.draft_start(actor=citizen, version=birth.version, now=now)
    assert draft.expires_at == now + dt.timedelta(days=10)
    url = f"{BASE}{draft.uuid}/kiem-tra/"
    assert "notice--warning" not in client.get(url).content.decode()
    SubmissionDraft.objects.filter(pk=draft.pk).update(expires_at=now + dt.timedelta(days=2))
    assert "notice--warning" in client.get(url).content.decode()
    SubmissionDraft.objects.filter(pk=draft.pk).update(expires_at=now - dt.timedelta(minutes=1))
    assert client.get(url).status_code == 404
    assert drafts.drafts_purge_expired(now=now) == 1
    assert not SubmissionDraft.objects.exists()


def _documents_page(client, citizen):
    client.force_login(citizen)
    draft_url = _start(client)
    draft = SubmissionDraft.objects.get(owner=citizen)
    component = {c.name: c for c in drafts.draft_components(draft)}["Giấy chứng sinh"]
    return draft_url + "giay-to/", component


def test_a_batch_with_one_bad_file_stores_nothing_not_even_on_disk(
    client, birth, citizen, settings
):
    settings.MOTCUA_UPLOAD_MAX_MB = 1
    url, component = _documents_page(client, citizen)
    good = SimpleUploadedFile("tot.pdf", PDF + b"good", "application/pdf")
    large = SimpleUploadedFile("lon.pdf", PDF + b"0" * (1024 * 1024), "application/pdf")
    response = client.post(
        url, {"action": "upload", "component": component.pk, "files": [good, large]}
    )
    assert response.status_code == 422
    assert "Tệp “lon.pdf” lớn hơn 1 MB." in response.content.decode()
    assert not StoredFile.objects.exists()
    assert [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()] == []
    assert SubmissionDraft.objects.get(owner=citizen).uploads == {}


def test_uploads_are_limited_per_account(client, birth, citizen, settings):
    from django.core.cache import cache

    cache.clear()
    settings.MOTCUA_UPLOAD_RATE = "3/h"
    url, component = _documents_page(client, citizen)

    def upload(*names):
        files = [SimpleUploadedFile(n, PDF + n.encode(), "application/pdf") for n in names]
        return client.post(url, {"action": "upload", "component": component.pk, "files": files})

    assert upload("a.pdf", "b.pdf").status_code == 302
    refused = upload("c.pdf", "d.pdf")  # 4 > 3: the whole batch is refused
    assert refused.status_code == 429
    assert "Ông/Bà đã tải lên nhiều tệp trong thời gian ngắn" in refused.content.decode()
    assert StoredFile.objects.count() == 2
    assert upload("c.pdf").status_code == 302  # the refused batch did not use the allowance
    assert upload("d.pdf").status_code == 429
    cache.clear()


def test_submitting_for_an_organisation_as_its_authorised_person(client, birth, citizen):
    """Issue 4, item 1: the person chooses the organisation; the dossier names it as applicant
    (type 2, its enterprise code), the person as representative, carries the authorisation
    letter, and every person acting for the organisation sees it; a revoked person does not."""
    from allauth.account.models import EmailAddress

    from motcua.accounts.services import organisations as orgs
    from motcua.dossiers.models import DossierComponent

    version = birth.version
    version.applicant_types = [1, 2]
    version.save(update_fields=["applicant_types"])
    boss = UserFactory(username="giam-doc", email="gd@example.vn", full_name="Trần Văn Sơn")
    company = orgs.organisation_register(
        actor=boss, name="Công ty TNHH Hạc Thành", tax_code="2801234567", phone="+84237385000"
    )
    EmailAddress.objects.create(user=citizen, email=citizen.email, verified=True, primary=True)
    letter = b"%PDF-1.4\n% giay uy quyen so 12/UQ\n%%EOF\n"
    member = orgs.organisation_member_add(
        actor=boss,
        organisation=company,
        email=citizen.email,
        authorisation=letter,
        authorisation_name="uy-quyen-12.pdf",
    )

    client.force_login(citizen)
    draft_url = _start(client)
    response = client.post(draft_url + "noi-nop/", {"province": "38", "commune": "14848"})
    assert response["Location"] == draft_url + "nguoi-nop/"
    page = client.get(draft_url + "nguoi-nop/").content.decode()
    assert "Công ty TNHH Hạc Thành" in page and 'value="self"' in page
    assert client.post(draft_url + "nguoi-nop/", {}).status_code == 422
    assert client.post(draft_url + "nguoi-nop/", {"applicant": "99999"}).status_code == 422
    response = client.post(draft_url + "nguoi-nop/", {"applicant": str(company.pk)})
    assert response["Location"] == draft_url + "to-khai/1/"
    for number, answers in enumerate([REQUESTER, CHILD, MOTHER, {}, LAST], start=1):
        assert client.post(f"{draft_url}to-khai/{number}/", answers).status_code == 302
    draft = SubmissionDraft.objects.get(owner=citizen)
    for component in drafts.draft_components(draft):
        pdf = SimpleUploadedFile("tep.pdf", PDF + component.name.encode(), "application/pdf")
        client.post(
            draft_url + "giay-to/", {"action": "upload", "component": component.pk, "files": [pdf]}
        )
    check = client.get(draft_url + "kiem-tra/").content.decode()
    assert "Công ty TNHH Hạc Thành" in check and f'href="{draft_url}nguoi-nop/?from=check"' in check
    response = client.post(draft_url + "cam-doan/", {"confirm": "on"})
    assert response.status_code == 302, response.content.decode()[:3000]

    dossier = Dossier.objects.get()
    assert (dossier.applicant_type, dossier.applicant_name, dossier.applicant_id_number) == (
        2,
        "Công ty TNHH Hạc Thành",
        "2801234567",
    )
    assert (dossier.representative_name, dossier.representative_id_number) == (
        "Lê Thị Hoa",
        "038190000123",
    )
    assert dossier.owner == citizen and dossier.organisation == company
    letter_row = DossierComponent.objects.get(dossier=dossier, name="Văn bản ủy quyền")
    assert letter_row.reused and letter_row.file_name == "uy-quyen-12.pdf"
    # the legal representative sees and follows the dossier too
    client.force_login(boss)
    assert dossier.code in client.get("/ho-so-cua-toi/").content.decode()
    assert client.get(f"/ho-so-cua-toi/{dossier.code}/").status_code == 200
    # the organisation's dossier belongs to it: once revoked, the person who filed it no
    # longer sees it (404, as for any code not theirs)
    orgs.organisation_member_revoke(actor=boss, member=member)
    client.force_login(citizen)
    assert client.get(f"/ho-so-cua-toi/{dossier.code}/").status_code == 404
    assert dossier.code not in client.get("/ho-so-cua-toi/").content.decode()
    # someone outside the organisation never sees it
    client.force_login(UserFactory(username="ngoai"))
    assert client.get(f"/ho-so-cua-toi/{dossier.code}/").status_code == 404


def test_a_revoked_person_cannot_submit_the_draft_for_the_organisation(client, birth, citizen):
    from allauth.account.models import EmailAddress

    from motcua.accounts.services import organisations as orgs

    version = birth.version
    version.applicant_types = [1, 2]
    version.save(update_fields=["applicant_types"])
    boss = UserFactory(username="gd2", email="gd2@example.vn")
    company = orgs.organisation_register(actor=boss, name="Công ty B", tax_code="2809999999")
    EmailAddress.objects.create(user=citizen, email=citizen.email, verified=True, primary=True)
    member = orgs.organisation_member_add(
        actor=boss, organisation=company, email=citizen.email, authorisation=PDF
    )
    draft = drafts.draft_start(actor=citizen, version=version)
    drafts.draft_choose_where(actor=citizen, draft=draft, commune=_commune())
    drafts.draft_choose_applicant(actor=citizen, draft=draft, organisation_id=company.pk)
    orgs.organisation_member_revoke(actor=boss, member=member)
    with pytest.raises(ValidationFailed) as info:
        drafts.draft_choose_applicant(actor=citizen, draft=draft, organisation_id=company.pk)
    assert info.value.code == "organisation"
    draft.refresh_from_db()
    with pytest.raises(ValidationFailed) as info:
        drafts._for_organisation(citizen, draft, None)
    assert info.value.code == "organisation_revoked"
    assert not Dossier.objects.exists()


def _commune():
    from motcua.org.models import Agency

    commune = Agency.objects.get(code="14848")
    commune.parent  # noqa: B018 (loaded for the draft)
    return commune


def _pdf_text(pdf: bytes) -> str:
    import subprocess

    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return " ".join(done.stdout.decode().split())


def second_case(version):
    from motcua.catalog.models import ProcedureVariant

    default = version.variants.get(is_default=True)
    return ProcedureVariant.objects.create(
        version=version,
        code="xac_minh",
        name="Đăng ký khai sinh - trường hợp cần xác minh",
        order=1,
        time_amount=3,
        time_unit="working_days",
        form_schema=default.form_schema,
        form_ui=default.form_ui,
    )


def test_choosing_the_case_when_several_can_be_submitted_online(client, birth, citizen):
    version = birth.version
    other = second_case(version)
    client.force_login(citizen)
    draft_url = _start(client)
    response = client.post(draft_url + "noi-nop/", {"province": "38", "commune": "14848"})
    assert response["Location"] == draft_url + "truong-hop/"
    page = client.get(draft_url + "truong-hop/").content.decode()
    assert "trường hợp cần xác minh" in page and "3 ngày làm việc" in page
    assert "checked" in page  # the default case is preselected
    assert client.post(draft_url + "truong-hop/", {"case": "x"}).status_code == 422
    foreign = version.variants.model.objects.exclude(version=version).first()
    if foreign is not None:
        assert client.post(draft_url + "truong-hop/", {"case": foreign.pk}).status_code == 422
    response = client.post(draft_url + "truong-hop/", {"case": other.pk})
    assert response["Location"] == draft_url + "to-khai/1/"
    draft = SubmissionDraft.objects.get(owner=citizen)
    assert draft.variant == other
    check = client.get(draft_url + "kiem-tra/").content.decode()
    assert other.name in check and f'href="{draft_url}truong-hop/?from=check"' in check
