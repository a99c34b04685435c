"""Remote signing (issue 7 §2): a provider that signs a digest it is sent — hash out,
signature in — gives the same valid PAdES signatures as a key at hand; only the digest
crosses, never the document or the key."""

from __future__ import annotations

import hashlib

import pytest

from motcua.documents.remote import LocalSigningProvider, ProviderSigner
from motcua.documents.signing import sign_pdf
from motcua.documents.tests.samples import PERSONAL, needs_pdfsig, pdfsig
from motcua.documents.verification import verify_pdf

BOX = (300, 60, 540, 140)


class Recording(LocalSigningProvider):
    """The local provider, remembering what crossed to it."""

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.received: list[tuple[bytes, str]] = []

    def sign_digest(self, digest: bytes, algorithm: str) -> bytes:
        self.received.append((digest, algorithm))
        return super().sign_digest(digest, algorithm)


@pytest.fixture
def provider(keys):
    root, leader, _seal = keys
    return Recording(leader.key, leader.certificate, (root.certificate,))


def test_a_remote_signature_is_valid(keys, provider, document):
    root, _leader, _seal = keys
    from cryptography.hazmat.primitives.serialization import Encoding

    signed = sign_pdf(
        document,
        ProviderSigner(provider),
        field="tu-xa",
        appearance=PERSONAL,
        box=(300, 60, 540, 140),
    )
    result = verify_pdf(signed, trust=[root.certificate.public_bytes(Encoding.DER)])
    assert result.genuine, result.problems()
    assert result.signatures[0].signer == "Hoàng Văn Em"
    # one digest crossed: 32 bytes of SHA-256, not the document
    [(digest, algorithm)] = provider.received
    assert (len(digest), algorithm) == (32, "sha256")
    assert digest != hashlib.sha256(document).digest()  # the signed attributes' digest


@needs_pdfsig
def test_pdfsig_accepts_it(keys, provider, document, tmp_path):
    root, _leader, _seal = keys
    signed = sign_pdf(
        document,
        ProviderSigner(provider),
        field="tu-xa",
        appearance=PERSONAL,
        box=(300, 60, 540, 140),
    )
    report = pdfsig(signed, root.certificate_pem(), tmp_path)
    assert "Signature is Valid." in report and "Certificate is Trusted." in report, report


def test_a_provider_without_certificate_is_refused():
    class Empty:
        def certificate_chain(self):
            return []

        def sign_digest(self, digest, algorithm):  # pragma: no cover - never called
            raise AssertionError

    with pytest.raises(ValueError, match="no certificate"):
        ProviderSigner(Empty())
