"""Crafted dossiers driven through the real services, with the Biểu 06 table they make worked
out by hand (``test_form06``); the other report tests reuse them. The procedure is 1.004873 (3
working days): a dossier received on Tuesday 3 March 2026 at 09:00 is due on Friday 6 March."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from motcua.catalog.choices import Channel
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import lifecycle as svc
from motcua.dossiers.tests.factories import dossier_in, vn
from motcua.reports.periods import PeriodKind, period_of

MARCH = period_of(PeriodKind.MONTH, 2026, 3)
TODAY = dt.date(2026, 11, 22)


def context(tree, catalogue, c1_staff, p1_staff, applicant_user):
    """The ``ctx`` fixture: the test tree, the catalogue, the commune's staff and a citizen."""
    return SimpleNamespace(
        tree=tree,
        version=catalogue["1.004873"],
        desk=tree.c1_units["pvhcc"],
        staff=c1_staff,
        partner_staff=p1_staff,
        owner=applicant_user,
    )


def receive(ctx, at: dt.datetime, *, online: bool = False) -> Dossier:
    if online:
        data = dossier_in(ctx.version, ctx.desk, channel=Channel.ONLINE)
        dossier = svc.dossier_submit(actor=ctx.owner, data=data, at=at)
        return svc.dossier_receive(actor=ctx.staff.reception, dossier=dossier, at=at)
    data = dossier_in(ctx.version, ctx.desk, channel=Channel.COUNTER)
    return svc.dossier_intake(actor=ctx.staff.reception, data=data, at=at)


def resolve(ctx, dossier: Dossier, at: dt.datetime) -> None:
    svc.dossier_handover(actor=ctx.staff.reception, dossier=dossier, at=at - dt.timedelta(hours=1))
    svc.dossier_resolve(actor=ctx.staff.clerk, dossier=dossier, at=at)


def crafted(ctx) -> dict[str, Dossier]:
    """The dossiers of the hand-computed table; the comment says where each one counts for
    March 2026."""
    s = ctx.staff
    d: dict[str, Dossier] = {}
    # Received Thursday 26 February (due Tuesday 3 March), finished 5 March: carried over
    # (col 6) and late (col 10).
    d["carried_late"] = receive(ctx, vn(2026, 2, 26, 9))
    resolve(ctx, d["carried_late"], vn(2026, 3, 5, 10))
    # Received and finished in February: not in March at all.
    d["february"] = receive(ctx, vn(2026, 2, 25, 9))
    resolve(ctx, d["february"], vn(2026, 2, 27, 10))
    # Received 3 March online, finished 5 March, the day before its appointment: col 4, col 8.
    d["early"] = receive(ctx, vn(2026, 3, 3, 9), online=True)
    resolve(ctx, d["early"], vn(2026, 3, 5, 15))
    # Received 3 March at the counter, finished on 6 March after the appointment's hour: the
    # date is the appointment's, so on time (§3.5 (a)): col 5, col 9.
    d["on_time"] = receive(ctx, vn(2026, 3, 3, 9))
    resolve(ctx, d["on_time"], vn(2026, 3, 6, 16, 30))
    # Received 3 March, finished 10 March: col 5, col 10.
    d["late"] = receive(ctx, vn(2026, 3, 3, 9))
    resolve(ctx, d["late"], vn(2026, 3, 10, 9))
    # Received 4 March, withdrawn on 20 March (long past its 9 March appointment): col 5 and
    # col 9, "including dossiers returned or withdrawn".
    d["withdrawn"] = receive(ctx, vn(2026, 3, 4, 9))
    svc.dossier_request_withdrawal(
        actor=s.reception, dossier=d["withdrawn"], reason="Đơn xin rút", at=vn(2026, 3, 19, 9)
    )
    svc.dossier_confirm_withdrawal(actor=s.reception, dossier=d["withdrawn"], at=vn(2026, 3, 20, 9))
    # Refused at reception: never counted (status 3).
    refused = svc.dossier_submit(
        actor=ctx.owner,
        data=dossier_in(ctx.version, ctx.desk, channel=Channel.ONLINE),
        at=vn(2026, 3, 4, 9),
    )
    svc.dossier_refuse(
        actor=s.reception, dossier=refused, reason="Không thuộc thẩm quyền", at=vn(2026, 3, 4, 10)
    )
    d["refused"] = refused
    # Received 5 March (due 10 March) and still open on 31 March: col 5, col 13.
    d["open_overdue"] = receive(ctx, vn(2026, 3, 5, 9))
    # Received 27 March (due 1 April) and open: col 5, col 12.
    d["open_in_time"] = receive(ctx, vn(2026, 3, 27, 9))
    # Received 10 March, supplementation asked on 11 March and not supplied: waiting, col 12.
    d["waiting"] = receive(ctx, vn(2026, 3, 10, 9))
    svc.dossier_handover(actor=s.reception, dossier=d["waiting"], at=vn(2026, 3, 10, 10))
    svc.dossier_request_supplement(
        actor=s.specialist,
        dossier=d["waiting"],
        reason="Bổ sung",
        items=["CCCD"],
        at=vn(2026, 3, 11, 9),
    )
    # Received 2 March (due 5 March), apology and new appointment 13 March, finished 12 March:
    # judged against the original appointment (§3.4), so late: col 5, col 10.
    d["extended"] = receive(ctx, vn(2026, 3, 2, 9))
    svc.dossier_handover(actor=s.reception, dossier=d["extended"], at=vn(2026, 3, 2, 10))
    svc.dossier_extend(
        actor=s.agency_leader,
        dossier=d["extended"],
        new_due=vn(2026, 3, 13, 17),
        reason="Cần xác minh",
        at=vn(2026, 3, 4, 9),
    )
    svc.dossier_resolve(actor=s.clerk, dossier=d["extended"], at=vn(2026, 3, 12, 9))
    # Inter-agency: received by the commune on 3 March online, sent to the province's
    # justice department, back, finished on 6 March: counted once, for the commune (col 4,
    # col 9); the department's own report shows nothing.
    d["chain"] = receive(ctx, vn(2026, 3, 3, 9), online=True)
    svc.dossier_handover(actor=s.reception, dossier=d["chain"], at=vn(2026, 3, 3, 10))
    svc.dossier_transfer(
        actor=s.specialist,
        dossier=d["chain"],
        to_agency=ctx.tree.p1_units["tu-phap"],
        hours=8,
        reason="Xin ý kiến",
        at=vn(2026, 3, 3, 11),
    )
    svc.dossier_transfer_back(
        actor=ctx.partner_staff.specialist, dossier=d["chain"], at=vn(2026, 3, 4, 9)
    )
    svc.dossier_resolve(actor=s.clerk, dossier=d["chain"], at=vn(2026, 3, 6, 9))
    return d


# Use as a fixture: ``ctx = crafted.ctx`` in a test module, or through reports/tests/conftest.
ctx = pytest.fixture(name="ctx")(context)
