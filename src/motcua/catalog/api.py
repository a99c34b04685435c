import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from motcua.catalog import selectors
from motcua.catalog.choices import ImplementationLevel, OnlineLevel
from motcua.catalog.models import ProcedureVersion
from motcua.core.errors import NotFound

router = Router(tags=["procedures"])


class SectorOut(Schema):
    code: str
    name: str


class ProcedureOut(Schema):
    code: str = Field(..., alias="procedure.code")
    name: str
    version: int = Field(..., alias="number")
    sector: SectorOut
    levels: list[str]
    online_level: str
    is_interlinked: bool
    implementing_agency: str = Field(..., alias="implementing_agency_text")
    valid_from: dt.date | None


class TimeOut(Schema):
    amount: Decimal
    unit: str


class ChannelOut(Schema):
    channel: int
    time: TimeOut | None = None
    description: str

    @staticmethod
    def resolve_time(obj) -> dict[str, Any] | None:
        if obj.time_amount is None:
            return None
        return {"amount": obj.time_amount, "unit": obj.time_unit}


class StepOut(Schema):
    order: int
    name: str
    role: str
    hours: Decimal
    status_code: int


class VariantOut(Schema):
    code: str
    name: str
    is_default: bool
    time: TimeOut
    channels: list[ChannelOut]
    steps: list[StepOut]

    @staticmethod
    def resolve_time(obj) -> dict[str, Any]:
        return {"amount": obj.time_amount, "unit": obj.time_unit}


class ComponentOut(Schema):
    id: int
    name: str
    originals: int
    copies: int
    mandatory: bool
    template: str
    note: str


class FeeOut(Schema):
    name: str
    kind: str
    amount: Decimal | None
    formula: dict[str, Any] | None
    channel: int | None
    exemptions: str
    note: str


class LegalBasisOut(Schema):
    number: str
    title: str
    issued_on: dt.date | None
    issuer: str


class ProcedureDetailOut(ProcedureOut):
    applicant_types: list[int]
    implementing_kind: str
    implementing_unit_key: str
    sequence: str
    conditions: str
    result: str = Field(..., alias="result_name")
    result_is_document: bool
    time_text: str
    fee_text: str
    publication_decision: str
    variants: list[VariantOut]
    components: list[ComponentOut]
    fees: list[FeeOut]
    legal_bases: list[LegalBasisOut]

    @staticmethod
    def resolve_variants(obj):
        return obj.variants.all()

    @staticmethod
    def resolve_components(obj):
        return obj.components.all()

    @staticmethod
    def resolve_fees(obj):
        return obj.fees.all()

    @staticmethod
    def resolve_legal_bases(obj):
        return obj.legal_bases.all()


class ProcedureFilter(Schema):
    q: str | None = Field(
        None, description="Accent-insensitive search: `chung thuc` finds “Chứng thực…”."
    )
    sector: str | None = Field(None, description="Sector code.")
    level: ImplementationLevel | None = Field(None, description="Implementation level.")
    online: OnlineLevel | None = Field(None, description="Online service level.")


@router.get("/procedures", response=list[ProcedureOut], summary="Search the procedure catalogue")
@paginate(LimitOffsetPagination)
def procedure_list(request, filters: Query[ProcedureFilter]):
    return selectors.procedure_search(
        q=filters.q, sector=filters.sector, level=filters.level, online=filters.online
    )


@router.get("/procedures/{code}", response=ProcedureDetailOut, summary="One procedure in force")
def procedure_detail(request, code: str):
    try:
        return selectors.procedure_detail(code)
    except ProcedureVersion.DoesNotExist:
        raise NotFound(_("No procedure in force has code %(code)s.") % {"code": code}) from None
