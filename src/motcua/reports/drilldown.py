"""The dossiers behind one number of Biểu 06/VPCP/KSTT (issue 6: every number "explained down to
the dossiers behind it"), read side only.

    cell_page(agency, period, *, column, level=None, sector_id=None, cutoff=False, today=None,
              number=1, size=50) -> Page of Dossier      (what the back office shows)
    cell_ids(…) -> QuerySet of dossier ids; dossiers_listed(ids) -> list[Dossier]
    cell_dossiers(…) -> QuerySet[Dossier]      (the same dossiers, for smaller uses)

``form06`` takes its numbers from the rollups; this selector reads ``DossierFact``, the one row
per received dossier whose contributions the rollups sum, with the same definitions, so a cell's
list holds exactly as many dossiers as the cell says. With S the period's first day and E the day
the numbers are taken at (``as_of_day``: the period's end, or today while it runs):

- col 4, 5: received in [S, E], online / at the counter or by post;
- col 6: received before S and not finished before S (carried over);
- col 3 = 4 ∪ 5 ∪ 6: received by E and not finished before S;
- col 8, 9, 10: finished in [S, E], early / on time / late (``class06``);
- col 7 = 8 ∪ 9 ∪ 10: finished in [S, E];
- col 11: received by E and not finished by E (the open stock at the end);
- col 13: those of col 11 whose overdue stream — the ``od06`` deltas of the fact's
  contribution on the days up to E — sums to 1: the prefix sum ``form06`` reads from the
  rollups, taken dossier by dossier (in SQL, by the JSON functions of PostgreSQL or SQLite);
- col 12 = col 11 minus col 13.

A dossier's finished day is never before its received day (``projection``), so "finished in
[S, E]" already implies "received by E". Scope, level and sector are the receiving agency's, as
in ``form06`` (ADR 0004 §5): the agency's subtree and the agencies merged into it, the receiving
agency's level and the procedure's sector.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.paginator import Page, Paginator
from django.db.models import F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.utils.functional import cached_property

from motcua.dossiers.models import Dossier
from motcua.org.models import Agency
from motcua.reports.form06 import as_of_day, form06, in_scope, scope_paths
from motcua.reports.models import DossierFact
from motcua.reports.periods import Period
from motcua.reports.projection import OVERDUE
from motcua.reports.tables import COLUMNS

COLUMN_NUMBERS: tuple[int, ...] = tuple(number for number, _attribute, _label in COLUMNS)
OPEN_COLUMNS = (11, 12, 13)
_CLASS = {8: "early", 9: "on_time", 10: "late"}  # DossierFact.class06 (projection.class_06)


def _conditions(column: int, start: dt.date, end: dt.date) -> Q:
    """The facts counted in ``column`` for the days ``start`` to ``end`` (col 12 and 13: the
    candidates, col 11; they are told apart by their contribution)."""
    not_finished_before_start = Q(finished_day__isnull=True) | Q(finished_day__gte=start)
    received_in = Q(received_day__gte=start, received_day__lte=end)
    # A dossier finishes on or after the day it was received: the bound on the reception day
    # changes nothing, but lets a list walk the reception-day index from ``end`` down.
    finished_in = Q(finished_day__gte=start, finished_day__lte=end, received_day__lte=end)
    if column == 3:
        return Q(received_day__lte=end) & not_finished_before_start
    if column == 4:
        return received_in & Q(online=True)
    if column == 5:
        return received_in & Q(online=False)
    if column == 6:
        return Q(received_day__lt=start) & not_finished_before_start
    if column == 7:
        return finished_in
    if column in _CLASS:
        return finished_in & Q(class06=_CLASS[column])
    # 11, 12, 13: open at the end of E
    return Q(received_day__lte=end) & (Q(finished_day__isnull=True) | Q(finished_day__gt=end))


class OverdueStream(Func):
    """A fact's ``od06`` deltas on the days up to ``day``, summed by the database: 1 when the
    dossier was in process past its appointment at the end of ``day`` (SPEC.md §7.1 col 13),
    the prefix sum ``form06`` reads from the rollups, taken dossier by dossier."""

    output_field = IntegerField()

    def __init__(self, day: dt.date) -> None:
        super().__init__(F("contribution"))
        self.day = day

    def as_sql(self, compiler, connection, **extra):  # type: ignore[override]
        column, params = compiler.compile(self.source_expressions[0])
        if connection.vendor == "postgresql":
            sql = (
                "(SELECT COALESCE(SUM((e ->> 2)::int), 0) FROM jsonb_array_elements({}) e "
                "WHERE e ->> 1 = %s AND (e ->> 0)::int <= %s)"
            )
        else:  # SQLite's JSON1 functions
            sql = (
                "(SELECT COALESCE(SUM(json_extract(e.value, '$[2]')), 0) FROM json_each({}) e "
                "WHERE json_extract(e.value, '$[1]') = %s AND json_extract(e.value, '$[0]') <= %s)"
            )
        # ``column`` is the compiled reference to the field, never input.
        return sql.format(column), [*params, OVERDUE, self.day.toordinal()]


def cell_facts(
    agency: Agency,
    period: Period,
    *,
    column: int,
    level: str | None = None,
    sector_id: int | None = None,
    today: dt.date | None = None,
) -> QuerySet[DossierFact]:
    """The facts of the dossiers counted in one cell of ``form06(agency, period)``; ``level``
    and ``sector_id`` ``None`` mean every level or sector (a level's total, the table's total).
    The caller checks the actor may see ``agency``, as for ``form06``."""
    if column not in COLUMN_NUMBERS:
        raise ValueError(f"Biểu 06 has no column {column} with numbers (3–13).")
    end = as_of_day(period, today)
    facts = DossierFact.objects.filter(in_scope(scope_paths(agency), "agency"))
    if level is not None:
        facts = facts.filter(agency__level=level)
    if sector_id is not None:
        facts = facts.filter(sector_id=sector_id)
    facts = facts.filter(_conditions(column, period.start, end))
    if column in (12, 13):
        overdue = overdue_at(facts, end)
        facts = facts.filter(pk__in=overdue) if column == 13 else facts.exclude(pk__in=overdue)
    return facts


def overdue_at(facts: QuerySet[DossierFact], day: dt.date) -> list[int]:
    """The dossiers among ``facts`` in process past their appointment at the end of ``day``.
    The database sums each stream in the select list, and the ids are kept here: as a
    condition, its selectivity unknown, PostgreSQL's planner expected a few rows and walked the
    whole table (a province's col 13 at 2 M dossiers: 10 s as a condition, 0.4 s this way)."""
    streams = facts.order_by().annotate(overdue=OverdueStream(day))
    return [pk for pk, stream in streams.values_list("dossier_id", "overdue") if stream == 1]


def cell_dossiers(
    agency: Agency,
    period: Period,
    *,
    column: int,
    level: str | None = None,
    sector_id: int | None = None,
    today: dt.date | None = None,
) -> QuerySet[Dossier]:
    """The dossiers counted in one cell, in ``LIST_ORDER``, with what a list shows (as
    ``dossiers_listed``). For a page of a big cell, paginate ``cell_ids`` instead."""
    facts = cell_facts(agency, period, column=column, level=level, sector_id=sector_id, today=today)
    return _with_report_fields(
        Dossier.objects.filter(pk__in=Subquery(facts.values("dossier_id")))
    ).order_by("-report_received_day", "-pk")


# The order of a cell's list: the latest reception day (the day the report counts it on)
# first, then the latest dossier. Every column's facts are bounded above by a reception day
# (``_conditions``), so the first page is read from the top of the ``reports_fact_list`` index
# down, without passing the years of dossiers the cell does not count (oldest first, col 3 of a
# province's year at 10 M dossiers walked 3 M index entries: 8 s).
LIST_ORDER = ("-received_day", "-dossier_id")


def cell_ids(
    agency: Agency,
    period: Period,
    *,
    column: int,
    level: str | None = None,
    sector_id: int | None = None,
    today: dt.date | None = None,
) -> QuerySet[DossierFact, int]:
    """The ids of the dossiers counted in one cell, in ``LIST_ORDER``: what a page of the list
    slices before ``dossiers_listed`` reads the dossiers of that page only. Counting and
    ordering the facts, narrow rows, rather than the dossiers they belong to keeps a cell of a
    million dossiers a matter of a second (docs/performance.md, "Reports at scale")."""
    facts = cell_facts(agency, period, column=column, level=level, sector_id=sector_id, today=today)
    return facts.order_by(*LIST_ORDER).values_list("dossier_id", flat=True)


def _with_report_fields(dossiers: QuerySet[Dossier]) -> QuerySet[Dossier]:
    own = DossierFact.objects.filter(dossier_id=OuterRef("pk"))
    return dossiers.select_related("procedure_version", "receiving_agency").annotate(
        report_received_day=Subquery(own.values("received_day")[:1]),
        report_finished_day=Subquery(own.values("finished_day")[:1]),
        report_class06=Subquery(own.values("class06")[:1]),
    )


def dossiers_listed(ids: Iterable[int]) -> list[Dossier]:
    """The dossiers ``ids`` in that order, with the procedure's version and the receiving
    agency joined, and the day processing finished and its class (early, on time, late) as the
    report counts them (``report_finished_day``, ``report_class06``)."""
    ids = list(ids)
    found = {d.pk: d for d in _with_report_fields(Dossier.objects.filter(pk__in=ids))}
    return [found[pk] for pk in ids if pk in found]


class CountedPaginator(Paginator):
    """A paginator told its count rather than counting."""

    def __init__(self, object_list, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def cell_page(
    agency: Agency,
    period: Period,
    *,
    column: int,
    level: str | None = None,
    sector_id: int | None = None,
    cutoff: bool = False,
    today: dt.date | None = None,
    number: int | str | None = 1,
    size: int = 50,
) -> Page:
    """One page of the list behind a number, as the back office shows it: its dossiers
    (``dossiers_listed``) and, as its count, the table's number. The list is as long as the
    number (tested for every column, level and period), and the number comes from the rollups
    where counting the facts of a province's year would read millions of rows."""
    table = form06(agency, period, cutoff=cutoff, today=today)
    ids = cell_ids(agency, period, column=column, level=level, sector_id=sector_id, today=today)
    paginator = CountedPaginator(ids, size, count=table.cell(column, level, sector_id))
    page = paginator.get_page(number)
    page.object_list = dossiers_listed(page.object_list)
    return page
