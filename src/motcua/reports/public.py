"""The public transparency figures of a province or a commune: how many dossiers, how many on
time, how many online, how long they take per procedure, how satisfied the applicants were.

Aggregates only, read from the rollups; nothing about a person. Over the last twelve months
(the current month included, up to today), with a month-by-month series:

- on time = finished early or on the appointment date (Biểu 06 col 8 + 9, SPEC.md §7.1) ÷
  finished (col 7);
- online share = received online (col 4) ÷ received (col 4 + 5);
- average processing time = calendar days from reception to finish, averaged over the dossiers
  finished;
- satisfaction = rated dossiers not rated "dislike" ÷ rated dossiers (SPEC.md §6.1).

The figures are cached for ``CACHE_SECONDS``: the page is public and the numbers move slowly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.db.models import Sum
from django.utils import timezone

from motcua.catalog.models import ProcedureVersion
from motcua.org.choices import AgencyKind
from motcua.org.models import Agency
from motcua.reports.form06 import scope_paths
from motcua.reports.index766 import _commune_of_each_agency, communes_of
from motcua.reports.models import Grain, Rollup
from motcua.reports.periods import Period
from motcua.reports.sums import in_scope, prefix_sums

CACHE_SECONDS = 15 * 60
MONTHS = 12
TOP_PROCEDURES = 25
_MEASURES = (
    "recv_online",
    "recv_other",
    "fin_early",
    "fin_on_time",
    "fin_late",
    "fin_days",
    "rated",
    "disliked",
)


def percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class Figures:
    label: str = ""
    received: int = 0
    online: int = 0
    finished: int = 0
    on_time: int = 0
    days: int = 0
    rated: int = 0
    disliked: int = 0

    def add_flows(self, values: dict[str, int]) -> None:
        self.online += values["recv_online"]
        self.received += values["recv_online"] + values["recv_other"]
        self.finished += values["fin_early"] + values["fin_on_time"] + values["fin_late"]
        self.on_time += values["fin_early"] + values["fin_on_time"]
        self.days += values["fin_days"]
        self.rated += values["rated"]
        self.disliked += values["disliked"]

    @property
    def on_time_rate(self) -> Decimal | None:
        return percent(self.on_time, self.finished)

    @property
    def online_share(self) -> Decimal | None:
        return percent(self.online, self.received)

    @property
    def average_days(self) -> Decimal | None:
        if not self.finished:
            return None
        return (Decimal(self.days) / self.finished).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def satisfaction(self) -> Decimal | None:
        return percent(self.rated - self.disliked, self.rated)


@dataclass
class PublicFigures:
    agency_code: str
    period: Period
    total: Figures
    months: list[Figures] = field(default_factory=list)
    procedures: list[Figures] = field(default_factory=list)
    communes: list[tuple[str, Figures]] = field(default_factory=list)  # (code, figures)


def _flows(row: dict) -> dict[str, int]:
    return {m: (row["e_" + m] or 0) - (row["s_" + m] or 0) for m in _MEASURES}


def last_months(today: dt.date, months: int = MONTHS) -> Period:
    year, month = today.year, today.month - (months - 1)
    while month < 1:
        month += 12
        year -= 1
    return Period(dt.date(year, month, 1), today)


def public_figures(agency: Agency, today: dt.date | None = None) -> PublicFigures:
    """The figures of ``agency`` (a province or a commune), cached."""
    today = today or timezone.localdate()
    key = f"motcua:public-figures:{agency.pk}:{today.isoformat()}"
    found = cache.get(key)
    if found is None:
        found = _compute(agency, today)
        cache.set(key, found, CACHE_SECONDS)
    return found


def _compute(agency: Agency, today: dt.date) -> PublicFigures:
    period = last_months(today)
    paths = scope_paths(agency)
    figures = PublicFigures(agency.code, period, Figures())
    by_procedure: dict[int, Figures] = {}
    rows = prefix_sums(
        paths,
        period.start,
        today,
        group_by=("procedure_id",),
        at_start=_MEASURES,
        at_end=_MEASURES,
    )
    for row in rows:
        flows = _flows(row)
        figures.total.add_flows(flows)
        by_procedure.setdefault(row["procedure_id"], Figures()).add_flows(flows)
    names: dict[int, str] = {}
    for procedure_id, name in (
        ProcedureVersion.objects.filter(procedure_id__in=by_procedure)
        .order_by("procedure_id", "-id")
        .values_list("procedure_id", "name")
    ):
        names.setdefault(procedure_id, name)  # the newest version's name
    ranked = sorted(
        by_procedure.items(), key=lambda item: (-item[1].received, names.get(item[0], ""))
    )
    for procedure_id, procedure_figures in ranked[:TOP_PROCEDURES]:
        procedure_figures.label = names.get(procedure_id, "")
        figures.procedures.append(procedure_figures)

    monthly = (
        Rollup.objects.filter(
            in_scope(paths), grain=Grain.MONTH, day__gte=period.start, day__lte=today
        )
        .values("day")
        .annotate(**{m: Sum(m) for m in _MEASURES})
        .order_by("day")
    )
    by_month = {row["day"]: row for row in monthly}
    day = period.start
    while day <= today:
        month = Figures(label=f"{day.month:02d}/{day.year}")
        row = by_month.get(day)
        if row is not None:
            month.add_flows({m: row[m] or 0 for m in _MEASURES})
        figures.months.append(month)
        day = (day + dt.timedelta(days=32)).replace(day=1)

    if agency.kind == AgencyKind.PROVINCE:
        communes = communes_of(agency, today)
        commune_of = _commune_of_each_agency(agency, communes)
        by_commune = {c.pk: Figures(label=c.name) for c in communes}
        for row in prefix_sums(
            paths,
            period.start,
            today,
            group_by=("agency_id",),
            at_start=_MEASURES,
            at_end=_MEASURES,
        ):
            commune = commune_of.get(row["agency_id"])
            if commune is not None:
                by_commune[commune].add_flows(_flows(row))
        figures.communes = [(c.code, by_commune[c.pk]) for c in communes]
    return figures


def public_agency(code: str) -> Agency | None:
    """A province or commune in existence today, by code; anything else is not public here."""
    return (
        Agency.objects.active_on(timezone.localdate())
        .filter(code=code, kind__in=(AgencyKind.PROVINCE, AgencyKind.COMMUNE))
        .select_related("parent")
        .first()
    )


def provinces_figures(today: dt.date | None = None) -> list[tuple[Agency, Figures]]:
    """Every province with its totals over the last twelve months (one query), cached."""
    today = today or timezone.localdate()
    key = f"motcua:public-provinces:{today.isoformat()}"
    found = cache.get(key)
    if found is not None:
        return found
    provinces = list(
        Agency.objects.active_on(today).filter(kind=AgencyKind.PROVINCE).order_by("name")
    )
    by_path = {p.path: p.pk for p in provinces}
    # A province merged away (the 2025 reform) counts with its successor (ADR 0001).
    successors = dict(
        Agency.objects.filter(successor__isnull=False).values_list("path", "successor__path")
    )
    for path in [p for p in successors if p.count("/") == 1]:  # merged-away provinces
        heir: str | None = path
        for _hop in range(8):
            heir = successors.get(heir or "")
            if heir is None or heir in by_path:
                break
        if heir is not None and heir in by_path:
            by_path.setdefault(path, by_path[heir])
    paths = dict(Agency.objects.values_list("pk", "path"))
    totals = {p.pk: Figures(label=p.name) for p in provinces}
    period = last_months(today)
    if provinces:
        for row in prefix_sums(
            list(by_path),
            period.start,
            today,
            group_by=("agency_id",),
            at_start=_MEASURES,
            at_end=_MEASURES,
        ):
            path = paths.get(row["agency_id"], "")
            province = by_path.get(path[: path.find("/") + 1])
            if province is not None:
                totals[province].add_flows(_flows(row))
    found = [(p, totals[p.pk]) for p in provinces]
    cache.set(key, found, CACHE_SECONDS)
    return found
