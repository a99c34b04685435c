"""The fixtures of the signature tests: a demo root with a leader's and a seal's keys, a result,
and that result signed by both."""

from __future__ import annotations

import pytest
from weasyprint import HTML

from motcua.documents import pki
from motcua.documents.signing import pkcs12_signer, sign_pdf
from motcua.documents.tests.samples import LEADER, PERSONAL, SEAL, STAMP
from motcua.dossiers.tests.conftest import c1_staff, catalogue  # noqa: F401 - the dossiers' fixtures


@pytest.fixture(scope="module")
def keys():
    root = pki.make_root()
    return root, pki.issue(root, LEADER), pki.issue(root, SEAL)


@pytest.fixture(scope="module")
def document() -> bytes:
    return HTML(
        string="<h1>GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN</h1><p>Bà Nguyễn Thị Lan …</p>"
    ).write_pdf()


@pytest.fixture(scope="module")
def signed(keys, document) -> bytes:
    _root, leader, seal = keys
    once = sign_pdf(
        document,
        pkcs12_signer(leader.pkcs12("leader"), pki.DEV_PASSPHRASE),
        field="ca-nhan",
        appearance=PERSONAL,
        box=(300, 60, 540, 140),
    )
    return sign_pdf(
        once,
        pkcs12_signer(seal.pkcs12("seal"), pki.DEV_PASSPHRASE),
        field="to-chuc",
        appearance=STAMP,
        box=(60, 60, 290, 140),
    )
