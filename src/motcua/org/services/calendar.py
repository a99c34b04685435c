"""Build an agency's working calendar from the law, the holiday package and administrators'
overrides (SPEC.md §3.2–§3.3)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
from django.db.models import Q

from motcua.core.workcal import DEFAULT_HOURS, WorkCalendar, WorkingHours
from motcua.org.choices import CalendarDayKind
from motcua.org.models import Agency, CalendarOverride
from motcua.org.models import WorkingHours as WorkingHoursRow

# How far around the start a calendar is materialised: deadlines run for weeks or months, and a
# calendar-day appointment may land in the next year.
_YEARS_BEFORE = 1
_YEARS_AFTER = 2


@lru_cache(maxsize=64)
def statutory_days(year: int) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """(days off, make-up working days) of one year from the ``holidays`` package: lunar Tết,
    Giỗ Tổ and its observed day, 30/4, 1/5, 2/9 and its adjacent day, substituted days off,
    24/11 from 2026, and make-up working Saturdays."""
    calendar = holidays.Vietnam(years=year, language="vi")
    days_off = frozenset(calendar.keys())
    workdays = frozenset(d for d in calendar.weekend_workdays if d.year == year)
    return days_off, workdays


def holiday_names(year: int, language: str = "vi") -> dict[dt.date, str]:
    lang = "vi" if language.startswith("vi") else "en_US"
    return dict(holidays.Vietnam(years=year, language=lang).items())


def working_hours_for(agency: Agency | None) -> WorkingHours:
    if agency is None:
        return DEFAULT_HOURS
    rows = {
        row.agency.path: row
        for row in WorkingHoursRow.objects.filter(agency__code__in=agency.ancestor_codes())
        .select_related("agency")
        .only("agency__path", "am_start", "am_end", "pm_start", "pm_end")
    }
    if not rows:
        return DEFAULT_HOURS
    nearest = rows[max(rows, key=len)]
    return WorkingHours(nearest.am_start, nearest.am_end, nearest.pm_start, nearest.pm_end)


def calendar_for(agency: Agency | None, *, around: dt.date) -> WorkCalendar:
    """The working calendar that applies at ``agency`` for dates near ``around``."""
    first, last = around.year - _YEARS_BEFORE, around.year + _YEARS_AFTER
    days_off: set[dt.date] = set()
    workdays: set[dt.date] = set()
    for year in range(first, last + 1):
        off, work = statutory_days(year)
        days_off |= off
        workdays |= work

    scope = Q(agency__isnull=True)
    if agency is not None:
        scope |= Q(agency__code__in=agency.ancestor_codes())
    overrides = CalendarOverride.objects.filter(
        scope, date__gte=dt.date(first, 1, 1), date__lte=dt.date(last, 12, 31)
    ).values_list("date", "kind", "agency__depth")
    # Apply national overrides first, then from the province down: the most specific wins.
    for day, kind, _depth in sorted(overrides, key=lambda row: -1 if row[2] is None else row[2]):
        if CalendarDayKind(kind).is_working_day:
            workdays.add(day)
            days_off.discard(day)
        else:
            days_off.add(day)
            workdays.discard(day)

    return WorkCalendar(
        hours=working_hours_for(agency),
        days_off=frozenset(days_off),
        extra_workdays=frozenset(workdays),
    )
