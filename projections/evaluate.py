"""Turning the figure declarations into SQL over the relations A, AV and S, and evaluating them.

Simple parts (a filter over one relation, local to one activity and one year) are precomputed per
activity into the `contrib` table whenever the fold touches the activity, so a current report is one
grouped scan of `contrib`. As-of reports evaluate the same SQL over state folded as of the instant.
Custom parts depend on the year asked for (cases open across years, requests carried over) and are
evaluated at report time.
"""

from __future__ import annotations

import contextlib
from typing import Any

import duckdb

from .figures import Figure

YEARS = "WITH YR AS (SELECT unnest([$y, $y - 1]) AS yr)"
Totals = dict[tuple[str, int], tuple[int, int, list[str]]]


def bind(con: duckdb.DuckDBPyConnection, name: str, select: str, *, table: bool = False) -> None:
    """(Re)define a connection-local relation as a view, or as a temp table when it will be read many times."""
    for kind in ("VIEW", "TABLE"):
        # An object of the other kind under the name refuses this DROP; the other statement drops it.
        with contextlib.suppress(duckdb.CatalogException):
            con.execute(f"DROP {kind} IF EXISTS temp.{name}")
    con.execute(f"CREATE TEMP {'TABLE' if table else 'VIEW'} {name} AS {select}")


def simple_rows(figures: tuple[Figure, ...], tz: str, years: str = "TRUE") -> str:
    """SQL of (oid, unit, ref, fid, yr, num, den): one row per contribution of a simple part (a filtered scan each)."""
    branches = [
        f"SELECT oid, unit, ref, '{f.id}' AS fid, {p.year} AS yr, CAST({p.num} AS BIGINT) AS num, "
        f"CAST({p.den} AS BIGINT) AS den FROM {p.over} "
        f"WHERE {years.replace('{col}', p.year)} AND {p.where.replace('{TZ}', tz)}"
        for f in figures
        for p in f.parts
        if p.over != "SQL"
    ]
    empty = "SELECT NULL AS oid, NULL AS unit, NULL AS ref, NULL AS fid, NULL AS yr, NULL AS num, NULL AS den LIMIT 0"
    return " UNION ALL ".join(branches) or empty


def custom_rows(figures: tuple[Figure, ...], tz: str) -> str | None:
    """SQL of (fid, yr, unit, ref, num, den) for the custom parts, over YR."""
    branches = [
        f"SELECT '{f.id}' AS fid, yr, unit, ref, num, den FROM ({p.sql.replace('{TZ}', tz)})"
        for f in figures
        for p in f.parts
        if p.over == "SQL"
    ]
    return " UNION ALL ".join(branches) if branches else None


_GROUPED = "SELECT fid, yr, sum(num), sum(den), list(unit || chr(31) || ref) FILTER (WHERE yr = $y)"


def evaluate(
    con: duckdb.DuckDBPyConnection, figures: tuple[Figure, ...], year: int, tz: str, in_scope: str | None
) -> Totals:
    """(figure, year) -> (sum num, sum den, sources of the report year) for the year and the one before.

    With `in_scope` (a filter on unit) simple parts come from the precomputed `contrib` table;
    without it they are computed from A, AV and S.
    """
    ids = ", ".join(f"'{f.id}'" for f in figures)
    if in_scope is not None:
        simple = f"{_GROUPED} FROM contrib WHERE {in_scope} AND yr IN ($y, $y - 1) AND fid IN ({ids}) GROUP BY fid, yr"
    else:
        simple = f"{_GROUPED} FROM ({simple_rows(figures, tz, '{col} IN ($y, $y - 1)')}) GROUP BY fid, yr"
    queries = [simple]
    custom = custom_rows(figures, tz)
    if custom:
        queries.append(f"{YEARS}, C AS ({custom}) {_GROUPED} FROM C GROUP BY fid, yr")
    totals: dict[tuple[str, int], tuple[int, int, set[str]]] = {}
    for sql in queries:
        for fid, yr, num, den, sources in con.execute(sql, {"y": year}).fetchall():
            n, d, s = totals.get((fid, yr), (0, 0, set()))
            totals[(fid, yr)] = (n + (num or 0), d + (den or 0), s | set(sources or ()))
    return {key: (n, d, sorted(s)) for key, (n, d, s) in totals.items()}


def per_activity(con: duckdb.DuckDBPyConnection, figure: Figure, year: int, tz: str) -> list[tuple[Any, ...]]:
    """(unit, ref, num, den) of each activity behind one figure in one year, from A, AV and S."""
    parts = [f"SELECT fid, yr, unit, ref, num, den FROM ({simple_rows((figure,), tz)})"]
    custom = custom_rows((figure,), tz)
    if custom:
        parts.append(custom)
    union = " UNION ALL ".join(parts)
    sql = f"{YEARS}, C AS ({union}) SELECT unit, ref, sum(num), sum(den) FROM C WHERE yr = $y GROUP BY ALL"
    return con.execute(sql, {"y": year}).fetchall()
