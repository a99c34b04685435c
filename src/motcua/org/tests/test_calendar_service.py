"""Administrators' calendar overrides and working hours per scope (SPEC.md §3.2–§3.3)."""

import datetime as dt

import pytest

from motcua.core.workcal import VIETNAM, TimeUnit
from motcua.org.choices import CalendarDayKind
from motcua.org.models import CalendarOverride, WorkingHours
from motcua.org.services.calendar import calendar_for, holiday_names

pytestmark = pytest.mark.django_db


def test_national_calendar_without_overrides_follows_the_law(tree):
    cal = calendar_for(None, around=dt.date(2026, 11, 1))
    assert not cal.is_working_day(dt.date(2026, 11, 24))
    assert cal.hours.day_length == dt.timedelta(hours=8)


def test_national_override_can_revert_a_holiday(tree):
    # If the amendment making 24/11 a day off were not adopted, an administrator records it as a
    # working day nationally and every agency follows.
    CalendarOverride.objects.create(date=dt.date(2026, 11, 24), kind=CalendarDayKind.WORKDAY)
    assert calendar_for(tree.c1, around=dt.date(2026, 11, 1)).is_working_day(dt.date(2026, 11, 24))


def test_province_override_applies_to_its_subtree_only(tree):
    # A province gives a local day off (e.g. a provincial anniversary) on Thursday 19/11/2026.
    day = dt.date(2026, 11, 19)
    CalendarOverride.objects.create(date=day, kind=CalendarDayKind.DAY_OFF, agency=tree.p1)
    assert not calendar_for(tree.p1, around=day).is_working_day(day)
    assert not calendar_for(tree.c1_units["pvhcc"], around=day).is_working_day(day)
    assert calendar_for(tree.c3, around=day).is_working_day(day)
    assert calendar_for(None, around=day).is_working_day(day)


def test_the_most_specific_override_wins(tree):
    # The province swaps Saturday 28/11 into a working day, but one commune does not.
    day = dt.date(2026, 11, 28)
    CalendarOverride.objects.create(date=day, kind=CalendarDayKind.WORKDAY, agency=tree.p1)
    CalendarOverride.objects.create(date=day, kind=CalendarDayKind.DAY_OFF, agency=tree.c2)
    assert calendar_for(tree.c1, around=day).is_working_day(day)
    assert not calendar_for(tree.c2, around=day).is_working_day(day)
    assert not calendar_for(tree.c2_units["pvhcc"], around=day).is_working_day(day)


def test_working_hours_are_inherited_from_the_nearest_ancestor(tree):
    WorkingHours.objects.create(
        agency=tree.p1,
        am_start=dt.time(7),
        am_end=dt.time(11, 30),
        pm_start=dt.time(13, 30),
        pm_end=dt.time(17),
    )
    WorkingHours.objects.create(
        agency=tree.c1,
        am_start=dt.time(8),
        am_end=dt.time(12),
        pm_start=dt.time(13, 0),
        pm_end=dt.time(17),
    )
    assert calendar_for(tree.c2, around=dt.date(2026, 1, 1)).hours.am_start == dt.time(7)
    assert calendar_for(
        tree.c1_units["pvhcc"], around=dt.date(2026, 1, 1)
    ).hours.am_start == dt.time(8)
    assert calendar_for(tree.c3, around=dt.date(2026, 1, 1)).hours.am_start == dt.time(7, 30)


def test_due_uses_the_agency_calendar(tree):
    CalendarOverride.objects.create(
        date=dt.date(2026, 11, 23), kind=CalendarDayKind.DAY_OFF, agency=tree.p1
    )
    start = dt.datetime(2026, 11, 20, 16, 0, tzinfo=VIETNAM)
    # Friday after 15:00 → normally Monday 23/11; that day is off in the province and 24/11 is a
    # national holiday, so the next working day is Wednesday 25/11.
    due = calendar_for(tree.c1, around=start.date()).due(start, 1, TimeUnit.SAME_DAY)
    assert due == dt.datetime(2026, 11, 25, 17, 0, tzinfo=VIETNAM)


def test_holiday_names_in_both_languages():
    assert holiday_names(2026)[dt.date(2026, 11, 24)] == "Ngày Văn hóa Việt Nam"
    assert "Vietnam" in holiday_names(2026, "en")[dt.date(2026, 11, 24)]
