"""The ledger's rows for a year: every activity (live or voided) and every step, with who recorded them and when.

An activity belongs to year Y's ledger when its business date is in Y or it has a step dated in Y
(a case filed last year and heard this year is on this year's ledger too).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import duckdb

from domain.catalogue import KINDS

from .report import _asof_filter, scope
from .state import activity_fold, step_fold


@dataclass
class StepRow:
    step_id: str
    step: str
    date: date
    voided: bool
    data: dict[str, Any]
    recorded_by: str | None
    recorded_at: datetime | None
    void_reason: str | None = None  # why it was voided (the reason the voiding gave), when voided


@dataclass
class ActivityRow:
    unit: str
    ref: str
    kind: str
    date: date
    voided: bool
    corrections: int
    data: dict[str, Any]
    recorded_by: str | None
    recorded_at: datetime | None
    steps: list[StepRow] = field(default_factory=list)
    void_reason: str | None = None  # why it was voided (the reason the voiding gave), when voided


def ledger_rows(
    con: duckdb.DuckDBPyConnection, unit: str, year: int, as_of: datetime | None, tz: str
) -> dict[str, list[ActivityRow]]:
    """kind -> its activities on year `year`'s ledger, in scope of `unit`, sorted by unit, date and ref.

    Recording times are local times (naive) in the ledger's time zone `tz`."""
    sc = scope(con, unit, as_of)
    where = _asof_filter(as_of)
    acts = "act" if as_of is None else f"({activity_fold(where)})"
    steps = "stp" if as_of is None else f"({step_fold(where)})"
    units = ", ".join(f"'{u}'" for u in sc.units)  # unit codes are [a-z0-9-]: safe to inline
    who = (
        f"(SELECT line_id, oid, etype, recorded_by, timezone('{tz}', recorded_at) AS recorded_at"
        f" FROM events WHERE {where})"
    )
    step_sql = (
        f"SELECT s.*, w.recorded_by AS w_by, w.recorded_at AS w_at FROM {steps} s"
        f" LEFT JOIN {who} w ON w.line_id = s.step_id AND w.etype = 'step'"
        f" WHERE s.oid IN (SELECT oid FROM {acts} WHERE unit IN ({units})) ORDER BY s.date, s.step_id"
    )
    by_oid: dict[str, list[StepRow]] = {}
    cur = con.execute(step_sql)
    names = [d[0] for d in cur.description]
    for values in cur.fetchall():
        r = dict(zip(names, values, strict=True))
        by_oid.setdefault(r["oid"], []).append(
            StepRow(r["step_id"], r["step"], r["date"], bool(r["voided"]), r, r["w_by"], r["w_at"])
        )
    act_sql = (
        f"SELECT a.* EXCLUDE (first_recorded_at), w.recorded_by AS w_by, w.recorded_at AS w_at FROM {acts} a"
        f" LEFT JOIN {who} w ON w.oid = a.oid AND w.etype = 'record'"
        f" WHERE a.unit IN ({units}) AND (year(a.date) = {int(year)} OR a.oid IN"
        f" (SELECT oid FROM {steps} WHERE year(date) = {int(year)})) ORDER BY a.unit, a.date, a.ref"
    )
    # The reason of the (last) voiding of each activity (target NULL) and of each step (target = its line id).
    reasons: dict[tuple[str, str | None], str] = {
        (oid, target): reason
        for oid, target, reason in con.execute(
            f"SELECT oid, target, reason FROM events WHERE etype IN ('void', 'void_step') AND {where}"
            f" AND oid IN (SELECT oid FROM {acts} WHERE unit IN ({units})) ORDER BY pos"
        ).fetchall()
    }
    cur = con.execute(act_sql)
    names = [d[0] for d in cur.description]
    out: dict[str, list[ActivityRow]] = {k: [] for k in KINDS}
    for values in cur.fetchall():
        r = dict(zip(names, values, strict=True))
        kind = KINDS[r["kind"]]
        data = {f.name: r[f.name] for f in kind.fields}
        steps_of = by_oid.get(r["oid"], [])
        for s in steps_of:
            spec = kind.step(s.step, data) or kind.step(s.step)  # the variant of its action (§7.2)
            s.data = {f.name: s.data.get(f.name) for f in (spec.fields if spec else ())}
            s.void_reason = reasons.get((r["oid"], s.step_id)) if s.voided else None
        out[kind.code].append(
            ActivityRow(
                r["unit"],
                r["ref"],
                kind.code,
                r["date"],
                bool(r["voided"]),
                int(r["corrections"] or 0),
                data,
                r["w_by"],
                r["w_at"],
                steps_of,
                reasons.get((r["oid"], None)) if r["voided"] else None,
            )
        )
    return out
