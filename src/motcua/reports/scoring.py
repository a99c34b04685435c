"""The 766 service-quality index (Quyết định 766/QĐ-TTg, SPEC.md §5): formula data and scoring.

Pure code: counts in, points out. Selectors count dossiers; this module turns the counts into
ratios and points by a *formula version*, a JSON file in ``reports/formulas/`` named after the
version (``766-portal.json`` is the national portal's sheet). The setting
``MOTCUA_INDEX766_FORMULA`` picks the version (default ``"766-portal"``).

- ratio ``R = numerator / denominator × 100``, 2 decimals, half up; a denominator of 0 gives
  N/A (``None``), scored by the formula's ``empty_denominator``: ``"zero"`` (0 points, the
  default, what SPEC's "0 or N/A" gives) or ``"full"`` (the component's maximum) (§5.2 L330);
- component points ``Pmax if R ≥ T else R × Pmax / T``; without ``T``, ``R × Pmax / 100``
  (§5.2 L332), computed from the rounded ratio and rounded to 2 decimals, half up;
- a group's points are the sum of its components' points, capped at the group's maximum; the
  total is the sum of the groups, out of 100 (§5.1).

Components that motcua cannot compute from its own data are marked ``measurable: false`` in the
formula. They score 0 with status ``not_measurable``, even when a measurement is passed for them
(it is ignored), so the page shows "x / 100 (measurable here: y)".
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

FORMULA_DIR = Path(__file__).resolve().parent / "formulas"
DEFAULT_FORMULA = "766-portal"
TOTAL_POINTS = Decimal(100)
EmptyDenominator = Literal["zero", "full"]

_CENT = Decimal("0.01")
_HUNDRED = Decimal(100)
_VERSION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_FORMULA_KEYS = {
    "version",
    "valid_from",
    "source",
    "notes",
    "empty_denominator",
    "groups",
    "components",
}
_GROUP_KEYS = {"code", "number", "label_vi", "label_en", "max_points"}
_COMPONENT_KEYS = {
    "code",
    "group",
    "label_vi",
    "label_en",
    "max_points",
    "threshold",
    "measurable",
    "why_not_measurable_en",
    "why_not_measurable_vi",
    "unconfirmed",
    "note_en",
}


class ComponentStatus(models.TextChoices):
    MEASURED = "measured", _("Measured")
    NOT_MEASURABLE = "not_measurable", _("Not measurable here")
    NO_DATA = "no_data", _("No data")


def _in_vietnamese() -> bool:
    return (get_language() or settings.LANGUAGE_CODE).startswith("vi")


@dataclass(frozen=True)
class GroupSpec:
    code: str
    number: int
    label_vi: str
    label_en: str
    max_points: Decimal

    @property
    def label(self) -> str:
        return self.label_vi if _in_vietnamese() else self.label_en


@dataclass(frozen=True)
class ComponentSpec:
    code: str
    group: str
    label_vi: str
    label_en: str
    max_points: Decimal
    threshold: Decimal | None
    measurable: bool
    why_not_measurable_en: str = ""
    why_not_measurable_vi: str = ""
    unconfirmed: str | None = None
    note_en: str = ""

    @property
    def label(self) -> str:
        return self.label_vi if _in_vietnamese() else self.label_en

    @property
    def why_not_measurable(self) -> str:
        if _in_vietnamese() and self.why_not_measurable_vi:
            return self.why_not_measurable_vi
        return self.why_not_measurable_en

    @property
    def scored(self) -> bool:
        """False for components that are tracked or displayed only (no points)."""
        return self.max_points > 0


@dataclass(frozen=True)
class Formula:
    version: str
    valid_from: dt.date
    groups: tuple[GroupSpec, ...]
    components: tuple[ComponentSpec, ...]
    source: str = ""
    notes: tuple[str, ...] = ()
    empty_denominator: EmptyDenominator = "zero"

    @functools.cached_property
    def _groups_by_code(self) -> dict[str, GroupSpec]:
        return {group.code: group for group in self.groups}

    @functools.cached_property
    def _components_by_code(self) -> dict[str, ComponentSpec]:
        return {component.code: component for component in self.components}

    def group(self, code: str) -> GroupSpec:
        return self._groups_by_code[code]

    def component(self, code: str) -> ComponentSpec:
        return self._components_by_code[code]

    def components_of(self, group_code: str) -> tuple[ComponentSpec, ...]:
        return tuple(c for c in self.components if c.group == group_code)


# --- loading -------------------------------------------------------------------------------


def load_formula(version: str | None = None, *, directory: Path | str | None = None) -> Formula:
    """The formula ``version`` (a file stem in ``directory``, by default ``reports/formulas``).

    Without a version, the setting ``MOTCUA_INDEX766_FORMULA`` decides (default
    ``"766-portal"``). Files are read once per process; an invalid file raises
    ``ImproperlyConfigured`` listing every problem found.
    """
    if version is None:
        version = getattr(settings, "MOTCUA_INDEX766_FORMULA", DEFAULT_FORMULA)
    folder = FORMULA_DIR if directory is None else Path(directory)
    return _load_cached(str(version), folder.resolve())


def available_formulas(directory: Path | str | None = None) -> list[str]:
    """The version names found in ``directory`` (default ``reports/formulas``), sorted."""
    folder = FORMULA_DIR if directory is None else Path(directory)
    return sorted(path.stem for path in folder.glob("*.json"))


def clear_formula_cache() -> None:
    _load_cached.cache_clear()


@functools.lru_cache(maxsize=16)
def _load_cached(version: str, folder: Path) -> Formula:
    if not _VERSION_NAME.match(version):
        raise ImproperlyConfigured(
            f"766 formula name {version!r} is not a file stem (letters, digits, '.', '_', '-')."
        )
    path = folder / f"{version}.json"
    if not path.is_file():
        known = ", ".join(available_formulas(folder)) or "none"
        raise ImproperlyConfigured(
            f"766 formula {version!r} not found: there is no {path}. Available: {known}."
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImproperlyConfigured(f"766 formula {path} cannot be read: {exc}") from exc
    return parse_formula(data, version=version, origin=str(path))


def parse_formula(data: Any, *, version: str, origin: str = "<data>") -> Formula:
    """Build and validate a :class:`Formula` from decoded JSON; raise ImproperlyConfigured."""
    problems: list[str] = []
    formula = _Parser(problems).formula(data, version)
    if problems or formula is None:
        listed = "\n".join(f"- {problem}" for problem in problems)
        raise ImproperlyConfigured(f"766 formula {origin} is invalid:\n{listed}")
    return formula


class _Parser:
    """Collects every problem in a formula file instead of stopping at the first."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems

    def formula(self, data: Any, version: str) -> Formula | None:
        if not isinstance(data, dict):
            self.problems.append("the file must hold a JSON object")
            return None
        self._keys(data, _FORMULA_KEYS, {"version", "valid_from", "groups", "components"}, "")
        if data.get("version") != version:
            self.problems.append(
                f"version is {data.get('version')!r}; it must equal the file name {version!r}"
            )
        valid_from = self._date(data.get("valid_from"))
        empty = data.get("empty_denominator", "zero")
        if empty not in ("zero", "full"):
            self.problems.append(f"empty_denominator must be 'zero' or 'full', not {empty!r}")
            empty = "zero"
        source = self._text(data.get("source", ""), "source")
        notes = data.get("notes", [])
        if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
            self.problems.append("notes must be a list of strings")
            notes = []

        groups = self._groups(data.get("groups"))
        components = self._components(data.get("components"), {g.code: g for g in groups})
        if self.problems or valid_from is None:
            return None
        return Formula(
            version=version,
            valid_from=valid_from,
            groups=groups,
            components=components,
            source=source,
            notes=tuple(notes),
            empty_denominator=empty,
        )

    def _groups(self, raw: Any) -> tuple[GroupSpec, ...]:
        if not isinstance(raw, list) or not raw:
            self.problems.append("groups must be a non-empty list")
            return ()
        groups: list[GroupSpec] = []
        for index, item in enumerate(raw):
            where = f"groups[{index}]"
            if not isinstance(item, dict):
                self.problems.append(f"{where} must be an object")
                continue
            self._keys(item, _GROUP_KEYS, _GROUP_KEYS, where + " ")
            code = self._text(item.get("code"), f"{where}.code", required=True)
            number = item.get("number")
            if not isinstance(number, int) or isinstance(number, bool) or number < 1:
                self.problems.append(f"{where}.number must be a positive whole number")
                number = 0
            max_points = self._points(item.get("max_points"), f"group {code}")
            groups.append(
                GroupSpec(
                    code=code,
                    number=number,
                    label_vi=self._text(item.get("label_vi"), f"{where}.label_vi", required=True),
                    label_en=self._text(item.get("label_en"), f"{where}.label_en", required=True),
                    max_points=max_points,
                )
            )
        self._unique([g.code for g in groups], "group code")
        self._unique([g.number for g in groups], "group number")
        total = sum((g.max_points for g in groups), Decimal(0))
        if total != TOTAL_POINTS:
            self.problems.append(f"the groups' max_points add up to {total}, not {TOTAL_POINTS}")
        return tuple(sorted(groups, key=lambda g: g.number))

    def _components(self, raw: Any, groups: dict[str, GroupSpec]) -> tuple[ComponentSpec, ...]:
        if not isinstance(raw, list) or not raw:
            self.problems.append("components must be a non-empty list")
            return ()
        components: list[ComponentSpec] = []
        for index, item in enumerate(raw):
            where = f"components[{index}]"
            if not isinstance(item, dict):
                self.problems.append(f"{where} must be an object")
                continue
            self._keys(
                item,
                _COMPONENT_KEYS,
                {"code", "group", "label_vi", "label_en", "max_points", "threshold", "measurable"},
                where + " ",
            )
            code = self._text(item.get("code"), f"{where}.code", required=True)
            where = f"component {code}"
            group_code = item.get("group")
            group = groups.get(group_code) if isinstance(group_code, str) else None
            if group is None:
                self.problems.append(f"{where}: group {group_code!r} is not one of the groups")
            max_points = self._points(item.get("max_points"), where)
            if group is not None and max_points > group.max_points:
                self.problems.append(
                    f"{where}: max_points {max_points} exceeds group {group.code}'s "
                    f"{group.max_points}"
                )
            measurable = item.get("measurable")
            if not isinstance(measurable, bool):
                self.problems.append(f"{where}: measurable must be true or false")
                measurable = False
            why_en = self._text(
                item.get("why_not_measurable_en", ""), f"{where}.why_not_measurable_en"
            )
            if not measurable and not why_en.strip():
                self.problems.append(f"{where}: not measurable, so why_not_measurable_en is needed")
            unconfirmed = item.get("unconfirmed")
            if unconfirmed is not None and not isinstance(unconfirmed, str):
                self.problems.append(f"{where}: unconfirmed must be a string or null")
                unconfirmed = None
            components.append(
                ComponentSpec(
                    code=code,
                    group=group_code if isinstance(group_code, str) else "",
                    label_vi=self._text(item.get("label_vi"), f"{where}.label_vi", required=True),
                    label_en=self._text(item.get("label_en"), f"{where}.label_en", required=True),
                    max_points=max_points,
                    threshold=self._threshold(item.get("threshold"), where),
                    measurable=measurable,
                    why_not_measurable_en=why_en,
                    why_not_measurable_vi=self._text(
                        item.get("why_not_measurable_vi", ""), f"{where}.why_not_measurable_vi"
                    ),
                    unconfirmed=unconfirmed,
                    note_en=self._text(item.get("note_en", ""), f"{where}.note_en"),
                )
            )
        self._unique([c.code for c in components], "component code")
        return tuple(components)

    def _keys(
        self, item: dict[str, Any], allowed: set[str], required: set[str], where: str
    ) -> None:
        for key in sorted(set(item) - allowed):
            self.problems.append(f"{where}unknown key {key!r}".strip())
        for key in sorted(required - set(item)):
            self.problems.append(f"{where}missing key {key!r}".strip())

    def _text(self, value: Any, where: str, *, required: bool = False) -> str:
        if not isinstance(value, str) or (required and not value.strip()):
            if value is not None or required:
                self.problems.append(f"{where} must be {'a non-empty' if required else 'a'} string")
            return ""
        return value

    def _date(self, value: Any) -> dt.date | None:
        try:
            return dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            self.problems.append(f"valid_from must be a date YYYY-MM-DD, not {value!r}")
            return None

    def _number(self, value: Any) -> Decimal | None:
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            return None
        return Decimal(value)

    def _points(self, value: Any, where: str) -> Decimal:
        number = self._number(value)
        if number is None or number < 0:
            self.problems.append(f"{where}: max_points must be a number ≥ 0, not {value!r}")
            return Decimal(0)
        return number

    def _threshold(self, value: Any, where: str) -> Decimal | None:
        if value is None:
            return None
        number = self._number(value)
        if number is None or not 0 < number <= _HUNDRED:
            self.problems.append(
                f"{where}: threshold must be null or a percent above 0 and at most 100, "
                f"not {value!r}"
            )
            return None
        return number

    def _unique(self, values: list[Any], what: str) -> None:
        seen: set[Any] = set()
        for value in values:
            if value in seen:
                self.problems.append(f"duplicate {what} {value!r}")
            seen.add(value)


# --- scoring -------------------------------------------------------------------------------


def ratio(numerator: int, denominator: int) -> Decimal | None:
    """``numerator / denominator`` in percent, 2 decimals half up; ``None`` (N/A) for 0 / 0.

    SPEC §5.2 L330: "ratio = numerator/denominator × 100 %, 2 decimals; if the denominator is 0
    show 0 or N/A".
    """
    if numerator < 0 or denominator < 0:
        raise ValueError(f"counts cannot be negative: {numerator}/{denominator}")
    if denominator == 0:
        return None
    return (Decimal(numerator) * _HUNDRED / Decimal(denominator)).quantize(_CENT, ROUND_HALF_UP)


def points(
    ratio: Decimal | None,
    max_points: Decimal | int,
    threshold: Decimal | int | None,
    *,
    empty: EmptyDenominator = "zero",
) -> Decimal:
    """A component's points, 2 decimals half up (SPEC §5.2 L332).

    ``Pmax`` when ``R ≥ T``, else ``R × Pmax / T``; with no threshold ``R × Pmax / 100``. A
    ratio of ``None`` (denominator 0) gives 0 points, or ``Pmax`` when ``empty == "full"``.
    """
    pmax = Decimal(max_points)
    if pmax < 0:
        raise ValueError(f"max_points cannot be negative: {max_points}")
    if ratio is None:
        return (pmax if empty == "full" else Decimal(0)).quantize(_CENT, ROUND_HALF_UP)
    if not 0 <= ratio <= _HUNDRED:
        raise ValueError(f"a ratio is a percent from 0 to 100, not {ratio}")
    if threshold is None:
        raw = ratio * pmax / _HUNDRED
    else:
        limit = Decimal(threshold)
        if not 0 < limit <= _HUNDRED:
            raise ValueError(f"a threshold is a percent above 0 and at most 100, not {threshold}")
        raw = pmax if ratio >= limit else ratio * pmax / limit
    return raw.quantize(_CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class Measurement:
    """The counts behind one component's ratio, for one agency and period."""

    code: str
    numerator: int
    denominator: int

    def __post_init__(self) -> None:
        if not 0 <= self.numerator <= self.denominator:
            raise ValueError(
                f"766 {self.code}: need 0 ≤ numerator ≤ denominator, "
                f"got {self.numerator}/{self.denominator}"
            )


@dataclass(frozen=True)
class ComponentResult:
    spec: ComponentSpec
    status: ComponentStatus
    points: Decimal
    numerator: int | None = None
    denominator: int | None = None
    ratio: Decimal | None = None  # None: not measured, or N/A (denominator 0)


@dataclass(frozen=True)
class GroupResult:
    spec: GroupSpec
    components: tuple[ComponentResult, ...]
    points: Decimal  # the components' sum, capped at the group's maximum
    measurable_max: Decimal  # the most the measurable components can give, same cap

    @property
    def max_points(self) -> Decimal:
        return self.spec.max_points


@dataclass(frozen=True)
class IndexScore:
    formula: Formula
    groups: tuple[GroupResult, ...]
    total: Decimal  # out of 100
    measurable_max: Decimal  # the most points obtainable here

    @property
    def components(self) -> dict[str, ComponentResult]:
        return {result.spec.code: result for group in self.groups for result in group.components}


def score(formula: Formula, measurements: Mapping[str, Measurement]) -> IndexScore:
    """Score the index from measurements keyed by component code.

    A measurable component without a measurement has status ``no_data`` and 0 points. A
    measurement for a component that is not measurable is ignored (status ``not_measurable``,
    0 points). A code the formula does not know is a programming error (``ValueError``).
    """
    for key, measurement in measurements.items():
        if key != measurement.code:
            raise ValueError(f"measurement {measurement.code!r} is filed under {key!r}")
    unknown = sorted(set(measurements) - {c.code for c in formula.components})
    if unknown:
        raise ValueError(f"formula {formula.version} has no component {', '.join(unknown)}")

    groups: list[GroupResult] = []
    for group in formula.groups:
        results = tuple(
            _score_component(spec, measurements.get(spec.code), formula.empty_denominator)
            for spec in formula.components_of(group.code)
        )
        earned = sum((r.points for r in results), Decimal(0))
        reachable = sum((r.spec.max_points for r in results if r.spec.measurable), Decimal(0))
        groups.append(
            GroupResult(
                spec=group,
                components=results,
                points=min(earned, group.max_points).quantize(_CENT),
                measurable_max=min(reachable, group.max_points).quantize(_CENT),
            )
        )
    return IndexScore(
        formula=formula,
        groups=tuple(groups),
        total=sum((g.points for g in groups), Decimal(0)).quantize(_CENT),
        measurable_max=sum((g.measurable_max for g in groups), Decimal(0)).quantize(_CENT),
    )


def _score_component(
    spec: ComponentSpec, measurement: Measurement | None, empty: EmptyDenominator
) -> ComponentResult:
    if not spec.measurable:
        return ComponentResult(spec, ComponentStatus.NOT_MEASURABLE, Decimal("0.00"))
    if measurement is None:
        return ComponentResult(spec, ComponentStatus.NO_DATA, Decimal("0.00"))
    value = ratio(measurement.numerator, measurement.denominator)
    return ComponentResult(
        spec,
        ComponentStatus.MEASURED,
        points(value, spec.max_points, spec.threshold, empty=empty),
        numerator=measurement.numerator,
        denominator=measurement.denominator,
        ratio=value,
    )
