"""Is this signed PDF genuine? (issue 7 §4): what a citizen, a bank or another agency needs to
know about a result they are shown.

    verify_pdf(data, *, trust=None) -> Verification
    trust_roots() -> list[bytes]        (DER; MOTCUA_TRUST_ROOTS, and the demo root outside
                                         production)

For every signature: who signed (the certificate's subject), under which issuer, the
certificate's validity, when it was signed, and three checks —
- **intact**: the signed bytes are unchanged (the digest matches and the signature verifies);
- **trusted**: the certificate chains to a root of the trust list, and was valid at signing;
- **unchanged since**: what was added after the signature is allowed (another signature, its
  field), nothing else (pyHanko's difference analysis of the incremental updates).

The document is genuine when it has at least one signature and every one passes all three,
and no certificate is known to be revoked. Revocation is checked against the certificate
revocation lists held locally (``MOTCUA_TRUST_CRLS``, and the development PKI's ``root.crl``
outside production) and, with ``MOTCUA_REVOCATION_FETCH``, against the CAs' OCSP responders and
CRLs named in the certificates. A certificate whose issuer published nothing we hold is
reported as "not checked", not as revoked (soft-fail).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import PathValidationError
from pyhanko_certvalidator.policy_decl import (
    CertRevTrustPolicy,
    RevocationCheckingPolicy,
    RevocationCheckingRule,
)

MAX_BYTES = 20 * 1024 * 1024


class NotAPdf(ValueError):
    """The file cannot be read as a PDF (the message says so in the user's language)."""


@dataclass(frozen=True)
class SignatureCheck:
    field: str
    signer: str  # the certificate's common name
    subject: str  # the whole distinguished name
    issuer: str
    serial: str
    valid_from: dt.datetime
    valid_until: dt.datetime
    signed_at: dt.datetime | None  # as the signer's time attribute says (or the timestamp's)
    timestamped: bool
    intact: bool
    trusted: bool
    unchanged_since: bool
    whole_file: bool  # the last signature covers every byte of the file
    revocation_checked: bool = False  # a CRL of its issuer was held, or OCSP/CRL was fetched
    revoked_at: dt.datetime | None = None  # revoked (by its CA), and when

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def ok(self) -> bool:
        return self.intact and self.trusted and self.unchanged_since and not self.revoked


@dataclass(frozen=True)
class Verification:
    signatures: list[SignatureCheck] = field(default_factory=list)

    @property
    def genuine(self) -> bool:
        return bool(self.signatures) and all(check.ok for check in self.signatures)

    def problems(self) -> list[str]:
        """What is wrong, in the user's language; empty when genuine."""
        if not self.signatures:
            return [_("The document carries no digital signature.")]
        found = []
        for check in self.signatures:
            name = check.signer or check.field
            if not check.intact:
                found.append(
                    _("The signature of %(name)s does not match the document: it was changed.")
                    % {"name": name}
                )
            if check.revoked_at is not None:
                found.append(
                    _("The certificate of %(name)s was revoked on %(date)s.")
                    % {"name": name, "date": f"{check.revoked_at:%d/%m/%Y}"}
                )
            elif not check.trusted:
                found.append(
                    _("The certificate of %(name)s is not issued by a trusted authority.")
                    % {"name": name}
                )
            if check.intact and not check.unchanged_since:
                found.append(
                    _("The document was changed after %(name)s signed it.") % {"name": name}
                )
        return found


def _load(der: bytes) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(der)


def trust_roots() -> list[bytes]:
    """The roots a signature must chain to: the PEM files of ``MOTCUA_TRUST_ROOTS`` (the
    national root CA and the licensed CAs' roots in production), and outside production the
    development PKI's root (``motcua pki init``)."""
    paths = [Path(p) for p in getattr(settings, "MOTCUA_TRUST_ROOTS", [])]
    if not settings.PRODUCTION:
        paths.append(Path(settings.DATA_DIR) / "pki" / "root.pem")
    roots = []
    for path in paths:
        if path.exists():
            roots += pem_certificates(path.read_bytes())
    return roots


def revocation_lists() -> list[bytes]:
    """The CRLs held locally (DER): the files of ``MOTCUA_TRUST_CRLS`` and, outside
    production, the development PKI's ``root.crl`` (``motcua pki revoke``)."""
    from asn1crypto import pem

    paths = [Path(p) for p in getattr(settings, "MOTCUA_TRUST_CRLS", [])]
    if not settings.PRODUCTION:
        paths.append(Path(settings.DATA_DIR) / "pki" / "root.crl")
    found = []
    for path in paths:
        if not path.exists():
            continue
        data = path.read_bytes()
        if pem.detect(data):
            found += [der for _kind, _headers, der in pem.unarmor(data, multiple=True)]
        else:
            found.append(data)
    return found


def _crl_issuers(crls: list[bytes]) -> set[bytes]:
    from asn1crypto import crl

    issuers = set()
    for der in crls:
        try:
            issuers.add(crl.CertificateList.load(der).issuer.dump())
        except ValueError:
            continue
    return issuers


def pem_certificates(data: bytes) -> list[bytes]:
    """The certificates (DER) of a PEM file, or the file itself when it is DER."""
    from asn1crypto import pem

    if not pem.detect(data):
        return [data]
    return [der for _kind, _headers, der in pem.unarmor(data, multiple=True)]


def _name(name: asn1_x509.Name) -> str:
    return name.human_friendly


def verify_pdf(
    data: bytes, *, trust: list[bytes] | None = None, crls: list[bytes] | None = None
) -> Verification:
    """Check every signature of ``data`` against ``trust`` (DER roots; default
    ``trust_roots()``) and ``crls`` (DER; default ``revocation_lists()``). Raises ``NotAPdf``
    for a file that is not a readable PDF."""
    if not data.startswith(b"%PDF-"):
        raise NotAPdf(_("This file is not a PDF."))
    if len(data) > MAX_BYTES:
        raise NotAPdf(_("This file is larger than 20 MB."))
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except (PdfReadError, ValueError, KeyError) as error:
        raise NotAPdf(_("This PDF cannot be read: it is damaged.")) from error
    roots = [_load(der) for der in (trust if trust is not None else trust_roots())]
    held = crls if crls is not None else revocation_lists()
    fetch = bool(getattr(settings, "MOTCUA_REVOCATION_FETCH", False))
    issuers = _crl_issuers(held)
    checks = []
    for signature in embedded:
        certificate = signature.signer_cert
        # A CRL of its issuer held here is required to be checked: pyHanko's soft-fail mode
        # consults held CRLs only for certificates that name a distribution point. Otherwise
        # what the certificate declares is checked when fetching is allowed (soft-fail).
        listed = certificate.issuer.dump() in issuers
        declared = bool(certificate.crl_distribution_points or certificate.ocsp_urls)
        rule = (
            RevocationCheckingRule.CRL_REQUIRED
            if listed
            else RevocationCheckingRule.CHECK_IF_DECLARED_SOFT
        )
        policy = CertRevTrustPolicy(
            RevocationCheckingPolicy(
                ee_certificate_rule=rule,
                intermediate_ca_cert_rule=RevocationCheckingRule.CHECK_IF_DECLARED_SOFT,
            )
        )
        # a context per signature: pyHanko keeps what it learnt about paths and revocation
        context = ValidationContext(
            trust_roots=roots, crls=held, allow_fetching=fetch, revinfo_policy=policy
        )
        revoked_at = None
        try:
            status = validate_pdf_signature(signature, context)
        except (SignatureValidationError, PathValidationError, ValueError):
            intact = trusted = unchanged = False
            signed_at, timestamped, whole = None, False, False
        else:
            details = status.revocation_details
            if details is not None:
                revoked_at = details.revocation_date
            intact = bool(status.intact and status.valid)
            trusted = bool(status.trusted)
            unchanged = bool(status.docmdp_ok or status.modification_level is None)
            stamp = status.timestamp_validity
            timestamped = stamp is not None
            signed_at = stamp.timestamp if stamp is not None else status.signer_reported_dt
            whole = status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
        checks.append(
            SignatureCheck(
                field=signature.field_name,
                signer=certificate.subject.native.get("common_name", ""),
                subject=_name(certificate.subject),
                issuer=_name(certificate.issuer),
                serial=format(certificate.serial_number, "x"),
                valid_from=certificate.not_valid_before,
                valid_until=certificate.not_valid_after,
                signed_at=signed_at,
                timestamped=timestamped,
                intact=intact,
                trusted=trusted,
                unchanged_since=unchanged,
                whole_file=whole,
                revocation_checked=listed or (fetch and declared),
                revoked_at=revoked_at,
            )
        )
    return Verification(checks)


def verify_registered(document) -> Verification | None:
    """The checks of a registered document's stored file (``None`` when it has none): what its
    QR code's page shows. The file's SHA-256 is compared first: a stored file that changed on
    disk is reported as not intact without parsing it."""
    stored = document.file
    if stored is None:
        return None
    with stored.file.open("rb") as handle:
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != stored.sha256:
        return Verification([_changed_on_disk(document)])
    return verify_pdf(data)


def _changed_on_disk(document) -> SignatureCheck:
    moment = dt.datetime.combine(document.issued_on, dt.time(), tzinfo=dt.UTC)
    return SignatureCheck(
        field="",
        signer=document.signer_name,
        subject=document.signer_name,
        issuer="",
        serial="",
        valid_from=moment,
        valid_until=moment,
        signed_at=None,
        timestamped=False,
        intact=False,
        trusted=False,
        unchanged_since=False,
        whole_file=False,
    )


def check_allowance(client: str) -> int:
    """0 when ``client`` (an address) may have one more check, else the seconds to wait
    (``MOTCUA_VERIFY_RATE``): a check of an uploaded file costs real CPU."""
    from motcua.core import ratelimit

    rate = ratelimit.parse_rate(getattr(settings, "MOTCUA_VERIFY_RATE", "20/m"))
    decision = ratelimit.hit(f"verify:{client}", rate)
    return 0 if decision.allowed else max(1, decision.retry_after)
