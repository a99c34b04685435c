"""The rollups kept by the dossier services equal the rollups recomputed from the dossiers
(issue 6: "``motcua reports rebuild`` must give the same numbers as the live rollups"), and a
service that fails leaves them as they were (ADR 0004)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import transaction

from motcua.catalog.choices import Channel
from motcua.core.errors import DomainError
from motcua.dossiers import transitions
from motcua.dossiers.choices import Action, DossierState
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import lifecycle as svc
from motcua.dossiers.tests.factories import dossier_in, vn
from motcua.reports.models import DossierFact, Grain, Rollup
from motcua.reports.services.rollups import rollup_differences, rollup_rebuild


@pytest.fixture
def ctx(tree, catalogue, c1_staff, applicant_user):
    return SimpleNamespace(
        version=catalogue["1.004873"],
        desk=tree.c1_units["pvhcc"],
        staff=c1_staff,
        owner=applicant_user,
    )


def _received(ctx, at: dt.datetime, *, online: bool) -> Dossier:
    if online:
        data = dossier_in(ctx.version, ctx.desk, channel=Channel.ONLINE)
        dossier = svc.dossier_submit(actor=ctx.owner, data=data, at=at)
        return svc.dossier_receive(actor=ctx.staff.reception, dossier=dossier, at=at)
    data = dossier_in(ctx.version, ctx.desk, channel=Channel.COUNTER)
    return svc.dossier_intake(actor=ctx.staff.reception, data=data, at=at)


def _holder(ctx, dossier: Dossier):
    dossier.refresh_from_db()
    step = dossier.current_step
    return getattr(ctx.staff, step.role if step else "specialist")


def _act(ctx, action: Action, dossier: Dossier, at: dt.datetime) -> None:
    staff = ctx.staff
    calls = {
        Action.HANDOVER: lambda: svc.dossier_handover(
            actor=_holder(ctx, dossier), dossier=dossier, at=at
        ),
        Action.REQUEST_SUPPLEMENT: lambda: svc.dossier_request_supplement(
            actor=staff.specialist, dossier=dossier, reason="Bổ sung", items=["Giấy tờ"], at=at
        ),
        Action.SUPPLY: lambda: svc.dossier_supply(actor=staff.reception, dossier=dossier, at=at),
        Action.REQUEST_PAYMENT: lambda: svc.dossier_request_payment(
            actor=staff.accountant, dossier=dossier, amount=Decimal(50000), at=at
        ),
        Action.CONFIRM_PAYMENT: lambda: svc.dossier_confirm_payment(
            actor=staff.accountant, dossier=dossier, receipt_number="BL-1", at=at
        ),
        Action.EXTEND: lambda: svc.dossier_extend(
            actor=staff.agency_leader,
            dossier=dossier,
            new_due=at + dt.timedelta(days=10),
            reason="Cần xác minh",
            at=at,
        ),
        Action.REQUEST_WITHDRAWAL: lambda: svc.dossier_request_withdrawal(
            actor=staff.reception, dossier=dossier, reason="Đơn xin rút", at=at
        ),
        Action.CONFIRM_WITHDRAWAL: lambda: svc.dossier_confirm_withdrawal(
            actor=staff.reception, dossier=dossier, at=at
        ),
        Action.STOP: lambda: svc.dossier_stop(
            actor=staff.agency_leader, dossier=dossier, reason="Hết căn cứ", at=at
        ),
        Action.RESOLVE: lambda: svc.dossier_resolve(actor=staff.clerk, dossier=dossier, at=at),
        Action.RETURN_RESULT: lambda: svc.dossier_return_result(
            actor=staff.reception, dossier=dossier, method="counter", recipient="Ông An", at=at
        ),
    }
    calls[action]()


ACTIONS = [
    Action.HANDOVER,
    Action.REQUEST_SUPPLEMENT,
    Action.SUPPLY,
    Action.REQUEST_PAYMENT,
    Action.CONFIRM_PAYMENT,
    Action.EXTEND,
    Action.REQUEST_WITHDRAWAL,
    Action.CONFIRM_WITHDRAWAL,
    Action.STOP,
    Action.RESOLVE,
    Action.RETURN_RESULT,
]


def _life(ctx, rng: random.Random, start: dt.datetime) -> None:
    """One dossier through a random sequence of the lifecycle's actions."""
    at = start
    dossier = _received(ctx, at, online=rng.random() < 0.5)
    for _step in range(rng.randint(0, 8)):
        dossier.refresh_from_db()
        possible = [a for a in ACTIONS if transitions.can(a, dossier.state)]
        if not possible:
            return
        at += dt.timedelta(hours=rng.choice([1, 5, 26, 75, 170, 400]))
        try:
            _act(ctx, rng.choice(possible), dossier, at)
        except DomainError:
            continue  # e.g. a second supplementation request, or nothing left to hand over


def _rows() -> dict:
    return {
        (r.agency_id, r.grain, r.day, r.sector_id, r.procedure_id): r.values()
        for r in Rollup.objects.all()
        if any(r.values())
    }


@pytest.mark.django_db
def test_live_rollups_equal_the_rebuild_after_random_lifecycles(ctx, settings):
    settings.MOTCUA_SUPPLEMENT_MAX_REQUESTS = 3
    rng = random.Random(20261122)
    for n in range(30):
        _life(ctx, rng, vn(2026, 1, 5, 8) + dt.timedelta(days=3 * n, hours=n % 7))
    received = Dossier.objects.exclude(received_at=None).count()
    assert received == 30
    assert DossierFact.objects.count() == received
    assert rollup_differences() == []
    live = _rows()
    facts = {f.pk: (f.key, f.contribution) for f in DossierFact.objects.all()}
    assert rollup_rebuild() == received
    assert _rows() == live
    assert {f.pk: (f.key, f.contribution) for f in DossierFact.objects.all()} == facts
    # The lives covered the interesting transitions.
    states = set(Dossier.objects.values_list("state", flat=True))
    assert {DossierState.RESOLVED, DossierState.STOPPED} <= states or len(states) > 3


@pytest.mark.django_db
def test_each_grain_holds_the_same_sums(ctx):
    for n in range(4):
        _received(ctx, vn(2026, 1 + n, 10, 9), online=n % 2 == 0)

    def total(grain):
        return sum(r.recv_online + r.recv_other for r in Rollup.objects.filter(grain=grain))

    assert total(Grain.DAY) == total(Grain.MONTH) == total(Grain.YEAR) == 4
    assert Rollup.objects.filter(grain=Grain.MONTH).count() == 4
    assert Rollup.objects.filter(grain=Grain.YEAR).count() == 1


@pytest.mark.django_db
def test_a_failed_service_leaves_the_rollups_unchanged(ctx):
    dossier = _received(ctx, vn(2026, 3, 2, 9), online=False)
    before = _rows()
    inside = []

    def resolve_then_fail():
        with transaction.atomic():
            svc.dossier_resolve(actor=ctx.staff.clerk, dossier=dossier, at=vn(2026, 3, 20, 9))
            inside.append(_rows())
            raise RuntimeError("the caller's transaction fails after the service")

    with pytest.raises(RuntimeError):
        resolve_then_fail()
    assert inside[0] != before  # the finish was counted inside the transaction
    assert _rows() == before
    assert DossierFact.objects.get(pk=dossier.pk).finished_day is None


@pytest.mark.django_db
def test_refused_and_unreceived_dossiers_have_no_fact(ctx):
    """SPEC.md §7.1: statuses 1 and 3 are not counted."""
    data = dossier_in(ctx.version, ctx.desk, channel=Channel.ONLINE)
    submitted = svc.dossier_submit(actor=ctx.owner, data=data, at=vn(2026, 3, 2, 9))
    refused = svc.dossier_submit(
        actor=ctx.owner,
        data=dossier_in(ctx.version, ctx.desk, channel=Channel.ONLINE),
        at=vn(2026, 3, 2, 9),
    )
    svc.dossier_refuse(
        actor=ctx.staff.reception,
        dossier=refused,
        reason="Không đủ điều kiện",
        at=vn(2026, 3, 2, 10),
    )
    assert not DossierFact.objects.filter(pk__in=[submitted.pk, refused.pk]).exists()
    assert not Rollup.objects.exists()


@pytest.mark.django_db
def test_rebuild_command_repairs_and_check_reports(ctx, capsys):
    _received(ctx, vn(2026, 3, 2, 9), online=True)
    row = Rollup.objects.filter(grain=Grain.DAY).first()
    Rollup.objects.filter(pk=row.pk).update(recv_online=5)
    with pytest.raises(SystemExit) as exit_info:
        call_command("reports", "rebuild", "--check")
    assert exit_info.value.code == 1
    assert "differ" in capsys.readouterr().out
    call_command("reports", "rebuild")
    assert rollup_differences() == []
    call_command("reports", "rebuild", "--check")
    assert "match" in capsys.readouterr().out


@pytest.mark.django_db
def test_rebuild_if_needed_fills_in_what_an_upgrade_lacks(ctx, capsys):
    dossier = _received(ctx, vn(2026, 3, 2, 9), online=True)
    call_command("reports", "rebuild", "--if-needed")
    assert "Rebuilt" not in capsys.readouterr().out  # nothing was missing
    DossierFact.objects.filter(pk=dossier.pk).delete()
    Rollup.objects.all().delete()
    call_command("reports", "rebuild", "--if-needed")
    assert "Rebuilt the rollups of 1 received dossiers" in capsys.readouterr().out
    assert rollup_differences() == []
