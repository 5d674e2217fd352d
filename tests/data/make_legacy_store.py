"""Write the legacy store of tests/data/legacy-2025 with the code of the day (run once, then keep the output).

The store was written by main at d6f0c4a (before DOMAIN.md §7): two units in a hierarchy, every kind of §2,
steps, corrections and voids of activities and of steps, and a seal. `test_legacy_store.py` checks that every
later version opens, reports and verifies it identically. To write it again from that version (the script
refuses to overwrite): `git archive d6f0c4a | tar -x -C /tmp/old`, copy this script to /tmp/old/tests/data/,
run it there with PYTHONPATH=/tmp/old:/tmp/old/tests, and copy /tmp/old/tests/data/legacy-2025 here.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from api.audit_service import make_seal  # noqa: E402
from conftest import (  # noqa: E402
    case,
    correct,
    exam,
    instant,
    make,
    petition,
    proposal,
    rec,
    request,
    step,
    study,
    unit,
    void,
)

OUT = HERE / "legacy-2025"


def lines() -> list[dict]:
    p, c = "district", "centre"
    hear = step("C-1", "hearing", "2025-03-01", unit=c, head_appeared=True)
    dup_visit = step("P-1", "visit", "2025-02-03", unit=c, persons=2)
    return [
        unit(p, "某区住房和城乡建设局"),
        unit(c, "某区城市更新中心", parent=p),
        study("S-1", "2025-01-10", unit=c, laws=["民法典"], speeches=3, led_by_head=True),
        study("S-2", "2025-02-10", unit=c, form="business_training", attendees=25),
        study("S-3", "2024-05-10", unit=c, form="party_lecture"),
        study("S-4", "2025-03-10", unit=p, form="party_group", attendees=7),
        rec("study_writing", "W-1", "2025-01-20", unit=c, genre="notes", count=12),
        rec("study_writing", "W-2", "2025-01-21", unit=c, genre="reflection"),
        rec(
            "publicity_event",
            "PE-1",
            "2025-04-15",
            unit=c,
            theme="宪法宣传周",
            form="community",
            audience=300,
            materials=500,
            consultations=40,
            laws=["宪法"],
        ),
        petition("P-1", "2025-02-01", unit=c, persons=3),
        dup_visit,
        void("P-1", target=dup_visit, unit=c),
        step("P-1", "visit", "2025-02-04", unit=c, persons=1),
        step("P-1", "acknowledged", "2025-02-05", unit=c),
        step("P-1", "extended", "2025-03-20", unit=c, days=30),
        step("P-1", "replied", "2025-04-10", unit=c, result="已答复"),
        step("P-1", "concluded", "2025-04-20", unit=c),
        petition("P-2", "2024-11-20", unit=c, channel="letter", category="suggestion"),
        petition("P-3", "2025-05-01", unit=c, channel="online"),
        case("C-1", "2024-12-01", unit=c, case_no="(2024)京0101行初1号", instance="first"),
        hear,
        step("C-1", "coordination", "2025-03-05", unit=c),
        step("C-1", "decided", "2025-04-01", unit=c, outcome="partially_lost"),
        step("C-1", "closed", "2025-04-20", unit=c),
        case("C-2", "2025-02-01", "reconsideration", unit=c),
        step("C-2", "decided", "2025-05-01", unit=c, outcome="revoked"),
        case("C-3", "2025-03-01", "enforcement", unit=c, role="plaintiff"),
        step("C-3", "resolved", "2025-06-01", unit=c),
        case("C-4", "2025-03-02", "civil_litigation", unit=c),
        correct("C-4", unit=c, case_type="arbitration", reason="案件类型录错"),
        case("C-5", "2025-03-03", unit=c),
        void("C-5", unit=c),
        rec("normative_document", "N-1", "2025-06-01", unit=p, action="reviewed", title="某规定", count=2),
        rec("normative_document", "N-2", "2025-06-02", unit=p, action="abolished", title="某办法"),
        rec("disclosure", "D-1", "2025-01-05", unit=c, channel="区政府网站", title="征收决定", items=4),
        request("DR-1", "2024-12-20", unit=c),
        step("DR-1", "replied", "2025-01-10", unit=c, result="disclosed"),
        request("DR-2", "2025-06-01", unit=c),
        step("DR-2", "extended", "2025-06-20", unit=c),
        proposal("PR-1", "2025-03-01", unit=c, complex=True),
        step("PR-1", "meeting", "2025-03-10", unit=c),
        step("PR-1", "contacted", "2025-03-15", unit=c, form="face"),
        step("PR-1", "replied", "2025-05-01", unit=c, grade="A"),
        step("PR-1", "feedback", "2025-05-10", unit=c, satisfaction="basically_satisfied"),
        proposal("PR-2", "2025-03-02", "cppcc", unit=c, role="assist"),
        rec(
            "legal_review",
            "LR-1",
            "2025-02-01",
            unit=c,
            subject="contract",
            title="征收补偿协议",
            reviewer="legal_advisor",
        ),
        rec(
            "legal_review",
            "LR-2",
            "2025-02-02",
            unit=c,
            subject="major_decision",
            title="片区改造方案",
            reviewer="in_house",
        ),
        rec("meeting", "M-1", "2025-01-15", unit=c, form="party_group", topic="研究法治工作", rule_of_law_agenda=True),
        rec("meeting", "M-2", "2025-02-15", unit=c, form="director_office", topic="日常工作", rule_of_law_agenda=False),
        correct("M-2", unit=c, date="2025-02-16", rule_of_law_agenda=True),
        rec("inspection", "I-1", "2025-07-01", unit=c, subject="征收协议签订", findings=5, rectified=4),
        exam("E-1", "2025-06-15", 40, 38, 36, unit=c),
        exam("E-2", "2024-06-15", 30, 30, 29, unit=c),
        correct("E-1", unit=c, passed=35),
        rec("study_session", "S-5", "2025-08-01", unit=p, form="central_group", topic="学习", attendees=9),
        void("S-5", unit=p, reason="录入错误"),
    ]


def main() -> None:
    if OUT.exists():
        raise SystemExit(f"{OUT} exists: the legacy store is written once and kept")
    env = make(OUT, user="legacy")
    env.ok(*lines())
    with env.read_model() as model:  # a seal too: verify must still reproduce what it froze
        make_seal(env.settings, env.ledger, model, "centre", 2025, "legacy")
    as_of = instant()
    expected = {}
    with env.read_model() as model:
        for u in ("district", "centre"):
            for y in (2024, 2025):
                expected[f"{u}-{y}"] = model.report(u, y, as_of).to_json()
        log = model.log()
    (OUT / "expected.json").write_text(
        json.dumps({"as_of": as_of.isoformat(), "log": log, "reports": expected}, ensure_ascii=False, indent=1) + "\n"
    )
    for p in OUT.iterdir():
        if p.name not in ("events.db", "expected.json"):
            shutil.rmtree(p) if p.is_dir() else p.unlink()
    print(OUT, log)


if __name__ == "__main__":
    main()
