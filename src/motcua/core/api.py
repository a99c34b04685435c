"""Health and calendar endpoints."""

import datetime as dt
import re
from decimal import Decimal

from django.db import connection
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

import motcua
from motcua.core.errors import NotFound, ValidationFailed
from motcua.core.workcal import TimeUnit
from motcua.org.models import Agency
from motcua.org.services.calendar import calendar_for

router = Router(tags=["system"])

MAX_AMOUNT = Decimal(1000)


class HealthOut(Schema):
    status: str
    version: str
    database: str


@router.get("/health", response=HealthOut, summary="Liveness and database check")
def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"status": "ok", "version": motcua.__version__, "database": connection.vendor}


class DueQuery(Schema):
    start: str = Field(
        ...,
        description="Reception time, ISO 8601 with a UTC offset, e.g. 2026-11-20T15:30:00+07:00 "
        "(encode '+' as %2B in a URL).",
    )
    amount: str = Field(..., description="Statutory time amount, e.g. 3 or 0.5.")
    unit: str = Field(..., description="working_hours | working_days | calendar_days | same_day")
    agency: str | None = Field(None, description="Agency code whose calendar and hours apply.")


class DueOut(Schema):
    due: str = Field(..., description="Due time, ISO 8601 with the +07:00 offset.")
    start: str = Field(..., description="The reception time as normalised into working time.")
    unit: str
    amount: str
    agency: str | None


_SPACED_OFFSET = re.compile(r"^(.*\d) (\d{2}:?\d{2})$")
_UNITS = [TimeUnit.WORKING_HOURS, TimeUnit.WORKING_DAYS, TimeUnit.CALENDAR_DAYS, TimeUnit.SAME_DAY]


def _parse_start(raw: str) -> dt.datetime:
    text = raw.strip()
    # A '+' that was not percent-encoded arrives as a space: accept it rather than fail.
    spaced = _SPACED_OFFSET.match(text)
    if spaced:
        text = f"{spaced.group(1)}+{spaced.group(2)}"
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(
            _(
                "“start” must be a date and time in ISO 8601 with an offset, e.g. "
                "2026-11-20T15:30:00+07:00."
            ),
            code="invalid_start",
        ) from None
    if value.tzinfo is None:
        raise ValidationFailed(
            _("“start” must include a UTC offset, e.g. +07:00."), code="invalid_start"
        )
    if not 1990 <= value.year <= 2200:
        raise ValidationFailed(_("“start” is outside the supported years."), code="invalid_start")
    return value


@router.get("/calendar/due", response=DueOut, summary="Compute a legal due time")
def calendar_due(request, params: Query[DueQuery]):
    start = _parse_start(params.start)
    try:
        amount = Decimal(params.amount)
        if not amount.is_finite():
            raise ValueError
    except (ArithmeticError, ValueError):
        raise ValidationFailed(
            _("“amount” must be a number, e.g. 3 or 0.5."), code="invalid_amount"
        ) from None
    if amount < 0 or amount > MAX_AMOUNT:
        raise ValidationFailed(
            _("“amount” must be between 0 and %(max)s.") % {"max": MAX_AMOUNT},
            code="invalid_amount",
        )
    if params.unit not in _UNITS:
        raise ValidationFailed(
            _("“unit” must be one of: %(units)s.") % {"units": ", ".join(_UNITS)},
            code="invalid_unit",
        )
    if params.unit == TimeUnit.CALENDAR_DAYS and amount != amount.to_integral_value():
        raise ValidationFailed(_("Calendar days must be a whole number."), code="invalid_amount")
    agency = None
    if params.agency:
        agency = Agency.objects.filter(code=params.agency).first()
        if agency is None:
            raise NotFound(_("No agency has code %(code)s.") % {"code": params.agency})
    calendar = calendar_for(agency, around=start.date())
    due = calendar.due(start, amount, params.unit)
    return {
        "due": due.isoformat(),
        "start": calendar.normalise(start).isoformat(),
        "unit": params.unit,
        "amount": str(amount),
        "agency": agency.code if agency else None,
    }
