"""The working-day calendar and deadline arithmetic, as pure functions (SPEC.md §3).

Nothing here touches the database: ``motcua.org.services.calendar`` builds a ``WorkCalendar``
from the holiday package, the administrators' overrides and the agency's working hours, and
hands it to these functions. Data in, data out — so every rule can be tested on concrete dates.

Conventions (SPEC.md §3.2–§3.4):
- a working day has the agency's working intervals (default 07:30–11:30 and 13:00–17:00, i.e.
  8 working hours); "N working days" is N × the length of a working day, walked through the
  working intervals from the (normalised) reception time, so the appointment keeps the
  reception hour;
- a reception time outside working time moves to the start of the next working interval
  (before opening → opening, lunch → afternoon start, after closing or on a day off → the next
  working day's opening);
- "same day" procedures: received by 15:00 on a working day → end of that day; received after
  15:00 (or outside a working day) → end of the next working day (SPEC.md §0 "15:00 rule");
- calendar days: start + N days; if that day is not a working day, the next working day, same
  hour (the appointment is never on a day off).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

__all__ = [
    "DEFAULT_HOURS",
    "TimeUnit",
    "WorkCalendar",
    "WorkingHours",
]

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
_MAX_DAYS_SCANNED = 3700  # ten years: a calendar without working days is a configuration error


class TimeUnit(StrEnum):
    WORKING_HOURS = "working_hours"  # Giờ làm việc
    WORKING_DAYS = "working_days"  # Ngày làm việc
    CALENDAR_DAYS = "calendar_days"  # Ngày (ngày lịch)
    SAME_DAY = "same_day"  # Trong ngày; sau 15 giờ trả trong ngày làm việc tiếp theo
    ON_THE_SPOT = "on_the_spot"  # Giải quyết ngay (không có ngày hẹn)


@dataclass(frozen=True)
class WorkingHours:
    """One working day's intervals: a morning and an afternoon session."""

    am_start: dt.time = dt.time(7, 30)
    am_end: dt.time = dt.time(11, 30)
    pm_start: dt.time = dt.time(13, 0)
    pm_end: dt.time = dt.time(17, 0)

    def __post_init__(self) -> None:
        if not (self.am_start < self.am_end <= self.pm_start < self.pm_end):
            raise ValueError(
                "working hours must be ordered: morning start < morning end <= "
                "afternoon start < afternoon end"
            )

    @property
    def intervals(self) -> tuple[tuple[dt.time, dt.time], tuple[dt.time, dt.time]]:
        return ((self.am_start, self.am_end), (self.pm_start, self.pm_end))

    @property
    def day_length(self) -> dt.timedelta:
        day = dt.date(2000, 1, 3)
        return sum(
            (
                dt.datetime.combine(day, end) - dt.datetime.combine(day, start)
                for start, end in self.intervals
            ),
            dt.timedelta(),
        )


DEFAULT_HOURS = WorkingHours()


def _as_timedelta(hours: Decimal | float | int) -> dt.timedelta:
    value = Decimal(str(hours))
    if value < 0:
        raise ValueError("an amount of time cannot be negative")
    return dt.timedelta(seconds=int((value * 3600).to_integral_value()))


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are working days, and the working intervals of each.

    ``days_off`` are weekdays on which nobody works (public holidays, compensatory days off,
    swapped days off). ``extra_workdays`` are weekend days that are working days (make-up
    Saturdays, "làm bù"). A date in both is a working day: an explicit working-day override wins.
    """

    hours: WorkingHours = DEFAULT_HOURS
    days_off: frozenset[dt.date] = field(default_factory=frozenset)
    extra_workdays: frozenset[dt.date] = field(default_factory=frozenset)
    weekend: frozenset[int] = frozenset({5, 6})  # Saturday, Sunday
    same_day_cutoff: dt.time = dt.time(15, 0)
    tz: ZoneInfo = VIETNAM

    # -- days ------------------------------------------------------------------------------
    def is_working_day(self, day: dt.date) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.days_off:
            return False
        return day.weekday() not in self.weekend

    def next_working_day(self, day: dt.date, *, include_today: bool = False) -> dt.date:
        candidate = day if include_today else day + dt.timedelta(days=1)
        for _ in range(_MAX_DAYS_SCANNED):
            if self.is_working_day(candidate):
                return candidate
            candidate += dt.timedelta(days=1)
        raise ValueError("the calendar has no working day in ten years")

    def working_days_between(self, start: dt.date, end: dt.date) -> Iterable[dt.date]:
        day = start
        while day <= end:
            if self.is_working_day(day):
                yield day
            day += dt.timedelta(days=1)

    # -- instants --------------------------------------------------------------------------
    def _local(self, moment: dt.datetime) -> dt.datetime:
        if moment.tzinfo is None:
            raise ValueError("datetimes must carry a time zone")
        return moment.astimezone(self.tz).replace(tzinfo=None)

    def _aware(self, wall: dt.datetime) -> dt.datetime:
        return wall.replace(tzinfo=self.tz)

    def _normalise_wall(self, wall: dt.datetime) -> dt.datetime:
        day = wall.date()
        for _ in range(_MAX_DAYS_SCANNED):
            if self.is_working_day(day):
                for start, end in self.hours.intervals:
                    if wall.time() < end:
                        return max(wall, dt.datetime.combine(day, start))
            day += dt.timedelta(days=1)
            wall = dt.datetime.combine(day, dt.time.min)
        raise ValueError("the calendar has no working day in ten years")

    def normalise(self, moment: dt.datetime) -> dt.datetime:
        """The first working instant at or after ``moment`` (reception-time normalisation)."""
        return self._aware(self._normalise_wall(self._local(moment)))

    def is_working_time(self, moment: dt.datetime) -> bool:
        wall = self._local(moment)
        if not self.is_working_day(wall.date()):
            return False
        return any(start <= wall.time() < end for start, end in self.hours.intervals)

    def is_appointment_time(self, moment: dt.datetime) -> bool:
        """Working time, or the very end of a working session (an appointment at 17:00)."""
        return self.is_working_time(moment) or self._at_interval_end(self._local(moment))

    def end_of_working_day(self, day: dt.date) -> dt.datetime:
        return self._aware(dt.datetime.combine(day, self.hours.pm_end))

    def _at_interval_end(self, wall: dt.datetime) -> bool:
        return self.is_working_day(wall.date()) and any(
            wall.time() == end for _start, end in self.hours.intervals
        )

    def _interval_end(self, wall: dt.datetime) -> dt.datetime:
        for start, end in self.hours.intervals:
            if start <= wall.time() < end:
                return dt.datetime.combine(wall.date(), end)
        raise AssertionError("not inside a working interval")  # pragma: no cover

    # -- arithmetic ------------------------------------------------------------------------
    def add_working_time(self, start: dt.datetime, amount: dt.timedelta) -> dt.datetime:
        """Walk ``amount`` of working time forward from ``start`` through working intervals."""
        if amount < dt.timedelta(0):
            raise ValueError("an amount of time cannot be negative")
        local = self._local(start)
        if not amount and self._at_interval_end(local):
            return self._aware(local)  # adding nothing to a due time at 11:30 keeps 11:30
        wall = self._normalise_wall(local)
        need = amount
        while True:
            end = self._interval_end(wall)
            available = end - wall
            if need <= available:
                return self._aware(wall + need)
            need -= available
            wall = self._normalise_wall(end)

    def add_working_hours(self, start: dt.datetime, hours: Decimal | float | int) -> dt.datetime:
        return self.add_working_time(start, _as_timedelta(hours))

    def add_working_days(self, start: dt.datetime, days: Decimal | float | int) -> dt.datetime:
        day_length_hours = Decimal(self.hours.day_length.total_seconds()) / 3600
        return self.add_working_hours(start, Decimal(str(days)) * day_length_hours)

    def add_calendar_days(self, start: dt.datetime, days: int) -> dt.datetime:
        if days < 0:
            raise ValueError("an amount of time cannot be negative")
        wall = self._normalise_wall(self._local(start)) + dt.timedelta(days=days)
        day = self.next_working_day(wall.date(), include_today=True)
        return self._aware(dt.datetime.combine(day, wall.time()))

    def same_day(self, received: dt.datetime) -> dt.datetime:
        """Due time of a "same day; after 15:00 the next working day" procedure."""
        wall = self._local(received)
        normalised = self._normalise_wall(wall)
        if normalised.date() != wall.date():
            # received on a day off or after closing: the day it is received is the next one
            return self.end_of_working_day(normalised.date())
        if wall.time() > self.same_day_cutoff:
            return self.end_of_working_day(self.next_working_day(wall.date()))
        return self.end_of_working_day(wall.date())

    def working_time_between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Working time elapsed from ``start`` to ``end`` (zero if end is not after start)."""
        a, b = self._local(start), self._local(end)
        total = dt.timedelta()
        if b <= a:
            return total
        day = a.date()
        while day <= b.date():
            if self.is_working_day(day):
                for s, e in self.hours.intervals:
                    lo = max(a, dt.datetime.combine(day, s))
                    hi = min(b, dt.datetime.combine(day, e))
                    if hi > lo:
                        total += hi - lo
            day += dt.timedelta(days=1)
        return total

    def due(
        self, start: dt.datetime, amount: Decimal | float | int, unit: TimeUnit | str
    ) -> dt.datetime:
        """Due time for a statutory time of ``amount`` ``unit`` from ``start`` (SPEC.md §3.4)."""
        unit = TimeUnit(unit)
        if unit is TimeUnit.WORKING_HOURS:
            return self.add_working_hours(start, amount)
        if unit is TimeUnit.WORKING_DAYS:
            return self.add_working_days(start, amount)
        if unit is TimeUnit.CALENDAR_DAYS:
            value = Decimal(str(amount))
            if value != value.to_integral_value():
                raise ValueError("calendar days must be a whole number")
            return self.add_calendar_days(start, int(value))
        if unit is TimeUnit.SAME_DAY:
            return self.same_day(start)
        return self.normalise(start)  # ON_THE_SPOT: resolved at reception, no appointment
