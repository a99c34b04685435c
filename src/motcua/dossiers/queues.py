"""Work queues of the back office (issue 5, item 3): read-only selections of the dossiers an
official may see (``policies.visible_dossiers``), each a filter on the dossier's state, its
current step and the official's scope.

    queue_dossiers(actor, queue, *, now=None, filters=None) -> QuerySet[Dossier]
    queue_rows(ids) -> list[Dossier]                          (one page, joined)
    queue_counts(actor, *, now=None) -> dict[Queue, int]      (one query)

"Due soon" is due within 24 working hours of the official's own agency calendar (SPEC.md §3.1:
working hours, weekends and holidays do not count)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.catalog.choices import Channel
from motcua.dossiers import policies
from motcua.dossiers.choices import DossierState
from motcua.dossiers.models import Dossier, Transfer
from motcua.org.choices import Role
from motcua.org.policies import held_roles, history_paths, scope_paths

DUE_SOON_WORKING_HOURS = 24

S = DossierState
# being worked on by officials (the clock runs)
WORKING = (S.RECEIVED, S.IN_PROCESS, S.WITHDRAWAL_REQUESTED)
# the ball is in the applicant's court
WAITING = (S.SUPPLEMENT_REQUESTED, S.PAYMENT_REQUESTED, S.RETURNED_FOR_COMPLETION)


class Queue(models.TextChoices):
    RECEPTION = "tiep-nhan", _("Awaiting reception")
    MINE = "cua-toi", _("Assigned to me")
    UNASSIGNED = "chua-phan-cong", _("Awaiting assignment")
    UNIT = "don-vi", _("My unit")
    DUE_SOON = "sap-den-han", _("Due within 24 working hours")
    OVERDUE = "qua-han", _("Overdue")
    WAITING_CITIZEN = "cho-cong-dan", _("Waiting for the applicant")
    INCOMING = "lien-thong-den", _("Inter-agency, incoming")
    RESULTS = "tra-ket-qua", _("Results to return")


# which queues each role sees first on its home page (the others follow)
ROLE_QUEUES: dict[str, tuple[Queue, ...]] = {
    Role.RECEPTION: (Queue.RECEPTION, Queue.RESULTS, Queue.WAITING_CITIZEN, Queue.MINE),
    Role.SPECIALIST: (Queue.MINE, Queue.DUE_SOON, Queue.OVERDUE, Queue.INCOMING),
    Role.UNIT_LEADER: (Queue.UNASSIGNED, Queue.OVERDUE, Queue.DUE_SOON, Queue.UNIT),
    Role.AGENCY_LEADER: (Queue.MINE, Queue.OVERDUE, Queue.DUE_SOON, Queue.UNIT),
    Role.CLERK: (Queue.MINE, Queue.RESULTS),
}


def queues_for(actor) -> list[Queue]:
    """The queues in the order that suits the actor's roles."""
    roles = held_roles(actor)
    ordered: list[Queue] = []
    for role in Role:
        for queue in ROLE_QUEUES.get(role, ()):
            if role in roles and queue not in ordered:
                ordered.append(queue)
    return ordered + [q for q in Queue if q not in ordered]


def _under(field: str, paths: list[str]) -> Q:
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{field}__path__startswith": p}) for p in paths))


def _due_soon_limit(actor, now: dt.datetime) -> dt.datetime:
    from motcua.org.models import Staff
    from motcua.org.services.calendar import calendar_for

    staff = Staff.objects.filter(user=actor).select_related("agency").first()
    calendar = calendar_for(staff.agency if staff else None, around=timezone.localdate(now))
    return calendar.add_working_hours(now, DUE_SOON_WORKING_HOURS)


@dataclass(frozen=True)
class Filters:
    """Narrowing a queue: procedure code, sector code, state, channel, received between."""

    procedure: str = ""
    sector: str = ""
    state: str = ""
    channel: int | None = None
    received_from: dt.date | None = None
    received_to: dt.date | None = None


def _conditions(actor, now: dt.datetime) -> dict[Queue, Q]:
    paths = history_paths(actor)
    reception_paths = scope_paths(actor, Role.RECEPTION)
    at_my_step = _under("current_step__agency", paths)
    incoming = Transfer.objects.filter(
        _under("to_agency", paths), dossier=OuterRef("pk"), returned_at__isnull=True
    )
    return {
        Queue.RECEPTION: Q(state=S.SUBMITTED) & _under("receiving_agency", reception_paths),
        Queue.MINE: Q(state__in=WORKING, current_step__assignee=actor),
        Queue.UNASSIGNED: Q(state__in=WORKING, current_step__assignee__isnull=True) & at_my_step,
        Queue.UNIT: Q(state__in=WORKING) & at_my_step,
        Queue.DUE_SOON: Q(
            state__in=WORKING, due_at__gte=now, due_at__lte=_due_soon_limit(actor, now)
        )
        & at_my_step,
        Queue.OVERDUE: Q(state__in=WORKING, due_at__lt=now) & at_my_step,
        Queue.WAITING_CITIZEN: Q(state__in=WAITING) & _under("receiving_agency", paths),
        Queue.INCOMING: Q(state__in=WORKING) & Q(Exists(incoming)),
        Queue.RESULTS: Q(state=S.RESOLVED) & _under("receiving_agency", reception_paths),
    }


def queue_dossiers(
    actor, queue: Queue | str, *, now: dt.datetime | None = None, filters: Filters | None = None
) -> QuerySet[Dossier]:
    """The dossiers of ``queue`` for ``actor``, most urgent first (due time, then reception)."""
    now = now or timezone.now()
    qs = policies.visible_dossiers(actor).filter(_conditions(actor, now)[Queue(queue)])
    f = filters or Filters()
    if f.procedure:
        qs = qs.filter(procedure_version__procedure__code=f.procedure)
    if f.sector:
        qs = qs.filter(procedure_version__procedure__sector__code=f.sector)
    if f.state:
        qs = qs.filter(state=f.state)
    if f.channel in Channel.values:
        qs = qs.filter(channel=f.channel)
    if f.received_from:
        qs = qs.filter(received_at__date__gte=f.received_from)
    if f.received_to:
        qs = qs.filter(received_at__date__lte=f.received_to)
    return qs.order_by(models.F("due_at").asc(nulls_last=True), "submitted_at", "pk")


def queue_rows(ids: list[int]) -> list[Dossier]:
    """The dossiers of one page of a queue (``ids`` in queue order) with what a row shows. A
    queue is paged on its ids alone — the sort then handles narrow rows — and only the page's
    rows are joined (bench/queue_render.py)."""
    found = Dossier.objects.select_related(
        "procedure_version__procedure", "receiving_agency", "current_step__assignee"
    ).in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def queue_counts(actor, *, now: dt.datetime | None = None) -> dict[Queue, int]:
    """How many dossiers each queue holds for ``actor``, in one query."""
    now = now or timezone.now()
    conditions = _conditions(actor, now)
    totals = policies.visible_dossiers(actor).aggregate(
        **{queue.name: Count("pk", filter=condition) for queue, condition in conditions.items()}
    )
    return {queue: totals[queue.name] or 0 for queue in conditions}
