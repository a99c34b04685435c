"""Biểu 06/VPCP/KSTT for an agency's subtree and a period, from the rollups (SPEC.md §7.1).

Every column is a difference of two prefix sums. With P(X) the sum of a counter over the days
before X, S the period's first day and E⁺ the day after the day the numbers are taken at:

- col 4, 5 (received online / at the counter or by post) = P_recv(E⁺) − P_recv(S);
- col 6 (carried over) = P_received(S) − P_finished(S): received before S and not finished
  before S, i.e. still in process at the start of the period or finished within it;
- col 8, 9, 10 (finished early / on time / late) = P_fin(E⁺) − P_fin(S);
- col 11 (in process at the end) = P_received(E⁺) − P_finished(E⁺), the open stock;
- col 13 (in process past the appointment) = P_overdue(E⁺), the overdue stream of
  ``projection``; col 12 = col 11 − col 13.

So col 3 = 4 + 5 + 6 = P_received(E⁺) − P_finished(S) = col 7 + col 11, by construction.

A prefix sum reads the year rows of the years before X, the month rows of X's year before X's
month and the day rows of X's month before X: at most a few dozen rows per agency, sector and
procedure, however many dossiers or years there are. Both prefix sums come from one grouped
query. Rows are by level (the receiving agency's, SPEC.md §7.1 "cấp tỉnh, cấp xã"), then by
sector. A dossier counts for the agency that received it, so an inter-agency chain counts once,
where it was received.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Sector
from motcua.core.errors import ValidationFailed
from motcua.org.choices import AgencyLevel
from motcua.org.models import Agency
from motcua.org.policies import predecessor_paths
from motcua.reports.periods import Period
from motcua.reports.sums import in_scope, prefix_sums
from motcua.reports.tables import Cells, Form06, Group, Row

__all__ = ["LEVEL_LABELS", "as_of_day", "form06", "in_scope", "scope_paths"]

LEVEL_ORDER = (AgencyLevel.CENTRAL, AgencyLevel.PROVINCE, AgencyLevel.COMMUNE)
LEVEL_LABELS = {
    AgencyLevel.CENTRAL: _("Central level"),
    AgencyLevel.PROVINCE: _("Province level"),
    AgencyLevel.COMMUNE: _("Commune level"),
}
_BEFORE_S = ("recv_online", "recv_other", "fin_early", "fin_on_time", "fin_late")
_BEFORE_E = (*_BEFORE_S, "od06")


def scope_paths(agency: Agency) -> list[str]:
    """The subtree of ``agency`` and the agencies merged into it, whose history it carries
    (ADR 0001)."""
    return [agency.path, *predecessor_paths([agency.path])]


def as_of_day(period: Period, today: dt.date | None = None) -> dt.date:
    """The day the numbers are taken at: the period's last day, or today while it runs."""
    today = today or timezone.localdate()
    if period.start > today:
        raise ValidationFailed(
            _("The period has not started yet; choose one that includes today or earlier days."),
            code="period_in_future",
        )
    return min(period.end, today)


def form06(
    agency: Agency,
    period: Period,
    *,
    cutoff: bool = False,
    today: dt.date | None = None,
) -> Form06:
    """The table for ``agency`` and everything under it (the caller checks the actor may see
    ``agency``: ``reports.policies``)."""
    as_of = as_of_day(period, today)
    rows = prefix_sums(
        scope_paths(agency),
        period.start,
        as_of,
        group_by=("agency__level", "sector_id"),
        at_start=_BEFORE_S,
        at_end=_BEFORE_E,
    )
    by_level: dict[str, dict[int, Cells]] = {}
    for row in rows:
        cells = _cells(row)
        if not cells.is_empty:
            by_level.setdefault(row["agency__level"], {})[row["sector_id"]] = cells
    sectors = Sector.objects.in_bulk({sid for level in by_level.values() for sid in level})
    table = Form06(
        agency_code=agency.code,
        agency_name=agency.name,
        period=period,
        cutoff=cutoff,
        as_of=as_of,
        generated_at=timezone.now(),
    )
    for level in LEVEL_ORDER:
        if level not in by_level:
            continue
        group = Group(level=str(level), label=str(LEVEL_LABELS[level]))
        for sector_id, cells in sorted(
            by_level[level].items(), key=lambda item: (sectors[item[0]].name, item[0])
        ):
            sector = sectors[sector_id]
            group.rows.append(Row(sector_id, sector.code, sector.name, cells))
            group.total.add(cells)
        table.groups.append(group)
        table.total.add(group.total)
    return table


def _cells(row: dict) -> Cells:
    s = {m: row[f"s_{m}"] or 0 for m in _BEFORE_S}
    e = {m: row[f"e_{m}"] or 0 for m in _BEFORE_E}
    s_received = s["recv_online"] + s["recv_other"]
    s_finished = s["fin_early"] + s["fin_on_time"] + s["fin_late"]
    e_open = (e["recv_online"] + e["recv_other"]) - (
        e["fin_early"] + e["fin_on_time"] + e["fin_late"]
    )
    return Cells(
        online=e["recv_online"] - s["recv_online"],
        counter=e["recv_other"] - s["recv_other"],
        carried_over=s_received - s_finished,
        early=e["fin_early"] - s["fin_early"],
        on_time=e["fin_on_time"] - s["fin_on_time"],
        late=e["fin_late"] - s["fin_late"],
        open_in_time=e_open - e["od06"],
        open_overdue=e["od06"],
    )
