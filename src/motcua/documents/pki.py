"""A development PKI (issue 7): a demo root CA and, under it, certificates for officials (the
personal signature of a leader who signs a result) and for agencies (the seal signature, ký số
tổ chức), so that signing can be shown end to end without a real CA.

**Not for production.** Every certificate says so in its subject (``OU``) and the root's name,
the keys are software keys, and the one passphrase of the PKCS#12 files is documented
(``DEV_PASSPHRASE``). ``motcua pki init`` refuses to run with ``MOTCUA_ENV=production``. In
production, officials sign with certificates from a licensed CA on USB tokens or remote HSMs
(``documents.signing``).

What the certificates carry, as the signature checks of PDF readers and poppler's ``pdfsig``
expect them (``../shared/NOTES.md``):
- RSA 2048 keys, SHA-256 signatures;
- key usage ``digitalSignature`` and ``nonRepudiation``; no extended key usage (with
  ``documentSigning`` or ``clientAuth`` alone ``pdfsig`` reports "Unknown issue with
  Certificate");
- subject C=VN, ST=<province>, O=<agency>, OU="motcua DEMO — not for production", CN=<name>,
  and for a person the position as ``title``;
- one certificate per signer: a leader's and the agency's seal are two.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

# The passphrase of every PKCS#12 file the development PKI writes (never used in production).
DEV_PASSPHRASE = "motcua-demo-pki"  # noqa: S105 - documented demo credential
DEMO_MARK = "motcua DEMO — not for production"
ROOT_NAME = "motcua DEMO Root CA — not for production"
NAME_LIMIT = 64  # characters of a common name, organisation or title (RFC 5280, X.520)
ROOT_YEARS = 10
LEAF_YEARS = 3


@dataclass(frozen=True)
class Subject:
    """Whom a certificate names: an official (``title`` is the position) or an agency's seal
    (``title`` empty)."""

    common_name: str
    organisation: str
    province: str = ""
    title: str = ""

    @property
    def is_seal(self) -> bool:
        return not self.title

    def name(self) -> x509.Name:
        attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
        if self.province:
            attributes.append(x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, self.province))
        attributes += [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, self.organisation),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, DEMO_MARK),
        ]
        if self.title:
            attributes.append(x509.NameAttribute(NameOID.TITLE, self.title))
        attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, self.common_name))
        return x509.Name(attributes)


@dataclass(frozen=True)
class Issued:
    """A key and its certificate, with the chain above it (the root)."""

    key: rsa.RSAPrivateKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()

    def pkcs12(self, friendly_name: str, passphrase: str = DEV_PASSPHRASE) -> bytes:
        return pkcs12.serialize_key_and_certificates(
            friendly_name.encode(),
            self.key,
            self.certificate,
            list(self.chain),
            serialization.BestAvailableEncryption(passphrase.encode()),
        )

    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _years(start: dt.datetime, years: int) -> dt.datetime:
    return start.replace(year=start.year + years)


def make_root(*, now: dt.datetime | None = None) -> Issued:
    """A self-signed root for the development PKI."""
    now = now or dt.datetime.now(dt.UTC)
    key = _key()
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "motcua"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, DEMO_MARK),
            x509.NameAttribute(NameOID.COMMON_NAME, ROOT_NAME),
        ]
    )
    public = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(_years(now, ROOT_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Issued(key, certificate)


def issue(root: Issued, subject: Subject, *, now: dt.datetime | None = None) -> Issued:
    """A key and a signing certificate for ``subject`` under ``root``."""
    key = _key()
    return Issued(key, certify(root, subject, key.public_key(), now=now), (root.certificate,))


def certify(
    root: Issued, subject: Subject, public: rsa.RSAPublicKey, *, now: dt.datetime | None = None
) -> x509.Certificate:
    """A signing certificate for ``subject``'s public key under ``root``: for a key made
    elsewhere, on a token that never lets it out."""
    now = now or dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject.name())
        .issuer_name(root.certificate.subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(min(_years(now, LEAF_YEARS), root.certificate.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # non-repudiation
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root.key.public_key()),
            critical=False,
        )
        .sign(root.key, hashes.SHA256())
    )


def issue_tsa(root: Issued, name: str = "motcua DEMO Time-Stamping Authority") -> Issued:
    """A time-stamping authority's certificate under ``root`` (extended key usage
    ``timeStamping``, critical, as RFC 3161 §2.3 requires): the tests' local TSA."""
    now = dt.datetime.now(dt.UTC)
    key = _key()
    public = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                    x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, DEMO_MARK),
                    x509.NameAttribute(NameOID.COMMON_NAME, name),
                ]
            )
        )
        .issuer_name(root.certificate.subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(min(_years(now, LEAF_YEARS), root.certificate.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root.key.public_key()),
            critical=False,
        )
        .sign(root.key, hashes.SHA256())
    )
    return Issued(key, certificate, (root.certificate,))


def make_crl(
    root: Issued,
    revoked: list[tuple[int, dt.datetime]],
    *,
    now: dt.datetime | None = None,
    days: int = 7,
    reason: x509.ReasonFlags = x509.ReasonFlags.cessation_of_operation,
) -> bytes:
    """A certificate revocation list (DER, RFC 5280) of ``root`` listing ``revoked`` (serial
    numbers and the moments they were revoked), valid for ``days``. The default reason is the
    usual one for an official: they no longer hold the position."""
    now = now or dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(root.certificate.subject)
        # thisUpdate: no earlier than the last revocation it lists (a validator ignores a
        # revocation dated after the list was issued)
        .last_update(max([now - dt.timedelta(minutes=5), *(moment for _s, moment in revoked)]))
        .next_update(now + dt.timedelta(days=days))
        .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
    )
    for serial, moment in revoked:
        entry = (
            x509.RevokedCertificateBuilder()
            .serial_number(serial)
            .revocation_date(moment)
            # a reason, always: pyHanko's certvalidator reads an entry without one as
            # "unspecified" (0), which its check then takes for "not revoked"
            .add_extension(x509.CRLReason(reason), critical=False)
        )
        builder = builder.add_revoked_certificate(entry.build())
    return builder.sign(root.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
