"""Sổ theo dõi hồ sơ: one row per dossier received by an agency in a period (SPEC.md §1.8,
TT 01/2018 Mẫu 06 / TT 03/2025 Mẫu 07), as PDF and XLSX."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Prefetch, QuerySet, prefetch_related_objects

from motcua.core.formatting import to_local
from motcua.dossiers.choices import Action, DossierState, Timeliness
from motcua.dossiers.models import Dossier, DossierEvent

HANDOVER_ACTIONS = (Action.HANDOVER, Action.TRANSFER)

# (header, group header, XLSX column width)
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("STT", "", 6),
    ("Mã hồ sơ", "", 26),
    ("Tên thủ tục hành chính", "", 40),
    ("Số lượng hồ sơ (bộ)", "", 9),
    ("Tên cá nhân, tổ chức", "", 24),
    ("Địa chỉ, số điện thoại", "", 30),
    ("Cơ quan chủ trì giải quyết", "", 26),
    ("Nhận hồ sơ", "Ngày, tháng, năm", 17),
    ("Hẹn trả kết quả", "Ngày, tháng, năm", 17),
    ("Chuyển hồ sơ đến cơ quan giải quyết", "Ngày, tháng, năm", 17),
    ("Có kết quả giải quyết", "Ngày, tháng, năm", 17),
    ("Trả kết quả cho cá nhân, tổ chức", "Ngày, tháng, năm", 17),
    ("Người nhận kết quả", "", 22),
    ("Ghi chú", "", 24),
)
DATE_GROUP = "Ngày, tháng, năm"


@dataclass(frozen=True)
class RegisterRow:
    order: int
    code: str
    procedure: str
    sets: int
    applicant: str
    contact: str
    handling_agency: str
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    forwarded_at: dt.datetime | None
    finished_at: dt.datetime | None
    returned_at: dt.datetime | None
    recipient: str
    note: str

    def values(self) -> tuple[Any, ...]:
        return (
            self.order,
            self.code,
            self.procedure,
            self.sets,
            self.applicant,
            self.contact,
            self.handling_agency,
            self.received_at,
            self.due_at,
            self.forwarded_at,
            self.finished_at,
            self.returned_at,
            self.recipient,
            self.note,
        )


def _notes(d: Dossier) -> str:
    notes = []
    if d.state == DossierState.REJECTED:
        notes.append("Từ chối tiếp nhận")
    if d.state == DossierState.STOPPED:
        notes.append("Dừng giải quyết")
    if d.interlinked:
        notes.append("Liên thông")
    if d.extension_count or d.apology_issued:
        notes.append("Đã xin lỗi, hẹn lại")
    if d.timeliness == Timeliness.LATE or (d.is_overdue and not d.timeliness):
        notes.append("Quá hạn")
    return "; ".join(notes)


def register_rows(dossiers) -> list[RegisterRow]:
    """Rows in reception order. ``dossiers`` is a queryset (already scoped by the caller) or a
    list; the related rows are fetched in a fixed number of queries."""
    handovers = Prefetch(
        "events",
        queryset=DossierEvent.objects.filter(action__in=HANDOVER_ACTIONS).order_by("seq"),
        to_attr="register_handovers",
    )
    if isinstance(dossiers, QuerySet):
        items = list(
            dossiers.select_related("procedure_version", "handling_agency")
            .prefetch_related(handovers)
            .order_by(F("received_at").asc(nulls_last=True), "id")
        )
    else:
        items = sorted(
            dossiers,
            key=lambda d: (d.received_at or dt.datetime.max.replace(tzinfo=dt.UTC), d.pk),
        )
        prefetch_related_objects(items, "procedure_version", "handling_agency", handovers)
    rows = []
    for index, d in enumerate(items, start=1):
        first = d.register_handovers[0] if d.register_handovers else None
        contact = ", ".join(p for p in (d.applicant_address, d.applicant_phone) if p)
        rows.append(
            RegisterRow(
                order=d.register_number or index,
                code=d.code or "",
                procedure=d.procedure_version.name,
                sets=d.sets,
                applicant=d.applicant_name,
                contact=contact,
                handling_agency=d.handling_agency.name,
                received_at=d.received_at,
                due_at=d.due_at,
                forwarded_at=first.at if first else None,
                finished_at=d.finished_at,
                returned_at=d.returned_at,
                recipient=d.result_recipient,
                note=_notes(d),
            )
        )
    return rows


def _local_naive(value: dt.datetime | None) -> dt.datetime | None:
    """Spreadsheets have no time zones: write the local wall-clock time."""
    return to_local(value).replace(tzinfo=None) if value is not None else None


def register_xlsx(
    *, agency, start: dt.date, end: dt.date, rows: list[RegisterRow], title: str, label: str
) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "So theo doi ho so"
    last = get_column_letter(len(COLUMNS))
    bold = Font(name="Times New Roman", bold=True, size=12)
    normal = Font(name="Times New Roman", size=11)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wrap = Alignment(vertical="top", wrap_text=True)

    ws["A1"] = agency.name.upper()
    ws["A1"].font = bold
    ws[f"{get_column_letter(len(COLUMNS) - 2)}1"] = label
    ws[f"{get_column_letter(len(COLUMNS) - 2)}1"].font = bold
    ws["A2"] = title.upper()
    ws["A2"].font = Font(name="Times New Roman", bold=True, size=14)
    ws.merge_cells(f"A2:{last}2")
    ws["A2"].alignment = centre
    ws["A3"] = f"Từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}"
    ws["A3"].font = Font(name="Times New Roman", italic=True, size=12)
    ws.merge_cells(f"A3:{last}3")
    ws["A3"].alignment = centre

    header_top, header_bottom = 5, 6
    group_cols = [i for i, (_, group, _) in enumerate(COLUMNS, start=1) if group == DATE_GROUP]
    for i, (header, group, width) in enumerate(COLUMNS, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = width
        if group:
            ws.cell(header_bottom, i, header)
        else:
            ws.cell(header_top, i, header)
            ws.merge_cells(f"{letter}{header_top}:{letter}{header_bottom}")
    ws.cell(header_top, group_cols[0], DATE_GROUP)
    ws.merge_cells(
        start_row=header_top,
        start_column=group_cols[0],
        end_row=header_top,
        end_column=group_cols[-1],
    )
    for row in ws.iter_rows(min_row=header_top, max_row=header_bottom, max_col=len(COLUMNS)):
        for cell in row:
            cell.font = Font(name="Times New Roman", bold=True, size=11)
            cell.alignment = centre
            cell.border = border

    first_data = header_bottom + 1
    for r, row in enumerate(rows, start=first_data):
        for c, value in enumerate(row.values(), start=1):
            if isinstance(value, dt.datetime):
                value = _local_naive(value)
            cell = ws.cell(r, c, value)
            cell.font = normal
            cell.border = border
            cell.alignment = wrap
            if isinstance(value, dt.datetime):
                cell.number_format = "dd/mm/yyyy hh:mm"
    ws.freeze_panes = f"A{first_data}"
    ws.print_options.gridLines = False
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_top}:{header_bottom}"

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
