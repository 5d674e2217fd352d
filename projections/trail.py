"""Read-only lists for the audit and dashboard pages: late entries, corrections and voids, recent entries."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import duckdb

from domain.catalogue import KINDS
from domain.deadlines import LATE_ENTRY_DAYS

from .report import scope


def _rows(cur: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Rows as dicts; instants are selected as `epoch_us(...) AS recorded_at` and come back as UTC datetimes."""
    names = [d[0] for d in cur.description or []]
    rows = [dict(zip(names, values, strict=True)) for values in cur.fetchall()]
    for r in rows:
        if r.get("recorded_at") is not None:
            r["recorded_at"] = datetime.fromtimestamp(r["recorded_at"] / 1e6, UTC)
    return rows


def late_entries(
    con: duckdb.DuckDBPyConnection, unit: str, year: int | None, tz: str, limit: int = 200
) -> list[dict[str, Any]]:
    """Live activities of the unit and its descendants first recorded more than LATE_ENTRY_DAYS after their date."""
    units = scope(con, unit, None).units
    rows = _rows(
        con.execute(
            f"""SELECT unit, ref, kind, date, epoch_us(first_recorded_at) AS recorded_at,
                   CAST(timezone('{tz}', first_recorded_at) AS DATE) - date AS days
            FROM act WHERE NOT voided AND unit IN (SELECT unnest($units))
              AND CAST(timezone('{tz}', first_recorded_at) AS DATE) - date > {LATE_ENTRY_DAYS}
              AND ($year IS NULL OR year(date) = $year)
            ORDER BY first_recorded_at DESC, unit, ref LIMIT $limit""",
            {"units": units, "year": year, "limit": limit},
        )
    )
    for r in rows:
        r["kind_label"] = KINDS[r["kind"]].label
    return rows


def amendments(con: duckdb.DuckDBPyConnection, unit: str, year: int | None, limit: int = 200) -> list[dict[str, Any]]:
    """Corrections and voids (of activities and of steps) on the unit's activities, newest first."""
    units = scope(con, unit, None).units
    return _rows(
        con.execute(
            """SELECT e.etype, a.unit, a.ref, a.kind, a.date, epoch_us(e.recorded_at) AS recorded_at,
                   e.recorded_by, e.reason, e.target
            FROM events e JOIN act a ON a.oid = e.oid
            WHERE e.etype IN ('correct', 'void', 'void_step') AND a.unit IN (SELECT unnest($units))
              AND ($year IS NULL OR year(a.date) = $year)
            ORDER BY e.pos DESC LIMIT $limit""",
            {"units": units, "year": year, "limit": limit},
        )
    )


def recent(con: duckdb.DuckDBPyConnection, unit: str, limit: int = 10) -> list[dict[str, Any]]:
    """The activities most recently entered (by when first recorded) in the unit and its descendants."""
    units = scope(con, unit, None).units
    rows = _rows(
        con.execute(
            """SELECT unit, ref, kind, date, voided, epoch_us(first_recorded_at) AS recorded_at FROM act
            WHERE unit IN (SELECT unnest($units)) ORDER BY first_recorded_at DESC, ref LIMIT $limit""",
            {"units": units, "limit": limit},
        )
    )
    for r in rows:
        r["kind_label"] = KINDS[r["kind"]].label
    return rows
