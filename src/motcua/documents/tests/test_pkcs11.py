"""Signing through PKCS#11 (issue 7 §2), with SoftHSM2 standing in for an official's USB token:
the keys are made on the token and never leave it, the certificates are stored beside them,
and the two signatures (personal, then the seal) pass ``pdfsig``."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pkcs11
import pytest
from pkcs11 import Attribute, ObjectClass
from weasyprint import HTML

from motcua.documents import pki, tokens
from motcua.documents.signing import Appearance, SigningError, pkcs11_signer, sign_pdf
from motcua.documents.tests.samples import LEADER, PERSONAL, SEAL, STAMP, needs_pdfsig, pdfsig

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
TOKEN, PIN, SO = "motcua-test", "246810", "13579135"

pytestmark = pytest.mark.skipif(
    not Path(MODULE).exists() or shutil.which("softhsm2-util") is None,
    reason="SoftHSM2 is needed (Debian softhsm2; CI installs it)",
)


@pytest.fixture(scope="module")
def token(tmp_path_factory):
    """A fresh SoftHSM2 token of the tests' own (``SOFTHSM2_CONF`` points at its directory; the
    module reads it when it is first loaded), with a leader's key and the seal's key made on
    it."""
    home = tmp_path_factory.mktemp("softhsm")
    (home / "tokens").mkdir()
    conf = home / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {home / 'tokens'}\nobjectstore.backend = file\n")
    before = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", TOKEN, "--pin", PIN, "--so-pin", SO],
        check=True,
        capture_output=True,
    )
    root = pki.make_root()
    certificates = {
        label: tokens.provision(
            MODULE, token_label=TOKEN, pin=PIN, key_label=label, root=root, subject=subject
        )
        for label, subject in (("leader", LEADER), ("seal", SEAL))
    }
    yield root, certificates
    if before is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = before


def sign_with(pdf: bytes, label: str, field: str, appearance: Appearance, box) -> bytes:
    with pkcs11_signer(MODULE, token_label=TOKEN, pin=PIN, key_label=label) as signer:
        return sign_pdf(pdf, signer, field=field, appearance=appearance, box=box)


@needs_pdfsig
def test_two_signatures_from_the_token_pass_pdfsig(token, tmp_path):
    root, _certificates = token
    pdf = HTML(string="<h1>BẢN SAO ĐIỆN TỬ</h1><p>Chứng thực từ bản chính.</p>").write_pdf()
    once = sign_with(pdf, "leader", "ca-nhan", PERSONAL, (300, 60, 540, 140))
    twice = sign_with(once, "seal", "to-chuc", STAMP, (60, 60, 290, 140))
    report = pdfsig(twice, root.certificate_pem(), tmp_path)
    assert report.count("Signature Validation: Signature is Valid.") == 2, report
    assert report.count("Certificate Validation: Certificate is Trusted.") == 2, report
    assert "Signer Certificate Common Name: Hoàng Văn Em" in report


def test_the_private_keys_never_leave_the_token(token):
    _root, certificates = token
    with tokens.open_session(MODULE, token_label=TOKEN, pin=PIN) as session:
        keys = list(session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY}))
        assert sorted(key.label for key in keys) == ["leader", "seal"]
        for key in keys:
            assert key[Attribute.SENSITIVE] and not key[Attribute.EXTRACTABLE]
            with pytest.raises(pkcs11.AttributeSensitive):
                key[Attribute.PRIVATE_EXPONENT]
        stored = session.get_key(
            object_class=ObjectClass.PUBLIC_KEY, label="leader"
        )  # the certificate on the token certifies the key made there
        modulus = int.from_bytes(stored[Attribute.MODULUS], "big")
    assert certificates["leader"].public_key().public_numbers().n == modulus


def test_a_wrong_pin_or_token_or_key_is_refused_with_a_reason(token):
    pdf = HTML(string="<p>x</p>").write_pdf()
    wrong_pin = pkcs11_signer(MODULE, token_label=TOKEN, pin="000000", key_label="leader")
    with pytest.raises(tokens.TokenError, match="PIN"), wrong_pin:
        pass
    elsewhere = pkcs11_signer(MODULE, token_label="elsewhere", pin=PIN, key_label="leader")
    with pytest.raises(tokens.TokenError, match="no token"), elsewhere:
        pass
    with pytest.raises(SigningError, match="could not sign"):
        sign_with(pdf, "nobody", "x", PERSONAL, (0, 0, 100, 50))


@pytest.mark.django_db
def test_a_configured_token_key_signs_and_a_typed_wrong_pin_is_refused(
    token, tmp_path, settings, monkeypatch
):
    """``MOTCUA_SIGNING_KEYS`` names the module, the token and the key; the PIN comes from the
    environment, or is typed by the leader (``ask``)."""
    import json
    from types import SimpleNamespace

    from motcua.documents import keys

    leader = SimpleNamespace(get_username=lambda: "chu.tich")
    entry = {"module": MODULE, "token": TOKEN, "key": "leader", "pin_env": "TEST_TOKEN_PIN"}
    path = tmp_path / "keys.json"
    path.write_text(json.dumps({"people": {"chu.tich": {"pkcs11": entry}}}))
    settings.MOTCUA_SIGNING_KEYS = str(path)
    monkeypatch.setenv("TEST_TOKEN_PIN", PIN)
    source = keys.personal_key(leader)
    assert source is not None and source.description == f"PKCS#11 · {TOKEN}"
    with source.open() as signer:
        pdf = sign_pdf(
            HTML(string="<p>Kết quả</p>").write_pdf(),
            signer,
            field="ca-nhan",
            appearance=PERSONAL,
            box=(300, 60, 540, 140),
        )
    assert b"/ByteRange" in pdf

    del entry["pin_env"]
    path.write_text(json.dumps({"people": {"chu.tich": {"pkcs11": entry, "ask": True}}}))
    source = keys.personal_key(leader)
    assert source.ask
    with pytest.raises(keys.WrongSecret), source.open("111111"):
        pass
    with source.open(PIN) as signer:
        assert signer is not None


@pytest.mark.django_db
def test_a_configured_key_can_name_its_slot_instead_of_the_token(
    token, tmp_path, settings, monkeypatch
):
    """Issue 7 §2: keys "configured by module path, slot and key label"."""
    import json
    from types import SimpleNamespace

    from motcua.documents import keys

    slot = next(
        s.slot_id
        for s in pkcs11.lib(MODULE).get_slots(token_present=True)
        if s.get_token().label == TOKEN
    )
    entry = {"module": MODULE, "slot": slot, "key": "seal", "pin_env": "TEST_TOKEN_PIN"}
    path = tmp_path / "keys.json"
    path.write_text(json.dumps({"seals": {"14797": {"pkcs11": entry}}}))
    settings.MOTCUA_SIGNING_KEYS = str(path)
    monkeypatch.setenv("TEST_TOKEN_PIN", PIN)
    source = keys.seal_key(SimpleNamespace(code="14797"))
    assert source.description == f"PKCS#11 · slot {slot}"
    with source.open() as signer:
        assert "Hạc Thành" in signer.signing_cert.subject.human_friendly
    entry["slot"] = slot + 12345
    path.write_text(json.dumps({"seals": {"14797": {"pkcs11": entry}}}))
    source = keys.seal_key(SimpleNamespace(code="14797"))
    with pytest.raises(tokens.TokenError, match="no token in slot"), source.open():
        pass
