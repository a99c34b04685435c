"""Taking an action on a dossier from its input body (``schemas.ACTION_INPUTS``): the one path
shared by the API (``POST /dossiers/{code}/actions/{action}``) and the back office's dossier
desk. Every action calls its service, which checks role, scope and state and writes the event
and the outbox in one transaction."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from motcua.core.errors import ValidationFailed
from motcua.dossiers import schemas, selectors
from motcua.dossiers.choices import Action
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import lifecycle as svc
from motcua.dossiers.services.files import upload_allowance_require


def decode(content_base64: str | None, name: str) -> bytes | None:
    if content_base64 is None:
        return None
    try:
        return base64.b64decode(content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed(
            _("The file “%(name)s” is not valid base64.") % {"name": name},
            code="file_encoding",
        ) from None


def components(version, items: list[schemas.DossierComponentIn]) -> list[svc.ComponentIn]:
    catalogue = selectors.version_components(
        version, [i.component_id for i in items if i.component_id is not None]
    )
    return [
        svc.ComponentIn(
            component=catalogue.get(item.component_id) if item.component_id else None,
            name=item.name.strip(),
            is_original=item.is_original,
            quantity=item.quantity,
            content=decode(item.content_base64, item.file_name),
            file_name=item.file_name,
        )
        for item in items
    ]


def _files(items: list[schemas.DossierComponentIn]) -> int:
    return sum(1 for c in items if c.content_base64 is not None)


def _supply(actor, d: Dossier, data) -> Dossier:
    upload_allowance_require(actor=actor, count=_files(data.components))
    return svc.dossier_supply(
        actor=actor,
        dossier=d,
        components=components(d.procedure_version, data.components),
        note=data.note,
    )


def _rate(actor, d: Dossier, data) -> Any:
    from motcua.feedback.services import dossier_rate

    return dossier_rate(
        actor=actor,
        dossier=d,
        liked=data.liked,
        convenience=data.convenience,
        overall=data.overall,
        comment=data.comment,
    )


ACTIONS: dict[str, Callable[[Any, Dossier, Any], Any]] = {
    Action.RECEIVE: lambda actor, d, data: svc.dossier_receive(actor=actor, dossier=d),
    Action.REQUEST_COMPLETION: lambda actor, d, data: svc.dossier_request_completion(
        actor=actor, dossier=d, reason=data.reason, items=data.items
    ),
    Action.RESUBMIT: lambda actor, d, data: svc.dossier_resubmit(
        actor=actor,
        dossier=d,
        components=components(d.procedure_version, data.components),
        note=data.note,
    ),
    Action.REFUSE: lambda actor, d, data: svc.dossier_refuse(
        actor=actor, dossier=d, reason=data.reason
    ),
    Action.ASSIGN: lambda actor, d, data: svc.dossier_assign(
        actor=actor, dossier=d, assignee=selectors.user_by_username(data.assignee)
    ),
    Action.HANDOVER: lambda actor, d, data: svc.dossier_handover(
        actor=actor, dossier=d, note=data.note
    ),
    Action.TRANSFER: lambda actor, d, data: svc.dossier_transfer(
        actor=actor,
        dossier=d,
        to_agency=selectors.agency_by_code(data.to_agency),
        hours=data.hours,
        reason=data.reason,
    ),
    Action.TRANSFER_BACK: lambda actor, d, data: svc.dossier_transfer_back(
        actor=actor, dossier=d, note=data.note
    ),
    Action.REQUEST_SUPPLEMENT: lambda actor, d, data: svc.dossier_request_supplement(
        actor=actor, dossier=d, reason=data.reason, items=data.items, respond_by=data.respond_by
    ),
    Action.SUPPLY: _supply,
    Action.REQUEST_PAYMENT: lambda actor, d, data: svc.dossier_request_payment(
        actor=actor, dossier=d, amount=data.amount, description=data.description
    ),
    Action.CONFIRM_PAYMENT: lambda actor, d, data: svc.dossier_confirm_payment(
        actor=actor, dossier=d, method=data.method, receipt_number=data.receipt_number
    ),
    Action.EXTEND: lambda actor, d, data: svc.dossier_extend(
        actor=actor, dossier=d, new_due=data.new_due, reason=data.reason
    ),
    Action.REQUEST_WITHDRAWAL: lambda actor, d, data: svc.dossier_request_withdrawal(
        actor=actor, dossier=d, reason=data.reason
    ),
    Action.CONFIRM_WITHDRAWAL: lambda actor, d, data: svc.dossier_confirm_withdrawal(
        actor=actor, dossier=d, note=data.note
    ),
    Action.STOP: lambda actor, d, data: svc.dossier_stop(
        actor=actor, dossier=d, reason=data.reason
    ),
    Action.RESOLVE: lambda actor, d, data: svc.dossier_resolve(
        actor=actor,
        dossier=d,
        result_kind=data.result_kind,
        result_number=data.result_number,
        signer=data.signer,
        note=data.note,
        result_content=decode(data.result_content_base64, data.result_file_name),
        result_file_name=data.result_file_name,
    ),
    Action.RETURN_RESULT: lambda actor, d, data: svc.dossier_return_result(
        actor=actor, dossier=d, method=data.method, recipient=data.recipient
    ),
    Action.RATE: _rate,
}


def perform(actor, dossier: Dossier, action: str, data: schemas.InputSchema) -> None:
    """Take ``action`` on ``dossier`` as ``actor`` with the parsed body ``data``."""
    ACTIONS[action](actor, dossier, data)
