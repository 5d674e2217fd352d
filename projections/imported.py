"""Figures of units on their own servers, rolled up from the report packages their superior imported.

A package carries, for every built-in figure, its numerator and denominator for the report year and the year
before (domain/package.py; checked by projections/packages.py when imported). The read model projects the
import events into `remote_units` and `pkg`; a report of a local unit adds, for each remote unit placed under
a unit it covers, the parts of that unit's latest package for the year (the one with the largest log size,
imported by the report's instant). Rates are then recomputed from the summed parts, exactly as for the units
of the ledger itself, and the package's sources are listed as `unit/ref`.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Protocol

import duckdb

from domain.definition import Definition, parse
from domain.errors import DomainError


class Declaration(Protocol):
    """What a roll-up needs of a declaration (projections/declared.py, which imports the schema that imports
    this module: named here by shape, not imported)."""

    @property
    def fid(self) -> str: ...

    @property
    def definition(self) -> Definition: ...

Totals = dict[tuple[str, int], tuple[int, int, list[str]]]

_PINNED = "domain.package:RemoteUnit.Pinned"
_IMPORTED = "domain.package:RemoteUnit.PackageImported"

DDL = [
    "CREATE TABLE IF NOT EXISTS remote_units (oid VARCHAR, unit VARCHAR, parent VARCHAR, name VARCHAR)",
    """CREATE TABLE IF NOT EXISTS pkg (
        pos BIGINT, oid VARCHAR, recorded_at TIMESTAMPTZ, year INTEGER, size BIGINT, parts VARCHAR, figures VARCHAR,
        declared VARCHAR)""",
]

# Run by ingest.catch_up on each batch of stored events (pos, oid, version, topic, state), like declarations.
INSERTS = [
    f"""INSERT INTO remote_units
        SELECT oid, json_extract_string(state, '$.unit'), json_extract_string(state, '$.parent'),
               json_extract_string(state, '$.name')
        FROM batch WHERE topic = '{_PINNED}'""",
    f"""INSERT INTO pkg
        SELECT pos, oid, json_extract_string(state, '$.timestamp._data_')::TIMESTAMPTZ,
               json_extract(state, '$.year')::INTEGER, json_extract(state, '$.size')::BIGINT,
               json_extract(state, '$.parts')::VARCHAR, json_extract(state, '$.report.figures')::VARCHAR,
               json_extract(state, '$.declared')::VARCHAR
        FROM batch WHERE topic = '{_IMPORTED}'""",
]


def _latest(con: duckdb.DuckDBPyConnection, units: list[str], year: int, as_of: datetime | None) -> list[tuple]:
    """(unit, name, parts JSON, figures JSON, declared JSON) of the latest package for the year of each remote
    unit placed under one of `units`, imported by `as_of`."""
    if not con.execute("SELECT count(*) FROM pkg").fetchall()[0][0]:
        return []
    return con.execute(
        """SELECT r.unit, r.name, p.parts, p.figures, p.declared FROM pkg p JOIN remote_units r USING (oid)
           WHERE list_contains($units, r.parent) AND p.year = $year
             AND ($as_of::TIMESTAMPTZ IS NULL OR p.recorded_at <= $as_of::TIMESTAMPTZ)
           QUALIFY row_number() OVER (PARTITION BY p.oid ORDER BY p.size DESC, p.pos DESC) = 1
           ORDER BY r.unit""",
        {"units": units, "year": year, "as_of": as_of},
    ).fetchall()


def children(
    con: duckdb.DuckDBPyConnection, unit: str, year: int, as_of: datetime | None
) -> list[tuple[str, str, dict[str, Any]]]:
    """(code, name, sealed figures) of each remote unit directly under `unit`: its row in a roll-up breakdown."""
    found = _latest(con, [unit], year, as_of)
    return [(code, name, json.loads(figures or "{}")) for code, name, _, figures, _ in found]


def add_imported(
    con: duckdb.DuckDBPyConnection,
    units: list[str],
    year: int,
    as_of: datetime | None,
    totals: Totals,
    declarations: dict[str, Declaration] | None = None,
) -> Totals:
    """`totals` (of a report over `units`) with the parts of the remote units placed under them: of every
    built-in figure, and of each declared figure of the report (`declarations`: code -> the declaration it uses)
    whose package carries the parts of a definition that counts the same (`same_definition`)."""
    found = _latest(con, units, year, as_of)
    if not found:
        return totals
    out = dict(totals)

    def add(fid: str, code: str, remote: str, figures: dict[str, Any], parts: list[int]) -> None:
        num, den, prev_num, prev_den = parts
        n, d, sources = out.get((fid, year), (0, 0, []))
        theirs = [f"{remote}/{s}" for s in figures.get(code, {}).get("sources", [])]
        out[(fid, year)] = (n + num, d + den, sorted([*sources, *theirs]) if theirs else sources)
        pn, pd, _ = out.get((fid, year - 1), (0, 0, []))
        out[(fid, year - 1)] = (pn + prev_num, pd + prev_den, [])

    for remote, _, parts_json, figures_json, declared_json in found:
        parts: dict[str, list[int]] = json.loads(parts_json)
        figures = json.loads(figures_json or "{}")
        for fid, four in parts.items():
            add(fid, fid, remote, figures, four)
        for code, entry in (json.loads(declared_json or "null") or {}).items() if declarations else ():
            ours = declarations.get(code) if declarations else None
            if ours is not None and same_definition(entry.get("data"), ours.definition):
                add(ours.fid, code, remote, figures, entry["parts"])
    return out


def same_definition(theirs: Any, ours: Definition) -> bool:
    """Whether a package's definition of a declared figure counts what ours counts (domain/definition.py
    `Definition.counted`); a definition that does not parse here (another version's) is not the same."""
    try:
        parsed = parse(theirs)
    except DomainError:
        return False
    return isinstance(parsed, Definition) and parsed.code == ours.code and parsed.counted() == ours.counted()


def received(con: duckdb.DuckDBPyConnection, year: int) -> list[tuple[str, str, str, datetime | None, datetime | None]]:
    """(unit, name, parent, first received, last received) of every remote unit, its packages of `year` only:
    the superior's progress list (报送进度) shows a unit on its own server as submitted once one arrived."""
    return con.execute(
        """SELECT r.unit, r.name, r.parent, min(p.recorded_at), max(p.recorded_at)
           FROM remote_units r LEFT JOIN pkg p ON p.oid = r.oid AND p.year = $year
           GROUP BY r.unit, r.name, r.parent ORDER BY r.unit""",
        {"year": year},
    ).fetchall()
