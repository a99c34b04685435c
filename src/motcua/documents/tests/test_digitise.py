"""Digitisation at reception (issue 7 §5, SPEC.md §1.4 step 3, §4.3): a component scanned at the
counter gets an electronic copy sealed with the committee's digital signature — a scanned PDF
as it is, a photo laid on an A4 page — flagged digitised for the 766 indicators; the copy
passes ``pdfsig``, and reception never waits on a missing or failing seal."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image
from weasyprint import HTML

from motcua.documents import pki
from motcua.documents.services.digitise import committee_of, component_e_copies
from motcua.documents.tests.samples import needs_pdfsig, pdfsig
from motcua.documents.verification import verify_pdf
from motcua.dossiers.services import counter
from motcua.dossiers.services.lifecycle import ComponentIn
from motcua.dossiers.tests.factories import dossier_in, vn


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (400, 560), (240, 235, 220)).save(out, "JPEG")
    return out.getvalue()


SCAN = HTML(string="<h1>Giấy khai sinh</h1><p>Bản chính</p>").write_pdf()


@pytest.fixture
def sealed_by_c1(keys, tmp_path, settings, tree, monkeypatch):
    root, _leader, seal = keys
    (tmp_path / "seal.p12").write_bytes(seal.pkcs12("seal"))
    (tmp_path / "root.pem").write_bytes(root.certificate_pem())
    config = {
        "seals": {tree.c1.code: {"pkcs12": str(tmp_path / "seal.p12"), "passphrase_env": "S"}}
    }
    (tmp_path / "keys.json").write_text(json.dumps(config))
    settings.MOTCUA_SIGNING_KEYS = str(tmp_path / "keys.json")
    settings.MOTCUA_TRUST_ROOTS = [str(tmp_path / "root.pem")]
    monkeypatch.setenv("S", pki.DEV_PASSPHRASE)
    return root


def _received(catalogue, tree, c1_staff):
    version = catalogue["1.004873"]
    data = dossier_in(version, tree.c1_units["pvhcc"])
    catalogue_components = list(version.components.all()[:2])
    data.components = [
        ComponentIn(
            component=catalogue_components[0],
            is_original=True,
            content=SCAN,
            file_name="giay-khai-sinh.pdf",
            digitised=True,
        ),
        ComponentIn(
            component=catalogue_components[-1],
            content=_jpeg(),
            file_name="cccd.jpg",
            digitised=True,
        ),
    ]
    return counter.counter_intake(
        actor=c1_staff.reception, data=data, decision="receive", at=vn(2026, 3, 9, 9)
    )


@pytest.mark.django_db
@needs_pdfsig
def test_scans_at_the_counter_become_sealed_e_copies(
    catalogue, tree, c1_staff, sealed_by_c1, tmp_path
):
    dossier = _received(catalogue, tree, c1_staff)
    rows = list(dossier.components.select_related("file", "e_copy").order_by("order", "pk"))
    copies = [r for r in rows if r.e_copy_id]
    assert len(copies) == 2 and all(r.digitised for r in copies)
    assert all(r.file_id != r.e_copy_id for r in copies)  # the scan is kept beside its copy
    for index, row in enumerate(copies):
        with row.e_copy.file.open("rb") as handle:
            pdf = handle.read()
        check = verify_pdf(pdf)
        assert check.genuine and len(check.signatures) == 1, check.problems()
        assert tree.c1.name in check.signatures[0].signer
        folder = tmp_path / f"pdfsig-{index}"
        folder.mkdir()
        report = pdfsig(pdf, sealed_by_c1.certificate_pem(), folder)
        assert "Signature Validation: Signature is Valid." in report, report
    dossier.refresh_from_db()
    assert dossier.digitised  # HoSoCoThanhPhanSoHoa, counted by the 766 indicators 4.2-4.3


@pytest.mark.django_db
def test_without_a_seal_key_the_dossier_is_received_with_its_scans(catalogue, tree, c1_staff):
    dossier = _received(catalogue, tree, c1_staff)
    assert dossier.state == "received"
    rows = list(dossier.components.all())
    assert any(r.digitised and r.file_id for r in rows)
    assert not any(r.e_copy_id for r in rows)
    # configured later, the copies can still be made (and only once)
    assert component_e_copies(dossier=dossier) == 0


@pytest.mark.django_db
def test_a_failing_seal_does_not_block_reception(
    catalogue, tree, c1_staff, sealed_by_c1, monkeypatch
):
    monkeypatch.setenv("S", "not the passphrase")
    dossier = _received(catalogue, tree, c1_staff)
    assert dossier.state == "received"
    assert not dossier.components.filter(e_copy__isnull=False).exists()
    monkeypatch.setenv("S", pki.DEV_PASSPHRASE)
    assert component_e_copies(dossier=dossier) == 2
    assert component_e_copies(dossier=dossier) == 0


@pytest.mark.django_db
def test_the_copies_are_sealed_by_the_committee_of_the_desk(tree):
    assert committee_of(tree.c1_units["pvhcc"]) == tree.c1


@pytest.mark.django_db
def test_the_desk_links_each_sealed_copy(client, catalogue, tree, c1_staff, sealed_by_c1):
    from motcua.accounts.tests.mfa import mfa_login

    dossier = _received(catalogue, tree, c1_staff)
    row = dossier.components.filter(e_copy__isnull=False).first()
    plain = dossier.components.filter(e_copy__isnull=True, file__isnull=False).first()
    mfa_login(client, c1_staff.specialist)
    url = f"/can-bo/ho-so/{dossier.code}/tai-lieu/{row.pk}/?ban=sao-dien-tu"
    assert (
        url.replace("&", "&amp;") in client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    )
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert (
        b"".join(response.streaming_content if response.streaming else [response.content])[:5]
        == b"%PDF-"
    )
    if plain is not None:
        assert (
            client.get(
                f"/can-bo/ho-so/{dossier.code}/tai-lieu/{plain.pk}/?ban=sao-dien-tu"
            ).status_code
            == 404
        )
    mfa_login(client, staff_elsewhere(tree))
    assert client.get(url).status_code == 404


def staff_elsewhere(tree):
    from motcua.org.choices import Role
    from motcua.org.tests.factories import official

    return official("c2-viewer", home=tree.c2, role=Role.SPECIALIST).user
