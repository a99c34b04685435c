"""Revocation (issue 7 §4): a signature whose certificate its CA has revoked is not genuine;
the verifier reads the CRLs held locally (``MOTCUA_TRUST_CRLS``, the development PKI's
``root.crl``) and says when it could not check; ``motcua pki revoke`` revokes a demo signer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from motcua.documents import pki
from motcua.documents.services.dev_pki import dev_pki_init, dev_pki_revoke
from motcua.documents.signing import pkcs12_signer, sign_pdf
from motcua.documents.tests.samples import PERSONAL
from motcua.documents.verification import verify_pdf


def test_a_revoked_certificate_is_not_genuine(keys, signed):
    root, leader, _seal = keys
    roots = _der(root)
    unchecked = verify_pdf(signed, trust=roots, crls=[])
    assert unchecked.genuine
    assert not any(c.revocation_checked for c in unchecked.signatures)

    empty = pki.make_crl(root, [])
    clean = verify_pdf(signed, trust=roots, crls=[empty])
    assert clean.genuine and all(c.revocation_checked for c in clean.signatures)

    when = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    crl = pki.make_crl(root, [(leader.certificate.serial_number, when)])
    found = verify_pdf(signed, trust=roots, crls=[crl])
    assert not found.genuine
    leader_check = next(
        c for c in found.signatures if c.serial == format(leader.certificate.serial_number, "x")
    )
    assert leader_check.revoked and leader_check.revoked_at.date() == when.date()
    others = [c for c in found.signatures if c is not leader_check]
    assert all(not c.revoked and c.ok for c in others)  # the seal's certificate is fine
    assert any("01/03/2026" in p and "thu hồi" in p for p in found.problems())


def _der(root):
    from cryptography.hazmat.primitives.serialization import Encoding

    return [root.certificate.public_bytes(Encoding.DER)]


@pytest.mark.django_db
def test_pki_revoke_writes_the_crl_the_verifier_reads(tmp_path, settings, capsys, client):
    """Once its certificate is revoked, a B-B signature is no longer genuine, whenever it was
    made: without a timestamp (B-T, ``MOTCUA_TSA_URL``) nothing proves it was made before the
    revocation, so the certificate is judged now."""
    import time

    from weasyprint import HTML

    settings.DATA_DIR = tmp_path
    dev_pki_init()
    with (tmp_path / "pki" / "people" / "demo.lanhdao.p12").open("rb") as handle:
        signer = pkcs12_signer(handle.read(), pki.DEV_PASSPHRASE)
    page = HTML(string="<p>Kết quả</p>").write_pdf()

    def signed() -> bytes:
        return sign_pdf(page, signer, field="ca-nhan", appearance=PERSONAL, box=(300, 60, 540, 140))

    before = signed()
    first = verify_pdf(before)
    assert first.genuine and first.signatures[0].revocation_checked
    call_command("pki", "revoke", "demo.lanhdao")
    assert "revoked the development certificate of demo.lanhdao" in capsys.readouterr().out
    time.sleep(1.1)  # past the validator's one-second tolerance
    for pdf in (signed(), before):
        after = verify_pdf(pdf)
        assert not after.genuine and after.signatures[0].revoked
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post("/xac-thuc/", {"tep": SimpleUploadedFile("kq.pdf", before)})
    text = response.content.decode()
    assert "Văn bản không xác thực." in text
    assert "đã bị thu hồi ngày" in text and "Bị thu hồi" in text
    with pytest.raises(FileNotFoundError):
        dev_pki_revoke("nobody")
    settings.PRODUCTION = True
    with pytest.raises(Exception, match="production"):
        dev_pki_revoke("demo.lanhdao")
