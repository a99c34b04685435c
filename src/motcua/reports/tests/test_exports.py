"""Exports of Biểu số 06/VPCP/KSTT (SPEC.md §7.1, TT 01/2020/TT-VPCP): XLSX in the form's layout,
CSV for machines, PDF for print. The table is built by hand, so these tests need no database."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from motcua.reports.exports import (
    EXPORTS,
    HEADER,
    csv_safe,
    filename,
    form06_csv,
    form06_pdf,
    form06_xlsx,
)
from motcua.reports.periods import Period
from motcua.reports.tables import Cells, Form06, Group, Row

D = dt.date
VN = ZoneInfo("Asia/Ho_Chi_Minh")
QUARTER_1 = Period(D(2027, 1, 1), D(2027, 3, 31))
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None,
    reason="poppler-utils (pdftotext) is not installed: apt-get install poppler-utils",
)

# Columns 3–13, computed by hand from the cells below (3 = 4+5+6, 7 = 8+9+10, 11 = 12+13 and
# 3 = 7 + 11, SPEC.md §7.1).
TU_PHAP = [47, 12, 30, 5, 33, 20, 10, 3, 14, 11, 3]
XAY_DUNG = [20, 7, 9, 4, 13, 6, 5, 2, 7, 4, 3]
HO_TICH = [1178, 812, 345, 21, 1108, 900, 200, 8, 70, 60, 10]
PROVINCE = [67, 19, 39, 9, 46, 26, 15, 5, 21, 15, 6]
TOTAL = [1245, 831, 384, 30, 1154, 926, 215, 13, 91, 75, 16]


def cells(*stored: int) -> Cells:
    """The 8 stored cells in the form's order: cols 4, 5, 6, 8, 9, 10, 12, 13."""
    return Cells(*stored)


def group(level: str, label: str, rows: list[Row]) -> Group:
    total = Cells()
    for row in rows:
        total.add(row.cells)
    return Group(level=level, label=label, rows=rows, total=total)


def make_table(
    *, first_label: str = "Tư pháp", as_of: dt.date = QUARTER_1.end, agency_code="000.00.00.H22"
) -> Form06:
    province = group(
        "province",
        "Cấp tỉnh",
        [
            Row(1, "G09-TP", first_label, cells(12, 30, 5, 20, 10, 3, 11, 3)),
            Row(2, "G12-XD", "Xây dựng", cells(7, 9, 4, 6, 5, 2, 4, 3)),
        ],
    )
    commune = group(
        "commune", "Cấp xã", [Row(3, "H-HT", "Hộ tịch", cells(812, 345, 21, 900, 200, 8, 60, 10))]
    )
    total = Cells()
    for level in (province, commune):
        total.add(level.total)
    return Form06(
        agency_code=agency_code,
        agency_name="UBND tỉnh Bắc Ninh",
        period=QUARTER_1,
        cutoff=False,
        as_of=as_of,
        generated_at=dt.datetime(2027, 4, 2, 8, 30, tzinfo=VN),
        groups=[province, commune],
        total=total,
    )


def test_the_hand_built_table_is_consistent():
    table = make_table()
    assert table.groups[0].rows[0].cells.values() == TU_PHAP
    assert table.groups[0].total.values() == PROVINCE
    assert table.total.values() == TOTAL
    # SPEC.md §7.1: col 3 = col 7 + col 11
    assert TOTAL[0] == TOTAL[4] + TOTAL[8]


def test_header_covers_every_cell_of_its_three_rows_once():
    # SPEC.md §7.1: 13 columns under a three-level header; the XLSX and the PDF are built from it
    covered = [
        (row, col)
        for cell in HEADER
        for row in range(cell.top, cell.bottom + 1)
        for col in range(cell.left, cell.right + 1)
    ]
    assert sorted(covered) == [(row, col) for row in range(3) for col in range(1, 14)]


# --- XLSX --------------------------------------------------------------------------------------


def open_sheet(data: bytes) -> Worksheet:
    sheet = load_workbook(io.BytesIO(data)).active
    assert isinstance(sheet, Worksheet)
    return sheet


def numbers_row(sheet: Worksheet) -> int:
    """The row that numbers the columns (1) … (13)."""
    for row in sheet.iter_rows(min_col=1, max_col=1):
        if row[0].value == "(1)":
            return row[0].row
    raise AssertionError("no column-number row")


def values(sheet: Worksheet, row: int) -> list:
    return [sheet.cell(row=row, column=col).value for col in range(3, 14)]


def test_xlsx_title_block():
    # SPEC.md §7.1: Biểu số 06/VPCP/KSTT, the agency, the report's title, period and unit
    sheet = open_sheet(form06_xlsx(make_table()))
    texts = [cell.value for row in sheet.iter_rows(max_row=7) for cell in row if cell.value]
    assert texts == [
        "Biểu số 06/VPCP/KSTT",
        "UBND tỉnh Bắc Ninh",
        "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI CƠ QUAN, ĐƠN VỊ "
        "TRỰC TIẾP GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH",
        "Kỳ báo cáo: từ ngày 01/01/2027 đến ngày 31/03/2027",
        "Đơn vị tính: Số hồ sơ TTHC",
    ]
    assert sheet["A1"].value == "Biểu số 06/VPCP/KSTT"


def test_xlsx_header_is_merged_like_the_form():
    # SPEC.md §7.1: col 1 STT, col 2 the sector, 3–6 received (3 total, 4–6 "of which"),
    # 7–10 finished (7 total, 8–10), 11–13 in process (11 total, 12–13)
    sheet = open_sheet(form06_xlsx(make_table()))
    numbers = numbers_row(sheet)
    top, middle, bottom = numbers - 3, numbers - 2, numbers - 1
    expected = {
        f"A{top}:A{bottom}": "STT",
        f"B{top}:B{bottom}": "Lĩnh vực, công việc giải quyết theo cấp",
        f"C{top}:F{top}": "Số hồ sơ nhận giải quyết",
        f"G{top}:J{top}": "Số hồ sơ đã giải quyết",
        f"K{top}:M{top}": "Số hồ sơ đang giải quyết",
        f"C{middle}:C{bottom}": "Tổng số",
        f"D{middle}:F{middle}": "Trong đó",
        f"G{middle}:G{bottom}": "Tổng số",
        f"H{middle}:H{bottom}": "Trước hạn",
        f"I{middle}:I{bottom}": "Đúng hạn",
        f"J{middle}:J{bottom}": "Quá hạn",
        f"K{middle}:K{bottom}": "Tổng số",
        f"L{middle}:L{bottom}": "Trong hạn",
        f"M{middle}:M{bottom}": "Quá hạn",
    }
    header_merges = {
        str(merged) for merged in sheet.merged_cells.ranges if top <= merged.min_row <= bottom
    }
    assert header_merges == set(expected)
    for merged, text in expected.items():
        assert sheet[merged.split(":")[0]].value == text
    # cols 4, 5, 6 are single cells under "Trong đó"
    assert [sheet.cell(row=bottom, column=col).value for col in (4, 5, 6)] == [
        "Trực tuyến",
        "Trực tiếp, dịch vụ bưu chính",
        "Từ kỳ trước",
    ]
    assert [sheet.cell(row=numbers, column=col).value for col in range(1, 14)] == [
        f"({col})" for col in range(1, 14)
    ]


def test_xlsx_lines_total_groups_and_sectors():
    # SPEC.md §7.1: rows are sectors grouped by level (cấp tỉnh, cấp xã), under the total
    table = make_table()
    sheet = open_sheet(form06_xlsx(table))
    total = numbers_row(sheet) + 1
    assert sheet.cell(row=total, column=2).value == "Tổng cộng"
    assert values(sheet, total) == TOTAL == table.total.values()

    lines = [
        (
            sheet.cell(row=row, column=1).value,
            sheet.cell(row=row, column=2).value,
            values(sheet, row),
        )
        for row in range(total + 1, total + 6)
    ]
    assert lines == [
        ("I", "Cấp tỉnh", PROVINCE),
        (1, "Tư pháp", TU_PHAP),
        (2, "Xây dựng", XAY_DUNG),
        ("II", "Cấp xã", HO_TICH),
        (1, "Hộ tịch", HO_TICH),
    ]
    assert sheet.cell(row=total + 1, column=2).font.b  # a level's line is bold
    assert not sheet.cell(row=total + 2, column=2).font.b
    for row in range(total, total + 6):
        assert all(type(value) is int for value in values(sheet, row))
    assert sheet.cell(row=total + 6, column=2).value is None  # nothing after the last sector


def test_xlsx_print_and_view_setup():
    sheet = open_sheet(form06_xlsx(make_table()))
    assert sheet.freeze_panes == f"C{numbers_row(sheet) + 1}"
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == 9  # A4 in ECMA-376
    assert sheet.page_setup.fitToWidth == 1
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.cell(row=numbers_row(sheet) - 1, column=5).alignment.wrap_text
    assert sheet.cell(row=numbers_row(sheet) + 1, column=3).border.left.style == "thin"


def test_xlsx_signature_block():
    sheet = open_sheet(form06_xlsx(make_table()))
    texts = [cell.value for row in sheet.iter_rows() for cell in row if cell.value]
    assert texts[-4:] == [
        "NGƯỜI LẬP BIỂU",
        "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ",
        "(Ký, ghi rõ họ tên)",
        "(Ký, ghi rõ họ tên)",
    ]


def test_xlsx_never_writes_a_label_as_a_formula():
    label = '=HYPERLINK("https://example.com","x")'
    sheet = open_sheet(form06_xlsx(make_table(first_label=label)))
    cell = sheet.cell(row=numbers_row(sheet) + 3, column=2)
    assert cell.value == label
    assert cell.data_type == "s"


def test_xlsx_says_when_the_period_is_still_running():
    sheet = open_sheet(form06_xlsx(make_table(as_of=D(2027, 2, 15))))
    texts = [cell.value for row in sheet.iter_rows(max_row=7) for cell in row if cell.value]
    assert any("15/02/2027" in text for text in texts)


# --- CSV ---------------------------------------------------------------------------------------


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_has_a_bom_and_one_line_per_table_line():
    data = form06_csv(make_table())
    assert data.startswith(b"\xef\xbb\xbf")  # Excel then reads UTF-8
    header, *lines = read_csv(data)
    assert header == [
        "kind",
        "level",
        "sector_code",
        "sector_label",
        "3_received",
        "4_online",
        "5_counter",
        "6_carried_over",
        "7_finished",
        "8_early",
        "9_on_time",
        "10_late",
        "11_open",
        "12_open_in_time",
        "13_open_overdue",
    ]

    def numbers(values: list[int]) -> list[str]:
        return [str(value) for value in values]

    assert lines == [
        ["total", "", "", "Tổng cộng", *numbers(TOTAL)],
        ["group", "province", "", "Cấp tỉnh", *numbers(PROVINCE)],
        ["row", "province", "G09-TP", "Tư pháp", *numbers(TU_PHAP)],
        ["row", "province", "G12-XD", "Xây dựng", *numbers(XAY_DUNG)],
        ["group", "commune", "", "Cấp xã", *numbers(HO_TICH)],
        ["row", "commune", "H-HT", "Hộ tịch", *numbers(HO_TICH)],
    ]


def test_csv_guards_against_formula_injection():
    label = '=HYPERLINK("https://example.com","x")'
    _header, _total, _group, first, *_rest = read_csv(form06_csv(make_table(first_label=label)))
    assert first[3] == "'" + label


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("Tư pháp", "Tư pháp"),
        ("G09-TP", "G09-TP"),
        ("", ""),
    ],
)
def test_csv_safe(text, safe):
    assert csv_safe(text) == safe


# --- PDF ---------------------------------------------------------------------------------------


def pdf_text(pdf: bytes) -> str:
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return " ".join(out.stdout.decode("utf-8").split())


@needs_poppler
def test_pdf_shows_the_form():
    # SPEC.md §7.1: the form's title block, the header, the lines and the signatures
    pdf = form06_pdf(make_table())
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    for expected in (
        "Biểu số 06/VPCP/KSTT",
        "UBND tỉnh Bắc Ninh",
        "Kỳ báo cáo: từ ngày 01/01/2027 đến ngày 31/03/2027",
        "Đơn vị tính: Số hồ sơ TTHC",
        "Số hồ sơ nhận giải quyết",
        "Tổng cộng",
        "1.245",  # col 3 of the total, grouped the Vietnamese way
        "1.154",  # col 7 of the total
        "Cấp tỉnh",
        "Xây dựng",
        "NGƯỜI LẬP BIỂU",
        "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ",
    ):
        assert expected in text, expected


# --- formats and file names ---------------------------------------------------------------------


def test_exports_and_file_names():
    table = make_table()
    assert {key: (fmt.content_type, fmt.extension) for key, fmt in EXPORTS.items()} == {
        "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
        "csv": ("text/csv; charset=utf-8", "csv"),
        "pdf": ("application/pdf", "pdf"),
    }
    render, _content_type, extension = EXPORTS["csv"]
    assert render(table) == form06_csv(table)
    assert filename(table, extension) == "bieu-06_000.00.00.H22_2027-01-01_2027-03-31.csv"
    odd = make_table(agency_code="H22/242 ../x")
    assert filename(odd, "xlsx") == "bieu-06_H22-242-..-x_2027-01-01_2027-03-31.xlsx"
