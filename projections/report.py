"""Reports: every figure for a unit (and its descendants) and year, as of an instant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
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


def relations(as_of: datetime | None) -> str:
    """CTEs A, AV and S over the materialised state, or folded from the events as of an instant."""
    if as_of is None:
        act, stp = "act", "stp"
    else:
        where = _asof_filter(as_of)
        act, stp = f"({activity_fold(where)})", f"({step_fold(where)})"
    step_cols = ", ".join(f's."{n}"' for n in STEP_FIELDS)
    return f"""
    AV AS MATERIALIZED (SELECT *, year(date) AS y FROM {act} WHERE unit IN (SELECT unnest($units))),
    A AS MATERIALIZED (SELECT * FROM AV WHERE NOT voided),
    S AS MATERIALIZED (
      SELECT s.step_id, s.oid, s.step, s.date, year(s.date) AS sy, {step_cols},
             a.unit, a.ref, a.kind, a.y, a.case_type, a.category
      FROM {stp} s JOIN A a ON a.oid = s.oid WHERE NOT s.voided)"""


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


def _figure_sql(f: Figure, year: int, tz: str) -> str:
    return f.sql.replace("{Y}", str(int(year))).replace("{TZ}", tz)


def _label(sc: Scope, unit: str, ref: str) -> str:
    return ref if unit == sc.unit else f"{unit}/{ref}"


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
    branches = [
        f"SELECT '{f.id}' AS fid, {y} AS yr, unit, ref, num, den FROM ({_figure_sql(f, y, tz)})"
        for f in FIGURES
        for y in (year, year - 1)
    ]
    sql = f"""WITH {relations(as_of)}, F AS ({' UNION ALL '.join(branches)})
    SELECT fid, yr, sum(num), sum(den), list(unit || chr(31) || ref) FILTER (WHERE yr = {int(year)})
    FROM F GROUP BY fid, yr"""
    totals = {(fid, yr): (num, den, srcs or []) for fid, yr, num, den, srcs in con.execute(sql, {"units": sc.units}).fetchall()}
    figures: dict[str, Any] = {}
    for f in FIGURES:
        value = _value(f, totals.get((f.id, year)))
        previous = _value(f, totals.get((f.id, year - 1)))
        sources = sorted({_label(sc, *s.split(chr(31), 1)) for s in totals.get((f.id, year), (0, 0, []))[2]})
        figures[f.id] = {"label": f.label, "unit": f.unit, "value": value, "previous": previous, "sources": sources}
    stamp = (as_of or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return {
        "unit": sc.unit,
        "unit_name": sc.name,
        "units": sc.units,
        "year": year,
        "as_of": stamp.isoformat(),
        "figures": figures,
        "checks": run_checks(con, relations(as_of), sc.units, year, figures, _day_of(stamp, tz)),
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
    sql = f"""WITH {relations(as_of)}
    SELECT f.unit, f.ref, f.num, f.den, a.kind, a.date, a.voided
    FROM ({_figure_sql(f, year, tz)}) f JOIN AV a ON a.unit = f.unit AND a.ref = f.ref"""
    rows = con.execute(sql, {"units": sc.units}).fetchall()
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
