"""Checking a signed PDF (issue 7 §4): genuine when every signature is intact, chains to the
trust list and nothing but another signature was added after it; otherwise the reason, in the
user's language. The same through ``motcua verify-pdf``."""

from __future__ import annotations

from io import BytesIO, StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from weasyprint import HTML

from motcua.documents import pki
from motcua.documents.verification import NotAPdf, trust_roots, verify_pdf


def der(issued: pki.Issued) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding

    return issued.certificate.public_bytes(Encoding.DER)


def test_a_result_signed_twice_is_genuine(keys, signed):
    root, _leader, _seal = keys
    result = verify_pdf(signed, trust=[der(root)])
    assert result.genuine and result.problems() == []
    personal, seal = result.signatures
    assert (personal.field, personal.signer) == ("ca-nhan", "Hoàng Văn Em")
    assert "Chủ tịch" in personal.subject and pki.DEMO_MARK in personal.subject
    assert seal.signer == "Ủy ban nhân dân phường Hạc Thành" and seal.whole_file
    assert not personal.whole_file  # the seal came after it, an allowed addition
    assert personal.signed_at is not None and personal.valid_from < personal.signed_at
    assert root.certificate.subject.rfc4514_string().startswith("CN=motcua DEMO Root")


def test_what_is_wrong_is_said(keys, signed, document):
    root, _leader, _seal = keys
    with translation.override("vi"):
        stranger = verify_pdf(signed, trust=[der(pki.make_root())])
        assert not stranger.genuine
        assert all(c.intact and not c.trusted for c in stranger.signatures)
        assert any("không do tổ chức" in p for p in stranger.problems()), stranger.problems()

        changed = bytearray(signed)
        changed[len(document) // 2] ^= 0x01  # in the content both signatures cover
        broken = verify_pdf(bytes(changed), trust=[der(root)])
        assert not broken.genuine and not any(c.intact for c in broken.signatures)
        assert any("bị thay đổi" in p for p in broken.problems())

        writer = IncrementalPdfFileWriter(BytesIO(signed))
        page = writer.root["/Pages"]["/Kids"][0].get_object()
        page["/Rotate"] = generic.NumberObject(90)
        writer.update_container(page)
        out = BytesIO()
        writer.write(out)
        later = verify_pdf(out.getvalue(), trust=[der(root)])
        assert not later.genuine
        assert later.signatures[-1].intact and not later.signatures[-1].unchanged_since
        assert any("sau khi" in p for p in later.problems())

        unsigned = verify_pdf(HTML(string="<p>x</p>").write_pdf(), trust=[der(root)])
        assert not unsigned.genuine
        assert unsigned.problems() == ["Văn bản không có chữ ký số."]
        with pytest.raises(NotAPdf, match="không phải là tệp PDF"):
            verify_pdf(b"GIF89a", trust=[])


@pytest.mark.django_db
def test_the_demo_root_is_trusted_outside_production_only(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    assert trust_roots() == []
    call_command("pki", "init", stdout=StringIO())
    assert len(trust_roots()) == 1
    settings.PRODUCTION = True
    assert trust_roots() == []
    extra = tmp_path / "national.pem"
    extra.write_bytes(pki.make_root().certificate_pem())
    settings.MOTCUA_TRUST_ROOTS = [str(extra)]
    assert len(trust_roots()) == 1


def test_the_command(keys, signed, tmp_path):
    root, _leader, _seal = keys
    (tmp_path / "root.pem").write_bytes(root.certificate_pem())
    (tmp_path / "result.pdf").write_bytes(signed)
    out = StringIO()
    with translation.override("en"):
        call_command(
            "verify_pdf", str(tmp_path / "result.pdf"), "--trust", str(tmp_path / "root.pem"),
            stdout=out,
        )  # fmt: skip
    assert "Genuine" in out.getvalue() and "Hoàng Văn Em" in out.getvalue()
    with pytest.raises(CommandError) as failed:
        call_command("verify_pdf", str(tmp_path / "result.pdf"), stdout=StringIO())
    assert failed.value.returncode == 1  # not trusted without the root
    with pytest.raises(CommandError) as unreadable:
        call_command("verify_pdf", str(tmp_path / "missing.pdf"), stdout=StringIO())
    assert unreadable.value.returncode == 2
