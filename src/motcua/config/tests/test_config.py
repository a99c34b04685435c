"""Configuration: documented variables, production safety, Vietnamese formats."""

import datetime as dt
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from motcua.config.env import render_markdown
from motcua.core.formatting import money, vn_date, vn_datetime
from motcua.core.text import search_key

REPO = Path(__file__).resolve().parents[4]


def test_configuration_doc_is_in_step_with_the_code():
    doc = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert doc == render_markdown(), "run `motcua manage config_docs`"


def _import_settings(**env) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "MOTCUA_ENV")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import motcua.config.settings"],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_a_real_secret_key():
    result = _import_settings(MOTCUA_ENV="production")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    result = _import_settings(MOTCUA_ENV="production", SECRET_KEY="short")
    assert result.returncode != 0
    ok = _import_settings(MOTCUA_ENV="production", SECRET_KEY="x" * 64)
    assert ok.returncode == 0, ok.stderr


def test_unknown_environment_is_refused():
    assert _import_settings(MOTCUA_ENV="staging").returncode != 0


def test_money_is_written_the_vietnamese_way():
    assert money(1000000) == "1.000.000 đ"
    assert money(Decimal("2000")) == "2.000 đ"
    assert money(0) == "0 đ"
    assert money(200000.4) == "200.000 đ"


def test_dates_are_shown_in_vietnam_time_as_dd_mm_yyyy(settings):
    moment = dt.datetime(2026, 11, 20, 17, 30, tzinfo=dt.UTC)  # 00:30 on 21/11 in Vietnam
    assert vn_date(moment) == "21/11/2026"
    assert vn_datetime(moment) == "00:30 21/11/2026"
    assert vn_date(dt.date(2026, 1, 5)) == "05/01/2026"


def test_search_key_folds_vietnamese():
    assert search_key("Chứng thực bản sao") == "chung thuc ban sao"
    assert search_key("ĐĂNG KÝ  Khai sinh") == "dang ky khai sinh"
    assert search_key("Phường Hạc Thành") == "phuong hac thanh"


def test_pages_are_vietnamese_even_for_an_english_phone(client, db):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="vi"' in html
    client.cookies["django_language"] = "en"
    assert '<html lang="en"' in client.get("/").content.decode()


def test_the_stylesheet_is_found(client, db):
    from django.contrib.staticfiles import finders

    assert finders.find("motcua/site.css")
