"""Imported historical dossiers give the same Biểu 06 as the same histories created live
(issue 6 "Must show"). The same seven histories are imported for Phường Hạc Thành and driven
through the services at Phường Đông Tiến; the two communes' tables must be equal for every
period, and the rollups written by the import must equal a recomputation."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command

from motcua.catalog.choices import Channel
from motcua.dossiers.services import lifecycle as svc
from motcua.dossiers.tests.factories import dossier_in, vn
from motcua.org.models import Agency
from motcua.reports.form06 import form06
from motcua.reports.index766 import index_766
from motcua.reports.periods import PeriodKind, date_range, period_of
from motcua.reports.services.rollups import rollup_differences
from motcua.reports.tables import COLUMNS

HEADER = (
    "MaHoSo,MaTTHC,DonViTiepNhan,KenhThucHien,TrangThaiHoSo,ChuHoSo,NgayNopHoSo,NgayTiepNhan,"
    "NgayKetThucXuLy,NgayDungXuLy,NgayRutHoSo,DanhSachHoSoBoSung,LyDo"
)
ROWS = [
    # carried over from February, finished late on 5 March
    "H56.187-260226-0001,1.004873,H56.187,1,9,A,,2026-02-26T09:00,2026-03-05T10:00,,,,",
    # online, early
    "H56.187-260303-0001,1.004873,H56.187,2,9,B,2026-03-03T08:30,2026-03-03T09:00,"
    "2026-03-05T15:00,,,,",
    # late
    "H56.187-260303-0002,1.004873,H56.187,1,9,C,,2026-03-03T09:00,2026-03-10T09:00,,,,",
    # withdrawal asked 19 March, confirmed 20 March
    "H56.187-260304-0001,1.004873,H56.187,1,8,D,,2026-03-04T09:00,,2026-03-20T09:00,"
    "2026-03-19T09:00,,Xin rút",
    # still in process, past its appointment
    "H56.187-260305-0001,1.004873,H56.187,1,4,E,,2026-03-05T09:00,,,,,",
    # waiting for supplementation since 11 March
    "H56.187-260310-0001,1.004873,H56.187,1,5,F,,2026-03-10T09:00,,,,2026-03-11T09:00/,",
    # supplemented, then finished
    "H56.187-260304-0002,1.004873,H56.187,1,9,G,,2026-03-04T14:00,2026-03-09T16:00,,,"
    "2026-03-06T16:00/2026-03-09T09:00,",
]


def live(staff, version, desk) -> None:
    def intake(at, channel=Channel.COUNTER):
        return svc.dossier_intake(
            actor=staff.reception, data=dossier_in(version, desk, channel=channel), at=at
        )

    def resolve(d, at):
        svc.dossier_handover(actor=staff.reception, dossier=d, at=at - dt.timedelta(minutes=30))
        svc.dossier_resolve(actor=staff.clerk, dossier=d, at=at)

    resolve(intake(vn(2026, 2, 26, 9)), vn(2026, 3, 5, 10))
    online = svc.dossier_submit(
        actor=staff.reception,
        data=dossier_in(version, desk, channel=Channel.ONLINE),
        at=vn(2026, 3, 3, 8, 30),
    )
    svc.dossier_receive(actor=staff.reception, dossier=online, at=vn(2026, 3, 3, 9))
    resolve(online, vn(2026, 3, 5, 15))
    resolve(intake(vn(2026, 3, 3, 9)), vn(2026, 3, 10, 9))
    withdrawn = intake(vn(2026, 3, 4, 9))
    svc.dossier_request_withdrawal(
        actor=staff.reception, dossier=withdrawn, reason="Xin rút", at=vn(2026, 3, 19, 9)
    )
    svc.dossier_confirm_withdrawal(actor=staff.reception, dossier=withdrawn, at=vn(2026, 3, 20, 9))
    svc.dossier_handover(
        actor=staff.reception, dossier=intake(vn(2026, 3, 5, 9)), at=vn(2026, 3, 5, 10)
    )
    waiting = intake(vn(2026, 3, 10, 9))
    svc.dossier_handover(actor=staff.reception, dossier=waiting, at=vn(2026, 3, 10, 10))
    svc.dossier_request_supplement(
        actor=staff.specialist,
        dossier=waiting,
        reason="Bổ sung",
        items=["CCCD"],
        at=vn(2026, 3, 11, 9),
    )
    supplied = intake(vn(2026, 3, 4, 14))
    svc.dossier_handover(actor=staff.reception, dossier=supplied, at=vn(2026, 3, 4, 15))
    svc.dossier_request_supplement(
        actor=staff.specialist,
        dossier=supplied,
        reason="Bổ sung",
        items=["CCCD"],
        at=vn(2026, 3, 6, 16),
    )
    svc.dossier_supply(actor=staff.reception, dossier=supplied, at=vn(2026, 3, 9, 9))
    svc.dossier_resolve(actor=staff.clerk, dossier=supplied, at=vn(2026, 3, 9, 16))


def measured(result) -> dict:
    return {code: (c.numerator, c.denominator) for code, c in result.score.components.items()}


def cells(table) -> list[int]:
    return [table.total.column(number) for number, _a, _l in COLUMNS]


@pytest.mark.django_db
def test_imported_history_reports_like_live(tree, catalogue, c2_staff, tmp_path: Path):
    Agency.objects.filter(pk=tree.c1.pk).update(code_dvcqg="H56.187")
    source = tmp_path / "legacy.csv"
    source.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    call_command("import_dossiers", str(source), stdout=io.StringIO(), stderr=io.StringIO())
    live(c2_staff, catalogue["1.004873"], tree.c2)

    assert rollup_differences() == []
    today = dt.date(2026, 11, 22)
    periods = [
        period_of(PeriodKind.MONTH, 2026, 2),
        period_of(PeriodKind.MONTH, 2026, 3),
        period_of(PeriodKind.MONTH, 2026, 4),
        period_of(PeriodKind.QUARTER, 2026, 1, cutoff=True),
        date_range(dt.date(2026, 3, 6), dt.date(2026, 3, 10)),
    ]
    for period in periods:
        imported = form06(tree.c1, period, today=today)
        created = form06(tree.c2, period, today=today)
        assert cells(imported) == cells(created), period
        # The 766 index too (SPEC.md §5.2): every measured component alike.
        assert measured(index_766(tree.c1, period, today=today)) == measured(
            index_766(tree.c2, period, today=today)
        ), period
    march = form06(tree.c1, periods[1], today=today)
    # By hand (SPEC.md §7.1): received in March 1 online + 5 at the counter, 1 carried over;
    # finished: early the online one; on time the withdrawal (col 9) and the supplemented one
    # (due 9 March 16:30 after its 2.5 working hours' pause, finished 16:00); late the
    # February one and the one finished on 10 March; open: one past its appointment, one
    # waiting for supplementation (col 12).
    assert cells(march) == [7, 1, 5, 1, 5, 1, 2, 2, 2, 1, 1]
