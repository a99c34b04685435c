"""The legal clock of a dossier, as pure functions (SPEC.md §3.4–§3.6).

Data in, data out: a ``WorkCalendar`` (built for the receiving agency by
``org.services.calendar.calendar_for``), instants in any time zone, amounts of time. The
services store the results; reports recompute classifications from stored timestamps.

Rules implemented (each tested on concrete dates in ``tests/test_clock.py``):
- reception outside working time counts from the next working start (SPEC.md §1.3, §3.2);
- the appointment is computed from the reception time by the variant's time rule (§3.4);
  procedures resolved on the spot have no appointment (``None``; counted on time, §3.5 (a));
- each internal step gets its own due time from its hour budget, walked from the moment the
  step starts (§3.6);
- a supplementation request pauses the clock; when the citizen supplies, the appointment moves
  forward by exactly the working time that elapsed in between (§3.4 "supplementation pause";
  the 766 formula subtracts the same interval);
- an extension replaces the appointment used by the clock; the original stays for statistics;
- completion is classified early / on time / late under three conventions (§3.5): (a) Report 06
  by calendar date, (b) the 766 index by instant, with more than one supplementation request
  counting as late, (c) OpenCPS by working half-day (used for internal steps).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum

from motcua.core.workcal import TimeUnit, WorkCalendar

__all__ = [
    "Convention",
    "appointment",
    "classify",
    "classify_766",
    "classify_by_day",
    "classify_by_half_day",
    "is_overdue",
    "reception_time",
    "resume",
    "step_due",
]


class Convention(StrEnum):
    REPORT_06 = "report06"  # (a) day granularity
    INDEX_766 = "index766"  # (b) time granularity, >1 supplementation = late
    HALF_DAY = "half_day"  # (c) OpenCPS working half-day


EARLY, ON_TIME, LATE = "early", "on_time", "late"


def reception_time(calendar: WorkCalendar, moment: dt.datetime) -> dt.datetime:
    """When the legal clock starts for a dossier presented or submitted at ``moment``."""
    return calendar.normalise(moment)


def appointment(
    calendar: WorkCalendar,
    received_at: dt.datetime,
    amount: Decimal | int | float,
    unit: TimeUnit | str,
) -> dt.datetime | None:
    """The appointment for the result (ngày hẹn trả), or ``None`` for "resolved on the spot"."""
    unit = TimeUnit(unit)
    if unit is TimeUnit.ON_THE_SPOT:
        return None
    return calendar.due(received_at, amount, unit)


def step_due(
    calendar: WorkCalendar, started_at: dt.datetime, hours: Decimal | int | float
) -> dt.datetime:
    """Due time of an internal step with a budget of ``hours`` working hours."""
    return calendar.add_working_hours(started_at, hours)


def paused_time(
    calendar: WorkCalendar, paused_at: dt.datetime, resumed_at: dt.datetime
) -> dt.timedelta:
    return calendar.working_time_between(paused_at, resumed_at)


def resume(
    calendar: WorkCalendar, due: dt.datetime, paused_at: dt.datetime, resumed_at: dt.datetime
) -> tuple[dt.datetime, dt.timedelta]:
    """(new due, paused working time) when a paused clock resumes at ``resumed_at``."""
    pause = paused_time(calendar, paused_at, resumed_at)
    return calendar.add_working_time(due, pause), pause


def is_overdue(due: dt.datetime | None, now: dt.datetime) -> bool:
    return due is not None and now > due


def classify_by_day(finished: dt.datetime, due: dt.datetime | None, calendar: WorkCalendar) -> str:
    """Convention (a), Report 06: compare local calendar dates; no appointment = on time."""
    if due is None:
        return ON_TIME
    finished_day = finished.astimezone(calendar.tz).date()
    due_day = due.astimezone(calendar.tz).date()
    if finished_day < due_day:
        return EARLY
    if finished_day == due_day:
        return ON_TIME
    return LATE


def classify_766(finished: dt.datetime, due: dt.datetime | None, supplement_requests: int) -> str:
    """Convention (b), the 766 index: on time iff finished by the appointment instant and at
    most one supplementation request was made; there is no "early" class."""
    if supplement_requests > 1:
        return LATE
    if due is None or finished <= due:
        return ON_TIME
    return LATE


def classify_by_half_day(
    finished: dt.datetime, due: dt.datetime | None, calendar: WorkCalendar
) -> str:
    """Convention (c), OpenCPS: early if finished before the start of the working half-day in
    which the due time falls; on time up to the due time; late after it."""
    if due is None:
        return ON_TIME
    if finished > due:
        return LATE
    local_due = due.astimezone(calendar.tz)
    half_day_start = None
    for start, end in calendar.hours.intervals:
        if start <= local_due.time() <= end:
            half_day_start = dt.datetime.combine(local_due.date(), start, tzinfo=calendar.tz)
            break
    if half_day_start is None:  # a due time outside working hours: compare with the day
        half_day_start = dt.datetime.combine(local_due.date(), dt.time.min, tzinfo=calendar.tz)
    return EARLY if finished < half_day_start else ON_TIME


def classify(
    convention: Convention | str,
    *,
    finished: dt.datetime,
    due: dt.datetime | None,
    calendar: WorkCalendar,
    supplement_requests: int = 0,
) -> str:
    convention = Convention(convention)
    if convention is Convention.REPORT_06:
        return classify_by_day(finished, due, calendar)
    if convention is Convention.INDEX_766:
        return classify_766(finished, due, supplement_requests)
    return classify_by_half_day(finished, due, calendar)
