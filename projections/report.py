"""Reports: every figure for a unit (and its descendants) and year, as of an instant."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import duckdb

from . import declared
from .checks import run_checks
from .evaluate import bind, evaluate, for_kinds, per_activity, rows
from .figures import BY_ID, DATED, FIGURES, STORED, Figure
from .imported import add_imported
from .ingest import FOLDED
from .report_model import FigureValue, LogHead, Report
from .state import activity_fold, activity_year, step_fold, step_rows, unit_fold


class UnknownUnit(LookupError):
    pass


@dataclass(frozen=True)
class Scope:
    """The unit asked about, its name, the units it covers (itself and its descendants, as of T), and its
    chain: itself, its parent, and so on up (where a declared figure's definition is looked for, §8.6)."""

    unit: str
    name: str
    units: list[str]
    chain: tuple[str, ...] = ()


def rate(num: Any, den: Any) -> float | None:
    """Percentage rounded half away from zero to 2 places; null when the denominator is 0."""
    if not den:
        return None
    value = (Decimal(num) * 100 / Decimal(den)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return float(value)


def _asof_filter(as_of: datetime | None) -> str:
    return "TRUE" if as_of is None else f"recorded_at <= TIMESTAMPTZ '{as_of.isoformat()}'"


def in_scope(units: list[str]) -> str:
    return "unit IN (" + ", ".join(f"'{u}'" for u in units) + ")"  # unit codes are [a-z0-9-]: safe to inline


def materialize(con: duckdb.DuckDBPyConnection, as_of: datetime | None, units: list[str]) -> None:
    """A, AV and S for this connection: views of the current state in scope, or temp tables folded as of an instant."""
    scoped = in_scope(units)
    if as_of is None:
        bind(con, "AV", f"SELECT *, {activity_year()} AS y FROM act WHERE {scoped}")
        bind(con, "A", "SELECT * FROM AV WHERE NOT voided")
        bind(con, "S", f"SELECT * FROM stp WHERE live AND {scoped}")
        return
    if FAST_AS_OF:
        _late(con, as_of, scoped)
        _bind_as_of(con, as_of, scoped)
        return
    where = _asof_filter(as_of)
    bind(con, "AV", f"SELECT *, {activity_year()} AS y FROM ({activity_fold(where)}) WHERE {scoped}", table=True)
    bind(con, "A", "SELECT * FROM AV WHERE NOT voided", table=True)
    bind(con, "S", f"SELECT * FROM ({step_rows(step_fold(where), 'AV')}) WHERE live", table=True)


# The as-of fast path. An activity none of whose events was recorded after T, nor left unfolded, has as its
# current folded state (`act`, `stp`) and its `contrib` rows exactly what folding the events recorded by T gives
# (every fold and every figure part is local to one activity). So only the activities in `L` (the "late" ones:
# an event recorded after T, or not folded yet) are folded again over the events recorded by T; the others are
# read as they are. `FAST_AS_OF = False` folds everything as of T (the reference the tests compare with).
FAST_AS_OF = True


def _late(con: duckdb.DuckDBPyConnection, as_of: datetime, scoped: str) -> None:
    """L: the activities in scope whose current folded state may differ from their state as of T (recorded in
    scope, with an event recorded after T or not folded yet; only the record event names the unit), with
    `new`: recorded after T (so absent as of T), and `refold`: its activity row may differ too (a correction or
    void after T, or an event not folded yet). The others in L differ only by steps added or voided after T."""
    found = con.execute("SELECT notification_id FROM tracking WHERE application_name = ?", [FOLDED]).fetchall()
    folded = int(found[0][0]) if found else 0
    # (a plain comparison, not NOT coalesce(…): DuckDB skips the row groups of `events` recorded by T by their
    # min/max, so an instant near the end of the log reads its tail only)
    after = f"(recorded_at > TIMESTAMPTZ '{as_of.isoformat()}' OR recorded_at IS NULL)"
    # Both flags are about late events only, so the late events alone are grouped (not every event of their
    # activities); the scope is then an activity's unit in `act`, or in its record event when not folded yet.
    # (coalesce: an activity's only late events may have no etype, evidence attached after T: NULL would make
    # the activity neither new nor kept, and it would drop out of the report as of T)
    bind(
        con,
        "L",
        f"""WITH g AS MATERIALIZED (
              SELECT oid, coalesce(bool_or(etype = 'record' AND {after}), FALSE) AS new,
                coalesce(bool_or(pos > {folded} OR (etype IN ('correct', 'void') AND {after})), FALSE) AS refold
              FROM events WHERE pos > {folded} OR {after} GROUP BY oid)
            SELECT * FROM g WHERE oid IN (SELECT oid FROM act WHERE {scoped} AND oid IN (SELECT oid FROM g))
              OR oid IN (SELECT oid FROM events WHERE pos > {folded} AND etype = 'record' AND {scoped})""",
        table=True,
    )


def _bind_as_of(con: duckdb.DuckDBPyConnection, as_of: datetime, scoped: str) -> None:
    """A, AV and S as of T in scope: the current rows of the activities not in L, and as LAV and LS those of
    the activities of L that existed at T: their activity row folded again from the events recorded by T when
    `refold` (else the current one), their steps always (LE: their events, read by row id so that the wide
    columns are read for those rows only); the whole as the views CAV and CS."""
    if con.execute("SELECT count(*) FROM L WHERE NOT new").fetchall()[0][0]:
        bind(
            con,
            "LE",
            "SELECT * FROM events WHERE rowid IN"
            " (SELECT rowid FROM events WHERE oid IN (SELECT oid FROM L WHERE NOT new))"
            f" AND ({_asof_filter(as_of)})",
            table=True,
        )
        # (the scope again, though L is in it: the scan of `act` then probes only the scope's rows)
        kept = f"{scoped} AND oid IN (SELECT oid FROM L WHERE NOT new AND NOT refold)"
        current = f"SELECT *, {activity_year()} AS y FROM act WHERE {kept}"
        if con.execute("SELECT count(*) FROM L WHERE NOT new AND refold").fetchall()[0][0]:
            refolded = activity_fold("oid IN (SELECT oid FROM L WHERE refold)", "LE")
            current += f" UNION ALL SELECT *, {activity_year()} AS y FROM ({refolded})"
        bind(con, "LAV", current, table=True)
        bind(con, "LS", f"SELECT * FROM ({step_rows(step_fold('TRUE', 'LE'), 'LAV')}) WHERE live", table=True)
    else:
        bind(con, "LAV", f"SELECT *, {activity_year()} AS y FROM act LIMIT 0", table=True)
        bind(con, "LS", "SELECT * FROM stp LIMIT 0", table=True)
    # (no late activity, the usual case of an instant after the last event: no anti-join at all)
    late = "oid NOT IN (SELECT oid FROM L)" if con.execute("SELECT count(*) FROM L").fetchall()[0][0] else "TRUE"
    bind(con, "CAV", f"SELECT *, {activity_year()} AS y FROM act WHERE {scoped} AND {late} UNION ALL SELECT * FROM LAV")
    bind(con, "CS", f"SELECT * FROM stp WHERE live AND {scoped} AND {late} UNION ALL SELECT * FROM LS")
    _point(con, "C")


def _point(con: duckdb.DuckDBPyConnection, which: str, where: str = "TRUE") -> None:
    """AV, A and S over every activity in scope as of T (`C`) or over the late ones only (`L`, `where`)."""
    bind(con, "AV", f"SELECT * FROM {which}AV WHERE {where}")
    bind(con, "A", f"SELECT * FROM {which}AV WHERE NOT voided AND {where}")
    bind(con, "S", f"SELECT * FROM {which}S WHERE {where}")


_STEPS = re.compile(r"\bS\b")


def reads_steps(f: Figure) -> bool:
    """Whether a figure's rows may depend on steps (a part over S or naming it): those of the others depend on
    the activity row alone."""
    return any(p.over == "S" or _STEPS.search(" ".join((p.sql, p.where, p.num, p.den))) for p in f.parts)


def _as_of_source(
    con: duckdb.DuckDBPyConnection, as_of: datetime, sc: Scope, extra: tuple[Figure, ...], tz: str, day: date
) -> str:
    """The contribution rows of a report as of T over the relations `materialize` bound. The figures whose rows
    `contrib` holds (built-in, and declared ones live now in the same version) are read from it for the
    activities not in L, and for those of L whose activity row is the current one (not `refold`) when the
    figure does not read steps; they are computed over LAV and LS for the rest of L that existed at T. Over
    every activity in scope: the figures that have no rows in `contrib` (dated ones, §7.3; declarations live
    at T but not now)."""
    if not FAST_AS_OF:
        return rows(FIGURES + extra, tz, day)
    applied = {fid for (fid,) in con.execute("SELECT fid FROM decl_applied").fetchall()}
    kept = STORED + tuple(f for f in extra if f.id in applied)
    others = DATED + tuple(f for f in extra if f.id not in applied)
    stepped = tuple(f for f in kept if reads_steps(f))
    plain = tuple(f for f in kept if not reads_steps(f))

    def listed(figures: tuple[Figure, ...]) -> str:
        return "(" + ", ".join(["NULL"] + [f"'{f.id}'" for f in figures]) + ")"

    # (contrib may hold rows of declarations not live at T: their totals are never looked up)
    parts = [f"SELECT * FROM contrib WHERE {in_scope(sc.units)}"]
    if con.execute("SELECT count(*) FROM L").fetchall()[0][0]:
        parts[0] += (
            " AND (oid NOT IN (SELECT oid FROM L)"
            f" OR fid IN {listed(plain)} AND oid IN (SELECT oid FROM L WHERE NOT new AND NOT refold))"
        )
    if con.execute("SELECT count(*) FROM LAV").fetchall()[0][0]:
        # Only the parts the late activities' kinds can yield rows for are planned (as in a small fold).
        late_kinds = {k for (k,) in con.execute("SELECT DISTINCT kind FROM LAV").fetchall()}
        stepped, plain = for_kinds(stepped, late_kinds), for_kinds(plain, late_kinds)
        if stepped:
            _point(con, "L")
            bind(con, "LC", rows(stepped, tz, day), table=True)
            parts.append("SELECT * FROM LC")
        if plain and con.execute("SELECT count(*) FROM L WHERE NOT new AND refold").fetchall()[0][0]:
            _point(con, "L", "oid IN (SELECT oid FROM L WHERE refold)")
            bind(con, "LR", rows(plain, tz, day), table=True)
            parts.append("SELECT * FROM LR")
        _point(con, "C")
    if others:
        parts.append(rows(others, tz, day))
    return " UNION ALL ".join(parts)


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
    parents = {code: parent for code, _, parent in rows}
    chain = [unit]
    while (up := parents.get(chain[-1])) and up in names and up not in chain:
        chain.append(up)
    return Scope(unit, names[unit], sorted(covered), tuple(chain))


def _label(sc: Scope, unit: str, ref: str) -> str:
    return ref if unit == sc.unit else f"{unit}/{ref}"


def compute(
    con: duckdb.DuckDBPyConnection,
    unit: str,
    year: int,
    as_of: datetime | None,
    tz: str,
    log: dict[str, Any] | LogHead,
    self_only: bool = False,
) -> Report:
    """The report of DOMAIN.md §5 (`self_only`: the unit's own activities, without its descendants); `log` is
    the event log's head it is computed from ({"size", "root"} as `ReadModel.log` gives it)."""
    sc = scope(con, unit, as_of)
    if self_only:
        sc = Scope(sc.unit, sc.name, [sc.unit], sc.chain)
    # §8: the declarations live at T that apply to the unit; the current contrib has every live one's rows.
    shown = declared.applicable(declared.live(con, as_of), list(sc.chain))
    own = {d.fid: d for d in shown.values()}
    extra = tuple(d.figure() for d in own.values())
    materialize(con, as_of, sc.units)
    stamp = (as_of or datetime.now(UTC)).astimezone(UTC)
    day = day_of(stamp, tz)
    # Precomputed contributions (built-in and declared, §8), and those of the figures that depend on the
    # report's day (§7.3 due rule); as of an instant, every one of them over the state folded as of it.
    if as_of is None:
        source = f"SELECT * FROM contrib WHERE {in_scope(sc.units)} UNION ALL {rows(DATED, tz, day)}"
    else:
        source = _as_of_source(con, as_of, sc, extra, tz, day)
    totals = evaluate(con, f"({source})", year, sc.unit)
    if not self_only:  # units on their own servers, rolled up from their report packages
        totals = add_imported(con, sc.units, year, as_of, totals, shown)
    figures: dict[str, FigureValue] = {}
    for f in FIGURES + extra:
        value = _value(f, totals.get((f.id, year)))
        previous = _value(f, totals.get((f.id, year - 1)))
        sources = tuple(totals.get((f.id, year), (0, 0, []))[2])
        decl = own.get(f.id)
        entry = FigureValue(f.label, f.unit, value, previous, sources, decl.declared() if decl else None)
        figures[decl.code if decl else f.id] = entry
    head = log if isinstance(log, LogHead) else LogHead.from_json(log)
    checks = tuple(run_checks(con, len(sc.units) > 1, year, figures, day))
    return Report(sc.unit, sc.name, tuple(sc.units), year, stamp.isoformat(), figures, checks, head)


def money(cents: int) -> str:
    """Integer cents as the report writes money (DOMAIN.md §7.1): a string with exactly 2 decimals."""
    return f"{cents // 100}.{cents % 100:02d}" if cents >= 0 else f"-{money(-cents)}"


def score(hundredths: Any, weight: Any) -> float | None:
    """A weighted mean of scores kept in hundredths, rounded like a rate; null when the weights sum to 0."""
    if not weight:
        return None
    value = (Decimal(hundredths) / Decimal(weight) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return float(value)


def _value(f: Figure, total: tuple[Any, Any, Any] | None) -> int | float | str | None:
    num, den = (total[0], total[1]) if total else (0, 0)
    if f.rate:
        return rate(num or 0, den or 0)
    if f.score:
        return score(num or 0, den or 0)
    if f.money:
        return money(int(num or 0))
    return int(num or 0)


def day_of(stamp: datetime, tz: str) -> date:
    from zoneinfo import ZoneInfo

    return stamp.astimezone(ZoneInfo(tz)).date()


def explain(
    con: duckdb.DuckDBPyConnection, figure: str, unit: str, year: int, as_of: datetime | None, tz: str
) -> list[dict[str, Any]]:
    """The activities behind one figure, with what each contributes (a declared code: by the declaration
    the report of `unit` as of `as_of` uses; KeyError when none applies, as for an unknown id)."""
    sc = scope(con, unit, as_of)
    f = BY_ID[figure] if figure in BY_ID else declaration(con, figure, unit, as_of).figure()
    materialize(con, as_of, sc.units)
    details = {
        (u, r): (kind, day, voided)
        for u, r, kind, day, voided in con.execute("SELECT unit, ref, kind, date, voided FROM AV").fetchall()
    }
    day = day_of((as_of or datetime.now(UTC)).astimezone(UTC), tz)
    rows = [(u, r, num, den, *details[(u, r)]) for u, r, num, den in per_activity(con, f, year, tz, day)]
    out = [
        {
            "source": _label(sc, u, r),
            "unit": u,
            "ref": r,
            "kind": kind,
            "date": day.isoformat(),
            "num": money(int(num)) if f.money else num,
            **({"den": den} if f.rate or f.score else {}),
            **({"voided": True} if voided else {}),
        }
        for u, r, num, den, kind, day, voided in rows
    ]
    return sorted(out, key=lambda row: row["source"])


def declaration(con: duckdb.DuckDBPyConnection, code: str, unit: str, as_of: datetime | None) -> declared.Declaration:
    """The declaration of `code` the report of `unit` as of `as_of` uses (§8.6); KeyError when none applies."""
    shown = declared.applicable(declared.live(con, as_of), list(scope(con, unit, as_of).chain))
    return shown[code]
