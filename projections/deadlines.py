"""What is due soon and what is overdue (DOMAIN.md §6), for a unit and its descendants, as of an instant."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import duckdb

from domain import deadlines as rules
from domain.catalogue import KINDS

from .report import materialize, scope

OVERDUE, DUE_SOON, OPEN, UNKNOWN = "overdue", "due_soon", "open", "unknown"
STATUS_LABELS = {OVERDUE: "已超期", DUE_SOON: "即将到期", OPEN: "未到期", UNKNOWN: "无法计算"}


@dataclass(frozen=True)
class Deadline:
    unit: str
    ref: str
    kind: str
    duty: str  # the step that discharges it: acknowledged, concluded, replied
    what: str
    start: date
    due: date | None
    days_left: int | None
    status: str
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["start"] = self.start.isoformat()
        out["due"] = self.due.isoformat() if self.due else None
        out["status_label"] = STATUS_LABELS[self.status]
        return out


def _label(kind: str, step: str) -> str:
    found = KINDS[kind].step(step)
    assert found is not None, (kind, step)
    return found.label


# Open petitions, disclosure requests and proposals with what their deadlines depend on.
_OPEN_ITEMS = """
SELECT a.unit, a.ref, a.kind, a.date, a.category, coalesce(a.complex, FALSE) AS complex,
       e.days AS ext_days, e.oid IS NOT NULL AS extended,
       a.oid IN (SELECT oid FROM S WHERE step = 'acknowledged') AS acknowledged,
       a.oid IN (SELECT oid FROM S WHERE step = 'concluded') AS concluded,
       a.oid IN (SELECT oid FROM S WHERE step = 'replied') AS replied
FROM A a LEFT JOIN S e ON e.oid = a.oid AND e.step = 'extended'
WHERE a.kind IN ('petition', 'disclosure_request', 'proposal')
"""


def open_deadlines(
    con: duckdb.DuckDBPyConnection,
    unit: str,
    as_of: datetime | None,
    tz: str,
    within: int,
    today: date | None = None,
) -> tuple[date, list[Deadline]]:
    """Every undischarged statutory duty in the ledger as of `as_of`; status relative to `today` (default: the
    day of `as_of` in the ledger's time zone, or now); due within `within` days = due soon."""
    sc = scope(con, unit, as_of)
    materialize(con, as_of, sc.units)
    today = today or (as_of or datetime.now(UTC)).astimezone(ZoneInfo(tz)).date()
    out: list[Deadline] = []
    for u, ref, kind, start, category, complex_, ext_days, extended, ack, concluded, replied in con.execute(
        _OPEN_ITEMS
    ).fetchall():
        items: list[tuple[str, str, Any]] = []
        if kind == "petition":
            if not ack:
                what = f"{rules.PETITION_ACK_DAYS}日内受理告知"
                items.append(("acknowledged", what, lambda s=start: rules.petition_ack_due(s)))
            if category == "claim" and not concluded:
                days = int(ext_days or 0)
                what = f"{rules.PETITION_CONCLUDE_DAYS}日内办结" + (f"（已延期{days}日）" if days else "")
                items.append(("concluded", what, lambda s=start, d=days: rules.petition_conclusion_due(s, d)))
        elif kind == "disclosure_request" and not replied:
            n = rules.DISCLOSURE_WORKING_DAYS
            what = f"{n}个工作日内答复" + (f"（已延期{n}个工作日）" if extended else "")
            items.append(("replied", what, lambda s=start, x=extended: rules.disclosure_reply_due(s, x)))
        elif kind == "proposal" and not replied:
            months = rules.PROPOSAL_COMPLEX_MONTHS if complex_ else rules.PROPOSAL_MONTHS
            what = f"{months}个月内答复" + ("（复杂事项）" if complex_ else "")
            items.append(("replied", what, lambda s=start, c=complex_: rules.proposal_reply_due(s, c)))
        for duty, what, due_of in items:
            out.append(_deadline(u, ref, kind, duty, f"{_label(kind, duty)}：{what}", start, due_of, today, within))
    out.sort(key=lambda d: (d.due is None, d.due or date.max, d.unit, d.ref, d.duty))
    return today, out


def _deadline(
    unit: str, ref: str, kind: str, duty: str, what: str, start: date, due_of: Any, today: date, within: int
) -> Deadline:
    try:
        due: date = due_of()
    except rules.CalendarUnavailable as e:
        return Deadline(unit, ref, kind, duty, what, start, None, None, UNKNOWN, str(e))
    left = (due - today).days
    status = OVERDUE if left < 0 else DUE_SOON if left <= within else OPEN
    return Deadline(unit, ref, kind, duty, what, start, due, left, status)
