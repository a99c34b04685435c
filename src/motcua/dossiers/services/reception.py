"""Reception: submission, counter intake, acceptance, completion requests, refusal (SPEC.md §1.4
steps 1–3)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.catalog.choices import Channel
from motcua.core.errors import ValidationFailed
from motcua.dossiers import policies
from motcua.dossiers.choices import (
    Action,
    DossierState,
    SupplementPhase,
)
from motcua.dossiers.models import (
    Dossier,
    SupplementRequest,
)
from motcua.dossiers.services._common import (
    _CLOCK_FIELDS,
    ComponentIn,
    DossierIn,
    _add_components,
    _assign_code,
    _create,
    _iso,
    _lock,
    _now,
    _record,
    _require_state,
    _required_text,
    _start_clock,
    _validate_new,
)
from motcua.org.choices import Role
from motcua.org.policies import has_role, require_role

# -- reception ------------------------------------------------------------------------------


@transaction.atomic
def dossier_submit(*, actor, data: DossierIn, at: dt.datetime | None = None) -> Dossier:
    """A citizen submits online (or a post office hands in): status 1, a code is given at once
    so the applicant can follow the dossier (ADR 0003)."""
    at = _now(at)
    if actor is None or not actor.is_authenticated:
        raise ValidationFailed(_("Please sign in to submit a dossier."), code="login_required")
    data.channel = (
        data.channel if data.channel in (Channel.ONLINE, Channel.POST) else Channel.ONLINE
    )
    _validate_new(data, day=timezone.localdate(at))
    dossier = _create(data, owner=actor, state=DossierState.SUBMITTED, at=at)
    _assign_code(dossier, at)
    _record(
        dossier,
        Action.SUBMIT,
        actor=actor,
        at=at,
        from_state=DossierState.DRAFT,
        payload={"code": dossier.code, "channel": dossier.channel},
    )
    return dossier


@transaction.atomic
def dossier_intake(
    *, actor, data: DossierIn, receive: bool = True, at: dt.datetime | None = None
) -> Dossier:
    """A reception officer records a dossier presented at the counter (or by post). With
    ``receive`` it is received at once (Mẫu 01) and every mandatory component must be there;
    otherwise it waits, e.g. for completion (Mẫu 02), and may lack some."""
    at = _now(at)
    if data.channel == Channel.ONLINE:
        data.channel = Channel.COUNTER
    require_role(actor, Role.RECEPTION, data.receiving_agency)
    _validate_new(data, day=timezone.localdate(at), require_components=receive)
    dossier = _create(data, owner=None, state=DossierState.SUBMITTED, at=at)
    _assign_code(dossier, at)
    payload: dict[str, Any] = {"code": dossier.code, "channel": dossier.channel}
    if receive:
        dossier.state = DossierState.RECEIVED
        _start_clock(dossier, at=at)
        dossier.save(update_fields=["state", *_CLOCK_FIELDS])
        payload |= {"received_at": _iso(dossier.received_at), "due_at": _iso(dossier.due_at)}
    _record(dossier, Action.INTAKE, actor=actor, at=at, from_state="", payload=payload)
    return dossier


@transaction.atomic
def dossier_receive(*, actor, dossier: Dossier, at: dt.datetime | None = None) -> Dossier:
    """Accept an online or postal dossier (Mẫu 01): the legal clock starts at the reception time,
    moved to the next working start when outside working hours (SPEC.md §1.3)."""
    at = _now(at)
    dossier = _lock(dossier)
    policies.require(actor, Action.RECEIVE, dossier)
    _require_state(dossier, Action.RECEIVE)
    before = dossier.state
    dossier.state = DossierState.RECEIVED
    _start_clock(dossier, at=at)
    _record(
        dossier,
        Action.RECEIVE,
        actor=actor,
        at=at,
        from_state=before,
        payload={"received_at": _iso(dossier.received_at), "due_at": _iso(dossier.due_at)},
        fields=["state", *_CLOCK_FIELDS],
    )
    return dossier


@transaction.atomic
def dossier_request_completion(
    *,
    actor,
    dossier: Dossier,
    reason: str,
    items: list[str],
    at: dt.datetime | None = None,
) -> SupplementRequest:
    """Mẫu 02 before reception: everything missing, in one go; no clock runs."""
    at = _now(at)
    dossier = _lock(dossier)
    policies.require(actor, Action.REQUEST_COMPLETION, dossier)
    _require_state(dossier, Action.REQUEST_COMPLETION)
    items = [item.strip() for item in items if item and item.strip()]
    if not items:
        raise ValidationFailed(
            _("List every document that must be supplemented or completed."), code="items_required"
        )
    request = SupplementRequest.objects.create(
        dossier=dossier,
        phase=SupplementPhase.BEFORE_RECEPTION,
        requested_at=at,
        requested_by=actor,
        reason=_required_text(reason, _("The reason")),
        items=items,
    )
    before = dossier.state
    dossier.state = DossierState.RETURNED_FOR_COMPLETION
    _record(
        dossier,
        Action.REQUEST_COMPLETION,
        actor=actor,
        at=at,
        from_state=before,
        reason=request.reason,
        payload={"items": items, "request": request.pk},
        fields=["state"],
    )
    return request


@transaction.atomic
def dossier_resubmit(
    *,
    actor,
    dossier: Dossier,
    components: list[ComponentIn] | None = None,
    note: str = "",
    at: dt.datetime | None = None,
) -> Dossier:
    at = _now(at)
    dossier = _lock(dossier)
    policies.require(actor, Action.RESUBMIT, dossier)
    _require_state(dossier, Action.RESUBMIT)
    request = dossier.supplements.filter(
        phase=SupplementPhase.BEFORE_RECEPTION, supplied_at=None
    ).last()
    if request is not None:
        request.supplied_at = at
        request.supplied_by = actor
        request.save(update_fields=["supplied_at", "supplied_by"])
    _add_components(dossier, components or [], supplement=request)
    before = dossier.state
    dossier.state = DossierState.SUBMITTED
    _record(
        dossier,
        Action.RESUBMIT,
        actor=actor,
        at=at,
        from_state=before,
        reason=note,
        payload={"components": len(components or [])},
        fields=["state"],
    )
    return dossier


@transaction.atomic
def dossier_refuse(
    *, actor, dossier: Dossier, reason: str, at: dt.datetime | None = None
) -> Dossier:
    """Mẫu 03: not eligible, not within competence, or the applicant cannot complete it."""
    at = _now(at)
    dossier = _lock(dossier)
    policies.require(actor, Action.REFUSE, dossier)
    _require_state(dossier, Action.REFUSE)
    reason = _required_text(reason, _("The reason for refusal"))
    before = dossier.state
    dossier.state = DossierState.REJECTED
    dossier.rejected_at = at
    _record(
        dossier,
        Action.REFUSE,
        actor=actor,
        at=at,
        from_state=before,
        reason=reason,
        fields=["state", "rejected_at"],
    )
    return dossier


def dossier_create(
    *, actor, data: DossierIn, receive: bool = True, at: dt.datetime | None = None
) -> Dossier:
    """One entry point for a new dossier: an official holding the reception role at the
    receiving agency records a counter intake; anyone else submits as the applicant."""
    if has_role(actor, Role.RECEPTION, data.receiving_agency):
        return dossier_intake(actor=actor, data=data, receive=receive, at=at)
    return dossier_submit(actor=actor, data=data, at=at)
