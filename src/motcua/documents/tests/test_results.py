"""A dossier's result issued as a signed, numbered document (issue 7 §1–2): the procedure's
template rendered as PDF/A with the Nghị định 30/2020 heading, its register number and the QR
code of its page; the leader's signature in the room left for it and the seal beside it, both
valid for ``pdfsig``; the register's entry points at the stored file, which the public page
finds genuine. A failure rolls everything back, the number included."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest

from motcua.core.errors import NotFound, ValidationFailed
from motcua.documents import pki
from motcua.documents.models import OutgoingDocument
from motcua.documents.services.results import result_document_issue
from motcua.documents.signing import SigningError, pkcs12_signer
from motcua.documents.tests.samples import needs_pdfsig, pdfsig
from motcua.documents.verification import verify_registered
from motcua.dossiers.services import lifecycle as svc
from motcua.dossiers.tests.factories import dossier_in, vn

VALUES = {
    "full_name": "Nguyễn Thị Lan",
    "birth_date": "12/05/1995",
    "sex": "Nữ",
    "ethnicity": "Kinh",
    "nationality": "Việt Nam",
    "identity": "Căn cước số 038195001234",
    "residence": "Phường Hạc Thành, tỉnh Thanh Hóa",
    "status": "Chưa đăng ký kết hôn với ai",
    "purpose": "Đăng ký kết hôn",
}
CHAIRMAN = ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]


@pytest.fixture
def dossier(tree, catalogue, c1_staff):
    version = catalogue["1.004873"]  # Cấp Giấy xác nhận tình trạng hôn nhân (SPEC.md §8.2)
    return svc.dossier_intake(
        actor=c1_staff.reception,
        data=dossier_in(version, tree.c1_units["pvhcc"]),
        at=vn(2026, 3, 9, 9),
    )


@pytest.fixture
def signers_(keys):
    _root, leader, seal = keys
    return (
        pkcs12_signer(leader.pkcs12("leader"), pki.DEV_PASSPHRASE),
        pkcs12_signer(seal.pkcs12("seal"), pki.DEV_PASSPHRASE),
    )


def issue(actor, dossier, signers_, **extra):
    leader, seal = signers_
    values = {
        "actor": actor,
        "dossier": dossier,
        "values": VALUES,
        "signer_position": "Chủ tịch",
        "competence": CHAIRMAN,
        "leader": leader,
        "seal": seal,
        "issued_on": dt.date(2026, 3, 10),
        "at": vn(2026, 3, 10, 10),
    } | extra
    return result_document_issue(**values)


@pytest.mark.django_db
def test_a_result_is_numbered_rendered_and_signed_twice(
    dossier,
    c1_staff,
    signers_,
    keys,
    settings,
    tmp_path,
):
    root, _leader, _seal = keys
    document = issue(c1_staff.agency_leader, dossier, signers_)
    assert document.notation == "01/XNTTHN-UBND"  # Nghị định 30/2020: 01 on 1 January
    assert (document.place, document.issued_on) == ("Hạc Thành", dt.date(2026, 3, 10))
    assert document.dossier == dossier and document.file is not None
    with document.file.file.open("rb") as handle:
        pdf = handle.read()
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "ỦY BAN NHÂN DÂN",
        "Số: 01/XNTTHN-UBND",
        "Hạc Thành, ngày 10 tháng 3 năm 2026",
        "GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN",
        "Nguyễn Thị Lan",
        "TM. ỦY BAN NHÂN DÂN",
        f"/xac-thuc/{document.public_id}/",
    ):
        assert expected in text, expected
    (tmp_path / "root.pem").write_bytes(root.certificate_pem())
    settings.MOTCUA_TRUST_ROOTS = [str(tmp_path / "root.pem")]
    checks = verify_registered(document)
    assert checks is not None and checks.genuine, checks.problems() if checks else None
    assert [c.field for c in checks.signatures] == ["ca-nhan", "to-chuc"]
    # the next result of the year is 02
    assert issue(c1_staff.agency_leader, dossier, signers_).notation == "02/XNTTHN-UBND"


@needs_pdfsig
@pytest.mark.django_db
def test_the_issued_file_passes_pdfsig(dossier, c1_staff, signers_, keys, tmp_path):
    root, _leader, _seal = keys
    document = issue(c1_staff.agency_leader, dossier, signers_)
    with document.file.file.open("rb") as handle:
        report = pdfsig(handle.read(), root.certificate_pem(), tmp_path)
    assert report.count("Signature is Valid.") == 2, report
    assert report.count("Certificate is Trusted.") == 2, report


@pytest.mark.django_db
def test_only_a_leader_issues_and_a_failure_gives_the_number_back(
    dossier,
    c1_staff,
    signers_,
    keys,
):
    with pytest.raises(NotFound):
        issue(c1_staff.specialist, dossier, signers_)
    with pytest.raises(ValidationFailed, match="Họ, chữ đệm, tên"):
        issue(c1_staff.agency_leader, dossier, signers_, values={**VALUES, "full_name": " "})

    class Broken:
        """A signer whose token fails in the middle of signing."""

        def __getattr__(self, name):
            raise SigningError("the token was removed")

    with pytest.raises(SigningError):
        issue(c1_staff.agency_leader, dossier, (Broken(), None))
    assert not OutgoingDocument.objects.exists()
    assert issue(c1_staff.agency_leader, dossier, signers_).number == 1
