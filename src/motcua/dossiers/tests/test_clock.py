"""The legal clock on concrete dates and as properties (SPEC.md §3.2–§3.5).

The calendar is the real one: ``holidays`` (Bộ luật Lao động 2019 Art. 112, lunar Tết, swaps)
through ``org.services.calendar.statutory_days``, default hours 07:30–11:30 and 13:00–17:00.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.core.workcal import TimeUnit, WorkCalendar
from motcua.dossiers import clock
from motcua.dossiers.tests.factories import VN, vn
from motcua.org.services.calendar import statutory_days


def _calendar() -> WorkCalendar:
    off: set[dt.date] = set()
    work: set[dt.date] = set()
    for year in range(2024, 2029):
        days_off, workdays = statutory_days(year)
        off |= days_off
        work |= workdays
    return WorkCalendar(days_off=frozenset(off), extra_workdays=frozenset(work))


CAL = _calendar()


# -- concrete cases --------------------------------------------------------------------------


def test_three_working_days_received_friday_afternoon():
    # SPEC.md §3.4: N working days are walked through working intervals from the reception
    # time, so the appointment keeps the hour: Fri 06/03/2026 15:30 → Wed 11/03/2026 15:30.
    received = clock.reception_time(CAL, vn(2026, 3, 6, 15, 30))
    assert clock.appointment(CAL, received, 3, TimeUnit.WORKING_DAYS) == vn(2026, 3, 11, 15, 30)


def test_online_submission_at_night_is_received_next_working_start():
    # SPEC.md §1.3: outside working hours → the next working start (Sat → Mon 07:30).
    assert clock.reception_time(CAL, vn(2026, 3, 7, 21, 0)) == vn(2026, 3, 9, 7, 30)
    # during lunch → the afternoon start (SPEC.md §3.2 normalisation)
    assert clock.reception_time(CAL, vn(2026, 3, 9, 12, 10)) == vn(2026, 3, 9, 13, 0)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # SPEC.md §0 "15:00 rule": received by 15:00 → end of the same working day
        (vn(2026, 3, 10, 14, 50), vn(2026, 3, 10, 17, 0)),
        (vn(2026, 3, 10, 15, 0), vn(2026, 3, 10, 17, 0)),
        # after 15:00 → end of the next working day
        (vn(2026, 3, 10, 15, 10), vn(2026, 3, 11, 17, 0)),
        # Friday after 15:00 → Monday
        (vn(2026, 3, 13, 15, 45), vn(2026, 3, 16, 17, 0)),
    ],
)
def test_same_day_rule(received, due):
    assert clock.appointment(CAL, received, 1, TimeUnit.SAME_DAY) == due


def test_across_tet_2027():
    # Tết Đinh Mùi 2027 (holidays package, BLLĐ 2019 Art. 112): days off Thu 04/02 – Wed 10/02.
    # Received Wed 03/02/2027 10:00, 3 working days = 24 h: 5.5 h on 03/02, 8 h on Thu 11/02,
    # 8 h on Fri 12/02, 2.5 h on Mon 15/02 → 15/02/2027 10:00.
    received = vn(2027, 2, 3, 10, 0)
    assert clock.appointment(CAL, received, 3, TimeUnit.WORKING_DAYS) == vn(2027, 2, 15, 10, 0)


def test_calendar_days_never_end_on_a_day_off():
    # SPEC.md §3.4: "ngày" units → start + N days, moved to the next working day.
    received = vn(2026, 4, 24, 9, 0)  # Fri; +7 days = Fri 01/05 (Labour Day) → Mon 04/05
    assert clock.appointment(CAL, received, 7, TimeUnit.CALENDAR_DAYS) == vn(2026, 5, 4, 9, 0)


def test_on_the_spot_has_no_appointment():
    # SPEC.md §3.1: "giải quyết ngay" has no appointment; §3.5 (a) counts it on time.
    assert clock.appointment(CAL, vn(2026, 3, 9, 9), 0, TimeUnit.ON_THE_SPOT) is None
    assert clock.classify_by_day(vn(2026, 3, 9, 10), None, CAL) == clock.ON_TIME


def test_supplementation_pause_over_a_weekend():
    # SPEC.md §3.4: the clock stops from the request until the citizen supplies; the
    # appointment moves by exactly the paused working time.
    due = vn(2026, 3, 5, 9, 0)  # Thu, 3 working days after Mon 02/03 09:00
    requested, supplied = vn(2026, 3, 4, 16, 0), vn(2026, 3, 9, 8, 30)  # Wed → next Mon
    new_due, pause = clock.resume(CAL, due, requested, supplied)
    # Wed 16–17 (1 h) + Thu (8 h) + Fri (8 h) + Mon 07:30–08:30 (1 h); Sat and Sun do not count
    assert pause == dt.timedelta(hours=18)
    # 2.5 working hours were left at the request (Wed 16–17, Thu 07:30–09:00): Mon 08:30 + 2.5 h
    assert new_due == vn(2026, 3, 9, 11, 0)


def test_step_due_times_sum_to_the_total():
    # SPEC.md §3.6: step budgets (4 + 14 + 4 + 2 h) sum to the statutory 3 working days; steps
    # handed over at their due times end exactly at the dossier's appointment.
    received = vn(2026, 3, 6, 15, 30)
    t = received
    for hours in (4, 14, 4, 2):
        t = clock.step_due(CAL, t, hours)
    assert t == clock.appointment(CAL, received, 3, TimeUnit.WORKING_DAYS)


@pytest.mark.parametrize(
    ("finished", "expected"),
    [
        (vn(2026, 3, 10, 16, 0), "early"),  # the day before the appointment
        (vn(2026, 3, 11, 16, 59), "on_time"),  # same date, even after the appointment hour
        (vn(2026, 3, 12, 8, 0), "late"),
    ],
)
def test_report_06_convention_compares_dates(finished, expected):
    # SPEC.md §3.5 (a), §7.1 cols 8–10: completion date vs appointment date.
    assert clock.classify_by_day(finished, vn(2026, 3, 11, 15, 30), CAL) == expected


def test_766_convention_compares_instants_and_counts_repeat_supplementation_late():
    # SPEC.md §3.5 (b): on time iff completion time ≤ appointment time; >1 supplementation
    # request = late; no "early" class.
    due = vn(2026, 3, 11, 15, 30)
    assert clock.classify_766(vn(2026, 3, 10, 9, 0), due, 0) == "on_time"
    assert clock.classify_766(vn(2026, 3, 11, 15, 31), due, 0) == "late"
    assert clock.classify_766(vn(2026, 3, 10, 9, 0), due, 1) == "on_time"
    assert clock.classify_766(vn(2026, 3, 10, 9, 0), due, 2) == "late"


def test_half_day_convention():
    # SPEC.md §3.5 (c) (OpenCPS): early before the start of the half-day holding the due time.
    due = vn(2026, 3, 11, 15, 30)  # afternoon session starts 13:00
    assert clock.classify_by_half_day(vn(2026, 3, 11, 12, 0), due, CAL) == "early"
    assert clock.classify_by_half_day(vn(2026, 3, 11, 13, 5), due, CAL) == "on_time"
    assert clock.classify_by_half_day(vn(2026, 3, 11, 15, 31), due, CAL) == "late"


# -- properties ------------------------------------------------------------------------------

_instants = st.datetimes(
    min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2027, 12, 31)
).map(lambda wall: wall.replace(second=0, microsecond=0, tzinfo=VN))
_hours = st.integers(min_value=1, max_value=400).map(lambda q: Decimal(q) / 2)  # 0.5 … 200 h
_units = st.sampled_from(
    [TimeUnit.WORKING_HOURS, TimeUnit.WORKING_DAYS, TimeUnit.CALENDAR_DAYS, TimeUnit.SAME_DAY]
)


def _within_working_hours(moment: dt.datetime) -> bool:
    local = moment.astimezone(VN)
    if not CAL.is_working_day(local.date()):
        return False
    return any(start <= local.time() <= end for start, end in CAL.hours.intervals)


@settings(max_examples=300, deadline=None)
@given(start=_instants, amount=st.integers(min_value=1, max_value=30), unit=_units)
def test_due_is_never_on_a_day_off_nor_outside_working_hours(start, amount, unit):
    # SPEC.md §3.4: "do not make the appointment on a non-working day".
    received = clock.reception_time(CAL, start)
    due = clock.appointment(CAL, received, amount, unit)
    assert _within_working_hours(due)
    assert due >= received


@settings(max_examples=300, deadline=None)
@given(due_start=_instants, amount=_hours, paused_from=_instants, pause=_hours)
def test_a_pause_moves_the_due_time_by_exactly_the_paused_working_time(
    due_start, amount, paused_from, pause
):
    # SPEC.md §3.4 supplementation pause / the 766 formula subtracts the same interval.
    due = CAL.add_working_hours(clock.reception_time(CAL, due_start), amount)
    resumed = CAL.add_working_hours(clock.reception_time(CAL, paused_from), pause)
    new_due, paused = clock.resume(CAL, due, paused_from, resumed)
    assert paused == CAL.working_time_between(paused_from, resumed)
    assert CAL.working_time_between(due, new_due) == paused
    assert new_due >= due


@settings(max_examples=300, deadline=None)
@given(start=_instants, a=_hours, b=_hours)
def test_adding_time_never_moves_the_due_time_earlier(start, a, b):
    received = clock.reception_time(CAL, start)
    assert CAL.add_working_hours(received, a) <= CAL.add_working_hours(received, a + b)
    days_a, days_b = int(a) // 8 + 1, int(b) // 8 + 1
    for unit in (TimeUnit.WORKING_DAYS, TimeUnit.CALENDAR_DAYS):
        assert clock.appointment(CAL, received, days_a, unit) <= clock.appointment(
            CAL, received, days_a + days_b, unit
        )
