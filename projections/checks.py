"""Checks reported beside the figures (DOMAIN.md §3): each a `Check` (id, ok, message)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import duckdb

from domain import deadlines as rules
from domain.catalogue import KINDS

from .figures import (
    LETTER_REPLY,
    ORDINARY_PENALTY,
    PENALTY_CLOSING,
    PENALTY_EXTENSIONS,
    letter_deadline,
    penalty_deadline,
)
from .report_model import Check, FigureValue


def _v(figures: dict[str, FigureValue], fid: str) -> int:
    value = figures[fid].value
    assert not isinstance(value, str), fid  # the checks read counts only
    return int(value or 0)


def _listing(refs: list[str]) -> str:
    return "、".join(refs[:10]) + (f" 等{len(refs)}项" if len(refs) > 10 else "")


# The checks' queries, each over A and S, run as one statement over the rows of A and S of the kinds they name,
# materialised once: the seven queries each scanned the scope's activities and steps again (~50 ms of an as-of
# report at 1,000,000 events, A and S being views over `act` and `stp`). `ONE_STATEMENT = False` runs each query
# alone over A and S (the reference tests/projections/test_projection_properties.py compares with).
ONE_STATEMENT = True
_NONE = "NULL::BIGINT, NULL::BIGINT, NULL::BIGINT, NULL::BIGINT"


def _queries(year: int) -> dict[str, str]:
    """Each check's query over A and S, as rows (unit, ref, n1, n2, n3, n4): the items it lists, or its counts."""
    y = int(year)

    def listed(sql: str) -> str:
        return f"SELECT unit, ref, {_NONE} FROM ({sql})"

    return {
        "exam.consistency": (
            "SELECT NULL::VARCHAR, NULL::VARCHAR, coalesce(sum(eligible), 0), coalesce(sum(participants), 0),"
            f" coalesce(sum(passed), 0), sum(excellent) FROM A WHERE kind = 'exam' AND y = {y}"
        ),
        "petition.overdue": listed(
            "SELECT a.unit, a.ref FROM A a LEFT JOIN S e ON e.oid = a.oid AND e.step = 'extended'"
            " WHERE a.kind = 'petition' AND a.category = 'claim'"
            " AND a.oid NOT IN (SELECT oid FROM S WHERE step = 'concluded')"
            f" AND $today > a.date + CAST({rules.PETITION_CONCLUDE_DAYS} + coalesce(e.days, 0) AS INTEGER)"
        ),
        "petition.acknowledgment": listed(
            f"SELECT unit, ref FROM A WHERE kind = 'petition' AND y = {y}"
            " AND oid NOT IN (SELECT oid FROM S WHERE step = 'acknowledged')"
            f" AND $today > date + {rules.PETITION_ACK_DAYS}"
        ),
        "proposal.overdue": listed(
            "SELECT unit, ref FROM A WHERE kind = 'proposal'"
            " AND oid NOT IN (SELECT oid FROM S WHERE step = 'replied')"
            " AND $today > date + to_months(CASE WHEN coalesce(complex, FALSE)"
            f" THEN {rules.PROPOSAL_COMPLEX_MONTHS} ELSE {rules.PROPOSAL_MONTHS} END)"
        ),
        "case.breakdown": (
            "SELECT NULL::VARCHAR, NULL::VARCHAR, count(*), NULL::BIGINT, NULL::BIGINT, NULL::BIGINT"
            " FROM A WHERE kind = 'case' AND case_type IN ('arbitration', 'other')"
            f" AND date <= make_date({y}, 12, 31) AND oid NOT IN"
            f" (SELECT oid FROM S WHERE step = 'closed' AND date < make_date({y}, 1, 1))"
        ),
        # DOMAIN.md §7.5: open items of any year whose deadline (§7.3) is strictly before D.
        "enforcement.overdue": listed(
            f"SELECT a.unit, a.ref FROM A a LEFT JOIN ({PENALTY_EXTENSIONS}) e ON e.oid = a.oid"
            f" WHERE {ORDINARY_PENALTY} AND a.oid NOT IN (SELECT oid FROM ({PENALTY_CLOSING}))"
            f" AND {penalty_deadline()} < $today"
        ),
        "letters.overdue": listed(
            "SELECT a.unit, a.ref FROM A a WHERE a.kind = 'supervision_letter'"
            f" AND a.oid NOT IN (SELECT oid FROM ({LETTER_REPLY})) AND {letter_deadline()} < $today"
        ),
    }


def _run(con: duckdb.DuckDBPyConnection, year: int, today: date) -> dict[str, list[tuple[Any, ...]]]:
    """Each check's rows (its query's columns after the check's id)."""
    queries = _queries(year)
    if not ONE_STATEMENT:
        return {
            cid: con.execute(sql, {"today": today} if "$today" in sql else {}).fetchall()
            for cid, sql in queries.items()
        }
    # Every query reads the activities of the kinds it names and only the steps of those activities (joined by
    # oid, one activity being of one kind), so A and S are cut to those kinds; a query naming none reads all.
    named = [set(re.findall(r"'([a-z_]+)'", sql)) & KINDS.keys() for sql in queries.values()]
    where = "TRUE" if not all(named) else "kind IN (" + ", ".join(f"'{k}'" for k in sorted(set().union(*named))) + ")"
    sql = (
        f"WITH A AS MATERIALIZED (SELECT * FROM temp.A WHERE {where}),"
        f" S AS MATERIALIZED (SELECT * FROM temp.S WHERE {where}) "
        + " UNION ALL ".join(f"SELECT '{cid}' AS cid, * FROM ({query})" for cid, query in queries.items())
    )
    out: dict[str, list[tuple[Any, ...]]] = {cid: [] for cid in queries}
    for cid, *row in con.execute(sql, {"today": today}).fetchall():
        out[cid].append(tuple(row))
    return out


def run_checks(
    con: duckdb.DuckDBPyConnection, rollup: bool, year: int, figures: dict[str, FigureValue], today: date
) -> list[Check]:
    """Run over the relations A and S that the report bound."""
    checks: list[Check] = []
    found = _run(con, year, today)

    def add(cid: str, ok: bool, good: str, bad: str) -> None:
        checks.append(Check(cid, ok, good if ok else bad))

    def overdue(cid: str) -> list[str]:
        return sorted(f"{u}/{r}" if rollup else r for u, r, *_ in found[cid])

    cin, rec, rep, cout = (
        _v(figures, f"disclosure.requests_{k}") for k in ("carried_in", "received", "replied", "carried_out")
    )
    add(
        "disclosure.balance",
        cin + rec == rep + cout,
        f"上年结转 {cin} + 新收 {rec} = 办结 {rep} + 结转下年 {cout}",
        f"依申请公开不平衡：上年结转 {cin} + 新收 {rec} ≠ 办结 {rep} + 结转下年 {cout}",
    )
    eligible, participants, passed, excellent = found["exam.consistency"][0][2:]
    # §7.4: excellent ≤ passed too (优秀人数 is counted among those who passed); said only when an exam gives
    # it, so that ledgers without it keep their message.
    good = f"通过 {passed} ≤ 参考 {participants} ≤ 应考 {eligible}"
    bad = f"考试人数不一致：通过 {passed}、参考 {participants}、应考 {eligible}"
    if excellent is not None:
        good, bad = f"优秀 {excellent} ≤ {good}", bad.replace("：", f"：优秀 {excellent}、", 1)
    add("exam.consistency", (excellent or 0) <= passed <= participants <= eligible, good, bad)
    late = overdue("petition.overdue")
    add(
        "petition.overdue",
        not late,
        "没有超期未办结的申诉求决类信访",
        f"超期未办结的申诉求决类信访 {len(late)} 件：{_listing(late)}",
    )
    unack = overdue("petition.acknowledgment")
    add(
        "petition.acknowledgment",
        not unack,
        f"信访事项均已在{rules.PETITION_ACK_DAYS}日内受理告知或尚未到期",
        f"超过{rules.PETITION_ACK_DAYS}日未记录受理告知的信访 {len(unack)} 件：{_listing(unack)}",
    )
    unreplied = overdue("proposal.overdue")
    add(
        "proposal.overdue",
        not unreplied,
        "没有超期未答复的建议提案",
        f"超期（{rules.PROPOSAL_MONTHS}个月，复杂事项{rules.PROPOSAL_COMPLEX_MONTHS}个月）未答复的建议提案"
        f" {len(unreplied)} 件：{_listing(unreplied)}",
    )
    parts = sum(
        _v(figures, f"case.{t}") for t in ("admin_litigation", "civil_litigation", "enforcement", "reconsideration")
    )
    other = found["case.breakdown"][0][2]
    handled = _v(figures, "case.handled")
    add(
        "case.breakdown",
        handled == parts + other,
        f"处理案件 {handled} 起 = 各类型之和（其中仲裁及其他 {other} 起）",
        f"处理案件 {handled} 起 ≠ 各类型之和 {parts + other} 起",
    )
    undecided = overdue("enforcement.overdue")
    add(
        "enforcement.overdue",
        not undecided,
        "没有超过办案期限未作出决定的普通程序行政处罚案件",
        f"超过办案期限（立案之日起{rules.PENALTY_DECISION_DAYS}日，含延长）未作出处罚决定或撤销立案的案件"
        f" {len(undecided)} 件："
        f"{_listing(undecided)}",
    )
    unanswered = overdue("letters.overdue")
    add(
        "letters.overdue",
        not unanswered,
        "没有超期未回复的司法建议、检察建议、行政复议意见书",
        f"超过回复期限未书面回复的“三书” {len(unanswered)} 件：{_listing(unanswered)}",
    )
    n_late = _v(figures, "audit.late_entries")
    late_message = f"有 {n_late} 项活动在发生{rules.LATE_ENTRY_DAYS}日后才录入（补录）"
    add("audit.late_entries", n_late == 0, "没有补录活动", late_message)
    return checks
