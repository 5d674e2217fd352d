"""Assessment (法治建设考核): indicator systems as data, and each assessed unit's score sheet as events.

An `IndicatorSystem` is defined by a superior unit for a year: tiered indicators (一级/二级/三级, the level is
the depth under `parent`), the unit categories (e.g. 区级部门, 街镇) and, on each leaf, its points (分值) —
one number, or per category — and the categories it applies to. A parent's points are the sum of its
applicable children's, so the points are the weights and a category's full score is the sum of its leaves.

A leaf is scored by a rule from a figure of the year's report (projections/figures.py, or a declared `local.`
one) or the rectification figures, or by the assessor's judgement, which needs a reason:

  {"type": "judgement"}
  {"type": "threshold", "figure": F, "steps": [{"min": 100, "points": 3}, {"min": 90, "points": 2}],
   "otherwise": 0}              first step met wins ("min": value ≥ min, "max": value ≤ max)
  {"type": "proportional", "figure": F, "zero_at": 0, "full_at": 100}   linear, clamped (full_at < zero_at:
                                 lower is better)
  {"type": "pass_fail", "figure": F, "op": ">=", "value": 100}          full points or none

Step points are in the leaf's own `points`; for a category with other points they scale in proportion. A
figure without a value (a rate with nothing to count) leaves the rule unable to score: the assessor decides.

A `ScoreSheet` (one per system and unit) records the unit's self-assessment of judgement indicators,
evidence per indicator (an activity, a file, a seal), submission, the assessor's score and comment per
indicator, return for more evidence and the final scores. Rule scores are not stored while the sheet is open:
they follow the figures (a correction of an activity changes them); the final event freezes every score and
figure value the sheet was finalised with, with the digest of the whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from .errors import DomainError, FieldError
from .ids import NAMESPACE
from .validation import text_problem

LEVELS = {1: "一级指标", 2: "二级指标", 3: "三级指标"}
RULES = {"judgement": "评审打分", "threshold": "分档计分", "proportional": "按比例计分", "pass_fail": "达标计分"}
OPS = {">=": lambda v, x: v >= x, "<=": lambda v, x: v <= x, "=": lambda v, x: v == x, ">": lambda v, x: v > x,
       "<": lambda v, x: v < x}  # fmt: skip
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,31}$")
MAX_INDICATORS = 2_000
MAX_POINTS = 1_000

SHEET_STATUSES = {"draft": "自评中", "submitted": "已提交待评审", "returned": "已退回补充材料", "final": "已定分"}


def system_id(owner: str, code: str) -> UUID:
    return uuid5(NAMESPACE, f"assessment-system/{owner}/{code}")


def sheet_id(owner: str, code: str, unit: str) -> UUID:
    return uuid5(NAMESPACE, f"assessment-sheet/{owner}/{code}/{unit}")


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    parent: str | None
    level: int
    points: float | None  # leaves: the default points; parents: None (the sum of their children's)
    by_category: dict[str, float]
    applies_to: tuple[str, ...]  # empty: every category
    rule: dict[str, Any]
    evidence: str  # the evidence (佐证材料) asked for; empty: none asked
    leaf: bool

    def applies(self, category: str) -> bool:
        return not self.applies_to or category in self.applies_to

    def max_for(self, category: str) -> float:
        return float(self.by_category.get(category, self.points or 0))

    @cached_property
    def figure(self) -> str | None:
        return self.rule.get("figure")

    @cached_property
    def judged(self) -> bool:
        return self.rule.get("type", "judgement") == "judgement"


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        try:
            return float(str(value)) if isinstance(value, str) and value.strip() else None
        except ValueError:
            return None
    return float(value)


def _points_ok(value: Any) -> bool:
    n = _number(value)
    return n is not None and 0 <= n <= MAX_POINTS


def _check_rule(rule: Any, where: str, base: float | None) -> list[FieldError]:
    if rule is None:
        return []
    if not isinstance(rule, dict):
        return [FieldError(where, "计分规则：须为对象")]
    kind = rule.get("type", "judgement")
    if not isinstance(kind, str) or kind not in RULES:
        return [
            FieldError(
                f"{where}.type", f"计分方式：未知「{kind}」，可选：{'、'.join(f'{k}（{v}）' for k, v in RULES.items())}"
            )
        ]
    if kind == "judgement":
        return []
    errors = []
    if not isinstance(rule.get("figure"), str) or not rule["figure"]:
        errors.append(
            FieldError(f"{where}.figure", "数据指标：按规则计分须指明所依据的指标（如 litigation.appearance_rate）")
        )
    if kind == "threshold":
        steps = rule.get("steps")
        if not isinstance(steps, list) or not steps:
            errors.append(FieldError(f"{where}.steps", '分档：至少一档，如 [{"min": 100, "points": 3}]'))
        else:
            for i, s in enumerate(steps):
                bound = s.get("min", s.get("max")) if isinstance(s, dict) else None
                if not isinstance(s, dict) or ("min" in s) == ("max" in s) or _number(bound) is None:
                    errors.append(FieldError(f"{where}.steps[{i}]", "分档：每档须有 min 或 max 之一（数值）和 points"))
                elif not _points_ok(s.get("points")) or (base is not None and float(s["points"]) > base):
                    errors.append(
                        FieldError(f"{where}.steps[{i}].points", f"分档得分：须在 0 到本指标分值 {base} 之间")
                    )
        if "otherwise" in rule and not _points_ok(rule["otherwise"]):
            errors.append(FieldError(f"{where}.otherwise", "其余得分：须为 0 到分值之间的数"))
    elif kind == "proportional":
        zero, full = _number(rule.get("zero_at")), _number(rule.get("full_at"))
        if zero is None or full is None or zero == full:
            errors.append(FieldError(f"{where}.full_at", "按比例：须给出不同的 zero_at（得 0 分）和 full_at（得满分）"))
    elif kind == "pass_fail":
        op = rule.get("op", ">=")
        if not isinstance(op, str) or op not in OPS:
            errors.append(FieldError(f"{where}.op", f"比较：须为 {' '.join(OPS)} 之一"))
        if _number(rule.get("value")) is None:
            errors.append(FieldError(f"{where}.value", "达标值：须为数值"))
    return errors


def parse_system(raw: Any) -> tuple[str, dict[str, str], list[Indicator]]:
    """(name, categories, indicators) of a system's definition, or every problem at once (DomainError)."""
    errors: list[FieldError] = []
    if not isinstance(raw, dict):
        raise DomainError.of("system", "指标体系：须为对象")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip() or text_problem(name):
        errors.append(FieldError("name", "名称：不能为空"))
    categories = raw.get("categories")
    if (
        not isinstance(categories, dict)
        or not categories
        or not all(
            isinstance(k, str) and CODE.match(k) and isinstance(v, str) and v.strip() for k, v in categories.items()
        )
    ):
        errors.append(FieldError("categories", '单位类别：至少一类，如 {"department": "区级部门", "town": "街镇"}'))
        categories = {}
    items = raw.get("indicators")
    if not isinstance(items, list) or not items:
        errors.append(FieldError("indicators", "指标：至少一项"))
        items = []
    if len(items) > MAX_INDICATORS:
        errors.append(FieldError("indicators", f"指标：不得超过 {MAX_INDICATORS} 项"))
        items = []
    seen: dict[str, dict[str, Any]] = {}
    for i, item in enumerate(items):
        where = f"indicators[{i}]"
        if not isinstance(item, dict):
            errors.append(FieldError(where, "指标：须为对象"))
            continue
        code = item.get("code")
        if not isinstance(code, str) or not CODE.match(code):
            errors.append(FieldError(f"{where}.code", f"指标编号：须为 1–32 位字母、数字、点或横线，收到「{code}」"))
            continue
        if code in seen:
            errors.append(FieldError(f"{where}.code", f"指标编号：「{code}」重复"))
            continue
        if not isinstance(item.get("name"), str) or not item["name"].strip():
            errors.append(FieldError(f"{where}.name", f"指标名称：「{code}」的名称不能为空"))
        seen[code] = {**item, "_where": where}
    children: dict[str, list[str]] = {}
    for code, item in seen.items():
        parent = item.get("parent")
        if parent is not None and (not isinstance(parent, str) or parent not in seen):
            errors.append(FieldError(f"{item['_where']}.parent", f"上级指标：「{parent}」不在本体系中"))
        elif parent is not None:
            children.setdefault(parent, []).append(code)

    def level(code: str) -> int:
        depth, at = 1, seen[code].get("parent")
        while isinstance(at, str) and at in seen and depth <= 4:
            depth, at = depth + 1, seen[at].get("parent")
        return depth

    out: list[Indicator] = []
    for code, item in seen.items():
        where, lv, leaf = item["_where"], level(code), code not in children
        if lv > 3:
            errors.append(FieldError(f"{where}.parent", f"层级：「{code}」超过三级（或上级指标形成循环）"))
            continue
        applies = item.get("applies_to") or []
        unknown = (
            [c for c in applies if not isinstance(c, str) or c not in categories]
            if isinstance(applies, list)
            else ["?"]
        )
        if unknown:
            errors.append(FieldError(f"{where}.applies_to", f"适用类别：未知类别「{'」「'.join(map(str, unknown))}」"))
        points = item.get("points")
        by_category = item.get("points_by_category") or {}
        if leaf:
            if not _points_ok(points) or _number(points) == 0:
                errors.append(
                    FieldError(f"{where}.points", f"分值：末级指标「{code}」须有 0 到 {MAX_POINTS} 之间的分值")
                )
            if not isinstance(by_category, dict) or any(
                c not in categories or not _points_ok(p) for c, p in by_category.items()
            ):
                errors.append(FieldError(f"{where}.points_by_category", "分类分值：类别须在体系中，分值为非负数"))
                by_category = {}
        elif points is not None or item.get("rule") is not None:
            errors.append(
                FieldError(f"{where}.points", f"分值：「{code}」有下级指标，分值为下级之和，不能另给分值或计分规则")
            )
        base = _number(points) if leaf else None
        errors += _check_rule(item.get("rule"), f"{where}.rule", base)
        evidence = item.get("evidence") or ""
        if not isinstance(evidence, str) or text_problem(evidence):
            errors.append(FieldError(f"{where}.evidence", "佐证材料要求：须为文本"))
            evidence = ""
        if errors:
            continue
        out.append(
            Indicator(
                code,
                item["name"].strip(),
                item.get("parent"),
                lv,
                float(points) if leaf else None,
                {c: float(p) for c, p in by_category.items()},
                tuple(applies),
                dict(item.get("rule") or {"type": "judgement"}),
                evidence.strip(),
                leaf,
            )
        )
    if errors:
        raise DomainError(*errors)
    return name.strip(), dict(categories), out


def rule_score(ind: Indicator, category: str, value: Any) -> float | None:
    """What the rule gives the leaf for a category from the figure's value; None when it cannot score."""
    if ind.judged:
        return None
    v = _number(value)
    if v is None:
        return None
    top, base = ind.max_for(category), ind.points or 0
    scale = top / base if base else 0
    rule = ind.rule
    if rule["type"] == "pass_fail":
        got = top if OPS[rule.get("op", ">=")](v, float(rule["value"])) else 0.0
    elif rule["type"] == "proportional":
        zero, full = float(rule["zero_at"]), float(rule["full_at"])
        got = top * min(1.0, max(0.0, (v - zero) / (full - zero)))
    else:
        got = float(rule.get("otherwise", 0)) * scale
        for s in rule["steps"]:
            if ("min" in s and v >= float(s["min"])) or ("max" in s and v <= float(s["max"])):
                got = float(s["points"]) * scale
                break
    return round(got, 2)


class IndicatorSystem(Aggregate):
    """A superior unit's indicator system for one year, and the units it assesses with their categories."""

    @event("Defined")
    def __init__(self, owner: str, code: str, year: int, definition: dict[str, Any], recorded_by: str) -> None:
        self.owner = owner
        self.code = code
        self.year = year
        self.definition = definition
        self.assessed: dict[str, str] = {}  # unit -> category

    @staticmethod
    def create_id(owner: str, code: str) -> UUID:
        return system_id(owner, code)

    @event("Revised")
    def revise(self, definition: dict[str, Any], recorded_by: str, reason: str) -> None:
        self.definition = definition

    @event("UnitsAssigned")
    def assign(self, units: dict[str, str], recorded_by: str, reason: str) -> None:
        self.assessed = {**self.assessed, **units}

    @property
    def parsed(self) -> tuple[str, dict[str, str], list[Indicator]]:
        cached = getattr(self, "_parsed", None)
        if cached is None or cached[0] is not self.definition:
            cached = (self.definition, parse_system(self.definition))
            self._parsed = cached
        return cached[1]


@dataclass
class Entry:
    """One indicator's line of a sheet: the unit's claim, the assessor's score, the evidence given."""

    self_score: float | None = None
    self_note: str = ""
    score: float | None = None  # the assessor's
    comment: str = ""
    evidence: dict[str, dict[str, str]] = field(default_factory=dict)
    wanted: str = ""  # what the assessor asked for when returning the sheet


class ScoreSheet(Aggregate):
    @event("Opened")
    def __init__(self, owner: str, code: str, unit: str, recorded_by: str) -> None:
        self.owner = owner
        self.code = code
        self.unit = unit
        self.status = "draft"
        self.entries: dict[str, Entry] = {}
        self.submissions = 0
        self.returns = 0
        self.final: dict[str, Any] | None = None

    @staticmethod
    def create_id(owner: str, code: str, unit: str) -> UUID:
        return sheet_id(owner, code, unit)

    def entry(self, indicator: str) -> Entry:
        return self.entries.get(indicator) or Entry()

    def _put(self, indicator: str, **changes: Any) -> None:
        current = self.entry(indicator)
        self.entries = {**self.entries, indicator: Entry(**{**current.__dict__, **changes})}

    def _unit_may_edit(self) -> None:
        if self.status not in ("draft", "returned"):
            raise DomainError.of("status", f"状态：评分表{SHEET_STATUSES[self.status]}，单位不能再修改")

    def self_assess(self, indicator: str, score: float | None, note: str, recorded_by: str) -> None:
        self._unit_may_edit()
        self._self_scored(indicator, score, note, recorded_by)

    @event("SelfScored")
    def _self_scored(self, indicator: str, score: float | None, note: str, recorded_by: str) -> None:
        self._put(indicator, self_score=score, self_note=note)

    def add_evidence(self, indicator: str, what: str, target: str, label: str, recorded_by: str) -> None:
        self._unit_may_edit()
        if target in self.entry(indicator).evidence:
            raise DomainError.of("evidence", f"佐证材料：「{label}」已是指标「{indicator}」的佐证材料")
        self._evidenced(indicator, what, target, label, recorded_by)

    @event("EvidenceAdded")
    def _evidenced(self, indicator: str, what: str, target: str, label: str, recorded_by: str) -> None:
        evidence = {**self.entry(indicator).evidence, target: {"what": what, "target": target, "label": label}}
        self._put(indicator, evidence=evidence)

    def submit(self, recorded_by: str, missing: list[str]) -> None:
        self._unit_may_edit()
        if missing:
            raise DomainError(
                *(FieldError(f"evidence.{c}", f"佐证材料：指标「{c}」要求的佐证材料尚未提供") for c in missing)
            )
        self._submitted(recorded_by)

    @event("Submitted")
    def _submitted(self, recorded_by: str) -> None:
        self.status = "submitted"
        self.submissions += 1

    def _assessor_may_edit(self) -> None:
        if self.status != "submitted":
            raise DomainError.of("status", f"状态：评分表{SHEET_STATUSES[self.status]}，须单位提交后才能评审")

    def assess(self, indicator: str, score: float | None, comment: str, recorded_by: str) -> None:
        self._assessor_may_edit()
        self._assessed(indicator, score, comment, recorded_by)

    @event("Assessed")
    def _assessed(self, indicator: str, score: float | None, comment: str, recorded_by: str) -> None:
        self._put(indicator, score=score, comment=comment)

    def send_back(self, wanted: dict[str, str], reason: str, recorded_by: str) -> None:
        self._assessor_may_edit()
        if not reason.strip():
            raise DomainError.of("reason", "退回原因：不能为空")
        self._returned(wanted, recorded_by, reason.strip())

    @event("Returned")
    def _returned(self, wanted: dict[str, str], recorded_by: str, reason: str) -> None:
        self.status = "returned"
        self.returns += 1
        for code, what in wanted.items():
            self._put(code, wanted=what)

    def finalise(self, final: dict[str, Any], recorded_by: str, reason: str) -> None:
        self._assessor_may_edit()
        self._finalised(final, recorded_by, reason)

    @event("Finalised")
    def _finalised(self, final: dict[str, Any], recorded_by: str, reason: str) -> None:
        self.status = "final"
        self.final = final
