"""Assessment cost (issue 16): the assessor's table — every one of 500 units scored on a 115-indicator system —
against the county's annual report (the roll-up of the same 500 units) in the same run.

Usage:
    .venv/bin/python bench/assessment.py [--units 500] [--per-unit 20] [--calls 5] [--issues 2000]

A fresh ledger in a temporary directory: a county with --units units under it (half 区级部门, half 街镇), each
with --per-unit study sessions, exams and petitions; a system of 8 一级 / 32 二级 / 115 三级 indicators (three
quarters scored by rule from built-in figures: thresholds, proportional, pass/fail; the rest by judgement),
every unit assigned, a fifth of them with a self-assessed and submitted sheet. Untimed: the import and the
read model's catch-up. Timed, alternating, --calls each: `assessment.table` (500 sheets: one scan of the
figures, the sheets loaded in bulk, every leaf scored, ranked), the same as of an instant before the last
writes, the county's issue list and reminders over --issues issues (a third signed off), and
`reads.report` of the county as of now (computed, not the
read model's cached current report). Target: the table ≤ 5 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_S = 5.0
FIGURES = [
    "study.sessions",
    "study.attendance",
    "exam.sessions",
    "exam.participants",
    "exam.pass_rate",
    "exam.participation_rate",
    "petition.received",
    "petition.visitors",
    "rectification.completion_rate",  # from the issues, not the report's table
]


def lines(units: int, per_unit: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{"id": "u-county", "op": "unit", "unit": "county", "data": {"name": "县"}}]
    n = 0
    for u in range(units):
        code = f"u{u:03d}"
        out.append({"id": f"u-{code}", "op": "unit", "unit": code, "data": {"name": f"单位{u}", "parent": "county"}})
        for i in range(per_unit):
            n += 1
            day = f"2025-{1 + i % 12:02d}-{1 + i % 27:02d}"
            if i % 3 == 0:
                data = {"form": "central_group", "topic": "宪法", "attendees": 5 + (u + i) % 30}
                kind = "study_session"
            elif i % 3 == 1:
                p = 10 + u % 7
                data = {"title": "学法考试", "eligible": p + 2, "participants": p, "passed": p - (u + i) % 3}
                kind = "exam"
            else:
                data = {"channel": "visit", "persons": 1 + u % 3, "category": "claim", "subject": "征收补偿"}
                kind = "petition"
            out.append({"id": f"r{n}", "op": "record", "unit": code, "kind": kind, "ref": f"A-{i}", "date": day,
                        "data": data})  # fmt: skip
    return out


def system() -> dict[str, Any]:
    indicators: list[dict[str, Any]] = []
    leaf = 0
    for a in range(1, 9):
        indicators.append({"code": f"{a}", "name": f"一级指标{a}"})
        for b in range(1, 5):
            indicators.append({"code": f"{a}.{b}", "parent": f"{a}", "name": f"二级指标{a}.{b}"})
            count = 4 if (a - 1) * 4 + b <= 19 else 3  # 19 × 4 + 13 × 3 = 115 leaves
            for c in range(1, count + 1):
                leaf += 1
                figure = FIGURES[leaf % len(FIGURES)]
                rule: dict[str, Any]
                if leaf % 4 == 0:
                    rule = {"type": "judgement"}
                elif leaf % 4 == 1:
                    rule = {"type": "threshold", "figure": figure, "steps": [{"min": 10, "points": 2},
                                                                             {"min": 3, "points": 1}]}  # fmt: skip
                elif leaf % 4 == 2:
                    rule = {"type": "proportional", "figure": figure, "zero_at": 0, "full_at": 100}
                else:
                    rule = {"type": "pass_fail", "figure": figure, "op": ">=", "value": 90}
                item = {"code": f"{a}.{b}.{c}", "parent": f"{a}.{b}", "name": f"三级指标{leaf}", "points": 2,
                        "points_by_category": {"town": 1}, "rule": rule}  # fmt: skip
                if leaf % 10 == 0:
                    item["applies_to"] = ["department"]
                indicators.append(item)
    assert leaf == 115
    return {
        "name": "法治政府建设考核",
        "categories": {"department": "区级部门", "town": "街镇"},
        "indicators": indicators,
    }


def context_for(settings: Any) -> tuple[Any, Any]:
    """The use-cases' Context over one ledger and one read model caught up before each read (as the web's)."""
    from api.infra.evidence import EvidenceStore
    from api.infra.keys import Keys
    from api.services.context import Context, unit_parent

    ledger = settings.ledger()
    model = settings.read_model()

    def read(query: Any) -> Any:
        model.catch_up(ledger.recorder)
        return query(model)

    async def submit(submission: Any) -> Any:
        return ledger.apply_each([submission])[0]

    home = settings.home
    ctx = Context(settings, ledger, EvidenceStore(home), Keys(home), read, submit, unit_parent(ledger))

    def close() -> None:
        model.close()
        ledger.close()

    return ctx, close


def timed(call: Any) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--per-unit", type=int, default=20)
    parser.add_argument("--calls", type=int, default=5)
    parser.add_argument("--issues", type=int, default=2000, help="整改 issues owned by the units")
    args = parser.parse_args()

    from api.infra.settings import Settings
    from api.services import assessment as ax
    from api.services import reads
    from api.services import rectification as rect
    from api.services.context import Unrestricted
    from domain.assessment import ScoreSheet
    from domain.rectification import EvidenceLink, Issue

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(home=Path(tmp), database_url=None, tz="Asia/Shanghai", user="bench")
        ctx, close = context_for(settings)
        actor = Unrestricted("bench")
        start = time.perf_counter()
        outcome = ctx.ledger.apply(list(enumerate(lines(args.units, args.per_unit), 1)), "bench")
        assert outcome.ok, outcome.errors[:3]
        definition = system()
        ax.define(ctx, actor, "county", "K", 2025, definition)
        units = {f"u{u:03d}": ("department" if u % 2 else "town") for u in range(args.units)}
        ax.assign(ctx, actor, "county", "K", units)
        # A fifth of the units self-assessed and submitted: written as the use-cases write them (the domain's
        # aggregate, saved in one go), since the use-case returns each unit's recomputed sheet (untimed setup).
        judged = [i for i in definition["indicators"] if i.get("rule", {}).get("type") == "judgement"]
        sheets = []
        for u in list(units)[: args.units // 5]:
            sheet = ScoreSheet("county", "K", u, "bench")
            for item in judged[:10]:
                if not item.get("applies_to") or units[u] in item["applies_to"]:
                    sheet.self_assess(item["code"], 1.0, "自评", "bench")
            sheet.submit("bench", [])
            sheets.append(sheet)
        ctx.ledger.save(*sheets)
        # Issues the county assigned, a third of them signed off (the domain's aggregates, saved in one go).
        issues = []
        for n in range(args.issues):
            owner = f"u{n % args.units:03d}"
            issue = Issue(
                "county", f"ZG-{n}", owner, "patrol", "问题", "", "2025-03-01", "2025-09-30", None, "bench", ""
            )
            if n % 3 == 0:
                issue.plan("整改", "bench")
                issue.add_evidence(EvidenceLink("activity", f"{owner}/A-0", "A-0", "bench"))
                issue.complete(date(2025, 6, 1), "完成", "bench", date(2025, 12, 31))
                issue.verify(True, date(2025, 6, 2), "同意", "checker", date(2025, 12, 31))
            issues.append(issue)
        ctx.ledger.save(*issues)
        middle = datetime.now(UTC)
        ctx.ledger.apply([(1, {"id": "late", "op": "record", "unit": "u001", "kind": "study_session", "ref": "L-1",
                               "date": "2025-06-01", "data": {"form": "central_group", "topic": "宪法",
                                                              "attendees": 9}})], "bench")  # fmt: skip
        ctx.read(lambda m: None)  # catch up, untimed
        setup = time.perf_counter() - start
        table = ax.table(ctx, actor, "county", "K")
        assert len(table.sheets) == args.units and all(s.leaves in (104, 115) for s in table.sheets)
        runs: dict[str, list[float]] = {"report": [], "table": [], "table as of": [], "issues": [], "reminders": []}
        for _ in range(args.calls):
            # as of now: computed each time (a current report is served from the read model's cache)
            runs["report"].append(timed(lambda: reads.report(ctx, actor, "county", 2025, datetime.now(UTC))))
            runs["table"].append(timed(lambda: ax.table(ctx, actor, "county", "K")))
            runs["table as of"].append(timed(lambda: ax.table(ctx, actor, "county", "K", middle)))
            runs["issues"].append(timed(lambda: rect.issues(ctx, actor, "county")))
            runs["reminders"].append(timed(lambda: rect.reminders(ctx, actor, "county")))
        close()
    base = statistics.median(runs["report"])
    print(f"setup (untimed) {setup:.1f} s; {args.units} units, 115 indicators, {args.calls} calls each")
    print("| call | median s | min–max s | vs report | target | |")
    print("|---|---:|---:|---:|---|---|")
    for name, times in runs.items():
        med = statistics.median(times)
        target = f"≤ {TARGET_S:g} s" if name.startswith("table") else ""
        met = ("met" if med <= TARGET_S else "NOT met") if target else ""
        label = {"report": "county report (baseline)", "issues": f"issue list ({args.issues})",
                 "reminders": f"reminders ({args.issues} issues)"}.get(name, f"assessment {name}")  # fmt: skip
        print(f"| {label} | {med:.3f} | {min(times):.3f}–{max(times):.3f} | {med / base:.2f}× | {target} | {met} |")


if __name__ == "__main__":
    main()
