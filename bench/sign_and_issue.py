"""Sign-and-issue latency per document (issue 7, "Must show"): what the leader waits for after
pressing "Ký số và ban hành" — ``documents.services.results.dossier_result_sign``, i.e. lock
the dossier, take the next number of the committee's register, render the result (WeasyPrint,
PDF/A-3b with its QR code), sign it with the leader's key and then the committee's seal, store
it, resolve the dossier (event, outbox, 766 rollups) — all in one transaction.

    .venv/bin/python bench/sign_and_issue.py [--documents 40] [--quick]

Modes, interleaved one document each in turn after two warm-up documents each:

- ``resolve with an uploaded PDF (baseline)``: the same dossier step without the document —
  the clerk resolves and attaches a PDF made elsewhere (``dossier_resolve``);
- ``PKCS#12 files``: keys configured as PKCS#12 files (``MOTCUA_SIGNING_KEYS``), read and
  decrypted for every document, as a request does;
- ``PKCS#11 token (SoftHSM2)``: keys configured on a token; a session is opened per document
  and the token signs.

The data directory is made by ``motcua up --no-serve`` (SQLite, the real reference data and
catalogue, the demo accounts); every dossier is brought to the leader's step untimed. Prints a
Markdown table (p50, p99, max, ratio to the baseline); never asserts on timings; exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as c

MODULE = c.SOFTHSM_MODULE
TOKEN, PIN, SO = "motcua-bench", "246810", "13579135"
COMMUNE = "14797"  # the demo commune (Phường Hạc Thành): the committee that issues
LEADER = "demo.lanhdao"
VALUES = {
    "full_name": "Nguyễn Văn An",
    "birth_date": "12/05/1990",
    "sex": "Nam",
    "ethnicity": "Kinh",
    "nationality": "Việt Nam",
    "identity": "Căn cước số 038090001234",
    "residence": "Phường Hạc Thành, tỉnh Thanh Hóa",
    "status": "Chưa đăng ký kết hôn với ai",
    "purpose": "Đăng ký kết hôn",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=40)
    parser.add_argument("--quick", action="store_true", help="8 documents per mode")
    args = parser.parse_args(argv)
    count = 8 if args.quick else args.documents
    work = Path(tempfile.mkdtemp(prefix="motcua-bench-issue-"))
    data_dir = work / "data"
    prepared = c.prepare_data_dir(data_dir, mode="development")
    os.environ.update(prepared.env)
    softhsm = c.softhsm_token(work, TOKEN, PIN, SO)

    import django

    django.setup()
    import logging

    logging.disable(logging.WARNING)  # fontTools' subsetting notes
    from django.conf import settings
    from dossier_throughput import Lifecycle

    from motcua.documents import pki, tokens
    from motcua.documents.services.results import dossier_result_sign

    life = Lifecycle(webhook=False)
    root = pki.make_root()
    leader_subject = pki.Subject("Hoàng Văn Em", "UBND phường Hạc Thành", "Thanh Hóa", "Chủ tịch")
    seal_subject = pki.Subject("Ủy ban nhân dân phường Hạc Thành", "UBND phường Hạc Thành")
    os.environ["BENCH_P12"] = pki.DEV_PASSPHRASE
    os.environ["BENCH_PIN"] = PIN
    configs: dict[str, Path] = {}
    p12 = {}
    for label, subject in (("leader", leader_subject), ("seal", seal_subject)):
        path = work / f"{label}.p12"
        path.write_bytes(pki.issue(root, subject).pkcs12(label))
        p12[label] = {"pkcs12": str(path), "passphrase_env": "BENCH_P12"}
    configs["PKCS#12 files"] = work / "keys-p12.json"
    configs["PKCS#12 files"].write_text(
        json.dumps({"people": {LEADER: p12["leader"]}, "seals": {COMMUNE: p12["seal"]}})
    )
    if softhsm:
        entries = {}
        for label, subject in (("leader", leader_subject), ("seal", seal_subject)):
            tokens.provision(
                MODULE, token_label=TOKEN, pin=PIN, key_label=label, root=root, subject=subject
            )
            entries[label] = {
                "pkcs11": {"module": MODULE, "token": TOKEN, "key": label, "pin_env": "BENCH_PIN"}
            }
        configs["PKCS#11 token (SoftHSM2)"] = work / "keys-p11.json"
        configs["PKCS#11 token (SoftHSM2)"].write_text(
            json.dumps({"people": {LEADER: entries["leader"]}, "seals": {COMMUNE: entries["seal"]}})
        )

    leader = life.people["agency_leader"]
    uploaded = _uploaded_pdf()
    serial = iter(range(10**6))

    def baseline() -> None:
        dossier = life.walk(next(serial), upto=3)
        started = time.perf_counter()
        life.svc.dossier_resolve(
            actor=leader,
            dossier=dossier,
            result_number="01/XNTTHN-UBND",
            result_content=uploaded + str(time.perf_counter_ns()).encode(),
            result_file_name="ket-qua.pdf",
        )
        return time.perf_counter() - started

    def signing(config: Path):
        def run() -> float:
            dossier = life.walk(next(serial), upto=3)
            settings.MOTCUA_SIGNING_KEYS = str(config)
            started = time.perf_counter()
            dossier_result_sign(actor=leader, dossier=dossier, values=VALUES, competence="chairman")
            return time.perf_counter() - started

        return run

    modes = {"resolve with an uploaded PDF (baseline)": baseline}
    modes |= {name: signing(path) for name, path in configs.items()}
    times: dict[str, list[float]] = {name: [] for name in modes}
    for call in modes.values():  # warm-up
        call()
        call()
    for _ in range(count):
        for name, call in modes.items():
            times[name].append(call())
    print("motcua bench: sign and issue a result (number, render, two signatures, resolve)")
    print(c.machine_summary())
    print(c.versions("pyhanko", "weasyprint", "python-pkcs11", "django"))
    print(f"data: {prepared.how} ({prepared.seconds:.0f} s); SQLite; one commune's register")
    if not softhsm:
        print("SoftHSM2 not found: the PKCS#11 row is missing (apt-get install softhsm2)")
    print()
    print(c.latency_table(times, "resolve with an uploaded PDF (baseline)", unit="documents"))
    shutil.rmtree(work, ignore_errors=True)
    return 0


def _uploaded_pdf() -> bytes:
    from weasyprint import HTML

    return HTML(string="<h1>GIẤY XÁC NHẬN</h1><p>Kết quả làm ở nơi khác.</p>").write_pdf()


if __name__ == "__main__":
    raise SystemExit(main())
