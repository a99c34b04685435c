"""Biểu 06/VPCP/KSTT on crafted dossiers driven through the real services, against a table
worked out by hand (SPEC.md §7.1 columns, §3.5 (a) early/on time/late by calendar date, §7.2
periods). The procedure is 1.004873 (3 working days): a dossier received on Tuesday 3 March 2026
at 09:00 is due on Friday 6 March.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from motcua.catalog.choices import Channel
from motcua.core.errors import ValidationFailed
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import lifecycle as svc
from motcua.dossiers.tests.factories import dossier_in, vn
from motcua.reports.form06 import form06
from motcua.reports.periods import Period, PeriodKind, date_range, period_of
from motcua.reports.services.rollups import rollup_differences
from motcua.reports.tables import COLUMNS

MARCH = period_of(PeriodKind.MONTH, 2026, 3)
TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def ctx(tree, catalogue, c1_staff, p1_staff, applicant_user):
    return SimpleNamespace(
        tree=tree,
        version=catalogue["1.004873"],
        desk=tree.c1_units["pvhcc"],
        staff=c1_staff,
        partner_staff=p1_staff,
        owner=applicant_user,
    )


def receive(ctx, at: dt.datetime, *, online: bool = False) -> Dossier:
    if online:
        data = dossier_in(ctx.version, ctx.desk, channel=Channel.ONLINE)
        dossier = svc.dossier_submit(actor=ctx.owner, data=data, at=at)
        return svc.dossier_receive(actor=ctx.staff.reception, dossier=dossier, at=at)
    data = dossier_in(ctx.version, ctx.desk, channel=Channel.COUNTER)
    return svc.dossier_intake(actor=ctx.staff.reception, data=data, at=at)


def resolve(ctx, dossier: Dossier, at: dt.datetime) -> None:
    svc.dossier_handover(actor=ctx.staff.reception, dossier=dossier, at=at - dt.timedelta(hours=1))
    svc.dossier_resolve(actor=ctx.staff.clerk, dossier=dossier, at=at)


def crafted(ctx) -> dict[str, Dossier]:
    """The dossiers of the hand-computed table; the comment says where each one counts for
    March 2026."""
    s = ctx.staff
    d: dict[str, Dossier] = {}
    # Received Thursday 26 February (due Tuesday 3 March), finished 5 March: carried over
    # (col 6) and late (col 10).
    d["carried_late"] = receive(ctx, vn(2026, 2, 26, 9))
    resolve(ctx, d["carried_late"], vn(2026, 3, 5, 10))
    # Received and finished in February: not in March at all.
    d["february"] = receive(ctx, vn(2026, 2, 25, 9))
    resolve(ctx, d["february"], vn(2026, 2, 27, 10))
    # Received 3 March online, finished 5 March, the day before its appointment: col 4, col 8.
    d["early"] = receive(ctx, vn(2026, 3, 3, 9), online=True)
    resolve(ctx, d["early"], vn(2026, 3, 5, 15))
    # Received 3 March at the counter, finished on 6 March after the appointment's hour: the
    # date is the appointment's, so on time (§3.5 (a)): col 5, col 9.
    d["on_time"] = receive(ctx, vn(2026, 3, 3, 9))
    resolve(ctx, d["on_time"], vn(2026, 3, 6, 16, 30))
    # Received 3 March, finished 10 March: col 5, col 10.
    d["late"] = receive(ctx, vn(2026, 3, 3, 9))
    resolve(ctx, d["late"], vn(2026, 3, 10, 9))
    # Received 4 March, withdrawn on 20 March (long past its 9 March appointment): col 5 and
    # col 9, "including dossiers returned or withdrawn".
    d["withdrawn"] = receive(ctx, vn(2026, 3, 4, 9))
    svc.dossier_request_withdrawal(
        actor=s.reception, dossier=d["withdrawn"], reason="Đơn xin rút", at=vn(2026, 3, 19, 9)
    )
    svc.dossier_confirm_withdrawal(actor=s.reception, dossier=d["withdrawn"], at=vn(2026, 3, 20, 9))
    # Refused at reception: never counted (status 3).
    refused = svc.dossier_submit(
        actor=ctx.owner,
        data=dossier_in(ctx.version, ctx.desk, channel=Channel.ONLINE),
        at=vn(2026, 3, 4, 9),
    )
    svc.dossier_refuse(
        actor=s.reception, dossier=refused, reason="Không thuộc thẩm quyền", at=vn(2026, 3, 4, 10)
    )
    d["refused"] = refused
    # Received 5 March (due 10 March) and still open on 31 March: col 5, col 13.
    d["open_overdue"] = receive(ctx, vn(2026, 3, 5, 9))
    # Received 27 March (due 1 April) and open: col 5, col 12.
    d["open_in_time"] = receive(ctx, vn(2026, 3, 27, 9))
    # Received 10 March, supplementation asked on 11 March and not supplied: waiting, col 12.
    d["waiting"] = receive(ctx, vn(2026, 3, 10, 9))
    svc.dossier_handover(actor=s.reception, dossier=d["waiting"], at=vn(2026, 3, 10, 10))
    svc.dossier_request_supplement(
        actor=s.specialist,
        dossier=d["waiting"],
        reason="Bổ sung",
        items=["CCCD"],
        at=vn(2026, 3, 11, 9),
    )
    # Received 2 March (due 5 March), apology and new appointment 13 March, finished 12 March:
    # judged against the original appointment (§3.4), so late: col 5, col 10.
    d["extended"] = receive(ctx, vn(2026, 3, 2, 9))
    svc.dossier_handover(actor=s.reception, dossier=d["extended"], at=vn(2026, 3, 2, 10))
    svc.dossier_extend(
        actor=s.agency_leader,
        dossier=d["extended"],
        new_due=vn(2026, 3, 13, 17),
        reason="Cần xác minh",
        at=vn(2026, 3, 4, 9),
    )
    svc.dossier_resolve(actor=s.clerk, dossier=d["extended"], at=vn(2026, 3, 12, 9))
    # Inter-agency: received by the commune on 3 March online, sent to the province's
    # justice department, back, finished on 6 March: counted once, for the commune (col 4,
    # col 9); the department's own report shows nothing.
    d["chain"] = receive(ctx, vn(2026, 3, 3, 9), online=True)
    svc.dossier_handover(actor=s.reception, dossier=d["chain"], at=vn(2026, 3, 3, 10))
    svc.dossier_transfer(
        actor=s.specialist,
        dossier=d["chain"],
        to_agency=ctx.tree.p1_units["tu-phap"],
        hours=8,
        reason="Xin ý kiến",
        at=vn(2026, 3, 3, 11),
    )
    svc.dossier_transfer_back(
        actor=ctx.partner_staff.specialist, dossier=d["chain"], at=vn(2026, 3, 4, 9)
    )
    svc.dossier_resolve(actor=s.clerk, dossier=d["chain"], at=vn(2026, 3, 6, 9))
    return d


def values(cells) -> dict[int, int]:
    return {number: cells.column(number) for number, _attr, _label in COLUMNS}


@pytest.mark.django_db
def test_march_by_hand(ctx):
    d = crafted(ctx)
    assert d["early"].original_due_at == vn(2026, 3, 6, 9)  # 3 working days (1.004873)
    table = form06(ctx.tree.p1, MARCH, today=TODAY)
    assert [g.level for g in table.groups] == ["commune"]
    [row] = table.groups[0].rows
    assert row.sector_code == "HOTICH"
    expected = {
        4: 2,  # early, chain
        5: 7,  # on_time, late, withdrawn, open_overdue, open_in_time, waiting, extended
        6: 1,  # carried_late
        3: 10,
        8: 1,  # early
        9: 3,  # on_time, withdrawn, chain
        10: 3,  # carried_late, late, extended
        7: 7,
        12: 2,  # open_in_time, waiting
        13: 1,  # open_overdue
        11: 3,
    }
    assert values(row.cells) == expected
    assert values(table.total) == expected
    assert rollup_differences() == []


@pytest.mark.django_db
def test_april_carries_over_what_march_left_open(ctx):
    """SPEC.md §7.1 col 6: received before the period and still in process at its start."""
    crafted(ctx)
    april = form06(ctx.tree.p1, period_of(PeriodKind.MONTH, 2026, 4), today=TODAY)
    cells = april.total
    assert (cells.carried_over, cells.received, cells.finished) == (3, 3, 0)
    # Still open at the end of April; waiting for supplementation counts within time (col 12).
    assert (cells.open_in_time, cells.open_overdue) == (1, 2)


@pytest.mark.django_db
def test_invariants_hold_for_every_period_and_level(ctx):
    """SPEC.md §7.1: col 3 = 4+5+6, col 7 = 8+9+10, col 11 = 12+13, col 3 = col 7 + col 11."""
    crafted(ctx)
    periods = [
        period_of(PeriodKind.MONTH, 2026, 2),
        MARCH,
        period_of(PeriodKind.QUARTER, 2026, 1),
        period_of(PeriodKind.QUARTER, 2026, 1, cutoff=True),
        period_of(PeriodKind.YEAR, 2026),
        date_range(dt.date(2026, 3, 4), dt.date(2026, 3, 10)),
    ]
    for agency in (ctx.tree.p1, ctx.tree.c1, ctx.desk):
        for period in periods:
            table = form06(agency, period, today=TODAY)
            for cells in [table.total, *(r.cells for g in table.groups for r in g.rows)]:
                c = values(cells)
                assert c[3] == c[4] + c[5] + c[6]
                assert c[7] == c[8] + c[9] + c[10]
                assert c[11] == c[12] + c[13]
                assert c[3] == c[7] + c[11]
                assert min(c.values()) >= 0


@pytest.mark.django_db
def test_the_partner_agency_does_not_count_the_chain(ctx):
    """An inter-agency dossier counts once, for the agency that received it (issue 6)."""
    crafted(ctx)
    partner = ctx.tree.p1_units["tu-phap"]
    assert form06(partner, MARCH, today=TODAY).total.received == 0
    other_commune = form06(ctx.tree.c2, MARCH, today=TODAY)
    assert other_commune.groups == []


@pytest.mark.django_db
def test_a_week_inside_march(ctx):
    """Any date range (SPEC.md §7.2), 4–10 March: received 4–10 March are the withdrawn,
    open_overdue and waiting dossiers; finished in the week: early (5), carried_late (5),
    on_time (6), chain (6), late (10)."""
    crafted(ctx)
    cells = form06(
        ctx.tree.c1, date_range(dt.date(2026, 3, 4), dt.date(2026, 3, 10)), today=TODAY
    ).total
    assert (cells.online, cells.counter) == (0, 3)
    # Open at the end of 3 March: carried_late, early, on_time, late, extended, chain.
    assert cells.carried_over == 6
    assert (cells.early, cells.on_time, cells.late) == (1, 2, 2)
    # Open at the end of 10 March: extended (due 5 March: overdue), withdrawn (due 9 March:
    # overdue), open_overdue (due 10 March: not yet past at the end of the 10th), waiting.
    assert (cells.open_overdue, cells.open_in_time) == (2, 2)


@pytest.mark.django_db
def test_a_running_period_is_taken_today_and_a_future_one_refused(ctx):
    crafted(ctx)
    table = form06(ctx.tree.p1, MARCH, today=dt.date(2026, 3, 15))
    assert table.as_of == dt.date(2026, 3, 15)
    with pytest.raises(ValidationFailed):
        form06(
            ctx.tree.p1,
            Period(dt.date(2026, 4, 1), dt.date(2026, 4, 30)),
            today=dt.date(2026, 3, 15),
        )
