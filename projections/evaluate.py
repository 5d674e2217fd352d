"""Turning the figure declarations into SQL over the relations A, AV and S, and evaluating them.

Every part of every figure is local to one activity, so the read model precomputes the rows
(oid, unit, ref, fid, yr_from, yr_to, num, den) into `contrib` for each activity it folds, and a current
report is one grouped scan of `contrib`. An as-of report evaluates the same rows over the state folded
as of its instant.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from functools import cache
from typing import Any

import duckdb

from domain.catalogue import KINDS

from .figures import Figure, Part

Totals = dict[tuple[str, int], tuple[int, int, list[str]]]


def bind(con: duckdb.DuckDBPyConnection, name: str, select: str, *, table: bool = False) -> None:
    """(Re)define a connection-local relation: a view, over a temp table of its rows (`<name>_rows`) when it will
    be read many times."""
    # `name` is always a view and `<name>_rows` always a table, so CREATE OR REPLACE never meets an object of the
    # other kind (a DROP or CREATE of the wrong kind is an error, and inside a transaction it aborts it). No need
    # to ask the catalogue what exists (16 lookups of ~1 ms in an as-of report), nor to remember it: a rolled-back
    # fold that rebound a name leaves every name of the same kind as before (tests/projections/test_bind.py).
    if table:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name}_rows AS {select}")
        con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM {name}_rows")
        return
    con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {select}")
    con.execute(f"DROP TABLE IF EXISTS temp.{name}_rows")  # rows of an earlier table binding, no longer read


@cache
def part_kinds(part: Part) -> frozenset[str] | None:
    """The kinds of activity a part can yield rows for: the kind codes its SQL names (every part filters on
    `kind = '…'` or `kind IN (…)`), or None when it names none and applies to every kind (audit.*).
    `tests/projections/test_fold_kinds.py` checks this against every part's rows on a ledger of every kind."""
    named = set(re.findall(r"'([a-z_]+)'", " ".join((part.where, part.sql, part.num, part.den)))) & KINDS.keys()
    return frozenset(named) or None


def for_kinds(figures: tuple[Figure, ...], kinds: set[str]) -> tuple[Figure, ...]:
    """The figures with only the parts that activities of `kinds` can contribute to: an incremental fold of a
    few activities plans a few parts instead of all ~130 (planning them was most of a small fold, issue 13.4)."""
    kept = []
    for f in figures:
        parts = tuple(p for p in f.parts if (k := part_kinds(p)) is None or k & kinds)
        if parts:
            kept.append(replace(f, parts=parts))
    return tuple(kept)


def _day(sql: str, day: date | None) -> str:
    """Put the report's day D (DOMAIN.md §7.3) into the SQL of a dated figure."""
    if "{D}" not in sql:
        return sql
    if day is None:
        raise ValueError("a dated figure needs the day of its report")
    return sql.replace("{D}", f"DATE '{day.isoformat()}'")


def rows(figures: tuple[Figure, ...], tz: str, day: date | None = None) -> str:
    """SQL of (oid, unit, ref, fid, yr_from, yr_to, num, den): every contribution of every part (`day`: the day D
    of the report, for dated figures)."""
    branches = []
    for f in figures:
        for p in f.parts:
            if p.over == "SQL":
                select = _day(p.sql.replace("{TZ}", tz), day)
                branches.append(
                    f"SELECT oid, unit, ref, '{f.id}' AS fid, yr_from, yr_to, CAST(num AS BIGINT) AS num, "
                    f"CAST(den AS BIGINT) AS den FROM ({select}) WHERE yr_from <= yr_to"
                )
            else:
                branches.append(
                    f"SELECT oid, unit, ref, '{f.id}' AS fid, {p.year} AS yr_from, {p.year} AS yr_to, "
                    f"CAST({p.num} AS BIGINT) AS num, CAST({p.den} AS BIGINT) AS den "
                    f"FROM {p.over} WHERE {_day(p.where.replace('{TZ}', tz), day)}"
                )
    return " UNION ALL ".join(branches)


def _in(year: str) -> str:
    return f"yr_from <= {year} AND {year} <= yr_to"


def evaluate(con: duckdb.DuckDBPyConnection, source: str, year: int, unit: str) -> Totals:
    """(figure, year) -> (sum num, sum den, sources of the report year) for the year and the one before,
    from `source`: `contrib` filtered to the scope, or the rows of an as-of state. A source is named by its
    ref, or `unit/ref` when it belongs to a descendant of `unit`; sorted by code point (DuckDB sorts
    VARCHAR by its UTF-8 bytes, which is code point order)."""
    label = "CASE WHEN unit = $unit THEN ref ELSE unit || '/' || ref END"
    sql = f"""SELECT fid,
        sum(num) FILTER (WHERE {_in("$y")}), sum(den) FILTER (WHERE {_in("$y")}),
        list_sort(list(DISTINCT {label}) FILTER (WHERE {_in("$y")})),
        sum(num) FILTER (WHERE {_in("$y - 1")}), sum(den) FILTER (WHERE {_in("$y - 1")})
      FROM {source} WHERE yr_from <= $y AND yr_to >= $y - 1 GROUP BY fid"""
    totals: Totals = {}
    for fid, num, den, sources, prev_num, prev_den in con.execute(sql, {"y": year, "unit": unit}).fetchall():
        totals[(fid, year)] = (num or 0, den or 0, sources or [])
        totals[(fid, year - 1)] = (prev_num or 0, prev_den or 0, [])
    return totals


def per_activity(
    con: duckdb.DuckDBPyConnection, figure: Figure, year: int, tz: str, day: date | None = None
) -> list[tuple[Any, ...]]:
    """(unit, ref, num, den) of each activity behind one figure in one year, from A, AV and S."""
    sql = f"SELECT unit, ref, sum(num), sum(den) FROM ({rows((figure,), tz, day)}) WHERE {_in('$y')} GROUP BY ALL"
    return con.execute(sql, {"y": year}).fetchall()
