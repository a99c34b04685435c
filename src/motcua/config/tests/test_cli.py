"""The README promise: `motcua up` sets everything up, idempotently; `motcua check` verifies it."""

import os
import sqlite3
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow


def _motcua(*args: str, data_dir) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["MOTCUA_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "motcua.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _counts(data_dir) -> tuple[int, int, int]:
    with sqlite3.connect(data_dir / "motcua.sqlite3") as db:
        return tuple(
            db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("org_agency", "catalog_procedureversion", "accounts_user")
        )


def test_up_is_idempotent_and_prints_the_demo_accounts(tmp_path):
    first = _motcua("up", "--no-serve", data_dir=tmp_path)
    assert first.returncode == 0, first.stderr
    for username in (
        "demo.congdan",
        "demo.tiepnhan",
        "demo.chuyenvien",
        "demo.lanhdaophong",
        "demo.lanhdao",
        "demo.vanthu",
        "demo.ketoan",
        "demo.quantri",
    ):
        assert username in first.stdout
    assert "34 provinces, 3321 communes" in first.stdout
    # A few months of synthetic history for the demo province, for the reports (issue 6).
    assert "demo history: 3000 synthetic dossiers" in first.stdout
    counts = _counts(tmp_path)
    assert counts[1] >= 20

    second = _motcua("up", "--no-serve", data_dir=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "(0 created)" in second.stdout
    assert "demo history" not in second.stdout  # once only
    assert _counts(tmp_path) == counts

    check = _motcua("check", data_dir=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "all checks passed" in check.stdout


def test_no_demo_creates_no_accounts(tmp_path):
    result = _motcua("up", "--no-serve", "--no-demo", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "demo." not in result.stdout
    assert _counts(tmp_path)[2] == 0


def test_check_reports_pending_migrations(tmp_path):
    result = _motcua("check", data_dir=tmp_path)
    assert result.returncode == 1
    assert "pending migrations" in result.stdout
