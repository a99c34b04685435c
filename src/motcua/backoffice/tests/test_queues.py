"""Work queues (issue 5, item 3): what each holds for whom, counts in one query, the same
number of queries whatever the length of the list, and the dossier page inside the scope only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.backoffice.tests.conftest import mfa_login
from motcua.catalog.choices import Channel
from motcua.dossiers.queues import Queue, queue_counts, queue_dossiers
from motcua.dossiers.services import lifecycle as svc
from motcua.dossiers.tests.factories import dossier_in, vn

T0 = vn(2026, 3, 9, 8, 0)  # Monday
NOW = vn(2026, 3, 10, 9, 0)


@pytest.fixture
def version(catalogue):
    return catalogue["1.004873"]


def submitted(owner, version, desk):
    return svc.dossier_submit(
        actor=owner, data=dossier_in(version, desk, channel=Channel.ONLINE), at=T0
    )


def in_process(staff, owner, version, desk, *, assignee=None):
    d = svc.dossier_receive(actor=staff.reception, dossier=submitted(owner, version, desk), at=T0)
    svc.dossier_handover(actor=staff.reception, dossier=d, at=T0 + dt.timedelta(minutes=30))
    if assignee is not None:
        svc.dossier_assign(
            actor=staff.unit_leader, dossier=d, assignee=assignee, at=T0 + dt.timedelta(hours=1)
        )
    d.refresh_from_db()
    return d


def test_each_queue_holds_what_it_says(c1_staff, c2_staff, applicant_user, version, desk):
    waiting = submitted(applicant_user, version, desk)
    mine = in_process(c1_staff, applicant_user, version, desk, assignee=c1_staff.specialist)
    free = in_process(c1_staff, applicant_user, version, desk)
    paused = in_process(c1_staff, applicant_user, version, desk)
    svc.dossier_request_supplement(
        actor=c1_staff.specialist,
        dossier=paused,
        reason="Thiếu",
        items=["CCCD"],
        at=T0 + dt.timedelta(hours=2),
    )

    def codes(actor, queue, now=NOW):
        return {d.code for d in queue_dossiers(actor, queue, now=now)}

    assert codes(c1_staff.reception, Queue.RECEPTION) == {waiting.code}
    assert codes(c1_staff.specialist, Queue.MINE) == {mine.code}
    assert codes(c1_staff.unit_leader, Queue.UNASSIGNED) == {free.code}
    assert codes(c1_staff.unit_leader, Queue.UNIT) == {mine.code, free.code}
    assert codes(c1_staff.reception, Queue.WAITING_CITIZEN) == {paused.code}
    # later, the open ones are overdue; the paused one is not (its clock is stopped)
    much_later = vn(2026, 4, 30, 9)
    assert codes(c1_staff.unit_leader, Queue.OVERDUE, much_later) == {mine.code, free.code}
    # another commune's officials see none of it
    for queue in Queue:
        assert codes(c2_staff.unit_leader, queue, much_later) == set(), queue
    counts = queue_counts(c1_staff.unit_leader, now=NOW)
    assert counts[Queue.UNIT] == 2 and counts[Queue.UNASSIGNED] == 1


def test_due_soon_counts_working_hours(c1_staff, applicant_user, version, desk):
    d = in_process(c1_staff, applicant_user, version, desk)
    assert d.due_at is not None
    # 24 working hours = 3 working days: from the Friday before a Monday due time it is "soon"
    before = d.due_at - dt.timedelta(days=3)
    assert d.code in {
        x.code for x in queue_dossiers(c1_staff.unit_leader, Queue.DUE_SOON, now=before)
    }
    long_before = d.due_at - dt.timedelta(days=30)
    assert not queue_dossiers(c1_staff.unit_leader, Queue.DUE_SOON, now=long_before).exists()


def test_all_counts_take_one_query(c1_staff):
    from motcua.org.policies import history_paths

    history_paths(c1_staff.unit_leader)  # the scope is read once per request, before
    with CaptureQueriesContext(connection) as queries:
        queue_counts(c1_staff.unit_leader, now=NOW)
    # the official's agency, its calendar overrides and working hours (for "24 working
    # hours"), then all the counts in one
    assert len(queries.captured_queries) == 4, [q["sql"][:80] for q in queries.captured_queries]


def test_the_queue_page_costs_the_same_whatever_its_length(
    client, c1_staff, applicant_user, version, desk
):
    mfa_login(client, c1_staff.unit_leader)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/can-bo/hang-doi/don-vi/").status_code == 200
        return len(queries.captured_queries)

    in_process(c1_staff, applicant_user, version, desk)
    one = count()
    for _ in range(4):
        in_process(c1_staff, applicant_user, version, desk, assignee=c1_staff.specialist)
    assert count() == one
    page = client.get("/can-bo/hang-doi/don-vi/").content.decode()
    assert page.count('href="/can-bo/ho-so/') == 5


def test_filters_narrow_the_queue(client, c1_staff, applicant_user, version, desk):
    in_process(c1_staff, applicant_user, version, desk)
    mfa_login(client, c1_staff.unit_leader)
    assert (
        'href="/can-bo/ho-so/'
        in client.get("/can-bo/hang-doi/don-vi/?thu-tuc=1.004873").content.decode()
    )
    assert (
        'href="/can-bo/ho-so/'
        not in client.get("/can-bo/hang-doi/don-vi/?thu-tuc=9.999999").content.decode()
    )
    assert (
        'href="/can-bo/ho-so/' not in client.get("/can-bo/hang-doi/don-vi/?kenh=1").content.decode()
    )
    # nonsense is ignored, not an error
    assert client.get("/can-bo/hang-doi/don-vi/?kenh=x&tu-ngay=99/99/9999").status_code == 200


def test_the_dossier_page_only_inside_the_scope(
    client, c1_staff, c2_staff, applicant_user, version, desk
):
    d = in_process(c1_staff, applicant_user, version, desk)
    mfa_login(client, c1_staff.specialist)
    page = client.get(f"/can-bo/ho-so/{d.code}/")
    assert page.status_code == 200 and d.code in page.content.decode()
    mfa_login(client, c2_staff.specialist)
    assert client.get(f"/can-bo/ho-so/{d.code}/").status_code == 404
    assert client.get("/can-bo/ho-so/14797-000000-9999/").status_code == 404
