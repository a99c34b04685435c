"""Which key signs for whom (issue 7 §2): a leader's personal key and an agency's seal.

    personal_key(user) -> KeySource | None
    seal_key(agency)   -> KeySource | None
    with source.open(secret) as signer: ...      a pyHanko signer for ``signing.sign_pdf``

The keys are described in the JSON file named by ``MOTCUA_SIGNING_KEYS``; no secret is written
in it. Each entry is one of:

    {"pkcs12": "/etc/motcua/keys/lanhdao.p12", "passphrase_env": "LANHDAO_P12_PASSPHRASE"}
    {"pkcs11": {"module": "/usr/lib/x86_64-linux-gnu/libvtoken.so", "token": "LANH-DAO",
                "key": "ky-so", "pin_env": "LANHDAO_PIN", "chain": ["/etc/motcua/ca.pem"]}}
    {"remote": {"provider": "package.module:factory", "options": {...}}}

under ``"people"`` (by username) or ``"seals"`` (by the agency's code), optionally with
``"image"``, the picture drawn in the signature's stamp (a handwritten signature, a red seal).
``pkcs11`` finds the token by ``"slot"``, its number in the module, when given, else by its
label ``"token"``.

A secret comes from the environment variable the entry names; an entry with ``"ask": true``
instead has the signer type it (the token's PIN, the file's passphrase) each time, and the
secret is never stored. A remote provider's factory is called with the options and returns a
``remote.SigningProvider``.

Outside production, a person or agency without an entry signs with the development PKI
(``motcua pki init``: ``<data dir>/pki/people/<username>.p12``, ``seals/<code>.p12``), so the
demo signs end to end; in production only configured keys sign.
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from django.conf import settings
from pyhanko.sign import signers

from motcua.documents import pki
from motcua.documents.remote import ProviderSigner
from motcua.documents.signing import SigningError, pkcs11_signer, pkcs12_signer
from motcua.documents.tokens import WrongPin

KINDS = ("pkcs12", "pkcs11", "remote")


class KeyConfigError(SigningError):
    """The key configuration cannot be used (a missing file, variable or field)."""


class WrongSecret(SigningError):
    """The PIN or passphrase typed or configured does not open the key."""


@dataclass(frozen=True)
class KeySource:
    kind: str  # "pkcs12", "pkcs11", "remote" or "development"
    entry: dict[str, Any] = field(hash=False)
    ask: bool = False  # the signer types the PIN or passphrase each time

    @property
    def description(self) -> str:
        if self.kind == "pkcs11":
            options = self.entry["pkcs11"]
            where = options.get("token") or f"slot {options.get('slot')}"
            return f"PKCS#11 · {where}"
        if self.kind == "remote":
            return "Ký số từ xa"
        if self.kind == "development":
            return "PKI thử nghiệm (không dùng thật)"
        return "PKCS#12"

    def image(self) -> bytes | None:
        """The picture drawn in the signature's stamp (``"image"``: a PNG or JPEG file), if
        configured: the handwritten signature of a person, the red seal of an agency."""
        path = self.entry.get("image")
        if not path:
            return None
        try:
            return Path(path).read_bytes()
        except OSError as error:
            raise KeyConfigError(f"the signature image {path} cannot be read: {error}") from error

    @contextmanager
    def open(self, secret: str = "") -> Iterator[signers.Signer]:
        """A signer for this key; ``secret`` is the typed PIN or passphrase when ``ask``."""
        if self.ask and not secret:
            raise WrongSecret("a PIN or passphrase is needed")
        if self.kind == "development":  # every development PKI file has the same passphrase
            yield _pkcs12(self.entry, pki.DEV_PASSPHRASE)
        elif self.kind == "pkcs12":
            yield _pkcs12(self.entry, secret if self.ask else _secret(self.entry, "passphrase"))
        elif self.kind == "pkcs11":
            options = self.entry["pkcs11"]
            pin = secret if self.ask else _secret(options, "pin")
            chain = [_der(Path(p)) for p in options.get("chain", ())]
            slot = options.get("slot")
            if slot is not None and not isinstance(slot, int):
                raise KeyConfigError("the key entry's 'slot' must be a number")
            try:
                with pkcs11_signer(
                    _required(options, "module"),
                    token_label="" if slot is not None else _required(options, "token"),
                    slot=slot,
                    pin=pin,
                    key_label=_required(options, "key"),
                    chain=[c for certificates in chain for c in certificates],
                ) as signer:
                    yield signer
            except WrongPin as error:
                raise WrongSecret(str(error)) from error
        else:
            options = self.entry["remote"]
            factory = _import(_required(options, "provider"))
            yield ProviderSigner(factory(**options.get("options", {})))


def _required(options: dict[str, Any], name: str) -> str:
    value = options.get(name)
    if not value or not isinstance(value, str):
        raise KeyConfigError(f"the key entry has no {name!r}")
    return value


def _secret(options: dict[str, Any], name: str) -> str:
    """The secret from the variable named by ``<name>_env``; literal secrets are refused."""
    if name in options:
        raise KeyConfigError(f"write {name}_env, the name of a variable, not the {name} itself")
    variable = options.get(f"{name}_env")
    if not variable:
        return ""
    value = os.environ.get(variable)
    if value is None:
        raise KeyConfigError(f"the environment variable {variable} is not set")
    return value


def _pkcs12(entry: dict[str, Any], passphrase: str) -> signers.SimpleSigner:
    path = Path(_required(entry, "pkcs12"))
    try:
        data = path.read_bytes()
    except OSError as error:
        raise KeyConfigError(f"the PKCS#12 file {path} cannot be read: {error}") from error
    try:
        return pkcs12_signer(data, passphrase)
    except SigningError as error:
        raise WrongSecret(str(error)) from error


def _der(path: Path) -> list[bytes]:
    try:
        loaded = x509.load_pem_x509_certificates(path.read_bytes())
    except (OSError, ValueError) as error:
        raise KeyConfigError(f"the certificate file {path} cannot be read: {error}") from error
    return [c.public_bytes(Encoding.DER) for c in loaded]


def _import(dotted: str):
    module, _, name = dotted.partition(":")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as error:
        raise KeyConfigError(f"the signing provider {dotted!r} cannot be loaded") from error


def configuration() -> dict[str, dict[str, dict[str, Any]]]:
    path = getattr(settings, "MOTCUA_SIGNING_KEYS", "")
    if not path:
        return {}
    try:
        loaded = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise KeyConfigError(f"MOTCUA_SIGNING_KEYS ({path}) cannot be read: {error}") from error
    if not isinstance(loaded, dict):
        raise KeyConfigError("MOTCUA_SIGNING_KEYS must hold a JSON object")
    return loaded


def _source(section: str, name: str, dev_path: Path) -> KeySource | None:
    entry = configuration().get(section, {}).get(name)
    if entry is not None:
        kinds = [k for k in KINDS if k in entry]
        if len(kinds) != 1:
            raise KeyConfigError(f"the key of {name!r} needs exactly one of {', '.join(KINDS)}")
        return KeySource(kinds[0], entry, ask=bool(entry.get("ask")))
    if not settings.PRODUCTION and dev_path.exists():
        return KeySource("development", {"pkcs12": str(dev_path)})
    return None


def _dev_directory() -> Path:
    return Path(settings.DATA_DIR) / "pki"


def personal_key(user) -> KeySource | None:
    username = user.get_username()
    return _source("people", username, _dev_directory() / "people" / f"{username}.p12")


def seal_key(agency) -> KeySource | None:
    return _source("seals", agency.code, _dev_directory() / "seals" / f"{agency.code}.p12")
