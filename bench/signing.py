"""Signing latency per document (issue 7): a one-page result signed by a leader and then by the
agency's seal, with keys from PKCS#12 files and from a PKCS#11 token (SoftHSM2).

    .venv/bin/python bench/signing.py [--documents 60] [--quick]

Each mode signs ``--documents`` documents, interleaved with the other modes (one document of
each in turn), after two warm-up documents each:

- ``PKCS#12, keys loaded per document``: what a request that signs one result does (open the
  PKCS#12 file, decrypt the key, sign twice);
- ``PKCS#12, keys loaded once``: the same with the two keys held in memory;
- ``PKCS#11 (SoftHSM2), session per document``: open a session on the token, sign twice, close;
- ``PKCS#11 (SoftHSM2), session kept``: one session for the whole run.

The baseline is SHA-256 of the same PDF, in the same process. The document is rendered once
(WeasyPrint) and is not part of the timings. Prints Markdown tables (p50, p99, max and the ratio
to the baseline); never asserts on timings; always exits 0. Needs Debian's ``softhsm2`` for the
PKCS#11 rows (skipped without it); the token lives in a temporary directory of its own.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as c

MODULE = c.SOFTHSM_MODULE
TOKEN, PIN, SO = "motcua-bench", "246810", "13579135"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=60)
    parser.add_argument("--quick", action="store_true", help="10 documents per mode")
    args = parser.parse_args(argv)
    count = 10 if args.quick else args.documents
    work = Path(tempfile.mkdtemp(prefix="motcua-bench-signing-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.config.settings")
    os.environ["MOTCUA_DATA_DIR"] = str(work / "data")
    softhsm = c.softhsm_token(work, TOKEN, PIN, SO)

    import django

    django.setup()
    from weasyprint import HTML

    from motcua.documents import pki, tokens
    from motcua.documents.signing import Appearance, pkcs11_signer, pkcs12_signer, sign_pdf

    root = pki.make_root()
    leader_subject = pki.Subject("Hoàng Văn Em", "UBND phường Hạc Thành", "Thanh Hóa", "Chủ tịch")
    seal_subject = pki.Subject("Ủy ban nhân dân phường Hạc Thành", "UBND phường Hạc Thành")
    leader, seal = pki.issue(root, leader_subject), pki.issue(root, seal_subject)
    p12 = {"leader": leader.pkcs12("leader"), "seal": seal.pkcs12("seal")}
    if softhsm:
        for label, subject in (("leader", leader_subject), ("seal", seal_subject)):
            tokens.provision(
                MODULE, token_label=TOKEN, pin=PIN, key_label=label, root=root, subject=subject
            )
    pdf = HTML(
        string="<h1>GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN</h1>" + "<p>Nội dung kết quả.</p>" * 30
    ).write_pdf()
    personal = Appearance("Hoàng Văn Em", "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH")
    stamp = Appearance("Ủy ban nhân dân phường Hạc Thành", "Ký số tổ chức")

    def both(leader_signer, seal_signer) -> bytes:
        once = sign_pdf(
            pdf, leader_signer, field="ca-nhan", appearance=personal, box=(300, 60, 540, 140)
        )
        return sign_pdf(
            once, seal_signer, field="to-chuc", appearance=stamp, box=(60, 60, 290, 140)
        )

    held = {name: pkcs12_signer(data, pki.DEV_PASSPHRASE) for name, data in p12.items()}
    modes = {
        "SHA-256 of the PDF (baseline)": lambda: hashlib.sha256(pdf).digest(),
        "PKCS#12, keys loaded per document": lambda: both(
            pkcs12_signer(p12["leader"], pki.DEV_PASSPHRASE),
            pkcs12_signer(p12["seal"], pki.DEV_PASSPHRASE),
        ),
        "PKCS#12, keys loaded once": lambda: both(held["leader"], held["seal"]),
    }
    stack = ExitStack()
    if softhsm:

        def per_document() -> bytes:
            with (
                pkcs11_signer(MODULE, token_label=TOKEN, pin=PIN, key_label="leader") as one,
                pkcs11_signer(MODULE, token_label=TOKEN, pin=PIN, key_label="seal") as two,
            ):
                return both(one, two)

        kept_leader = stack.enter_context(
            pkcs11_signer(MODULE, token_label=TOKEN, pin=PIN, key_label="leader")
        )
        kept_seal = stack.enter_context(
            pkcs11_signer(MODULE, token_label=TOKEN, pin=PIN, key_label="seal")
        )
        modes["PKCS#11 (SoftHSM2), session per document"] = per_document
        modes["PKCS#11 (SoftHSM2), session kept"] = lambda: both(kept_leader, kept_seal)
    times: dict[str, list[float]] = {name: [] for name in modes}
    with stack:
        for call in modes.values():  # warm-up
            call()
            call()
        for _ in range(count):
            for name, call in modes.items():
                started = time.perf_counter()
                call()
                times[name].append(time.perf_counter() - started)
    print("motcua bench: signing a result (personal signature + seal)")
    print(c.machine_summary())
    print(c.versions("pyhanko", "cryptography", "python-pkcs11"))
    print(f"document: {len(pdf):,} bytes; signed: two PAdES B-B signatures, RSA 2048, SHA-256")
    if not softhsm:
        print("SoftHSM2 not found: the PKCS#11 rows are missing (apt-get install softhsm2)")
    print()
    print(c.latency_table(times, "SHA-256 of the PDF (baseline)", unit="documents"))
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
