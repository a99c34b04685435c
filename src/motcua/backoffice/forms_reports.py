"""The query strings of the report pages (issue 6): ``PeriodForm`` parses Biểu 06's reporting
period (SPEC.md §7.2: month, quarter, 6 months, 9 months, year or any range of days, by calendar or
with the government cut-off), ``CellForm`` the cell of the table whose dossiers are listed, and
``IndexPeriodForm`` the 766 index's calendar month, quarter or year. They only parse; the numbers
come from ``reports.form06`` and ``reports.index766``, the lists from ``reports.drilldown``.

The parameters keep short Vietnamese names in the address, like the queues' filters
(``?ky=month&nam=2026&so=3``), through ``add_prefix``."""

from __future__ import annotations

import datetime as dt
from typing import Any, Self

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import ValidationFailed
from motcua.core.formatting import vn_date
from motcua.org.choices import AgencyLevel
from motcua.reports.drilldown import COLUMN_NUMBERS
from motcua.reports.form06 import as_of_day
from motcua.reports.periods import Period, PeriodKind, date_range, period_containing, period_of

PERIOD_PARAMS = {
    "kind": "ky",
    "year": "nam",
    "number": "so",
    "start": "tu-ngay",
    "end": "den-ngay",
    "cutoff": "moc",
}
CELL_PARAMS = {"column": "cot", "level": "cap", "sector": "linh-vuc"}
INDEX_PARAMS = {"kind": "ky", "year": "nam", "number": "so"}
INDEX_KINDS = (PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR)
NUMBERED = {PeriodKind.MONTH: 12, PeriodKind.QUARTER: 4}  # the kinds that take a number


class _Named(forms.Form):
    """Fields read from and written to the query string under ``PARAMS``' names."""

    PARAMS: dict[str, str] = {}

    def add_prefix(self, field_name: str) -> str:
        return self.PARAMS.get(field_name, field_name)


class PeriodForm(_Named):
    PARAMS = PERIOD_PARAMS

    kind = forms.ChoiceField(label=_("Period"), choices=PeriodKind.choices)
    year = forms.IntegerField(
        label=_("Year"),
        min_value=2000,
        max_value=2100,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 4}),
    )
    number = forms.IntegerField(
        label=_("Month or quarter"),
        min_value=1,
        max_value=12,
        required=False,
        help_text=_("Month 1–12, or quarter 1–4."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 2}),
    )
    start = forms.DateField(
        label=_("From"),
        required=False,
        help_text=_("For a date range: day/month/year."),
    )
    end = forms.DateField(
        label=_("To"),
        required=False,
        help_text=_("For a date range: day/month/year."),
    )
    cutoff = forms.BooleanField(
        label=_("Government cut-off (15th–14th)"),
        required=False,
        help_text=_(
            "From the 15th of the month before the period to the 14th of its last month. "
            "Not used for a date range."
        ),
    )

    def __init__(self, data: QueryDict | dict, *, today: dt.date) -> None:
        super().__init__(data)
        self.today = today

    @classmethod
    def from_query(cls, query: QueryDict, *, today: dt.date) -> Self:
        """The form for the page's query string; without any period in it, this month."""
        if any(name in query for name in cls.PARAMS.values()):
            return cls(query, today=today)
        month = period_containing(PeriodKind.MONTH, today)
        return cls(
            {"ky": PeriodKind.MONTH, "nam": month.start.year, "so": month.start.month},
            today=today,
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        try:
            ranged = data["kind"] == PeriodKind.RANGE
            period = self._range(data) if ranged else self._numbered(data)
            if period is None:
                return data
            as_of_day(period, self.today)  # a period that has not begun is refused
        except ValidationFailed as exc:
            raise ValidationError(str(exc.message), code=exc.code) from exc
        data["period"] = period
        return data

    def _range(self, data: dict[str, Any]) -> Period | None:
        start, end = data.get("start"), data.get("end")
        if start is None:
            self.add_error("start", _("Enter the first day of the range."))
        if end is None:
            self.add_error("end", _("Enter the last day of the range."))
        if start is None or end is None:
            return None
        return date_range(start, end)

    def _numbered(self, data: dict[str, Any]) -> Period | None:
        kind, year, number = data["kind"], data.get("year"), data.get("number")
        if year is None:
            self.add_error("year", _("Enter the year."))
        highest = NUMBERED.get(kind)
        if highest == 12 and number is None:
            self.add_error("number", _("Enter the month, from 1 to 12."))
        if highest == 4 and (number is None or number > 4):
            self.add_error("number", _("Enter the quarter, from 1 to 4."))
        if self.errors:
            return None
        return period_of(kind, year, number if highest else 1, cutoff=data["cutoff"])

    @property
    def period(self) -> Period:
        return self.cleaned_data["period"]

    @property
    def with_cutoff(self) -> bool:
        """The cut-off applies to numbered periods only."""
        return self.cleaned_data["kind"] != PeriodKind.RANGE and self.cleaned_data["cutoff"]

    def query(self) -> dict[str, str]:
        """The period as query parameters, only those that matter for its kind."""
        data = self.cleaned_data
        kind = data["kind"]
        if kind == PeriodKind.RANGE:
            return {"ky": kind, "tu-ngay": vn_date(data["start"]), "den-ngay": vn_date(data["end"])}
        params = {"ky": kind, "nam": str(data["year"])}
        if kind in NUMBERED:
            params["so"] = str(data["number"])
        if data["cutoff"]:
            params["moc"] = "1"
        return params

    def label(self) -> str:
        """The period as people name it: "Tháng 3/2026", "Quý 1/2026", "Năm 2026"…"""
        data = self.cleaned_data
        kind, year, number = data["kind"], data.get("year"), data.get("number")
        if kind == PeriodKind.MONTH:
            return str(_("Month %(month)s/%(year)s") % {"month": number, "year": year})
        if kind == PeriodKind.QUARTER:
            return str(_("Quarter %(quarter)s/%(year)s") % {"quarter": number, "year": year})
        if kind == PeriodKind.HALF_YEAR:
            return str(_("6 months of %(year)s") % {"year": year})
        if kind == PeriodKind.NINE_MONTHS:
            return str(_("9 months of %(year)s") % {"year": year})
        if kind == PeriodKind.YEAR:
            return str(_("Year %(year)s") % {"year": year})
        return str(
            _("%(start)s to %(end)s")
            % {"start": vn_date(data["start"]), "end": vn_date(data["end"])}
        )


class CellForm(_Named):
    """Which cell: a numbered column (3–13), and a level and a sector (none: every one)."""

    PARAMS = CELL_PARAMS

    column = forms.TypedChoiceField(
        coerce=int, choices=[(number, str(number)) for number in COLUMN_NUMBERS]
    )
    level = forms.ChoiceField(choices=AgencyLevel.choices, required=False)
    sector = forms.IntegerField(min_value=1, required=False)


class IndexPeriodForm(PeriodForm):
    """The 766 index's period: a calendar month, quarter or year. SPEC.md §7.2: "766 uses
    calendar periods", so neither the government cut-off nor a free range of days."""

    PARAMS = INDEX_PARAMS

    kind = forms.ChoiceField(
        label=_("Period"), choices=[(kind.value, kind.label) for kind in INDEX_KINDS]
    )
    # Django's way of leaving out a parent's field
    start = None  # type: ignore[assignment]
    end = None  # type: ignore[assignment]
    cutoff = None  # type: ignore[assignment]

    def clean(self) -> dict[str, Any]:
        self.cleaned_data["cutoff"] = False  # by calendar, always
        return super().clean()
