"""The dossier lifecycle: one service per transition of SPEC.md §1.7.

Every service is keyword-only, takes the acting person explicitly and runs in one transaction:
lock the dossier row → check the actor's role and scope (``policies``) → check the state
(``transitions``) → validate the input → change the dossier → append the hash-chained event →
enqueue the external effects in the outbox. A refusal at any check raises a ``DomainError`` and,
the transaction being rolled back, changes nothing and enqueues nothing.

``at`` (default: now) exists for tests with concrete dates, imports and benchmarks; interfaces
never pass it.
"""

from __future__ import annotations

from motcua.dossiers.services._common import Applicant, ComponentIn, DossierIn
from motcua.dossiers.services.closing import (
    dossier_confirm_withdrawal,
    dossier_note_rating,
    dossier_request_withdrawal,
    dossier_resolve,
    dossier_return_result,
    dossier_stop,
    dossiers_mark_overdue,
)
from motcua.dossiers.services.processing import (
    dossier_assign,
    dossier_confirm_payment,
    dossier_extend,
    dossier_handover,
    dossier_request_payment,
    dossier_request_supplement,
    dossier_supply,
    dossier_transfer,
    dossier_transfer_back,
)
from motcua.dossiers.services.reception import (
    dossier_create,
    dossier_intake,
    dossier_receive,
    dossier_refuse,
    dossier_request_completion,
    dossier_resubmit,
    dossier_submit,
)

__all__ = [
    "Applicant",
    "ComponentIn",
    "DossierIn",
    "dossier_assign",
    "dossier_confirm_payment",
    "dossier_confirm_withdrawal",
    "dossier_create",
    "dossier_extend",
    "dossier_handover",
    "dossier_intake",
    "dossier_note_rating",
    "dossier_receive",
    "dossier_refuse",
    "dossier_request_completion",
    "dossier_request_payment",
    "dossier_request_supplement",
    "dossier_request_withdrawal",
    "dossier_resolve",
    "dossier_resubmit",
    "dossier_return_result",
    "dossier_stop",
    "dossier_submit",
    "dossier_supply",
    "dossier_transfer",
    "dossier_transfer_back",
    "dossiers_mark_overdue",
]
