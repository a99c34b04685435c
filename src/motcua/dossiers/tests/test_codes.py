"""Dossier codes ``<agency id>-<yyMMdd>-<NNNN>`` (SPEC.md §2.1, ADR 0003)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from motcua.dossiers.models import Dossier
from motcua.dossiers.services import lifecycle as svc
from motcua.dossiers.services.codes import code_agency, format_code
from motcua.dossiers.tests.factories import dossier_in, vn


def test_format():
    # SPEC.md §2.1: reception date as yyMMdd, a 4-digit zero-padded counter.
    import datetime as dt

    assert format_code("000.23.12.H56", dt.date(2024, 5, 15), 7) == "000.23.12.H56-240515-0007"


def test_agency_identifier_preference(tree, settings):
    desk = tree.c1_units["pvhcc"]
    # No identifier on the desk or the commune: the commune's own (GSO) code, not the province's.
    assert code_agency(desk) == (tree.c1, "14797")
    tree.c1.code_dvcqg = "H56.123"
    tree.c1.save()
    desk.refresh_from_db()
    assert code_agency(desk, "legacy") == (tree.c1, "H56.123")  # the other kind as fallback
    tree.c1.code_legacy = "000.12.34.H56"
    tree.c1.save()
    desk.refresh_from_db()
    assert code_agency(desk, "legacy")[1] == "000.12.34.H56"
    assert code_agency(desk, "dvcqg")[1] == "H56.123"
    settings.MOTCUA_DOSSIER_CODE_AGENCY_ID = "dvcqg"
    assert code_agency(desk)[1] == "H56.123"


def test_sequence_per_agency_per_day_resets_daily(tree, catalogue, c1_staff, c2_staff):
    version = catalogue["1.004873"]
    desk1, desk2 = tree.c1_units["pvhcc"], tree.c2_units["pvhcc"]

    def intake(staff, desk, at):
        return svc.dossier_intake(actor=staff.reception, data=dossier_in(version, desk), at=at).code

    assert intake(c1_staff, desk1, vn(2026, 3, 9, 8)) == "14797-260309-0001"
    assert intake(c1_staff, desk1, vn(2026, 3, 9, 9)) == "14797-260309-0002"
    assert intake(c2_staff, desk2, vn(2026, 3, 9, 9)) == "14800-260309-0001"
    assert intake(c1_staff, desk1, vn(2026, 3, 10, 8)) == "14797-260310-0001"
    # the commune's People's Committee itself shares its desk's identifier and sequence
    assert intake(c1_staff, tree.c1, vn(2026, 3, 10, 9)) == "14797-260310-0002"


def test_a_failed_reception_gives_its_number_back(tree, catalogue, c1_staff):
    version = catalogue["1.004873"]
    desk = tree.c1_units["pvhcc"]
    bad = dossier_in(version, desk)
    bad.applicant.phone = "12"
    with pytest.raises(Exception):  # noqa: B017 - any refusal
        svc.dossier_intake(actor=c1_staff.reception, data=bad, at=vn(2026, 3, 9, 8))
    ok = svc.dossier_intake(
        actor=c1_staff.reception, data=dossier_in(version, desk), at=vn(2026, 3, 9, 8)
    )
    assert ok.code.endswith("-0001")  # gapless


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL (issue 3)"
)
@pytest.mark.django_db(transaction=True)
def test_64_concurrent_receptions_get_64_consecutive_codes(tree, catalogue, c1_staff):
    # Issue 3 "Must show": on PostgreSQL, 64 concurrent receptions at one agency on one day.
    version = catalogue["1.004873"]
    desk = tree.c1_units["pvhcc"]
    barrier = threading.Barrier(64)
    codes: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def receive() -> None:
        try:
            barrier.wait()
            d = svc.dossier_intake(
                actor=c1_staff.reception, data=dossier_in(version, desk), at=vn(2026, 3, 9, 9)
            )
            with lock:
                codes.append(d.code)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=receive) for _ in range(64)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(codes) == [f"14797-260309-{n:04d}" for n in range(1, 65)]
    assert Dossier.objects.filter(code__startswith="14797-260309-").count() == 64
