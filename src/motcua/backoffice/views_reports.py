"""Reports in the back office (issue 6): Biểu 06/VPCP/KSTT — the table for an agency and a
period, its exports, and behind every number the list of the dossiers it counts (SPEC.md §7.1,
§7.2) — and the leaders' dashboard of the 766 index (SPEC.md §5).

For the officials who may see the leaders' view (``oversight.may_oversee``), over the agencies
they lead (``?co-quan=``, by default the highest); to anyone else, and for an agency outside
that scope, the pages do not exist (404). The table comes from the rollups (``reports.form06``)
and the lists from the dossiers' facts (``reports.drilldown``), with the same definitions, so
a list is as long as its number. The index, its trend and the communes' ranking come from the
same rollups (``reports.index766``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from motcua.backoffice.forms_reports import CellForm, IndexPeriodForm, PeriodForm
from motcua.backoffice.http import no_store
from motcua.catalog.models import Sector
from motcua.core.errors import NotFound
from motcua.core.formatting import vn_date
from motcua.dossiers import oversight, queues
from motcua.dossiers.choices import Timeliness
from motcua.org.choices import AgencyKind, AgencyLevel
from motcua.org.models import Agency
from motcua.reports.drilldown import COLUMN_NUMBERS, cell_page
from motcua.reports.exports import EXPORTS, filename, roman
from motcua.reports.form06 import LEVEL_LABELS, as_of_day, form06
from motcua.reports.index766 import IndexResult, commune_ranking, index_766, monthly_trend
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
    page = cell_page(
        agency,
        form.period,
        column=column,
        level=level or None,
        sector_id=sector_id,
        cutoff=form.with_cutoff,
        today=form.today,
        number=request.GET.get("page"),
        size=PAGE_SIZE,
    )
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


# -- the 766 index --------------------------------------------------------------------------

INDEX_TEMPLATE = "backoffice/report_index766.html"
RANKING_TOP = 20  # communes shown before "show all"
TREND_MONTHS = 12
SHOW_ALL = "tat-ca"


@dataclass(frozen=True)
class TrendMonth:
    """A bar of the trend chart and a row of its table."""

    label: str
    total: Decimal
    on_time: Decimal | None  # 2.1's ratio; None when its denominator is 0 (N/A)
    href: str  # that month's dashboard


@dataclass(frozen=True)
class RankedCommune:
    rank: int
    result: IndexResult
    on_time: Decimal | None  # 2.1
    paid_online: Decimal | None  # 3.6
    href: str  # the commune's own dashboard; "" for a commune no longer in force


def _ratio(result: IndexResult, code: str) -> Decimal | None:
    return result.score.components[code].ratio


def _index_url(agency: Agency, params: dict[str, str]) -> str:
    query = urlencode({"co-quan": agency.code, **params})
    return f"{reverse('backoffice:report_index766')}?{query}"


def _trend(agency: Agency, result: IndexResult) -> list[TrendMonth]:
    """The months up to the period's last one (or this one, while the period runs)."""
    months = []
    for month in monthly_trend(agency, months=TREND_MONTHS, today=result.as_of):
        start = month.period.start
        months.append(
            TrendMonth(
                label=_("Month %(month)s/%(year)s") % {"month": start.month, "year": start.year},
                total=month.score.total,
                on_time=_ratio(month, "2.1"),
                href=_index_url(
                    agency,
                    {"ky": PeriodKind.MONTH.value, "nam": str(start.year), "so": str(start.month)},
                ),
            )
        )
    return months


def _ranking(province: Agency, form: IndexPeriodForm, *, show_all: bool) -> dict:
    """The province's communes, best first: the first ``RANKING_TOP`` or all of them."""
    results = commune_ranking(province, form.period, today=form.today)
    shown = results if show_all else results[:RANKING_TOP]
    query = form.query()
    ranking = [
        RankedCommune(
            rank=rank,
            result=result,
            on_time=_ratio(result, "2.1"),
            paid_online=_ratio(result, "3.6"),
            # a commune merged away since then is not among the agencies one may choose
            href=_index_url(result.agency, query)
            if result.agency.valid_to is None or result.agency.valid_to >= form.today
            else "",
        )
        for rank, result in enumerate(shown, start=1)
    ]
    return {
        "ranking": ranking,
        "ranking_count": len(results),
        "ranking_top": RANKING_TOP,
        "show_all": show_all,
        "show_all_href": _index_url(province, {**query, SHOW_ALL: "1"}) + "#h-ranking",
        "show_top_href": _index_url(province, query) + "#h-ranking",
    }


def _index_context(
    agency: Agency, form: IndexPeriodForm, result: IndexResult, *, show_all: bool
) -> dict:
    formula = result.score.formula
    context = _period_context(form) | {
        "score": result.score,
        "formula": formula,
        # 2.1's denominator is Biểu 06's col 3 for the same calendar period: its list
        "received_href": (
            f"{reverse('backoffice:report_form06_cell')}?{_query(agency, form, {'cot': 3})}"
        ),
        "form06_href": f"{reverse('backoffice:report_form06')}?{_query(agency, form)}",
        "trend": _trend(agency, result),
        "on_time_label": formula.component("2.1").label,
        "paid_online_label": formula.component("3.6").label,
        "ranking": None,
    }
    if agency.kind == AgencyKind.PROVINCE:
        context |= _ranking(agency, form, show_all=show_all)
    return context


def report_index766(request: HttpRequest) -> HttpResponse:
    """The 766 index of an agency's subtree for a calendar month, quarter or year: the total,
    the six groups and their components, 12 months of trend and, for a province, its communes
    ranked. An invalid period shows the form and its errors and no index (400)."""
    agency = _agency(request)
    form = IndexPeriodForm.from_query(request.GET, today=timezone.localdate())
    context: dict = {
        "agency": agency,
        "agencies": oversight.oversight_agencies(request.user),
        "form": form,
        "result": None,
        "queues": queues.queues_for(request.user),
    }
    if form.is_valid():
        result = index_766(agency, form.period, today=form.today)
        show_all = request.GET.get(SHOW_ALL) == "1"
        context |= {"result": result} | _index_context(agency, form, result, show_all=show_all)
    status = 200 if context["result"] is not None else 400
    return no_store(render(request, INDEX_TEMPLATE, context, status=status))
