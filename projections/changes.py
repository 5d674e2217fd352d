"""Events recorded after a point of the log (a seal's size) that touch a unit's year or the year before:
what `taizhang diff` lists as changed since a seal."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb


@dataclass(frozen=True)
class Change:
    pos: int
    etype: str
    recorded_at: str  # the instant, ISO 8601 in UTC to the second (edges print it in the ledger's zone)
    recorded_by: str
    unit: str
    ref: str
    reason: str | None


def changes_since(con: duckdb.DuckDBPyConnection, tz: str, size: int, units: list[str], year: int) -> list[Change]:
    rows = con.execute(
        "SELECT e.pos, e.etype, strftime(timezone(?, e.recorded_at), '%Y-%m-%dT%H:%M:%S+00:00'), e.recorded_by,"
        " a.unit, a.ref, e.reason FROM events e"
        " JOIN act a ON a.oid = e.oid WHERE e.pos > ? AND a.unit IN (SELECT unnest(?))"
        " AND (year(a.date) IN (?, ?) OR year(e.date) IN (?, ?)) ORDER BY e.pos",
        ['UTC', size, units, year, year - 1, year, year - 1],
    ).fetchall()
    return [Change(*row) for row in rows]
