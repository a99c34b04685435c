"""The 766 index computed live from the rollups (SPEC.md §5.2), on the crafted dossiers of
``test_form06`` and on a few more, with the expected values worked out by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from motcua.dossiers.services import lifecycle as svc
from motcua.dossiers.tests.factories import vn
from motcua.feedback.services import dossier_rate
from motcua.reports.index766 import commune_ranking, index_766, monthly_trend
from motcua.reports.periods import PeriodKind, period_of
from motcua.reports.scoring import ComponentStatus
from motcua.reports.services.rollups import rollup_differences
from motcua.reports.tests.crafted import MARCH, TODAY, crafted, receive


def measured(result, code):
    component = result.score.components[code]
    return (component.numerator, component.denominator)


@pytest.mark.django_db
def test_march_on_the_crafted_dossiers(ctx):
    """2.1 (SPEC.md §5.2, §3.5 (b)) by the appointment instant. The ten dossiers of March's
    col 3: finished on time only "early" (5 March, due the 6th 09:00) and "chain" (finished at
    09:00 on its appointment); "on_time" finished at 16:30 on its appointment day, late here
    though on time in Biểu 06; the withdrawal (20 March, due 9 March) and the extension (due 5
    March) are late. Open at the end of March: "open_in_time" (due 1 April) and "waiting"
    (asked on 11 March, before its 13 March appointment) are within time, "open_overdue" is
    not. 2 + 2 = 4 of 10."""
    crafted(ctx)
    result = index_766(ctx.tree.p1, MARCH, today=TODAY)
    assert measured(result, "2.1") == (4, 10)
    assert result.score.components["2.1"].ratio == Decimal("40.00")
    # 2.1 has 20 points and no threshold: 40 × 20 / 100 (SPEC.md §5.2 scoring).
    assert result.score.components["2.1"].points == Decimal("8.00")
    # 5.4 = 100 % − (60 % late + 0 % disliked).
    assert measured(result, "5.4") == (4, 10)
    # Nine received in March, none synced yet, no electronic result, nothing reused.
    assert measured(result, "1.4") == (0, 9)
    assert measured(result, "4.1") == (0, 9)
    assert measured(result, "4.3") == (0, 9)
    # 1.004873 is a partial online service: 3.0 has no denominator (N/A).
    assert measured(result, "3.0") == (0, 0)
    assert result.score.components["3.0"].ratio is None
    assert result.score.components["1.1"].status == ComponentStatus.NOT_MEASURABLE
    assert result.score.total == sum(g.points for g in result.score.groups)


@pytest.mark.django_db
def test_two_supplementation_requests_are_late_for_766_only(ctx, settings):
    """SPEC.md §5.2 2.1, §1.4: more than one request is late, even finished early."""
    settings.MOTCUA_SUPPLEMENT_MAX_REQUESTS = 2
    s = ctx.staff
    d = receive(ctx, vn(2026, 3, 2, 9))
    svc.dossier_handover(actor=s.reception, dossier=d, at=vn(2026, 3, 2, 10))
    for ask, give in (
        (vn(2026, 3, 2, 14), vn(2026, 3, 3, 8)),
        (vn(2026, 3, 3, 9), vn(2026, 3, 3, 10)),
    ):
        svc.dossier_request_supplement(
            actor=s.specialist, dossier=d, reason="Bổ sung", items=["CCCD"], at=ask
        )
        svc.dossier_supply(actor=s.reception, dossier=d, at=give)
    svc.dossier_resolve(actor=s.clerk, dossier=d, at=vn(2026, 3, 3, 15))
    from motcua.reports.form06 import form06

    assert form06(ctx.tree.c1, MARCH, today=TODAY).total.early == 1
    assert measured(index_766(ctx.tree.c1, MARCH, today=TODAY), "2.1") == (0, 1)


@pytest.mark.django_db
def test_online_payment_and_dislikes(ctx):
    """3.5b, 3.6 (SPEC.md §5.2, §4.2 DuocThanhToanTrucTuyen) and 5.4's dislike rate (§6.1)."""
    s = ctx.staff
    paid = []
    for hour, method in ((9, "online"), (10, "cash")):
        d = receive(ctx, vn(2026, 3, 2, hour))
        svc.dossier_handover(actor=s.reception, dossier=d, at=vn(2026, 3, 2, hour, 30))
        svc.dossier_request_payment(
            actor=s.accountant, dossier=d, amount=Decimal(50000), at=vn(2026, 3, 2, 14)
        )
        svc.dossier_confirm_payment(
            actor=s.accountant, dossier=d, method=method, receipt_number="BL", at=vn(2026, 3, 3, 9)
        )
        svc.dossier_resolve(actor=s.clerk, dossier=d, at=vn(2026, 3, 3, 15))
        svc.dossier_return_result(
            actor=s.reception, dossier=d, method="counter", recipient="Ông An", at=vn(2026, 3, 4, 9)
        )
        paid.append(d)
    dossier_rate(
        actor=s.reception,
        dossier=paid[1],
        liked=False,
        convenience="dissatisfied",
        overall="dissatisfied",
        at=vn(2026, 3, 4, 10),
    )
    result = index_766(ctx.tree.c1, MARCH, today=TODAY)
    assert measured(result, "3.6") == (1, 2)
    assert measured(result, "3.5b") == (1, 1)  # one procedure, paid online at least once
    # Both on time (2.1 = 2/2); one disliked: 5.4 = 100 % − (0 % + 50 %).
    assert measured(result, "2.1") == (2, 2)
    assert measured(result, "5.4") == (1, 2)
    assert rollup_differences() == []


@pytest.mark.django_db
def test_ranking_of_communes_and_trend(ctx):
    crafted(ctx)
    ranking = commune_ranking(ctx.tree.p1, MARCH, today=TODAY)
    assert [r.agency for r in ranking][:1] == [ctx.tree.c1]
    assert {r.agency for r in ranking} == {ctx.tree.c1, ctx.tree.c2}
    first = ranking[0]
    alone = index_766(ctx.tree.c1, MARCH, today=TODAY)
    assert measured(first, "2.1") == measured(alone, "2.1") == (4, 10)
    assert first.score.total == alone.score.total
    empty = next(r for r in ranking if r.agency == ctx.tree.c2)
    assert measured(empty, "2.1") == (0, 0)

    trend = monthly_trend(ctx.tree.c1, months=3, today=dt.date(2026, 4, 15))
    assert [r.period for r in trend] == [
        period_of(PeriodKind.MONTH, 2026, 2),
        MARCH,
        period_of(PeriodKind.MONTH, 2026, 4),
    ]
    assert trend[-1].as_of == dt.date(2026, 4, 15)
    assert measured(trend[1], "2.1") == (4, 10)


@pytest.mark.django_db
def test_the_trend_equals_the_index_of_each_month(ctx, django_assert_max_num_queries):
    """``monthly_trend`` reads all months at once; each month must equal ``index_766``."""
    crafted(ctx)
    today = dt.date(2026, 4, 15)
    with django_assert_max_num_queries(4):
        trend = monthly_trend(ctx.tree.p1, months=12, today=today)
    assert len(trend) == 12
    for month in trend:
        alone = index_766(ctx.tree.p1, month.period, today=today)
        assert month.totals == alone.totals, month.period
        assert month.score.total == alone.score.total
