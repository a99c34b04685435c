"""Reads of dossiers for the API and the pages.

Every list and detail starts from ``policies.visible_dossiers(actor)``: a dossier outside the
actor's scope is reported exactly like one that does not exist. The public lookup is the one
exception; it needs the dossier code *and* the last four digits of the applicant's phone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hmac
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Component, ProcedureVariant, ProcedureVersion
from motcua.core.errors import DomainError, NotFound, ValidationFailed
from motcua.core.workcal import WorkCalendar
from motcua.dossiers import clock, policies, transitions
from motcua.dossiers.choices import OPEN_STATES, Action, DossierState
from motcua.dossiers.models import (
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierFee,
    DossierStep,
    Transfer,
)
from motcua.org.models import Agency

# -- resolving references given by code -------------------------------------------------------


def procedure_version_in_force(code: str, *, day: dt.date | None = None) -> ProcedureVersion:
    """The published version of procedure ``code`` in force on ``day`` (default: today)."""
    day = day or timezone.localdate()
    version = (
        ProcedureVersion.objects.in_force_on(day)
        .select_related("procedure")
        .filter(procedure__code=code)
        .order_by("-number")
        .first()
    )
    if version is None:
        raise ValidationFailed(
            _("No procedure in force has code %(code)s.") % {"code": code},
            code="procedure_unknown",
        )
    return version


def procedure_variant(version: ProcedureVersion, code: str | None = None) -> ProcedureVariant:
    """The case ``code`` of ``version``; its default case when no code is given."""
    variants = version.variants.prefetch_related("channels")
    variant = (
        variants.filter(code=code).first() if code else variants.filter(is_default=True).first()
    )
    if variant is None and not code:
        variant = variants.first()
    if variant is None:
        raise ValidationFailed(
            _("The chosen case does not belong to this procedure."), code="variant_mismatch"
        )
    return variant


def agency_by_code(code: str) -> Agency:
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise ValidationFailed(
            _("No agency has code %(code)s.") % {"code": code}, code="agency_unknown"
        )
    return agency


def version_components(version: ProcedureVersion, ids: list[int]) -> dict[int, Component]:
    """The catalogue components ``ids`` of ``version`` (an id of another procedure is refused)."""
    if not ids:
        return {}
    found = {c.pk: c for c in version.components.filter(pk__in=set(ids))}
    missing = sorted(set(ids) - set(found))
    if missing:
        raise ValidationFailed(
            _("Component %(id)s is not a component of this procedure.") % {"id": missing[0]},
            code="component_unknown",
        )
    return found


def user_by_username(username: str):
    return get_user_model().objects.filter(username=username, is_active=True).first()


# -- lists and details ----------------------------------------------------------------------


def dossier_not_found() -> NotFound:
    # The same error as ``policies.require`` raises for a dossier outside the actor's scope.
    return NotFound(_("Dossier not found."), code="dossier_not_found")


def dossier_list(
    actor,
    *,
    states: list[str] | None = None,
    agency: str | None = None,
    procedure: str | None = None,
    due_before: dt.datetime | None = None,
    overdue: bool | None = None,
    q: str | None = None,
    now: dt.datetime | None = None,
) -> QuerySet[Dossier]:
    """The dossiers ``actor`` may see, filtered, newest reception first (dossiers not yet
    received, which wait for the desk, come before them)."""
    qs = policies.visible_dossiers(actor).select_related(
        "procedure_version__procedure", "receiving_agency", "handling_agency"
    )
    if states:
        qs = qs.filter(state__in=states)
    if agency:
        path = Agency.objects.filter(code=agency).values_list("path", flat=True).first()
        qs = qs.in_paths([path]) if path else qs.none()
    if procedure:
        qs = qs.filter(procedure_version__procedure__code=procedure)
    if due_before is not None:
        qs = qs.filter(due_at__lt=due_before)
    if overdue is not None:
        now = now or timezone.now()
        late = Q(is_overdue=True) | Q(
            state__in=OPEN_STATES - {DossierState.SUPPLEMENT_REQUESTED}, due_at__lt=now
        )
        qs = qs.filter(late) if overdue else qs.exclude(late)
    if q:
        qs = qs.filter(code__startswith=q.strip())
    return qs.order_by(F("received_at").desc(nulls_first=True), "-id")


def dossier_get(actor, code: str) -> Dossier:
    """The dossier ``code`` if ``actor`` may see it (raises NotFound otherwise), for an action."""
    dossier = policies.visible_dossiers(actor).filter(code=code).first()
    if dossier is None:
        raise dossier_not_found()
    return dossier


def _detail_queryset(qs: QuerySet[Dossier]) -> QuerySet[Dossier]:
    return qs.select_related(
        "procedure_version__procedure",
        "variant",
        "receiving_agency",
        "handling_agency",
        "applicant_province",
        "applicant_commune",
        "result_file",
        "current_step__agency",
    ).prefetch_related(
        Prefetch("components", queryset=DossierComponent.objects.select_related("file", "e_copy")),
        Prefetch("fees", queryset=DossierFee.objects.select_related("payment")),
        Prefetch(
            "steps",
            queryset=DossierStep.objects.select_related(
                "agency", "assignee", "finished_by"
            ).order_by("order"),
        ),
        "supplements",
        "extensions",
        Prefetch(
            "transfers",
            queryset=Transfer.objects.select_related(
                "from_agency", "to_agency", "sent_by", "returned_by"
            ).order_by("sent_at", "pk"),
        ),
        "payments",
    )


def dossier_detail(actor, code: str) -> Dossier:
    """Everything about dossier ``code`` that ``actor`` may see, with the actions they may take
    now (``available_actions``) and the forms that can be printed (``available_forms``)."""
    dossier = _detail_queryset(policies.visible_dossiers(actor)).filter(code=code).first()
    if dossier is None:
        raise dossier_not_found()
    dossier.available_actions = dossier_available_actions(actor, dossier)
    dossier.available_forms = dossier_available_forms(dossier)
    return dossier


def dossier_events(actor, code: str) -> QuerySet[DossierEvent]:
    dossier = dossier_get(actor, code)
    return dossier.events.select_related("agency").order_by("seq")


# Actions that are not taken on an existing dossier through ``/actions/``.
NOT_ROUTED = frozenset({Action.SUBMIT, Action.INTAKE, Action.IMPORT})


def dossier_available_actions(actor, dossier: Dossier) -> list[str]:
    """The actions ``actor`` may take on ``dossier`` in its current state (state machine and
    roles; a service may still refuse for a reason of substance, e.g. a second extension)."""
    available = []
    for action in transitions.actions_from(dossier.state):
        if action in NOT_ROUTED:
            continue
        if action == Action.HANDOVER:
            try:
                policies.require_step_actor(actor, dossier)
            except DomainError:
                continue
        elif not policies.may(actor, action, dossier):
            continue
        available.append(action.value)
    return available


def dossier_available_forms(dossier: Dossier) -> list[str]:
    try:
        from motcua.dossiers import documents
    except ImportError:  # pragma: no cover - the forms module is optional in small installs
        return []
    return documents.available_forms(dossier)


# -- public tracking ------------------------------------------------------------------------


def _last4(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    return digits[-4:] if len(digits) >= 4 else ""


# The columns the public answer needs (PublicDossierOut and the tracking page), and the phone.
_PUBLIC_FIELDS = (
    "code",
    "state",
    "applicant_phone",
    "submitted_at",
    "received_at",
    "due_at",
    "finished_at",
    "returned_at",
    "procedure_version__name",
    "receiving_agency__name",
    "receiving_agency__short_name",
)


def public_dossier_lookup(code: str, phone_last4: str) -> Dossier | None:
    """The dossier ``code`` when its applicant's phone ends with ``phone_last4``; None when the
    code is unknown, the phone differs, or the dossier has no phone — callers cannot tell which."""
    dossier = None
    if code:
        with contextlib.suppress(Dossier.DoesNotExist):
            dossier = (
                Dossier.objects.select_related("procedure_version", "receiving_agency")
                .only(*_PUBLIC_FIELDS)
                .get(code=code)
            )
    expected = _last4(dossier.applicant_phone) if dossier is not None else ""
    # Compare in constant time, and compare something even when there is nothing to compare.
    matches = hmac.compare_digest((expected or "----").encode(), phone_last4.encode())
    if dossier is None or not expected or not matches:
        return None
    dossier.public_steps = list(dossier.steps.select_related("agency").order_by("order"))
    dossier.public_changes = list(
        dossier.events.filter(~Q(from_state=F("to_state")) | Q(action=Action.EXTEND)).order_by(
            "seq"
        )
    )
    return dossier


def dossier_register(actor, *, agency_code: str, start: dt.date, end: dt.date):
    """(agency, dossiers) of the Sổ theo dõi hồ sơ: dossiers received by ``agency`` or a unit
    under it between ``start`` and ``end`` (local dates, inclusive), in reception order, from
    the actor's scoped queryset. An agency outside the actor's scope looks missing."""
    from motcua.org.policies import agencies_in_scope

    agency = agencies_in_scope(actor).filter(code=agency_code).first()
    if agency is None:
        raise NotFound(_("Agency not found."), code="agency_not_found")
    if end < start:
        raise ValidationFailed(
            _("The end of the period must not be before its start."), code="period"
        )
    if (end - start).days > 366:
        raise ValidationFailed(_("Choose a period of at most one year."), code="period")
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    dossiers = (
        policies.visible_dossiers(actor)
        .filter(
            receiving_agency__path__startswith=agency.path,
            received_at__gte=since,
            received_at__lt=until,
        )
        .select_related("procedure_version", "receiving_agency", "handling_agency")
        .order_by("received_at", "code")
    )
    return agency, dossiers


# -- the citizen's own dossiers ("Hồ sơ của tôi") ---------------------------------------------

# Forms a citizen may print from the portal: the control sheet (phiếu kiểm soát) stays with the
# officials — it names the people who handled each step.
CITIZEN_FORM_EXCLUDED = frozenset({"control_sheet"})


def my_dossiers(user) -> QuerySet[Dossier]:
    """The dossiers ``user`` filed, newest first (drafts and submissions without a date last
    among their peers by id)."""
    if user is None or not user.is_authenticated:
        return Dossier.objects.none()
    return (
        Dossier.objects.filter(policies.applicant_side(user))
        .select_related("procedure_version", "organisation")
        .order_by(F("submitted_at").desc(nulls_first=True), "-id")
    )


def my_dossier(user, code: str) -> Dossier:
    """Dossier ``code`` of ``user`` with what the citizen's page shows: steps, the public
    timeline (state changes and extensions, never the officials' names), the open request for
    supplementation and the printable forms. Another person's code raises the same NotFound as
    an unknown one."""
    if user is None or not user.is_authenticated:
        raise dossier_not_found()
    dossier = _detail_queryset(my_dossiers(user).order_by()).filter(code=code).first()
    if dossier is None:
        raise dossier_not_found()
    dossier.public_steps = list(dossier.steps.all())
    dossier.public_changes = list(
        dossier.events.filter(~Q(from_state=F("to_state")) | Q(action=Action.EXTEND))
        .only("dossier_id", "at", "action", "seq")  # (dossier_id: the manager sets it)
        .order_by("seq")
    )
    open_requests = [s for s in dossier.supplements.all() if s.supplied_at is None]
    # (display attributes of this page only; not declared on the model)
    dossier.open_supplement = (  # type: ignore[attr-defined]
        max(open_requests, key=lambda s: (s.requested_at, s.pk)) if open_requests else None
    )
    dossier.citizen_forms = my_dossier_forms(dossier)  # type: ignore[attr-defined]
    return dossier


def my_dossier_forms(dossier: Dossier) -> list[tuple[str, str]]:
    """(kind, "Mẫu số NN — title") of the forms the applicant may print now."""
    kinds = [k for k in dossier_available_forms(dossier) if k not in CITIZEN_FORM_EXCLUDED]
    return form_labels(dossier, kinds)


def form_labels(dossier: Dossier, kinds: list[str]) -> list[tuple[str, str]]:
    """(kind, "Mẫu số NN — title") of the form ``kinds`` in the dossier's form set (SPEC.md
    §1.8: the number and title depend on the regime; a kind the regime lacks is left out)."""
    if not kinds:
        return []
    from motcua.dossiers.documents import regimes

    regime = regimes.dossier_regime(dossier)
    found = []
    for kind in kinds:
        spec = regimes.form_spec(regime, kind)
        if spec is not None:
            found.append((kind, f"{spec.label} — {spec.title}"))
    return found


@dataclass(frozen=True)
class ClockView:
    """The legal clock of a dossier as the desk shows it (SPEC.md §3): the appointment, the
    original one when an extension moved it, whether the clock is paused, and the working time
    left until the appointment (negative: overdue by that much), for the dossier and its step."""

    due_at: dt.datetime | None
    original_due_at: dt.datetime | None
    paused_since: dt.datetime | None
    left: dt.timedelta | None
    step_due_at: dt.datetime | None
    step_left: dt.timedelta | None

    @property
    def late(self) -> bool:
        return self.left is not None and self.left < dt.timedelta(0)

    @property
    def step_late(self) -> bool:
        return self.step_left is not None and self.step_left < dt.timedelta(0)


def _calendar(dossier: Dossier, now: dt.datetime) -> WorkCalendar:
    from motcua.org.services.calendar import calendar_for

    # the receiving agency's calendar, as the services count every due time (_common._calendar)
    return calendar_for(dossier.receiving_agency, around=timezone.localdate(now))


def working_time_left(
    calendar: WorkCalendar, start: dt.datetime, due: dt.datetime | None
) -> dt.timedelta | None:
    """Working time from ``start`` until ``due``; negative when ``due`` is past (overdue by that
    much); None without a due time."""
    if due is None:
        return None
    if due >= start:
        return calendar.working_time_between(start, due)
    return -calendar.working_time_between(due, start)


def dossier_clock(
    dossier: Dossier, *, now: dt.datetime | None = None, calendar: WorkCalendar | None = None
) -> ClockView:
    now = now or timezone.now()
    calendar = calendar or _calendar(dossier, now)
    # while paused, no working time passes: the time left is counted from the pause
    start = dossier.paused_at or now

    def left(due: dt.datetime | None) -> dt.timedelta | None:
        return working_time_left(calendar, start, due)

    step = dossier.current_step
    step_due = step.due_at if step is not None and step.finished_at is None else None
    original = dossier.original_due_at
    return ClockView(
        due_at=dossier.due_at,
        original_due_at=original if original and original != dossier.due_at else None,
        paused_since=dossier.paused_at,
        left=left(dossier.due_at) if dossier.finished_at is None else None,
        step_due_at=step_due,
        step_left=left(step_due),
    )


# -- the back-office desk ---------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    """Where a step or an inter-agency part stands against its due time. Finished: ``label``
    is early / on time / late (``choices.Timeliness``). Still running: ``left`` is the working
    time left (negative: overdue by that much)."""

    label: str = ""
    left: dt.timedelta | None = None

    @property
    def late(self) -> bool:
        return self.label == clock.LATE or (self.left is not None and self.left < dt.timedelta(0))

    @property
    def label_display(self) -> str:
        from motcua.dossiers.choices import Timeliness

        return str(Timeliness(self.label).label) if self.label else ""


def timing(
    *,
    due: dt.datetime | None,
    finished: dt.datetime | None,
    now: dt.datetime | None,
    calendar: WorkCalendar,
    recorded: str = "",
) -> Timing:
    """Finished: the label ``recorded`` when the step was closed (what Phiếu kiểm soát prints,
    under MOTCUA_STEP_TIMELINESS, SPEC.md §3.5 (c)); otherwise judged by calendar date against
    the due time's date, the rule of Biểu số 06 (SPEC.md §3.5 (a), §7.1 cols 8–10: before the
    due date early, on it on time, after it late; ``clock.classify_by_day``). Running
    (``finished`` is None): the working time from ``now`` until the due time. ``now`` None: not
    running any more (a closed dossier), no timing."""
    if finished is not None:
        return Timing(label=recorded or clock.classify_by_day(finished, due, calendar))
    if now is None:
        return Timing()
    return Timing(left=working_time_left(calendar, now, due))


@dataclass(frozen=True)
class StepRow:
    """One step of the internal process (SPEC.md §3.6) as the desk shows it."""

    step: DossierStep
    handled_by: object  # the user who finished it, else its assignee; None when nobody yet
    timing: Timing


@dataclass(frozen=True)
class TransferRow:
    """One liên thông hand-over (SPEC.md §1.5): sent, the partner's due time, sent back."""

    transfer: Transfer
    timing: Timing

    @property
    def returned(self) -> bool:
        return self.transfer.returned_at is not None


@dataclass(frozen=True)
class ComponentRow:
    component: DossierComponent
    previewable: bool  # a stored PDF, JPEG or PNG the browser may show in place
    image: bool  # JPEG or PNG: also shown as a thumbnail


@dataclass(frozen=True)
class DeskView:
    clock: ClockView
    steps: list[StepRow]
    transfers: list[TransferRow]
    components: list[ComponentRow]
    forms: list[tuple[str, str]]


def dossier_desk(dossier: Dossier, *, now: dt.datetime | None = None) -> DeskView:
    """What the back-office desk shows beyond the dossier itself, on one working calendar (the
    receiving agency's): the clock, each step and each inter-agency part with its timing, the
    components with what can be previewed, and the printable forms with their names. Reads
    only what ``dossier_detail`` prefetched (plus the calendar): the same queries whatever
    the number of steps, parts or components."""
    from motcua.dossiers.downloads import INLINE_TYPES

    now = now or timezone.now()
    calendar = _calendar(dossier, now)
    # a running step's time is counted to now, or to the pause while the applicant supplements;
    # once the dossier's processing is over nothing runs any more
    running_now = None if dossier.finished_at is not None else (dossier.paused_at or now)
    steps = [
        StepRow(
            step=step,
            handled_by=step.finished_by or step.assignee,
            timing=timing(
                due=step.due_at,
                finished=step.finished_at,
                now=running_now,
                calendar=calendar,
                recorded=step.timeliness,
            ),
        )
        for step in dossier.steps.all()
    ]
    transfers = [
        TransferRow(
            transfer=transfer,
            timing=timing(
                due=transfer.due_at,
                finished=transfer.returned_at,
                now=running_now,
                calendar=calendar,
            ),
        )
        for transfer in dossier.transfers.all()
    ]
    components = []
    for component in dossier.components.all():
        kind = component.file.content_type if component.file is not None else ""
        components.append(
            ComponentRow(
                component=component,
                previewable=kind in INLINE_TYPES,
                image=kind.startswith("image/"),
            )
        )
    kinds = getattr(dossier, "available_forms", None)
    return DeskView(
        clock=dossier_clock(dossier, now=now, calendar=calendar),
        steps=steps,
        transfers=transfers,
        components=components,
        forms=form_labels(dossier, dossier_available_forms(dossier) if kinds is None else kinds),
    )


def dossier_component(actor, code: str, component_id: int) -> DossierComponent:
    """Component ``component_id`` of dossier ``code``, with its stored file, when ``actor`` may
    see the dossier (the scope of ``dossier_detail``) and the component belongs to it and has a
    file; NotFound otherwise — the same for every reason."""
    found = (
        DossierComponent.objects.select_related("file", "e_copy", "dossier")
        .filter(
            pk=component_id,
            dossier__in=policies.visible_dossiers(actor).filter(code=code).values("pk"),
            file__isnull=False,
        )
        .first()
    )
    if found is None:
        raise NotFound(_("Document not found."), code="component_not_found")
    return found


# -- bulk assignment (phân công) --------------------------------------------------------------


@dataclass(frozen=True)
class AssignmentGroup:
    """Dossiers whose current steps need the same role at the same agency, and the officials
    who may take them: holders of that role over the agency (``org.selectors``)."""

    role: str
    agency: Agency
    codes: list[str]
    officials: list

    @property
    def role_label(self) -> str:
        from motcua.org.choices import Role

        return str(Role(self.role).label) if self.role in Role.values else self.role


def assignment_groups(dossiers: list[Dossier]) -> list[AssignmentGroup]:
    """``dossiers`` grouped by what their current step needs (role, and the agency acting for
    the step's agency today), in first-seen order, each with its candidate officials. Dossiers
    without an open step are left out. Queries: one for the steps' agencies, then one per
    distinct (role, agency) — not per dossier."""
    from motcua.org.selectors import officials_with_role

    step_ids = [d.current_step_id for d in dossiers if d.current_step_id is not None]
    steps = DossierStep.objects.select_related("agency").in_bulk(step_ids)
    grouped: dict[tuple[str, int], tuple[str, Agency, list[str]]] = {}
    for dossier in dossiers:
        step = steps.get(dossier.current_step_id) if dossier.current_step_id else None
        if step is None or step.finished_at is not None:
            continue
        agency = policies.acting_agency(step.agency)
        key = (step.role, agency.pk)
        if key not in grouped:
            grouped[key] = (step.role, agency, [])
        grouped[key][2].append(dossier.code or "")
    return [
        AssignmentGroup(
            role=role, agency=agency, codes=codes, officials=list(officials_with_role(role, agency))
        )
        for role, agency, codes in grouped.values()
    ]
