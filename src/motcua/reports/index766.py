"""The 766 service-quality index, live, from the rollups (SPEC.md §5; Quyết định 766/QĐ-TTg).

Each measurable component's numerator and denominator are sums of rollup counters over a
calendar period (SPEC.md §7.2: the index uses calendar periods), for an agency's subtree:

- 1.4 synced: dossiers received in the period and sent to the national portal / received. The
  portal's denominator is the larger of two national counts that motcua does not hold; motcua's
  own reception count stands for them.
- 2.1 on time: dossiers finished in the period on time by the 766 rule, plus those still in
  process at its end and not late by that rule / the dossiers received in the period or carried
  into it (Biểu 06 col 3). The rule (SPEC.md §5.2): by the appointment instant, the
  supplementation time excluded, more than one supplementation request is late, one request
  not answered ends at the request's time (``projection.overdue_766_days``).
- 3.0 full-process: dossiers of procedures offered fully online, submitted online and returned
  online or by post / dossiers of such procedures. 3.3: online, with an electronic result when
  the result is a document / received.
- 3.5b: procedures with at least one dossier paid online / procedures with a fee-bearing
  dossier; 3.6: fee-bearing dossiers paid online / fee-bearing dossiers.
- 4.1 e-results / dossiers whose result is a document; 4.2 digitised (and with an e-result when
  the result is a document) / received; 4.3 with a reused component / received; 4.4 with a
  component from the citizen's data store / received.
- 5.4 = 100 % − (late rate + dislike rate), over 2.1's denominator: numerator = the on-time
  count of 2.1 − the dossiers received in the period that were rated "dislike" (not below 0).

The periods of the components that SPEC.md does not give (3.0, 4.x, the terms of 5.4) are the
dossiers received in the period. Scoring is ``reports.scoring`` on the configured formula sheet.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q, Sum
from django.utils import timezone

from motcua.org.choices import AgencyKind
from motcua.org.models import PATH_SEPARATOR, Agency
from motcua.reports.form06 import as_of_day, scope_paths
from motcua.reports.models import Grain, Rollup
from motcua.reports.periods import Period, PeriodKind, period_containing
from motcua.reports.projection import FLAGS, MEASURES
from motcua.reports.scoring import Formula, IndexScore, Measurement, load_formula, score
from motcua.reports.sums import in_scope, prefix_sums

RECEIVED = ("recv_online", "recv_other")
FINISHED = ("fin_early", "fin_on_time", "fin_late")


@dataclass
class Totals:
    """The counters of one group of rollup rows over a period: flows (E⁺ − S) and the stocks
    2.1 needs."""

    received: int = 0  # in the period
    carried_and_received: int = 0  # Biểu 06 col 3
    on_time_766: int = 0  # 2.1 numerator
    flags: dict[str, int] | None = None
    fee_procedures: int = 0
    paid_procedures: int = 0

    def measurements(self) -> dict[str, Measurement]:
        flags = self.flags or dict.fromkeys(FLAGS, 0)

        def m(code: str, numerator: int, denominator: int) -> Measurement:
            denominator = max(denominator, 0)
            return Measurement(code, max(0, min(numerator, denominator)), denominator)

        received = self.received
        on_time = self.on_time_766
        return {
            "1.4": m("1.4", flags["synced"], received),
            "2.1": m("2.1", on_time, self.carried_and_received),
            "3.0": m("3.0", flags["full_done"], flags["full_eligible"]),
            "3.3": m("3.3", flags["online_ok"], received),
            "3.5b": m("3.5b", self.paid_procedures, self.fee_procedures),
            "3.6": m("3.6", flags["paid_online"], flags["fee_bearing"]),
            "4.1": m("4.1", flags["e_result"], flags["doc_result"]),
            "4.2": m("4.2", flags["digitised_ok"], received),
            "4.3": m("4.3", flags["reused"], received),
            "4.4": m("4.4", flags["from_store"], received),
            "5.4": m("5.4", on_time - flags["disliked"], self.carried_and_received),
        }


@dataclass
class IndexResult:
    agency: Agency
    period: Period
    as_of: dt.date
    totals: Totals
    score: IndexScore


def _rows(
    paths: list[str],
    period: Period,
    as_of: dt.date,
    group_by: tuple[str, ...] = ("agency_id", "procedure_id"),
):
    """The prefix sums per ``group_by``, which must include the procedure (3.5b counts
    procedures). A period's flows are never negative, so a procedure has a fee-bearing dossier
    in a scope exactly when one of its rows there has: one row per procedure is enough for one
    scope, one per agency and procedure for the ranking."""
    return prefix_sums(
        paths,
        period.start,
        as_of,
        group_by=group_by,
        at_start=MEASURES,
        at_end=MEASURES,
    )


def _totals_of(rows: list[dict]) -> Totals:
    """Totals of rows of one scope (procedures counted distinct within it, for 3.5b). Every
    total but 3.5b's is a sum of the rows' columns, so the columns are summed first."""
    fee: set[int] = set()
    paid: set[int] = set()
    keys = [key for key in rows[0] if key[:2] in ("s_", "e_")] if rows else []
    summed = dict.fromkeys(keys, 0)
    for row in rows:
        for key in keys:
            summed[key] += row[key] or 0
        if (row["e_fee_bearing"] or 0) > (row["s_fee_bearing"] or 0):
            fee.add(row["procedure_id"])
            if (row["e_paid_online"] or 0) > (row["s_paid_online"] or 0):
                paid.add(row["procedure_id"])

    def flow(measure: str) -> int:
        return summed.get("e_" + measure, 0) - summed.get("s_" + measure, 0)

    def at(prefix: str, names: tuple[str, ...]) -> int:
        return sum(summed.get(prefix + name, 0) for name in names)

    open_at_end = at("e_", RECEIVED) - at("e_", FINISHED)
    return Totals(
        received=sum(flow(m) for m in RECEIVED),
        carried_and_received=at("e_", RECEIVED) - at("s_", FINISHED),
        on_time_766=flow("fin766_ok") + open_at_end - summed.get("e_od766", 0),
        flags={flag: flow(flag) for flag in FLAGS},
        fee_procedures=len(fee),
        paid_procedures=len(paid),
    )


def index_766(
    agency: Agency,
    period: Period,
    *,
    today: dt.date | None = None,
    formula: Formula | None = None,
) -> IndexResult:
    """The index of ``agency``'s subtree over a calendar period (the caller checks scope)."""
    as_of = as_of_day(period, today)
    totals = _totals_of(list(_rows(scope_paths(agency), period, as_of, ("procedure_id",))))
    formula = formula or load_formula()
    return IndexResult(agency, period, as_of, totals, score(formula, totals.measurements()))


def communes_of(province: Agency, day: dt.date) -> list[Agency]:
    """The communes of ``province`` in existence on ``day``."""
    return list(
        Agency.objects.subtree_of(province)
        .active_on(day)
        .filter(kind=AgencyKind.COMMUNE)
        .order_by("name")
    )


def _commune_of_each_agency(province: Agency, communes: list[Agency]) -> dict[int, int]:
    """Agency id → the commune (of ``communes``) it belongs to: by the tree, and for an agency
    merged away, through its successors (its history belongs to them, ADR 0001)."""
    by_path = {commune.path: commune.pk for commune in communes}
    agencies = {
        pk: (path, successor)
        for pk, path, successor in Agency.objects.filter(
            Q(path__startswith=province.path) | Q(successor__path__startswith=province.path)
        ).values_list("id", "path", "successor_id")
    }

    def commune_for(pk: int, hops: int = 0) -> int | None:
        path, successor = agencies.get(pk, ("", None))
        end = path.find(PATH_SEPARATOR)
        while end != -1:
            found = by_path.get(path[: end + 1])
            if found is not None:
                return found
            end = path.find(PATH_SEPARATOR, end + 1)
        if successor is not None and hops < 8:
            return commune_for(successor, hops + 1)
        return None

    mapping = {}
    for pk in agencies:
        commune = commune_for(pk)
        if commune is not None:
            mapping[pk] = commune
    return mapping


def commune_ranking(
    province: Agency,
    period: Period,
    *,
    today: dt.date | None = None,
    formula: Formula | None = None,
) -> list[IndexResult]:
    """Every commune of ``province`` with its index, best first (one rollup query for all)."""
    as_of = as_of_day(period, today)
    formula = formula or load_formula()
    communes = communes_of(province, as_of)
    commune_of = _commune_of_each_agency(province, communes)
    rows_by_commune: dict[int, list[dict]] = defaultdict(list)
    for row in _rows(scope_paths(province), period, as_of):
        commune = commune_of.get(row["agency_id"])
        if commune is not None:
            rows_by_commune[commune].append(row)
    results = []
    for commune_agency in communes:
        totals = _totals_of(rows_by_commune.get(commune_agency.pk, []))
        results.append(
            IndexResult(
                commune_agency, period, as_of, totals, score(formula, totals.measurements())
            )
        )
    results.sort(key=lambda r: (-r.score.total, r.agency.name))
    return results


def monthly_trend(
    agency: Agency,
    *,
    months: int = 12,
    today: dt.date | None = None,
    formula: Formula | None = None,
) -> list[IndexResult]:
    """The index month by month, the current month last (taken at today). One rollup query for
    all the months: the rows every month's prefix sums need are read once, per procedure, and
    summed here (``sums.before`` on each month's first day and on the day after its end)."""
    today = today or timezone.localdate()
    formula = formula or load_formula()
    periods: list[Period] = []
    period = period_containing(PeriodKind.MONTH, today)
    for _n in range(months):
        periods.append(period)
        period = period_containing(PeriodKind.MONTH, period.start - dt.timedelta(days=1))
    periods.reverse()
    last = min(periods[-1].end, today) + dt.timedelta(days=1)
    first_year = periods[0].start.replace(month=1, day=1)
    last_month = last.replace(day=1)
    needed = (
        Q(grain=Grain.YEAR, day__lt=last.replace(month=1, day=1))
        | Q(grain=Grain.MONTH, day__gte=first_year, day__lt=last_month)
        | Q(grain=Grain.DAY, day__gte=last_month, day__lt=last)
    )
    rows = list(
        Rollup.objects.filter(in_scope(scope_paths(agency)))
        .filter(needed)
        .values("grain", "day", "procedure_id")
        .annotate(**{measure: Sum(measure) for measure in MEASURES})
        .order_by()
    )

    def prefix(day: dt.date) -> dict[int, dict[str, int]]:
        year, month = day.replace(month=1, day=1), day.replace(day=1)
        found: dict[int, dict[str, int]] = {}
        for row in rows:
            grain, start = row["grain"], row["day"]
            if (
                (grain == Grain.YEAR and start < year)
                or (grain == Grain.MONTH and year <= start < month)
                or (grain == Grain.DAY and month <= start < day)
            ):
                sums = found.setdefault(row["procedure_id"], dict.fromkeys(MEASURES, 0))
                for measure in MEASURES:
                    sums[measure] += row[measure] or 0
        return found

    results = []
    for month_period in periods:
        as_of = min(month_period.end, today)
        at_start, at_end = prefix(month_period.start), prefix(as_of + dt.timedelta(days=1))
        zero = dict.fromkeys(MEASURES, 0)
        combined = [
            {
                "procedure_id": procedure,
                **{"s_" + m: at_start.get(procedure, zero)[m] for m in MEASURES},
                **{"e_" + m: at_end.get(procedure, zero)[m] for m in MEASURES},
            }
            for procedure in at_start.keys() | at_end.keys()
        ]
        totals = _totals_of(combined)
        results.append(
            IndexResult(agency, month_period, as_of, totals, score(formula, totals.measurements()))
        )
    return results


__all__ = [
    "IndexResult",
    "Totals",
    "commune_ranking",
    "index_766",
    "monthly_trend",
]
