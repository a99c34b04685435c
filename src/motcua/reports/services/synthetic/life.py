"""One synthetic dossier's life, step by step, changing its fields as the services would."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from motcua.catalog.choices import Channel
from motcua.catalog.models import ProcedureVersion
from motcua.core.workcal import WorkCalendar
from motcua.dossiers import clock, transitions
from motcua.dossiers.choices import (
    OPEN_STATES,
    Action,
    DossierState,
    ResultKind,
    ReturnMethod,
    Timeliness,
)
from motcua.dossiers.regimes import regime_for
from motcua.org.models import Agency
from motcua.reports.services.synthetic.common import (
    EARLY,
    LATE,
    LIKED_SHARE,
    RATED_SHARE,
    REFUSED_SHARE,
    RETURNED_SHARE,
    SYNCED_SHARE,
    ZONE,
)
from motcua.reports.services.synthetic.province import Case, Desk, ProcedureInfo, Province

_RETURN_METHOD = {
    Channel.COUNTER: ReturnMethod.COUNTER,
    Channel.ONLINE: ReturnMethod.ONLINE,
    Channel.POST: ReturnMethod.POST,
}

# Common Vietnamese names; family names with rough weights (% of the population).

_EXTENSION_REASONS = ("Cần xác minh thêm thông tin", "Chờ ý kiến của cơ quan phối hợp")
_STOP_REASONS = ("Người nộp không bổ sung hồ sơ đúng hạn", "Không còn căn cứ giải quyết")
_COMPLAINTS = ("Phải chờ lâu", "Phải đi lại nhiều lần", "")


# -- one dossier ---------------------------------------------------------------------------------


@dataclass
class Made:
    """One synthetic dossier: its fields, the rows that belong to it and its history."""

    fields: dict[str, Any]
    version: ProcedureVersion
    receiving: Agency
    handling: Agency
    supplements: list[dict[str, Any]] = field(default_factory=list)
    extension: dict[str, Any] | None = None
    payment: dict[str, Any] | None = None
    transfer: dict[str, Any] | None = None
    rating: dict[str, Any] | None = None
    events: list[tuple[Action, dt.datetime, str, str, dict[str, Any]]] = field(default_factory=list)


class Stop(Exception):
    """The next step would happen after the end of the history."""


class DossierLife:
    """Simulates one dossier's life step by step, as the services would change its fields."""

    def __init__(
        self,
        ctx: Province,
        rng: random.Random,
        *,
        desk: Desk,
        procedure: ProcedureInfo,
        case: Case,
        channel: int,
        cutoff: dt.datetime,
        convention: str,
        transfer: bool,
    ) -> None:
        self.ctx, self.rng, self.cutoff, self.convention = ctx, rng, cutoff, convention
        self.transfer_wanted = transfer
        self.desk, self.procedure, self.case, self.channel = desk, procedure, case, channel
        self.receiving = desk.desk
        # people_committee(desk), or at the province the department implementing the procedure
        self.handling = procedure.handling or desk.committee
        self.state = DossierState.DRAFT
        self.events: list[tuple[Action, dt.datetime, str, str, dict[str, Any]]] = []
        self.due: dt.datetime | None = None
        self.original: dt.datetime | None = None
        self.paused_at: dt.datetime | None = None
        self.paused_seconds = 0
        self.supplements: list[dict[str, Any]] = []
        self.extension: dict[str, Any] | None = None
        self.payment: dict[str, Any] | None = None
        self.transfer: dict[str, Any] | None = None
        self.rating: dict[str, Any] | None = None
        self.fields: dict[str, Any] = {}

    # ---- time ------------------------------------------------------------------------------
    def cal(self, moment: dt.datetime) -> WorkCalendar:
        """The receiving desk's calendar around ``moment`` (as ``_common._calendar``)."""
        return self.ctx.calendar_of_year(self.receiving, moment.astimezone(ZONE).year)

    def later(self, moment: dt.datetime, hours: float) -> dt.datetime:
        """``moment`` plus ``hours`` of working time (``add_working_time``; whole working days
        are stepped over directly, which gives the same instant when ``moment`` is inside a
        working interval or at its end)."""
        calendar = self.cal(moment)
        seconds = round(max(hours, 0) * 3600)
        day_length = calendar.hours.day_length.total_seconds()
        whole, rest = divmod(seconds, int(day_length))
        if whole >= 1:
            local = moment.astimezone(calendar.tz)
            wall, day = local.time(), local.date()
            (am_start, am_end), (pm_start, pm_end) = calendar.hours.intervals
            inside = am_start < wall <= am_end or pm_start < wall <= pm_end
            if inside and calendar.is_working_day(day):
                for _n in range(int(whole)):
                    day = calendar.next_working_day(day)
                moment = dt.datetime.combine(day, wall, tzinfo=calendar.tz)
                seconds = rest
                calendar = self.cal(moment)
        return calendar.add_working_time(moment, dt.timedelta(seconds=seconds))

    def working_hours(self, start: dt.datetime, end: dt.datetime) -> float:
        return self.cal(start).working_time_between(start, end).total_seconds() / 3600

    # ---- steps -----------------------------------------------------------------------------
    def act(self, action: Action, at: dt.datetime, **payload: Any) -> None:
        """Record the step, or stop the story if it would happen after the end (reception
        always happens: the reception day was drawn before the end)."""
        if at > self.cutoff and action not in (Action.SUBMIT, Action.RECEIVE, Action.INTAKE):
            raise Stop
        before = self.state
        self.state = (
            DossierState.RECEIVED if action is Action.INTAKE else transitions.target(action, before)
        )
        self.events.append(
            (action, at, "" if action is Action.INTAKE else before, self.state, payload)
        )

    def receive(self, received: dt.datetime, submitted: dt.datetime) -> None:
        calendar = self.cal(received)
        received = clock.reception_time(calendar, received)
        amount, unit = self.case.rules[self.channel]
        self.due = self.original = clock.appointment(calendar, received, amount, unit)
        self.fields |= {"submitted_at": submitted, "received_at": received}
        payload = {"received_at": _iso(received), "due_at": _iso(self.due)}
        if self.channel == Channel.COUNTER:
            self.act(Action.INTAKE, received, **payload)
        else:
            self.act(Action.SUBMIT, submitted, channel=self.channel)
            self.act(Action.RECEIVE, received, **payload)

    def handover(self, t: dt.datetime) -> dt.datetime:
        t = self.later(t, self.rng.uniform(0.1, 2))
        self.act(Action.HANDOVER, t)
        return t

    def left(self, t: dt.datetime) -> float:
        """Working hours from ``t`` to the appointment (0 without one, or past it)."""
        return self.working_hours(t, self.due) if self.due is not None and self.due > t else 0.0

    def send_to_partner(self, t: dt.datetime) -> dt.datetime:
        """The partner's part gets a slice of the time left (SPEC.md §1.5)."""
        rng = self.rng
        partner = rng.choice(self.ctx.departments)
        if partner.pk == self.handling.pk or self.left(t) < 2:
            return t
        sent = self.before_due(t, 0.05, 0.2)
        hours = Decimal(max(1, round(self.left(sent) * rng.uniform(0.3, 0.6))))
        self.act(Action.TRANSFER, sent, to=partner.code)
        self.transfer = {
            "from_agency": self.handling,
            "to_agency": partner,
            "sent_at": sent,
            "hours": hours,
            "due_at": clock.step_due(self.cal(sent), sent, hours),
            "reason": "Liên thông",
        }
        self.handling = partner
        back = self.later(sent, float(hours) * rng.uniform(0.4, 1.1))
        self.act(Action.TRANSFER_BACK, back)
        self.transfer["returned_at"] = back
        self.handling = self.transfer["from_agency"]
        return back

    def before_due(self, t: dt.datetime, low: float, high: float) -> dt.datetime:
        """A moment between ``t`` and the appointment (a share of the working time left)."""
        if self.due is None or self.due <= t:
            return self.later(t, self.rng.uniform(0.5, 4))
        return self.later(t, self.working_hours(t, self.due) * self.rng.uniform(low, high))

    def supplement(self, t: dt.datetime) -> dt.datetime:
        rng = self.rng
        requested = self.before_due(t, 0.1, 0.7)
        self.act(Action.REQUEST_SUPPLEMENT, requested, due_before=_iso(self.due))
        request: dict[str, Any] = {
            "requested_at": requested,
            "due_before": self.due,
            "original_due_before": self.original,
        }
        self.supplements.append(request)
        self.paused_at = requested
        days = rng.randint(1, 10)  # the applicant takes 1–10 working days
        supplied = self.later(requested, max(1.0, 8 * days + rng.uniform(-4, 4)))
        calendar = self.cal(supplied)
        # As ``dossier_supply``: both appointments move by exactly the paused working time.
        if self.due is not None:
            new_due, pause = clock.resume(calendar, self.due, requested, supplied)
        else:
            new_due, pause = None, clock.paused_time(calendar, requested, supplied)
        seconds = int(pause.total_seconds())
        self.act(Action.SUPPLY, supplied, paused_seconds=seconds, due_after=_iso(new_due))
        request |= {"supplied_at": supplied, "due_after": new_due, "paused_seconds": seconds}
        self.due = new_due
        if self.original is not None:
            self.original = calendar.add_working_time(self.original, pause)
        self.paused_at = None
        self.paused_seconds += seconds
        return supplied

    def pay(self, t: dt.datetime) -> dt.datetime:
        """The clock runs on while the applicant pays (SPEC.md §1.7), mostly in time."""
        requested = self.before_due(t, 0.1, 0.5)
        self.act(Action.REQUEST_PAYMENT, requested, amount=str(self.case.fee))
        self.payment = {"amount": self.case.fee, "requested_at": requested}
        left = self.left(requested)
        paid = self.later(
            requested, left * self.rng.uniform(0.1, 0.9) if left else self.rng.uniform(0.5, 8)
        )
        online = self.rng.random() < (0.7 if self.channel == Channel.ONLINE else 0.15)
        method = "online" if online else "cash"
        self.act(Action.CONFIRM_PAYMENT, paid, amount=str(self.case.fee), method=method)
        self.payment |= {"paid_at": paid, "method": method}
        self.fields |= {"paid": True, "paid_online": online}
        return paid

    def extend(self, t: dt.datetime) -> dt.datetime:
        assert self.due is not None
        created = self.before_due(t, 0.5, 0.95)
        previous = self.due
        new_due = self.cal(previous).add_working_time(
            previous, dt.timedelta(hours=8 * self.rng.randint(2, 10))
        )
        self.act(Action.EXTEND, created, previous_due=_iso(previous), new_due=_iso(new_due))
        self.extension = {
            "created_at": created,
            "reason": self.rng.choice(_EXTENSION_REASONS),
            "original_due": self.original or previous,
            "previous_due": previous,
            "new_due": new_due,
            "regime": regime_for(timezone.localdate(self.fields["received_at"])),
        }
        self.due = new_due
        self.fields |= {"apology_issued": True, "extension_count": 1}
        return created

    def stop(self, t: dt.datetime) -> None:
        rng = self.rng
        at = self.later(t, rng.uniform(2, 40))
        if rng.random() < 0.5:
            self.act(Action.REQUEST_WITHDRAWAL, at)
            self.fields["state_before_withdrawal"] = self.events[-1][2]
            at = self.later(at, rng.uniform(1, 16))
            self.act(Action.CONFIRM_WITHDRAWAL, at)
        else:
            self.act(Action.STOP, at, reason=rng.choice(_STOP_REASONS))
        self.fields |= {"stopped_at": at, "finished_at": at, "timeliness": Timeliness.ON_TIME}

    def finish_time(self, t: dt.datetime) -> dt.datetime:
        """When processing finishes: early, on time or late against the statutory appointment
        (a calendar date, SPEC.md §3.5 (a)), or after an extension mostly late."""
        rng = self.rng
        base = self.original
        if base is None:  # resolved on the spot
            return self.later(t, rng.uniform(0.1, 1))
        if self.extension is not None:  # between the statutory and the extended appointment
            start = max(t, base)
            return self.later(start, self.left(start) * rng.uniform(0.1, 1))
        draw = rng.random()
        if draw < LATE:
            days = min(40, 1 + int(rng.expovariate(1 / 3)))
            return self.later(max(t, base), 8 * days + rng.uniform(0, 8))
        calendar = self.cal(base)
        local_due = base.astimezone(calendar.tz)
        due_day_start = calendar.normalise(
            dt.datetime.combine(local_due.date(), dt.time.min, tzinfo=calendar.tz)
        )
        if draw < LATE + EARLY and due_day_start > t:  # before the appointment's date
            window = self.working_hours(t, due_day_start)
            if window > 0.05:
                return self.later(t, window * rng.uniform(0.02, 0.98))
        low = max(t, due_day_start)  # on the appointment's date, by the appointment
        if low >= base:
            return low
        share = dt.timedelta(seconds=int((base - low).total_seconds() * rng.random()))
        return min(calendar.normalise(low + share), base)

    def resolve(self, t: dt.datetime) -> None:
        rng = self.rng
        finished = self.finish_time(t)
        kind = ResultKind.REFUSAL if rng.random() < REFUSED_SHARE else ResultKind.APPROVAL
        self.act(Action.RESOLVE, finished, result_kind=str(kind))
        timeliness = clock.classify(
            self.convention,
            finished=finished,
            due=self.original,
            calendar=self.cal(finished),
            supplement_requests=len(self.supplements),
        )
        self.fields |= {
            "finished_at": finished,
            "timeliness": timeliness,
            "is_overdue": timeliness == Timeliness.LATE,
            "result_kind": kind,
        }
        if kind == ResultKind.REFUSAL:
            self.fields["result_note"] = "Không đủ điều kiện theo quy định"
        elif (
            self.ctx.e_result_id is not None
            and self.procedure.version.result_is_document
            and rng.random() < (0.8 if self.channel == Channel.ONLINE else 0.4)
        ):
            self.fields |= {
                "result_file_id": self.ctx.e_result_id,
                "result_file_name": f"{self.fields['code']}.pdf",
            }
        if rng.random() < RETURNED_SHARE:
            returned = self.later(finished, rng.uniform(0, 24))
            self.act(Action.RETURN_RESULT, returned)
            self.fields |= {
                "returned_at": returned,
                "return_method": _RETURN_METHOD[Channel(self.channel)],
                "result_recipient": self.fields["applicant_name"],
            }
            if rng.random() < RATED_SHARE:
                self.rate(returned)

    def rate(self, returned: dt.datetime) -> None:
        """The applicant's rating, as ``feedback.services.dossier_rate`` keeps it: online on
        the portal for an online dossier, otherwise entered at the desk."""
        rng = self.rng
        liked = rng.random() < LIKED_SHARE
        if liked:
            convenience = overall = "very_satisfied" if rng.random() < 0.4 else "satisfied"
        else:
            convenience = "satisfied" if rng.random() < 0.3 else "dissatisfied"
            overall = "dissatisfied"
        channel = "portal" if self.channel == Channel.ONLINE else "desk"
        at = returned + dt.timedelta(hours=rng.uniform(0.1, 72))  # none after the end
        self.act(
            Action.RATE,
            at,
            liked=liked,
            convenience=convenience,
            overall=overall,
            channel=channel,
        )
        self.fields["rated"] = True
        self.rating = {
            "liked": liked,
            "convenience": convenience,
            "overall": overall,
            "channel": channel,
            "rated_at": at,
            "comment": "" if liked else rng.choice(_COMPLAINTS),
        }

    # ---- the story -------------------------------------------------------------------------
    def live(self, story: str, received: dt.datetime, submitted: dt.datetime) -> None:
        self.receive(received, submitted)
        try:
            t = self.handover(self.fields["received_at"])
            if self.transfer_wanted:
                t = self.send_to_partner(t)
            if story == "open":
                return
            if story == "stopped":
                self.stop(t)
                return
            if story in ("supplement", "supplement2"):
                t = self.supplement(t)
                if story == "supplement2":
                    t = self.supplement(t)
            elif story == "payment":
                t = self.pay(t)
            elif story == "extension" and self.due is not None:
                t = self.extend(t)
            self.resolve(t)
        except Stop:
            if self.state == DossierState.SUPPLEMENT_REQUESTED:
                self.paused_at = self.supplements[-1]["requested_at"]
            if self.transfer is not None and "returned_at" not in self.transfer:
                self.handling = self.transfer["to_agency"]

    def made(self) -> Made:
        state = self.state
        fields = self.fields
        fields |= {
            "state": state,
            "due_at": self.due,
            "original_due_at": self.original,
            "paused_at": self.paused_at if state == DossierState.SUPPLEMENT_REQUESTED else None,
            "paused_seconds": self.paused_seconds,
            "supplement_count": len(self.supplements),
            "interlinked": self.procedure.version.is_interlinked or self.transfer is not None,
        }
        if state in OPEN_STATES:
            fields["is_overdue"] = state != DossierState.SUPPLEMENT_REQUESTED and clock.is_overdue(
                self.due, self.cutoff
            )
        last = self.events[-1][1]
        if self.rng.random() < SYNCED_SHARE:  # the national portal accepted its last change
            fields["dvcqg_synced_at"] = min(last + dt.timedelta(minutes=10), self.cutoff)
        return Made(
            fields=fields,
            version=self.case.version,
            receiving=self.receiving,
            handling=self.handling,
            supplements=self.supplements,
            extension=self.extension,
            payment=self.payment,
            transfer=self.transfer,
            rating=self.rating,
            events=self.events,
        )


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None
