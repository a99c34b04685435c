"""Biểu 06/VPCP/KSTT on crafted dossiers driven through the real services, against a table
worked out by hand (SPEC.md §7.1 columns, §3.5 (a) early/on time/late by calendar date, §7.2
periods). The procedure is 1.004873 (3 working days): a dossier received on Tuesday 3 March 2026
at 09:00 is due on Friday 6 March.
"""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.core.errors import ValidationFailed
from motcua.dossiers.tests.factories import vn
from motcua.reports.form06 import form06
from motcua.reports.periods import Period, PeriodKind, date_range, period_of
from motcua.reports.services.rollups import rollup_differences
from motcua.reports.tables import COLUMNS
from motcua.reports.tests.crafted import MARCH, TODAY, crafted


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
