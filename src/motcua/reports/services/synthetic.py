"""Synthetic dossiers: a realistic province for benchmarks and demo history (issue 6).

``synthetic_generate(province=…, dossiers=N)`` writes N received dossiers at one province's
one-stop desks, as ``motcua bench generate`` does; ``synthetic_delete(province=…)`` removes
them again. They are recognised by their code, ``SYN-<province code>-<number>``, and
``other_code = "synthetic"``.

What is generated, per dossier (shares are of all dossiers; every draw comes from a
``random.Random`` seeded by the seed, the province and the dossier's number, so a dossier is the
same whether the province is made in one run or grown run after run, and the same seed gives the
same province):

- **Where**: one of the province's communes (its People's Committees in the agency tree), each
  with its own size (log-normal weights), received at the commune's public administrative
  service centre (or the commune itself when it has none); or, for a fifth, at the province's
  service centre (or the province itself), handled by the department that implements the
  procedure.
- **What**: a published procedure of the catalogue at the desk's level (commune-level procedures
  at communes, province-level at the province), Zipf-weighted (``1/rank``) in a seeded order
  where quick procedures tend to come first, so that a few dominate; the default case three
  times in four.
- **Channel**: about 45 % online, the rest at the counter and by post (50 : 5) among the
  channels a case offers; online is weighted up where a case offers it, to make up for the
  cases that do not.
- **When**: received on a working day of the province's calendar, within working hours, over
  ``months`` months ending on ``end`` (default today, and never after now). The appointment is
  computed by the real clock (``dossiers.clock.appointment``) with the receiving desk's calendar
  (``org.services.calendar.calendar_for``) and the case's time rule (``time_rule``), as at
  reception. The whole range uses today's agency tree and the latest published version of
  each procedure, even before they were in force, so that years of history exist to measure.
- **Story** (one per dossier): resolved (75 %: drawn 70 % early, 27 % on time and 3 % late
  against the statutory appointment where it allows — a same-day procedure cannot finish
  early; 90 % of results returned, an electronic result for most online ones); still open
  (8 %: procedures of a day or more, most received within their processing time before
  ``end``, some long overdue); one supplementation (6 %: the clock paused 1–10 working days,
  the appointment moved by exactly the paused working time as ``dossier_supply`` does,
  ``SupplementRequest.original_due_before`` kept); two supplementations (1 %); an extension
  (3 %: an ``Extension`` row, ``due_at`` moved, ``original_due_at`` unchanged, so mostly late);
  stopped or withdrawn (3 %); a payment requested and paid (4 %, some online). On top, 5 % go
  to a province department for a slice of the time left and come back (a ``Transfer`` row, liên
  thông), and 95 % were accepted by the national portal (``dvcqg_synced_at``). A step that
  would happen after ``end`` does not happen: the dossier stays where it was (received recently
  and still in process, waiting for the applicant, resolved and not yet returned, …).

The dossiers' fields are filled as the import of historical dossiers fills them (state, clock
fields, timeliness by ``dossier_convention()`` through ``clock.classify``, counters, flags,
result and return), with an applicant drawn from common Vietnamese names. No steps, components,
fees or ratings are written. **By default no events are written**: the benchmarks measure the
reports, which read the rollups, not the events. With ``events=True`` each dossier gets its
minimal hash-chained history through ``events_bulk_append``, the importer's helper.

Writing is done in batches, each in its own transaction (``bulk_create``; on PostgreSQL the
dossiers by ``COPY``) and followed by ``rollup_refresh_many`` for the batch, so that the facts
and rollups are maintained exactly as for an import. ``jobs`` > 1 writes from several processes.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
import multiprocessing
import random
import time
import uuid
import zlib
import zoneinfo
from calendar import monthrange
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from queue import Empty
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from motcua.catalog.choices import ApplicantType, Channel, VersionStatus
from motcua.catalog.models import ProcedureVariant, ProcedureVersion
from motcua.core.bulk import bulk_insert
from motcua.core.workcal import TimeUnit, WorkCalendar
from motcua.dossiers import clock, policies, transitions
from motcua.dossiers.choices import (
    OPEN_STATES,
    Action,
    DossierState,
    ResultKind,
    ReturnMethod,
    SupplementPhase,
    Timeliness,
)
from motcua.dossiers.models import (
    Dossier,
    DossierEvent,
    Extension,
    PaymentRequest,
    SupplementRequest,
    Transfer,
)
from motcua.dossiers.regimes import regime_for
from motcua.dossiers.services._common import dossier_convention, time_rule
from motcua.dossiers.services.events import events_bulk_append
from motcua.dossiers.services.files import stored_file_put
from motcua.org.choices import AgencyKind, AgencyLevel
from motcua.org.models import Agency, CalendarOverride
from motcua.org.models import WorkingHours as WorkingHoursRow
from motcua.org.services.calendar import calendar_for
from motcua.reports.services.rollups import rollup_add_new, rollup_rebuild

MARK = "synthetic"  # Dossier.other_code of every synthetic dossier
_ZONE = zoneinfo.ZoneInfo(settings.TIME_ZONE)
BATCH = 5000

# Channel mix (SPEC.md §1.3), among the channels a case offers.
CHANNEL_SHARES = {Channel.ONLINE: 0.45, Channel.COUNTER: 0.50, Channel.POST: 0.05}
PROVINCE_SHARE = 0.2  # dossiers received at the province's own desk
# One story per dossier (the shares add up to 1).
STORIES = (
    ("resolved", 0.75),
    ("open", 0.08),
    ("supplement", 0.06),
    ("supplement2", 0.01),
    ("extension", 0.03),
    ("stopped", 0.03),
    ("payment", 0.04),
)
TRANSFER_SHARE = 0.05  # on top of the story: a part handled by a province department
EARLY, LATE = 0.70, 0.03  # of resolved dossiers with an appointment; the rest on time
DEFAULT_CASE_SHARE = 0.75
RETURNED_SHARE = 0.9
REFUSED_SHARE = 0.03
OPEN_OVERDUE_SHARE = 0.3
SYNCED_SHARE = 0.95  # sent to the national portal (766 component 1.4)
# The electronic result every synthetic dossier with one points at (a one-page PDF).
E_RESULT = b"%PDF-1.4\n% motcua synthetic result\n%%EOF\n"

_RETURN_METHOD = {
    Channel.COUNTER: ReturnMethod.COUNTER,
    Channel.ONLINE: ReturnMethod.ONLINE,
    Channel.POST: ReturnMethod.POST,
}

# Common Vietnamese names; family names with rough weights (% of the population).
_FAMILY = (
    ("Nguyễn", 38), ("Trần", 11), ("Lê", 9.5), ("Phạm", 7), ("Hoàng", 4), ("Huỳnh", 1.5),
    ("Phan", 4.5), ("Vũ", 3), ("Võ", 1), ("Đặng", 2.1), ("Bùi", 2), ("Đỗ", 1.4), ("Hồ", 1.3),
    ("Ngô", 1.3), ("Dương", 1), ("Lý", 0.5), ("Mai", 0.5), ("Trịnh", 0.6), ("Lương", 0.4),
)  # fmt: skip
_MIDDLE = {
    "m": ("Văn", "Đức", "Minh", "Quốc", "Hữu", "Thành", "Xuân", "Ngọc"),
    "f": ("Thị", "Ngọc", "Thu", "Thanh", "Minh", "Hồng", "Thùy", "Bích"),
}
_GIVEN = {
    "m": ("An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hùng", "Huy", "Khánh", "Long",
          "Nam", "Phong", "Phúc", "Quang", "Sơn", "Thắng", "Trung", "Tuấn", "Việt"),
    "f": ("Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai",
          "Nga", "Ngân", "Nhung", "Phương", "Tâm", "Thảo", "Trang", "Vy", "Yến"),
}  # fmt: skip
_BUSINESS = ("Thương mại", "Dịch vụ", "Xây dựng", "Vận tải", "Nông sản", "Du lịch")
_EXTENSION_REASONS = ("Cần xác minh thêm thông tin", "Chờ ý kiến của cơ quan phối hợp")
_STOP_REASONS = ("Người nộp không bổ sung hồ sơ đúng hạn", "Không còn căn cứ giải quyết")
_FAMILY_CUMULATIVE = list(itertools.accumulate(weight for _name, weight in _FAMILY))


class SyntheticError(ValueError):
    """The province or the catalogue cannot give synthetic dossiers (the command shows it)."""


@dataclass(frozen=True)
class GenerateReport:
    created: int
    first_number: int  # of the dossiers created this time (their codes' numbers)
    seconds: float
    states: Counter[str]
    events: int = 0


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds > 0 else 0.0


ProgressCallback = Callable[[Progress], None]


# -- the province: desks, procedures, calendars ------------------------------------------------


@dataclass
class _Case:
    """A case (variant) of a procedure version, with what the generator needs of it."""

    version: ProcedureVersion
    variant: ProcedureVariant
    channels: tuple[int, ...]  # offered
    rules: dict[int, tuple[Decimal, str]]  # channel → (amount, unit)
    fee: Decimal
    channel_cumulative: tuple[float, ...] = ()  # the mix (``_Province._balance_channels``)


@dataclass(frozen=True)
class _Procedure:
    version: ProcedureVersion
    cases: tuple[_Case, ...]  # the default case first
    handling: Agency | None  # province level: the implementing department, if any


@dataclass(frozen=True)
class _Desk:
    committee: Agency  # the commune or the province
    desk: Agency  # where dossiers are received
    level: str


def _weighted(rng: random.Random, cumulative: Sequence[float]) -> int:
    return bisect.bisect_right(cumulative, rng.random() * cumulative[-1])


def _zipf(count: int) -> list[float]:
    return list(itertools.accumulate(1.0 / rank for rank in range(1, count + 1)))


class _Province:
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
            _Desk(commune, centres.get(commune.pk, commune), AgencyLevel.COMMUNE)
            for commune in communes
        ]
        # Communes differ in size: log-normal weights (a city ward receives many times more).
        self.commune_cumulative = list(
            itertools.accumulate(rng.lognormvariate(0, 0.8) for _c in communes)
        )
        province_desk = centres.get(province.pk)
        by_key = {unit.unit_key: unit for unit in self.departments}
        self.province_desk = _Desk(province, province_desk or province, AgencyLevel.PROVINCE)

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
        pools: dict[str, list[_Procedure]] = {AgencyLevel.COMMUNE: [], AgencyLevel.PROVINCE: []}
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
                pool.append(_Procedure(version, cases, handling))
        # Zipf weights in an order where quick procedures tend to come first (certifications
        # and civil-status records are the bulk of a commune's work; permits are rarer).
        for level, pool in pools.items():
            pools[level] = [
                procedure
                for _key, procedure in sorted(
                    (
                        ((_statutory_days(procedure) + 0.5) * rng.uniform(0.5, 2.0), procedure)
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
        self.commune_zipf = _zipf(len(self.commune_procedures))
        self.province_zipf = _zipf(len(self.province_procedures))
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
    def _case(version: ProcedureVersion, variant: ProcedureVariant) -> _Case:
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
        return _Case(version, variant, channels, rules, fee or Decimal(50000))

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
                for case, case_share in _case_shares(procedure.cases):
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


# -- one dossier ---------------------------------------------------------------------------------


@dataclass
class _Made:
    """One synthetic dossier: its fields, the rows that belong to it and its history."""

    fields: dict[str, Any]
    version: ProcedureVersion
    receiving: Agency
    handling: Agency
    supplements: list[dict[str, Any]] = field(default_factory=list)
    extension: dict[str, Any] | None = None
    payment: dict[str, Any] | None = None
    transfer: dict[str, Any] | None = None
    events: list[tuple[Action, dt.datetime, str, str, dict[str, Any]]] = field(default_factory=list)


class _Stop(Exception):
    """The next step would happen after the end of the history."""


class _Dossier:
    """Simulates one dossier's life step by step, as the services would change its fields."""

    def __init__(
        self,
        ctx: _Province,
        rng: random.Random,
        *,
        desk: _Desk,
        procedure: _Procedure,
        case: _Case,
        channel: int,
        cutoff: dt.datetime,
        convention: str,
        transfer: bool,
    ) -> None:
        self.ctx, self.rng, self.cutoff, self.convention = ctx, rng, cutoff, convention
        self.transfer_wanted = transfer
        self.desk, self.procedure, self.case, self.channel = desk, procedure, case, channel
        self.receiving = desk.desk
        # people_committee(desk), or at the province the department implementing the procedure
        self.handling = procedure.handling or desk.committee
        self.state = DossierState.DRAFT
        self.events: list[tuple[Action, dt.datetime, str, str, dict[str, Any]]] = []
        self.due: dt.datetime | None = None
        self.original: dt.datetime | None = None
        self.paused_at: dt.datetime | None = None
        self.paused_seconds = 0
        self.supplements: list[dict[str, Any]] = []
        self.extension: dict[str, Any] | None = None
        self.payment: dict[str, Any] | None = None
        self.transfer: dict[str, Any] | None = None
        self.fields: dict[str, Any] = {}

    # ---- time ------------------------------------------------------------------------------
    def cal(self, moment: dt.datetime) -> WorkCalendar:
        """The receiving desk's calendar around ``moment`` (as ``_common._calendar``)."""
        return self.ctx.calendar_of_year(self.receiving, moment.astimezone(_ZONE).year)

    def later(self, moment: dt.datetime, hours: float) -> dt.datetime:
        """``moment`` plus ``hours`` of working time (``add_working_time``; whole working days
        are stepped over directly, which gives the same instant when ``moment`` is inside a
        working interval or at its end)."""
        calendar = self.cal(moment)
        seconds = round(max(hours, 0) * 3600)
        day_length = calendar.hours.day_length.total_seconds()
        whole, rest = divmod(seconds, int(day_length))
        if whole >= 1:
            local = moment.astimezone(calendar.tz)
            wall, day = local.time(), local.date()
            (am_start, am_end), (pm_start, pm_end) = calendar.hours.intervals
            inside = am_start < wall <= am_end or pm_start < wall <= pm_end
            if inside and calendar.is_working_day(day):
                for _n in range(int(whole)):
                    day = calendar.next_working_day(day)
                moment = dt.datetime.combine(day, wall, tzinfo=calendar.tz)
                seconds = rest
                calendar = self.cal(moment)
        return calendar.add_working_time(moment, dt.timedelta(seconds=seconds))

    def working_hours(self, start: dt.datetime, end: dt.datetime) -> float:
        return self.cal(start).working_time_between(start, end).total_seconds() / 3600

    # ---- steps -----------------------------------------------------------------------------
    def act(self, action: Action, at: dt.datetime, **payload: Any) -> None:
        """Record the step, or stop the story if it would happen after the end (reception
        always happens: the reception day was drawn before the end)."""
        if at > self.cutoff and action not in (Action.SUBMIT, Action.RECEIVE, Action.INTAKE):
            raise _Stop
        before = self.state
        self.state = (
            DossierState.RECEIVED if action is Action.INTAKE else transitions.target(action, before)
        )
        self.events.append(
            (action, at, "" if action is Action.INTAKE else before, self.state, payload)
        )

    def receive(self, received: dt.datetime, submitted: dt.datetime) -> None:
        calendar = self.cal(received)
        received = clock.reception_time(calendar, received)
        amount, unit = self.case.rules[self.channel]
        self.due = self.original = clock.appointment(calendar, received, amount, unit)
        self.fields |= {"submitted_at": submitted, "received_at": received}
        payload = {"received_at": _iso(received), "due_at": _iso(self.due)}
        if self.channel == Channel.COUNTER:
            self.act(Action.INTAKE, received, **payload)
        else:
            self.act(Action.SUBMIT, submitted, channel=self.channel)
            self.act(Action.RECEIVE, received, **payload)

    def handover(self, t: dt.datetime) -> dt.datetime:
        t = self.later(t, self.rng.uniform(0.1, 2))
        self.act(Action.HANDOVER, t)
        return t

    def left(self, t: dt.datetime) -> float:
        """Working hours from ``t`` to the appointment (0 without one, or past it)."""
        return self.working_hours(t, self.due) if self.due is not None and self.due > t else 0.0

    def send_to_partner(self, t: dt.datetime) -> dt.datetime:
        """The partner's part gets a slice of the time left (SPEC.md §1.5)."""
        rng = self.rng
        partner = rng.choice(self.ctx.departments)
        if partner.pk == self.handling.pk or self.left(t) < 2:
            return t
        sent = self.before_due(t, 0.05, 0.2)
        hours = Decimal(max(1, round(self.left(sent) * rng.uniform(0.3, 0.6))))
        self.act(Action.TRANSFER, sent, to=partner.code)
        self.transfer = {
            "from_agency": self.handling,
            "to_agency": partner,
            "sent_at": sent,
            "hours": hours,
            "due_at": clock.step_due(self.cal(sent), sent, hours),
            "reason": "Liên thông",
        }
        self.handling = partner
        back = self.later(sent, float(hours) * rng.uniform(0.4, 1.1))
        self.act(Action.TRANSFER_BACK, back)
        self.transfer["returned_at"] = back
        self.handling = self.transfer["from_agency"]
        return back

    def before_due(self, t: dt.datetime, low: float, high: float) -> dt.datetime:
        """A moment between ``t`` and the appointment (a share of the working time left)."""
        if self.due is None or self.due <= t:
            return self.later(t, self.rng.uniform(0.5, 4))
        return self.later(t, self.working_hours(t, self.due) * self.rng.uniform(low, high))

    def supplement(self, t: dt.datetime) -> dt.datetime:
        rng = self.rng
        requested = self.before_due(t, 0.1, 0.7)
        self.act(Action.REQUEST_SUPPLEMENT, requested, due_before=_iso(self.due))
        request: dict[str, Any] = {
            "requested_at": requested,
            "due_before": self.due,
            "original_due_before": self.original,
        }
        self.supplements.append(request)
        self.paused_at = requested
        days = rng.randint(1, 10)  # the applicant takes 1–10 working days
        supplied = self.later(requested, max(1.0, 8 * days + rng.uniform(-4, 4)))
        calendar = self.cal(supplied)
        # As ``dossier_supply``: both appointments move by exactly the paused working time.
        if self.due is not None:
            new_due, pause = clock.resume(calendar, self.due, requested, supplied)
        else:
            new_due, pause = None, clock.paused_time(calendar, requested, supplied)
        seconds = int(pause.total_seconds())
        self.act(Action.SUPPLY, supplied, paused_seconds=seconds, due_after=_iso(new_due))
        request |= {"supplied_at": supplied, "due_after": new_due, "paused_seconds": seconds}
        self.due = new_due
        if self.original is not None:
            self.original = calendar.add_working_time(self.original, pause)
        self.paused_at = None
        self.paused_seconds += seconds
        return supplied

    def pay(self, t: dt.datetime) -> dt.datetime:
        """The clock runs on while the applicant pays (SPEC.md §1.7), mostly in time."""
        requested = self.before_due(t, 0.1, 0.5)
        self.act(Action.REQUEST_PAYMENT, requested, amount=str(self.case.fee))
        self.payment = {"amount": self.case.fee, "requested_at": requested}
        left = self.left(requested)
        paid = self.later(
            requested, left * self.rng.uniform(0.1, 0.9) if left else self.rng.uniform(0.5, 8)
        )
        online = self.rng.random() < (0.7 if self.channel == Channel.ONLINE else 0.15)
        method = "online" if online else "cash"
        self.act(Action.CONFIRM_PAYMENT, paid, amount=str(self.case.fee), method=method)
        self.payment |= {"paid_at": paid, "method": method}
        self.fields |= {"paid": True, "paid_online": online}
        return paid

    def extend(self, t: dt.datetime) -> dt.datetime:
        assert self.due is not None
        created = self.before_due(t, 0.5, 0.95)
        previous = self.due
        new_due = self.cal(previous).add_working_time(
            previous, dt.timedelta(hours=8 * self.rng.randint(2, 10))
        )
        self.act(Action.EXTEND, created, previous_due=_iso(previous), new_due=_iso(new_due))
        self.extension = {
            "created_at": created,
            "reason": self.rng.choice(_EXTENSION_REASONS),
            "original_due": self.original or previous,
            "previous_due": previous,
            "new_due": new_due,
            "regime": regime_for(timezone.localdate(self.fields["received_at"])),
        }
        self.due = new_due
        self.fields |= {"apology_issued": True, "extension_count": 1}
        return created

    def stop(self, t: dt.datetime) -> None:
        rng = self.rng
        at = self.later(t, rng.uniform(2, 40))
        if rng.random() < 0.5:
            self.act(Action.REQUEST_WITHDRAWAL, at)
            self.fields["state_before_withdrawal"] = self.events[-1][2]
            at = self.later(at, rng.uniform(1, 16))
            self.act(Action.CONFIRM_WITHDRAWAL, at)
        else:
            self.act(Action.STOP, at, reason=rng.choice(_STOP_REASONS))
        self.fields |= {"stopped_at": at, "finished_at": at, "timeliness": Timeliness.ON_TIME}

    def finish_time(self, t: dt.datetime) -> dt.datetime:
        """When processing finishes: early, on time or late against the statutory appointment
        (a calendar date, SPEC.md §3.5 (a)), or after an extension mostly late."""
        rng = self.rng
        base = self.original
        if base is None:  # resolved on the spot
            return self.later(t, rng.uniform(0.1, 1))
        if self.extension is not None:  # between the statutory and the extended appointment
            start = max(t, base)
            return self.later(start, self.left(start) * rng.uniform(0.1, 1))
        draw = rng.random()
        if draw < LATE:
            days = min(40, 1 + int(rng.expovariate(1 / 3)))
            return self.later(max(t, base), 8 * days + rng.uniform(0, 8))
        calendar = self.cal(base)
        local_due = base.astimezone(calendar.tz)
        due_day_start = calendar.normalise(
            dt.datetime.combine(local_due.date(), dt.time.min, tzinfo=calendar.tz)
        )
        if draw < LATE + EARLY and due_day_start > t:  # before the appointment's date
            window = self.working_hours(t, due_day_start)
            if window > 0.05:
                return self.later(t, window * rng.uniform(0.02, 0.98))
        low = max(t, due_day_start)  # on the appointment's date, by the appointment
        if low >= base:
            return low
        share = dt.timedelta(seconds=int((base - low).total_seconds() * rng.random()))
        return min(calendar.normalise(low + share), base)

    def resolve(self, t: dt.datetime) -> None:
        rng = self.rng
        finished = self.finish_time(t)
        kind = ResultKind.REFUSAL if rng.random() < REFUSED_SHARE else ResultKind.APPROVAL
        self.act(Action.RESOLVE, finished, result_kind=str(kind))
        timeliness = clock.classify(
            self.convention,
            finished=finished,
            due=self.original,
            calendar=self.cal(finished),
            supplement_requests=len(self.supplements),
        )
        self.fields |= {
            "finished_at": finished,
            "timeliness": timeliness,
            "is_overdue": timeliness == Timeliness.LATE,
            "result_kind": kind,
        }
        if kind == ResultKind.REFUSAL:
            self.fields["result_note"] = "Không đủ điều kiện theo quy định"
        elif (
            self.ctx.e_result_id is not None
            and self.procedure.version.result_is_document
            and rng.random() < (0.8 if self.channel == Channel.ONLINE else 0.4)
        ):
            self.fields |= {
                "result_file_id": self.ctx.e_result_id,
                "result_file_name": f"{self.fields['code']}.pdf",
            }
        if rng.random() < RETURNED_SHARE:
            returned = self.later(finished, rng.uniform(0, 24))
            self.act(Action.RETURN_RESULT, returned)
            self.fields |= {
                "returned_at": returned,
                "return_method": _RETURN_METHOD[Channel(self.channel)],
                "result_recipient": self.fields["applicant_name"],
            }

    # ---- the story -------------------------------------------------------------------------
    def live(self, story: str, received: dt.datetime, submitted: dt.datetime) -> None:
        self.receive(received, submitted)
        try:
            t = self.handover(self.fields["received_at"])
            if self.transfer_wanted:
                t = self.send_to_partner(t)
            if story == "open":
                return
            if story == "stopped":
                self.stop(t)
                return
            if story in ("supplement", "supplement2"):
                t = self.supplement(t)
                if story == "supplement2":
                    t = self.supplement(t)
            elif story == "payment":
                t = self.pay(t)
            elif story == "extension" and self.due is not None:
                t = self.extend(t)
            self.resolve(t)
        except _Stop:
            if self.state == DossierState.SUPPLEMENT_REQUESTED:
                self.paused_at = self.supplements[-1]["requested_at"]
            if self.transfer is not None and "returned_at" not in self.transfer:
                self.handling = self.transfer["to_agency"]

    def made(self) -> _Made:
        state = self.state
        fields = self.fields
        fields |= {
            "state": state,
            "due_at": self.due,
            "original_due_at": self.original,
            "paused_at": self.paused_at if state == DossierState.SUPPLEMENT_REQUESTED else None,
            "paused_seconds": self.paused_seconds,
            "supplement_count": len(self.supplements),
            "interlinked": self.procedure.version.is_interlinked or self.transfer is not None,
        }
        if state in OPEN_STATES:
            fields["is_overdue"] = state != DossierState.SUPPLEMENT_REQUESTED and clock.is_overdue(
                self.due, self.cutoff
            )
        last = self.events[-1][1]
        if self.rng.random() < SYNCED_SHARE:  # the national portal accepted its last change
            fields["dvcqg_synced_at"] = min(last + dt.timedelta(minutes=10), self.cutoff)
        return _Made(
            fields=fields,
            version=self.case.version,
            receiving=self.receiving,
            handling=self.handling,
            supplements=self.supplements,
            extension=self.extension,
            payment=self.payment,
            transfer=self.transfer,
            events=self.events,
        )


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


# -- the generator -------------------------------------------------------------------------------


class _Generator:
    def __init__(
        self, province: Agency, *, seed: int, start: dt.date, end: dt.date, cutoff: dt.datetime
    ) -> None:
        self.ctx = _Province(province, seed=seed, start=start, end=end)
        # Per dossier: the seed, the province and the dossier's number.
        self.seed_base = (seed * 1_000_003 + zlib.crc32(province.code.encode())) * 1_000_000_007
        self.cutoff = cutoff
        self.convention = dossier_convention()
        self.prefix = code_prefix(province)
        self.story_cumulative = list(itertools.accumulate(share for _s, share in STORIES))
        digits = "".join(c for c in province.division_code or province.code if c.isdigit())
        self.id_prefix = f"{int(digits or 0):03d}"[-3:]  # an identity card's place code

    def _instant(self, rng: random.Random, day: dt.date, calendar: WorkCalendar) -> dt.datetime:
        """A moment within the working hours of ``day``."""
        hours = calendar.hours
        am = dt.datetime.combine(day, hours.am_end) - dt.datetime.combine(day, hours.am_start)
        pm = dt.datetime.combine(day, hours.pm_end) - dt.datetime.combine(day, hours.pm_start)
        offset = dt.timedelta(seconds=int(rng.random() * (am + pm).total_seconds()))
        start = hours.am_start if offset < am else hours.pm_start
        if offset >= am:
            offset -= am
        wall = dt.datetime.combine(day, start) + offset
        return wall.replace(tzinfo=calendar.tz)

    def _reception_index(self, rng: random.Random, story: str, case: _Case, channel: int) -> int:
        """The reception day, as an index in the province's working days."""
        days = self.ctx.days
        if story != "open":
            return int(rng.random() * len(days))
        # Open at the end: most received within their processing time, some long overdue.
        amount, unit = case.rules[channel]
        span = _working_days(amount, unit)
        if rng.random() < OPEN_OVERDUE_SHARE:
            back = math.ceil(span) + 1 + int(rng.expovariate(1 / 20))
        else:  # the appointment not before the end
            back = int(rng.random() * span)
        return max(0, len(days) - 1 - back)

    def dossier(self, number: int) -> _Made:
        rng = random.Random(self.seed_base + number)  # noqa: S311 - as above
        ctx = self.ctx
        story = STORIES[_weighted(rng, self.story_cumulative)][0]
        if rng.random() < ctx.province_share:
            desk, pool, zipf = ctx.province_desk, ctx.province_procedures, ctx.province_zipf
        else:
            desk = ctx.commune_desks[_weighted(rng, ctx.commune_cumulative)]
            pool, zipf = ctx.commune_procedures, ctx.commune_zipf
        procedure = pool[_weighted(rng, zipf)]
        for _attempt in range(10):  # dossiers left open are of the longer procedures
            if story != "open" or _statutory_days(procedure) >= 1:
                break
            procedure = pool[_weighted(rng, zipf)]
        cases = procedure.cases
        case = (
            cases[0]
            if len(cases) == 1 or rng.random() < DEFAULT_CASE_SHARE
            else rng.choice(cases[1:])
        )
        channel = case.channels[_weighted(rng, case.channel_cumulative)]

        life = _Dossier(
            ctx,
            rng,
            desk=desk,
            procedure=procedure,
            case=case,
            channel=channel,
            cutoff=self.cutoff,
            convention=self.convention,
            transfer=bool(ctx.departments) and rng.random() < TRANSFER_SHARE,
        )
        index = self._reception_index(rng, story, case, channel)
        while True:  # never after the end (today: not later than now)
            day = ctx.days[index]
            received = self._instant(rng, day, ctx.calendar(desk.desk, day))
            if received <= self.cutoff or index == 0:
                break
            index -= 1
        if channel == Channel.ONLINE:  # submitted at any hour before, received in working time
            submitted = received - dt.timedelta(minutes=int(rng.random() * 20 * 60))
        elif channel == Channel.POST:
            submitted = received - dt.timedelta(hours=rng.uniform(24, 72))
        else:
            submitted = received
        life.fields = self._applicant(rng, desk) | {
            "code": f"{self.prefix}{number:09d}",
            "other_code": MARK,
            "uuid": uuid.UUID(int=rng.getrandbits(128), version=4),
            "procedure_version_id": case.version.pk,
            "variant_id": case.variant.pk,
            "receiving_agency_id": desk.desk.pk,
            "channel": channel,
            "summary": case.version.name[:1000],
            "digitised": rng.random() < 0.6,
        }
        life.live(story, received, submitted)
        made = life.made()
        made.fields["handling_agency_id"] = made.handling.pk
        return made

    def _applicant(self, rng: random.Random, desk: _Desk) -> dict[str, Any]:
        family = _FAMILY[_weighted(rng, _FAMILY_CUMULATIVE)][0]
        sex = "m" if rng.random() < 0.5 else "f"
        person = f"{family} {rng.choice(_MIDDLE[sex])} {rng.choice(_GIVEN[sex])}"
        commune = (
            desk.committee
            if desk.level == AgencyLevel.COMMUNE or not self.ctx.commune_desks
            else rng.choice(self.ctx.commune_desks).committee
        )
        fields: dict[str, Any] = {
            "applicant_province_id": self.ctx.province.pk,
            "applicant_commune_id": commune.pk if commune.kind == AgencyKind.COMMUNE else None,
            "applicant_address": f"Thôn {rng.randint(1, 15)}, {commune.short_name or commune.name}",
            "applicant_phone": f"0{rng.choice('35789')}{rng.randrange(10**8):08d}",
        }
        if rng.random() < 0.08:
            fields |= {
                "applicant_type": ApplicantType.BUSINESS,
                "applicant_name": f"Công ty TNHH {rng.choice(_BUSINESS)} {person.split()[-1]}",
                "applicant_id_number": f"{rng.randrange(10**9, 10**10)}",
                "representative_name": person,
            }
        else:
            born = rng.randint(1950, 2005)
            century = (0 if born < 2000 else 2) + (0 if sex == "m" else 1)
            fields |= {
                "applicant_type": ApplicantType.CITIZEN,
                "applicant_name": person,
                "applicant_id_number": (
                    f"{self.id_prefix}{century}{born % 100:02d}{rng.randrange(10**6):06d}"
                ),
            }
        return fields


def _case_shares(cases: tuple[_Case, ...]) -> list[tuple[_Case, float]]:
    """How often each case is drawn (``_Generator.dossier``)."""
    if len(cases) == 1:
        return [(cases[0], 1.0)]
    rest = (1 - DEFAULT_CASE_SHARE) / (len(cases) - 1)
    return [(cases[0], DEFAULT_CASE_SHARE), *((case, rest) for case in cases[1:])]


def _statutory_days(procedure: _Procedure) -> float:
    variant = procedure.cases[0].variant
    return _working_days(variant.time_amount, variant.time_unit)


def _working_days(amount: Decimal, unit: str) -> float:
    value = float(amount)
    if unit == TimeUnit.WORKING_HOURS:
        return value / 8
    if unit == TimeUnit.WORKING_DAYS:
        return value
    if unit == TimeUnit.CALENDAR_DAYS:
        return value * 5 / 7
    return 0.0


def code_prefix(province: Agency) -> str:
    return f"SYN-{province.code}-"


def synthetic_dossiers(province: Agency):
    """The synthetic dossiers of ``province``."""
    return Dossier.objects.filter(code__startswith=code_prefix(province), other_code=MARK)


def province_for(code: str) -> Agency:
    """The province whose agency code is ``code`` (e.g. ``38``)."""
    found = Agency.objects.filter(code=code, kind=AgencyKind.PROVINCE).first()
    if found is None:
        raise SyntheticError(f"there is no province with the agency code {code!r}")
    return found


def _next_number(province: Agency) -> int:
    """After the highest number taken (codes are zero-padded, so their order is the numbers';
    the range lets PostgreSQL walk the code index back from its end)."""
    prefix = code_prefix(province)
    last = (
        synthetic_dossiers(province)
        .filter(code__gte=prefix, code__lt=prefix[:-1] + chr(ord(prefix[-1]) + 1))
        .order_by("-code")
        .values_list("code", flat=True)
        .first()
    )
    tail = (last or "")[len(prefix) :]
    return int(tail) + 1 if tail.isdigit() else 0


def _months_before(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return dt.date(year, month, min(day.day, monthrange(year, month)[1]))


def synthetic_generate(
    *,
    province: Agency,
    dossiers: int,
    months: int = 36,
    end: dt.date | None = None,
    seed: int = 0,
    events: bool = False,
    batch: int = BATCH,
    jobs: int = 1,
    progress: ProgressCallback | None = None,
) -> GenerateReport:
    """Add ``dossiers`` synthetic received dossiers to ``province`` (numbered after those it
    already has), received over ``months`` months ending on ``end`` (default today).

    ``jobs`` > 1 (PostgreSQL, outside a transaction) writes batches from that many forked
    processes, each with its own connection and transactions; the dossiers are the same (each is
    drawn from its own number), only the order of their ids differs."""
    if dossiers < 0 or months < 1 or batch < 1 or jobs < 1:
        raise SyntheticError("dossiers ≥ 0, months ≥ 1, batch ≥ 1 and jobs ≥ 1 are required")
    now = timezone.now()
    end = end or timezone.localdate(now)
    start = _months_before(end, months) + dt.timedelta(days=1)
    zone = timezone.get_current_timezone()
    cutoff = min(dt.datetime.combine(end, dt.time(23, 59, 59), tzinfo=zone), now)
    generator = _Generator(province, seed=seed, start=start, end=end, cutoff=cutoff)
    if dossiers:
        generator.ctx.e_result_id = stored_file_put(content=E_RESULT, name="result.pdf").pk
    first = _next_number(province)
    batches = [
        range(first + offset, first + min(dossiers, offset + batch))
        for offset in range(0, dossiers, batch)
    ]
    started = time.perf_counter()
    parallel = connection.vendor == "postgresql" and not connection.in_atomic_block
    if jobs > 1 and len(batches) > 1 and parallel:
        states, written = _in_processes(generator, batches, jobs, events, progress, started)
    else:
        states, written = Counter(), 0
        done = 0
        for numbers in batches:
            batch_states, batch_events = _batch(generator, numbers, events)
            states.update(batch_states)
            written += batch_events
            done += len(numbers)
            if progress is not None:
                progress(Progress(done, dossiers, time.perf_counter() - started))
    return GenerateReport(
        created=dossiers,
        first_number=first,
        seconds=time.perf_counter() - started,
        states=states,
        events=written,
    )


def _batch(generator: _Generator, numbers: range, events: bool) -> tuple[Counter[str], int]:
    made = [generator.dossier(number) for number in numbers]
    with transaction.atomic():
        written = _write(made, events=events)
    return Counter(str(m.fields["state"]) for m in made), written


def _in_processes(
    generator: _Generator,
    batches: list[range],
    jobs: int,
    events: bool,
    progress: ProgressCallback | None,
    started: float,
) -> tuple[Counter[str], int]:
    """Write the batches from ``jobs`` forked processes (the generator, with its calendars, is
    inherited). Two transactions may touch the same month and year rollup rows; the rollups
    lock their keys in sorted order, so one waits for the other, never a deadlock."""
    generator.ctx.warm()
    context = multiprocessing.get_context("fork")
    connections.close_all()  # each process opens its own
    queue = context.Queue()
    workers = [
        context.Process(target=_worker, args=(generator, batches[k::jobs], events, queue))
        for k in range(jobs)
    ]
    for worker in workers:
        worker.start()
    total = sum(len(numbers) for numbers in batches)
    states: Counter[str] = Counter()
    written = done = 0
    errors: list[str] = []
    running = len(workers)
    try:
        while running:
            try:
                kind, payload = queue.get(timeout=1)
            except Empty:
                if not any(worker.is_alive() for worker in workers):
                    break  # died without a word
                continue
            if kind == "batch":
                done += payload
                if progress is not None:
                    progress(Progress(done, total, time.perf_counter() - started))
            else:
                running -= 1
                if kind == "done":
                    states.update(payload[0])
                    written += payload[1]
                else:
                    errors.append(payload)
    finally:
        for worker in workers:
            worker.join()
    failed = [worker.exitcode for worker in workers if worker.exitcode]
    if errors or failed or running:
        raise SyntheticError(f"a generating process failed: {errors or failed}")
    return states, written


def _worker(generator: _Generator, batches: list[range], events: bool, queue) -> None:
    try:
        states: Counter[str] = Counter()
        written = 0
        for numbers in batches:
            batch_states, batch_events = _batch(generator, numbers, events)
            states.update(batch_states)
            written += batch_events
            queue.put(("batch", len(numbers)))
        queue.put(("done", (dict(states), written)))
    except Exception as error:  # reported to the parent, which raises
        queue.put(("error", f"{type(error).__name__}: {error}"))
    finally:
        connections.close_all()


def _write(made: list[_Made], *, events: bool) -> int:
    """Write a batch: the dossiers and their rows (``COPY`` on PostgreSQL), their events if
    asked, then their facts and rollups, projected from these objects (ADR 0004, as for an
    import; ``rollup_add_new`` says why that equals a recomputation)."""
    rows = bulk_insert(Dossier, [Dossier(**item.fields) for item in made])
    supplements: list[list[SupplementRequest]] = []
    payments: list[list[PaymentRequest]] = []
    for item, dossier in zip(made, rows, strict=True):
        dossier.procedure_version = item.version
        supplements.append(
            [
                SupplementRequest(
                    dossier=dossier,
                    phase=SupplementPhase.PROCESSING,
                    reason="Bổ sung giấy tờ còn thiếu",
                    items=["Giấy tờ còn thiếu"],
                    **request,
                )
                for request in item.supplements
            ]
        )
        payment = item.payment
        payments.append(
            []
            if payment is None
            else [PaymentRequest(dossier=dossier, description="Lệ phí", **payment)]
        )
        # What with_flag_data would annotate (no fee rows, components or ratings here).
        dossier._charged = payment is not None and payment["amount"] > 0  # type: ignore[attr-defined]
    bulk_insert(SupplementRequest, [row for rows_ in supplements for row in rows_])
    bulk_insert(PaymentRequest, [row for rows_ in payments for row in rows_])
    bulk_insert(
        Extension,
        [
            Extension(dossier=dossier, **item.extension)
            for item, dossier in zip(made, rows, strict=True)
            if item.extension is not None
        ],
    )
    bulk_insert(
        Transfer,
        [
            Transfer(dossier=dossier, **item.transfer)
            for item, dossier in zip(made, rows, strict=True)
            if item.transfer is not None
        ],
    )
    written = 0
    if events:
        histories = []
        for item, dossier in zip(made, rows, strict=True):
            histories.append(
                (
                    dossier,
                    [
                        {
                            "action": action,
                            "at": at,
                            "agency": item.receiving
                            if policies.RULES.get(action, ("receiving",))[0] == "receiving"
                            else item.handling,
                            "from_state": from_state,
                            "to_state": to_state,
                            "payload": payload,
                        }
                        for action, at, from_state, to_state, payload in item.events
                    ],
                )
            )
        written = events_bulk_append(histories)
    rollup_add_new(
        (dossier, supplements[i], payments[i])
        for i, dossier in enumerate(rows)
        if dossier.received_at is not None
    )
    return written


def synthetic_delete(
    *, province: Agency, batch: int = BATCH, progress: ProgressCallback | None = None
) -> int:
    """Remove the synthetic dossiers of ``province`` with their rows (events, supplementation
    requests, payments, extensions, transfers, facts), then rebuild the rollups. Returns the
    number of dossiers removed."""
    total = synthetic_dossiers(province).count()
    started = time.perf_counter()
    removed = 0
    while True:
        ids = list(synthetic_dossiers(province).order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            break
        with transaction.atomic():
            DossierEvent.objects.filter(dossier_id__in=ids).delete()  # PROTECT: first
            Dossier.objects.filter(pk__in=ids).only("pk").delete()
        removed += len(ids)
        if progress is not None:
            progress(Progress(removed, total, time.perf_counter() - started))
    rollup_rebuild()
    return removed
