"""Vietnamese personal identifiers, as pure functions: the citizen identity number (số định danh
cá nhân, printed on the CCCD card) and phone numbers.

Số định danh cá nhân — Thông tư 59/2021/TT-BCA, Điều 7 (cấu trúc số định danh cá nhân): twelve
digits; the first three are the code of the province (tỉnh, thành phố trực thuộc trung ương) where
the birth was registered, or the country code for a birth registered abroad; the fourth encodes
the century of birth and the sex (0/1: 20th century male/female, 2/3: 21st, 4/5: 22nd, 6/7:
23rd, 8/9: 24th); the fifth and sixth are the last two digits of the year of birth; the last six
are a random number.

What is validated here: twelve digits; a province code between 001 and 096 (the range of the
codes in the circular's annex; codes abroad are not accepted); and, when the date of birth is
known, that the century digit and the two year digits agree with it. The sex digit is not checked
against anything (the profile does not ask for sex).
"""

from __future__ import annotations

import datetime as dt
import re

__all__ = ["IdNumberProblem", "id_number_problem", "normalize_vn_phone"]

ID_NUMBER_RE = re.compile(r"^[0-9]{12}$")
PROVINCE_CODE_MIN = 1
PROVINCE_CODE_MAX = 96


class IdNumberProblem:
    """Why an identity number is refused (the codes double as error codes)."""

    FORMAT = "id_number_format"
    PROVINCE = "id_number_province"
    BIRTH_YEAR = "id_number_birth_year"


def id_number_problem(number: str, date_of_birth: dt.date | None = None) -> str | None:
    """The first problem of ``number`` (an ``IdNumberProblem`` code), or None when it is valid."""
    if not ID_NUMBER_RE.match(number):
        return IdNumberProblem.FORMAT
    if not PROVINCE_CODE_MIN <= int(number[:3]) <= PROVINCE_CODE_MAX:
        return IdNumberProblem.PROVINCE
    if date_of_birth is not None:
        century = 20 + int(number[3]) // 2  # 0/1 → 20th century (1900–1999), 2/3 → 21st …
        year = (century - 1) * 100 + int(number[4:6])
        if year != date_of_birth.year:
            return IdNumberProblem.BIRTH_YEAR
    return None


_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
_VN_MOBILE_RE = re.compile(r"^\+84[1-9][0-9]{8,9}$")


def normalize_vn_phone(raw: str) -> str | None:
    """A phone number as E.164 (``+84912345678``), or None when it is not a Vietnamese number.

    Accepts what people write: ``0912 345 678``, ``0912.345.678``, ``84912345678``,
    ``+84 912 345 678``. Vietnamese subscriber numbers have 9 digits after the 0 (10 digits in
    all); fixed lines with area code have 10 after the 0."""
    value = _PHONE_SEPARATORS.sub("", raw.strip())
    if value.startswith("00"):
        value = "+" + value[2:]
    elif value.startswith("0"):
        value = "+84" + value[1:]
    elif value.startswith("84") and len(value) in (11, 12):
        value = "+" + value
    return value if _VN_MOBILE_RE.match(value) else None
