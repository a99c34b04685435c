"""The history of one imported dossier: its events in time order, replayed through the state
machine, and the fields the live services would have left (SPEC.md §1.7, §3.4–§3.5)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.core.workcal import WorkCalendar
from motcua.dossiers import clock, transitions
from motcua.dossiers.choices import (
    OPEN_STATES,
    Action,
    DossierState,
    SupplementPhase,
    Timeliness,
)
from motcua.dossiers.regimes import regime_for

# The live services' own rules, so that an imported dossier is computed exactly like a live one.
from motcua.dossiers.services._common import dossier_convention, time_rule
from motcua.dossiers.services.imports.plans import _EventPlan, _SupplementPlan
from motcua.dossiers.services.imports.reading import _iso, _local
from motcua.org.models import Agency

if TYPE_CHECKING:
    from motcua.dossiers.services.imports.checks import _RowCheck
    from motcua.dossiers.services.imports.importer import _Importer

# -- the history of one dossier ---------------------------------------------------------------


class _History:
    """The events of one dossier in time order, replayed through the state machine (SPEC.md
    §1.7) while the clock fields are computed as the live services compute them (§3.4–§3.5)."""

    def __init__(
        self,
        *,
        check: _RowCheck,
        importer: _Importer,
        receiving: Agency,
        variant,
        channel: int,
        state: DossierState,
        times: dict[str, dt.datetime],
        submitted: dt.datetime,
        intervals,
        due_file,
        original_file,
        extension_due,
        extension_reason: str,
        reason: str,
    ) -> None:
        self.check = check
        self.importer = importer
        self.receiving = receiving
        self.variant = variant
        self.channel = channel
        self.declared = state
        self.times = times
        self.submitted = submitted
        self.intervals = intervals
        self.due_file = due_file
        self.original_file = original_file
        self.extension_due = extension_due
        self.extension_reason = extension_reason
        self.reason = reason
        self.state: DossierState = DossierState.SUBMITTED
        self.state_before_withdrawal = ""
        self.paid = False
        self.supplements: list[_SupplementPlan] = []
        self.extension: dict[str, Any] | None = None
        self.payment: dict[str, Any] | None = None
        self.fields: dict[str, Any] = {}

    def calendar(self, moment: dt.datetime) -> WorkCalendar:
        return self.importer.calendar(self.receiving, moment)

    def _events(self) -> list[_EventPlan]:
        events: list[_EventPlan] = []

        def add(action: Action, at: dt.datetime, **extra: Any) -> None:
            events.append(_EventPlan(action=action, at=at, order=len(events), **extra))

        t = self.times
        received = t.get("received_at")
        add(Action.IMPORT, self.submitted)
        for index, (requested, supplied) in enumerate(self.intervals):
            phase = (
                SupplementPhase.PROCESSING
                if received is not None and requested >= received
                else SupplementPhase.BEFORE_RECEPTION
            )
            self.supplements.append(_SupplementPlan(phase, requested, supplied))
            before = phase == SupplementPhase.BEFORE_RECEPTION
            add(
                Action.REQUEST_COMPLETION if before else Action.REQUEST_SUPPLEMENT,
                requested,
                supplement=index,
            )
            if supplied is not None:
                add(Action.RESUBMIT if before else Action.SUPPLY, supplied, supplement=index)
        if "rejected_at" in t:
            add(Action.REFUSE, t["rejected_at"], reason=self.reason)
        if received is not None:
            add(Action.RECEIVE, received)
            forwarded = any(e.action is Action.SUPPLY for e in events) or "paid_at" in t
            if self.declared is DossierState.IN_PROCESS and not forwarded:
                add(Action.HANDOVER, received)  # RECEIVED → IN_PROCESS "forwarding (auto)"
        if "payment_requested_at" in t:
            add(Action.REQUEST_PAYMENT, t["payment_requested_at"])
            if "paid_at" in t:
                add(Action.CONFIRM_PAYMENT, t["paid_at"])
        if self.extension_due is not None:
            at = t.get("extension_at") or self._original_due() or received or self.submitted
            add(Action.EXTEND, at, reason=self.extension_reason)
        if "withdrawn_at" in t:
            add(Action.REQUEST_WITHDRAWAL, t["withdrawn_at"], reason=self.reason)
        if self.declared in (DossierState.RESOLVED, DossierState.RETURNED) and "finished_at" in t:
            add(Action.RESOLVE, t["finished_at"], reason=self.reason)
        if "stopped_at" in t:
            action = Action.CONFIRM_WITHDRAWAL if "withdrawn_at" in t else Action.STOP
            add(action, t["stopped_at"], reason=self.reason)
        if "returned_at" in t:
            add(Action.RETURN_RESULT, t["returned_at"])
        events.sort(key=lambda e: (e.at, e.order))
        return events

    def _original_due(self) -> dt.datetime | None:
        """The appointment given at reception (Mẫu 01)."""
        received = self.times.get("received_at")
        if received is None:
            return None
        if self.original_file is not None:
            return self.original_file
        moved = self.extension_due is not None or any(s for _r, s in self.intervals if s)
        if self.due_file is not None and not moved:
            return self.due_file
        calendar = self.calendar(received)
        amount, unit = time_rule(self.variant, self.channel)
        appointment = clock.appointment(
            calendar, clock.reception_time(calendar, received), amount, unit
        )
        return appointment or self.due_file

    def build(self) -> list[_EventPlan] | None:
        events = self._events()
        check = self.check
        due: dt.datetime | None = None
        original: dt.datetime | None = None
        paused_at: dt.datetime | None = None
        paused_seconds = 0
        supplement_count = 0
        state: DossierState | None = None
        for event in events:
            if event.action is Action.IMPORT:
                event.to_state = state = DossierState.SUBMITTED
                continue
            assert state is not None
            if not transitions.can(event.action, state):
                check.problem(
                    None,
                    _(
                        "“%(action)s” on %(at)s is not possible while the dossier "
                        "is “%(state)s”; check the dates."
                    ),
                    action=event.action.label,
                    at=_local(event.at),
                    state=state.label,
                )
                return None
            event.from_state = state
            state = transitions.target(event.action, state)
            event.to_state = state
            item = self.supplements[event.supplement] if event.supplement is not None else None
            if event.action is Action.RECEIVE:
                calendar = self.calendar(event.at)
                received = clock.reception_time(calendar, event.at)
                original = due = self._original_due()
                self.fields |= {"received_at": received}
                event.payload = {"received_at": _iso(received), "due_at": _iso(due)}
            elif event.action is Action.REQUEST_COMPLETION:
                event.payload = {"items": [], "request": None}
            elif event.action is Action.RESUBMIT:
                event.payload = {"components": 0}
            elif event.action is Action.HANDOVER:
                event.payload = {"next_step": None}
            elif event.action is Action.REQUEST_SUPPLEMENT:
                assert item is not None
                item.due_before = due
                item.original_due_before = original
                paused_at = event.at
                supplement_count += 1
                event.payload = {"items": [], "request": None, "due_before": _iso(due)}
            elif event.action is Action.SUPPLY:
                assert item is not None
                calendar = self.calendar(event.at)
                start = paused_at or item.requested_at
                if due is not None:
                    due, pause = clock.resume(calendar, due, start, event.at)
                else:
                    pause = clock.paused_time(calendar, start, event.at)
                if original is not None:  # the statutory appointment moves by pauses only
                    original = calendar.add_working_time(original, pause)
                item.due_after = due
                item.paused_seconds = int(pause.total_seconds())
                paused_seconds += item.paused_seconds
                paused_at = None
                event.payload = {
                    "paused_seconds": item.paused_seconds,
                    "due_after": _iso(due),
                    "components": 0,
                }
            elif event.action is Action.REQUEST_PAYMENT:
                self.payment = {"amount": 0, "requested_at": event.at}
                event.payload = {"amount": "0", "payment": None}
            elif event.action is Action.CONFIRM_PAYMENT:
                assert self.payment is not None
                self.payment["paid_at"] = event.at
                self.paid = True
                event.payload = {"amount": "0", "method": "", "receipt": ""}
            elif event.action is Action.EXTEND:
                new_due = self.extension_due
                assert new_due is not None
                if due is None or new_due <= due:
                    check.problem(
                        "extension_new_due",
                        _("must be later than the appointment it extends (%(value)s)."),
                        value=_local(due) if due else "—",
                    )
                    return None
                self.extension = {
                    "created_at": event.at,
                    "reason": self.extension_reason,
                    "original_due": original or due,
                    "previous_due": due,
                    "new_due": new_due,
                    "regime": regime_for(timezone.localdate(self.fields["received_at"])),
                }
                event.payload = {"previous_due": _iso(due), "new_due": _iso(new_due)}
                due = new_due
            elif event.action is Action.REQUEST_WITHDRAWAL:
                self.state_before_withdrawal = event.from_state
            elif event.action is Action.CONFIRM_WITHDRAWAL:
                event.payload = {"state_before": self.state_before_withdrawal}
            # RESOLVE, STOP, REFUSE, RETURN_RESULT: fields are set below, from the final due.

        assert state is not None
        if state != self.declared and not (
            self.declared is DossierState.RECEIVED and state is DossierState.IN_PROCESS
        ):
            check.problem(
                "status",
                _(
                    "the status is “%(status)s” but the dates describe a "
                    "dossier that is “%(state)s”."
                ),
                status=self.declared.label,
                state=state.label,
            )
            return None
        self.state = state
        self._finish(due_replayed=due, original=original, paused_at=paused_at)
        self.fields |= {
            "paused_seconds": paused_seconds,
            "supplement_count": supplement_count,
        }
        return events

    def _finish(
        self,
        *,
        due_replayed: dt.datetime | None,
        original: dt.datetime | None,
        paused_at: dt.datetime | None,
    ) -> None:
        """Fill the dossier's clock and result fields as the live services leave them."""
        t = self.times
        received = t.get("received_at")
        due = (self.due_file or due_replayed) if received is not None else None
        if self.due_file is not None and self.extension is None and self.original_file is None:
            original = self.due_file  # without an extension both appointments are the same
        if received is None:
            original = None
        fields = self.fields
        fields |= {
            "due_at": due,
            "original_due_at": original,
            "paused_at": paused_at,
            "apology_issued": self.extension is not None,
            "extension_count": 1 if self.extension is not None else 0,
            "rejected_at": t.get("rejected_at"),
            "stopped_at": t.get("stopped_at"),
            "returned_at": t.get("returned_at"),
            "timeliness": "",
            "is_overdue": False,
        }
        supplements = sum(1 for s in self.supplements if s.phase == SupplementPhase.PROCESSING)
        if self.state in (DossierState.RESOLVED, DossierState.RETURNED):
            # Judged on the statutory appointment (moved by pauses, not by an extension: an
            # apology does not make a late dossier on time, SPEC.md §1.4, §3.4–§3.5).
            finished = t["finished_at"]
            fields["finished_at"] = finished
            fields["timeliness"] = clock.classify(
                dossier_convention(),
                finished=finished,
                due=original,
                calendar=self.calendar(finished),
                supplement_requests=supplements,
            )
            fields["is_overdue"] = fields["timeliness"] == Timeliness.LATE
        elif self.state is DossierState.STOPPED and received is not None:
            # A stop or a confirmed withdrawal counts as finished on time (SPEC.md §7.1 col. 9).
            fields["finished_at"] = t["stopped_at"]
            fields["timeliness"] = Timeliness.ON_TIME
        elif self.state in OPEN_STATES and self.state is not DossierState.SUPPLEMENT_REQUESTED:
            # What the periodic ``dossiers_mark_overdue`` task would have set by now.
            fields["is_overdue"] = clock.is_overdue(due, self.importer.now)
