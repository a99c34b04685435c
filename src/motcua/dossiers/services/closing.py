"""The end of a dossier: withdrawal, stop, result, return (SPEC.md §1.4 steps 5–6, §1.6)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import Conflict, ValidationFailed
from motcua.dossiers import policies
from motcua.dossiers.choices import (
    Action,
    DossierState,
    ResultKind,
    ReturnMethod,
)
from motcua.dossiers.models import Dossier, StoredFile
from motcua.dossiers.services._common import (
    _calendar,
    _close_step,
    _finish,
    _lock,
    _now,
    _record,
    _require_state,
    _required_text,
)
from motcua.dossiers.services.files import PDF, sniff_content_type, stored_file_put

# -- ending ---------------------------------------------------------------------------------


@transaction.atomic
def dossier_request_withdrawal(
    *, actor, dossier: Dossier, reason: str, at: dt.datetime | None = None
) -> Dossier:
    """The applicant asks to withdraw (status 7); not once the result is ready (SPEC.md §1.6)."""
    at = _now(at)
    dossier = _lock(dossier)
    policies.require(actor, Action.REQUEST_WITHDRAWAL, dossier)
    _require_state(dossier, Action.REQUEST_WITHDRAWAL)
    before = dossier.state
    dossier.state_before_withdrawal = before
    dossier.state = DossierState.WITHDRAWAL_REQUESTED
    _record(
        dossier,
        Action.REQUEST_WITHDRAWAL,
        actor=actor,
        at=at,
        from_state=before,
        reason=_required_text(reason, _("The reason")),
        fields=["state", "state_before_withdrawal"],
    )
    return dossier


@transaction.atomic
def dossier_confirm_withdrawal(
    *, actor, dossier: Dossier, note: str = "", at: dt.datetime | None = None
) -> Dossier:
    """The officer confirms the withdrawal and stops the dossier (status 8); in Report 06 it is
    counted as finished on time ("trả lại/xin rút", SPEC.md §7.1 col. 9)."""
    at = _now(at)
    dossier = _lock(dossier)
    policies.require(actor, Action.CONFIRM_WITHDRAWAL, dossier)
    _require_state(dossier, Action.CONFIRM_WITHDRAWAL)
    before = dossier.state
    dossier.state = DossierState.STOPPED
    dossier.stopped_at = at
    fields = ["state", "stopped_at"]
    if dossier.received_at is not None:
        calendar = _calendar(dossier, at)
        _close_step(dossier, calendar=calendar, at=at, actor=actor, note=note)
        _finish(dossier, calendar=calendar, at=at, on_time=True)
        fields += ["finished_at", "is_overdue", "timeliness"]
    _record(
        dossier,
        Action.CONFIRM_WITHDRAWAL,
        actor=actor,
        at=at,
        from_state=before,
        reason=note,
        payload={"state_before": dossier.state_before_withdrawal},
        fields=fields,
    )
    return dossier


@transaction.atomic
def dossier_stop(*, actor, dossier: Dossier, reason: str, at: dt.datetime | None = None) -> Dossier:
    """The agency stops processing: the legal ground disappeared, or the applicant did not
    supplement in time (SPEC.md §1.6; TT 03/2025 "Thông báo dừng giải quyết hồ sơ")."""
    at = _now(at)
    dossier = _lock(dossier)
    policies.require(actor, Action.STOP, dossier)
    _require_state(dossier, Action.STOP)
    reason = _required_text(reason, _("The reason"))
    calendar = _calendar(dossier, at)
    _close_step(dossier, calendar=calendar, at=at, actor=actor, note=reason)
    before = dossier.state
    dossier.state = DossierState.STOPPED
    dossier.stopped_at = at
    _finish(dossier, calendar=calendar, at=at, on_time=True)
    _record(
        dossier,
        Action.STOP,
        actor=actor,
        at=at,
        from_state=before,
        reason=reason,
        fields=["state", "stopped_at", "finished_at", "is_overdue", "timeliness"],
    )
    return dossier


@transaction.atomic
def dossier_resolve(
    *,
    actor,
    dossier: Dossier,
    result_kind: str = ResultKind.APPROVAL,
    result_number: str = "",
    signer: str = "",
    note: str = "",
    result_content: bytes | None = None,
    result_file_name: str = "",
    result_file: StoredFile | None = None,
    result_document: str = "",
    at: dt.datetime | None = None,
) -> Dossier:
    """The result is issued — approval, or a refusal letter with reasons (status 9). This is
    the completion time (NgayKetThucXuLy) that timeliness is judged on (SPEC.md §3.5).

    ``result_content`` is the electronic result (a PDF), which the applicant can download
    once it is returned online (766 indicator 4.1, SPEC.md §5.2). A result signed and
    registered here (``documents.services.results.dossier_result_sign``) comes as the stored
    ``result_file`` with the public id of its register entry, ``result_document``."""
    at = _now(at)
    dossier = _lock(dossier)
    policies.require(actor, Action.RESOLVE, dossier)
    _require_state(dossier, Action.RESOLVE)
    try:
        result_kind = ResultKind(result_kind)
    except ValueError:
        raise ValidationFailed(_("Choose approval or refusal."), code="result_kind") from None
    if result_kind is ResultKind.REFUSAL:
        note = _required_text(note, _("The reasons for refusal"))
    if result_content is not None:
        # checked before anything is written, so a refused file leaves nothing on disk
        if sniff_content_type(result_content[:16]) != PDF:
            raise ValidationFailed(
                _("The electronic result must be a PDF file."), code="result_file_type"
            )
        result_file = stored_file_put(content=result_content, name=result_file_name)
    if result_file is not None:
        dossier.result_file = result_file
        dossier.result_file_name = (result_file_name or f"{dossier.code}.pdf")[:255]
    calendar = _calendar(dossier, at)
    _close_step(dossier, calendar=calendar, at=at, actor=actor, note=note)
    before = dossier.state
    dossier.state = DossierState.RESOLVED
    dossier.result_kind = result_kind
    dossier.result_number = result_number[:60]
    dossier.result_signer = signer[:255]
    dossier.result_note = note
    _finish(dossier, calendar=calendar, at=at)
    _record(
        dossier,
        Action.RESOLVE,
        actor=actor,
        at=at,
        from_state=before,
        reason=note,
        payload={
            "result_kind": result_kind.value,
            "result_number": dossier.result_number,
            "result_sha256": dossier.result_file.sha256 if dossier.result_file else "",
            "timeliness": dossier.timeliness,
        }
        | ({"result_document": result_document} if result_document else {}),
        fields=[
            "state",
            "result_kind",
            "result_number",
            "result_file",
            "result_file_name",
            "result_signer",
            "result_note",
            "finished_at",
            "is_overdue",
            "timeliness",
        ],
    )
    return dossier


@transaction.atomic
def dossier_return_result(
    *,
    actor,
    dossier: Dossier,
    method: str,
    recipient: str = "",
    at: dt.datetime | None = None,
) -> Dossier:
    """Hand the result over (status 10): at the desk or by post, recording who received it; or
    online."""
    at = _now(at)
    dossier = _lock(dossier)
    policies.require(actor, Action.RETURN_RESULT, dossier)
    _require_state(dossier, Action.RETURN_RESULT)
    try:
        method = ReturnMethod(method)
    except ValueError:
        raise ValidationFailed(
            _("Choose how the result is returned: at the desk, by post or online."),
            code="return_method",
        ) from None
    if method is ReturnMethod.ONLINE and dossier.result_file_id is None:
        raise ValidationFailed(
            _(
                "There is no electronic result to return online: the result PDF is attached "
                "when the dossier is resolved."
            ),
            code="no_electronic_result",
        )
    if method is not ReturnMethod.ONLINE:
        recipient = _required_text(recipient, _("The name of the person receiving the result"))
    before = dossier.state
    dossier.state = DossierState.RETURNED
    dossier.return_method = method
    dossier.result_recipient = recipient[:255]
    dossier.returned_at = at
    _record(
        dossier,
        Action.RETURN_RESULT,
        actor=actor,
        at=at,
        from_state=before,
        payload={"method": method.value, "recipient": dossier.result_recipient},
        fields=["state", "return_method", "result_recipient", "returned_at"],
    )
    return dossier


def dossiers_mark_overdue(*, now: dt.datetime | None = None) -> int:
    """Set the overdue flag on open dossiers past their appointment (periodic task)."""
    from motcua.dossiers.choices import OPEN_STATES

    now = _now(now)
    return (
        Dossier.objects.filter(state__in=OPEN_STATES, due_at__lt=now, is_overdue=False)
        .exclude(state=DossierState.SUPPLEMENT_REQUESTED)
        .update(is_overdue=True)
    )


@transaction.atomic
def dossier_note_rating(
    *, actor, dossier: Dossier, payload: dict, at: dt.datetime | None = None
) -> Dossier:
    """The dossier's side of a satisfaction rating (SPEC.md §6; the rating itself is kept by
    ``feedback``): only once the result is returned, only once, logged in the event chain."""
    at = _now(at)
    dossier = _lock(dossier)
    policies.require(actor, Action.RATE, dossier)
    _require_state(dossier, Action.RATE)
    if dossier.rated:
        raise Conflict(_("This dossier has already been rated."), code="already_rated")
    dossier.rated = True
    _record(
        dossier,
        Action.RATE,
        actor=actor,
        at=at,
        from_state=dossier.state,
        payload=payload,
        fields=["rated"],
    )
    return dossier
