"""Biểu 06/VPCP/KSTT in the back office (issue 6): the table for an agency and a period, its
exports, and behind every number the list of the dossiers it counts (SPEC.md §7.1, §7.2).

For the officials who may see the leaders' view (``oversight.may_oversee``), over the agencies
they lead (``?co-quan=``, by default the highest); to anyone else, and for an agency outside
that scope, the pages do not exist (404). The table comes from the rollups (``reports.form06``)
and the lists from the dossiers' facts (``reports.drilldown``), with the same definitions, so
a list is as long as its number."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from motcua.backoffice.forms_reports import CellForm, PeriodForm
from motcua.backoffice.http import no_store
from motcua.catalog.models import Sector
from motcua.core.errors import NotFound
from motcua.core.formatting import vn_date
from motcua.dossiers import oversight, queues
from motcua.dossiers.choices import Timeliness
from motcua.org.choices import AgencyLevel
from motcua.org.models import Agency
from motcua.reports.drilldown import COLUMN_NUMBERS, cell_dossiers
from motcua.reports.exports import EXPORTS, filename, roman
from motcua.reports.form06 import LEVEL_LABELS, as_of_day, form06
from motcua.reports.periods import PeriodKind
from motcua.reports.tables import COLUMNS, Cells, Form06

PAGE_SIZE = 50
TEMPLATE = "backoffice/report_form06.html"
EXPORT_LABELS = (
    ("xlsx", "Excel (XLSX)"),
    ("csv", "CSV"),
    ("pdf", "PDF"),
)


@dataclass(frozen=True)
class Cell:
    column: int
    value: int
    href: str


@dataclass(frozen=True)
class Line:
    """A line of the table: the total, a level's total or a sector's row."""

    kind: str
    number: str
    label: str
    cells: list[Cell]


def _agency(request: HttpRequest) -> Agency:
    """The agency of the report, among those the official leads; else 404."""
    if not oversight.may_oversee(request.user):
        raise Http404
    code = request.GET.get("co-quan", "").strip()[:40]
    if code:
        try:
            return oversight.oversight_agency(request.user, code)
        except NotFound as exc:
            raise Http404 from exc
    top = oversight.oversight_agencies(request.user).first()
    if top is None:
        raise Http404
    return top


def _period_form(request: HttpRequest) -> PeriodForm:
    return PeriodForm.from_query(request.GET, today=timezone.localdate())


def _query(agency: Agency, form: PeriodForm, cell: dict[str, object] | None = None) -> str:
    """The query string of the table (agency and period), and of one of its cells."""
    params = {"co-quan": agency.code, **form.query()}
    params |= {name: str(value) for name, value in (cell or {}).items() if value is not None}
    return urlencode(params)


def _lines(table: Form06, agency: Agency, form: PeriodForm) -> list[Line]:
    list_url = reverse("backoffice:report_form06_cell")

    def cells(values: Cells, level: str | None = None, sector: int | None = None) -> list[Cell]:
        out = []
        for column in COLUMN_NUMBERS:
            query = _query(agency, form, {"cot": column, "cap": level, "linh-vuc": sector})
            out.append(Cell(column, values.column(column), f"{list_url}?{query}"))
        return out

    # "Tổng cộng", as on the form (``exports.TOTAL_LABEL``)
    lines = [Line("total", "", pgettext("Biểu 06 row", "Total"), cells(table.total))]
    for index, group in enumerate(table.groups, start=1):
        lines.append(Line("group", roman(index), group.label, cells(group.total, group.level)))
        for number, row in enumerate(group.rows, start=1):
            lines.append(
                Line("row", str(number), row.label, cells(row.cells, group.level, row.sector_id))
            )
    return lines


def _period_context(form: PeriodForm) -> dict:
    period = form.period
    return {
        "period": period,
        "period_label": form.label(),
        # a date range's label is its dates already
        "period_dates": ""
        if form.cleaned_data["kind"] == PeriodKind.RANGE
        else f"{vn_date(period.start)} – {vn_date(period.end)}",
        "cutoff": form.with_cutoff,
    }


def _page(request: HttpRequest, agency: Agency, form: PeriodForm) -> HttpResponse:
    """The table page; with an invalid period, the form and its errors and no table (400)."""
    context: dict = {
        "agency": agency,
        "agencies": oversight.oversight_agencies(request.user),
        "form": form,
        "table": None,
        "queues": queues.queues_for(request.user),
    }
    if form.is_valid():
        table = form06(agency, form.period, cutoff=form.with_cutoff, today=form.today)
        query = _query(agency, form)
        context |= _period_context(form) | {
            "table": table,
            "lines": _lines(table, agency, form),
            "column_numbers": range(1, 14),
            "exports": [
                (reverse("backoffice:report_form06_export", args=[fmt]) + f"?{query}", label)
                for fmt, label in EXPORT_LABELS
            ],
        }
    status = 200 if context["table"] is not None else 400
    return no_store(render(request, TEMPLATE, context, status=status))


def report_form06(request: HttpRequest) -> HttpResponse:
    agency = _agency(request)
    return _page(request, agency, _period_form(request))


def report_form06_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The same table as XLSX, CSV or PDF, downloaded as ``exports.filename``."""
    agency = _agency(request)
    export = EXPORTS.get(fmt)
    if export is None:
        raise Http404
    form = _period_form(request)
    if not form.is_valid():
        return _page(request, agency, form)
    table = form06(agency, form.period, cutoff=form.with_cutoff, today=form.today)
    response = HttpResponse(export.render(table), content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename(table, export.extension)}"'
    return no_store(response)


def _cell_title(column: int, level: str, sector: Sector | None, period_label: str) -> str:
    """ "Cột 13 — Đang giải quyết quá hạn — Lĩnh vực Hộ tịch — Tháng 3/2026"."""
    labels = {number: label for number, _attribute, label in COLUMNS}
    if sector is not None:
        where = _("Sector %(name)s") % {"name": sector.name}
    elif level:
        where = str(LEVEL_LABELS[AgencyLevel(level)])
    else:
        where = pgettext("Biểu 06 row", "Total")
    parts = [_("Column %(number)s") % {"number": column}, str(labels[column]), where, period_label]
    return " — ".join(parts)


def report_form06_cell(request: HttpRequest) -> HttpResponse:
    """The dossiers counted in one cell of the table, 50 to a page."""
    agency = _agency(request)
    form = _period_form(request)
    if not form.is_valid():
        return _page(request, agency, form)
    cell = CellForm(request.GET)
    if not cell.is_valid():
        raise Http404
    column, level, sector_id = (cell.cleaned_data[name] for name in ("column", "level", "sector"))
    sector = None
    if sector_id is not None:
        sector = Sector.objects.filter(pk=sector_id).first()
        if sector is None:
            raise Http404
    dossiers = cell_dossiers(
        agency,
        form.period,
        column=column,
        level=level or None,
        sector_id=sector_id,
        today=form.today,
    )
    page = Paginator(dossiers, PAGE_SIZE).get_page(request.GET.get("page"))
    timeliness = dict(Timeliness.choices)
    context = _period_context(form) | {
        "agency": agency,
        "title": _cell_title(column, level, sector, form.label()),
        "level_label": LEVEL_LABELS[AgencyLevel(level)] if level else "",
        "page": page,
        "rows": [(d, timeliness.get(d.report_class06)) for d in page.object_list],
        "as_of": as_of_day(form.period, form.today),
        "back": reverse("backoffice:report_form06") + f"?{_query(agency, form)}",
        "queues": queues.queues_for(request.user),
    }
    return no_store(render(request, "backoffice/report_form06_cell.html", context))
