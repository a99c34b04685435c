"""The dossier state machine as data (SPEC.md §1.7): which action may start from which state
and where it leads. Pure; the services enforce it and the tests walk it exhaustively."""

from __future__ import annotations

from motcua.dossiers.choices import Action
from motcua.dossiers.choices import DossierState as S

_PROCESSING = frozenset({S.RECEIVED, S.IN_PROCESS})
_WITHDRAWABLE = frozenset(
    {
        S.SUBMITTED,
        S.RETURNED_FOR_COMPLETION,
        S.RECEIVED,
        S.IN_PROCESS,
        S.SUPPLEMENT_REQUESTED,
        S.PAYMENT_REQUESTED,
    }
)
_EXTENDABLE = frozenset({S.RECEIVED, S.IN_PROCESS, S.SUPPLEMENT_REQUESTED, S.PAYMENT_REQUESTED})

# action → (states it may start from, state it leads to; None = stays where it is)
TRANSITIONS: dict[Action, tuple[frozenset[S], S | None]] = {
    Action.SUBMIT: (frozenset({S.DRAFT}), S.SUBMITTED),
    Action.RECEIVE: (frozenset({S.SUBMITTED}), S.RECEIVED),
    Action.REQUEST_COMPLETION: (frozenset({S.SUBMITTED}), S.RETURNED_FOR_COMPLETION),
    Action.RESUBMIT: (frozenset({S.RETURNED_FOR_COMPLETION}), S.SUBMITTED),
    Action.REFUSE: (frozenset({S.SUBMITTED, S.RETURNED_FOR_COMPLETION}), S.REJECTED),
    Action.ASSIGN: (_PROCESSING, None),
    Action.HANDOVER: (_PROCESSING, S.IN_PROCESS),
    Action.TRANSFER: (_PROCESSING, S.IN_PROCESS),
    Action.TRANSFER_BACK: (frozenset({S.IN_PROCESS}), S.IN_PROCESS),
    Action.REQUEST_SUPPLEMENT: (_PROCESSING, S.SUPPLEMENT_REQUESTED),
    Action.SUPPLY: (frozenset({S.SUPPLEMENT_REQUESTED}), S.IN_PROCESS),
    Action.REQUEST_PAYMENT: (_PROCESSING, S.PAYMENT_REQUESTED),
    Action.CONFIRM_PAYMENT: (frozenset({S.PAYMENT_REQUESTED}), S.IN_PROCESS),
    Action.EXTEND: (_EXTENDABLE, None),
    Action.REQUEST_WITHDRAWAL: (_WITHDRAWABLE, S.WITHDRAWAL_REQUESTED),
    Action.CONFIRM_WITHDRAWAL: (frozenset({S.WITHDRAWAL_REQUESTED}), S.STOPPED),
    Action.STOP: (
        frozenset({S.RECEIVED, S.IN_PROCESS, S.SUPPLEMENT_REQUESTED, S.PAYMENT_REQUESTED}),
        S.STOPPED,
    ),
    Action.RESOLVE: (_PROCESSING, S.RESOLVED),
    Action.RETURN_RESULT: (frozenset({S.RESOLVED}), S.RETURNED),
    Action.RATE: (frozenset({S.RETURNED}), None),
}


def allowed_from(action: Action | str) -> frozenset[S]:
    return TRANSITIONS[Action(action)][0]


def target(action: Action | str, current: S | str) -> S:
    _sources, to = TRANSITIONS[Action(action)]
    return S(current) if to is None else to


def can(action: Action | str, current: S | str) -> bool:
    return S(current) in allowed_from(action)


def actions_from(current: S | str) -> list[Action]:
    return [action for action, (sources, _to) in TRANSITIONS.items() if S(current) in sources]
