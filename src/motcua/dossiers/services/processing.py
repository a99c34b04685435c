"""Processing: assignment, hand-over between steps, liên thông, supplementation, payment and
extension (SPEC.md §1.4 step 5, §1.5)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import Conflict, ValidationFailed
from motcua.dossiers import clock, policies
from motcua.dossiers.choices import (
    Action,
    DossierState,
    SupplementPhase,
)
from motcua.dossiers.models import (
    Dossier,
    DossierFee,
    Extension,
    PaymentRequest,
    SupplementRequest,
    Transfer,
)
from motcua.dossiers.regimes import regime_for_dossier
from motcua.dossiers.services._common import (
    ComponentIn,
    _add_components,
    _calendar,
    _close_step,
    _iso,
    _lock,
    _now,
    _open_next_process_step,
    _open_step,
    _record,
    _require_state,
    _required_text,
    _setting,
)
from motcua.org.choices import Role
from motcua.org.models import Agency, RoleAssignment

# -- processing -----------------------------------------------------------------------------


@transaction.atomic
def dossier_assign(*, actor, dossier: Dossier, assignee, at: dt.datetime | None = None) -> Dossier:
    """A head of unit assigns the current step to a handler (phân công)."""
    at = _now(at)
    dossier = _lock(dossier)
    policies.require(actor, Action.ASSIGN, dossier)
    _require_state(dossier, Action.ASSIGN)
    step = dossier.current_step
    if step is None:
        raise Conflict(_("The dossier has no open step to assign."), code="no_open_step")
    holds = RoleAssignment.objects.filter(
        staff__user=assignee, staff__is_active=True, role=step.role
    ).values_list("agency__path", flat=True)
    acting = policies.acting_agency(step.agency)
    if assignee is None or not any(acting.path.startswith(path) for path in holds):
        raise ValidationFailed(
            _("The chosen person does not hold the role this step needs at %(agency)s.")
            % {"agency": step.agency.display_name},
            code="assignee_not_eligible",
        )
    step.assignee = assignee
    step.save(update_fields=["assignee"])
    _record(
        dossier,
        Action.ASSIGN,
        actor=actor,
        at=at,
        from_state=dossier.state,
        payload={"step": step.order, "assignee": assignee.pk},
    )
    return dossier


@transaction.atomic
def dossier_handover(
    *, actor, dossier: Dossier, note: str = "", at: dt.datetime | None = None
) -> Dossier:
    """Finish the current step (its time is classified early/on time/late) and hand the dossier
    to the next step of the procedure's internal process (SPEC.md §3.6)."""
    at = _now(at)
    dossier = _lock(dossier)
    policies.require_step_actor(actor, dossier)
    _require_state(dossier, Action.HANDOVER)
    calendar = _calendar(dossier, at)
    finished = dossier.current_step
    _close_step(dossier, calendar=calendar, at=at, actor=actor, note=note)
    opened = _open_next_process_step(dossier, calendar=calendar, at=at)
    if opened is None:
        raise Conflict(
            _("This is the last step of the process: issue the result instead."),
            code="no_next_step",
        )
    before = dossier.state
    dossier.state = DossierState.IN_PROCESS
    _record(
        dossier,
        Action.HANDOVER,
        actor=actor,
        at=at,
        from_state=before,
        reason=note,
        payload={
            "finished_step": finished.order if finished else None,
            "timeliness": finished.timeliness if finished else None,
            "next_step": opened.order,
            "next_due_at": _iso(opened.due_at),
        },
        fields=["state", "current_step"],
    )
    return dossier


@transaction.atomic
def dossier_transfer(
    *,
    actor,
    dossier: Dossier,
    to_agency: Agency,
    hours: Decimal,
    reason: str = "",
    at: dt.datetime | None = None,
) -> Transfer:
    """Liên thông: send the dossier to a partner agency for its part, with its time slice. It
    stays one dossier (one code), so it is counted once (SPEC.md §1.5)."""
    at = _now(at)
    dossier = _lock(dossier)
    policies.require(actor, Action.TRANSFER, dossier)
    _require_state(dossier, Action.TRANSFER)
    hours = Decimal(hours)
    if hours <= 0:
        raise ValidationFailed(_("Give the partner agency some working hours."), code="hours")
    if to_agency.pk == dossier.handling_agency_id or not to_agency.is_active_on(
        timezone.localdate(at)
    ):
        raise ValidationFailed(
            _("Choose another, active agency to send the dossier to."), code="partner_invalid"
        )
    calendar = _calendar(dossier, at)
    _close_step(dossier, calendar=calendar, at=at, actor=actor, note=reason)
    transfer = Transfer.objects.create(
        dossier=dossier,
        from_agency=dossier.handling_agency,
        to_agency=to_agency,
        sent_at=at,
        sent_by=actor,
        hours=hours,
        due_at=clock.step_due(calendar, at, hours),
        reason=reason,
    )
    _open_step(
        dossier,
        calendar=calendar,
        at=at,
        name=str(_("Part handled by %(agency)s") % {"agency": to_agency.display_name}),
        agency=to_agency,
        role=Role.SPECIALIST,
        hours=hours,
        transfer=transfer,
    )
    before = dossier.state
    dossier.state = DossierState.IN_PROCESS
    dossier.handling_agency = to_agency
    dossier.interlinked = True
    _record(
        dossier,
        Action.TRANSFER,
        actor=actor,
        at=at,
        from_state=before,
        reason=reason,
        payload={
            "from": transfer.from_agency.code,
            "to": to_agency.code,
            "due_at": _iso(transfer.due_at),
        },
        fields=["state", "handling_agency", "interlinked", "current_step"],
    )
    return transfer


@transaction.atomic
def dossier_transfer_back(
    *, actor, dossier: Dossier, note: str = "", at: dt.datetime | None = None
) -> Dossier:
    at = _now(at)
    dossier = _lock(dossier)
    policies.require(actor, Action.TRANSFER_BACK, dossier)
    _require_state(dossier, Action.TRANSFER_BACK)
    transfer = dossier.transfers.filter(returned_at=None, to_agency=dossier.handling_agency).last()
    if transfer is None:
        raise Conflict(_("The dossier is not at a partner agency."), code="not_transferred")
    calendar = _calendar(dossier, at)
    _close_step(dossier, calendar=calendar, at=at, actor=actor, note=note)
    transfer.returned_at = at
    transfer.returned_by = actor
    transfer.outcome_note = note
    transfer.save(update_fields=["returned_at", "returned_by", "outcome_note"])
    dossier.handling_agency = transfer.from_agency
    if not _open_next_process_step(dossier, calendar=calendar, at=at):
        dossier.current_step = None
    _record(
        dossier,
        Action.TRANSFER_BACK,
        actor=actor,
        at=at,
        from_state=dossier.state,
        reason=note,
        payload={"from": transfer.to_agency.code, "to": transfer.from_agency.code},
        fields=["handling_agency", "current_step"],
    )
    return dossier


@transaction.atomic
def dossier_request_supplement(
    *,
    actor,
    dossier: Dossier,
    reason: str,
    items: list[str],
    respond_by: dt.date | None = None,
    at: dt.datetime | None = None,
) -> SupplementRequest:
    """Ask the applicant, through the one-stop desk, to supplement during processing (Mẫu 02 of
    the handling agency). The clock stops. By default only once (SPEC.md §1.4: "yêu cầu bổ sung
    một lần"; more than one request counts the dossier late in the 766 index)."""
    at = _now(at)
    dossier = _lock(dossier)
    policies.require(actor, Action.REQUEST_SUPPLEMENT, dossier)
    _require_state(dossier, Action.REQUEST_SUPPLEMENT)
    limit = int(_setting("MOTCUA_SUPPLEMENT_MAX_REQUESTS", 1))
    if dossier.supplement_count >= limit:
        raise Conflict(
            _("Supplementation may be requested only once; the dossier already had a request."),
            code="supplement_once",
        )
    items = [item.strip() for item in items if item and item.strip()]
    if not items:
        raise ValidationFailed(
            _("List every document that must be supplemented or completed."), code="items_required"
        )
    request = SupplementRequest.objects.create(
        dossier=dossier,
        phase=SupplementPhase.PROCESSING,
        requested_at=at,
        requested_by=actor,
        reason=_required_text(reason, _("The reason")),
        items=items,
        respond_by=respond_by,
        due_before=dossier.due_at,
        original_due_before=dossier.original_due_at,
    )
    before = dossier.state
    dossier.state = DossierState.SUPPLEMENT_REQUESTED
    dossier.paused_at = at
    dossier.supplement_count += 1
    _record(
        dossier,
        Action.REQUEST_SUPPLEMENT,
        actor=actor,
        at=at,
        from_state=before,
        reason=request.reason,
        payload={"items": items, "request": request.pk, "due_before": _iso(dossier.due_at)},
        fields=["state", "paused_at", "supplement_count"],
    )
    return request


@transaction.atomic
def dossier_supply(
    *,
    actor,
    dossier: Dossier,
    components: list[ComponentIn] | None = None,
    note: str = "",
    at: dt.datetime | None = None,
) -> Dossier:
    """The applicant supplies (online, or at the desk): the clock resumes and the appointment
    — and the open step's due time — move by exactly the working time that was paused."""
    at = _now(at)
    dossier = _lock(dossier)
    policies.require(actor, Action.SUPPLY, dossier)
    _require_state(dossier, Action.SUPPLY)
    request = dossier.supplements.filter(phase=SupplementPhase.PROCESSING, supplied_at=None).last()
    calendar = _calendar(dossier, at)
    paused_from = dossier.paused_at or (request.requested_at if request else at)
    new_due, pause = (
        clock.resume(calendar, dossier.due_at, paused_from, at)
        if dossier.due_at
        else (None, clock.paused_time(calendar, paused_from, at))
    )
    step = dossier.current_step
    if step is not None and step.finished_at is None and step.due_at is not None:
        step.due_at = calendar.add_working_time(step.due_at, pause)
        step.save(update_fields=["due_at"])
    if request is not None:
        request.supplied_at = at
        request.supplied_by = actor
        request.due_after = new_due
        request.paused_seconds = int(pause.total_seconds())
        request.save(update_fields=["supplied_at", "supplied_by", "due_after", "paused_seconds"])
    _add_components(dossier, components or [], supplement=request)
    before = dossier.state
    dossier.state = DossierState.IN_PROCESS
    dossier.due_at = new_due
    if dossier.original_due_at is not None:
        dossier.original_due_at = calendar.add_working_time(dossier.original_due_at, pause)
    dossier.paused_at = None
    dossier.paused_seconds += int(pause.total_seconds())
    _record(
        dossier,
        Action.SUPPLY,
        actor=actor,
        at=at,
        from_state=before,
        reason=note,
        payload={
            "paused_seconds": int(pause.total_seconds()),
            "due_after": _iso(new_due),
            "components": len(components or []),
        },
        fields=["state", "due_at", "original_due_at", "paused_at", "paused_seconds"],
    )
    return dossier


@transaction.atomic
def dossier_request_payment(
    *,
    actor,
    dossier: Dossier,
    amount: Decimal | None = None,
    description: str = "",
    at: dt.datetime | None = None,
) -> PaymentRequest:
    """Status 6: the applicant must pay (fees, charges, tax). The clock keeps running (SPEC.md
    §1.7: "usually not paused")."""
    at = _now(at)
    dossier = _lock(dossier)
    policies.require(actor, Action.REQUEST_PAYMENT, dossier)
    _require_state(dossier, Action.REQUEST_PAYMENT)
    unpaid = list(dossier.fees.filter(payment=None))
    if amount is None:
        amount = sum((fee.amount for fee in unpaid), Decimal(0))
    amount = Decimal(amount)
    if amount <= 0:
        raise ValidationFailed(_("The amount to pay must be more than zero."), code="amount")
    payment = PaymentRequest.objects.create(
        dossier=dossier,
        amount=amount,
        description=description,
        requested_at=at,
        requested_by=actor,
    )
    DossierFee.objects.filter(pk__in=[fee.pk for fee in unpaid]).update(payment=payment)
    before = dossier.state
    dossier.state = DossierState.PAYMENT_REQUESTED
    _record(
        dossier,
        Action.REQUEST_PAYMENT,
        actor=actor,
        at=at,
        from_state=before,
        reason=description,
        payload={"amount": str(amount), "payment": payment.pk},
        fields=["state"],
    )
    return payment


@transaction.atomic
def dossier_confirm_payment(
    *,
    actor,
    dossier: Dossier,
    method: str = "cash",
    receipt_number: str = "",
    at: dt.datetime | None = None,
) -> Dossier:
    at = _now(at)
    dossier = _lock(dossier)
    policies.require(actor, Action.CONFIRM_PAYMENT, dossier)
    _require_state(dossier, Action.CONFIRM_PAYMENT)
    payment = dossier.payments.filter(paid_at=None).last()
    if payment is None:
        raise Conflict(_("There is no payment waiting."), code="no_payment")
    payment.paid_at = at
    payment.confirmed_by = actor
    payment.method = method[:40]
    payment.receipt_number = receipt_number[:60]
    payment.save(update_fields=["paid_at", "confirmed_by", "method", "receipt_number"])
    before = dossier.state
    dossier.state = DossierState.IN_PROCESS
    dossier.paid = True
    dossier.paid_online = dossier.paid_online or payment.method == "online"
    _record(
        dossier,
        Action.CONFIRM_PAYMENT,
        actor=actor,
        at=at,
        from_state=before,
        payload={
            "amount": str(payment.amount),
            "method": payment.method,
            "receipt": receipt_number,
        },
        fields=["state", "paid", "paid_online"],
    )
    return dossier


@transaction.atomic
def dossier_extend(
    *,
    actor,
    dossier: Dossier,
    new_due: dt.datetime,
    reason: str,
    at: dt.datetime | None = None,
) -> Extension:
    """Apology and new appointment (Mẫu 04, TT 01/2018) / apology and request for an extension
    (TT 03/2025). The clock uses the new appointment; ``original_due_at`` is kept for statistics
    — practice and the 766 rules still count the dossier late (SPEC.md §1.4, §3.4)."""
    at = _now(at)
    dossier = _lock(dossier)
    policies.require(actor, Action.EXTEND, dossier)
    _require_state(dossier, Action.EXTEND)
    reason = _required_text(reason, _("The reason for the delay"))
    limit = int(_setting("MOTCUA_EXTENSION_MAX", 1))
    if dossier.extension_count >= limit:
        raise Conflict(
            _("The appointment has already been extended; it may be extended only once."),
            code="extension_once",
        )
    if dossier.due_at is None:
        raise Conflict(_("This dossier has no appointment to extend."), code="no_appointment")
    calendar = _calendar(dossier, at)
    if not calendar.is_appointment_time(new_due):  # e.g. a Saturday: the next working start
        new_due = calendar.normalise(new_due)
    if new_due <= dossier.due_at:
        raise ValidationFailed(
            _("The new appointment must be later than the current one."), code="new_due"
        )
    extension = Extension.objects.create(
        dossier=dossier,
        created_at=at,
        created_by=actor,
        reason=reason,
        original_due=dossier.original_due_at or dossier.due_at,
        previous_due=dossier.due_at,
        new_due=new_due,
        regime=regime_for_dossier(dossier),
    )
    previous = dossier.due_at
    dossier.due_at = new_due
    dossier.apology_issued = True
    dossier.extension_count += 1
    _record(
        dossier,
        Action.EXTEND,
        actor=actor,
        at=at,
        from_state=dossier.state,
        reason=reason,
        payload={"previous_due": _iso(previous), "new_due": _iso(new_due)},
        fields=["due_at", "apology_issued", "extension_count"],
    )
    return extension
