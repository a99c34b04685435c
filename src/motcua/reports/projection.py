"""What one dossier adds to the report counters, as a pure function (SPEC.md §3.5, §7.1).

A dossier's contribution is a set of signed counts on days: "received online on 3 March",
"finished early on 9 March", "+1 overdue from 12 March", "−1 overdue from 20 March". Summing
these counts over the days before a date gives the report's numbers at that date (see
``form06``). The rollups hold exactly these sums, per agency, sector, procedure and day, so a
report never reads dossier rows; maintaining them means adding ``project(after) −
project(before)`` when a dossier changes, and rebuilding them means summing ``project`` over
every dossier. Both paths call this one function, which is why they agree.

The rules, each tested in ``tests/test_projection.py``:

- Only received dossiers count; a dossier never received, or refused at reception, adds nothing
  (SPEC.md §7.1: statuses 1 and 3 are excluded).
- Received: on the reception day, online (channel 2) or at the counter or by post (channels 1
  and 3; post is counted with the counter, SPEC.md §1.3).
- Finished: on the day processing finished. A result (approval, or a refusal after examination)
  is judged by calendar date against the statutory appointment — ``original_due_at``, moved by
  supplementation pauses but never by an extension (SPEC.md §3.4, §3.5 (a), §7.1 col 8–10). A
  stop or a confirmed withdrawal is finished on the appointment (col 9: "including dossiers
  returned or withdrawn"; ADR 0004). No appointment (resolved on the spot) is on time.
- Overdue at the end of a day E (col 13): open at the end of E, not waiting for the applicant
  (supplementation, or payment: col 12 "including dossiers waiting for supplementation"), and
  the appointment's date is before E. The appointment in force between two pauses is the one the
  dossier had when the next pause began (``SupplementRequest.original_due_before``). Days are
  local calendar days.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter
from dataclasses import dataclass
from functools import cache

from django.conf import settings

from motcua.catalog.choices import Channel
from motcua.dossiers import clock

# The counters, in the order of the rollup's columns.
RECV_ONLINE = "recv_online"  # Biểu 06 col 4, by reception day
RECV_OTHER = "recv_other"  # col 5
FIN_EARLY = "fin_early"  # col 8, by finishing day
FIN_ON_TIME = "fin_on_time"  # col 9
FIN_LATE = "fin_late"  # col 10
OVERDUE = "od06"  # +1 when an open dossier becomes overdue at a day's end, −1 when it stops being
# The 766 index, component 2.1 (SPEC.md §5.2): finished on time or late by its own rule, and the
# overdue stream by instant, where more than one supplementation request is late.
FIN766_OK = "fin766_ok"
FIN766_LATE = "fin766_late"
OVERDUE_766 = "od766"
# Σ of the calendar days from reception to finish, on the finishing day: the public pages'
# average processing time (fin_days ÷ finished).
FIN_DAYS = "fin_days"

# Flags of the dossier counted on its reception day, the numerators and denominators of the 766
# components (``reports.index766`` says which is which).
FLAGS = (
    "synced",  # 1.4: sent to the national portal
    "full_eligible",  # 3.0 denominator: the procedure is offered fully online
    "full_done",  # 3.0: submitted online and the result returned online or by post
    "online_ok",  # 3.3: online, with an electronic result when the result is a document
    "fee_bearing",  # 3.5b, 3.6 denominators: fees or charges above zero
    "paid_online",  # 3.5b, 3.6: paid online (DuocThanhToanTrucTuyen 1 or 2)
    "doc_result",  # 4.1 denominator: the result is a document
    "e_result",  # 4.1: an electronic result was issued
    "digitised_ok",  # 4.2: components digitised, and the e-result when the result is a document
    "reused",  # 4.3: at least one component reused
    "from_store",  # 4.4: a component from the citizen's data store
    "disliked",  # 5.4: the applicant rated the dossier "dislike"
    "rated",  # the public pages' satisfaction: rated, and not disliked
)

MEASURES = (
    RECV_ONLINE,
    RECV_OTHER,
    FIN_EARLY,
    FIN_ON_TIME,
    FIN_LATE,
    OVERDUE,
    FIN766_OK,
    FIN766_LATE,
    OVERDUE_766,
    FIN_DAYS,
    *FLAGS,
)
FINISHED = {"early": FIN_EARLY, "on_time": FIN_ON_TIME, "late": FIN_LATE}

Contribution = Counter[tuple[dt.date, str]]


@cache
def _zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(_zone()).date()


@dataclass(frozen=True)
class Wait:
    """A time the dossier waited for the applicant: a supplementation request during processing
    (the clock paused; ``due_before`` is the statutory appointment when it began) or a payment
    request (the clock runs on; ``due_before`` is unused)."""

    start: dt.datetime
    end: dt.datetime | None
    due_before: dt.datetime | None = None


@dataclass(frozen=True)
class Snapshot:
    """What the projection needs of a received dossier."""

    received_at: dt.datetime
    channel: int
    due_at: dt.datetime | None  # the statutory appointment now (Dossier.original_due_at)
    finished_at: dt.datetime | None = None
    stopped: bool = False  # finished by a stop or a confirmed withdrawal
    supplements: tuple[Wait, ...] = ()
    payments: tuple[Wait, ...] = ()
    flags: frozenset[str] = frozenset()


def class_06(snapshot: Snapshot) -> str | None:
    """early / on_time / late by calendar date (SPEC.md §3.5 (a)); ``None`` while open."""
    if snapshot.finished_at is None:
        return None
    if snapshot.stopped or snapshot.due_at is None:
        return "on_time"
    finished = local_day(snapshot.finished_at)
    due = local_day(snapshot.due_at)
    if finished < due:
        return "early"
    return "on_time" if finished == due else "late"


def overdue_days(snapshot: Snapshot) -> list[tuple[dt.date, dt.date | None]]:
    """The days E, as half-open intervals [a, b) (``b`` None: still running), at whose end the
    dossier was open, not waiting for the applicant and past its appointment (col 13)."""
    received = local_day(snapshot.received_at)
    finished = (
        max(local_day(snapshot.finished_at), received) if snapshot.finished_at is not None else None
    )
    # The processing segments between supplementation pauses, each with its appointment.
    segments: list[tuple[dt.date, dt.date | None, dt.datetime | None]] = []
    cursor: dt.date | None = received
    for wait in sorted(snapshot.supplements, key=lambda w: w.start):
        assert cursor is not None
        start = max(local_day(wait.start), cursor)
        segments.append((cursor, start, wait.due_before))
        cursor = max(local_day(wait.end), start) if wait.end is not None else None
        if cursor is None:
            break  # waiting still, or finished while waiting
    if cursor is not None:
        segments.append((cursor, None, snapshot.due_at))

    intervals: list[tuple[dt.date, dt.date | None]] = []
    for start, end, due in segments:
        if due is None:
            continue
        first = max(start, local_day(due) + dt.timedelta(days=1))
        last = _min(end, finished)
        if last is None or first < last:
            intervals.append((first, last))
    for wait in snapshot.payments:
        hole = (
            local_day(wait.start),
            local_day(wait.end) if wait.end is not None else None,
        )
        intervals = [piece for interval in intervals for piece in _subtract(interval, hole)]
    return intervals


def class_766(snapshot: Snapshot) -> str | None:
    """on_time / late by the 766 rule (SPEC.md §5.2 2.1, §3.5 (b)): finished by the appointment
    instant, and at most one supplementation request; ``None`` while open. A stop or withdrawal
    is an end like any other and is judged the same way."""
    if snapshot.finished_at is None:
        return None
    return clock.classify_766(snapshot.finished_at, snapshot.due_at, len(snapshot.supplements))


def overdue_766_days(snapshot: Snapshot) -> list[tuple[dt.date, dt.date | None]]:
    """The days E at whose end the open dossier counts late for 766 component 2.1 (SPEC.md §5.2):
    with no end yet, the end is the period's end, so it is late once its appointment falls on or
    before E; while it waits on its only supplementation request, the end is the request's time
    (late if asked after the appointment); from the second request on it is late. Waiting for
    payment does not stop the clock (SPEC.md §1.7), so it changes nothing here."""
    received = local_day(snapshot.received_at)
    finished = (
        max(local_day(snapshot.finished_at), received) if snapshot.finished_at is not None else None
    )
    intervals: list[tuple[dt.date, dt.date | None]] = []

    def add(first: dt.date, last: dt.date | None) -> None:
        last = _min(last, finished)
        if last is None or first < last:
            intervals.append((first, last))

    cursor: dt.date | None = received
    waits = sorted(snapshot.supplements, key=lambda w: w.start)
    for number, wait in enumerate(waits):
        assert cursor is not None
        start = max(local_day(wait.start), cursor)
        if wait.due_before is not None:  # processing before this pause
            add(max(cursor, local_day(wait.due_before)), start)
        end = max(local_day(wait.end), start) if wait.end is not None else None
        if number >= 1:
            add(start, None)  # the second request: late until it ends
            cursor = None
            break
        if wait.due_before is not None and wait.start > wait.due_before:
            add(start, end)  # asked after the appointment
        cursor = end
        if cursor is None:
            break
    if cursor is not None and snapshot.due_at is not None:
        add(max(cursor, local_day(snapshot.due_at)), None)
    return _merge(intervals)


def project(snapshot: Snapshot | None) -> Contribution:
    """The dossier's signed counts per (day, counter); empty for a dossier not received."""
    counts: Contribution = Counter()
    if snapshot is None:
        return counts
    received = local_day(snapshot.received_at)
    online = snapshot.channel == Channel.ONLINE
    counts[(received, RECV_ONLINE if online else RECV_OTHER)] += 1
    finished_class = class_06(snapshot)
    if finished_class is not None:
        assert snapshot.finished_at is not None
        day = max(local_day(snapshot.finished_at), received)
        counts[(day, FINISHED[finished_class])] += 1
        counts[(day, FIN_DAYS)] += (day - received).days
    for start, end in overdue_days(snapshot):
        counts[(start, OVERDUE)] += 1
        if end is not None:
            counts[(end, OVERDUE)] -= 1
    late_766 = class_766(snapshot)
    if late_766 is not None:
        assert snapshot.finished_at is not None
        day = max(local_day(snapshot.finished_at), received)
        counts[(day, FIN766_LATE if late_766 == "late" else FIN766_OK)] += 1
    for start, end in overdue_766_days(snapshot):
        counts[(start, OVERDUE_766)] += 1
        if end is not None:
            counts[(end, OVERDUE_766)] -= 1
    for flag in snapshot.flags:
        counts[(received, flag)] += 1
    return Counter({key: value for key, value in counts.items() if value})


def _min(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def _merge(
    intervals: list[tuple[dt.date, dt.date | None]],
) -> list[tuple[dt.date, dt.date | None]]:
    """The union of half-open intervals, as disjoint ones in order."""
    merged: list[tuple[dt.date, dt.date | None]] = []
    for start, end in sorted(intervals, key=lambda i: i[0]):
        if merged:
            last_start, last_end = merged[-1]
            if last_end is None or start <= last_end:
                merged[-1] = (
                    last_start,
                    None if end is None or last_end is None else max(end, last_end),
                )
                continue
        merged.append((start, end))
    return merged


def _subtract(
    interval: tuple[dt.date, dt.date | None], hole: tuple[dt.date, dt.date | None]
) -> list[tuple[dt.date, dt.date | None]]:
    """``interval`` minus ``hole``, both half-open, ``None`` = unbounded."""
    start, end = interval
    hole_start, hole_end = hole
    if hole_end is not None and hole_end <= hole_start:
        return [interval]  # an empty hole: paid the day it was asked
    pieces: list[tuple[dt.date, dt.date | None]] = []
    if start < hole_start:
        pieces.append((start, _min(end, hole_start)))
    if hole_end is not None and (end is None or hole_end < end):
        pieces.append((max(start, hole_end), end))
    return [(a, b) for a, b in pieces if b is None or a < b]
