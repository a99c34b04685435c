"""Checks that an internal process fits its statutory time (SPEC.md §3.6): the step budgets of
a case sum to its statutory time in working hours."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from motcua.core.workcal import TimeUnit

HOURS_PER_WORKING_DAY = Decimal(8)  # SPEC.md §3.2


def statutory_hours(amount: Decimal, unit: TimeUnit | str) -> Decimal | None:
    """The statutory time in working hours, where it is one (working hours or days)."""
    unit = TimeUnit(unit)
    if unit is TimeUnit.WORKING_HOURS:
        return Decimal(amount)
    if unit is TimeUnit.WORKING_DAYS:
        return Decimal(amount) * HOURS_PER_WORKING_DAY
    return None


def budget_errors(
    amount: Decimal, unit: TimeUnit | str, step_hours: Iterable[Decimal]
) -> list[str]:
    """Why the steps do not fit the statutory time; empty when they do.

    - working hours / working days: the budgets must sum exactly to the statutory time;
    - same day and on the spot: they must fit in one working day (8 hours);
    - calendar days: they must fit in the working hours those days can hold (N × 8).
    """
    hours = [Decimal(h) for h in step_hours]
    if not hours:
        return ["the internal process has no steps"]
    if any(h < 0 for h in hours):
        return ["a step has a negative budget"]
    total = sum(hours, Decimal(0))
    unit = TimeUnit(unit)
    exact = statutory_hours(amount, unit)
    if exact is not None:
        if total != exact:
            return [f"step budgets sum to {total:g} working hours, the statutory time is {exact:g}"]
        return []
    ceiling = (
        Decimal(amount) * HOURS_PER_WORKING_DAY
        if unit is TimeUnit.CALENDAR_DAYS
        else HOURS_PER_WORKING_DAY
    )
    if total > ceiling:
        return [f"step budgets sum to {total:g} working hours, more than the {ceiling:g} available"]
    return []
