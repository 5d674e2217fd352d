"""How an indicator's rule turns a figure's value into points, and what a definition must say."""

from __future__ import annotations

import pytest

from domain.assessment import parse_system, rule_score
from domain.errors import DomainError


def leaf(rule: dict, points: float = 4, **extra) -> object:
    system = {"name": "考核", "categories": {"d": "部门", "t": "街镇"},
              "indicators": [{"code": "1", "name": "指标", "points": points, "rule": rule, **extra}]}  # fmt: skip
    return parse_system(system)[2][0]


def test_threshold_steps_take_the_first_met_and_scale_to_a_category_with_other_points() -> None:
    ind = leaf({"type": "threshold", "figure": "f", "steps": [{"min": 10, "points": 4}, {"min": 5, "points": 2}],
                "otherwise": 1}, points_by_category={"t": 2})  # fmt: skip
    assert [rule_score(ind, "d", v) for v in (12, 10, 7, 0)] == [4.0, 4.0, 2.0, 1.0]
    assert [rule_score(ind, "t", v) for v in (12, 7, 0)] == [2.0, 1.0, 0.5]
    lower = leaf({"type": "threshold", "figure": "f", "steps": [{"max": 0, "points": 4}, {"max": 2, "points": 2}]})
    assert [rule_score(lower, "d", v) for v in (0, 2, 3)] == [4.0, 2.0, 0.0]


def test_proportional_is_linear_and_clamped_either_way_and_pass_fail_compares() -> None:
    up = leaf({"type": "proportional", "figure": "f", "zero_at": 50, "full_at": 100})
    assert [rule_score(up, "d", v) for v in (40, 50, 75, 100, 120)] == [0.0, 0.0, 2.0, 4.0, 4.0]
    down = leaf({"type": "proportional", "figure": "f", "zero_at": 10, "full_at": 0})
    assert [rule_score(down, "d", v) for v in (0, 5, 10, 20)] == [4.0, 2.0, 0.0, 0.0]
    exact = leaf({"type": "pass_fail", "figure": "f", "op": "=", "value": 100}, points=3)
    assert [rule_score(exact, "d", v) for v in (100, 99.99, "100.00")] == [3.0, 0.0, 3.0]


def test_a_figure_without_a_value_or_a_judgement_leaves_the_score_to_the_assessor() -> None:
    assert rule_score(leaf({"type": "pass_fail", "figure": "f", "value": 100}), "d", None) is None
    assert rule_score(leaf({"type": "judgement"}), "d", 100) is None


def test_a_bad_rule_is_refused_naming_each_field() -> None:
    with pytest.raises(DomainError) as e:
        leaf({"type": "threshold", "figure": "", "steps": [{"min": 1, "max": 2, "points": 1}, {"min": 1, "points": 9}]})
    assert [x.field for x in e.value.errors] == [
        "indicators[0].rule.figure", "indicators[0].rule.steps[0]", "indicators[0].rule.steps[1].points"
    ]  # fmt: skip
    with pytest.raises(DomainError) as e:
        leaf({"type": "guess"})
    assert [x.field for x in e.value.errors] == ["indicators[0].rule.type"]


def test_a_hostile_definition_is_refused_field_by_field_without_a_traceback() -> None:
    hostile = {
        "name": ["x"],
        "categories": {"d": "部门"},
        "indicators": [
            "not an object",
            {"code": 7, "name": "数字编号"},
            {"code": "1", "name": "甲", "parent": ["1"], "points": "many"},
            {"code": "2", "name": "乙", "points": 1, "applies_to": [{"d": 1}], "rule": {"type": ["threshold"]}},
            {"code": "3", "name": "丙", "points": 1e308, "rule": {"type": "pass_fail", "figure": "f", "op": [">="]}},
        ],
    }
    with pytest.raises(DomainError) as e:
        parse_system(hostile)
    assert {x.field for x in e.value.errors} == {
        "name", "indicators[0]", "indicators[1].code", "indicators[2].parent", "indicators[2].points",
        "indicators[3].applies_to",
        "indicators[3].rule.type", "indicators[4].points", "indicators[4].rule.op", "indicators[4].rule.value",
    }  # fmt: skip
