"""Sums of rollup counters before two days, in one grouped query: what every report is made of.

``before(X)`` selects the rows whose days all come before day X and together cover them all:
the year rows of the years before X, the month rows of X's year before X's month, the day rows
of X's month before X. So a prefix sum reads a few dozen rows per agency, sector and procedure
whatever the number of dossiers or years, and a period's figures are differences of prefix
sums taken at its first day (``s_``) and at the day after the day it is taken at (``e_``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import reduce
from operator import or_

from django.db.models import Case, IntegerField, Q, QuerySet, Sum, Value, When

from motcua.reports.models import Grain, Rollup


def before(day: dt.date) -> Q:
    """The rollup rows whose days all come before ``day``, and together cover them all."""
    year = day.replace(month=1, day=1)
    month = day.replace(day=1)
    return (
        Q(grain=Grain.YEAR, day__lt=year)
        | Q(grain=Grain.MONTH, day__gte=year, day__lt=month)
        | Q(grain=Grain.DAY, day__gte=month, day__lt=day)
    )


def in_scope(paths: list[str], field: str = "agency") -> Q:
    return reduce(or_, (Q(**{f"{field}__path__startswith": path}) for path in paths))


def prefix_sums(
    paths: list[str],
    start: dt.date,
    as_of: dt.date,
    *,
    group_by: Iterable[str],
    at_start: Iterable[str],
    at_end: Iterable[str],
) -> QuerySet:
    """Rows of ``group_by`` values with ``s_<measure>`` = Σ before ``start`` for the measures
    ``at_start`` and ``e_<measure>`` = Σ up to and including ``as_of`` for ``at_end``, over the
    agencies under ``paths``."""
    first, after = before(start), before(as_of + dt.timedelta(days=1))
    sums = {}
    for prefix, condition, measures in (("s_", first, at_start), ("e_", after, at_end)):
        for measure in measures:
            sums[prefix + measure] = Sum(
                Case(When(condition, then=measure), default=Value(0), output_field=IntegerField())
            )
    return (
        Rollup.objects.filter(in_scope(paths))
        .filter(first | after)
        .values(*group_by)
        .annotate(**sums)
        .order_by()
    )
