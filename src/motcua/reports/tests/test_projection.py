"""The per-dossier projection behind Biểu 06 (SPEC.md §3.5 (a), §7.1), on hand-built dossiers.

Each case states the expected counts worked out by hand from the SPEC rule it cites; the
property test at the end checks the overdue stream day by day against a direct reading of the
rule ("open, not waiting and past the appointment at the end of the day").
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.catalog.choices import Channel
from motcua.reports.projection import (
    FIN766_LATE,
    FIN766_OK,
    FIN_EARLY,
    FIN_LATE,
    FIN_ON_TIME,
    OVERDUE,
    OVERDUE_766,
    RECV_ONLINE,
    RECV_OTHER,
    Snapshot,
    Wait,
    class_06,
    class_766,
    local_day,
    overdue_766_days,
    overdue_days,
    project,
)

VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: str, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=VN)


def d(day: str) -> dt.date:
    return dt.date.fromisoformat(day)


def dossier(**kwargs) -> Snapshot:
    values = {
        "received_at": at("2026-03-02"),
        "channel": Channel.COUNTER,
        "due_at": at("2026-03-09", 17),
    }
    return Snapshot(**(values | kwargs))


def report06(counts: Counter) -> Counter:
    """The Biểu 06 counters only."""
    keep = {RECV_ONLINE, RECV_OTHER, FIN_EARLY, FIN_ON_TIME, FIN_LATE, OVERDUE}
    return Counter({key: value for key, value in counts.items() if key[1] in keep})


def test_not_received_adds_nothing():
    """SPEC.md §7.1: status 1 (not received) and 3 (refused at reception) are excluded."""
    assert project(None) == Counter()


def test_received_online_or_at_the_counter():
    """SPEC.md §7.1 col 4 (channel 2) and col 5 (channel 1 or 3; post counts with the counter,
    §1.3)."""
    assert project(dossier(channel=Channel.ONLINE))[(d("2026-03-02"), RECV_ONLINE)] == 1
    assert project(dossier(channel=Channel.POST))[(d("2026-03-02"), RECV_OTHER)] == 1
    assert project(dossier(channel=Channel.COUNTER))[(d("2026-03-02"), RECV_OTHER)] == 1


def test_finished_the_day_before_the_appointment_is_early():
    """SPEC.md §3.5 (a): the finishing date before the appointment date → col 8."""
    snapshot = dossier(finished_at=at("2026-03-08", 16))
    assert class_06(snapshot) == "early"
    assert report06(project(snapshot)) == Counter(
        {(d("2026-03-02"), RECV_OTHER): 1, (d("2026-03-08"), FIN_EARLY): 1}
    )


def test_finished_on_the_appointment_date_is_on_time_even_after_its_hour():
    """SPEC.md §3.5 (a) compares dates: due 9 March 17:00, finished 9 March 17:30 → col 9."""
    snapshot = dossier(finished_at=at("2026-03-09", 17) + dt.timedelta(minutes=30))
    assert class_06(snapshot) == "on_time"
    assert project(snapshot)[(d("2026-03-09"), FIN_ON_TIME)] == 1


def test_finished_after_the_appointment_is_late_and_was_overdue_in_between():
    """SPEC.md §3.5 (a) → col 10 on 12 March; at the end of 10 and 11 March it was in process
    past its appointment (col 13), so the overdue stream is +1 on the 10th, −1 on the 12th."""
    snapshot = dossier(finished_at=at("2026-03-12", 10))
    assert class_06(snapshot) == "late"
    assert report06(project(snapshot)) == Counter(
        {
            (d("2026-03-02"), RECV_OTHER): 1,
            (d("2026-03-12"), FIN_LATE): 1,
            (d("2026-03-10"), OVERDUE): 1,
            (d("2026-03-12"), OVERDUE): -1,
        }
    )


def test_finished_the_day_after_is_late_but_never_overdue_at_a_days_end():
    """Due 9 March; at the end of the 9th it is not yet past its date (col 12), and on the 10th
    it is finished (col 10)."""
    snapshot = dossier(finished_at=at("2026-03-10", 8))
    assert class_06(snapshot) == "late"
    assert overdue_days(snapshot) == []


def test_open_past_its_appointment_stays_overdue():
    """SPEC.md §3.5: in process at the period's end with the appointment before it → col 13."""
    assert overdue_days(dossier()) == [(d("2026-03-10"), None)]
    assert project(dossier())[(d("2026-03-10"), OVERDUE)] == 1


def test_without_appointment_is_on_time_and_never_overdue():
    """SPEC.md §3.5 (a) and §7.1 col 9: "no appointment" counts as on time."""
    snapshot = dossier(due_at=None, finished_at=at("2026-04-30"))
    assert class_06(snapshot) == "on_time"
    assert overdue_days(dossier(due_at=None)) == []


def test_stopped_or_withdrawn_counts_as_finished_on_time():
    """SPEC.md §7.1 col 9 includes dossiers returned or withdrawn (trả lại/xin rút), whatever the
    date (ADR 0004)."""
    snapshot = dossier(finished_at=at("2026-03-20"), stopped=True)
    assert class_06(snapshot) == "on_time"
    counts = project(snapshot)
    assert counts[(d("2026-03-20"), FIN_ON_TIME)] == 1
    # Until it stopped it was overdue from the 10th.
    assert overdue_days(snapshot) == [(d("2026-03-10"), d("2026-03-20"))]


def test_an_extension_does_not_change_the_judgement():
    """SPEC.md §3.4 and §1.4: the apology's new appointment is not used for statistics; the
    snapshot carries ``original_due_at``, so a dossier extended to 20 March and finished on the
    16th is late."""
    snapshot = dossier(finished_at=at("2026-03-16"))  # due_at is the original 9 March
    assert class_06(snapshot) == "late"


def test_waiting_for_supplementation_is_not_overdue():
    """SPEC.md §7.1 col 12 includes dossiers waiting for supplementation; the pause moves the
    appointment (§3.4). Asked on 5 March (appointment then 9 March), supplied on 16 March; the
    appointment became 18 March. Overdue from the end of 19 March until it finished on the 23rd;
    never while it waited, although the 9th had passed."""
    snapshot = dossier(
        due_at=at("2026-03-18", 17),
        finished_at=at("2026-03-23"),
        supplements=(Wait(at("2026-03-05"), at("2026-03-16"), at("2026-03-09", 17)),),
    )
    assert overdue_days(snapshot) == [(d("2026-03-19"), d("2026-03-23"))]
    assert class_06(snapshot) == "late"


def test_overdue_before_the_pause_then_waiting():
    """Asked on 12 March, already past the 9 March appointment: overdue at the end of the 10th
    and 11th, then waiting (col 12) until it supplied."""
    snapshot = dossier(
        due_at=at("2026-03-09", 17),
        supplements=(Wait(at("2026-03-12"), None, at("2026-03-09", 17)),),
    )
    assert overdue_days(snapshot) == [(d("2026-03-10"), d("2026-03-12"))]


def test_waiting_for_payment_is_not_overdue():
    """SPEC.md §7.1 col 12 (TD's status group "stopped {6, 8}"): waiting for the applicant's
    payment counts within time; the clock does not pause (§1.7), so the appointment stays."""
    snapshot = dossier(payments=(Wait(at("2026-03-11"), at("2026-03-13")),))
    assert overdue_days(snapshot) == [(d("2026-03-10"), d("2026-03-11")), (d("2026-03-13"), None)]


def test_finished_before_reception_day_counts_on_the_reception_day():
    """A dossier handed in on a Saturday and resolved on the spot: the clock starts on Monday
    (SPEC.md §1.3), and the finishing day is never before the reception day."""
    snapshot = dossier(
        received_at=at("2026-03-09", 7), due_at=None, finished_at=at("2026-03-07", 10)
    )
    assert project(snapshot)[(d("2026-03-09"), FIN_ON_TIME)] == 1


# -- the 766 index, component 2.1 ---------------------------------------------------------------


def test_766_judges_by_the_instant():
    """SPEC.md §3.5 (b), §5.2 2.1: on time iff finished by the appointment instant. Due 9 March
    17:00: finished 17:00 is on time, 17:30 is late (while Biểu 06 says on time)."""
    on_time = dossier(finished_at=at("2026-03-09", 17))
    late = dossier(finished_at=at("2026-03-09", 17) + dt.timedelta(minutes=30))
    assert (class_766(on_time), class_766(late)) == ("on_time", "late")
    assert class_06(late) == "on_time"
    assert project(late)[(d("2026-03-09"), FIN766_LATE)] == 1
    assert project(on_time)[(d("2026-03-09"), FIN766_OK)] == 1


def test_766_supplementation_once_is_fine_twice_is_late():
    """SPEC.md §5.2 2.1 and §1.4: more than one supplementation request makes the dossier late,
    even when it finished well before its appointment."""
    once = dossier(
        due_at=at("2026-03-20", 17),
        finished_at=at("2026-03-12"),
        supplements=(Wait(at("2026-03-03"), at("2026-03-05"), at("2026-03-18", 17)),),
    )
    twice = dossier(
        due_at=at("2026-03-20", 17),
        finished_at=at("2026-03-12"),
        supplements=(
            Wait(at("2026-03-03"), at("2026-03-04"), at("2026-03-17", 17)),
            Wait(at("2026-03-05"), at("2026-03-06"), at("2026-03-18", 17)),
        ),
    )
    assert (class_766(once), class_766(twice)) == ("on_time", "late")
    assert class_06(twice) == "early"  # Biểu 06 does not count requests
    # Open, the second request makes it late from the day it was made.
    open_twice = dossier(due_at=at("2026-03-20", 17), supplements=twice.supplements)
    assert overdue_766_days(open_twice) == [(d("2026-03-05"), None)]


def test_766_extension_is_late_against_the_original_appointment():
    """SPEC.md §1.4, §3.4: the apology's new appointment does not count; the snapshot carries
    the original one (9 March), so finishing on 16 March is late for 766 too."""
    assert class_766(dossier(finished_at=at("2026-03-16"))) == "late"


def test_766_waiting_on_one_request_takes_the_time_of_the_request():
    """SPEC.md §5.2 2.1: one supplementation and not completed → the end is the request's time.
    Asked on 5 March before the 9 March appointment: on time while it waits; asked on 12 March,
    after it: late while it waits."""
    before = dossier(supplements=(Wait(at("2026-03-05"), None, at("2026-03-09", 17)),))
    after = dossier(supplements=(Wait(at("2026-03-12"), None, at("2026-03-09", 17)),))
    assert overdue_766_days(before) == []
    assert overdue_766_days(after) == [(d("2026-03-09"), None)]


def test_766_open_is_late_from_the_appointment_day():
    """No end yet → the end is the period's end (SPEC.md §5.2 2.1): due 9 March 17:00, a period
    ending on 9 March counts it late (its end is after 17:00), Biểu 06 only from the 10th."""
    assert overdue_766_days(dossier()) == [(d("2026-03-09"), None)]
    assert overdue_days(dossier()) == [(d("2026-03-10"), None)]
    assert project(dossier())[(d("2026-03-09"), OVERDUE_766)] == 1


def test_flags_count_on_the_reception_day():
    snapshot = dossier(flags=frozenset({"fee_bearing", "paid_online"}))
    counts = project(snapshot)
    assert counts[(d("2026-03-02"), "fee_bearing")] == counts[(d("2026-03-02"), "paid_online")] == 1


# -- the overdue stream against the rule, day by day -----------------------------------------

START = dt.date(2026, 1, 5)


def _moment(offset: int, hour: int) -> dt.datetime:
    return dt.datetime.combine(START + dt.timedelta(days=offset), dt.time(hour), tzinfo=VN)


@st.composite
def snapshots(draw) -> Snapshot:
    """A received dossier with up to three supplementation pauses and two payment waits, in
    order, possibly still open or waiting."""
    cursor = draw(st.integers(0, 5))
    received = _moment(cursor, draw(st.integers(7, 16)))
    due_offset = draw(st.one_of(st.none(), st.integers(0, 20)))
    supplements = []
    floor = cursor  # the last day something happened
    for _n in range(draw(st.integers(0, 3))):
        start = cursor + draw(st.integers(0, 6))
        floor = start
        length = draw(st.one_of(st.none(), st.integers(0, 6)))
        due_before = _moment(cursor + due_offset, 17) if due_offset is not None else None
        end = None if length is None else _moment(start + length, 14)
        supplements.append(Wait(_moment(start, 10), end, due_before))
        if length is None:
            cursor = None
            break
        cursor = start + length
        if due_offset is not None:
            due_offset += draw(st.integers(0, 4))
    payments = []
    if cursor is not None:
        for _n in range(draw(st.integers(0, 2))):
            start = cursor + draw(st.integers(0, 5))
            floor = start
            length = draw(st.one_of(st.none(), st.integers(0, 5)))
            payments.append(
                Wait(_moment(start, 9), None if length is None else _moment(start + length, 15))
            )
            if length is None:
                break
            cursor = start + length
    finished = None
    if draw(st.booleans()):
        base = cursor if cursor is not None else floor
        finished = _moment(base + draw(st.integers(0, 8)), 16)
    due = _moment(due_offset, 17) if due_offset is not None else None
    return Snapshot(
        received_at=received,
        channel=Channel.ONLINE,
        due_at=due,
        finished_at=finished,
        stopped=draw(st.booleans()),
        supplements=tuple(supplements),
        payments=tuple(payments),
    )


def _overdue_at_end_of(snapshot: Snapshot, day: dt.date) -> bool:
    if day < local_day(snapshot.received_at):
        return False
    if snapshot.finished_at is not None and day >= local_day(snapshot.finished_at):
        return False
    for wait in (*snapshot.supplements, *snapshot.payments):
        if local_day(wait.start) <= day and (wait.end is None or day < local_day(wait.end)):
            return False
    # The appointment in force: the one recorded by the next pause, or the current one.
    later = [w for w in snapshot.supplements if local_day(w.start) > day]
    due = min(later, key=lambda w: w.start).due_before if later else snapshot.due_at
    return due is not None and local_day(due) < day


def _late_766_at_end_of(snapshot: Snapshot, day: dt.date) -> bool:
    if day < local_day(snapshot.received_at):
        return False
    if snapshot.finished_at is not None and day >= local_day(snapshot.finished_at):
        return False
    asked = [w for w in snapshot.supplements if local_day(w.start) <= day]
    if len(asked) >= 2:
        return True
    for wait in asked:
        if wait.end is None or day < local_day(wait.end):  # waiting on its only request
            return wait.due_before is not None and wait.start > wait.due_before
    later = [w for w in snapshot.supplements if local_day(w.start) > day]
    due = min(later, key=lambda w: w.start).due_before if later else snapshot.due_at
    return due is not None and local_day(due) <= day


@settings(max_examples=300, deadline=None)
@given(snapshots())
def test_overdue_streams_match_the_rules_every_day(snapshot):
    counts = project(snapshot)
    running = running_766 = 0
    for offset in range(-2, 80):
        day = START + dt.timedelta(days=offset)
        running += counts.get((day, OVERDUE), 0)
        running_766 += counts.get((day, OVERDUE_766), 0)
        assert running == int(_overdue_at_end_of(snapshot, day)), day
        assert running_766 == int(_late_766_at_end_of(snapshot, day)), day
