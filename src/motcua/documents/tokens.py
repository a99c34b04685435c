"""Keys on PKCS#11 tokens (issue 7): USB tokens and HSMs in production, SoftHSM2 in tests.

    open_session(module, *, token_label, pin) -> pkcs11 Session      (a context manager)
    provision(module, *, token_label, pin, key_label, root, subject) -> x509.Certificate

``provision`` is for the development PKI and the tests: it makes a key pair **on** the token
(sensitive, not extractable: the private key never leaves it), has the demo root certify its
public key, and stores the certificate on the token under the same label and id, as a CA's
software does on an official's USB token. Signing then finds both by label
(``signing.pkcs11_signer``). Tokens are chosen by label, never by slot number: slot ids change
as tokens come and go.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

import pkcs11
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding
from pkcs11 import Attribute, CertificateType, KeyType, ObjectClass

from motcua.documents import pki


class TokenError(RuntimeError):
    """The module, the token or the key cannot be used (the message says which)."""


class WrongPin(TokenError):
    """The token refused the PIN."""


@contextmanager
def open_session(
    module: str, *, token_label: str = "", pin: str, rw: bool = False, slot: int | None = None
) -> Iterator:
    """A logged-in session on the token in ``slot`` (its number in the module), or else the
    token labelled ``token_label``."""
    try:
        library = pkcs11.lib(module)
    except (RuntimeError, OSError) as error:
        raise TokenError(f"the PKCS#11 module {module!r} cannot be loaded: {error}") from error
    if slot is not None:
        found = [s for s in library.get_slots(token_present=True) if s.slot_id == slot]
        if not found:
            raise TokenError(f"no token in slot {slot}")
        token = found[0].get_token()
    else:
        try:
            token = library.get_token(token_label=token_label)
        except pkcs11.NoSuchToken as error:
            raise TokenError(f"no token labelled {token_label!r}") from error
    try:
        session = token.open(rw=rw, user_pin=pin)
    except (pkcs11.PinIncorrect, pkcs11.PinLenRange) as error:
        raise WrongPin(f"the PIN of the token {token_label!r} is wrong") from error
    except pkcs11.UserAlreadyLoggedIn:
        # PKCS#11 logs in per application and token, not per session: a second session (the
        # seal's key while the leader's is open) shares the login of the first.
        session = token.open(rw=rw)
    try:
        yield session
    finally:
        session.close()


def key_id(label: str) -> bytes:
    """The CKA_ID that ties a key to its certificate: derived from the label, stable."""
    return hashlib.sha256(label.encode()).digest()[:8]


def provision(
    module: str,
    *,
    token_label: str,
    pin: str,
    key_label: str,
    root: pki.Issued,
    subject: pki.Subject,
) -> x509.Certificate:
    """Make an RSA 2048 key pair on the token, certify it under ``root``, store the certificate
    beside it; returns the certificate."""
    identifier = key_id(key_label)
    with open_session(module, token_label=token_label, pin=pin, rw=True) as session:
        public, _private = session.generate_keypair(
            KeyType.RSA,
            2048,
            label=key_label,
            id=identifier,
            store=True,
            private_template={
                Attribute.SENSITIVE: True,
                Attribute.EXTRACTABLE: False,
                Attribute.SIGN: True,
            },
        )
        numbers = rsa.RSAPublicNumbers(
            int.from_bytes(public[Attribute.PUBLIC_EXPONENT], "big"),
            int.from_bytes(public[Attribute.MODULUS], "big"),
        )
        certificate = pki.certify(root, subject, numbers.public_key())
        session.create_object(
            {
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                Attribute.TOKEN: True,
                Attribute.LABEL: key_label,
                Attribute.ID: identifier,
                Attribute.SUBJECT: certificate.subject.public_bytes(),
                Attribute.VALUE: certificate.public_bytes(Encoding.DER),
            }
        )
    return certificate
