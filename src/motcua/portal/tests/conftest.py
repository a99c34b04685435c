"""Small fixtures for the public pages: two provinces with a few communes and units, and three
procedures imported through the real catalogue importer (format motcua.procedures/1).

The procedure codes and texts follow the national catalogue closely but are test data; the
fee formula is the certification fee of Thông tư 226/2016/TT-BTC (2.000 đ/page for pages 1–2,
1.000 đ/page from page 3, at most 200.000 đ per copy)."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.accounts.tests.mfa import admin_client  # noqa: F401  (signed in with a code)
from motcua.catalog.services.transfer import FORMAT, import_catalog
from motcua.org.choices import AgencyKind, AgencyLevel, DivisionType
from motcua.org.services.agencies import agency_create, agency_merge

BIRTH = "1.001193"
CERTIFY = "2.000815"
CRIMINAL_RECORD = "2.001417"


def _steps(total_hours: int) -> list[dict]:
    """A three-step internal process whose budgets sum to ``total_hours``."""
    first = 1 if total_hours < 8 else 4
    last = 1 if total_hours < 8 else 4
    return [
        {"name": "Tiếp nhận hồ sơ", "role": "reception", "hours": first, "status_code": 2},
        {
            "name": "Thẩm định, trình ký",
            "role": "specialist",
            "hours": total_hours - first - last,
            "status_code": 4,
        },
        {"name": "Trả kết quả", "role": "clerk", "hours": last, "status_code": 9},
    ]


CATALOG = {
    "format": FORMAT,
    "sectors": [
        {"code": "HT", "name": "Hộ tịch", "ministry_code": "BTP"},
        {"code": "CT", "name": "Chứng thực", "ministry_code": "BTP"},
        {"code": "LLTP", "name": "Lý lịch tư pháp", "ministry_code": "BTP"},
    ],
    "procedures": [
        {
            "code": BIRTH,
            "name": "Đăng ký khai sinh",
            "sector": "HT",
            "levels": ["commune"],
            "implementing_agency": {"kind": "commune", "text": "Ủy ban nhân dân cấp xã"},
            "applicant_types": [1],
            "online_level": "full",
            "sequence": "Bước 1: Nộp hồ sơ.\nBước 2: Công chức tư pháp - hộ tịch kiểm tra hồ sơ.",
            "conditions": "",
            "result": {"name": "Giấy khai sinh (bản chính)"},
            "time_text": "Ngay trong ngày tiếp nhận hồ sơ; trường hợp nhận sau 15 giờ mà không "
            "giải quyết được ngay thì trả kết quả trong ngày làm việc tiếp theo.",
            "fee_text": "",
            "legal_bases": [
                {
                    "number": "60/2014/QH13",
                    "title": "Luật Hộ tịch",
                    "issued_on": "2014-11-20",
                    "issuer": "Quốc hội",
                },
            ],
            "variants": [
                {
                    "code": "default",
                    "name": "Đăng ký khai sinh",
                    "default": True,
                    "time": {"amount": 0, "unit": "same_day"},
                    "channels": [
                        {"channel": 1, "description": "Nộp tại Bộ phận Một cửa"},
                        {"channel": 2, "description": "Nộp trên Cổng dịch vụ công"},
                    ],
                    "steps": _steps(4),
                }
            ],
            "components": [
                {
                    "name": "Tờ khai đăng ký khai sinh",
                    "originals": 1,
                    "copies": 0,
                    "template": "Mẫu TP/HT-2020-KS.1",
                },
                {"name": "Giấy chứng sinh", "originals": 1, "copies": 0},
            ],
            "fees": [
                {
                    "name": "Lệ phí đăng ký khai sinh",
                    "kind": "charge",
                    "amount": 0,
                    "exemptions": "Miễn lệ phí đăng ký khai sinh đúng hạn.",
                },
            ],
        },
        {
            "code": CERTIFY,
            "name": "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền "
            "của Việt Nam cấp",
            "sector": "CT",
            "levels": ["commune"],
            "implementing_agency": {"kind": "commune", "text": "Ủy ban nhân dân cấp xã"},
            "applicant_types": [1, 2, 4],
            "online_level": "none",
            "sequence": "Nộp bản chính và bản sao cần chứng thực.",
            "conditions": "Bản chính không bị tẩy xóa, sửa chữa.",
            "result": {"name": "Bản sao được chứng thực từ bản chính"},
            "time_text": "Trong ngày cơ quan tiếp nhận yêu cầu.",
            "fee_text": "",
            "legal_bases": [],
            "variants": [
                {
                    "code": "default",
                    "name": "Chứng thực bản sao",
                    "default": True,
                    "time": {"amount": 0, "unit": "same_day"},
                    "channels": [{"channel": 1}],
                    "steps": _steps(2),
                }
            ],
            "components": [{"name": "Bản chính giấy tờ", "originals": 1, "copies": 1}],
            "fees": [
                {
                    "name": "Phí chứng thực bản sao từ bản chính",
                    "kind": "fee",
                    "formula": {
                        "type": "tiered_per_unit",
                        "unit": "trang",
                        "tiers": [
                            {"from": 1, "to": 2, "amount": 2000},
                            {"from": 3, "amount": 1000},
                        ],
                        "cap": 200000,
                    },
                }
            ],
        },
        {
            "code": CRIMINAL_RECORD,
            "name": "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
            "sector": "LLTP",
            "levels": ["province"],
            "implementing_agency": {
                "kind": "department",
                "unit_key": "tu-phap",
                "text": "Sở Tư pháp",
            },
            "applicant_types": [1],
            "online_level": "partial",
            "sequence": "Nộp hồ sơ tại Trung tâm Phục vụ hành chính công.",
            "conditions": "",
            "result": {"name": "Phiếu lý lịch tư pháp"},
            "time_text": "Không quá 10 ngày làm việc.",
            "fee_text": "",
            "legal_bases": [],
            "variants": [
                {
                    "code": "default",
                    "name": "Trường hợp thông thường",
                    "default": True,
                    "time": {"amount": 10, "unit": "working_days"},
                    "channels": [
                        {"channel": 1},
                        {"channel": 3, "time": {"amount": 12, "unit": "working_days"}},
                    ],
                    "steps": _steps(80),
                },
                {
                    "code": "foreign",
                    "name": "Người đã cư trú ở nhiều nơi hoặc có thời gian cư trú ở nước ngoài",
                    "time": {"amount": 15, "unit": "working_days"},
                    "channels": [{"channel": 1}],
                    "steps": _steps(120),
                },
            ],
            "components": [
                {"name": "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", "originals": 1},
                {
                    "name": "Giấy tờ chứng minh thời gian cư trú ở nước ngoài",
                    "copies": 1,
                    "variant": "foreign",
                    "mandatory": False,
                },
            ],
            "fees": [
                {
                    "name": "Phí cung cấp thông tin lý lịch tư pháp",
                    "kind": "fee",
                    "amount": 200000,
                    "exemptions": "Trẻ em; người cao tuổi.",
                }
            ],
        },
    ],
}


@pytest.fixture
def catalog(db):
    return import_catalog(CATALOG)


@pytest.fixture
def places(db):
    """Thanh Hóa (38) with its service centre, its Department of Justice, two communes and one
    commune merged into another on 1 July 2025; Hà Nội (01) with one ward."""
    thanh_hoa = agency_create(
        code="38",
        name="Ủy ban nhân dân tỉnh Thanh Hóa",
        short_name="Tỉnh Thanh Hóa",
        kind=AgencyKind.PROVINCE,
        level=AgencyLevel.PROVINCE,
        parent=None,
        division_type=DivisionType.PROVINCE,
        division_code="38",
        code_dvcqg="H56",
    )
    centre = agency_create(
        code="38-pvhcc",
        name="Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa",
        short_name="Trung tâm PVHCC Thanh Hóa",
        kind=AgencyKind.SERVICE_CENTRE,
        level=AgencyLevel.PROVINCE,
        parent=thanh_hoa,
        unit_key="pvhcc",
    )
    justice = agency_create(
        code="38-tu-phap",
        name="Sở Tư pháp tỉnh Thanh Hóa",
        short_name="Sở Tư pháp Thanh Hóa",
        kind=AgencyKind.DEPARTMENT,
        level=AgencyLevel.PROVINCE,
        parent=thanh_hoa,
        unit_key="tu-phap",
        address="25 Hạc Thành, Thanh Hóa",
    )
    hac_thanh = agency_create(
        code="14848",
        name="Ủy ban nhân dân phường Hạc Thành",
        short_name="Phường Hạc Thành",
        kind=AgencyKind.COMMUNE,
        level=AgencyLevel.COMMUNE,
        parent=thanh_hoa,
        division_type=DivisionType.WARD,
        division_code="14848",
    )
    dong_son = agency_create(
        code="15853",
        name="Ủy ban nhân dân xã Đông Sơn",
        short_name="Xã Đông Sơn",
        kind=AgencyKind.COMMUNE,
        level=AgencyLevel.COMMUNE,
        parent=thanh_hoa,
        division_type=DivisionType.COMMUNE,
        division_code="15853",
    )
    old = agency_create(
        code="14849",
        name="Ủy ban nhân dân phường Điện Biên",
        short_name="Phường Điện Biên",
        kind=AgencyKind.COMMUNE,
        level=AgencyLevel.COMMUNE,
        parent=thanh_hoa,
        division_type=DivisionType.WARD,
        division_code="14849",
    )
    agency_merge(sources=[old], into=hac_thanh, effective=dt.date(2025, 7, 1))
    ha_noi = agency_create(
        code="01",
        name="Ủy ban nhân dân thành phố Hà Nội",
        short_name="Thành phố Hà Nội",
        kind=AgencyKind.PROVINCE,
        level=AgencyLevel.PROVINCE,
        parent=None,
        division_type=DivisionType.CITY,
        division_code="01",
    )
    ba_dinh = agency_create(
        code="00004",
        name="Ủy ban nhân dân phường Ba Đình",
        short_name="Phường Ba Đình",
        kind=AgencyKind.COMMUNE,
        level=AgencyLevel.COMMUNE,
        parent=ha_noi,
        division_type=DivisionType.WARD,
        division_code="00004",
    )
    old.refresh_from_db()
    return {
        "thanh_hoa": thanh_hoa,
        "centre": centre,
        "justice": justice,
        "hac_thanh": hac_thanh,
        "dong_son": dong_son,
        "old": old,
        "ha_noi": ha_noi,
        "ba_dinh": ba_dinh,
    }


@pytest.fixture
def portal(catalog, places):
    return {"catalog": catalog, **places}
