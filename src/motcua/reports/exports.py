"""Biểu số 06/VPCP/KSTT (SPEC.md §7.1, Thông tư 01/2020/TT-VPCP) as XLSX, CSV and PDF.

The three exports read a finished ``Form06`` and nothing else: they neither query nor compute a
number (the sums are the table's own properties). The XLSX and the PDF reproduce the official
paper form, which is always in Vietnamese whatever the reader's interface language, so the form's
texts are module constants below rather than translated strings. The CSV is for machines: its
header is made of stable keys (column number and attribute).

UNCONFIRMED (SPEC.md §7.1): SPEC gives the columns' meaning and short names, not the printed
wording of the form's header, title block or signature block; the texts below follow SPEC's
column names and the usual layout of these forms, and must be checked against the circular.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal, NamedTuple

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from motcua.core.formatting import group_thousands, vn_date
from motcua.dossiers.documents.pdf import render_pdf
from motcua.reports.tables import COLUMNS, Form06, Group

# --- the form's texts (Vietnamese by law; wording UNCONFIRMED, see the module docstring) -------

FORM_NUMBER = "Biểu số 06/VPCP/KSTT"
FORM_TITLE = (
    "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI CƠ QUAN, ĐƠN VỊ "
    "TRỰC TIẾP GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
)
PERIOD_LINE = "Kỳ báo cáo: từ ngày {start} đến ngày {end}"
UNIT_LINE = "Đơn vị tính: Số hồ sơ TTHC"
TOTAL_LABEL = "Tổng cộng"
SHEET_TITLE = "Biểu 06"
PLACE_DATE_LINE = "……, ngày …… tháng …… năm ……"
SIGNATURES = (
    ("NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)"),
    ("THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ", "(Ký, ghi rõ họ tên)"),
)

# The level of a group as the form names it (SPEC.md §7.1: cấp tỉnh, cấp xã; formerly cấp
# huyện). A group of another level keeps its own label.
LEVEL_LABELS = {
    "province": "Cấp tỉnh",
    "district": "Cấp huyện",
    "commune": "Cấp xã",
}

# Not a text of the form: said only when the period is still running (as_of before its end).
AS_OF_NOTE = _("Figures as of %(day)s.")


@dataclass(frozen=True)
class HeaderCell:
    """One cell of the header, spanning rows ``top``–``bottom`` (0–2) and columns
    ``left``–``right`` (1–13) of the form, both ends included."""

    top: int
    left: int
    bottom: int
    right: int
    text: str

    @property
    def rowspan(self) -> int:
        return self.bottom - self.top + 1

    @property
    def colspan(self) -> int:
        return self.right - self.left + 1


HEADER_ROWS = 3
NUMBER_OF_COLUMNS = 13
# SPEC.md §7.1: 1 STT, 2 the sector, 3–6 received (3 total; 4–6 of which), 7–10 finished
# (7 total; 8 early, 9 on time, 10 late), 11–13 in process (11 total; 12 in time, 13 overdue).
HEADER: tuple[HeaderCell, ...] = (
    HeaderCell(0, 1, 2, 1, "STT"),
    HeaderCell(0, 2, 2, 2, "Lĩnh vực, công việc giải quyết theo cấp"),
    HeaderCell(0, 3, 0, 6, "Số hồ sơ nhận giải quyết"),
    HeaderCell(0, 7, 0, 10, "Số hồ sơ đã giải quyết"),
    HeaderCell(0, 11, 0, 13, "Số hồ sơ đang giải quyết"),
    HeaderCell(1, 3, 2, 3, "Tổng số"),
    HeaderCell(1, 4, 1, 6, "Trong đó"),
    HeaderCell(1, 7, 2, 7, "Tổng số"),
    HeaderCell(1, 8, 2, 8, "Trước hạn"),
    HeaderCell(1, 9, 2, 9, "Đúng hạn"),
    HeaderCell(1, 10, 2, 10, "Quá hạn"),
    HeaderCell(1, 11, 2, 11, "Tổng số"),
    HeaderCell(1, 12, 2, 12, "Trong hạn"),
    HeaderCell(1, 13, 2, 13, "Quá hạn"),
    HeaderCell(2, 4, 2, 4, "Trực tuyến"),
    HeaderCell(2, 5, 2, 5, "Trực tiếp, dịch vụ bưu chính"),
    HeaderCell(2, 6, 2, 6, "Từ kỳ trước"),
)


# --- the lines of the table, shared by the three formats -------------------------------------

LineKind = Literal["total", "group", "row"]


@dataclass(frozen=True)
class Line:
    kind: LineKind
    number: int | str  # 1, 2 … for a sector; I, II … for a level; "" for the total
    label: str
    level: str
    sector_code: str
    values: list[int]  # columns 3 to 13


def roman(number: int) -> str:
    numerals = (
        (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
        (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
    )  # fmt: skip
    out = []
    for value, numeral in numerals:
        count, number = divmod(number, value)
        out.append(numeral * count)
    return "".join(out)


def group_label(group: Group) -> str:
    return LEVEL_LABELS.get(group.level, str(group.label))


def lines(table: Form06) -> Iterator[Line]:
    """The total first, then each level with its total followed by its sectors (numbered from 1
    in each level), as on the form."""
    yield Line("total", "", TOTAL_LABEL, "", "", table.total.values())
    for index, group in enumerate(table.groups, start=1):
        yield Line("group", roman(index), group_label(group), group.level, "", group.total.values())
        for number, row in enumerate(group.rows, start=1):
            yield Line("row", number, row.label, group.level, row.sector_code, row.cells.values())


def period_line(table: Form06) -> str:
    return PERIOD_LINE.format(start=vn_date(table.period.start), end=vn_date(table.period.end))


def as_of_line(table: Form06) -> str:
    """Empty unless the numbers were taken before the period's end; in Vietnamese, like the form."""
    if table.as_of >= table.period.end:
        return ""
    with translation.override("vi"):
        return str(AS_OF_NOTE % {"day": vn_date(table.as_of)})


# --- XLSX --------------------------------------------------------------------------------------

FONT_NAME = "Times New Roman"  # the usual font of Vietnamese official documents (NĐ 30/2020)
COLUMN_WIDTHS = {1: 6, 2: 42} | dict.fromkeys(range(3, NUMBER_OF_COLUMNS + 1), 12)
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")
NUMBER_FORMAT = "#,##0"

# Rows of the sheet (1-based)
AGENCY_ROW = 2
TITLE_ROW = 4
PERIOD_ROW = 5
AS_OF_ROW = 6
UNIT_ROW = 7
HEADER_FIRST_ROW = 8
NUMBERS_ROW = HEADER_FIRST_ROW + HEADER_ROWS  # (1) … (13)
FIRST_LINE_ROW = NUMBERS_ROW + 1


def _font(*, bold: bool = False, italic: bool = False, size: float = 12) -> Font:
    return Font(name=FONT_NAME, bold=bold, italic=italic, size=size)


def _text(sheet: Worksheet, row: int, col: int, text: str) -> None:
    """Write ``text`` as text, never as a formula, whatever it starts with."""
    cell = sheet.cell(row=row, column=col, value=text)
    cell.data_type = "s"


def _band(sheet: Worksheet, row: int, text: str, font: Font, alignment: Alignment) -> None:
    """A line of the title block across the whole table."""
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=NUMBER_OF_COLUMNS)
    _text(sheet, row, 1, text)
    cell = sheet.cell(row=row, column=1)
    cell.font = font
    cell.alignment = alignment


def _write_title_block(sheet: Worksheet, table: Form06) -> None:
    _text(sheet, 1, 1, FORM_NUMBER)
    sheet.cell(row=1, column=1).font = _font(bold=True)
    sheet.merge_cells(start_row=AGENCY_ROW, start_column=1, end_row=AGENCY_ROW, end_column=6)
    _text(sheet, AGENCY_ROW, 1, table.agency_name)
    sheet.cell(row=AGENCY_ROW, column=1).font = _font(bold=True)
    sheet.cell(row=AGENCY_ROW, column=1).alignment = LEFT
    _band(sheet, TITLE_ROW, FORM_TITLE, _font(bold=True, size=13), CENTRE)
    sheet.row_dimensions[TITLE_ROW].height = 36
    _band(sheet, PERIOD_ROW, period_line(table), _font(italic=True), CENTRE)
    if note := as_of_line(table):
        _band(sheet, AS_OF_ROW, note, _font(italic=True), CENTRE)
    _band(sheet, UNIT_ROW, UNIT_LINE, _font(italic=True), RIGHT)


def _write_header(sheet: Worksheet) -> None:
    for cell in HEADER:
        top, bottom = HEADER_FIRST_ROW + cell.top, HEADER_FIRST_ROW + cell.bottom
        if cell.rowspan > 1 or cell.colspan > 1:
            sheet.merge_cells(
                start_row=top, start_column=cell.left, end_row=bottom, end_column=cell.right
            )
        _text(sheet, top, cell.left, cell.text)
        # Every cell of a merged range gets the border, or Excel draws it only on the first.
        for row in range(top, bottom + 1):
            for col in range(cell.left, cell.right + 1):
                target = sheet.cell(row=row, column=col)
                target.border = BORDER
                target.alignment = CENTRE
                target.font = _font(bold=True, size=11)
    for col in range(1, NUMBER_OF_COLUMNS + 1):
        target = sheet.cell(row=NUMBERS_ROW, column=col, value=f"({col})")
        target.border = BORDER
        target.alignment = CENTRE
        target.font = _font(italic=True, size=11)
    sheet.row_dimensions[HEADER_FIRST_ROW + HEADER_ROWS - 1].height = 48


def _write_line(sheet: Worksheet, row: int, line: Line) -> None:
    bold = line.kind != "row"
    number = sheet.cell(row=row, column=1, value=line.number if line.number != "" else None)
    number.alignment = CENTRE
    _text(sheet, row, 2, line.label)
    sheet.cell(row=row, column=2).alignment = LEFT
    for col, value in enumerate(line.values, start=3):
        cell = sheet.cell(row=row, column=col, value=value)
        cell.number_format = NUMBER_FORMAT
        cell.alignment = RIGHT
    for col in range(1, NUMBER_OF_COLUMNS + 1):
        cell = sheet.cell(row=row, column=col)
        cell.border = BORDER
        cell.font = _font(bold=bold)


def _write_signatures(sheet: Worksheet, row: int) -> None:
    # Left block over columns 1–5, right block over columns 8–13
    blocks = ((1, 5), (8, NUMBER_OF_COLUMNS))
    sheet.merge_cells(start_row=row, start_column=8, end_row=row, end_column=NUMBER_OF_COLUMNS)
    _text(sheet, row, 8, PLACE_DATE_LINE)
    sheet.cell(row=row, column=8).font = _font(italic=True)
    sheet.cell(row=row, column=8).alignment = CENTRE
    for (left, right), (title, note) in zip(blocks, SIGNATURES, strict=True):
        for offset, (text, font) in enumerate(
            ((title, _font(bold=True)), (note, _font(italic=True))), start=1
        ):
            sheet.merge_cells(
                start_row=row + offset, start_column=left, end_row=row + offset, end_column=right
            )
            _text(sheet, row + offset, left, text)
            sheet.cell(row=row + offset, column=left).font = font
            sheet.cell(row=row + offset, column=left).alignment = CENTRE


def _set_up_page(sheet: Worksheet, last_row: int) -> None:
    for col, width in COLUMN_WIDTHS.items():
        sheet.column_dimensions[get_column_letter(col)].width = width
    sheet.freeze_panes = sheet.cell(row=FIRST_LINE_ROW, column=3)  # below the header, after col 2
    sheet.print_title_rows = f"{HEADER_FIRST_ROW}:{NUMBERS_ROW}"  # the header on every page
    sheet.print_area = f"A1:{get_column_letter(NUMBER_OF_COLUMNS)}{last_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as needed
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True


def form06_xlsx(table: Form06) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    sheet.title = SHEET_TITLE
    workbook.properties.title = f"{FORM_NUMBER} – {table.agency_name}"
    workbook.properties.creator = "motcua"

    _write_title_block(sheet, table)
    _write_header(sheet)
    row = FIRST_LINE_ROW
    for line in lines(table):
        _write_line(sheet, row, line)
        row += 1
    _write_signatures(sheet, row + 1)
    _set_up_page(sheet, last_row=row + 3)

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- CSV ---------------------------------------------------------------------------------------

CSV_HEADER = [
    "kind",
    "level",
    "sector_code",
    "sector_label",
    *(f"{col}_{attribute}" for col, attribute, _label in COLUMNS),
]
# OWASP "CSV injection": a cell starting with one of these may be run as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def form06_csv(table: Form06) -> bytes:
    """UTF-8 with a BOM (for Excel), one line per table line with its ``kind``: ``total``,
    ``group`` (a level's subtotal) or ``row`` (a sector)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for line in lines(table):
        texts = [line.kind, line.level, line.sector_code, line.label]
        writer.writerow([*(csv_safe(text) for text in texts), *line.values])
    return out.getvalue().encode("utf-8-sig")


# --- PDF ---------------------------------------------------------------------------------------

PDF_TEMPLATE = "reports/form06_pdf.html"


def header_rows() -> list[list[HeaderCell]]:
    """The header cells by the row they start in, left to right (for rowspan/colspan)."""
    rows: list[list[HeaderCell]] = [[] for _row in range(HEADER_ROWS)]
    for cell in sorted(HEADER, key=lambda cell: (cell.top, cell.left)):
        rows[cell.top].append(cell)
    return rows


def form06_pdf(table: Form06) -> bytes:
    context = {
        "table": table,
        "form_number": FORM_NUMBER,
        "title": FORM_TITLE,
        "period_line": period_line(table),
        "as_of_line": as_of_line(table),
        "unit_line": UNIT_LINE,
        "header_rows": header_rows(),
        "column_numbers": range(1, NUMBER_OF_COLUMNS + 1),
        # Numbers grouped the Vietnamese way (1.234), as on paper
        "lines": [(line, [group_thousands(v) for v in line.values]) for line in lines(table)],
        "place_date_line": PLACE_DATE_LINE,
        "signatures": SIGNATURES,
    }
    return render_pdf(PDF_TEMPLATE, context)


# --- formats -----------------------------------------------------------------------------------


class ExportFormat(NamedTuple):
    render: Callable[[Form06], bytes]
    content_type: str
    extension: str


EXPORTS: dict[str, ExportFormat] = {
    "xlsx": ExportFormat(
        form06_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
    ),
    "csv": ExportFormat(form06_csv, "text/csv; charset=utf-8", "csv"),
    "pdf": ExportFormat(form06_pdf, "application/pdf", "pdf"),
}

_UNSAFE_IN_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def filename(table: Form06, ext: str) -> str:
    """``bieu-06_<agency code>_<start>_<end>.<ext>``, dates as YYYY-MM-DD; anything but ASCII
    letters, digits, dot, dash and underscore in the code becomes a dash."""
    code = _UNSAFE_IN_FILENAME.sub("-", table.agency_code).strip("-.") or "agency"
    start, end = table.period.start.isoformat(), table.period.end.isoformat()
    return f"bieu-06_{code}_{start}_{end}.{ext}"
