"""Reports: every figure for a unit (and its descendants) and year, as of an instant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import duckdb

from .checks import run_checks
from .figures import BY_ID, FIGURES, Figure
from .schema import STEP_FIELDS
from .state import activity_fold, step_fold, unit_fold


class UnknownUnit(LookupError):
    pass


@dataclass(frozen=True)
class Scope:
    """The unit asked about, its name, and the units it covers (itself and its descendants, as of T)."""

    unit: str
    name: str
    units: list[str]


def rate(num: Any, den: Any) -> float | None:
    """Percentage rounded half away from zero to 2 places; null when the denominator is 0."""
    if not den:
        return None
    value = (Decimal(num) * 100 / Decimal(den)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return float(value)


def _asof_filter(as_of: datetime | None) -> str:
    return "TRUE" if as_of is None else f"recorded_at <= TIMESTAMPTZ '{as_of.isoformat()}'"


def materialize(con: duckdb.DuckDBPyConnection, as_of: datetime | None, units: list[str]) -> None:
    """Temp tables A, AV and S for this connection: the materialised state in scope, or folded as of an instant."""
    if as_of is None:
        act, stp = "act", "stp"
    else:
        where = _asof_filter(as_of)
        act, stp = f"({activity_fold(where)})", f"({step_fold(where)})"
    step_cols = ", ".join(f's."{n}"' for n in STEP_FIELDS)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE AV AS SELECT *, year(date) AS y FROM {act}"
        " WHERE unit IN (SELECT unnest($units))",
        {"units": units},
    )
    con.execute("CREATE OR REPLACE TEMP TABLE A AS SELECT * FROM AV WHERE NOT voided")
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE S AS
      SELECT s.step_id, s.oid, s.step, s.date, year(s.date) AS sy, {step_cols},
             a.unit, a.ref, a.kind, a.y, a.case_type, a.category
      FROM {stp} s JOIN A a ON a.oid = s.oid WHERE NOT s.voided"""
    )


def scope(con: duckdb.DuckDBPyConnection, unit: str, as_of: datetime | None) -> Scope:
    table = "units" if as_of is None else f"({unit_fold(_asof_filter(as_of))})"
    rows = con.execute(f"SELECT code, name, parent FROM {table}").fetchall()
    names = {code: name for code, name, _ in rows}
    if unit not in names:
        raise UnknownUnit(unit)
    children: dict[str, list[str]] = {}
    for code, _, parent in rows:
        if parent:
            children.setdefault(parent, []).append(code)
    covered, queue = [], [unit]
    while queue:
        code = queue.pop()
        covered.append(code)
        queue.extend(children.get(code, []))
    return Scope(unit, names[unit], sorted(covered))


def contributions(figures: tuple[Figure, ...], tz: str) -> str:
    """SQL yielding (fid, yr, unit, ref, num, den): simple parts share one scan per relation and year column."""
    scans: dict[tuple[str, str], list[str]] = {}
    branches = []
    for f in figures:
        for p in f.parts:
            if p.over == "SQL":
                branches.append(f"SELECT '{f.id}' AS fid, yr, unit, ref, num, den FROM ({p.sql.replace('{TZ}', tz)})")
                continue
            where = p.where.replace("{TZ}", tz)
            scans.setdefault((p.over, p.year), []).append(
                f"CASE WHEN {where} THEN {{'fid': '{f.id}', 'num': CAST({p.num} AS BIGINT), "
                f"'den': CAST({p.den} AS BIGINT)}} END"
            )
    for (over, year), cases in scans.items():
        branches.append(
            f"SELECT c.fid, yr, unit, ref, c.num, c.den FROM (SELECT {year} AS yr, unit, ref, "
            f"unnest([{', '.join(cases)}]) AS c FROM {over} WHERE {year} IN (SELECT yr FROM YR)) WHERE c IS NOT NULL"
        )
    return " UNION ALL ".join(branches)


def _label(sc: Scope, unit: str, ref: str) -> str:
    return ref if unit == sc.unit else f"{unit}/{ref}"


YEARS = "WITH YR AS (SELECT unnest([$y, $y - 1]) AS yr)"


def compute(
    con: duckdb.DuckDBPyConnection,
    unit: str,
    year: int,
    as_of: datetime | None,
    tz: str,
    log: dict[str, Any],
) -> dict[str, Any]:
    """The report JSON of DOMAIN.md §5."""
    sc = scope(con, unit, as_of)
    materialize(con, as_of, sc.units)
    sql = f"""{YEARS}, C AS ({contributions(FIGURES, tz)})
    SELECT fid, yr, sum(num), sum(den), list(DISTINCT unit || chr(31) || ref) FILTER (WHERE yr = $y)
    FROM C GROUP BY fid, yr"""
    params = {"y": year}
    totals = {(fid, yr): (num, den, srcs or []) for fid, yr, num, den, srcs in con.execute(sql, params).fetchall()}
    figures: dict[str, Any] = {}
    for f in FIGURES:
        value = _value(f, totals.get((f.id, year)))
        previous = _value(f, totals.get((f.id, year - 1)))
        sources = sorted(_label(sc, *s.split(chr(31), 1)) for s in totals.get((f.id, year), (0, 0, []))[2])
        figures[f.id] = {"label": f.label, "unit": f.unit, "value": value, "previous": previous, "sources": sources}
    stamp = (as_of or datetime.now(UTC)).astimezone(UTC)
    return {
        "unit": sc.unit,
        "unit_name": sc.name,
        "units": sc.units,
        "year": year,
        "as_of": stamp.isoformat(),
        "figures": figures,
        "checks": run_checks(con, len(sc.units) > 1, year, figures, _day_of(stamp, tz)),
        "log": log,
    }


def _value(f: Figure, total: tuple[Any, Any, Any] | None) -> int | float | None:
    num, den = (total[0], total[1]) if total else (0, 0)
    if f.rate:
        return rate(num or 0, den or 0)
    return int(num or 0)


def _day_of(stamp: datetime, tz: str) -> date:
    from zoneinfo import ZoneInfo

    return stamp.astimezone(ZoneInfo(tz)).date()


def explain(
    con: duckdb.DuckDBPyConnection, figure: str, unit: str, year: int, as_of: datetime | None, tz: str
) -> list[dict[str, Any]]:
    """The activities behind one figure, with what each contributes."""
    f = BY_ID[figure]
    sc = scope(con, unit, as_of)
    materialize(con, as_of, sc.units)
    sql = f"""{YEARS}, C AS ({contributions((f,), tz)})
    SELECT c.unit, c.ref, sum(c.num), sum(c.den), any_value(a.kind), any_value(a.date), any_value(a.voided)
    FROM C c JOIN AV a ON a.unit = c.unit AND a.ref = c.ref WHERE c.yr = $y GROUP BY c.unit, c.ref"""
    rows = con.execute(sql, {"y": year}).fetchall()
    out = [
        {
            "source": _label(sc, u, r),
            "unit": u,
            "ref": r,
            "kind": kind,
            "date": day.isoformat(),
            "num": num,
            **({"den": den} if f.rate else {}),
            **({"voided": True} if voided else {}),
        }
        for u, r, num, den, kind, day, voided in rows
    ]
    return sorted(out, key=lambda row: row["source"])
