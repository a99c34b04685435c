"""``motcua pki init``: the development PKI of the demo (issue 7 §3) — the demo leaders' personal
certificates and their agencies' seals under one demo root, kept across runs, never in
production."""

from __future__ import annotations

from io import StringIO

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from django.core.management import CommandError, call_command

from motcua.documents import pki
from motcua.documents.services.dev_pki import DevPkiRefused, dev_pki_init
from motcua.documents.signing import pkcs12_signer
from motcua.org.services.demo import DEMO_COMMUNE, DEMO_PROVINCE


@pytest.mark.django_db
def test_the_demo_signers_get_certificates_under_one_root(tmp_path):
    made = dev_pki_init(tmp_path)
    names = sorted(p.relative_to(tmp_path).as_posix() for p in made.created)
    assert names == [
        "people/demo.lanhdao.p12",
        "people/demo.lanhdaophong.p12",
        "people/demo.lanhdaotinh.p12",
        "root.p12",
        "root.pem",
        f"seals/{DEMO_COMMUNE}.p12",
        f"seals/{DEMO_PROVINCE}.p12",
    ]
    root = (tmp_path / "root.pem").read_bytes()
    key, certificate, chain = pkcs12.load_key_and_certificates(
        (tmp_path / "people" / "demo.lanhdao.p12").read_bytes(), pki.DEV_PASSPHRASE.encode()
    )
    assert key is not None and certificate is not None
    assert "Hoàng Văn Em" in certificate.subject.rfc4514_string()
    assert pki.DEMO_MARK in certificate.subject.rfc4514_string()
    assert [c.public_bytes(Encoding.PEM) for c in chain] == [root]
    assert pkcs12_signer((tmp_path / "seals" / "38.p12").read_bytes(), pki.DEV_PASSPHRASE)
    assert oct((tmp_path / "root.p12").stat().st_mode & 0o777) == "0o600"

    again = dev_pki_init(tmp_path)  # idempotent: the same root and certificates
    assert again.created == [] and len(again.kept) == 5
    assert (tmp_path / "root.crl").exists()  # the CRL, refreshed at every run
    assert (tmp_path / "root.pem").read_bytes() == root
    renewed = dev_pki_init(tmp_path, force=True)
    assert len(renewed.created) == 7 and (tmp_path / "root.pem").read_bytes() != root


@pytest.mark.django_db
def test_refused_in_production(settings, tmp_path):
    settings.PRODUCTION = True
    with pytest.raises(DevPkiRefused):
        dev_pki_init(tmp_path)
    with pytest.raises(CommandError, match="production"):
        call_command("pki", "init")
    assert not any(tmp_path.iterdir())


@pytest.mark.django_db
def test_the_command_says_what_to_trust(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    out = StringIO()
    call_command("pki", "init", stdout=out)
    assert "NOT FOR PRODUCTION" in out.getvalue()
    assert str(tmp_path / "pki" / "root.pem") in out.getvalue()
