"""What the signature tests share: the signers, their appearances, and ``pdfsig`` as the
independent verifier."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from motcua.documents import pki
from motcua.documents.signing import Appearance

needs_pdfsig = pytest.mark.skipif(
    shutil.which("pdfsig") is None or shutil.which("certutil") is None,
    reason="pdfsig (poppler-utils) and certutil (libnss3-tools) are needed; CI installs them",
)

LEADER = pki.Subject(
    "Hoàng Văn Em", "Ủy ban nhân dân phường Hạc Thành", "Tỉnh Thanh Hóa", "Chủ tịch"
)
SEAL = pki.Subject(
    "Ủy ban nhân dân phường Hạc Thành", "Ủy ban nhân dân phường Hạc Thành", "Tỉnh Thanh Hóa"
)
PERSONAL = Appearance("Hoàng Văn Em", "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH", reason="Phê duyệt kết quả")
STAMP = Appearance("Ủy ban nhân dân phường Hạc Thành", "Ký số tổ chức", location="Thanh Hóa")


def pdfsig(pdf: bytes, root_pem: bytes, tmp: Path) -> str:
    """``pdfsig``'s report on ``pdf``, trusting ``root_pem``. It exits 0 even for a bad
    signature, so the text is what the tests read (NOTES.md)."""
    (tmp / "root.pem").write_bytes(root_pem)
    (tmp / "doc.pdf").write_bytes(pdf)
    nss = f"sql:{tmp}"
    subprocess.run(["certutil", "-N", "-d", nss, "--empty-password"], check=True)
    subprocess.run(
        ["certutil", "-A", "-d", nss, "-n", "root", "-t", "C,C,C", "-i", str(tmp / "root.pem")],
        check=True,
    )
    done = subprocess.run(
        ["pdfsig", "-nssdir", nss, str(tmp / "doc.pdf")],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    return done.stdout + done.stderr
