"""A small catalogue document (format motcua.procedures/1) for tests, with real figures."""

from __future__ import annotations

import copy
from typing import Any

SECTORS = [
    {"code": "HOTICH", "name": "Hộ tịch", "ministry_code": "G06"},
    {"code": "CHUNGTHUC", "name": "Chứng thực", "ministry_code": "G06"},
    {"code": "LLTP", "name": "Lý lịch tư pháp", "ministry_code": "G06"},
]

_SAME_DAY_STEPS = [
    {
        "name": "Tiếp nhận, kiểm tra, số hóa hồ sơ",
        "role": "reception",
        "hours": 0.5,
        "status_code": 2,
    },
    {"name": "Thẩm định, dự thảo kết quả", "role": "specialist", "hours": 2, "status_code": 4},
    {"name": "Ký duyệt kết quả", "role": "agency_leader", "hours": 1, "status_code": 4},
    {"name": "Vào sổ, đóng dấu, phát hành", "role": "clerk", "hours": 0.5, "status_code": 9},
]


def _procedure(code: str, name: str, sector: str, **extra: Any) -> dict[str, Any]:
    base = {
        "code": code,
        "name": name,
        "sector": sector,
        "levels": ["commune"],
        "implementing_agency": {
            "kind": "commune",
            "unit_key": "",
            "text": "Ủy ban nhân dân cấp xã",
        },
        "applicant_types": [1],
        "online_level": "partial",
        "is_interlinked": False,
        "sequence": "Bước 1: Nộp hồ sơ.\nBước 2: Tiếp nhận và giải quyết.\nBước 3: Trả kết quả.",
        "conditions": "",
        "result": {"name": name, "is_document": True},
        "time_text": "Ngay trong ngày; nhận sau 15 giờ thì trả trong ngày làm việc tiếp theo.",
        "fee_text": "",
        "publication_decision": "",
        "legal_bases": [
            {
                "number": "60/2014/QH13",
                "title": "Luật Hộ tịch",
                "issued_on": "2014-11-20",
                "issuer": "Quốc hội",
            }
        ],
        "variants": [
            {
                "code": "default",
                "name": name,
                "default": True,
                "time": {"amount": 1, "unit": "same_day"},
                "channels": [
                    {"channel": 1, "time": None, "description": "Trực tiếp tại Bộ phận Một cửa"},
                    {"channel": 2, "time": None, "description": "Trực tuyến"},
                ],
                "steps": copy.deepcopy(_SAME_DAY_STEPS),
            }
        ],
        "components": [
            {
                "name": "Tờ khai theo mẫu",
                "originals": 1,
                "copies": 0,
                "mandatory": True,
                "template": "",
                "variant": None,
                "note": "",
            }
        ],
        "fees": [],
    }
    base.update(extra)
    return base


def sample_document() -> dict[str, Any]:
    return {
        "format": "motcua.procedures/1",
        "sectors": copy.deepcopy(SECTORS),
        "procedures": [
            _procedure(
                "1.001193",
                "Đăng ký khai sinh",
                "HOTICH",
                fees=[
                    {
                        "name": "Lệ phí đăng ký khai sinh đúng hạn",
                        "kind": "charge",
                        "amount": 0,
                        "formula": None,
                        "channel": None,
                        "exemptions": "Miễn lệ phí đăng ký khai sinh đúng hạn.",
                        "note": "",
                    }
                ],
            ),
            _procedure(
                "2.000815",
                "Chứng thực bản sao từ bản chính giấy tờ, văn bản",
                "CHUNGTHUC",
                online_level="none",
                components=[
                    {
                        "name": "Bản chính giấy tờ, văn bản làm cơ sở chứng thực",
                        "originals": 1,
                        "copies": 0,
                        "mandatory": True,
                        "template": "",
                        "variant": None,
                        "note": "",
                    },
                    {
                        "name": "Bản sao cần chứng thực",
                        "originals": 0,
                        "copies": 1,
                        "mandatory": True,
                        "template": "",
                        "variant": None,
                        "note": "",
                    },
                ],
                fees=[
                    {
                        "name": "Phí chứng thực bản sao từ bản chính",
                        "kind": "fee",
                        "amount": None,
                        "formula": {
                            "type": "tiered_per_unit",
                            "unit": "trang",
                            "tiers": [
                                {"from": 1, "to": 2, "amount": 2000},
                                {"from": 3, "amount": 1000},
                            ],
                            "cap": 200000,
                        },
                        "channel": None,
                        "exemptions": "",
                        "note": "Thông tư 226/2016/TT-BTC",
                    }
                ],
            ),
            _procedure(
                "1.004873",
                "Cấp Giấy xác nhận tình trạng hôn nhân",
                "HOTICH",
                time_text="03 ngày làm việc",
                variants=[
                    {
                        "code": "default",
                        "name": "Cấp Giấy xác nhận tình trạng hôn nhân",
                        "default": True,
                        "time": {"amount": 3, "unit": "working_days"},
                        "channels": [
                            {"channel": 1, "time": None, "description": ""},
                            {"channel": 2, "time": None, "description": ""},
                            {"channel": 3, "time": None, "description": ""},
                        ],
                        "steps": [
                            {
                                "name": "Tiếp nhận",
                                "role": "reception",
                                "hours": 4,
                                "status_code": 2,
                            },
                            {
                                "name": "Thẩm định",
                                "role": "specialist",
                                "hours": 14,
                                "status_code": 4,
                            },
                            {
                                "name": "Ký duyệt",
                                "role": "agency_leader",
                                "hours": 4,
                                "status_code": 4,
                            },
                            {
                                "name": "Phát hành, trả kết quả",
                                "role": "clerk",
                                "hours": 2,
                                "status_code": 9,
                            },
                        ],
                    }
                ],
            ),
            _procedure(
                "2.001417",
                "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
                "LLTP",
                levels=["province"],
                implementing_agency={
                    "kind": "department",
                    "unit_key": "tu-phap",
                    "text": "Sở Tư pháp",
                },
                online_level="full",
                time_text="Không quá 10 ngày kể từ ngày nhận đủ hồ sơ hợp lệ",
                variants=[
                    {
                        "code": "default",
                        "name": "Cấp Phiếu lý lịch tư pháp",
                        "default": True,
                        "time": {"amount": 10, "unit": "working_days"},
                        "channels": [{"channel": 2, "time": None, "description": ""}],
                        "steps": [
                            {
                                "name": "Tiếp nhận",
                                "role": "reception",
                                "hours": 4,
                                "status_code": 2,
                            },
                            {
                                "name": "Tra cứu, xác minh",
                                "role": "specialist",
                                "hours": 64,
                                "status_code": 4,
                            },
                            {
                                "name": "Ký duyệt",
                                "role": "agency_leader",
                                "hours": 8,
                                "status_code": 4,
                            },
                            {"name": "Trả kết quả", "role": "clerk", "hours": 4, "status_code": 9},
                        ],
                    }
                ],
                fees=[
                    {
                        "name": "Phí cung cấp thông tin lý lịch tư pháp",
                        "kind": "fee",
                        "amount": 200000,
                        "formula": None,
                        "channel": None,
                        "exemptions": (
                            "Trẻ em, người cao tuổi, người khuyết tật, "
                            "người thuộc hộ nghèo được miễn phí."
                        ),
                        "note": "",
                    }
                ],
            ),
        ],
    }
