"""How dates, times, names and agencies are written on official forms (NĐ 30/2020/NĐ-CP)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from motcua.core.formatting import to_local
from motcua.org.choices import AgencyKind

PEOPLES_COMMITTEE = "Ủy ban nhân dân"

TIMELINESS = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}
RETURN_METHODS = {
    "counter": "Tại Bộ phận Một cửa",
    "post": "Qua dịch vụ bưu chính công ích",
    "online": "Trực tuyến (kết quả điện tử trên Cổng Dịch vụ công)",
}
_TIME_UNITS = {
    "working_hours": "giờ làm việc",
    "working_days": "ngày làm việc",
    "calendar_days": "ngày",
}
SAME_DAY = "same_day"
ON_THE_SPOT = "on_the_spot"


def long_date(value: dt.date | dt.datetime | None) -> str:
    """'ngày 05 tháng 01 năm 2026', 'ngày 15 tháng 3 năm 2026': NĐ 30/2020 Phụ lục I puts a
    leading zero on days below 10 and on months 1 and 2 only."""
    if value is None:
        return "ngày …… tháng …… năm ……"
    if isinstance(value, dt.datetime):
        value = to_local(value).date()
    month = f"{value.month:02d}" if value.month <= 2 else str(value.month)
    return f"ngày {value.day:02d} tháng {month} năm {value.year}"


def clock(value: dt.datetime | None) -> str:
    """'09 giờ 15 phút, ngày 30/06/2025' in local time."""
    if value is None:
        return ""
    local = to_local(value)
    return f"{local:%H} giờ {local:%M} phút, ngày {local:%d/%m/%Y}"


def short_datetime(value: dt.datetime | None) -> str:
    """'30/06/2025 09:15' in local time (tables of the control sheet and the register)."""
    if value is None:
        return ""
    return f"{to_local(value):%d/%m/%Y %H:%M}"


def number(value: Decimal | int | float) -> str:
    """3 -> '3', Decimal('0.50') -> '0,5' (decimal comma)."""
    text = format(Decimal(value).normalize(), "f")
    return text.replace(".", ",")


def statutory_time(amount: Decimal | None, unit: str) -> str:
    if unit == ON_THE_SPOT:
        return "Giải quyết ngay khi tiếp nhận"
    if unit == SAME_DAY:
        return "Trong ngày (nhận sau 15 giờ thì trả trong ngày làm việc tiếp theo)"
    if amount is None:
        return ""
    return f"{number(amount)} {_TIME_UNITS.get(unit, unit)}"


def person(user, fallback: str = "") -> str:
    if user is None:
        return fallback
    return user.get_full_name() or user.get_username() or fallback


def honorific(applicant_type: int) -> str:
    return "Ông/Bà" if applicant_type == 1 else "Quý cơ quan, tổ chức"


def _strip_prefix(text: str, prefix: str) -> str:
    if text.casefold().startswith(prefix.casefold() + " "):
        return text[len(prefix) + 1 :]
    return text


def _strip_suffix(text: str, suffix: str) -> str:
    if suffix and text.casefold().endswith(" " + suffix.casefold()):
        return text[: -len(suffix) - 1]
    return text


def _has_governing_body(agency) -> bool:
    """People's Committees print no governing body above their name (NĐ 30/2020 Phụ lục I)."""
    return agency.parent_id is not None and agency.kind not in (
        AgencyKind.PROVINCE,
        AgencyKind.COMMUNE,
        AgencyKind.CENTRAL,
    )


def heading(agency) -> dict[str, object]:
    """The issuing-agency block: the governing body (upper case, may be abbreviated "UBND") and
    the agency's own name (bold upper case), each as a list of lines."""
    if _has_governing_body(agency):
        parent = agency.parent
        locality = _strip_prefix(parent.name, PEOPLES_COMMITTEE)
        is_committee = locality != parent.name
        governing = f"UBND {locality}" if is_committee else parent.name
        own = _strip_suffix(agency.name, locality) if is_committee else agency.name
        return {"governing": [governing.upper()], "agency": [own.upper()]}
    rest = _strip_prefix(agency.name, PEOPLES_COMMITTEE)
    if rest != agency.name:
        return {"governing": [], "agency": [PEOPLES_COMMITTEE.upper(), rest.upper()]}
    return {"governing": [], "agency": [agency.name.upper()]}


def place_name(province) -> str:
    """'Tỉnh Thanh Hóa' -> 'Thanh Hóa', 'Thành phố Hà Nội' -> 'Hà Nội'."""
    if province is None:
        return ""
    name = province.short_name or _strip_prefix(province.name, PEOPLES_COMMITTEE)
    for prefix in ("Thành phố", "Tỉnh"):
        name = _strip_prefix(name, prefix)
    return name
