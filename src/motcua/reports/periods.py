"""Reporting periods (SPEC.md §7.2): month, quarter, 6 months, 9 months, year, or any range of
days; by calendar, or with the government reporting cut-off.

The cut-off (Nghị định 09/2019/NĐ-CP, UNCONFIRMED in SPEC.md) counts a period from the 15th of
the month before it to the 14th of its last month: quarter I from 15/12 of the year before to
14/3, 6 months 15/12–14/6, 9 months 15/12–14/9, the year 15/12–14/12. SPEC.md gives it for the
quarter, 6 and 9 months and the year; for a single month the same rule gives 15th–14th, which is
motcua's extrapolation. The 766 index always uses calendar periods. Days are local
(Asia/Ho_Chi_Minh) and both ends are included.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import ValidationFailed

CUTOFF_DAY = 15  # a cut-off period starts on the 15th of the month before and ends on the 14th


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    HALF_YEAR = "6-months", _("6 months")
    NINE_MONTHS = "9-months", _("9 months")
    YEAR = "year", _("Year")
    RANGE = "range", _("Date range")


# (first month, last month) of each period kind's numbered periods, by calendar
_MONTHS: dict[str, dict[int, tuple[int, int]]] = {
    PeriodKind.MONTH: {m: (m, m) for m in range(1, 13)},
    PeriodKind.QUARTER: {q: (3 * q - 2, 3 * q) for q in range(1, 5)},
    PeriodKind.HALF_YEAR: {1: (1, 6)},
    PeriodKind.NINE_MONTHS: {1: (1, 9)},
    PeriodKind.YEAR: {1: (1, 12)},
}


@dataclass(frozen=True)
class Period:
    """Days ``start`` to ``end``, both included."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValidationFailed(_("The period ends before it starts."), code="period_reversed")

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same length just before this one (for "this vs last")."""
        end = self.start - dt.timedelta(days=1)
        return Period(end - dt.timedelta(days=self.days - 1), end)


def _last_day(year: int, month: int) -> dt.date:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _month_before(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def period_of(kind: str, year: int, number: int = 1, *, cutoff: bool = False) -> Period:
    """Period ``number`` (month 1–12, quarter 1–4; 1 for the others) of ``kind`` in ``year``,
    by calendar or, with ``cutoff``, from the 15th of the month before to the 14th."""
    numbered = _MONTHS.get(kind)
    if numbered is None or number not in numbered:
        raise ValidationFailed(
            _("There is no such period: %(kind)s %(number)s.") % {"kind": kind, "number": number},
            code="period_unknown",
        )
    if not 2000 <= year <= 2100:
        raise ValidationFailed(_("The year must be between 2000 and 2100."), code="period_year")
    first, last = numbered[number]
    if not cutoff:
        return Period(dt.date(year, first, 1), _last_day(year, last))
    before_year, before_month = _month_before(year, first)
    return Period(
        dt.date(before_year, before_month, CUTOFF_DAY), dt.date(year, last, CUTOFF_DAY - 1)
    )


def period_containing(kind: str, day: dt.date, *, cutoff: bool = False) -> Period:
    """The period of ``kind`` that ``day`` falls in (with ``cutoff``, the 15th of December
    already belongs to the next year's periods)."""
    year = day.year
    if cutoff and (day.month, day.day) >= (12, CUTOFF_DAY):
        year += 1
    for number in sorted(_MONTHS.get(kind, {})):
        found = period_of(kind, year, number, cutoff=cutoff)
        if day in found:
            return found
    raise ValidationFailed(
        _("%(day)s is in no %(kind)s period of %(year)s.")
        % {"day": day.strftime("%d/%m/%Y"), "kind": kind, "year": year},
        code="period_unknown",
    )


def date_range(start: dt.date, end: dt.date, *, longest_days: int = 3 * 366) -> Period:
    """Any range of days (both included), at most ``longest_days`` long."""
    found = Period(start, end)
    if found.days > longest_days:
        raise ValidationFailed(
            _("A report covers at most %(days)s days.") % {"days": longest_days},
            code="period_too_long",
        )
    return found
