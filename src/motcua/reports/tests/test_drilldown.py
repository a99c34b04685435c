"""The dossiers behind each number of Biểu 06 (issue 6), on the crafted dossiers of
``test_form06``: for every column 3–13 (SPEC.md §7.1), for the table's total, a level's total and
a sector's row, the list has exactly as many dossiers as the cell, and the right ones."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.reports.drilldown import (
    COLUMN_NUMBERS,
    cell_dossiers,
    cell_ids,
    cell_page,
    dossiers_listed,
)
from motcua.reports.form06 import form06
from motcua.reports.periods import date_range, period_of
from motcua.reports.tests import crafted as by_hand

# The dossiers worked out by hand in test_form06, and their fixture.
crafted, MARCH, TODAY = by_hand.crafted, by_hand.MARCH, by_hand.TODAY

WEEK = date_range(dt.date(2026, 3, 4), dt.date(2026, 3, 10))


def cells_of(table):
    """(level, sector id, cells) for the total, each level's total and each row."""
    yield None, None, table.total
    for group in table.groups:
        yield group.level, None, group.total
        for row in group.rows:
            yield group.level, row.sector_id, row.cells


def codes(queryset) -> set[str]:
    return {d.code for d in queryset}


@pytest.mark.django_db
@pytest.mark.parametrize("period", [MARCH, WEEK], ids=["march", "week-4-10-march"])
def test_every_cell_lists_as_many_dossiers_as_it_counts(ctx, period):
    crafted(ctx)
    for agency in (ctx.tree.p1, ctx.tree.c1, ctx.desk):
        table = form06(agency, period, today=TODAY)
        assert table.total.received > 0
        checked = 0
        for level, sector_id, cells in cells_of(table):
            for column in COLUMN_NUMBERS:
                listed = cell_dossiers(
                    agency, period, column=column, level=level, sector_id=sector_id, today=TODAY
                )
                assert listed.count() == cells.column(column), (agency, level, sector_id, column)
                # the number the list's page announces, and its ids
                assert table.cell(column, level, sector_id) == cells.column(column)
                ids = cell_ids(
                    agency, period, column=column, level=level, sector_id=sector_id, today=TODAY
                )
                assert set(ids) == {x.pk for x in listed}
                checked += 1
        assert checked == 3 * len(COLUMN_NUMBERS)  # the total, the commune level, Hộ tịch
        # a sector over every level; a sector or a level with no row counts nothing
        [(level, sector_id, cells)] = [c for c in cells_of(table) if c[1] is not None]
        assert table.cell(3, None, sector_id) == cells.column(3)
        assert table.cell(3, None, -1) == 0 and table.cell(3, "province", None) == 0


@pytest.mark.django_db
def test_the_dossiers_behind_march(ctx):
    d = crafted(ctx)
    agency = ctx.tree.c1

    def cell(column: int) -> set[str]:
        return codes(cell_dossiers(agency, MARCH, column=column, today=TODAY))

    def named(*names: str) -> set[str]:
        return {d[name].code for name in names}

    # SPEC.md §7.1, the comments of test_form06.crafted
    assert cell(4) == named("early", "chain")
    assert cell(5) == named(
        "on_time", "late", "withdrawn", "open_overdue", "open_in_time", "waiting", "extended"
    )
    assert cell(6) == named("carried_late")
    assert cell(3) == cell(4) | cell(5) | cell(6)
    assert cell(8) == named("early")
    assert cell(9) == named("on_time", "withdrawn", "chain")  # col 9 "incl. withdrawn"
    assert cell(10) == named("carried_late", "late", "extended")  # against the original
    assert cell(7) == cell(8) | cell(9) | cell(10)
    assert cell(13) == named("open_overdue")
    assert cell(12) == named("open_in_time", "waiting")  # waiting counts within time
    assert cell(11) == cell(12) | cell(13)
    everything = set().union(*(cell(column) for column in COLUMN_NUMBERS))
    assert d["refused"].code not in everything and d["february"].code not in everything


@pytest.mark.django_db
def test_the_dossiers_behind_a_week(ctx):
    d = crafted(ctx)
    agency = ctx.tree.c1

    def cell(column: int) -> set[str]:
        return codes(cell_dossiers(agency, WEEK, column=column, today=TODAY))

    def named(*names: str) -> set[str]:
        return {d[name].code for name in names}

    assert cell(5) == named("withdrawn", "open_overdue", "waiting")
    assert cell(6) == named("carried_late", "early", "on_time", "late", "extended", "chain")
    # open at the end of 10 March and past their appointment's date
    assert cell(13) == named("extended", "withdrawn")
    # open_overdue is due on the 10th: not yet past at the end of that day (ADR 0004 §3)
    assert cell(12) == named("open_overdue", "waiting")


@pytest.mark.django_db
def test_a_row_and_a_level_narrow_the_list(ctx):
    d = crafted(ctx)
    [group] = form06(ctx.tree.p1, MARCH, today=TODAY).groups
    [row] = group.rows
    listed = cell_dossiers(
        ctx.tree.p1, MARCH, column=13, level="commune", sector_id=row.sector_id, today=TODAY
    )
    assert [x.code for x in listed] == [d["open_overdue"].code]
    assert not cell_dossiers(ctx.tree.p1, MARCH, column=3, level="province", today=TODAY).exists()
    other_sector = cell_dossiers(ctx.tree.p1, MARCH, column=3, sector_id=-1, today=TODAY)
    assert not other_sector.exists()


@pytest.mark.django_db
def test_the_list_is_in_reception_order_with_the_reports_finish(ctx):
    d = crafted(ctx)
    listed = list(cell_dossiers(ctx.tree.c1, MARCH, column=7, today=TODAY))
    received = [(x.report_received_day, x.pk) for x in listed]
    assert received == sorted(received, reverse=True)  # the latest reception first
    # a page: the ids in the same order, then their dossiers
    ids = cell_ids(ctx.tree.c1, MARCH, column=7, today=TODAY)
    assert list(ids) == [x.pk for x in listed]
    assert [x.pk for x in dossiers_listed(ids[1:3])] == [x.pk for x in listed[1:3]]
    # the back office's page: the table's number as its count, two to a page here
    page = cell_page(ctx.tree.c1, MARCH, column=7, today=TODAY, number=2, size=2)
    assert page.paginator.count == form06(ctx.tree.c1, MARCH, today=TODAY).total.finished
    assert [x.pk for x in page.object_list] == [x.pk for x in listed[2:4]]
    withdrawn = next(x for x in listed if x.code == d["withdrawn"].code)
    # a confirmed withdrawal is finished, on time, on the day it was confirmed (ADR 0004 §1)
    assert (withdrawn.report_finished_day, withdrawn.report_class06) == (
        dt.date(2026, 3, 20),
        "on_time",
    )


@pytest.mark.django_db
def test_the_partner_agency_and_another_commune_see_none_of_the_chain(ctx):
    """An inter-agency dossier is listed where it was received, as it is counted (ADR 0004)."""
    d = crafted(ctx)
    for agency in (ctx.tree.p1_units["tu-phap"], ctx.tree.c2):
        for column in COLUMN_NUMBERS:
            assert not cell_dossiers(agency, MARCH, column=column, today=TODAY).exists()
    assert d["chain"].code in codes(cell_dossiers(ctx.tree.c1, MARCH, column=4, today=TODAY))


@pytest.mark.django_db
def test_a_running_period_lists_what_it_counts_today(ctx):
    crafted(ctx)
    today = dt.date(2026, 3, 15)
    table = form06(ctx.tree.c1, MARCH, today=today)
    for column in COLUMN_NUMBERS:
        listed = cell_dossiers(ctx.tree.c1, MARCH, column=column, today=today)
        assert listed.count() == table.total.column(column), column
    april = period_of("month", 2026, 4)
    table = form06(ctx.tree.c1, april, today=TODAY)
    assert cell_dossiers(ctx.tree.c1, april, column=6, today=TODAY).count() == 3
    assert table.total.carried_over == 3


def test_only_the_numbered_columns_have_lists():
    with pytest.raises(ValueError):
        cell_dossiers(None, MARCH, column=2)  # type: ignore[arg-type]
