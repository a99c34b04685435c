"""Report endpoints: Biểu 06/VPCP/KSTT and the 766 index of an agency's subtree for a period.

For heads of units and agency leaders (``dossiers.oversight.may_oversee``), for the agencies
under their leader roles; any other agency, and any other caller, gets "agency not found"
(404), so that the endpoints do not tell which agencies exist. Authentication as for the
dossier endpoints: a bearer token, or a session confirmed with a second factor.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema

from motcua.core.errors import NotFound
from motcua.dossiers import oversight
from motcua.dossiers.api import BearerTokenAuth, SessionCsrfAuth
from motcua.org.models import Agency
from motcua.reports import exports
from motcua.reports.form06 import form06
from motcua.reports.index766 import IndexResult, index_766
from motcua.reports.periods import Period, date_range
from motcua.reports.tables import COLUMNS, Cells, Form06

router = Router(tags=["reports"], auth=[BearerTokenAuth(), SessionCsrfAuth()])


def report_agency(actor, code: str) -> Agency:
    """The agency ``code`` if ``actor`` may read its reports; otherwise it looks missing."""
    if not oversight.may_oversee(actor):
        raise NotFound(_("Agency not found."), code="agency_not_found")
    return oversight.oversight_agency(actor, code)


class ReportQuery(Schema):
    agency: str = Field(..., description="Code of the agency; its whole subtree is counted.")
    start: dt.date = Field(..., alias="from", description="First day of the period (inclusive).")
    end: dt.date = Field(..., alias="to", description="Last day of the period (inclusive).")

    def period(self) -> Period:
        return date_range(self.start, self.end)


class Form06Query(ReportQuery):
    cutoff: bool = Field(
        False,
        description=(
            "The period follows the government reporting cut-off (15th to 14th, SPEC.md §7.2); "
            "this only labels the report, the dates decide."
        ),
    )
    format: str = Field("json", description="json, xlsx, csv or pdf.")


# -- Biểu 06 ----------------------------------------------------------------------------------


class ColumnOut(Schema):
    number: int
    key: str
    label: str


class CellsOut(Schema):
    """Columns 3–13 of the form, by name (``columns`` gives each one's number)."""

    received: int
    online: int
    counter: int
    carried_over: int
    finished: int
    early: int
    on_time: int
    late: int
    open: int
    open_in_time: int
    open_overdue: int


class RowOut(Schema):
    sector_code: str
    sector: str
    cells: CellsOut


class GroupOut(Schema):
    level: str
    label: str
    rows: list[RowOut]
    total: CellsOut


class Form06Out(Schema):
    form: str = "06/VPCP/KSTT"
    agency: str
    agency_name: str
    start: dt.date = Field(..., serialization_alias="from")
    end: dt.date = Field(..., serialization_alias="to")
    cutoff: bool
    as_of: dt.date
    columns: list[ColumnOut]
    groups: list[GroupOut]
    total: CellsOut


def _cells(cells: Cells) -> dict:
    return {attribute: cells.column(number) for number, attribute, _label in COLUMNS}


def form06_out(table: Form06) -> dict:
    return {
        "agency": table.agency_code,
        "agency_name": table.agency_name,
        "start": table.period.start,
        "end": table.period.end,
        "cutoff": table.cutoff,
        "as_of": table.as_of,
        "columns": [
            {"number": number, "key": attribute, "label": str(label)}
            for number, attribute, label in COLUMNS
        ],
        "groups": [
            {
                "level": group.level,
                "label": group.label,
                "rows": [
                    {
                        "sector_code": row.sector_code,
                        "sector": row.label,
                        "cells": _cells(row.cells),
                    }
                    for row in group.rows
                ],
                "total": _cells(group.total),
            }
            for group in table.groups
        ],
        "total": _cells(table.total),
    }


@router.get(
    "/reports/form-06",
    response=Form06Out,
    by_alias=True,
    summary="Biểu 06/VPCP/KSTT of an agency's subtree for a period (JSON, XLSX, CSV or PDF)",
    openapi_extra={
        "responses": {
            200: {
                "description": "The report; with `format` other than json, the file.",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Form06Out"}},
                    **{
                        export.content_type.split(";")[0]: {
                            "schema": {"type": "string", "format": "binary"}
                        }
                        for export in exports.EXPORTS.values()
                    },
                },
            }
        }
    },
)
def report_form06(request, params: Query[Form06Query]):
    """The 13 columns of SPEC.md §7.1 by level and sector, with totals, counted from the
    rollups. A period still running is taken at today (`as_of`)."""
    if params.format != "json" and params.format not in exports.EXPORTS:
        raise NotFound(_("Choose json, xlsx, csv or pdf."), code="format_not_available")
    agency = report_agency(request.auth, params.agency)
    table = form06(agency, params.period(), cutoff=params.cutoff)
    if params.format == "json":
        return form06_out(table)
    export = exports.EXPORTS[params.format]
    response = HttpResponse(export.render(table), content_type=export.content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{exports.filename(table, export.extension)}"'
    )
    return response


# -- the 766 index ----------------------------------------------------------------------------


class ComponentOut(Schema):
    code: str
    group: str
    label: str
    status: str = Field(..., description="measured, no_data or not_measurable")
    numerator: int | None
    denominator: int | None
    ratio: Decimal | None = Field(..., description="Percent, 2 decimals; null when not measured")
    points: Decimal
    max_points: Decimal
    threshold: Decimal | None
    note: str = Field("", description="Why the component is not measurable here, if it is not.")


class IndexGroupOut(Schema):
    code: str
    label: str
    points: Decimal
    max_points: Decimal
    measurable_max: Decimal


class Index766Out(Schema):
    agency: str
    agency_name: str
    start: dt.date = Field(..., serialization_alias="from")
    end: dt.date = Field(..., serialization_alias="to")
    as_of: dt.date
    formula: str
    total: Decimal
    measurable_max: Decimal
    groups: list[IndexGroupOut]
    components: list[ComponentOut]


def index_out(result: IndexResult) -> dict:
    score = result.score
    return {
        "agency": result.agency.code,
        "agency_name": result.agency.name,
        "start": result.period.start,
        "end": result.period.end,
        "as_of": result.as_of,
        "formula": score.formula.version,
        "total": score.total,
        "measurable_max": score.measurable_max,
        "groups": [
            {
                "code": group.spec.code,
                "label": group.spec.label,
                "points": group.points,
                "max_points": group.spec.max_points,
                "measurable_max": group.measurable_max,
            }
            for group in score.groups
        ],
        "components": [
            {
                "code": c.spec.code,
                "group": c.spec.group,
                "label": c.spec.label,
                "status": str(c.status),
                "numerator": c.numerator,
                "denominator": c.denominator,
                "ratio": c.ratio,
                "points": c.points,
                "max_points": c.spec.max_points,
                "threshold": c.spec.threshold,
                "note": c.spec.why_not_measurable if not c.spec.measurable else "",
            }
            for group in score.groups
            for c in group.components
        ],
    }


@router.get(
    "/reports/index-766",
    response=Index766Out,
    by_alias=True,
    summary="The 766 service-quality index of an agency's subtree for a period",
)
def report_index766(request, params: Query[ReportQuery]):
    """Every component of SPEC.md §5.2 with its numerator, denominator, ratio and points, the
    six groups and the total out of 100. Components that need national data are
    `not_measurable`; `measurable_max` is the most that the others can give."""
    agency = report_agency(request.auth, params.agency)
    return index_out(index_766(agency, params.period()))
