"""``motcua pki init``: the development PKI written for the demo (issue 7), never in production.

    dev_pki_init(directory=None, *, force=False) -> DevPki

Writes, under ``<data dir>/pki`` (or ``directory``):
- ``root.pem``, the demo root CA's certificate (what a verifier must trust), and ``root.p12``,
  its key, to issue more certificates later;
- ``people/<username>.p12`` for each demo leader (personal signatures);
- ``seals/<agency code>.p12`` for each agency those leaders sign for (seal signatures).

- ``root.crl``, the root's revocation list (empty until ``dev_pki_revoke``), which the
  verifier reads outside production;

Every PKCS#12 file has the passphrase ``pki.DEV_PASSPHRASE``. Existing files are kept (the same
certificates across runs of ``motcua up``) unless ``force``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings

from motcua.documents import pki
from motcua.org.choices import AgencyKind, Role
from motcua.org.models import Agency
from motcua.org.services.demo import demo_accounts

SIGNING_ROLES = (Role.AGENCY_LEADER, Role.UNIT_LEADER)


class DevPkiRefused(RuntimeError):
    """The development PKI is refused in production."""


@dataclass
class DevPki:
    directory: Path
    created: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)

    @property
    def root_certificate(self) -> Path:
        return self.directory / "root.pem"


def default_directory() -> Path:
    return Path(settings.DATA_DIR) / "pki"


def _load_root(directory: Path) -> pki.Issued:
    key, certificate, _chain = pkcs12.load_key_and_certificates(
        (directory / "root.p12").read_bytes(), pki.DEV_PASSPHRASE.encode()
    )
    assert key is not None and certificate is not None
    return pki.Issued(key, certificate)  # type: ignore[arg-type]


def _write(path: Path, data: bytes, result: DevPki) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(data)
    partial.chmod(0o600)
    partial.replace(path)
    result.created.append(path)


def dev_pki_init(directory: Path | None = None, *, force: bool = False) -> DevPki:
    if settings.PRODUCTION:
        raise DevPkiRefused("the development PKI is refused in production (MOTCUA_ENV=production)")
    directory = directory or default_directory()
    result = DevPki(directory)
    if force or not (directory / "root.p12").exists():
        root = pki.make_root()
        _write(directory / "root.p12", root.pkcs12("motcua demo root"), result)
        _write(directory / "root.pem", root.certificate_pem(), result)
        (directory / "revoked.json").unlink(missing_ok=True)
        force = True  # new root: new certificates under it
    else:
        root = _load_root(directory)
    # the CRL is made again at every run, fresh (not reported among the files created)
    _write(directory / "root.crl", _crl(root, directory), DevPki(directory))
    agencies = {a.code: a for a in Agency.objects.filter(code__in=_agency_codes())}
    provinces = {a.path: a for a in Agency.objects.filter(kind=AgencyKind.PROVINCE)}

    def province_of(agency: Agency | None) -> str:
        """The province's name ("Tỉnh Thanh Hóa") for the certificate's ST."""
        top = provinces.get(agency.path.split("/", 1)[0] + "/") if agency is not None else None
        return (top.short_name or top.name) if top is not None else ""

    seals: dict[str, Agency | None] = {}
    for account in demo_accounts():
        if account.role not in SIGNING_ROLES or account.scope is None:
            continue
        home = agencies.get(account.home)
        signing_for = agencies.get(account.scope)
        if account.role == Role.AGENCY_LEADER:  # a head of unit signs with the agency's seal too
            seals.setdefault(account.scope, signing_for)
        path = directory / "people" / f"{account.username}.p12"
        if path.exists() and not force:
            result.kept.append(path)
            continue
        subject = pki.Subject(
            common_name=account.full_name,
            organisation=_certificate_name(home or signing_for, account.home),
            province=province_of(signing_for),
            title=account.position[: pki.NAME_LIMIT],
        )
        _write(path, pki.issue(root, subject).pkcs12(account.username), result)
    for code, agency in seals.items():
        path = directory / "seals" / f"{code}.p12"
        if path.exists() and not force:
            result.kept.append(path)
            continue
        name = _certificate_name(agency, code)
        subject = pki.Subject(common_name=name, organisation=name, province=province_of(agency))
        _write(path, pki.issue(root, subject).pkcs12(code), result)
    return result


def _certificate_name(agency: Agency | None, fallback: str) -> str:
    """The agency's name within X.520's 64 characters: its short name when the full one is
    longer ("Văn phòng HĐND và UBND Phường Hạc Thành")."""
    if agency is None:
        return fallback
    for name in (agency.name, agency.short_name):
        if name and len(name) <= pki.NAME_LIMIT:
            return name
    return (agency.short_name or agency.name)[: pki.NAME_LIMIT]


def _agency_codes() -> set[str]:
    return {
        code
        for account in demo_accounts()
        if account.role in SIGNING_ROLES
        for code in (account.home, account.scope or "")
        if code
    }


def dev_pki_revoke(name: str, directory: Path | None = None) -> int:
    """Revoke the development certificate of ``name`` (a username, or an agency code for its
    seal) and rewrite ``root.crl``; returns the certificate's serial number."""
    import datetime as dt
    import json

    if settings.PRODUCTION:
        raise DevPkiRefused("the development PKI is refused in production (MOTCUA_ENV=production)")
    directory = directory or default_directory()
    candidates = (directory / "people" / f"{name}.p12", directory / "seals" / f"{name}.p12")
    found = [p for p in candidates if p.exists()]
    if not found:
        raise FileNotFoundError(f"no development certificate for {name!r} in {directory}")
    _key, certificate, _chain = pkcs12.load_key_and_certificates(
        found[0].read_bytes(), pki.DEV_PASSPHRASE.encode()
    )
    assert certificate is not None
    ledger = directory / "revoked.json"
    revoked = json.loads(ledger.read_text()) if ledger.exists() else {}
    revoked.setdefault(str(certificate.serial_number), dt.datetime.now(dt.UTC).isoformat())
    result = DevPki(directory)
    _write(ledger, json.dumps(revoked, indent=1).encode(), result)
    _write(directory / "root.crl", _crl(_load_root(directory), directory), result)
    return certificate.serial_number


def _crl(root: pki.Issued, directory: Path) -> bytes:
    """The development root's CRL from its ledger of revocations, valid for a year (a demo
    left running must not find its own CRL stale)."""
    import datetime as dt
    import json

    ledger = directory / "revoked.json"
    revoked = json.loads(ledger.read_text()) if ledger.exists() else {}
    entries = [(int(serial), dt.datetime.fromisoformat(at)) for serial, at in revoked.items()]
    return pki.make_crl(root, entries, days=365)
