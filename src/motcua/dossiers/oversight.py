"""The leaders' view of the back office (issue 5, item 6), read side only: how the dossiers of
an agency subtree stand, for the heads of units and agency leaders over it.

    may_oversee(actor) -> bool
    oversight_agencies(actor) -> QuerySet[Agency]          (the choice of agency)
    oversight_agency(actor, code) -> Agency                 (NotFound outside the scope)
    leaders_overview(actor, *, agency=None, now=None) -> Overview

What is counted (SPEC.md §7.3 "late dossiers by unit and step", "dossiers due within 24 h"):
- open dossiers by status: submitted and not yet finished (DRAFT and the terminal states
  REJECTED, STOPPED, RETURNED left out), by ``DossierState``;
- overdue: being worked on (``queues.WORKING``, the clock runs) past the appointment — the
  "Overdue" queue's rule; a dossier waiting for the applicant is paused, not overdue (§3.4) —
  by handling agency, by current step and by the step's assignee;
- due today: being worked on, with the appointment on today's date in Vietnam time;
- the on-time rate of the dossiers whose processing finished (RESOLVED, RETURNED) in this
  calendar month and the last: early + on time over all, as classified when they finished
  (``Dossier.timeliness``, against the statutory appointment: SPEC.md §3.5, by default the
  Report 06 convention of §7.1 cols. 8–10, comparing dates);
- to act on: the overdue and due-today dossiers, most urgent (earliest appointment) first.

Every figure is an aggregate query on the scoped queryset, so their number does not grow with
the number of dossiers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.errors import NotFound
from motcua.core.workcal import VIETNAM
from motcua.dossiers import policies
from motcua.dossiers.choices import DossierState, Timeliness
from motcua.dossiers.models import Dossier
from motcua.dossiers.queues import WORKING, _under
from motcua.org.choices import Role
from motcua.org.models import Agency
from motcua.org.policies import agencies_in_scope, held_roles, predecessor_paths, scope_paths

S = DossierState
LEADER_ROLES = (Role.UNIT_LEADER, Role.AGENCY_LEADER)
# received or on the way, not yet closed
OPEN = tuple(s for s in DossierState if s is not S.DRAFT and not s.is_terminal)
# processing finished with a result (approval or refusal), returned or not yet
FINISHED = (S.RESOLVED, S.RETURNED)
TO_ACT_ON_LIMIT = 20


@dataclass(frozen=True)
class Tally:
    """One bar of a chart and one row of its table."""

    key: str
    label: str
    count: int


@dataclass(frozen=True)
class OnTimeRate:
    """Dossiers finished in one calendar month, by timeliness (SPEC.md §3.5, §7.1)."""

    label: str
    month: dt.date  # its first day
    early: int
    on_time: int
    late: int

    @property
    def finished(self) -> int:
        return self.early + self.on_time + self.late

    @property
    def percent(self) -> float | None:
        """Early and on time, as a percentage of all finished (one decimal); None if none."""
        if not self.finished:
            return None
        return round(100 * (self.early + self.on_time) / self.finished, 1)


@dataclass(frozen=True)
class Overview:
    agency: Agency | None
    now: dt.datetime
    by_status: list[Tally]
    open_total: int
    overdue_total: int
    overdue_by_unit: list[Tally]
    overdue_by_step: list[Tally]
    overdue_by_official: list[Tally]
    due_today: int
    rates: tuple[OnTimeRate, OnTimeRate]  # this month, last month
    to_act_on: list[Dossier]


def may_oversee(actor) -> bool:
    """Heads of units and agency leaders (SPEC.md §1.2: they assign and answer for the time
    taken); everybody else is shown nothing."""
    if actor is None or not actor.is_authenticated:
        return False
    return actor.is_superuser or bool(held_roles(actor) & set(LEADER_ROLES))


def oversight_agencies(actor) -> QuerySet[Agency]:
    """The agencies a leader may look at: every agency under one where they hold a leader
    role, still in existence today (a merged agency's history counts with its successor)."""
    today = timezone.localdate()
    scoped = agencies_in_scope(actor, LEADER_ROLES[0]) | agencies_in_scope(actor, LEADER_ROLES[1])
    return scoped.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today)).order_by("path")


def oversight_agency(actor, code: str) -> Agency:
    """The agency ``code`` among ``oversight_agencies``; outside them it looks missing."""
    agency = oversight_agencies(actor).filter(code=code).first()
    if agency is None:
        raise NotFound(_("Agency not found."), code="agency_not_found")
    return agency


def _leader_paths(actor) -> list[str]:
    return list(dict.fromkeys(path for role in LEADER_ROLES for path in scope_paths(actor, role)))


def _scoped(actor, agency: Agency | None) -> QuerySet[Dossier]:
    """The actor's visible dossiers received or handled under ``agency`` — or, without one,
    under the agencies of their leader roles — including those of agencies merged into them."""
    qs = policies.visible_dossiers(actor)
    if agency is None and actor.is_superuser:
        return qs
    paths = [agency.path] if agency is not None else _leader_paths(actor)
    if paths:
        paths += predecessor_paths(paths)
    return qs.filter(_under("receiving_agency", paths) | _under("handling_agency", paths))


def _month_start(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, 1, tzinfo=VIETNAM)


def _previous_month(start: dt.datetime) -> dt.datetime:
    return _month_start((start - dt.timedelta(days=1)).date())


def _next_month(start: dt.datetime) -> dt.datetime:
    return _month_start((start + dt.timedelta(days=32)).date())


def _grouped(qs: QuerySet[Dossier], *fields: str) -> list[dict]:
    """One row per value of ``fields`` with its number of dossiers ``n``, largest first."""
    return list(qs.values(*fields).annotate(n=Count("pk")).order_by("-n", fields[0]))


def leaders_overview(
    actor, *, agency: Agency | None = None, now: dt.datetime | None = None
) -> Overview:
    """The figures of the leaders' view for ``actor``, over ``agency`` (already checked to be
    in scope, see ``oversight_agency``) or over everything they lead."""
    now = now or timezone.now()
    today = now.astimezone(VIETNAM).date()
    day_start = dt.datetime.combine(today, dt.time.min, tzinfo=VIETNAM)
    day_end = day_start + dt.timedelta(days=1)
    this_month = _month_start(today)
    months = (
        (_("This month"), this_month, _next_month(this_month)),
        (_("Last month"), _previous_month(this_month), this_month),
    )
    qs = _scoped(actor, agency)
    overdue = Q(state__in=WORKING, due_at__lt=now)

    states = dict(qs.filter(state__in=OPEN).values_list("state").annotate(n=Count("pk")).order_by())
    by_status = [Tally(state.value, str(state.label), states.get(state.value, 0)) for state in OPEN]

    finished = {
        f"m{i}_{kind}": Count(
            "pk",
            filter=Q(
                state__in=FINISHED, finished_at__gte=start, finished_at__lt=end, timeliness=kind
            ),
        )
        for i, (_label, start, end) in enumerate(months)
        for kind in Timeliness.values
    }
    totals = qs.aggregate(
        overdue=Count("pk", filter=overdue),
        due_today=Count(
            "pk", filter=Q(state__in=WORKING, due_at__gte=day_start, due_at__lt=day_end)
        ),
        **finished,
    )
    this, last = (
        OnTimeRate(
            label=f"{label} ({start:%m/%Y})",
            month=start.date(),
            early=totals[f"m{i}_{Timeliness.EARLY.value}"],
            on_time=totals[f"m{i}_{Timeliness.ON_TIME.value}"],
            late=totals[f"m{i}_{Timeliness.LATE.value}"],
        )
        for i, (label, start, _end) in enumerate(months)
    )

    late = qs.filter(overdue)
    by_unit = [
        Tally(row["handling_agency__code"], row["handling_agency__name"], row["n"])
        for row in _grouped(late, "handling_agency__code", "handling_agency__name")
    ]
    by_step = [
        Tally(
            row["current_step__name"] or "",
            row["current_step__name"] or _("No current step"),
            row["n"],
        )
        for row in _grouped(late, "current_step__name")
    ]
    by_official = [
        Tally(
            str(row["current_step__assignee"] or ""),
            row["current_step__assignee__full_name"]
            or row["current_step__assignee__username"]
            or _("Not assigned"),
            row["n"],
        )
        for row in _grouped(
            late,
            "current_step__assignee",
            "current_step__assignee__full_name",
            "current_step__assignee__username",
        )
    ]
    to_act_on = list(
        qs.filter(state__in=WORKING, due_at__lt=day_end)
        .select_related("procedure_version", "handling_agency", "current_step__assignee")
        .order_by("due_at", "submitted_at", "pk")[:TO_ACT_ON_LIMIT]
    )
    return Overview(
        agency=agency,
        now=now,
        by_status=by_status,
        open_total=sum(t.count for t in by_status),
        overdue_total=totals["overdue"],
        overdue_by_unit=by_unit,
        overdue_by_step=by_step,
        overdue_by_official=by_official,
        due_today=totals["due_today"],
        rates=(this, last),
        to_act_on=to_act_on,
    )
