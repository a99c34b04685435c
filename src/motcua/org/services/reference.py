"""Load the real administrative hierarchy (34 provinces, 3,321 communes) as agencies.

Source: the ``vietnam-provinces`` package (the 2025 reform's list). Standard units per province
and commune come from ``org/data/standard_units.json``; national portal codes, where known, from
``org/data/province_codes.json``. Loading is idempotent: it creates what is missing and leaves
existing rows (which administrators may have edited, merged or closed) alone.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import vietnam_provinces as vp
from django.db import transaction

from motcua.core.text import search_key
from motcua.org.choices import AgencyKind, AgencyLevel, DivisionType
from motcua.org.models import Agency

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
REFORM_DATE = dt.date(2025, 7, 1)  # two-tier local government (Nghị quyết 202/2025/QH15)

_DIVISION_TYPES = {
    "tỉnh": DivisionType.PROVINCE,
    "thành phố trung ương": DivisionType.CITY,
    "xã": DivisionType.COMMUNE,
    "phường": DivisionType.WARD,
    "đặc khu": DivisionType.SPECIAL_ZONE,
}
_TYPE_WORD = {
    DivisionType.PROVINCE: "tỉnh",
    DivisionType.CITY: "thành phố",
    DivisionType.COMMUNE: "xã",
    DivisionType.WARD: "phường",
    DivisionType.SPECIAL_ZONE: "đặc khu",
}


@dataclass(frozen=True)
class LoadReport:
    created: int
    existing: int
    provinces: int
    communes: int


def _division_type(raw: Any) -> DivisionType:
    return _DIVISION_TYPES[getattr(raw, "value", raw)]


def _bare_name(name: str, division: DivisionType) -> str:
    """'Thành phố Hà Nội' -> 'Hà Nội'; 'Phường Hạc Thành' -> 'Hạc Thành'; 'Thanh Hóa' stays."""
    word = _TYPE_WORD[division]
    if name.casefold().startswith(word + " "):
        return name[len(word) + 1 :]
    return name


def _titled(division: DivisionType, bare: str) -> str:
    word = _TYPE_WORD[division]
    return f"{word[0].upper()}{word[1:]} {bare}"


@cache
def standard_units() -> dict[str, list[dict[str, Any]]]:
    with (DATA_DIR / "standard_units.json").open(encoding="utf-8") as fh:
        return json.load(fh)


@cache
def province_codes() -> dict[str, dict[str, str]]:
    path = DATA_DIR / "province_codes.json"
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as fh:
        entries = json.load(fh).get("provinces", {})
    # Only codes seen in primary or official sources are loaded; "derived" ones (from the
    # alphabetical assignment rule) stay in the file for an administrator to verify first.
    return {k: v for k, v in entries.items() if v.get("confidence", "confirmed") == "confirmed"}


def _agency(
    *,
    code: str,
    name: str,
    short_name: str,
    kind: str,
    level: str,
    parent: Agency | None,
    division_type: str = "",
    division_code: str = "",
    unit_key: str = "",
    code_dvcqg: str | None = None,
    code_legacy: str | None = None,
) -> Agency:
    path = Agency.path_for(code, parent)
    return Agency(
        code=code,
        name=name,
        short_name=short_name,
        kind=kind,
        level=level,
        parent=parent,
        path=path,
        depth=path.count("/") - 1,
        division_type=division_type,
        division_code=division_code,
        unit_key=unit_key,
        code_dvcqg=code_dvcqg,
        code_legacy=code_legacy,
        valid_from=REFORM_DATE if kind in (AgencyKind.PROVINCE, AgencyKind.COMMUNE) else None,
        search_text=search_key(f"{name} {short_name} {code} {code_dvcqg or ''}"),
    )


def _units_for(parent: Agency, level: str, of: str, short: str) -> list[Agency]:
    units = []
    for spec in standard_units()[level]:
        allowed = spec.get("division_types")
        if allowed and parent.division_type not in allowed:
            continue
        units.append(
            _agency(
                code=f"{parent.code}-{spec['key']}",
                name=spec["name"].format(of=of),
                short_name=spec["short"].format(short=short, of=of),
                kind=spec["kind"],
                level=level,
                parent=parent,
                unit_key=spec["key"],
            )
        )
    return units


@transaction.atomic
def load_administrative_units() -> LoadReport:
    existing = {
        a.code: a
        for a in Agency.objects.filter(depth=0).only(
            "code", "path", "division_type", "division_code"
        )
    }
    existing_codes = set(Agency.objects.values_list("code", flat=True))
    to_create: list[Agency] = []
    provinces: dict[int, Agency] = {}
    codes = province_codes()

    for p in vp.Province.iter_all():
        division = _division_type(p.division_type)
        code = f"{int(p.code):02d}"
        bare = _bare_name(p.name, division)
        of = f"{_TYPE_WORD[division]} {bare}"
        if code in existing:
            province = existing[code]
        else:
            known = codes.get(str(int(p.code)), {}) or codes.get(code, {})
            province = _agency(
                code=code,
                name=f"Ủy ban nhân dân {of}",
                short_name=_titled(division, bare),
                kind=AgencyKind.PROVINCE,
                level=AgencyLevel.PROVINCE,
                parent=None,
                division_type=division,
                division_code=code,
                code_dvcqg=known.get("code_dvcqg") or None,
                code_legacy=known.get("code_legacy") or None,
            )
            to_create.append(province)
        provinces[int(p.code)] = province
        to_create.extend(
            u for u in _units_for(province, "province", of, bare) if u.code not in existing_codes
        )

    # Parents must exist (have a pk) before children reference them.
    Agency.objects.bulk_create([a for a in to_create if a.parent is None], batch_size=500)
    created = sum(1 for a in to_create if a.parent is None)
    provinces = {
        int(a.division_code): a for a in Agency.objects.filter(kind=AgencyKind.PROVINCE, depth=0)
    }
    children = [a for a in to_create if a.parent is not None]
    for child in children:
        parent = child.parent
        assert parent is not None  # ``children`` are the agencies with a parent
        child.parent = provinces[int(parent.division_code)]

    communes: list[Agency] = []
    for w in vp.Ward.iter_all():
        code = f"{int(w.code):05d}"
        if code in existing_codes:
            continue
        division = _division_type(w.division_type)
        bare = _bare_name(w.name, division)
        of = f"{_TYPE_WORD[division]} {bare}"
        communes.append(
            _agency(
                code=code,
                name=f"Ủy ban nhân dân {of}",
                short_name=_titled(division, bare),
                kind=AgencyKind.COMMUNE,
                level=AgencyLevel.COMMUNE,
                parent=provinces[int(w.province_code)],
                division_type=division,
                division_code=code,
            )
        )
    Agency.objects.bulk_create(children + communes, batch_size=1000)
    created += len(children) + len(communes)

    commune_units: list[Agency] = []
    for commune in Agency.objects.filter(kind=AgencyKind.COMMUNE, valid_to__isnull=True):
        bare = _bare_name(commune.short_name, DivisionType(commune.division_type))
        of = f"{_TYPE_WORD[DivisionType(commune.division_type)]} {bare}"
        commune_units.extend(
            u
            for u in _units_for(commune, "commune", of, commune.short_name)
            if u.code not in existing_codes
        )
    Agency.objects.bulk_create(commune_units, batch_size=1000)
    created += len(commune_units)

    return LoadReport(
        created=created,
        existing=len(existing_codes),
        provinces=Agency.objects.provinces().count(),
        communes=Agency.objects.communes().count(),
    )
