"""Biểu 06 in the back office (issue 6): who may see it (the leaders' scope, else 404), the
crafted table of ``reports/tests/test_form06.py`` on the page, every number a link to a list of
exactly that many dossiers, the exports, invalid periods, a query count that does not grow with
the data, and the pages in Chromium at 360 and 1280 px with axe-core, with screenshots for the
gallery (docs/screenshots/backoffice.md)."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from motcua.backoffice.tests.conftest import mfa_login
from motcua.catalog.models import Sector
from motcua.dossiers.services import lifecycle as svc
from motcua.dossiers.tests.conftest import p1_staff  # noqa: F401
from motcua.dossiers.tests.factories import dossier_in, vn
from motcua.portal.tests import test_browser as base
from motcua.reports.periods import PeriodKind, period_containing
from motcua.reports.tests import crafted as by_hand

# The dossiers worked out by hand in reports/tests/test_form06.py, and their fixture.
ctx = by_hand.ctx
crafted, receive, resolve = by_hand.crafted, by_hand.receive, by_hand.resolve

URL = "/can-bo/bao-cao/bieu-06/"
CELL_URL = "/can-bo/bao-cao/bieu-06/ho-so/"
MARCH = {"ky": "month", "nam": "2026", "so": "3"}
WEEK = {"ky": "range", "tu-ngay": "04/03/2026", "den-ngay": "10/03/2026"}
# test_form06.test_march_by_hand: columns 3–13 of the total, the commune level and Hộ tịch
MARCH_NUMBERS = [10, 2, 7, 1, 7, 1, 3, 3, 3, 2, 1]
# test_form06.test_a_week_inside_march
WEEK_NUMBERS = [9, 0, 3, 6, 5, 1, 2, 2, 4, 2, 2]
LINK = re.compile(r'<td class="num"><a href="([^"]+)">(\d+)<span')
WIDE = {"width": 1280, "height": 900}
# session, user, second factor, roles, agencies, merged agencies, the rollups, the sectors…
MAX_QUERIES = 15


@pytest.fixture
def leader(client, ctx):
    mfa_login(client, ctx.staff.agency_leader)
    return client


def numbers(table) -> list[list[int]]:
    """The values of the total, each level's total and each row, columns 3 to 13."""
    lines = [table.total.values()]
    for group in table.groups:
        lines.append(group.total.values())
        lines.extend(row.cells.values() for row in group.rows)
    return lines


def links(page: str) -> list[tuple[str, int]]:
    return [(html.unescape(href), int(value)) for href, value in LINK.findall(page)]


def listed(client, href: str) -> tuple[int, int]:
    """The count a cell's list announces, and the dossiers on its first page."""
    response = client.get(href)
    assert response.status_code == 200, href
    assert response["Cache-Control"] == "private, no-store"
    return response.context["page"].paginator.count, len(response.context["rows"])


# -- who may see it ----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "params"),
    [(URL, {}), (CELL_URL, {"cot": "3"}), ("/can-bo/bao-cao/bieu-06.csv", {})],
    ids=["table", "list", "export"],
)
def test_only_leaders_in_scope_see_the_report(client, ctx, applicant_user, c2_staff, path, params):
    crafted(ctx)
    tree = ctx.tree
    response = client.get(path, params)  # anonymous: sign in first
    assert response.status_code == 302 and "/tai-khoan/login/" in response["Location"]
    client.force_login(applicant_user)
    assert client.get(path, params).status_code == 404  # a citizen: no back office at all
    for official in (ctx.staff.specialist, ctx.staff.reception, ctx.staff.clerk):
        mfa_login(client, official)
        assert client.get(path, params).status_code == 404, official  # no oversight
    mfa_login(client, c2_staff.agency_leader)
    assert client.get(path, {**params, "co-quan": tree.c1.code}).status_code == 404  # not theirs
    theirs = client.get(path, params)
    assert theirs.status_code == 200
    if path == URL:
        assert theirs.context["table"].groups == []  # their own commune: none of ours
    mfa_login(client, ctx.staff.agency_leader)
    for code in (tree.p1.code, "nothing-like-it"):  # above the leader; no such agency
        assert client.get(path, {**params, "co-quan": code}).status_code == 404
    assert client.get(path, {**params, "co-quan": tree.c1.code, **MARCH}).status_code == 200
    mfa_login(client, ctx.staff.unit_leader)
    assert client.get(path, {**params, **MARCH}).status_code == 200


@pytest.mark.django_db
def test_the_home_and_the_leaders_view_link_to_it_for_leaders_only(client, ctx):
    mfa_login(client, ctx.staff.agency_leader)
    assert f'href="{URL}"' in client.get("/can-bo/").content.decode()
    assert (
        f'href="{URL}?co-quan='
        in client.get("/can-bo/lanh-dao/", {"co-quan": ctx.tree.c1.code}).content.decode()
    )
    mfa_login(client, ctx.staff.specialist)
    assert URL not in client.get("/can-bo/").content.decode()


# -- the table and its lists ----------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_shows_the_crafted_table(leader, ctx):
    crafted(ctx)
    response = leader.get(URL, MARCH)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    table = response.context["table"]
    assert table.agency_code == ctx.tree.c1.code  # the leader's own (highest) agency
    assert numbers(table) == [MARCH_NUMBERS] * 3
    page = response.content.decode()
    assert "<script" not in page and " style=" not in page  # CSP: no inline script or style
    # the official two-level header, with column and row headers
    assert page.count('scope="colgroup"') == 3 and 'rowspan="3"' in page
    assert page.count('<th scope="row">') == 3 and "<caption>" in page
    labels = [line.label for line in response.context["lines"]]
    assert labels[1:] == ["Cấp xã", "Hộ tịch"]  # the total, the level, its sector
    assert 'role="region" tabindex="0" aria-label=' in page
    # every number but the zeros is a link, in the table's order
    found = links(page)
    assert [value for _href, value in found] == [v for v in MARCH_NUMBERS * 3 if v]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "expected"), [(MARCH, MARCH_NUMBERS), (WEEK, WEEK_NUMBERS)], ids=["march", "week"]
)
def test_every_link_lists_as_many_dossiers_as_its_number(leader, ctx, params, expected):
    crafted(ctx)
    page = leader.get(URL, params).content.decode()
    found = links(page)
    assert len(found) == 3 * len([v for v in expected if v])
    for href, value in found:
        assert href.startswith(CELL_URL)
        assert listed(leader, href) == (value, value)
    # the zeros too: their lists are empty
    zero = [column for column, value in zip(range(3, 14), expected, strict=True) if not value]
    for column in zero:
        assert listed(leader, f"{CELL_URL}?{_query(params)}&cot={column}") == (0, 0)


def _query(params: dict[str, str]) -> str:
    return "&".join(f"{key}={value}" for key, value in params.items())


@pytest.mark.django_db
def test_a_cell_lists_its_dossiers_under_a_heading_that_names_it(leader, ctx):
    d = crafted(ctx)
    sector = Sector.objects.get(code="HOTICH")
    params = {**MARCH, "cot": "13", "cap": "commune", "linh-vuc": str(sector.pk)}
    response = leader.get(CELL_URL, params)
    page = response.content.decode()
    assert [row[0].code for row in response.context["rows"]] == [d["open_overdue"].code]
    assert f'href="/can-bo/ho-so/{d["open_overdue"].code}/"' in page
    assert "Đang giải quyết quá hạn" in page and response.context["page"].paginator.per_page == 50
    back = response.context["back"]
    assert parse_qs(urlsplit(back).query) == {
        "co-quan": [ctx.tree.c1.code],
        "ky": ["month"],
        "nam": ["2026"],
        "so": ["3"],
    }
    leader.cookies["django_language"] = "en"
    page = leader.get(CELL_URL, params).content.decode()
    title = "Column 13 — In process, past the appointment — Sector Hộ tịch — Month 3/2026"
    assert f"<h1>{title}</h1>" in page
    assert "1 dossier, latest reception first." in page
    total = leader.get(CELL_URL, {**MARCH, "cot": "9"}).content.decode()
    assert "<h1>Column 9 — Finished on the appointment — Total — Month 3/2026</h1>" in total
    assert total.count('<th scope="row"><a href="/can-bo/ho-so/') == 3  # on_time, withdrawn, chain


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"cot": "2"},
        {"cot": "14"},
        {"cot": "x"},
        {"cot": "3", "cap": "planet"},
        {"cot": "3", "linh-vuc": "999999"},
    ],
)
def test_a_cell_that_is_not_in_the_table_is_not_found(leader, ctx, params):
    assert leader.get(CELL_URL, {**MARCH, **params}).status_code == 404


@pytest.mark.django_db
def test_the_government_cut_off(leader, ctx):
    """SPEC.md §7.2: quarter I with the cut-off runs from 15/12 of the year before to 14/3."""
    crafted(ctx)
    params = {"ky": "quarter", "nam": "2026", "so": "1", "moc": "1"}
    response = leader.get(URL, params)
    table = response.context["table"]
    assert (table.period.start, table.period.end) == (dt.date(2025, 12, 15), dt.date(2026, 3, 14))
    assert table.cutoff
    found = links(response.content.decode())
    assert found and all("moc=1" in href for href, _value in found)
    for href, value in found[:11]:  # the total's cells
        assert listed(leader, href) == (value, value)


@pytest.mark.django_db
def test_without_a_period_the_page_shows_this_month(leader, ctx):
    crafted(ctx)
    response = leader.get(URL)
    assert response.status_code == 200
    month = period_containing(PeriodKind.MONTH, timezone.localdate())
    assert response.context["table"].period == month
    # March's open dossiers are still open: carried over into this month and still in process
    assert response.context["table"].total.carried_over == 3


# -- exports ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("csv", "text/csv; charset=utf-8"),
        ("pdf", "application/pdf"),
    ],
)
def test_the_exports_download_the_same_table(leader, ctx, fmt, content_type):
    crafted(ctx)
    page = leader.get(URL, MARCH).content.decode()
    href = html.unescape(re.search(rf'href="(/can-bo/bao-cao/bieu-06\.{fmt}\?[^"]+)"', page)[1])
    response = leader.get(href)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    name = f"bieu-06_{ctx.tree.c1.code}_2026-03-01_2026-03-31.{fmt}"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert response["Cache-Control"] == "private, no-store"
    body = response.content
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        assert rows[1][0] == "total" and [int(v) for v in rows[1][4:]] == MARCH_NUMBERS
    else:
        assert body.startswith(b"%PDF-" if fmt == "pdf" else b"PK")


@pytest.mark.django_db
def test_an_unknown_format_is_not_found(leader, ctx):
    assert leader.get("/can-bo/bao-cao/bieu-06.docx", MARCH).status_code == 404


# -- invalid periods --------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "message"),
    [
        # the reports' own messages, in Vietnamese
        (
            {"ky": "range", "tu-ngay": "10/03/2026", "den-ngay": "04/03/2026"},
            "Ngày kết thúc kỳ báo cáo phải sau ngày bắt đầu.",
        ),
        ({"ky": "month", "nam": "2099", "so": "1"}, "Kỳ báo cáo chưa bắt đầu"),
        # Django's own, in Vietnamese
        ({"ky": "month", "nam": "1999", "so": "1"}, "lớn hơn hoặc bằng với 2000"),
        ({"ky": "month", "nam": "2026", "so": "13"}, "nhỏ hơn hoặc bằng với 12"),
        (
            {"ky": "range", "tu-ngay": "31/02/2026", "den-ngay": "04/03/2026"},
            "Nhập một ngày hợp lệ.",
        ),
        ({"ky": "decade", "nam": "2026"}, "decade"),
    ],
)
def test_an_invalid_period_shows_why_and_no_table(leader, ctx, params, message):
    response = leader.get(URL, params)
    assert response.status_code == 400
    page = response.content.decode()
    assert "<table" not in page
    summary = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    assert summary is not None and message in summary[0], page
    assert response.context["table"] is None
    # the exports and the lists refuse it the same way
    assert leader.get("/can-bo/bao-cao/bieu-06.csv", params).status_code == 400
    assert leader.get(CELL_URL, {**params, "cot": "3"}).status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"ky": "quarter", "nam": "2026", "so": "5"}, "Enter the quarter, from 1 to 4."),
        ({"ky": "month", "nam": "2026"}, "Enter the month, from 1 to 12."),
        ({"ky": "year"}, "Enter the year."),
        ({"ky": "range", "den-ngay": "04/03/2026"}, "Enter the first day of the range."),
    ],
)
def test_the_forms_own_messages_in_english(leader, ctx, params, message):
    leader.cookies["django_language"] = "en"
    response = leader.get(URL, params)
    assert response.status_code == 400
    assert message in response.content.decode()


# -- cost ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_pages_cost_the_same_whatever_the_data(
    leader, ctx, catalogue, django_assert_max_num_queries
):
    crafted(ctx)
    cell = {**MARCH, "cot": "5"}
    copies = catalogue["2.000815"]  # Chứng thực: a second sector

    def cost(path: str, params: dict[str, str]) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert leader.get(path, params).status_code == 200
        return len(queries.captured_queries)

    few = (cost(URL, MARCH), cost(CELL_URL, cell))
    with django_assert_max_num_queries(MAX_QUERIES):
        leader.get(URL, MARCH)
    # more dossiers, in a second sector too: one more row, the same queries
    for day in range(2, 7):
        receive(ctx, vn(2026, 3, day, 9))
        resolve(ctx, receive(ctx, vn(2026, 3, day, 10)), vn(2026, 3, day, 15))
    for day in range(9, 13):
        svc.dossier_intake(
            actor=ctx.staff.reception, data=dossier_in(copies, ctx.desk), at=vn(2026, 3, day, 9)
        )
    response = leader.get(URL, MARCH)
    assert len(response.context["table"].groups[0].rows) == 2
    assert response.context["table"].total.counter == 7 + 10 + 4
    many = (cost(URL, MARCH), cost(CELL_URL, cell))
    assert many == few, (few, many)
    with django_assert_max_num_queries(MAX_QUERIES):
        leader.get(URL, MARCH)
    with django_assert_max_num_queries(MAX_QUERIES):
        leader.get(CELL_URL, cell)


# -- in a browser ------------------------------------------------------------------------------

browser = base.browser  # Debian's Chromium, as in test_browser.py
SHOTS = Path(django_settings.BASE_DIR).parents[1] / "docs" / "screenshots"
GALLERY = SHOTS / "backoffice.md"
SHOTS_PREFIX = "office-reports-"  # test_story_browser's clean-up leaves these alone
SECTION = "## Reports (Biểu 06)"
# (file, caption, path) of the screenshots this module takes, in order
REPORT_SHOTS = (
    (
        "office-reports-1-table.png",
        "Biểu 06 tháng 3/2026: mỗi số dẫn đến danh sách hồ sơ",
        URL,
    ),
    (
        "office-reports-2-cell.png",
        "Hồ sơ của một ô: cột 13 (đang giải quyết quá hạn), lĩnh vực Hộ tịch",
        CELL_URL,
    ),
    # taken by test_reports_index766.py
    (
        "office-reports-3-index766.png",
        "Chỉ số 766 tháng 3/2026 của phường: tổng điểm, sáu nhóm chỉ số, 12 tháng gần nhất",
        "/can-bo/bao-cao/chi-so-766/",
    ),
    (
        "office-reports-4-ranking.png",
        "Chỉ số 766 của tỉnh: xếp hạng các xã, phường",
        "/can-bo/bao-cao/chi-so-766/",
    ),
)


def gallery_section() -> list[str]:
    """The reports' part of the gallery, for the screenshots on disk (test_story_browser's
    ``_gallery`` appends it; ``write_gallery_section`` puts it in place after this module)."""
    shots = [shot for shot in REPORT_SHOTS if (SHOTS / shot[0]).exists()]
    if not shots:
        return []
    lines = [
        "",
        SECTION,
        "",
        "Written by `src/motcua/backoffice/tests/test_reports_pages.py` and",
        "`test_reports_index766.py`: the table of a leader and the list behind one of its",
        "numbers, the 766 index of a commune and the ranking of a province's communes, on a",
        "360 px phone (Chromium). Each was also checked by axe-core at 360 and 1280 px.",
        "",
        "| # | Page | Path |",
        "|---|------|------|",
    ]
    for number, (name, caption, path) in enumerate(shots, start=1):
        lines.append(f"| {number} | [{caption}]({name}) | `{path}` |")
    return lines


def write_gallery_section() -> None:
    """Replace the reports' section of the gallery, keeping what comes before it."""
    text = GALLERY.read_text(encoding="utf-8") if GALLERY.exists() else ""
    head = text.split(f"\n{SECTION}\n")[0].rstrip("\n")
    GALLERY.write_text(head + "\n" + "\n".join(gallery_section()) + "\n", encoding="utf-8")


@pytest.fixture
def report_site(live_server, settings, ctx):
    static_dir = Path(django_settings.BASE_DIR) / "static"
    if static_dir not in [Path(d) for d in settings.STATICFILES_DIRS]:
        settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, static_dir]
    d = crafted(ctx)
    client = Client()
    mfa_login(client, ctx.staff.agency_leader)
    cookie = {
        "name": django_settings.SESSION_COOKIE_NAME,
        "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }
    return {"url": live_server.url, "cookie": cookie, "dossiers": d}


@pytest.mark.browser
@pytest.mark.skipif(not Path(base.CHROMIUM).exists(), reason="apt-get install chromium")
def test_the_report_and_a_list_in_a_browser(browser, report_site):
    """The table and the list of its column 13, at 360 and 1280 px: no axe-core violation, no
    horizontal overflow of the page (the table scrolls in its own region), nothing refused by
    the Content-Security-Policy; a phone screenshot of each for the gallery."""
    site = report_site["url"]
    table_url = f"{site}{URL}?{_query(MARCH)}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    cell_href = None
    for viewport in (base.PHONE, WIDE):
        with base.audited(
            browser, table_url, cookies=[report_site["cookie"]], viewport=viewport, step="table"
        ) as (tab, _bodies):
            region = tab.locator(".form06-scroll")
            assert region.get_attribute("role") == "region"
            if viewport is base.PHONE:
                # the table is wider than the phone: it scrolls inside its region
                assert region.evaluate("e => e.scrollWidth > e.clientWidth")
                tab.screenshot(path=str(SHOTS / REPORT_SHOTS[0][0]), full_page=True)
            # column 13 of the row of Hộ tịch
            row = tab.locator("table.form06 tbody tr").nth(2)
            cell_href = row.locator("a").last.get_attribute("href")
    assert cell_href is not None and "cot=13" in cell_href and "linh-vuc=" in cell_href
    for viewport in (base.PHONE, WIDE):
        with base.audited(
            browser,
            site + cell_href,
            cookies=[report_site["cookie"]],
            viewport=viewport,
            step="cell",
        ) as (tab, _bodies):
            assert report_site["dossiers"]["open_overdue"].code in tab.inner_text("main")
            if viewport is base.PHONE:
                tab.screenshot(path=str(SHOTS / REPORT_SHOTS[1][0]), full_page=True)
    write_gallery_section()
