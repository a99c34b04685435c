"""The synthetic province of ``motcua bench generate`` (issue 6): reproducible, received within
its range and working hours, close to the intended mix, its rollups equal to a recomputation
(ADR 0004), counted in full by Biểu 06, and removable."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from motcua.dossiers.choices import OPEN_STATES, DossierState, Timeliness
from motcua.dossiers.models import Dossier, Extension, SupplementRequest, Transfer
from motcua.dossiers.services.events import verify_events
from motcua.feedback.models import DossierRating
from motcua.org.services.calendar import calendar_for
from motcua.reports.form06 import form06
from motcua.reports.index766 import index_766
from motcua.reports.models import DossierFact, Rollup
from motcua.reports.periods import Period
from motcua.reports.services.rollups import rollup_differences
from motcua.reports.services.synthetic import (
    MARK,
    SyntheticError,
    province_for,
    synthetic_delete,
    synthetic_dossiers,
    synthetic_generate,
)

END = dt.date(2026, 10, 30)  # a Friday
START = dt.date(2025, 10, 31)  # 12 months before, plus a day
N = 300


@pytest.fixture
def province(tree, catalogue):
    return tree.p1


def generate(province, *, seed: int = 7, dossiers: int = N, **extra):
    return synthetic_generate(
        province=province, dossiers=dossiers, months=12, end=END, seed=seed, batch=128, **extra
    )


def snapshot() -> list[tuple]:
    return list(
        Dossier.objects.filter(other_code=MARK)
        .order_by("code")
        .values_list(
            "code",
            "uuid",
            "receiving_agency_id",
            "handling_agency_id",
            "procedure_version_id",
            "channel",
            "state",
            "received_at",
            "original_due_at",
            "due_at",
            "finished_at",
            "timeliness",
            "supplement_count",
            "extension_count",
            "applicant_name",
        )
    )


@pytest.mark.django_db
def test_a_synthetic_province(province, tree):
    """One province of 300 dossiers (a single test: generating is the slow part)."""
    report = generate(province)
    assert report.created == N and report.first_number == 0
    first = snapshot()
    assert len(first) == N
    assert len({row[0] for row in first}) == N
    assert all(row[0].startswith("SYN-38-") for row in first)
    check_range_and_mix(province, tree)

    # the rollups are those a rebuild gives (ADR 0004), and Biểu 06 counts every dossier
    assert rollup_differences() == []
    assert DossierFact.objects.count() == N
    table = form06(province, Period(START, END), today=END)
    assert table.total.received == N  # col 3 = 4 + 5 + 6
    assert table.total.received == table.total.finished + table.total.open

    # a third of the returned dossiers are rated, most of them "like" (SPEC.md §6.1; 766 5.4)
    ratings = list(DossierRating.objects.select_related("dossier"))
    assert {r.dossier_id for r in ratings} == set(
        synthetic_dossiers(province).filter(rated=True).values_list("pk", flat=True)
    )
    returned = synthetic_dossiers(province).filter(state=DossierState.RETURNED).count()
    assert 0.2 <= len(ratings) / returned <= 0.5
    assert all(r.dossier.state == DossierState.RETURNED for r in ratings)
    assert all(r.rated_at >= r.dossier.returned_at for r in ratings)
    disliked = [r for r in ratings if not r.liked]
    assert 0 < len(disliked) < len(ratings) / 4
    assert all(r.overall == "dissatisfied" for r in disliked)
    totals = index_766(province, Period(START, END), today=END).totals
    assert totals.flags is not None
    assert (totals.flags["rated"], totals.flags["disliked"]) == (len(ratings), len(disliked))
    five_four = totals.measurements()["5.4"]
    assert five_four.numerator == totals.on_time_766 - len(disliked)

    # --delete leaves nothing behind
    assert synthetic_delete(province=province) == N
    assert not DossierRating.objects.exists()
    assert not synthetic_dossiers(province).exists()
    assert not DossierFact.objects.exists()
    assert all(not any(row.values()) for row in Rollup.objects.all())
    assert form06(province, Period(START, END), today=END).total.received == 0

    # the same seed gives the same dossiers (each drawn from the seed and its number), another
    # seed other ones; a second run adds after the first
    generate(province, dossiers=40)
    assert snapshot() == first[:40]
    generate(province, dossiers=10, seed=8)
    assert snapshot()[40:] != first[40:50]
    assert rollup_differences() == []


def check_range_and_mix(province, tree) -> None:
    dossiers = list(synthetic_dossiers(province).select_related("receiving_agency"))
    zone = timezone.get_current_timezone()
    for d in dossiers:
        assert d.received_at is not None
        local = d.received_at.astimezone(zone)
        assert START <= local.date() <= END
        assert calendar_for(d.receiving_agency, around=local.date()).is_working_day(local.date())
        assert dt.time(7, 30) <= local.time() <= dt.time(17, 0)
        assert d.receiving_agency.path.startswith(province.path)
        assert d.submitted_at <= d.received_at
        if d.extension_count == 0:
            assert d.due_at == d.original_due_at  # only an extension moves due_at alone
        if d.finished_at is not None:
            assert d.finished_at >= d.received_at

    def share(condition) -> float:
        return sum(1 for d in dossiers if condition(d)) / len(dossiers)

    # ~45 % online, 50 % counter, 5 % post (the province's procedure is online only)
    assert 0.3 <= share(lambda d: d.channel == 2) <= 0.65
    assert 0.3 <= share(lambda d: d.channel == 1) <= 0.65
    assert share(lambda d: d.channel == 3) <= 0.12
    # ~20 % at the province's desk, the rest at the communes' service centres
    at_province = share(lambda d: d.receiving_agency.parent_id == province.pk)
    assert 0.08 <= at_province <= 0.35
    assert share(lambda d: d.receiving_agency == tree.c1_units["pvhcc"]) > 0.05
    # Zipf: the most frequent procedure takes a large share
    top = Counter(d.procedure_version_id for d in dossiers).most_common(1)[0][1]
    assert top / len(dossiers) >= 0.25
    # stories
    finished = share(lambda d: d.state in (DossierState.RESOLVED, DossierState.RETURNED))
    assert 0.75 <= finished <= 0.95
    assert 0.03 <= share(lambda d: d.state in OPEN_STATES) <= 0.2
    assert 0.005 <= share(lambda d: d.state == DossierState.STOPPED) <= 0.08
    assert 0.02 <= share(lambda d: d.supplement_count == 1) <= 0.12
    assert share(lambda d: d.supplement_count == 2) <= 0.04
    assert 0.005 <= share(lambda d: d.extension_count == 1) <= 0.08
    assert 0.01 <= share(lambda d: d.paid) <= 0.1
    resolved = [d for d in dossiers if d.state in (DossierState.RESOLVED, DossierState.RETURNED)]
    late = sum(1 for d in resolved if d.timeliness == Timeliness.LATE) / len(resolved)
    early = sum(1 for d in resolved if d.timeliness == Timeliness.EARLY) / len(resolved)
    assert late <= 0.15 and early >= 0.15  # same-day procedures cannot finish early
    # the rows that belong to them
    assert 0.01 <= Transfer.objects.count() / len(dossiers) <= 0.1
    assert Extension.objects.count() == sum(d.extension_count for d in dossiers)
    requests = list(SupplementRequest.objects.all())
    assert len(requests) == sum(d.supplement_count for d in dossiers)
    assert all(r.original_due_before is not None for r in requests if r.due_before is not None)
    for r in requests:  # the appointment moved by exactly the paused working time
        if r.supplied_at is not None and r.due_before is not None:
            assert r.due_after > r.due_before and r.paused_seconds > 0


@pytest.mark.django_db
def test_events_on_request_form_valid_chains(province):
    report = generate(province, dossiers=30, events=True)
    assert report.events >= 60  # at least reception and one more step each
    assert list(verify_events()) == []
    assert all(d.event_count > 0 for d in synthetic_dossiers(province))
    assert synthetic_delete(province=province) == 30


@pytest.mark.django_db
def test_command(province):
    out = StringIO()
    call_command(
        "bench", "generate", "--province", "38", "--dossiers", "20", "--end", "2026-10-30",
        "--months", "6", stdout=out,
    )  # fmt: skip
    assert "Generated 20 synthetic dossiers" in out.getvalue()
    assert synthetic_dossiers(province).count() == 20
    call_command("bench", "generate", "--province", "38", "--delete", stdout=out)
    assert "Removed 20 synthetic dossiers" in out.getvalue()
    with pytest.raises(CommandError, match="no province"):
        call_command("bench", "generate", "--province", "99", "--dossiers", "5", stdout=out)
    with pytest.raises(SyntheticError):
        province_for("14797")  # a commune, not a province


@pytest.mark.django_db
def test_a_province_without_procedures_is_refused(tree):
    with pytest.raises(SyntheticError, match="catalogue"):
        synthetic_generate(province=tree.p1, dossiers=5, end=END)
