"""The leaders' dashboard of the 766 index in the back office (issue 6, SPEC.md §5): who may see
it (the leaders' scope, else 404), the crafted March of ``reports/tests/test_index766.py`` on
the page, the components that cannot be measured here and why, calendar periods only (SPEC.md
§7.2), the trend, the province's ranking of communes, a query count that does not grow with
the data, and the page in Chromium at 360 and 1280 px with axe-core, with screenshots for the
gallery (docs/screenshots/backoffice.md)."""

from __future__ import annotations

import html
import re
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from motcua.backoffice import views_reports
from motcua.backoffice.tests.conftest import mfa_login
from motcua.backoffice.tests.test_reports_pages import (
    REPORT_SHOTS,
    SHOTS,
    WIDE,
    listed,
    write_gallery_section,
)
from motcua.dossiers.services import lifecycle as svc
from motcua.dossiers.tests.conftest import p1_staff  # noqa: F401
from motcua.dossiers.tests.factories import dossier_in, vn
from motcua.portal.tests import test_browser as base
from motcua.reports.periods import PeriodKind, period_containing, period_of
from motcua.reports.scoring import ComponentStatus
from motcua.reports.tests import crafted as by_hand

ctx = by_hand.ctx
crafted, receive, resolve = by_hand.crafted, by_hand.receive, by_hand.resolve

URL = "/can-bo/bao-cao/chi-so-766/"
FORM06_URL = "/can-bo/bao-cao/bieu-06/"
CELL_URL = "/can-bo/bao-cao/bieu-06/ho-so/"
MARCH = {"ky": "month", "nam": "2026", "so": "3"}
# session, user, official, second factor, roles, the agency (6); the period: merged agencies
# and one rollup sum (2); the 12 months at once (2); a province's ranking: its communes, every
# agency's commune, merged agencies and one rollup sum for all (4); the agencies to choose
# from (1); the session's save (3). A commune's page takes 14.
MAX_QUERIES = 20
ON_TIME_ROW = re.compile(r'<tr class="index766__measured">\s*<td>2\.1</td>.*?</tr>', re.S)
TREND_ROW = re.compile(r'<th scope="row"><a href="/can-bo/bao-cao/chi-so-766/\?[^"]+">')


@pytest.fixture
def leader(client, ctx):
    mfa_login(client, ctx.staff.agency_leader)
    return client


@pytest.fixture
def province_leader(client, ctx):
    mfa_login(client, ctx.partner_staff.agency_leader)
    return client


def english(client) -> Client:
    client.cookies["django_language"] = "en"
    return client


# -- who may see it ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_leaders_in_scope_see_the_index(client, ctx, applicant_user, c2_staff):
    crafted(ctx)
    tree = ctx.tree
    response = client.get(URL)  # anonymous: sign in first
    assert response.status_code == 302 and "/tai-khoan/login/" in response["Location"]
    client.force_login(applicant_user)
    assert client.get(URL).status_code == 404  # a citizen: no back office at all
    for official in (ctx.staff.specialist, ctx.staff.reception, ctx.staff.clerk):
        mfa_login(client, official)
        assert client.get(URL).status_code == 404, official  # no oversight
    mfa_login(client, c2_staff.agency_leader)
    assert client.get(URL, {"co-quan": tree.c1.code}).status_code == 404  # not theirs
    theirs = client.get(URL, MARCH)
    assert theirs.status_code == 200
    assert theirs.context["agency"] == tree.c2
    assert theirs.context["score"].components["2.1"].denominator == 0  # none of c1's dossiers
    mfa_login(client, ctx.staff.agency_leader)
    for code in (tree.p1.code, "nothing-like-it"):  # above the leader; no such agency
        assert client.get(URL, {"co-quan": code}).status_code == 404
    assert client.get(URL, {"co-quan": tree.c1.code, **MARCH}).status_code == 200
    mfa_login(client, ctx.staff.unit_leader)
    assert client.get(URL, MARCH).status_code == 200


@pytest.mark.django_db
def test_the_home_the_leaders_view_and_biểu_06_link_to_it_for_leaders_only(client, ctx):
    mfa_login(client, ctx.staff.agency_leader)
    assert f'href="{URL}"' in client.get("/can-bo/").content.decode()
    code = ctx.tree.c1.code
    link = f'href="{URL}?co-quan={code}"'
    assert link in client.get("/can-bo/lanh-dao/", {"co-quan": code}).content.decode()
    assert link in client.get(FORM06_URL, MARCH).content.decode()
    mfa_login(client, ctx.staff.specialist)
    assert URL not in client.get("/can-bo/").content.decode()


# -- the index --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_shows_the_crafted_march(leader, ctx):
    """test_index766.test_march_on_the_crafted_dossiers: 2.1 = 4 / 10 = 40 %, 40 × 20 / 100 =
    8 points (SPEC.md §5.2, Quyết định 766/QĐ-TTg)."""
    crafted(ctx)
    response = leader.get(URL, MARCH)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response.context["agency"] == ctx.tree.c1  # the leader's own (highest) agency
    score = response.context["score"]
    on_time = score.components["2.1"]
    assert (on_time.numerator, on_time.denominator) == (4, 10)
    assert (on_time.ratio, on_time.points) == (Decimal("40.00"), Decimal("8.00"))
    page = response.content.decode()
    assert "<script" not in page and " style=" not in page  # CSP: no inline script or style
    row = ON_TIME_ROW.search(page)
    assert row is not None
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row[0], re.S)
    assert cells[1] == "4"
    assert re.match(r'<a href="[^"]+">10<span class="visually-hidden">', cells[2])
    assert cells[3:6] == ["40,00 %", "—", "8,00 / 20"]  # in Vietnamese: a decimal comma
    # the total out of 100, and what can be measured here
    assert f"{score.total}".replace(".", ",") + " / 100" in page
    # 1.4 (6) + 2.1 (20) + 3.0 (12) + 3.5b and 3.6 (8) + 4.1–4.4 (16) + 5.4 (6): 766-portal.json
    assert score.measurable_max == Decimal(68)
    # six groups, each a table with its caption and a row header per component
    assert page.count('<table class="index766">') == 6
    assert page.count('<th scope="row">') >= len(score.components) + 12
    assert page.count('role="region" tabindex="0" aria-labelledby=') == 6 + 1  # and the trend
    english(leader)
    page = leader.get(URL, MARCH).content.decode()
    cells = re.findall(r"<td[^>]*>(.*?)</td>", ON_TIME_ROW.search(page)[0], re.S)
    assert cells[3:6] == ["40.00 %", "—", "8.00 / 20"]
    assert "Measurable here: 68.00 points" in page
    assert "Formula version 766-portal, in force from 01/07/2025." in page


@pytest.mark.django_db
def test_the_denominator_of_2_1_opens_biểu_06_column_3(leader, ctx):
    crafted(ctx)
    response = leader.get(URL, MARCH)
    href = html.unescape(response.context["received_href"])
    assert href.startswith(CELL_URL)
    assert parse_qs(urlsplit(href).query) == {
        "co-quan": [ctx.tree.c1.code],
        "ky": ["month"],
        "nam": ["2026"],
        "so": ["3"],
        "cot": ["3"],
    }
    assert f'<a href="{html.escape(href)}">10<' in response.content.decode()
    assert listed(leader, href) == (10, 10)  # the ten dossiers of 2.1's denominator
    # and the page links to Biểu 06 for the same period
    form06 = html.unescape(response.context["form06_href"])
    assert form06.startswith(FORM06_URL) and "ky=month&nam=2026&so=3" in form06
    assert leader.get(form06).context["table"].total.received == 10


@pytest.mark.django_db
def test_what_cannot_be_measured_here_says_why(leader, ctx):
    crafted(ctx)
    response = leader.get(URL, MARCH)
    score = response.context["score"]
    page = response.content.decode()
    missing = [c for c in score.components.values() if c.status == ComponentStatus.NOT_MEASURABLE]
    assert {c.spec.code for c in missing} >= {"1.1", "1.2", "4.5a", "5.2", "5.3"}
    for component in missing:
        why = html.escape(component.spec.why_not_measurable_vi)
        assert f'<td colspan="3" class="index766__why">{why}</td>' in page, component.spec.code
    # 3.0: a denominator of 0 — N/A, not 0 %
    assert score.components["3.0"].denominator == 0
    page = english(leader).get(URL, MARCH).content.decode()
    for component in missing:
        assert html.escape(component.spec.why_not_measurable_en) in page
    row = re.search(r"<td>3\.0</td>.*?</tr>", page, re.S)[0]
    assert '<td class="num">N/A</td>' in row and "0.00 / 12" in row


@pytest.mark.django_db
def test_without_a_period_the_page_shows_this_month(leader, ctx):
    crafted(ctx)
    response = leader.get(URL)
    assert response.status_code == 200
    today = timezone.localdate()
    assert response.context["result"].period == period_containing(PeriodKind.MONTH, today)
    assert response.context["result"].as_of == today


@pytest.mark.django_db
def test_the_index_uses_calendar_periods(leader, ctx):
    """SPEC.md §7.2: "766 uses calendar periods": a quarter is January to March, whatever the
    cut-off parameter of Biểu 06 says; a range of days is not offered."""
    crafted(ctx)
    response = leader.get(URL, {"ky": "quarter", "nam": "2026", "so": "1", "moc": "1"})
    assert response.status_code == 200
    assert response.context["result"].period == period_of(PeriodKind.QUARTER, 2026, 1)
    kinds = [value for value, _label in response.context["form"].fields["kind"].choices]
    assert kinds == ["month", "quarter", "year"]
    assert "cutoff" not in response.context["form"].fields
    assert "tu-ngay" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"ky": "month", "nam": "2099", "so": "1"}, "Kỳ báo cáo chưa bắt đầu"),
        ({"ky": "month", "nam": "2026", "so": "13"}, "nhỏ hơn hoặc bằng với 12"),
        ({"ky": "range", "tu-ngay": "01/03/2026", "den-ngay": "31/03/2026"}, "range"),
        ({"ky": "6-months", "nam": "2026"}, "6-months"),
        ({"ky": "month", "nam": "x", "so": "3"}, "Nhập một số nguyên"),
    ],
)
def test_an_invalid_period_shows_why_and_no_index(leader, ctx, params, message):
    response = leader.get(URL, params)
    assert response.status_code == 400
    assert response["Cache-Control"] == "private, no-store"
    page = response.content.decode()
    assert "<table" not in page and "<svg" not in page
    summary = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    assert summary is not None and message in summary[0], page
    assert response.context["result"] is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"ky": "quarter", "nam": "2026", "so": "5"}, "Enter the quarter, from 1 to 4."),
        ({"ky": "month", "nam": "2026"}, "Enter the month, from 1 to 12."),
        ({"ky": "year"}, "Enter the year."),
    ],
)
def test_the_forms_own_messages_in_english(leader, ctx, params, message):
    response = english(leader).get(URL, params)
    assert response.status_code == 400
    assert message in response.content.decode()


# -- trend and ranking ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_trend_has_twelve_months_up_to_the_period(leader, ctx):
    crafted(ctx)
    response = leader.get(URL, MARCH)
    trend = response.context["trend"]
    assert len(trend) == 12
    assert [m.label for m in trend][::11] == ["Tháng 4/2025", "Tháng 3/2026"]
    assert (trend[-1].total, trend[-1].on_time) == (
        response.context["score"].total,
        Decimal("40.00"),
    )
    assert trend[0].on_time is None  # nothing in April 2025: N/A
    page = response.content.decode()
    table = re.search(r'<table class="chart-table index766-trend">.*?</table>', page, re.S)[0]
    assert len(TREND_ROW.findall(table)) == 12
    assert 'role="img"' in page  # the chart, followed by that table
    march = html.unescape(trend[-1].href)
    assert parse_qs(urlsplit(march).query) == {
        "co-quan": [ctx.tree.c1.code],
        "ky": ["month"],
        "nam": ["2026"],
        "so": ["3"],
    }
    # without a period: the twelve months up to this one
    this_month = leader.get(URL).context["trend"]
    today = timezone.localdate()
    assert len(this_month) == 12
    assert this_month[-1].label == f"Tháng {today.month}/{today.year}"


@pytest.mark.django_db
def test_a_province_ranks_its_communes(province_leader, ctx):
    crafted(ctx)
    tree = ctx.tree
    response = province_leader.get(URL, MARCH)
    assert response.context["agency"] == tree.p1  # the province leader's own agency
    ranking = response.context["ranking"]
    assert [row.result.agency for row in ranking] == [tree.c1, tree.c2]
    first, second = ranking
    assert (first.rank, first.on_time, first.paid_online) == (1, Decimal("40.00"), None)
    assert (second.rank, second.on_time) == (2, None)
    page = response.content.decode()
    assert '<h2 id="h-ranking">' in page
    for row in ranking:
        assert f">{row.result.agency.short_name}</a>" in page  # "Phường Hạc Thành"
        href = html.unescape(row.href)
        assert parse_qs(urlsplit(href).query)["co-quan"] == [row.result.agency.code]
    # a commune's name opens its own index, with the same numbers
    commune = province_leader.get(html.unescape(first.href))
    assert commune.status_code == 200 and commune.context["agency"] == tree.c1
    assert commune.context["score"].total == first.result.score.total
    assert commune.context["ranking"] is None  # a commune has no ranking
    assert '<h2 id="h-ranking">' not in commune.content.decode()


@pytest.mark.django_db
def test_the_ranking_shows_the_top_then_all(province_leader, ctx, monkeypatch):
    crafted(ctx)
    monkeypatch.setattr(views_reports, "RANKING_TOP", 1)
    response = province_leader.get(URL, MARCH)
    assert [row.result.agency for row in response.context["ranking"]] == [ctx.tree.c1]
    assert response.context["ranking_count"] == 2
    page = response.content.decode()
    show_all = html.unescape(response.context["show_all_href"])
    assert "tat-ca=1" in show_all and html.escape(show_all) in page
    everything = province_leader.get(show_all)
    assert len(everything.context["ranking"]) == 2
    back = html.unescape(everything.context["show_top_href"])
    assert "tat-ca" not in back and html.escape(back) in everything.content.decode()


# -- cost ------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["commune", "province"])
def test_the_page_costs_the_same_whatever_the_data(
    client, ctx, catalogue, c2_staff, django_assert_max_num_queries, who
):
    crafted(ctx)
    mfa_login(
        client, ctx.staff.agency_leader if who == "commune" else ctx.partner_staff.agency_leader
    )
    copies = catalogue["2.000815"]  # a second procedure

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, MARCH).status_code == 200
        return len(queries.captured_queries)

    few = cost()
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(URL, MARCH)
    # more dossiers, of a second procedure, in both communes and several months
    for day in range(2, 7):
        receive(ctx, vn(2026, 3, day, 9))
        resolve(ctx, receive(ctx, vn(2026, 1, day + 5, 10)), vn(2026, 1, day + 5, 15))
    for day in range(9, 13):
        svc.dossier_intake(
            actor=ctx.staff.reception, data=dossier_in(copies, ctx.desk), at=vn(2026, 3, day, 9)
        )
        svc.dossier_intake(
            actor=c2_staff.reception,
            data=dossier_in(ctx.version, ctx.tree.c2_units["pvhcc"]),
            at=vn(2026, 3, day, 9),
        )
    response = client.get(URL, MARCH)
    assert response.context["score"].components["2.1"].denominator > 10
    assert cost() == few
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(URL, MARCH)


# -- in a browser ------------------------------------------------------------------------------

browser = base.browser  # Debian's Chromium, as in test_browser.py
SHOT_INDEX, SHOT_RANKING = (shot[0] for shot in REPORT_SHOTS[2:4])


@pytest.fixture
def index_site(live_server, settings, ctx):
    static_dir = Path(django_settings.BASE_DIR) / "static"
    if static_dir not in [Path(d) for d in settings.STATICFILES_DIRS]:
        settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, static_dir]
    crafted(ctx)

    def cookie(user) -> dict:
        client = Client()
        mfa_login(client, user)
        return {
            "name": django_settings.SESSION_COOKIE_NAME,
            "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
            "url": live_server.url,
        }

    return {
        "url": live_server.url,
        "commune": cookie(ctx.staff.agency_leader),
        "province": cookie(ctx.partner_staff.agency_leader),
    }


@pytest.mark.browser
@pytest.mark.skipif(not Path(base.CHROMIUM).exists(), reason="apt-get install chromium")
def test_the_index_in_a_browser(browser, index_site):
    """The commune's index and the province's ranking for March 2026, at 360 and 1280 px: no
    axe-core violation, no horizontal overflow of the page (the tables scroll in their own
    regions), nothing refused by the Content-Security-Policy, the form used by keyboard alone;
    a phone screenshot of each for the gallery."""
    site = index_site["url"]
    query = "&".join(f"{key}={value}" for key, value in MARCH.items())
    SHOTS.mkdir(parents=True, exist_ok=True)
    for viewport in (base.PHONE, WIDE):
        with base.audited(
            browser,
            f"{site}{URL}?{query}",
            cookies=[index_site["commune"]],
            viewport=viewport,
            step="index766",
        ) as (tab, _bodies):
            regions = tab.locator('.table-scroll[role="region"][tabindex="0"]')
            assert regions.count() == 7
            assert "4" in tab.locator("table.index766").nth(1).inner_text()
            if viewport is base.PHONE:
                # a group's table is wider than the phone: it scrolls inside its region
                assert regions.first.evaluate("e => e.scrollWidth > e.clientWidth")
                tab.screenshot(path=str(SHOTS / SHOT_INDEX), full_page=True)
    # the province, its ranking, and a quarter chosen by keyboard alone
    with base.audited(
        browser, f"{site}{URL}", cookies=[index_site["province"]], viewport=base.PHONE, step="rank"
    ) as (tab, _bodies):
        tab.locator("#id_ky").focus()
        tab.keyboard.press("ArrowDown")  # month → quarter
        tab.locator("#id_nam").fill("2026")
        tab.locator("#id_so").fill("1")
        tab.locator("#id_so").press("Enter")
        tab.wait_for_load_state("load")
        assert "ky=quarter" in tab.url and "so=1" in tab.url
        assert tab.locator("#h-ranking").count() == 1
    for viewport in (base.PHONE, WIDE):
        with base.audited(
            browser,
            f"{site}{URL}?{query}#h-ranking",
            cookies=[index_site["province"]],
            viewport=viewport,
            step="ranking",
        ) as (tab, _bodies):
            ranking = tab.locator("table.index766-ranking")
            assert ranking.locator("tbody tr").count() == 2
            if viewport is base.PHONE:
                section = tab.locator('section[aria-labelledby="h-ranking"]')
                section.screenshot(path=str(SHOTS / SHOT_RANKING))
    write_gallery_section()
