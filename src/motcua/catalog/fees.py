"""Fee formulas (pure). A fee item has either a fixed amount or a formula such as the
certification fee of Thông tư 226/2016/TT-BTC: 2.000 đ/page for pages 1–2, 1.000 đ/page from
page 3, at most 200.000 đ per copy (SPEC.md §8.2)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

FORMULA_TYPES = ("tiered_per_unit", "per_unit")


def validate_formula(formula: dict[str, Any]) -> list[str]:
    errors: list[str] = []
    kind = formula.get("type")
    if kind not in FORMULA_TYPES:
        return [f"unknown formula type {kind!r}"]
    if kind == "per_unit" and "amount" not in formula:
        errors.append("per_unit needs an amount")
    if kind == "tiered_per_unit":
        tiers = formula.get("tiers") or []
        if not tiers:
            errors.append("tiered_per_unit needs tiers")
        expected = 1
        for tier in tiers:
            if tier.get("from") != expected:
                errors.append(f"tier should start at {expected}")
            if "to" in tier:
                expected = int(tier["to"]) + 1
            if Decimal(str(tier.get("amount", -1))) < 0:
                errors.append("tier amount must not be negative")
    return errors


def compute(formula: dict[str, Any], quantity: int) -> Decimal:
    """Amount in đồng for ``quantity`` units (pages, copies, …)."""
    if quantity < 0:
        raise ValueError("quantity cannot be negative")
    kind = formula["type"]
    if kind == "per_unit":
        total = Decimal(str(formula["amount"])) * quantity
    elif kind == "tiered_per_unit":
        total = Decimal(0)
        for tier in formula["tiers"]:
            start = int(tier["from"])
            end = int(tier["to"]) if "to" in tier else quantity
            units = max(0, min(quantity, end) - start + 1)
            total += Decimal(str(tier["amount"])) * units
    else:
        raise ValueError(f"unknown formula type {kind!r}")
    if formula.get("cap") is not None:
        total = min(total, Decimal(str(formula["cap"])))
    return total


def describe(formula: dict[str, Any]) -> str:
    """A plain Vietnamese description, e.g. for the procedure page."""
    from motcua.core.formatting import money

    unit = formula.get("unit", "đơn vị")
    if formula["type"] == "per_unit":
        text = f"{money(formula['amount'])}/{unit}"
    else:
        parts = []
        for tier in formula["tiers"]:
            span = (
                f"{unit} {tier['from']}–{tier['to']}"
                if "to" in tier
                else f"từ {unit} {tier['from']}"
            )
            parts.append(f"{money(tier['amount'])}/{unit} ({span})")
        text = "; ".join(parts)
    if formula.get("cap") is not None:
        text += f"; tối đa {money(formula['cap'])}"
    return text
