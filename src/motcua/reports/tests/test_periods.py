"""Reporting periods (SPEC.md §7.2): calendar periods, and the government cut-off from the 15th
of the month before to the 14th (NĐ 09/2019, UNCONFIRMED: optional)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from motcua.core.errors import ValidationFailed
from motcua.reports.periods import (
    Period,
    PeriodKind,
    date_range,
    period_containing,
    period_of,
)

D = dt.date


@pytest.mark.parametrize(
    ("kind", "number", "start", "end"),
    [
        (PeriodKind.MONTH, 2, D(2028, 2, 1), D(2028, 2, 29)),  # a leap year
        (PeriodKind.MONTH, 12, D(2027, 12, 1), D(2027, 12, 31)),
        (PeriodKind.QUARTER, 1, D(2027, 1, 1), D(2027, 3, 31)),
        (PeriodKind.QUARTER, 4, D(2027, 10, 1), D(2027, 12, 31)),
        (PeriodKind.HALF_YEAR, 1, D(2027, 1, 1), D(2027, 6, 30)),
        (PeriodKind.NINE_MONTHS, 1, D(2027, 1, 1), D(2027, 9, 30)),
        (PeriodKind.YEAR, 1, D(2027, 1, 1), D(2027, 12, 31)),
    ],
)
def test_calendar_periods(kind, number, start, end):
    # SPEC.md §7.2: month, quarter, 6 months, 9 months, year; the 766 index uses these
    assert period_of(kind, start.year, number) == Period(start, end)


@pytest.mark.parametrize(
    ("kind", "number", "start", "end"),
    [
        # SPEC.md §7.2: quarter = 15th of the month before the quarter – 14th of its last month
        (PeriodKind.QUARTER, 1, D(2026, 12, 15), D(2027, 3, 14)),
        (PeriodKind.QUARTER, 2, D(2027, 3, 15), D(2027, 6, 14)),
        (PeriodKind.QUARTER, 3, D(2027, 6, 15), D(2027, 9, 14)),
        (PeriodKind.QUARTER, 4, D(2027, 9, 15), D(2027, 12, 14)),
        # 6 months 15/12 – 14/6; 9 months 15/12 – 14/9; the year 15/12 – 14/12
        (PeriodKind.HALF_YEAR, 1, D(2026, 12, 15), D(2027, 6, 14)),
        (PeriodKind.NINE_MONTHS, 1, D(2026, 12, 15), D(2027, 9, 14)),
        (PeriodKind.YEAR, 1, D(2026, 12, 15), D(2027, 12, 14)),
        # a month: the same rule (motcua's extrapolation, not in SPEC.md)
        (PeriodKind.MONTH, 1, D(2026, 12, 15), D(2027, 1, 14)),
        (PeriodKind.MONTH, 3, D(2027, 2, 15), D(2027, 3, 14)),
    ],
)
def test_government_cut_off_periods(kind, number, start, end):
    assert period_of(kind, 2027, number, cutoff=True) == Period(start, end)


def test_cut_off_periods_of_a_year_tile_it_without_gap_or_overlap():
    quarters = [period_of(PeriodKind.QUARTER, 2027, q, cutoff=True) for q in range(1, 5)]
    months = [period_of(PeriodKind.MONTH, 2027, m, cutoff=True) for m in range(1, 13)]
    year = period_of(PeriodKind.YEAR, 2027, cutoff=True)
    for parts in (quarters, months):
        assert parts[0].start == year.start and parts[-1].end == year.end
        for before, after in itertools.pairwise(parts):
            assert after.start == before.end + dt.timedelta(days=1)
    assert sum(q.days for q in quarters) == year.days == 365


@pytest.mark.parametrize(
    ("day", "cutoff", "expected"),
    [
        (D(2027, 3, 14), True, (D(2026, 12, 15), D(2027, 3, 14))),
        (D(2027, 3, 15), True, (D(2027, 3, 15), D(2027, 6, 14))),
        (D(2026, 12, 20), True, (D(2026, 12, 15), D(2027, 3, 14))),  # already next year's Q1
        (D(2026, 12, 20), False, (D(2026, 10, 1), D(2026, 12, 31))),
    ],
)
def test_the_quarter_a_day_falls_in(day, cutoff, expected):
    assert period_containing(PeriodKind.QUARTER, day, cutoff=cutoff) == Period(*expected)


def test_previous_period_has_the_same_length_and_ends_the_day_before():
    march = period_of(PeriodKind.MONTH, 2027, 3)
    assert march.previous() == Period(D(2027, 1, 29), D(2027, 2, 28))
    quarter = period_of(PeriodKind.QUARTER, 2027, 2, cutoff=True)
    assert quarter.previous().end == D(2027, 3, 14)


def test_bad_periods_are_refused_with_a_reason():
    with pytest.raises(ValidationFailed) as reversed_:
        date_range(D(2027, 3, 2), D(2027, 3, 1))
    assert reversed_.value.code == "period_reversed"
    with pytest.raises(ValidationFailed) as unknown:
        period_of(PeriodKind.QUARTER, 2027, 5)
    assert unknown.value.code == "period_unknown"
    with pytest.raises(ValidationFailed) as too_long:
        date_range(D(2020, 1, 1), D(2027, 1, 1))
    assert too_long.value.code == "period_too_long"
    assert date_range(D(2027, 3, 1), D(2027, 3, 1)).days == 1
