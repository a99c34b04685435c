"""The leaders' view (issue 5, item 6): figures computed by hand on crafted dossiers, the scope
(another commune's leader sees none of ours; an agency outside the scope, an official who leads
nothing and a citizen get 404), a query count that does not grow with the data, and the page in
a browser at 360 px with axe-core."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from motcua.backoffice.tests.conftest import mfa_login
from motcua.catalog.choices import Channel
from motcua.dossiers.choices import DossierState
from motcua.dossiers.oversight import leaders_overview, may_oversee, oversight_agency
from motcua.dossiers.services import lifecycle as svc
from motcua.dossiers.tests.factories import dossier_in, staff_at, vn
from motcua.org.tests.factories import official
from motcua.portal.tests import test_browser as base

S = DossierState
NOW = vn(2026, 4, 15, 10, 0)  # Wednesday: "this month" is April 2026, "last month" March
URL = "/can-bo/lanh-dao/"
WIDE = {"width": 1280, "height": 900}
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def version(catalogue):
    return catalogue["1.004873"]  # 3 working days; steps Tiếp nhận → Thẩm định → Ký duyệt → …


def intake(staff, version, desk, at, **extra):
    """Received at the counter at ``at`` (the clock starts then: SPEC.md §1.4, §3.4)."""
    return svc.dossier_intake(actor=staff.reception, data=dossier_in(version, desk, **extra), at=at)


def resolved(staff, version, desk, received, finished, *, returned=None):
    d = intake(staff, version, desk, received)
    svc.dossier_resolve(actor=staff.clerk, dossier=d, at=finished)
    if returned is not None:
        svc.dossier_return_result(
            actor=staff.reception, dossier=d, method="counter", recipient="Ông An", at=returned
        )
    d.refresh_from_db()
    return d


def handed_over(staff, d, at, *, times=1, holders=("reception", "specialist")):
    for i in range(times):
        svc.dossier_handover(actor=getattr(staff, holders[i]), dossier=d, at=at + i * HOUR)
    d.refresh_from_db()
    return d


@pytest.fixture
def world(tree, c1_staff, c2_staff, applicant_user, version):
    """The dossiers of Phường Hạc Thành (c1) and one of Phường Đông Tiến (c2), as of NOW."""
    desk, staff = tree.c1_units["pvhcc"], c1_staff
    office = tree.c1_units["van-phong"]
    d = SimpleNamespace()
    # -- finished last month (March 2026): SPEC.md §3.5 (a) / §7.1 cols. 8–10, by date
    d.a = resolved(staff, version, desk, vn(2026, 3, 2, 9), vn(2026, 3, 4, 9))  # due 5/3: early
    # the same date as the appointment, after its hour: on time by date (Report 06)
    d.b = resolved(staff, version, desk, vn(2026, 3, 2, 9), vn(2026, 3, 5, 16))
    d.c = resolved(  # late, then returned: still counted in the month it finished
        staff, version, desk, vn(2026, 3, 2, 9), vn(2026, 3, 9, 9), returned=vn(2026, 3, 10, 9)
    )
    # due 31/3 09:00; finished 23:30 on 31/3 in Vietnam (16:30 UTC): March, on time
    d.d = resolved(staff, version, desk, vn(2026, 3, 26, 9), vn(2026, 3, 31, 23, 30))
    # -- finished this month (April 2026)
    # due 31/3; finished 00:30 on 1/4 in Vietnam (still 31/3 in UTC): April, late
    d.e = resolved(staff, version, desk, vn(2026, 3, 26, 9), vn(2026, 4, 1, 0, 30))
    d.f = resolved(staff, version, desk, vn(2026, 4, 6, 9), vn(2026, 4, 7, 10))  # due 9/4: early
    d.g = resolved(
        staff, version, desk, vn(2026, 4, 6, 9), vn(2026, 4, 9, 11), returned=vn(2026, 4, 10, 9)
    )  # on time
    # stopped (counted on time by the service): not a result, not in the rate
    d.x = intake(staff, version, desk, vn(2026, 4, 6, 9))
    svc.dossier_stop(actor=staff.agency_leader, dossier=d.x, reason="Hết căn cứ", at=NOW - HOUR)
    # -- open
    d.o1 = handed_over(staff, intake(staff, version, desk, vn(2026, 4, 6, 9)), vn(2026, 4, 6, 10))
    svc.dossier_assign(
        actor=staff.unit_leader, dossier=d.o1, assignee=staff.specialist, at=vn(2026, 4, 6, 11)
    )  # due 9/4 09:00, at Thẩm định, assigned
    d.o2 = handed_over(staff, intake(staff, version, desk, vn(2026, 4, 7, 9)), vn(2026, 4, 7, 10))
    d.o4 = intake(staff, version, desk, vn(2026, 4, 7, 9), handling_agency=office)  # at Tiếp nhận
    d.o3 = handed_over(
        staff, intake(staff, version, desk, vn(2026, 4, 8, 9)), vn(2026, 4, 8, 10), times=2
    )
    svc.dossier_assign(
        actor=staff.unit_leader, dossier=d.o3, assignee=staff.agency_leader, at=vn(2026, 4, 9, 9)
    )  # due 13/4 09:00, at Ký duyệt, assigned to the leader
    d.due1 = intake(staff, version, desk, vn(2026, 4, 10, 9))  # due today 09:00: overdue now
    d.due2 = intake(staff, version, desk, vn(2026, 4, 10, 15))  # due today 15:00
    d.paused = handed_over(
        staff, intake(staff, version, desk, vn(2026, 4, 6, 9)), vn(2026, 4, 6, 10)
    )
    svc.dossier_request_supplement(
        actor=staff.specialist,
        dossier=d.paused,
        reason="Thiếu",
        items=["CCCD"],
        at=vn(2026, 4, 7, 9),
    )
    d.fresh = intake(staff, version, desk, vn(2026, 4, 14, 9))  # due 17/4
    d.online = svc.dossier_submit(
        actor=applicant_user,
        data=dossier_in(version, desk, channel=Channel.ONLINE),
        at=vn(2026, 4, 14, 9),
    )
    # -- Phường Đông Tiến: one overdue, one late this month
    other = tree.c2_units["pvhcc"]
    d.theirs = intake(c2_staff, version, other, vn(2026, 4, 6, 9))
    resolved(c2_staff, version, other, vn(2026, 4, 1, 9), vn(2026, 4, 10, 9))
    for x in vars(d).values():
        x.refresh_from_db()
    return d


def by_label(tallies):
    return {t.label: t.count for t in tallies}


def test_the_appointments_of_the_crafted_dossiers(world):
    # SPEC.md §3.4: 3 working days from reception, keeping its hour
    assert world.o1.due_at == vn(2026, 4, 9, 9)
    assert world.o2.due_at == world.o4.due_at == vn(2026, 4, 10, 9)
    assert world.o3.due_at == vn(2026, 4, 13, 9)
    assert (world.due1.due_at, world.due2.due_at) == (vn(2026, 4, 15, 9), vn(2026, 4, 15, 15))
    assert [world.a.timeliness, world.b.timeliness, world.c.timeliness, world.d.timeliness] == [
        "early",
        "on_time",
        "late",
        "on_time",
    ]
    assert [world.e.timeliness, world.f.timeliness, world.g.timeliness] == [
        "late",
        "early",
        "on_time",
    ]


def test_open_dossiers_by_status(world, c1_staff):
    o = leaders_overview(c1_staff.agency_leader, now=NOW)
    counts = {t.key: t.count for t in o.by_status}
    assert counts == {
        S.SUBMITTED: 1,  # online, awaiting reception
        S.RETURNED_FOR_COMPLETION: 0,
        S.RECEIVED: 4,  # o4, due1, due2, fresh
        S.IN_PROCESS: 3,  # o1, o2, o3
        S.SUPPLEMENT_REQUESTED: 1,
        S.PAYMENT_REQUESTED: 0,
        S.WITHDRAWAL_REQUESTED: 0,
        S.RESOLVED: 5,  # a, b, d, e, f: result not yet returned
    }
    assert o.open_total == 14
    assert o.by_status[0].label == str(S.SUBMITTED.label)


def test_overdue_by_unit_step_and_official(world, c1_staff, tree):
    o = leaders_overview(c1_staff.unit_leader, now=NOW)
    # o1, o2, o3, o4 and due1 (09:00 today); the paused one is not overdue (SPEC.md §3.4)
    assert o.overdue_total == 5
    assert by_label(o.overdue_by_unit) == {tree.c1.name: 4, tree.c1_units["van-phong"].name: 1}
    assert by_label(o.overdue_by_step) == {"Thẩm định": 2, "Tiếp nhận": 2, "Ký duyệt": 1}
    assert by_label(o.overdue_by_official) == {
        str(c1_staff.specialist): 1,
        str(c1_staff.agency_leader): 1,
        "Chưa phân công": 3,  # o2, o4, due1 (not assigned)
    }
    for tallies in (o.overdue_by_unit, o.overdue_by_step, o.overdue_by_official):
        counts = [t.count for t in tallies]
        assert counts == sorted(counts, reverse=True)


def test_on_time_rate_this_month_and_last(world, c1_staff):
    # SPEC.md §3.5 / §7.1: early + on time over all finished (RESOLVED or RETURNED) in the
    # calendar month, in Vietnam time; the stopped dossier is not a result and is left out.
    this_month, last_month = leaders_overview(c1_staff.agency_leader, now=NOW).rates
    assert (this_month.month, last_month.month) == (dt.date(2026, 4, 1), dt.date(2026, 3, 1))
    assert (this_month.early, this_month.on_time, this_month.late) == (1, 1, 1)  # f, g; e
    assert (this_month.finished, this_month.percent) == (3, 66.7)
    assert (last_month.early, last_month.on_time, last_month.late) == (1, 2, 1)  # a; b, d; c
    assert (last_month.finished, last_month.percent) == (4, 75.0)
    assert this_month.label.endswith("(04/2026)") and last_month.label.endswith("(03/2026)")


def test_due_today_and_the_list_to_act_on(world, c1_staff):
    o = leaders_overview(c1_staff.agency_leader, now=NOW)
    assert o.due_today == 2  # due1 (already overdue) and due2
    # overdue and due today, earliest appointment first; then reception order
    assert [d.code for d in o.to_act_on] == [
        world.o1.code,
        world.o2.code,
        world.o4.code,
        world.o3.code,
        world.due1.code,
        world.due2.code,
    ]
    # the next morning, due2 is overdue and nothing is due
    tomorrow = leaders_overview(c1_staff.agency_leader, now=vn(2026, 4, 16, 8))
    assert (tomorrow.due_today, tomorrow.overdue_total) == (0, 6)


def test_an_agency_narrows_the_view(world, c1_staff, tree):
    office = oversight_agency(c1_staff.agency_leader, tree.c1_units["van-phong"].code)
    o = leaders_overview(c1_staff.agency_leader, agency=office, now=NOW)
    assert (o.open_total, o.overdue_total, o.due_today) == (1, 1, 0)
    assert [d.code for d in o.to_act_on] == [world.o4.code]
    assert all(rate.percent is None for rate in o.rates)
    whole = leaders_overview(
        c1_staff.agency_leader, agency=oversight_agency(c1_staff.agency_leader, "14797"), now=NOW
    )
    assert (whole.open_total, whole.overdue_total) == (14, 5)


def test_each_leader_sees_their_own_subtree(world, c2_staff, tree):
    theirs = leaders_overview(c2_staff.unit_leader, now=NOW)
    # one being worked on (overdue), one resolved and awaiting return
    assert (theirs.open_total, theirs.overdue_total, theirs.due_today) == (2, 1, 0)
    assert [d.code for d in theirs.to_act_on] == [world.theirs.code]
    assert by_label(theirs.overdue_by_unit) == {tree.c2.name: 1}
    assert (theirs.rates[0].late, theirs.rates[0].finished, theirs.rates[1].finished) == (1, 1, 0)
    # the province's leader sees both communes
    province = leaders_overview(staff_at(tree.p1, "p1").agency_leader, now=NOW)
    assert (province.open_total, province.overdue_total) == (16, 6)
    assert province.rates[0].finished == 4


def test_who_may_oversee(world, c1_staff, c2_staff, applicant_user):
    from motcua.core.errors import NotFound

    assert may_oversee(c1_staff.unit_leader) and may_oversee(c1_staff.agency_leader)
    for person in (c1_staff.specialist, c1_staff.reception, c1_staff.supervisor, applicant_user):
        assert not may_oversee(person)
    with pytest.raises(NotFound):
        oversight_agency(c2_staff.agency_leader, "14797")  # ours, not theirs
    with pytest.raises(NotFound):
        oversight_agency(c1_staff.agency_leader, "38")  # the province above us


# -- the page ---------------------------------------------------------------------------------


def recent(staff, version, desk, *, days_ago: int):
    """A dossier received ``days_ago`` days before the real now (the page uses the clock)."""
    return intake(staff, version, desk, timezone.now() - dt.timedelta(days=days_ago))


def test_the_page_shows_the_figures_with_charts_and_tables(client, c1_staff, version, desk, tree):
    late = recent(c1_staff, version, desk, days_ago=30)
    mfa_login(client, c1_staff.unit_leader)
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    page = response.content.decode()
    assert late.code in page  # in the list to act on
    # server-rendered charts, each named and followed by a table of the same numbers
    charts = re.findall(r"<svg [^>]*>", page)
    assert len(charts) == 5
    assert all('role="img"' in svg and "aria-label=" in svg for svg in charts)
    assert page.count("<table") == 6
    assert 'scope="row"' in page and "<caption" in page
    assert "<script" not in page and " style=" not in page  # CSP: no inline script or style
    # the agency filter lists the agencies led, and keeps the choice
    assert f'<option value="{tree.c1_units["van-phong"].code}"' in page
    narrowed = client.get(URL, {"co-quan": tree.c1_units["van-phong"].code}).content.decode()
    assert "selected>" in narrowed and late.code not in narrowed
    assert "Không có hồ sơ quá hạn." in narrowed


def test_the_page_exists_for_leaders_in_their_scope_only(
    client, c1_staff, c2_staff, applicant_user, version, desk, tree
):
    recent(c1_staff, version, desk, days_ago=30)
    for person in (c1_staff.specialist, c1_staff.reception, c1_staff.supervisor):
        mfa_login(client, person)
        assert client.get(URL).status_code == 404, person
    client.force_login(applicant_user)
    assert client.get(URL).status_code == 404  # a citizen: the back office does not exist
    mfa_login(client, c2_staff.agency_leader)
    assert client.get(URL, {"co-quan": "14797"}).status_code == 404  # our commune
    assert client.get(URL, {"co-quan": tree.c1_units["van-phong"].code}).status_code == 404
    assert client.get(URL, {"co-quan": "nothing-like-it"}).status_code == 404
    page = client.get(URL).content.decode()  # their own page shows nothing of ours
    assert "14797-" not in page and tree.c1.name not in page
    mfa_login(client, c1_staff.agency_leader)
    assert client.get(URL, {"co-quan": "38"}).status_code == 404  # above the leader's agency
    assert client.get(URL, {"co-quan": "14797"}).status_code == 200


def test_the_home_page_links_to_it_for_leaders_only(client, c1_staff):
    mfa_login(client, c1_staff.unit_leader)
    assert f'href="{URL}"' in client.get("/can-bo/").content.decode()
    mfa_login(client, c1_staff.specialist)
    assert f'href="{URL}"' not in client.get("/can-bo/").content.decode()


def test_the_page_costs_the_same_whatever_the_data(client, c1_staff, version, desk, tree):
    mfa_login(client, c1_staff.agency_leader)
    office = tree.c1_units["van-phong"]

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        return len(queries.captured_queries)

    recent(c1_staff, version, desk, days_ago=30)
    one = count()
    for days in range(5, 10):
        d = recent(c1_staff, version, desk, days_ago=days * 3)
        handed_over(c1_staff, d, d.received_at + HOUR)
        svc.dossier_assign(
            actor=c1_staff.unit_leader,
            dossier=d,
            assignee=c1_staff.specialist,
            at=d.received_at + 2 * HOUR,
        )
    intake(c1_staff, version, desk, timezone.now() - dt.timedelta(days=20), handling_agency=office)
    resolved(
        c1_staff,
        version,
        desk,
        timezone.now() - dt.timedelta(days=4),
        timezone.now() - dt.timedelta(days=3),
    )
    many = count()
    assert many == one
    assert one <= 20  # session, user, roles, scope, agencies, and a handful of aggregates


def test_the_figures_take_a_handful_of_queries(c1_staff, version, desk):
    leader = c1_staff.agency_leader
    leaders_overview(leader, now=NOW)  # the official's roles are read once per request, before
    with CaptureQueriesContext(connection) as queries:
        leaders_overview(leader, now=NOW)
    # merged-agency paths, statuses, the totals, three groupings of the overdue, the list
    assert len(queries.captured_queries) == 7, [q["sql"][:80] for q in queries.captured_queries]


def test_a_head_of_unit_sees_their_unit_only(world, tree):
    from motcua.core.errors import NotFound

    office = tree.c1_units["van-phong"]
    head = official("vp-head", home=tree.c1, role="unit_leader", scope=office)
    o = leaders_overview(head.user, now=NOW)
    assert (o.open_total, o.overdue_total) == (1, 1)  # o4, handled by the Văn phòng
    assert oversight_agency(head.user, office.code) == office
    with pytest.raises(NotFound):
        oversight_agency(head.user, tree.c1.code)


def test_the_bars_are_drawn_to_scale_and_escaped():
    from motcua.backoffice.templatetags.charts import VALUE_ROOM, WIDTH, bar_chart

    def widths(svg: str) -> list[float]:
        return [float(w) for w in re.findall(r'<rect [^>]*width="([\d.]+)"', svg)]

    longest = WIDTH - VALUE_ROOM
    rows = [SimpleNamespace(label="<b>Một</b>", count=4), SimpleNamespace(label="Hai", count=2)]
    svg = bar_chart(rows, title="Số hồ sơ")
    assert widths(svg) == [longest, longest / 2]
    assert "&lt;b&gt;Một&lt;/b&gt;" in svg and "<b>" not in svg
    assert svg.startswith('<svg class="chart"') and 'role="img"' in svg
    assert 'aria-label="Số hồ sơ.' in svg
    # a percentage on a fixed scale; no value at all is a dash, not a zero
    rates = [SimpleNamespace(label="Này", percent=50.0), SimpleNamespace(label="Kia", percent=None)]
    svg = bar_chart(rates, title="Tỷ lệ", value="percent", scale=100, suffix=" %")
    assert widths(svg) == [longest / 2, 0]
    assert ">—</text>" in svg


# -- in a browser ------------------------------------------------------------------------------

browser = base.browser  # Debian's Chromium, as in test_browser.py


@pytest.fixture
def leaders_page(live_server, settings, c1_staff, catalogue, tree):
    static_dir = Path(django_settings.BASE_DIR) / "static"
    if static_dir not in [Path(d) for d in settings.STATICFILES_DIRS]:
        settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, static_dir]
    version, desk = catalogue["1.004873"], tree.c1_units["pvhcc"]
    recent(c1_staff, version, desk, days_ago=30)
    recent(c1_staff, version, desk, days_ago=20)
    intake(
        c1_staff,
        version,
        desk,
        timezone.now() - dt.timedelta(days=25),
        handling_agency=tree.c1_units["van-phong"],
    )
    client = Client()
    mfa_login(client, c1_staff.agency_leader)
    cookie = {
        "name": django_settings.SESSION_COOKIE_NAME,
        "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }
    return {"url": live_server.url, "cookie": cookie}


@pytest.mark.browser
@pytest.mark.skipif(not Path(base.CHROMIUM).exists(), reason="apt-get install chromium")
@pytest.mark.parametrize("viewport", [base.PHONE, WIDE], ids=["360", "1280"])
def test_the_leaders_page_has_no_axe_violations(browser, leaders_page, viewport):
    context = browser.new_context(viewport=viewport, locale=base.VI)
    context.add_cookies([leaders_page["cookie"]])
    page = context.new_page()
    try:
        response = page.goto(leaders_page["url"] + URL)
        assert response.status == 200, page.url
        assert page.locator("h1").count() == 1
        assert page.locator("svg.chart").count() == 5
        # the charts fit the column; a wide table scrolls inside its own region, not the page
        assert page.evaluate("document.scrollingElement.scrollWidth") <= viewport["width"]
        box = page.locator("svg.chart").first.bounding_box()
        assert box is not None and box["width"] <= viewport["width"]
        results = base._axe()().run(page)
        assert results.violations_count == 0, results.generate_report()
    finally:
        context.close()
