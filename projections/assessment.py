"""Score sheets: an indicator system's leaves scored for each assessed unit from the figures as of an instant.

`figure_values` reads the figures the rules name for many units at once: one grouped scan of the same rows a
report sums (`contrib` and the dated figures' rows now; the as-of rows of projections/report.py at an
instant), over the assessing unit's whole subtree, then rolled up per assessed unit and its descendants —
the values `report` gives each unit, without a report per unit (500 units: one scan, bench/assessment.py).
Only built-in figures are read here; the rectification figures come from projections/rectification.py.

`score_sheet` is pure: the system, the sheet's events folded (or none yet), the values; it gives every line
with the rule's score, the unit's and the assessor's, the evidence, and the totals per indicator.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb
import orjson

from domain.assessment import SHEET_STATUSES, Indicator, ScoreSheet, rule_score

from .evaluate import rows
from .figures import BY_ID, DATED
from .report import _as_of_source, _value, day_of, in_scope, materialize, scope


def figure_values(
    con: duckdb.DuckDBPyConnection,
    owner: str,
    units: list[str],
    figures: set[str],
    year: int,
    as_of: datetime | None,
    tz: str,
) -> dict[str, dict[str, Any]]:
    """unit -> figure id -> the value its report (with its descendants) has for `year`, as of `as_of`."""
    wanted = sorted(f for f in figures if f in BY_ID)
    if not wanted or not units:
        return {u: {} for u in units}
    sc = scope(con, owner, as_of)
    materialize(con, as_of, sc.units)
    day = day_of(as_of or datetime.now(UTC), tz)
    if as_of is None:
        source = f"SELECT * FROM contrib WHERE {in_scope(sc.units)} UNION ALL {rows(DATED, tz, day)}"
    else:
        source = _as_of_source(con, as_of, sc, (), tz, day)
    listed = ", ".join(f"'{f}'" for f in wanted)
    sums = con.execute(
        f"SELECT unit, fid, sum(num), sum(den) FROM ({source}) WHERE fid IN ({listed})"
        " AND yr_from <= $y AND $y <= yr_to GROUP BY unit, fid",
        {"y": year},
    ).fetchall()
    by_unit: dict[str, dict[str, tuple[int, int]]] = {}
    for unit, fid, num, den in sums:
        by_unit.setdefault(unit, {})[fid] = (num or 0, den or 0)
    children: dict[str, list[str]] = {}
    table = "units" if as_of is None else None
    unit_rows = (
        con.execute(f"SELECT code, parent FROM {table}").fetchall()
        if table
        else [(c, p) for c, p in _units_as_of(con, as_of)]
    )
    for code, parent in unit_rows:
        if parent:
            children.setdefault(parent, []).append(code)
    out: dict[str, dict[str, Any]] = {}
    for unit in units:
        total: dict[str, list[int]] = {f: [0, 0] for f in wanted}
        queue, seen = [unit], set()
        while queue:
            code = queue.pop()
            if code in seen:
                continue
            seen.add(code)
            queue.extend(children.get(code, []))
            for fid, (num, den) in by_unit.get(code, {}).items():
                total[fid][0] += num
                total[fid][1] += den
        out[unit] = {fid: _value(BY_ID[fid], (num, den, [])) for fid, (num, den) in total.items()}
    return out


def _units_as_of(con: duckdb.DuckDBPyConnection, as_of: datetime | None) -> list[tuple[str, str | None]]:
    from .report import _asof_filter
    from .state import unit_fold

    return con.execute(f"SELECT code, parent FROM ({unit_fold(_asof_filter(as_of))})").fetchall()


@dataclass(slots=True)
class SheetLine:
    code: str
    name: str
    level: int
    parent: str | None
    leaf: bool
    max: float
    rule: str  # the rule's type
    figure: str | None
    value: Any  # the figure's value the rule read
    rule_score: float | None
    self_score: float | None  # the unit's claim (judgement leaves) or the rule's score
    score: float | None  # the assessor's, when given
    comment: str
    final: float | None  # the assessor's score, else the rule's; a parent's: the sum of its children's
    evidence: list[dict[str, str]] = field(default_factory=list)
    evidence_asked: str = ""
    wanted: str = ""
    missing_evidence: bool = False

    def to_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Sheet:
    system: str
    owner: str
    year: int
    unit: str
    category: str
    status: str
    lines: list[SheetLine]
    total: float  # the sum of the leaves' final scores (missing ones count 0)
    self_total: float
    max_total: float
    scored: int  # leaves with a final score
    leaves: int
    submissions: int
    returns: int
    digest: str | None = None  # of a final sheet: what it was finalised with

    @property
    def complete(self) -> bool:
        return self.scored == self.leaves

    def to_json(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k != "lines"}
        out["status_label"] = SHEET_STATUSES[self.status]
        out["complete"] = self.complete
        out["lines"] = [line.to_json() for line in self.lines]
        return out


_PLANS: dict[tuple[int, str], tuple[list[Indicator], list[Indicator], list[tuple[Indicator, float, str]]]] = {}


def plan(indicators: list[Indicator], category: str) -> tuple[list[Indicator], list[tuple[Indicator, float, str]]]:
    """The indicators applying to a category and its leaves with their points and rule type, worked out once
    per list of indicators (a table scores hundreds of units of the same categories)."""
    key = (id(indicators), category)
    found = _PLANS.get(key)
    if found is None or found[0] is not indicators:  # an id reused by another list is recomputed
        applicable = [i for i in indicators if i.applies(category)]
        leaves = [(i, i.max_for(category), i.rule.get("type", "judgement")) for i in applicable if i.leaf]
        found = (indicators, applicable, leaves)
        if len(_PLANS) > 64:
            _PLANS.clear()
        _PLANS[key] = found
    return found[1], found[2]


def score_sheet(
    system_code: str,
    owner: str,
    year: int,
    indicators: list[Indicator],
    unit: str,
    category: str,
    sheet: ScoreSheet | None,
    values: dict[str, Any],
) -> Sheet:
    """The sheet of one unit: frozen scores when final, else the rules over `values` and the entries."""
    frozen = sheet.final if sheet is not None and sheet.status == "final" else None
    applicable, leaves = plan(indicators, category)
    lines: dict[str, SheetLine] = {}
    entries = sheet.entries if sheet is not None else {}
    for ind, top, kind in leaves:
        entry = entries.get(ind.code)
        if frozen is not None:
            value = frozen["values"].get(ind.code)
            by_rule = frozen["rule_scores"].get(ind.code)
            final = frozen["scores"].get(ind.code)
        else:
            value = values.get(ind.figure) if ind.figure else None
            by_rule = rule_score(ind, category, value) if value is not None else None
            final = entry.score if entry is not None and entry.score is not None else by_rule
        if entry is None:
            lines[ind.code] = SheetLine(
                ind.code, ind.name, ind.level, ind.parent, True, top, kind, ind.figure, value, by_rule,
                None if ind.judged else by_rule, None, "", final, [], ind.evidence, "", bool(ind.evidence),
            )  # fmt: skip
            continue
        evidence = list(entry.evidence.values())
        lines[ind.code] = SheetLine(
            ind.code, ind.name, ind.level, ind.parent, True, top, kind, ind.figure, value, by_rule,
            entry.self_score if ind.judged else by_rule, entry.score, entry.comment, final, evidence, ind.evidence,
            entry.wanted, bool(ind.evidence) and not evidence,
        )  # fmt: skip
    # Parents, deepest first: the sums of their applicable children.
    children: dict[str, list[SheetLine]] = {}
    for line in lines.values():
        children.setdefault(line.parent or "", []).append(line)
    for ind in sorted((i for i in applicable if not i.leaf), key=lambda i: -i.level):
        kids = children.get(ind.code, [])
        if not kids:
            continue
        finals = [k.final for k in kids]
        selfs = [k.self_score for k in kids]
        lines[ind.code] = SheetLine(
            ind.code, ind.name, ind.level, ind.parent, False, round(sum(k.max for k in kids), 2), "", None, None,
            None, round(sum(s or 0 for s in selfs), 2), None, "",
            round(sum(f or 0 for f in finals), 2) if any(f is not None for f in finals) else None,
            missing_evidence=any(k.missing_evidence for k in kids),
        )  # fmt: skip
        children.setdefault(ind.parent or "", []).append(lines[ind.code])
    ordered = [lines[i.code] for i in indicators if i.code in lines]
    leaf_lines = [line for line in ordered if line.leaf]
    return Sheet(
        system_code,
        owner,
        year,
        unit,
        category,
        sheet.status if sheet is not None else "draft",
        ordered,
        round(sum(line.final or 0 for line in leaf_lines), 2),
        round(sum(line.self_score or 0 for line in leaf_lines), 2),
        round(sum(line.max for line in leaf_lines), 2),
        sum(line.final is not None for line in leaf_lines),
        len(leaf_lines),
        sheet.submissions if sheet is not None else 0,
        sheet.returns if sheet is not None else 0,
        frozen.get("digest") if frozen is not None else None,
    )


def frozen_scores(sheet: Sheet) -> dict[str, Any]:
    """What the final event keeps: every leaf's value, rule score and final score, the total, and its digest."""
    leaves = [line for line in sheet.lines if line.leaf]
    body = {
        "values": {line.code: line.value for line in leaves},
        "rule_scores": {line.code: line.rule_score for line in leaves},
        "scores": {line.code: line.final for line in leaves},
        "total": sheet.total,
    }
    body["digest"] = hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()
    return body


@dataclass(frozen=True)
class Ranked:
    unit: str
    category: str
    total: float
    rank: int  # within the category; equal totals share a rank (1, 2, 2, 4)
    status: str


def ranking(sheets: list[Sheet]) -> dict[str, list[Ranked]]:
    """category -> the units by total score, highest first."""
    out: dict[str, list[Ranked]] = {}
    for category in sorted({s.category for s in sheets}):
        mine = sorted((s for s in sheets if s.category == category), key=lambda s: (-s.total, s.unit))
        ranked, previous, rank = [], None, 0
        for n, s in enumerate(mine, 1):
            if s.total != previous:
                rank, previous = n, s.total
            ranked.append(Ranked(s.unit, category, s.total, rank, s.status))
        out[category] = ranked
    return out
