"""Migration import of historical dossiers (``motcua import-dossiers``).

The files in ``data/`` describe real-looking histories at Phường Hạc Thành (DVCQG code H56.187)
and the Thanh Hóa provincial Department of Justice, in March 2026 (no public holiday in that
month; Vietnam time, 07:30–11:30 and 13:00–17:00 by default)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from motcua.catalog.choices import Channel
from motcua.dossiers.choices import Action, DossierState
from motcua.dossiers.models import Dossier, DossierEvent, Extension, SupplementRequest
from motcua.dossiers.services import lifecycle as svc
from motcua.dossiers.services.events import verify_events
from motcua.dossiers.services.imports import DossierImportFailed, dossiers_import, parse_moment
from motcua.dossiers.tests.factories import dossier_in, vn
from motcua.org.models import Agency

DATA = Path(__file__).parent / "data"
MAIN = DATA / "legacy_dossiers.csv"
NOW = vn(2026, 11, 20, 9)

# Columns of the sample files that hold dates (written as date cells in the XLSX copy).
_DATE_COLUMNS = {
    "NgayNopHoSo",
    "NgayTiepNhan",
    "NgayHenTra",
    "NgayKetThucXuLy",
    "NgayTra",
    "NgayDungXuLy",
    "NgayRutHoSo",
    "NgayGiaHan",
    "NgayHenTraMoi",
}
_NUMBER_COLUMNS = {"KenhThucHien", "TrangThaiHoSo", "HinhThucTra"}


@pytest.fixture
def setup(tree, catalogue):
    # The commune's short code on the national portal (SPEC.md §2.2), as legacy files use it.
    Agency.objects.filter(pk=tree.c1.pk).update(code_dvcqg="H56.187")
    tree.c1.refresh_from_db()
    return tree


def run(path, *args, **kwargs) -> str:
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"):
        call_command("import_dossiers", str(path), *args, stdout=out, stderr=err, **kwargs)
    return out.getvalue()


def failing(path, *args) -> list[str]:
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"), pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_dossiers", str(path), *args, stdout=out, stderr=err)
    return err.getvalue().splitlines()


def to_xlsx(source: Path, target: Path) -> Path:
    """The same rows as a workbook, with real date and number cells, as legacy exports have."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    with source.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    sheet.append(header)
    for row in rows[1:]:
        cells = []
        for name, value in zip(header, row, strict=True):
            if value and name in _DATE_COLUMNS:
                moment, has_time = parse_moment(value)
                local = moment.astimezone(vn(2026, 1, 1).tzinfo).replace(tzinfo=None)
                cells.append(local if has_time else local.date())
            elif value and name in _NUMBER_COLUMNS:
                cells.append(int(value))
            else:
                cells.append(value or None)
        sheet.append(cells)
    workbook.save(target)
    return target


def dossier(code: str) -> Dossier:
    return Dossier.objects.get(other_code=code)


def actions(d: Dossier) -> list[tuple[str, str, str]]:
    return list(d.events.order_by("seq").values_list("action", "from_state", "to_state"))


# -- the six histories ------------------------------------------------------------------------


@pytest.fixture(params=["csv", "xlsx"])
def imported(request, setup, tmp_path):
    path = MAIN if request.param == "csv" else to_xlsx(MAIN, tmp_path / "legacy.xlsx")
    output = run(path)
    return setup, output


def test_import_creates_every_dossier_with_its_history(imported):
    _tree, output = imported
    assert "6 dossier(s) imported, 0 already imported" in output
    assert "Ignored columns: TenTTHC" in output
    assert Dossier.objects.filter(imported=True).count() == 6
    # Hash chains are intact, so `motcua verify-events` passes on imported data (issue 3 §3).
    assert list(verify_events()) == []
    assert not DossierEvent.objects.exclude(dossier__imported=True).exists()  # nothing else written


def test_returned_early(imported):
    # Counter, 3 working days (1.004873) from Mon 02/03 08:00 → Thu 05/03 08:00 (SPEC.md §3.4);
    # finished Wed 04/03 → "trước hạn" under Report 06 (SPEC.md §3.5 (a), §7.1 col. 8).
    tree, _output = imported
    d = dossier("H56.187-260302-0001")
    assert d.code == "H56.187-260302-0001"
    assert d.register_number == 1
    assert d.state == DossierState.RETURNED
    assert d.receiving_agency == tree.c1 and d.handling_agency == tree.c1
    assert d.channel == Channel.COUNTER
    assert d.applicant_phone == "0912345678"
    assert d.summary == "Xác nhận tình trạng hôn nhân để đăng ký kết hôn"
    assert d.submitted_at == d.received_at == vn(2026, 3, 2, 8)
    assert d.due_at == d.original_due_at == vn(2026, 3, 5, 8)
    assert d.finished_at == vn(2026, 3, 4, 10)
    assert d.returned_at == vn(2026, 3, 4, 15)
    assert (d.timeliness, d.is_overdue) == ("early", False)
    assert (d.result_kind, d.return_method) == ("approval", "counter")
    assert (d.digitised, d.paid, d.imported) == (True, False, True)
    assert d.current_step is None and not d.steps.exists()
    assert actions(d) == [
        (Action.IMPORT, "", DossierState.SUBMITTED),
        (Action.RECEIVE, DossierState.SUBMITTED, DossierState.RECEIVED),
        (Action.RESOLVE, DossierState.RECEIVED, DossierState.RESOLVED),
        (Action.RETURN_RESULT, DossierState.RESOLVED, DossierState.RETURNED),
    ]
    first = d.events.get(seq=1)
    assert first.payload["source"]["MaHoSo"] == "H56.187-260302-0001"
    assert first.payload["row"] == 2 and len(first.payload["fingerprint"]) == 64


def test_returned_late(imported):
    # Online, appointment Fri 06/03 09:00 given by the legacy system; finished Mon 09/03 →
    # "quá hạn" (SPEC.md §3.5 (a)).
    d = dossier("H56.187-260303-0002")
    assert d.channel == Channel.ONLINE
    assert d.submitted_at == vn(2026, 3, 2, 20, 15)
    assert d.received_at == vn(2026, 3, 3, 9)
    assert d.due_at == d.original_due_at == vn(2026, 3, 6, 9)
    assert d.finished_at == vn(2026, 3, 9, 10)
    assert (d.timeliness, d.is_overdue) == ("late", True)
    assert (d.return_method, d.paid) == ("online", True)
    assert d.events.get(seq=1).at == vn(2026, 3, 2, 20, 15)


def test_supplementation_over_a_weekend(imported):
    # Received Wed 04/03 14:00 → appointment Mon 09/03 14:00. Paused Fri 06/03 16:00 → Mon
    # 09/03 09:00: 1 h on Friday + 1.5 h on Monday = 2.5 working hours; the weekend does not
    # count; the appointment moves to Mon 16:30 (SPEC.md §1.7 "due date += paused duration",
    # §3.4). Finished Mon 16:00, the appointment's date → "đúng hạn".
    d = dossier("H56.187-260304-0001")
    assert d.state == DossierState.RESOLVED
    assert d.original_due_at == d.due_at == vn(2026, 3, 9, 16, 30)
    assert (d.supplement_count, d.paused_seconds, d.paused_at) == (1, 9000, None)
    assert (d.timeliness, d.is_overdue) == ("on_time", False)
    request = SupplementRequest.objects.get(dossier=d)
    assert request.phase == "processing"
    assert (request.requested_at, request.supplied_at) == (vn(2026, 3, 6, 16), vn(2026, 3, 9, 9))
    assert (request.due_before, request.due_after) == (vn(2026, 3, 9, 14), vn(2026, 3, 9, 16, 30))
    assert request.paused_seconds == 9000
    assert [a for a, _f, _t in actions(d)] == [
        Action.IMPORT,
        Action.RECEIVE,
        Action.REQUEST_SUPPLEMENT,
        Action.SUPPLY,
        Action.RESOLVE,
    ]
    supply = d.events.get(action=Action.SUPPLY)
    assert supply.payload["paused_seconds"] == 9000
    assert d.events.get(action=Action.REQUEST_SUPPLEMENT).payload["request"] == request.pk


def test_extension(imported):
    # Province: 10 working days (2.001417) from Mon 02/03 10:00 → Mon 16/03 10:00; apology and
    # new appointment Fri 20/03 (a date alone = end of that working day). The original stays
    # for statistics and timeliness is judged on it: finished Thu 19/03 is late even though
    # it met the new appointment (SPEC.md §1.4, §3.4 "Apology/extension").
    tree, _output = imported
    d = dossier("000.00.00.H56-260302-0003")
    assert d.receiving_agency == tree.p1
    assert d.handling_agency == tree.p1_units["tu-phap"]
    assert d.original_due_at == vn(2026, 3, 16, 10)
    assert d.due_at == vn(2026, 3, 20, 17)
    assert (d.apology_issued, d.extension_count) == (True, 1)
    assert (d.timeliness, d.is_overdue) == ("late", True)
    assert d.return_method == "post"
    extension = Extension.objects.get(dossier=d)
    assert extension.created_at == vn(2026, 3, 13, 15)
    assert extension.original_due == extension.previous_due == vn(2026, 3, 16, 10)
    assert extension.new_due == vn(2026, 3, 20, 17)
    assert extension.regime == "tt03_2025"  # received after 01/07/2025 (SPEC.md §1.8 B)
    assert extension.reason == "Chờ kết quả xác minh của cơ quan công an"
    extend = d.events.get(action=Action.EXTEND)
    assert extend.agency == tree.p1_units["tu-phap"]  # the handling agency's head extends


def test_withdrawn_and_stopped(imported):
    # Withdrawal asked Fri 06/03 10:00, confirmed 14:00: status 8, counted as finished on time
    # ("trả lại/xin rút", SPEC.md §1.6, §7.1 col. 9).
    d = dossier("H56.187-260305-0001")
    assert d.state == DossierState.STOPPED
    assert d.state_before_withdrawal == DossierState.RECEIVED
    assert d.stopped_at == d.finished_at == vn(2026, 3, 6, 14)
    assert (d.timeliness, d.is_overdue) == ("on_time", False)
    assert actions(d)[2:] == [
        (Action.REQUEST_WITHDRAWAL, DossierState.RECEIVED, DossierState.WITHDRAWAL_REQUESTED),
        (Action.CONFIRM_WITHDRAWAL, DossierState.WITHDRAWAL_REQUESTED, DossierState.STOPPED),
    ]
    assert d.events.get(action=Action.REQUEST_WITHDRAWAL).reason == "Công dân xin rút hồ sơ"


def test_in_process_and_overdue(imported):
    # By post, received Tue 10/03 08:00 → appointment Fri 13/03 08:00, still in process (status
    # 4): overdue now, as the periodic task marks live dossiers (SPEC.md §1.7 flags).
    d = dossier("H56.187-260310-0001")
    assert d.state == DossierState.IN_PROCESS
    assert d.channel == Channel.POST
    assert d.due_at == vn(2026, 3, 13, 8)
    assert (d.is_overdue, d.timeliness, d.finished_at) == (True, "", None)
    assert actions(d)[-1] == (Action.HANDOVER, DossierState.RECEIVED, DossierState.IN_PROCESS)


# -- idempotency ------------------------------------------------------------------------------


def test_rerun_imports_nothing(setup, tmp_path):
    run(MAIN)
    before = (Dossier.objects.count(), DossierEvent.objects.count())
    assert "0 dossier(s) imported, 6 already imported" in run(MAIN)
    # The same rows as a workbook have the same fingerprints.
    assert "0 dossier(s) imported, 6 already imported" in run(to_xlsx(MAIN, tmp_path / "a.xlsx"))
    assert (Dossier.objects.count(), DossierEvent.objects.count()) == before


def test_row_changed_after_import_is_a_conflict(setup, tmp_path):
    run(MAIN)
    changed = tmp_path / "changed.csv"
    text = MAIN.read_text(encoding="utf-8")
    text = text.replace("2026-03-04T10:00,2026-03-04T15:00", "2026-03-04T10:00,2026-03-05T09:00")
    new_row = "H56.187-260316-0001,1.004873,,H56.187,,1,2,Mới Thêm,,,,,,,2026-03-16T08:00"
    text += new_row + ",,,,,,,,,,,,0,0\n"
    changed.write_text(text, encoding="utf-8")
    count = Dossier.objects.count()
    errors = failing(changed)
    assert errors == [
        "row 2, column MaHoSo: already imported (dossier H56.187-260302-0001) with different data."
    ]
    assert Dossier.objects.count() == count


def test_dry_run_writes_nothing(setup):
    output = run(MAIN, "--dry-run")
    assert "Dry run, nothing written: 6 dossier(s) to import, 0 already imported." in output
    assert not Dossier.objects.exists()


# -- invalid files: all or nothing ------------------------------------------------------------


def test_bad_rows_are_reported_and_nothing_is_imported(setup):
    errors = failing(DATA / "legacy_bad_rows.csv")
    assert errors == [
        "row 3, column MaTTHC: no procedure has the code 9.999999.",
        "row 5, column NgayTra: 04/03/2026 15:00 is earlier than NgayTiepNhan (05/03/2026 08:00).",
    ]
    assert not Dossier.objects.exists()


def test_service_reports_every_problem_with_row_and_column(setup):
    with pytest.raises(DossierImportFailed) as failure:
        dossiers_import(path=DATA / "legacy_bad_rows.csv", now=NOW)
    problems = failure.value.report.problems
    assert [p.row for p in problems] == [3, 5]
    assert [p.column for p in problems] == ["MaTTHC", "NgayTra"]
    with translation.override("vi"):  # the default interface language (LANGUAGE_CODE)
        assert str(problems[0]).startswith("dòng 3, cột MaTTHC: ")


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        # SPEC.md §1.7: status 10 "Đã trả kết quả" needs the return time.
        (
            "X-1,1.004873,H56.187,1,10,A,2026-03-02T08:00,2026-03-03T09:00,",
            "column NgayTra: required for status “Result returned”.",
        ),
        # status 9 needs the completion time (NgayKetThucXuLy, SPEC.md §3.5).
        (
            "X-1,1.004873,H56.187,1,9,A,2026-03-02T08:00,,",
            "column NgayKetThucXuLy: required for status “Processing finished”.",
        ),
        (
            "X-1,1.004873,H56.187,1,4,A,2026-03-02T08:00,2026-03-03T09:00,",
            "column NgayKetThucXuLy: must be empty for status “In process”.",
        ),
        (
            "X-1,1.004873,NOWHERE,1,2,A,2026-03-02T08:00,,",
            "column DonViTiepNhan: no agency has the code NOWHERE.",
        ),
        (
            "X-1,1.004873,H56.187,7,2,A,2026-03-02T08:00,,",
            "column KenhThucHien: “7” is not one of: 1, 2, 3, counter, online, post.",
        ),
        (
            "X-1,1.004873,H56.187,1,2,A,31/02/2026,,",
            "column NgayTiepNhan: “31/02/2026” is not a date",
        ),
        (
            "X-1,1.004873,H56.187,1,2,A,2027-03-02T08:00,,",
            "column NgayTiepNhan: 02/03/2027 08:00 is in the future.",
        ),
        # Before 2018 no version of the sample catalogue was in force.
        (
            "X-1,1.004873,H56.187,1,2,A,2017-03-02T08:00,,",
            "column MaTTHC: no version of procedure 1.004873 was in force on 02/03/2017.",
        ),
        ("X-1,1.004873,H56.187,1,2,,2026-03-02T08:00,,", "column ChuHoSo: a value is required."),
    ],
)
def test_row_problems(setup, tmp_path, row, expected):
    path = tmp_path / "one.csv"
    path.write_text(
        "MaHoSo,MaTTHC,DonViTiepNhan,KenhThucHien,TrangThaiHoSo,ChuHoSo,NgayTiepNhan,"
        f"NgayKetThucXuLy,NgayTra\n{row}\n",
        encoding="utf-8",
    )
    errors = failing(path)
    assert len(errors) == 1 and errors[0].startswith(f"row 2, {expected}"), errors


def test_duplicate_code_missing_column_and_impossible_history(setup, tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text(
        "MaHoSo,MaTTHC,DonViTiepNhan,KenhThucHien,TrangThaiHoSo,ChuHoSo,NgayTiepNhan,"
        "DanhSachHoSoBoSung,NgayKetThucXuLy\n"
        "D-1,1.004873,H56.187,1,4,A,2026-03-02T08:00,,\n"
        "D-1,1.004873,H56.187,1,4,B,2026-03-02T08:00,,\n"
        # resolved while the supplementation request was still open
        "D-2,1.004873,H56.187,1,9,C,2026-03-02T08:00,2026-03-03T08:00/,2026-03-04T08:00\n",
        encoding="utf-8",
    )
    assert failing(path) == [
        "row 3, column MaHoSo: the code D-1 is already in row 2.",
        "row 4: “Result issued” on 04/03/2026 08:00 is not possible while the dossier is "
        "“Supplementation requested”; check the dates.",
    ]
    path.write_text("MaHoSo,MaTTHC\nD-1,1.004873\n", encoding="utf-8")
    assert failing(path)[0] == "row 1, column DonViTiepNhan: this column is required."
    latin = tmp_path / "latin1.csv"
    header = "MaHoSo,MaTTHC,DonViTiepNhan,KenhThucHien,TrangThaiHoSo,ChuHoSo,NgayTiepNhan\n"
    rows = "D-1,1.004873,H56.187,1,2,An,2026-03-02T08:00\nD-2,1.004873,H56.187,1,2,Trân,\n"
    latin.write_bytes((header + rows).encode("latin-1"))  # a Windows export
    assert failing(latin) == ["row 3: The file is not UTF-8 text; save it as CSV UTF-8."]
    workbook = tmp_path / "broken.xlsx"
    workbook.write_text("not a workbook", encoding="utf-8")
    assert failing(workbook) == ["row 1: The file cannot be read: File is not a zip file"]
    other = tmp_path / "dossiers.txt"
    other.write_text("x", encoding="utf-8")
    assert failing(other) == ["row 1: Only .csv and .xlsx files can be imported."]


# -- formats ----------------------------------------------------------------------------------


def test_semicolon_csv_with_bom_and_day_month_year_dates(setup):
    assert "3 dossier(s) imported" in run(DATA / "legacy_semicolon_bom.csv")
    returned = dossier("H56.187-260311-0001")
    assert returned.received_at == vn(2026, 3, 11, 8, 30)
    assert returned.due_at == vn(2026, 3, 16, 8, 30)  # Wed + 3 working days, over a weekend
    assert returned.returned_at == vn(2026, 3, 13, 14)
    assert returned.timeliness == "early"
    # Paused Thu 12/03 09:00 → Mon 16/03 10:00 = 6.5 h + 8 h + 2.5 h = 17 working hours; the
    # appointment Tue 17/03 08:00 moves to Thu 19/03 09:00 (SPEC.md §3.4).
    resolved = dossier("H56.187-260312-0001")
    assert resolved.paused_seconds == 17 * 3600
    assert resolved.original_due_at == resolved.due_at == vn(2026, 3, 19, 9)
    assert SupplementRequest.objects.get(dossier=resolved).due_before == vn(2026, 3, 17, 8)
    assert resolved.timeliness == "early"
    # Status 5 with an open request: the clock is paused, not overdue (SPEC.md §1.7).
    waiting = dossier("H56.187-260313-0001")
    assert waiting.state == DossierState.SUPPLEMENT_REQUESTED
    assert (waiting.paused_at, waiting.supplement_count) == (vn(2026, 3, 13, 10), 1)
    assert waiting.is_overdue is False
    assert list(verify_events()) == []


def test_parse_moment_formats():
    assert parse_moment("2026-03-02T08:00") == (vn(2026, 3, 2, 8), True)
    assert parse_moment("02/03/2026 08:00") == (vn(2026, 3, 2, 8), True)
    assert parse_moment("2/3/2026 8:05:30") == (
        vn(2026, 3, 2, 8, 5) + dt.timedelta(seconds=30),
        True,
    )
    assert parse_moment("02/03/2026") == (vn(2026, 3, 2), False)
    assert parse_moment("20260302080000") == (vn(2026, 3, 2, 8), True)  # national sync format
    assert parse_moment("2026-03-02T01:00:00Z") == (vn(2026, 3, 2, 8), True)
    assert parse_moment("") is None
    with pytest.raises(ValueError):
        parse_moment("tháng ba")


# -- the same as live -------------------------------------------------------------------------

_REPORT_FIELDS = [
    "state",
    "channel",
    "receiving_agency_id",
    "handling_agency_id",
    "received_at",
    "original_due_at",
    "due_at",
    "finished_at",
    "returned_at",
    "paused_at",
    "paused_seconds",
    "supplement_count",
    "timeliness",
    "is_overdue",
    "result_kind",
    "return_method",
]


def _report_view(d: Dossier) -> dict:
    d.refresh_from_db()
    return {name: getattr(d, name) for name in _REPORT_FIELDS}


def test_imported_dossiers_look_like_live_ones(setup, c1_staff, catalogue):
    """The same history through the live services gives the same report fields (SPEC.md §7.1
    is computed from these fields)."""
    tree = setup
    run(MAIN)
    version = catalogue["1.004873"]
    live = svc.dossier_intake(
        actor=c1_staff.reception, data=dossier_in(version, tree.c1), at=vn(2026, 3, 2, 8)
    )
    # The imported code H56.187-260302-0001 raised the day's counter: no clash (SPEC.md §2.1).
    assert live.code == "H56.187-260302-0002"
    svc.dossier_resolve(actor=c1_staff.clerk, dossier=live, at=vn(2026, 3, 4, 10))
    svc.dossier_return_result(
        actor=c1_staff.reception,
        dossier=live,
        method="counter",
        recipient="A",
        at=vn(2026, 3, 4, 15),
    )
    assert _report_view(live) == _report_view(dossier("H56.187-260302-0001"))

    live = svc.dossier_intake(
        actor=c1_staff.reception, data=dossier_in(version, tree.c1), at=vn(2026, 3, 4, 14)
    )
    svc.dossier_request_supplement(
        actor=c1_staff.specialist,
        dossier=live,
        reason="Thiếu",
        items=["CCCD"],
        at=vn(2026, 3, 6, 16),
    )
    svc.dossier_supply(actor=c1_staff.reception, dossier=live, at=vn(2026, 3, 9, 9))
    svc.dossier_resolve(actor=c1_staff.clerk, dossier=live, at=vn(2026, 3, 9, 16))
    assert _report_view(live) == _report_view(dossier("H56.187-260304-0001"))


def test_code_used_by_another_dossier_gets_a_new_one(setup, c1_staff, catalogue, tmp_path):
    live = svc.dossier_intake(
        actor=c1_staff.reception,
        data=dossier_in(catalogue["1.004873"], setup.c1),
        at=vn(2026, 3, 2, 9),
    )
    assert live.code == "H56.187-260302-0001"
    output = run(MAIN, "--actor", c1_staff.reception.username)
    assert "H56.187-260302-0001 is already used by another dossier: imported as " in output
    imported = dossier("H56.187-260302-0001")
    assert imported.code == "H56.187-260302-0002" and imported.register_number == 2
    first = imported.events.get(seq=1)
    assert first.actor == c1_staff.reception
    assert first.payload["importer"] == c1_staff.reception.username
    # Re-running matches on the legacy code and the receiving agency.
    assert "0 dossier(s) imported, 6 already imported" in run(MAIN)


def test_nothing_is_sent(setup, c1_staff, catalogue):
    """History is not news: no e-mail or webhook for imported events (live ones enqueue)."""
    from motcua.notifications.models import OutboxMessage

    dossiers_import(path=MAIN, now=NOW)  # the rows have applicants' e-mail addresses
    assert not OutboxMessage.objects.exists()
    svc.dossier_intake(
        actor=c1_staff.reception, data=dossier_in(catalogue["1.004873"], setup.c1), at=NOW
    )
    assert OutboxMessage.objects.exists()
