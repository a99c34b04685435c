"""Remote signing (issue 7 §2): a service that holds the key elsewhere — a remote HSM, a CA's
signing service for officials without a USB token — and signs a digest it is sent. Only the
document's digest goes out; the signature comes back.

    SigningProvider            the protocol an adapter for such a service implements
    ProviderSigner(provider)   the pyHanko signer that uses one (for ``signing.sign_pdf``)
    LocalSigningProvider       a provider with the key in this process: the tests' stand-in
                               for a remote service, and the model for a real adapter

The signature mechanism is RSA with PKCS#1 v1.5 padding over the DigestInfo of a SHA-256
digest, what Vietnamese CAs' services sign.
"""

from __future__ import annotations

import hashlib
from typing import Protocol

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

_HASHES: dict[str, hashes.HashAlgorithm] = {
    "sha256": hashes.SHA256(),
    "sha384": hashes.SHA384(),
    "sha512": hashes.SHA512(),
}


class SigningProvider(Protocol):
    def certificate_chain(self) -> list[bytes]:
        """The signer's certificate first, then those above it (DER)."""
        ...

    def sign_digest(self, digest: bytes, algorithm: str) -> bytes:
        """The signature of ``digest`` (computed with ``algorithm``, e.g. "sha256")."""
        ...


class ProviderSigner(signers.Signer):
    """A pyHanko signer whose signatures come from a ``SigningProvider``."""

    def __init__(self, provider: SigningProvider) -> None:
        chain = [asn1_x509.Certificate.load(der) for der in provider.certificate_chain()]
        if not chain:
            raise ValueError("the signing provider gave no certificate")
        super().__init__(
            signing_cert=chain[0], cert_registry=SimpleCertificateStore.from_certs(chain[1:])
        )
        self.provider = provider
        self._size = chain[0].public_key.bit_size // 8

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run=False) -> bytes:
        if dry_run:
            return bytes(self._size)
        return self.provider.sign_digest(
            hashlib.new(digest_algorithm, data).digest(), digest_algorithm
        )


class LocalSigningProvider:
    """A ``SigningProvider`` with an RSA key in this process."""

    def __init__(
        self,
        key: rsa.RSAPrivateKey,
        certificate: x509.Certificate,
        chain: tuple[x509.Certificate, ...] = (),
    ) -> None:
        self.key, self.certificate, self.chain = key, certificate, chain
        self.digests_signed = 0

    def certificate_chain(self) -> list[bytes]:
        return [c.public_bytes(Encoding.DER) for c in (self.certificate, *self.chain)]

    def sign_digest(self, digest: bytes, algorithm: str) -> bytes:
        self.digests_signed += 1
        return self.key.sign(digest, padding.PKCS1v15(), Prehashed(_HASHES[algorithm]))
