"""The province the dossiers are drawn for: its desks, procedures and cases, and its desks'
calendars."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, Q

from motcua.catalog.choices import Channel, VersionStatus
from motcua.catalog.models import ProcedureVariant, ProcedureVersion
from motcua.core.workcal import TimeUnit, WorkCalendar
from motcua.dossiers.services._common import time_rule
from motcua.org.choices import AgencyKind, AgencyLevel
from motcua.org.models import Agency, CalendarOverride
from motcua.org.models import WorkingHours as WorkingHoursRow
from motcua.org.services.calendar import calendar_for
from motcua.reports.services.synthetic.common import (
    CHANNEL_SHARES,
    DEFAULT_CASE_SHARE,
    PROVINCE_SHARE,
    SyntheticError,
)

# -- the province: desks, procedures, calendars ------------------------------------------------


@dataclass
class Case:
    """A case (variant) of a procedure version, with what the generator needs of it."""

    version: ProcedureVersion
    variant: ProcedureVariant
    channels: tuple[int, ...]  # offered
    rules: dict[int, tuple[Decimal, str]]  # channel → (amount, unit)
    fee: Decimal
    channel_cumulative: tuple[float, ...] = ()  # the mix (``Province._balance_channels``)


@dataclass(frozen=True)
class ProcedureInfo:
    version: ProcedureVersion
    cases: tuple[Case, ...]  # the default case first
    handling: Agency | None  # province level: the implementing department, if any


@dataclass(frozen=True)
class Desk:
    committee: Agency  # the commune or the province
    desk: Agency  # where dossiers are received
    level: str


def weighted(rng: random.Random, cumulative: Sequence[float]) -> int:
    return bisect.bisect_right(cumulative, rng.random() * cumulative[-1])


def zipf_cumulative(count: int) -> list[float]:
    return list(itertools.accumulate(1.0 / rank for rank in range(1, count + 1)))


class Province:
    """The province's desks and procedures, and the calendars of its desks (cached)."""

    def __init__(self, province: Agency, *, seed: int, start: dt.date, end: dt.date) -> None:
        self.province = province
        self.start, self.end = start, end
        self._calendars: dict[tuple[int, int], WorkCalendar] = {}
        self.e_result_id: int | None = None
        # Without working hours or days set below the province, every agency of the province
        # has the province's calendar: build it once per year instead of once per agency.
        below = Q(agency__path__startswith=province.path) & ~Q(agency=province)
        self.uniform_calendar = not (
            WorkingHoursRow.objects.filter(below).exists()
            or CalendarOverride.objects.filter(below).exists()
        )
        rng = random.Random(f"synthetic-province:{seed}")  # noqa: S311 - reproducible data

        communes = list(
            Agency.objects.filter(parent=province, kind=AgencyKind.COMMUNE)
            .active_on(end)
            .order_by("code")
        )
        centres: dict[int | None, Agency] = {}
        for unit in Agency.objects.filter(
            parent__in=[*communes, province], kind=AgencyKind.SERVICE_CENTRE
        ).order_by("code"):
            centres.setdefault(unit.parent_id, unit)
        self.departments = list(
            Agency.objects.filter(parent=province, kind=AgencyKind.DEPARTMENT)
            .active_on(end)
            .order_by("code")
        )
        self.commune_desks = [
            Desk(commune, centres.get(commune.pk, commune), AgencyLevel.COMMUNE)
            for commune in communes
        ]
        # Communes differ in size: log-normal weights (a city ward receives many times more).
        self.commune_cumulative = list(
            itertools.accumulate(rng.lognormvariate(0, 0.8) for _c in communes)
        )
        province_desk = centres.get(province.pk)
        by_key = {unit.unit_key: unit for unit in self.departments}
        self.province_desk = Desk(province, province_desk or province, AgencyLevel.PROVINCE)

        versions = list(
            ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED)
            .select_related("procedure")
            .prefetch_related(
                Prefetch(
                    "variants",
                    queryset=ProcedureVariant.objects.prefetch_related("channels").order_by(
                        "-is_default", "order", "pk"
                    ),
                ),
                "fees",
            )
            .order_by("procedure__code", "-number")
        )
        latest: dict[int, ProcedureVersion] = {}
        for version in versions:
            latest.setdefault(version.procedure_id, version)
        pools: dict[str, list[ProcedureInfo]] = {AgencyLevel.COMMUNE: [], AgencyLevel.PROVINCE: []}
        for version in latest.values():
            cases = tuple(self._case(version, variant) for variant in version.variants.all())
            if not cases:
                continue
            for level, pool in pools.items():
                if version.levels and level not in version.levels:
                    continue
                handling = (
                    by_key.get(version.implementing_unit_key)
                    if level == AgencyLevel.PROVINCE and version.implementing_unit_key
                    else None
                )
                pool.append(ProcedureInfo(version, cases, handling))
        # Zipf weights in an order where quick procedures tend to come first (certifications
        # and civil-status records are the bulk of a commune's work; permits are rarer).
        for level, pool in pools.items():
            pools[level] = [
                procedure
                for _key, procedure in sorted(
                    (
                        ((statutory_days(procedure) + 0.5) * rng.uniform(0.5, 2.0), procedure)
                        for procedure in pool
                    ),
                    key=lambda item: item[0],
                )
            ]
        self.commune_procedures = pools[AgencyLevel.COMMUNE] if self.commune_desks else []
        self.province_procedures = pools[AgencyLevel.PROVINCE]
        if not self.commune_procedures and not self.province_procedures:
            raise SyntheticError(
                f"no published procedure of the catalogue can be received in province "
                f"{province.code} (communes: {len(communes)}); load the catalogue first"
            )
        self.commune_zipf = zipf_cumulative(len(self.commune_procedures))
        self.province_zipf = zipf_cumulative(len(self.province_procedures))
        if not self.commune_procedures:
            self.province_share = 1.0
        elif not self.province_procedures:
            self.province_share = 0.0
        else:
            self.province_share = PROVINCE_SHARE
        self._balance_channels()

        # The province's working days in the range (reception days).
        self.days = [
            day
            for day in (start + dt.timedelta(days=n) for n in range((end - start).days + 1))
            if self.calendar(province, day).is_working_day(day)
        ]
        if not self.days:
            raise SyntheticError(f"no working day between {start} and {end}")

    @staticmethod
    def _case(version: ProcedureVersion, variant: ProcedureVariant) -> Case:
        offered = {option.channel for option in variant.channels.all()} or set(CHANNEL_SHARES)
        if not version.offers_online:
            offered.discard(Channel.ONLINE)
        channels = tuple(c for c in CHANNEL_SHARES if c in offered) or (Channel.COUNTER,)
        rules = {int(channel): time_rule(variant, channel) for channel in channels}
        fee = sum(
            (
                fee.amount
                for fee in version.fees.all()
                if fee.amount and fee.variant_id in (None, variant.pk)
            ),
            Decimal(0),
        )
        return Case(version, variant, channels, rules, fee or Decimal(50000))

    def _balance_channels(self) -> None:
        """Online is offered for some cases only: weight it where it is, so that about 45 % of
        all dossiers are online (at most 90 % of a case's), the rest at the counter and by post
        in the proportion 50 : 5."""
        capable = 0.0
        levels = (
            (1 - self.province_share, self.commune_procedures, self.commune_zipf),
            (self.province_share, self.province_procedures, self.province_zipf),
        )
        for share, pool, zipf in levels:
            previous = 0.0
            for procedure, cumulative in zip(pool, zipf, strict=True):
                weight = share * (cumulative - previous) / zipf[-1]
                previous = cumulative
                for case, case_share in case_shares(procedure.cases):
                    if Channel.ONLINE in case.channels:
                        capable += weight * case_share
        online = min(0.9, CHANNEL_SHARES[Channel.ONLINE] / capable) if capable else 0.0
        other = sum(v for c, v in CHANNEL_SHARES.items() if c != Channel.ONLINE)
        weights = {Channel.ONLINE: online} | {
            c: v / other * (1 - online) for c, v in CHANNEL_SHARES.items() if c != Channel.ONLINE
        }
        for _share, pool, _zipf in levels:
            for procedure in pool:
                for case in procedure.cases:
                    case.channel_cumulative = tuple(
                        itertools.accumulate(weights[Channel(c)] for c in case.channels)
                    )

    def calendar(self, agency: Agency, day: dt.date) -> WorkCalendar:
        """The agency's calendar around ``day``, as the services build it (``calendar_for``
        depends on the year only, so one per agency and year)."""
        return self.calendar_of_year(agency, day.year)

    def warm(self) -> None:
        """Build every desk's calendars now (before forking: the processes inherit them)."""
        for desk in [*self.commune_desks, self.province_desk]:
            for year in range(self.start.year, self.end.year + 2):
                self.calendar_of_year(desk.desk, year)

    def calendar_of_year(self, agency: Agency, year: int) -> WorkCalendar:
        key = (self.province.pk if self.uniform_calendar else agency.pk, year)
        found = self._calendars.get(key)
        if found is None:
            found = self._calendars[key] = calendar_for(agency, around=dt.date(year, 7, 1))
        return found


def case_shares(cases: tuple[Case, ...]) -> list[tuple[Case, float]]:
    """How often each case is drawn (``Generator.dossier``)."""
    if len(cases) == 1:
        return [(cases[0], 1.0)]
    rest = (1 - DEFAULT_CASE_SHARE) / (len(cases) - 1)
    return [(cases[0], DEFAULT_CASE_SHARE), *((case, rest) for case in cases[1:])]


def statutory_days(procedure: ProcedureInfo) -> float:
    variant = procedure.cases[0].variant
    return working_days(variant.time_amount, variant.time_unit)


def working_days(amount: Decimal, unit: str) -> float:
    value = float(amount)
    if unit == TimeUnit.WORKING_HOURS:
        return value / 8
    if unit == TimeUnit.WORKING_DAYS:
        return value
    if unit == TimeUnit.CALENDAR_DAYS:
        return value * 5 / 7
    return 0.0
