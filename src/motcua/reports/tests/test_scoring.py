"""The 766 index's formula data and scoring (SPEC.md §5, Quyết định 766/QĐ-TTg as computed by the
national portal). Line numbers (Lnnn) are those of /work/shared/domain/SPEC.md."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from motcua.reports.scoring import (
    ComponentStatus,
    Measurement,
    available_formulas,
    load_formula,
    parse_formula,
    points,
    ratio,
    score,
)

D = Decimal


# --- ratio -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (2, 3, D("66.67")),  # SPEC §5.2 L330: num/den × 100, 2 decimals
        (1, 3, D("33.33")),
        (1, 800, D("0.13")),  # 0.125: half up, not half even
        (3, 4, D("75.00")),
        (0, 5, D("0.00")),
        (7, 7, D("100.00")),
    ],
)
def test_ratio_is_a_percent_with_two_decimals_half_up(numerator, denominator, expected):
    assert ratio(numerator, denominator) == expected


def test_ratio_of_an_empty_denominator_is_not_available():
    # SPEC §5.2 L330: "if the denominator is 0 show 0 or N/A" — motcua shows N/A
    assert ratio(0, 0) is None


def test_ratio_rejects_negative_counts():
    with pytest.raises(ValueError, match="negative"):
        ratio(-1, 3)


# --- points ----------------------------------------------------------------------------------


def test_points_below_the_threshold_are_proportional_to_it():
    # SPEC §5.2 L332: R < T → R × Pmax / T; 3.5b has Pmax 2, T 80 % (L364): 45 × 2 / 80 = 1.125
    assert points(D("45.00"), 2, 80) == D("1.13")
    # 74.6 × 2 / 80 = 1.865 → 1.87 (half up)
    assert points(D("74.60"), 2, 80) == D("1.87")


def test_points_at_the_threshold_are_the_maximum():
    # SPEC §5.2 L332: R ≥ T → Pmax; 4.2 has Pmax 4, T 80 % (L372)
    assert points(D("80.00"), 4, 80) == D("4.00")


def test_points_above_the_threshold_are_the_maximum():
    # SPEC §5.2 L332; 5.4 has Pmax 6, T 90 % (L386)
    assert points(D("95.50"), 6, 90) == D("6.00")
    assert points(D("100.00"), 6, 90) == D("6.00")


def test_points_without_a_threshold_scale_to_100():
    # SPEC §5.2 L332: "Where no threshold is stated the portal applies R × Pmax / 100"
    assert points(D("90.00"), 6, None) == D("5.40")  # 1.4, Pmax 6 (L341)
    assert points(D("100.00"), 20, None) == D("20.00")  # 2.1, Pmax 20 (L347)
    assert points(D("33.33"), 12, None) == D("4.00")  # 3.9996
    assert points(D("0.00"), 6, None) == D("0.00")


def test_points_of_an_empty_denominator_follow_the_formula_choice():
    # SPEC §5.2 L330: "0 or N/A"; N/A scores 0 by default ("zero"), Pmax with "full"
    assert points(None, 6, None) == D("0.00")
    assert points(None, 2, 80) == D("0.00")
    assert points(None, 2, 80, empty="full") == D("2.00")


def test_tracking_components_score_nothing():
    # SPEC §5.2 L357: 3.3 has T 50 % but no points (group 3's 12 come from 3.0, L388)
    assert points(D("60.00"), 0, 50) == D("0.00")


@pytest.mark.parametrize(
    ("value", "max_points", "threshold"),
    [(D("-1"), 6, None), (D("100.01"), 6, None), (D("50"), 6, 0), (D("50"), 6, 101)],
)
def test_points_reject_values_outside_percentages(value, max_points, threshold):
    with pytest.raises(ValueError, match="percent"):
        points(value, max_points, threshold)


# --- the shipped formula ---------------------------------------------------------------------

# SPEC §5.2 L338–386: (code, group, Pmax, T, measurable here per docs/reports-plan.md §1.3)
SPEC_COMPONENTS = [
    ("1.1", "CKMB", 6, None, False),  # L338
    ("1.2", "CKMB", 4, None, False),  # L339
    ("1.3", "CKMB", 2, None, False),  # L340
    ("1.4", "CKMB", 6, None, True),  # L341
    ("2.1", "TDGQ", 20, None, True),  # L347 (conversion UNCONFIRMED, L332)
    ("2.2", "TDGQ", 0, None, False),  # L348 "0 (display)"
    ("3.0", "CLGQ", 12, None, True),  # L354 (threshold UNCONFIRMED)
    ("3.1", "CLGQ", 0, 80, False),  # L355 "threshold 80 % (tracking)"
    ("3.2", "CLGQ", 0, None, False),  # L356 "tracking"
    ("3.3", "CLGQ", 0, 50, True),  # L357 "threshold 50 %", no Pmax (L388)
    ("3.5a", "TTTT", 2, 80, False),  # L363
    ("3.5b", "TTTT", 2, 80, True),  # L364
    ("3.6", "TTTT", 6, None, True),  # L365 "linear" (TD's T = 30 % conflicting)
    ("4.1", "MDSH", 6, None, True),  # L371
    ("4.2", "MDSH", 4, 80, True),  # L372
    ("4.x", "MDSH", 2, None, False),  # L373 (formula UNCONFIRMED)
    ("4.3", "MDSH", 2, 80, True),  # L374
    ("4.4", "MDSH", 4, None, True),  # L375
    ("4.5a", "MDSH", 2, None, False),  # L376
    ("4.5b", "MDSH", 2, None, False),  # L377
    ("5.1", "MDHL", 0, None, False),  # L383 "0 (tracking)"
    ("5.2", "MDHL", 6, None, False),  # L384
    ("5.3", "MDHL", 6, None, False),  # L385
    ("5.4", "MDHL", 6, 90, True),  # L386
]


@pytest.fixture
def portal():
    return load_formula("766-portal")


def test_the_portal_formula_has_the_six_groups_of_spec(portal):
    # SPEC §5.1 L318–324 (maxima), §5.2 group headings (numbering: 5 = Số hóa, 6 = Hài lòng)
    assert [(g.number, g.code, g.max_points) for g in portal.groups] == [
        (1, "CKMB", 18),
        (2, "TDGQ", 20),
        (3, "CLGQ", 12),
        (4, "TTTT", 10),
        (5, "MDSH", 22),
        (6, "MDHL", 18),
    ]
    assert sum(g.max_points for g in portal.groups) == 100  # L324 TONG_SCORE


def test_the_portal_formula_has_every_spec_component(portal):
    # SPEC §5.2 L338–386
    assert [
        (c.code, c.group, c.max_points, c.threshold, c.measurable) for c in portal.components
    ] == SPEC_COMPONENTS


def test_component_maxima_add_up_to_each_group(portal):
    # SPEC §5.2 L388: "6+4+2+6 = 18; 20; 12; 2+2+6 = 10; 6+4+2+2+4+2+2 = 22; 6+6+6 = 18 → 100"
    for group in portal.groups:
        assert sum(c.max_points for c in portal.components_of(group.code)) == group.max_points


def test_unconfirmed_components_are_flagged(portal):
    # SPEC §5.2: L332 (2.1's conversion), L354 (3.0's threshold), L365 (3.6, conflicting),
    # L373 (4.x's formula)
    flagged = {c.code for c in portal.components if c.unconfirmed}
    assert flagged == {"2.1", "3.0", "3.6", "4.x"}


def test_components_not_measurable_here_say_why(portal):
    # docs/reports-plan.md §1.3: national procedure DB, PAKN, VNeID flags, tracking/display only
    for component in portal.components:
        assert component.measurable or component.why_not_measurable_en
        assert component.measurable or component.why_not_measurable_vi


def test_the_portal_formula_scores_an_empty_denominator_as_zero(portal):
    # SPEC §5.2 L330: "0 or N/A"
    assert portal.empty_denominator == "zero"


def test_labels_follow_the_active_language(portal):
    with translation.override("vi"):
        assert portal.component("5.4").label == "Hài lòng trong tiếp nhận, giải quyết TTHC"
        assert portal.group("MDSH").label == "Số hóa hồ sơ"
    with translation.override("en"):
        assert portal.group("MDSH").label == "Dossier digitisation"


def test_the_setting_chooses_the_formula(settings, tmp_path):
    # the default version is the portal's sheet (SPEC §5.2 L330)
    assert load_formula().version == "766-portal"
    assert load_formula() is load_formula("766-portal")  # read once
    _write(tmp_path, "custom", _valid())
    settings.MOTCUA_INDEX766_FORMULA = "custom"
    assert load_formula(directory=tmp_path).version == "custom"
    assert available_formulas(tmp_path) == ["custom"]
    assert "766-portal" in available_formulas()


# --- score -----------------------------------------------------------------------------------


def test_score_of_a_month(portal):
    # SPEC §5.2 L330–386; points per component (Pmax, T) and hand-computed:
    measurements = {
        m.code: m
        for m in [
            Measurement("1.1", 9, 10),  # not measurable here: ignored
            Measurement("1.4", 90, 100),  # 90.00 % × 6 / 100 = 5.40
            Measurement("2.1", 171, 180),  # 95.00 % × 20 / 100 = 19.00
            Measurement("3.0", 1, 3),  # 33.33 % × 12 / 100 = 3.9996 → 4.00
            Measurement("3.3", 60, 100),  # 60.00 %, tracking → 0
            Measurement("3.5b", 3, 4),  # 75.00 % < 80: 75 × 2 / 80 = 1.875 → 1.88
            Measurement("3.6", 0, 0),  # N/A → 0
            Measurement("4.1", 50, 50),  # 100.00 % → 6.00
            Measurement("4.2", 85, 100),  # 85 ≥ 80 → 4.00
            Measurement("4.3", 2, 5),  # 40.00 % < 80: 40 × 2 / 80 = 1.00
            # 4.4: no measurement → no data, 0
            Measurement("5.4", 92, 100),  # 92 ≥ 90 → 6.00
        ]
    }
    result = score(portal, measurements)

    by_group = {g.spec.code: (g.points, g.measurable_max) for g in result.groups}
    assert by_group == {
        "CKMB": (D("5.40"), D("6.00")),  # only 1.4 is measurable here
        "TDGQ": (D("19.00"), D("20.00")),
        "CLGQ": (D("4.00"), D("12.00")),  # 3.0 (3.3 scores nothing)
        "TTTT": (D("1.88"), D("8.00")),  # 3.5b + 3.6
        "MDSH": (D("11.00"), D("16.00")),  # 6 + 4 + 1 + 0; 4.1 + 4.2 + 4.3 + 4.4
        "MDHL": (D("6.00"), D("6.00")),  # 5.4
    }
    # 5.40 + 19.00 + 4.00 + 1.88 + 11.00 + 6.00 = 47.28; 6 + 20 + 12 + 8 + 16 + 6 = 68
    assert result.total == D("47.28")
    assert result.measurable_max == D("68.00")

    components = result.components
    assert components["1.1"].status == ComponentStatus.NOT_MEASURABLE
    assert components["1.1"].points == 0
    assert components["1.1"].ratio is None
    assert components["3.6"].status == ComponentStatus.MEASURED
    assert components["3.6"].ratio is None
    assert components["3.6"].points == 0
    assert components["4.4"].status == ComponentStatus.NO_DATA
    assert components["3.5b"].ratio == D("75.00")
    assert (components["3.5b"].numerator, components["3.5b"].denominator) == (3, 4)
    assert list(components) == [code for code, *_ in SPEC_COMPONENTS]


def test_score_without_measurements(portal):
    # SPEC §5.1: 100 points in all; nothing measured gives 0, with 68 measurable here
    result = score(portal, {})
    assert result.total == 0
    assert result.measurable_max == D("68.00")
    assert {r.status for r in result.components.values()} == {
        ComponentStatus.NO_DATA,
        ComponentStatus.NOT_MEASURABLE,
    }


def test_a_group_is_capped_at_its_maximum():
    # SPEC §5.1 L316–324 gives each group's maximum; a group never scores above it
    data = _valid()
    data["groups"] = [_group("A", 1, 10), _group("B", 2, 90)]
    data["components"] = [
        _component("a1", "A", 6),
        _component("a2", "A", 6),
        _component("b1", "B", 90),
    ]
    formula = parse_formula(data, version="test")
    result = score(
        formula,
        {
            "a1": Measurement("a1", 1, 1),
            "a2": Measurement("a2", 1, 1),
            "b1": Measurement("b1", 1, 2),  # 50.00 % × 90 / 100 = 45.00
        },
    )
    assert [(g.points, g.measurable_max) for g in result.groups] == [
        (D("10.00"), D("10.00")),  # 6 + 6 = 12, capped at 10
        (D("45.00"), D("90.00")),
    ]
    assert result.total == D("55.00")
    assert result.measurable_max == D("100.00")


def test_an_empty_denominator_can_score_full_points():
    # SPEC §5.2 L330 leaves "0 or N/A" open: a formula may choose "full"
    data = _valid()
    data["empty_denominator"] = "full"
    result = score(parse_formula(data, version="test"), {"x": Measurement("x", 0, 0)})
    assert result.total == D("100.00")


def test_score_rejects_unknown_or_misfiled_measurements(portal):
    with pytest.raises(ValueError, match=r"no component 9\.9"):
        score(portal, {"9.9": Measurement("9.9", 1, 1)})
    with pytest.raises(ValueError, match="filed under"):
        score(portal, {"1.4": Measurement("2.1", 1, 1)})


def test_a_measurement_needs_a_numerator_within_its_denominator():
    # SPEC §5.2 L330: a ratio of a part to its whole
    with pytest.raises(ValueError, match="numerator"):
        Measurement("4.1", 3, 2)
    with pytest.raises(ValueError, match="numerator"):
        Measurement("4.1", -1, 2)


# --- invalid formula files -------------------------------------------------------------------


def _group(code: str, number: int, max_points: int) -> dict[str, Any]:
    return {
        "code": code,
        "number": number,
        "label_vi": code,
        "label_en": code,
        "max_points": max_points,
    }


def _component(code: str, group: str, max_points: int, **extra: Any) -> dict[str, Any]:
    return {
        "code": code,
        "group": group,
        "label_vi": code,
        "label_en": code,
        "max_points": max_points,
        "threshold": None,
        "measurable": True,
        **extra,
    }


def _valid() -> dict[str, Any]:
    return {
        "version": "test",
        "valid_from": "2025-07-01",
        "groups": [_group("G", 1, 100)],
        "components": [_component("x", "G", 100)],
    }


def _write(folder, version: str, data: dict[str, Any]) -> None:
    data = copy.deepcopy(data)
    data["version"] = version
    (folder / f"{version}.json").write_text(json.dumps(data), encoding="utf-8")


def test_a_valid_file_loads(tmp_path):
    _write(tmp_path, "ok", _valid())
    formula = load_formula("ok", directory=tmp_path)
    assert formula.version == "ok"
    assert formula.components[0].threshold is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        # SPEC §5.1 L324: the groups add up to 100
        (lambda d: d["groups"][0].update(max_points=99), "add up to 99, not 100"),
        # every component belongs to one of the groups (SPEC §5.2)
        (lambda d: d["components"][0].update(group="XX"), "group 'XX' is not one of the groups"),
        # SPEC §5.2 L332: T is a percent
        (lambda d: d["components"][0].update(threshold=120), "threshold must be"),
        (lambda d: d["components"][0].update(threshold=0), "threshold must be"),
        (lambda d: d["components"][0].update(threshold=-5), "threshold must be"),
        (lambda d: d["components"][0].update(max_points=101), "exceeds group G"),
        (lambda d: d["components"][0].update(measurable=False), "why_not_measurable_en"),
        (lambda d: d["components"][0].update(treshold=80), "unknown key 'treshold'"),
        (lambda d: d["components"].append(_component("x", "G", 1)), "duplicate component"),
        (lambda d: d.update(empty_denominator="half"), "empty_denominator"),
        (lambda d: d.update(valid_from="01/07/2025"), "valid_from"),
        (lambda d: d.pop("groups"), "missing key 'groups'"),
    ],
)
def test_an_invalid_file_is_refused(tmp_path, change, message):
    data = _valid()
    change(data)
    _write(tmp_path, "bad", data)
    with pytest.raises(ImproperlyConfigured, match=message):
        load_formula("bad", directory=tmp_path)


def test_the_file_name_is_the_version(tmp_path):
    (tmp_path / "named.json").write_text(json.dumps(_valid()), encoding="utf-8")
    with pytest.raises(ImproperlyConfigured, match="must equal the file name 'named'"):
        load_formula("named", directory=tmp_path)


def test_unreadable_or_missing_files_are_refused(tmp_path):
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        load_formula("broken", directory=tmp_path)
    with pytest.raises(ImproperlyConfigured, match=r"not found.*Available: broken"):
        load_formula("missing", directory=tmp_path)
    with pytest.raises(ImproperlyConfigured, match="not a file stem"):
        load_formula("../766-portal", directory=tmp_path)
