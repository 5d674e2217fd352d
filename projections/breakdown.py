"""Roll-up breakdown: for a parent unit, its key figures per direct child (each with its own descendants)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

from . import imported
from .figures import BREAKDOWN
from .report import _asof_filter, compute
from .report_model import Report
from .state import unit_fold

KEY_FIGURES = BREAKDOWN  # the figures a breakdown table shows, in order (declared in figures.py)


@dataclass(frozen=True)
class BreakdownRow:
    unit: str
    name: str
    values: dict[str, Any]  # figure id -> value
    own: bool = False  # the parent's own activities (本级)


def breakdown(
    con: duckdb.DuckDBPyConnection, report: Report | dict[str, Any], as_of: datetime | None, tz: str
) -> list[BreakdownRow]:
    """One row per direct child (rolled up), plus the parent's own activities when it has any; [] if no children.
    `report` is the parent's report, typed or as its JSON (the documents read the JSON)."""
    typed = report if isinstance(report, Report) else Report.from_json(report)
    unit, year = typed.unit, typed.year
    parents = _parents(con, as_of)
    children = [u for u in typed.units if parents.get(u) == unit]
    remote = imported.children(con, unit, year, as_of)  # units on their own servers, from their packages
    if not children and not remote:
        return []
    rows: list[BreakdownRow] = []
    own = compute(con, unit, year, as_of, tz, typed.log, self_only=True)
    if any(f.sources for f in own.figures.values()):
        rows.append(BreakdownRow(unit, own.unit_name, _values(own), own=True))
    for child in sorted(children):
        data = compute(con, child, year, as_of, tz, typed.log)
        rows.append(BreakdownRow(child, data.unit_name, _values(data)))
    for code, name, figures in remote:
        rows.append(BreakdownRow(code, name, {fid: figures.get(fid, {}).get("value") for fid in KEY_FIGURES}))
    return rows


def _values(report: Report) -> dict[str, Any]:
    return {fid: report.figures[fid].value for fid in KEY_FIGURES}


def _parents(con: duckdb.DuckDBPyConnection, as_of: datetime | None) -> dict[str, str | None]:
    table = "units" if as_of is None else f"({unit_fold(_asof_filter(as_of))})"
    return {code: parent for code, parent in con.execute(f"SELECT code, parent FROM {table}").fetchall()}
