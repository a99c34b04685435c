"""PAdES signatures on a result (issue 7, SPEC.md §9.2: "an electronic document signed digitally
by the competent person has the value of the original"): the leader's personal signature and
then the agency's seal on one PDF, both valid for an independent verifier (poppler's
``pdfsig``, trusting the demo root through an NSS database), and any change after signing
detected — a flipped byte (``pdfsig``) or an incremental update (pyHanko's validator)."""

from __future__ import annotations

from io import BytesIO

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from motcua.documents import pki
from motcua.documents.signing import (
    Appearance,
    SigningError,
    pkcs12_signer,
    sign_pdf,
    signature_count,
)
from motcua.documents.tests.samples import LEADER, PERSONAL, SEAL, needs_pdfsig, pdfsig


@needs_pdfsig
def test_two_signatures_pass_pdfsig(keys, signed, tmp_path):
    root, _leader, _seal = keys
    report = pdfsig(signed, root.certificate_pem(), tmp_path)
    assert signature_count(signed) == 2
    assert report.count("Signature Validation: Signature is Valid.") == 2, report
    assert report.count("Certificate Validation: Certificate is Trusted.") == 2, report
    assert "Signature Type: ETSI.CAdES.detached" in report  # PAdES
    assert "Signing Hash Algorithm: SHA-256" in report
    assert "Signer Certificate Common Name: Hoàng Văn Em" in report
    assert "Signer Certificate Common Name: Ủy ban nhân dân phường Hạc Thành" in report
    # the seal, signed last, covers the whole file; the leader's signature what came before it
    assert "Total document signed" in report.split("Signature #2")[1]


@needs_pdfsig
def test_one_changed_byte_breaks_both(keys, signed, document, tmp_path):
    root, _leader, _seal = keys
    changed = bytearray(signed)
    at = len(document) // 2  # inside the original content, covered by both signatures
    changed[at] ^= 0x01
    report = pdfsig(bytes(changed), root.certificate_pem(), tmp_path)
    assert report.count("Digest Mismatch") == 2, report
    assert "Signature is Valid." not in report


@needs_pdfsig
def test_an_unknown_root_is_not_trusted(signed, tmp_path):
    stranger = pki.make_root()
    report = pdfsig(signed, stranger.certificate_pem(), tmp_path)
    assert report.count("Signature is Valid.") == 2  # intact, but
    assert "Certificate is Trusted." not in report  # not chained to what the verifier trusts


def test_an_incremental_change_after_signing_is_detected(keys, signed):
    root, _leader, _seal = keys
    trusted = asn1_x509.Certificate.load(root.certificate.public_bytes(Encoding.DER))
    context = ValidationContext(trust_roots=[trusted], allow_fetching=False)
    reader = PdfFileReader(BytesIO(signed))
    for embedded in reader.embedded_signatures:
        status = validate_pdf_signature(embedded, context)
        assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    # someone appends an update that changes the page after the seal
    writer = IncrementalPdfFileWriter(BytesIO(signed))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    page["/Rotate"] = generic.NumberObject(90)
    writer.update_container(page)
    tampered = BytesIO()
    writer.write(tampered)
    last = PdfFileReader(tampered).embedded_signatures[-1]
    status = validate_pdf_signature(last, context)
    assert status.intact and status.valid  # the signed bytes themselves are untouched, but
    assert status.coverage.name != "ENTIRE_FILE"
    assert not status.bottom_line  # the change after signing is not allowed


def test_the_certificates_are_fit_for_document_signing(keys):
    root, leader, seal = keys
    from cryptography import x509

    assert root.certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    for issued, subject in ((leader, LEADER), (seal, SEAL)):
        certificate = issued.certificate
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
        assert usage.digital_signature and usage.content_commitment
        with pytest.raises(x509.ExtensionNotFound):  # pdfsig rejects documentSigning alone
            certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
        assert pki.DEMO_MARK in certificate.subject.rfc4514_string()
        assert certificate.issuer == root.certificate.subject
        assert subject.common_name in certificate.subject.rfc4514_string()


def test_bad_input_is_refused_with_a_reason(keys, signed):
    _root, leader, _seal = keys
    with pytest.raises(SigningError, match="PKCS#12"):
        pkcs12_signer(leader.pkcs12("leader"), "wrong passphrase")
    signer = pkcs12_signer(leader.pkcs12("leader"), pki.DEV_PASSPHRASE)
    with pytest.raises(SigningError, match="not a PDF"):
        sign_pdf(b"hello", signer, field="x", appearance=PERSONAL, box=(0, 0, 10, 10))
    with pytest.raises(SigningError, match="already has a signature field"):
        sign_pdf(signed, signer, field="ca-nhan", appearance=PERSONAL, box=(0, 0, 10, 10))
    with pytest.raises(SigningError, match="no page"):
        sign_pdf(signed, signer, field="y", appearance=PERSONAL, box=(0, 0, 10, 10), page=5)
    garbled = Appearance(PERSONAL.name, PERSONAL.heading, image=b"not a picture")
    with pytest.raises(SigningError, match="signature image"):
        sign_pdf(signed, signer, field="z", appearance=garbled, box=(0, 0, 200, 60))
