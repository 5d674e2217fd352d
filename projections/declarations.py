"""What the figures page and the JSON API show of the figures a unit declares (DOMAIN.md §8): every version of
every declaration made on a unit, the declarations that apply to it (its own and those inherited from an
ancestor, §8.6), and the value an unsaved definition would have, computed the way a report computes a
declared figure (the same compiled SQL, `declared.compile_figure`), so the preview is the number the report
will show once the line is saved.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb

from domain.definition import Definition

from . import declared
from .evaluate import evaluate, rows
from .report import day_of, materialize, money, rate, scope


@dataclass(frozen=True)
class Version:
    """One `figure` line of a declaration: what it said (its `data` as given), or that it retired the code."""

    line: str
    recorded_at: datetime
    by: str
    retired: bool
    data: dict[str, Any]


@dataclass(frozen=True)
class DeclarationHistory:
    """Every version of code `code` declared on `unit`, oldest first; `live` when the latest is not a retire."""

    unit: str
    code: str
    versions: tuple[Version, ...]

    @property
    def live(self) -> bool:
        return not self.versions[-1].retired

    @property
    def current(self) -> dict[str, Any]:
        """The latest definition given (a retired declaration keeps the one it had, to declare it again)."""
        return next((v.data for v in reversed(self.versions) if not v.retired), {})


@dataclass(frozen=True)
class Preview:
    """The value a definition gives for a unit (and its descendants) and year, with the year before and how
    many activities lie behind it: the report's shapes (an int, a money string, a rate or None)."""

    value: int | float | str | None
    previous: int | float | str | None
    sources: list[str]


def histories(con: duckdb.DuckDBPyConnection, unit: str) -> list[DeclarationHistory]:
    """Every declaration ever made on `unit`, by code, each with all its versions (§8.5: none is ever lost)."""
    found = con.execute(
        """SELECT n.code, d.line_id, d.recorded_at, d.recorded_by, d.retired, d.data FROM decl d
           JOIN (SELECT oid, code FROM decl WHERE unit = $unit) n USING (oid)
           ORDER BY n.code, d.pos""",
        {"unit": unit},
    ).fetchall()
    by_code: dict[str, list[Version]] = {}
    for code, line, at, by, retired, data in found:
        by_code.setdefault(code, []).append(Version(line, at, by, bool(retired), json.loads(data) if data else {}))
    return [DeclarationHistory(unit, code, tuple(v)) for code, v in by_code.items()]


def applying(con: duckdb.DuckDBPyConnection, unit: str) -> dict[str, declared.Declaration]:
    """code -> the live declaration a report of `unit` uses now: its own, else the nearest ancestor's (§8.6)."""
    return declared.applicable(declared.live(con, None), list(scope(con, unit, None).chain))


def preview(con: duckdb.DuckDBPyConnection, definition: Definition, unit: str, year: int, tz: str) -> Preview:
    """The value `definition` would have in the report of `unit` for `year`, over the ledger as it is now."""
    sc = scope(con, unit, None)
    materialize(con, None, sc.units)
    figure = declared.compile_figure(definition, "@preview")
    day = day_of(datetime.now(UTC), tz)
    totals = evaluate(con, f"({rows((figure,), tz, day)})", year, sc.unit)

    def value(y: int) -> int | float | str | None:
        num, den, _ = totals.get((figure.id, y), (0, 0, []))
        if figure.rate:
            return rate(num or 0, den or 0)
        if figure.money:
            return money(int(num or 0))
        return int(num or 0)

    return Preview(value(year), value(year - 1), list(totals.get((figure.id, year), (0, 0, []))[2]))
