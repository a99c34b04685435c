import datetime as dt

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from motcua.core.errors import NotFound
from motcua.org import selectors
from motcua.org.choices import AgencyKind
from motcua.org.models import Agency

router = Router(tags=["agencies"])


class AgencyOut(Schema):
    code: str
    name: str
    short_name: str
    kind: str
    level: str
    division_type: str
    division_code: str
    unit_key: str
    parent: str | None = Field(None, alias="parent.code")
    code_dvcqg: str | None
    code_legacy: str | None
    valid_from: dt.date | None
    valid_to: dt.date | None


class AgencyDetailOut(AgencyOut):
    address: str
    phone: str
    email: str
    website: str
    successor: str | None = Field(None, alias="successor.code")
    ancestors: list[str] = Field(..., alias="ancestor_codes")


class AgencyFilter(Schema):
    parent: str | None = Field(None, description="Code of the parent agency.")
    kind: AgencyKind | None = Field(None, description="Kind of agency.")
    q: str | None = Field(None, description="Accent-insensitive search in names and codes.")
    include_inactive: bool = Field(False, description="Include merged or dissolved agencies.")


@router.get("/agencies", response=list[AgencyOut], summary="List agencies")
@paginate(LimitOffsetPagination)
def agency_list(request, filters: Query[AgencyFilter]):
    return selectors.agency_list(
        parent=filters.parent,
        kind=filters.kind,
        q=filters.q,
        include_inactive=filters.include_inactive,
    )


@router.get("/agencies/{code}", response=AgencyDetailOut, summary="One agency")
def agency_detail(request, code: str):
    try:
        return selectors.agency_get(code)
    except Agency.DoesNotExist:
        raise NotFound(_("No agency has code %(code)s.") % {"code": code}) from None
