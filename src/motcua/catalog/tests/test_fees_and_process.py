"""Fee formulas and step budgets (SPEC.md §3.6, §8.2)."""

from decimal import Decimal

import pytest

from motcua.catalog import fees, process

# Thông tư 226/2016/TT-BTC: 2.000 đ/trang for pages 1–2, 1.000 đ/trang from page 3, at most
# 200.000 đ per copy (SPEC.md §8.2 item 2).
CERTIFICATION = {
    "type": "tiered_per_unit",
    "unit": "trang",
    "tiers": [{"from": 1, "to": 2, "amount": 2000}, {"from": 3, "amount": 1000}],
    "cap": 200000,
}


@pytest.mark.parametrize(
    ("pages", "amount"),
    [(0, 0), (1, 2000), (2, 4000), (3, 5000), (10, 12000), (198, 200000), (500, 200000)],
)
def test_certification_fee(pages, amount):
    assert fees.compute(CERTIFICATION, pages) == Decimal(amount)


def test_fee_description_is_plain_vietnamese():
    assert fees.describe(CERTIFICATION) == (
        "2.000 đ/trang (trang 1–2); 1.000 đ/trang (từ trang 3); tối đa 200.000 đ"
    )


def test_formula_validation():
    assert fees.validate_formula(CERTIFICATION) == []
    assert fees.validate_formula({"type": "magic"})
    assert fees.validate_formula({"type": "tiered_per_unit", "tiers": [{"from": 2, "amount": 1}]})


@pytest.mark.parametrize(
    ("amount", "unit", "steps", "ok"),
    [
        (3, "working_days", [4, 14, 4, 2], True),  # 3 × 8 = 24 working hours exactly
        (3, "working_days", [4, 14, 4, 1], False),  # 23 ≠ 24
        (3, "working_days", [4, 14, 4, 3], False),  # 25 ≠ 24
        (4, "working_hours", ["0.5", "2.5", 1], True),
        (1, "same_day", ["0.5", 2, 1, "0.5"], True),  # fits in a working day
        (1, "same_day", [4, 4, 1], False),  # 9 h cannot fit in one day
        (15, "calendar_days", [8, 40, 8], True),
        (0, "on_the_spot", [1], True),
    ],
)
def test_step_budgets_sum_to_the_statutory_time(amount, unit, steps, ok):
    errors = process.budget_errors(Decimal(amount), unit, [Decimal(str(s)) for s in steps])
    assert (errors == []) is ok, errors


def test_a_process_needs_steps():
    assert process.budget_errors(Decimal(1), "working_days", [])
