"""The 64 figures of DOMAIN.md §3, their checks and the report JSON of §5.

Expected values are worked out by hand in the comments beside each scenario, never by calling the
code under test. Most tests only read one shared ledger (built once per module); tests that need
the clock (as-of, late entries) build their own.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from conftest import (
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

from projections.report import UnknownUnit

MAIN = "u1"


def at(code: str, *lines: dict) -> list[dict]:
    """The same lines for another unit."""
    return [{**line, "unit": code} for line in lines]


def writing(ref, date, genre, **kw):
    return rec("study_writing", ref, date, genre=genre, **kw)


def publicity(ref, date, form="street", **kw):
    return rec("publicity_event", ref, date, theme="宪法宣传周", form=form, **kw)


def normdoc(ref, date, action, **kw):
    return rec("normative_document", ref, date, action=action, title="关于征收补偿的规定", **kw)


def disclosure(ref, date, **kw):
    return rec("disclosure", ref, date, channel="区政府网站", title="征收决定公告", **kw)


def review(ref, date, subject, reviewer):
    return rec("legal_review", ref, date, subject=subject, title="合同审查", reviewer=reviewer)


def meeting(ref, date, form, agenda):
    return rec("meeting", ref, date, form=form, topic="研究法治工作", rule_of_law_agenda=agenda)


def inspection(ref, date, **kw):
    return rec("inspection", ref, date, subject="征收协议签订", **kw)


# ---------------------------------------------------------------------------------------------
# The main scenario: unit u1, years 2024 and 2025, every kind, with the traps built in.
# ---------------------------------------------------------------------------------------------


def main_scenario() -> list[dict]:
    L: list[dict] = [unit(MAIN, "测试城市更新中心")]

    # study sessions. 2025 live: SS-1, SS-2, SS-3, SS-4, SS-C (moved in from 2024). SS-V voided.
    L += [
        study("SS-0", "2024-12-31", form="central_group", attendees=5, laws=["宪法"]),
        study("SS-1", "2025-01-01", form="central_group", attendees=10, speeches=2, laws=["宪法"]),
        study("SS-2", "2025-03-05", form="business_training", attendees=20, laws=["民法典", "行政诉讼法"]),
        study("SS-3", "2025-06-01", form="party_lecture", attendees=15, speeches=5),
        correct("SS-3", speeches=None, reason="发言次数记错，清空"),
        study("SS-4", "2025-12-31", form="party_lecture", attendees=7, speeches=3, laws=[]),
        study("SS-V", "2025-05-05", form="lecture", attendees=100, speeches=9, laws=["土地管理法"]),
        void("SS-V", reason="重复录入"),
        study("SS-C", "2024-12-30", form="online", attendees=4, speeches=1),
        correct("SS-C", date="2025-02-02", attendees=6, reason="日期和人数录错"),
    ]
    # study writing
    L += [
        writing("SW-1", "2025-02-01", "notes", count=3),
        writing("SW-2", "2025-02-02", "notes"),  # count defaults to 1
        writing("SW-3", "2025-03-03", "reflection", count=2),
        writing("SW-4", "2024-05-05", "reflection", count=4),
    ]
    # exams: 625 of 800 took part = 78.125 % -> 78.13; 600 of 625 passed = 96 %
    L += [exam("KS-1", "2025-04-01", 800, 625, 600), exam("KS-2", "2025-12-31", 0, 0, 0)]
    # publicity
    L += [
        publicity("PF-1", "2025-01-10", audience=100, materials=50, consultations=5),
        publicity("PF-2", "2025-07-01", form="online", materials=0),
        publicity("PF-3", "2024-07-01", form="school", audience=30, materials=10, consultations=2),
    ]
    # petitions (deadline: date + 60 days + live extension days)
    xf4_reply = step("XF-4", "replied", "2025-06-10")
    xf6_ext = step("XF-6", "extended", "2025-08-05", days=30)
    L += [
        petition("XF-1", "2025-01-05", channel="visit", persons=3),
        step("XF-1", "acknowledged", "2025-01-10"),
        step("XF-1", "replied", "2025-02-01"),
        step("XF-1", "concluded", "2025-03-06"),  # exactly day 60: on time
        petition("XF-2", "2025-02-01", channel="letter"),
        step("XF-2", "extended", "2025-03-01", days=10),
        step("XF-2", "replied", "2025-04-10"),
        step("XF-2", "concluded", "2025-04-12"),  # exactly day 70: on time
        petition("XF-3", "2025-03-01", channel="online"),
        step("XF-3", "visit", "2025-03-10", persons=2),
        step("XF-3", "concluded", "2025-05-01"),  # day 61: late
        petition("XF-4", "2025-06-01", channel="visit", persons=2, category="suggestion"),
        xf4_reply,
        void("XF-4", target=xf4_reply, reason="答复未送达"),
        step("XF-4", "visit", "2026-01-05", persons=4),  # a 2026 visit
        petition("XF-5", "2024-11-01", channel="visit", persons=5, category="complaint"),
        step("XF-5", "replied", "2024-12-01"),
        step("XF-5", "visit", "2025-01-02", persons=1),  # a 2025 visit on a 2024 petition
        petition("XF-6", "2025-08-01", channel="visit", persons=1),
        xf6_ext,
        void("XF-6", target=xf6_ext, reason="延期未经批准"),
        step("XF-6", "concluded", "2025-10-15"),  # Sep 30 was the deadline without the voided extension
    ]
    # cases
    aj9_first = step("AJ-9", "decided", "2025-04-01", outcome="upheld")
    aj13_closed = step("AJ-13", "closed", "2024-12-31")
    L += [
        case("AJ-1", "2024-03-01"),
        step("AJ-1", "hearing", "2024-06-01", head_appeared=True),
        step("AJ-1", "decided", "2024-09-01", outcome="lost"),
        step("AJ-1", "closed", "2024-12-31"),
        case("AJ-2", "2024-10-01"),
        step("AJ-2", "hearing", "2025-01-01", head_appeared=False),
        step("AJ-2", "hearing", "2025-03-01", head_appeared=True),
        step("AJ-2", "decided", "2025-05-01", outcome="withdrawn"),
        step("AJ-2", "closed", "2025-06-01"),
        case("AJ-3", "2025-02-01"),
        step("AJ-3", "hearing", "2025-04-01"),
        step("AJ-3", "decided", "2025-12-31", outcome="partially_lost"),
        case("AJ-4", "2025-03-01"),
        step("AJ-4", "coordination", "2025-04-01"),
        step("AJ-4", "decided", "2025-06-01", outcome="won"),
        case("AJ-5", "2023-05-01", "civil_litigation"),
        step("AJ-5", "decided", "2024-12-31", outcome="mediated"),
        step("AJ-5", "closed", "2025-01-01"),
        case("AJ-6", "2025-05-01", "enforcement"),
        step("AJ-6", "resolved", "2025-07-01"),
        step("AJ-6", "coordination", "2025-07-01"),
        step("AJ-6", "coordination", "2025-08-01"),
        case("AJ-7", "2024-05-01", "enforcement"),
        step("AJ-7", "resolved", "2024-06-01"),
        step("AJ-7", "closed", "2024-07-01"),
        case("AJ-8", "2025-01-15", "reconsideration", role="defendant"),
        step("AJ-8", "decided", "2025-03-01", outcome="revoked"),
        case("AJ-9", "2025-02-15", "reconsideration"),
        aj9_first,
        void("AJ-9", target=aj9_first, reason="决定书日期录错"),
        step("AJ-9", "decided", "2025-04-20", outcome="upheld"),
        case("AJ-10", "2025-06-01", "civil_litigation"),
        step("AJ-10", "decided", "2025-08-01", outcome="mediated"),
        step("AJ-10", "resolved", "2025-08-02"),
        case("AJ-11", "2025-07-01", "arbitration", role="plaintiff"),
        case("AJ-12", "2025-09-01"),
        step("AJ-12", "hearing", "2025-10-01", head_appeared=True),
        step("AJ-12", "decided", "2025-10-02", outcome="lost"),
        void("AJ-12", reason="非本单位案件"),
        case("AJ-13", "2024-06-01"),
        aj13_closed,
        void("AJ-13", target=aj13_closed, reason="尚未结案"),
    ]
    # normative documents
    L += [
        normdoc("GF-1", "2025-01-20", "reviewed", count=3),
        normdoc("GF-2", "2025-02-20", "reviewed"),
        normdoc("GF-3", "2025-03-20", "filed", count=2),
        normdoc("GF-4", "2025-04-20", "abolished", count=4),
        normdoc("GF-5", "2025-05-20", "invalidated"),
        normdoc("GF-6", "2025-06-20", "amended", count=2),
        normdoc("GF-7", "2025-07-20", "retained", count=5),
        normdoc("GF-8", "2024-08-20", "reviewed", count=6),
    ]
    # proactive disclosure; GK-9 is moved into 2025 and then voided
    L += [
        disclosure("GK-1", "2025-01-01", items=10),
        disclosure("GK-2", "2025-05-01"),
        disclosure("GK-3", "2024-05-01", items=7),
        disclosure("GK-9", "2024-06-01", items=50),
        correct("GK-9", date="2025-06-01"),
        void("GK-9", reason="重复公开"),
    ]
    # disclosure requests
    ys6_first = step("YS-6", "replied", "2024-12-31", result="disclosed")
    L += [
        request("YS-1", "2024-12-20"),
        step("YS-1", "replied", "2025-01-05", result="disclosed"),
        request("YS-2", "2024-06-01"),
        step("YS-2", "replied", "2024-06-20", result="refused"),
        request("YS-3", "2025-03-01"),
        step("YS-3", "extended", "2025-03-10"),
        step("YS-3", "replied", "2025-03-15", result="partial"),
        request("YS-4", "2025-12-31"),
        request("YS-5", "2025-11-01"),
        step("YS-5", "replied", "2026-01-10", result="not_exist"),
        request("YS-6", "2024-12-31"),
        ys6_first,
        void("YS-6", target=ys6_first, reason="未实际答复"),
        step("YS-6", "replied", "2025-02-01", result="other"),
    ]
    # proposals
    jy4_meeting = step("JY-4", "meeting", "2026-01-05")
    L += [
        proposal("JY-1", "2025-01-10", "npc"),
        step("JY-1", "meeting", "2025-02-01"),
        step("JY-1", "contacted", "2025-02-05", form="face"),
        step("JY-1", "replied", "2025-03-01", grade="A"),
        step("JY-1", "feedback", "2025-03-10", satisfaction="satisfied"),
        proposal("JY-2", "2025-02-10", "npc", role="assist"),
        step("JY-2", "contacted", "2026-01-15"),
        step("JY-2", "feedback", "2025-04-01", satisfaction="basically_satisfied"),
        proposal("JY-3", "2025-03-10", "cppcc"),
        step("JY-3", "meeting", "2025-04-01"),
        step("JY-3", "contacted", "2025-04-05", form="phone"),
        step("JY-3", "replied", "2025-05-01"),
        step("JY-3", "feedback", "2025-06-01", satisfaction="unsatisfied"),
        proposal("JY-4", "2025-12-31", "cppcc"),
        jy4_meeting,
        void("JY-4", target=jy4_meeting, reason="会议取消"),
        proposal("JY-5", "2024-05-01", "npc"),
        step("JY-5", "replied", "2024-07-01"),
        step("JY-5", "feedback", "2024-08-01", satisfaction="satisfied"),
        step("JY-5", "meeting", "2025-01-05"),
    ]
    # legal reviews; FG-2 corrected twice
    L += [
        review("FG-1", "2025-01-01", "major_decision", "legal_advisor"),
        review("FG-2", "2025-02-01", "contract", "in_house"),
        correct("FG-2", title="征收补偿协议审查"),
        correct("FG-2", title="征收补偿协议合法性审查"),
        review("FG-3", "2025-03-01", "contract", "legal_advisor"),
        review("FG-4", "2025-04-01", "consultation", "legal_advisor"),
        review("FG-5", "2024-04-01", "major_decision", "in_house"),
    ]
    # meetings; HY-5 moved from 2025 back into 2024
    L += [
        meeting("HY-1", "2025-01-01", "party_group", True),
        meeting("HY-2", "2025-02-01", "director_office", False),
        meeting("HY-3", "2025-03-01", "special", True),
        meeting("HY-4", "2024-12-31", "other", True),
        meeting("HY-5", "2025-01-01", "other", False),
        correct("HY-5", date="2024-12-30"),
    ]
    # inspections
    L += [
        inspection("JC-1", "2025-05-01", findings=5, rectified=4),
        inspection("JC-2", "2025-06-01"),
        inspection("JC-3", "2024-06-01", findings=2, rectified=2),
    ]
    return L


SS_2025 = ["SS-1", "SS-2", "SS-3", "SS-4", "SS-C"]
XF_2025 = ["XF-1", "XF-2", "XF-3", "XF-4", "XF-6"]
JY_2025 = ["JY-1", "JY-2", "JY-3", "JY-4"]
LIVE_2025 = sorted(
    SS_2025
    + ["SW-1", "SW-2", "SW-3", "KS-1", "KS-2", "PF-1", "PF-2"]
    + XF_2025
    + ["AJ-3", "AJ-4", "AJ-6", "AJ-8", "AJ-9", "AJ-10", "AJ-11"]
    + [f"GF-{i}" for i in range(1, 8)]
    + ["GK-1", "GK-2", "YS-3", "YS-4", "YS-5"]
    + JY_2025
    + ["FG-1", "FG-2", "FG-3", "FG-4"]
    + ["HY-1", "HY-2", "HY-3", "JC-1", "JC-2"]
)
assert len(LIVE_2025) == 49

# figure id -> (value in 2025, previous = value in 2024, sources in 2025 in code-point order)
EXPECTED: dict[str, tuple] = {
    "study.sessions": (4, 1, ["SS-1", "SS-3", "SS-4", "SS-C"]),
    "study.business_trainings": (1, 0, ["SS-2"]),
    "study.party_lectures": (2, 0, ["SS-3", "SS-4"]),
    "study.law_sessions": (2, 1, ["SS-1", "SS-2"]),  # SS-4 has an empty list
    "study.speeches": (6, 0, SS_2025),  # 2 + 3 + 1; SS-2 absent and SS-3 cleared still listed
    "study.attendance": (58, 5, SS_2025),  # 10 + 20 + 15 + 7 + 6
    "study.notes": (4, 0, ["SW-1", "SW-2"]),
    "study.reflections": (2, 4, ["SW-3"]),
    "exam.sessions": (2, 0, ["KS-1", "KS-2"]),
    "exam.participation_rate": (78.13, None, ["KS-1", "KS-2"]),
    "exam.pass_rate": (96.0, None, ["KS-1", "KS-2"]),
    "publicity.events": (2, 1, ["PF-1", "PF-2"]),
    "publicity.audience": (100, 30, ["PF-1", "PF-2"]),
    "publicity.materials": (50, 10, ["PF-1", "PF-2"]),
    "publicity.consultations": (5, 2, ["PF-1", "PF-2"]),
    "petition.received": (5, 1, XF_2025),
    "petition.visitors": (9, 5, ["XF-1", "XF-3", "XF-4", "XF-5", "XF-6"]),  # 3 + 2 + 2 + 1 + 1
    "petition.reply_rate": (40.0, 100.0, XF_2025),  # XF-1, XF-2 of 5 (XF-4's reply voided)
    "petition.on_time_rate": (50.0, None, ["XF-1", "XF-2", "XF-3", "XF-6"]),
    "case.handled": (10, 5, ["AJ-10", "AJ-11", "AJ-13", "AJ-2", "AJ-3", "AJ-4", "AJ-5", "AJ-6", "AJ-8", "AJ-9"]),
    "case.admin_litigation": (4, 3, ["AJ-13", "AJ-2", "AJ-3", "AJ-4"]),
    "case.civil_litigation": (2, 1, ["AJ-10", "AJ-5"]),
    "case.enforcement": (1, 1, ["AJ-6"]),
    "case.reconsideration": (2, 0, ["AJ-8", "AJ-9"]),
    "case.new": (7, 4, ["AJ-10", "AJ-11", "AJ-3", "AJ-4", "AJ-6", "AJ-8", "AJ-9"]),
    "case.hearings": (3, 1, ["AJ-2", "AJ-3"]),
    "case.coordinations": (3, 0, ["AJ-4", "AJ-6"]),
    "case.mediated": (1, 1, ["AJ-10"]),
    "case.resolved": (2, 1, ["AJ-10", "AJ-6"]),
    "case.enforcement_resolved": (1, 1, ["AJ-6"]),
    "case.admin_concluded": (3, 1, ["AJ-2", "AJ-3", "AJ-4"]),
    "case.admin_lost": (1, 1, ["AJ-3"]),
    "case.admin_loss_rate": (33.33, 100.0, ["AJ-2", "AJ-3", "AJ-4"]),  # withdrawn is not lost
    "case.head_appearance_rate": (50.0, 100.0, ["AJ-2", "AJ-3"]),
    "reconsideration.concluded": (2, 0, ["AJ-8", "AJ-9"]),
    "reconsideration.corrected": (1, 0, ["AJ-8"]),
    "reconsideration.correction_rate": (50.0, None, ["AJ-8", "AJ-9"]),
    "normdoc.reviewed": (4, 6, ["GF-1", "GF-2"]),
    "normdoc.filed": (2, 0, ["GF-3"]),
    "normdoc.abolished": (5, 0, ["GF-4", "GF-5"]),
    "normdoc.amended": (2, 0, ["GF-6"]),
    "disclosure.proactive": (11, 7, ["GK-1", "GK-2"]),
    "disclosure.requests_received": (3, 3, ["YS-3", "YS-4", "YS-5"]),
    "disclosure.requests_carried_in": (2, 0, ["YS-1", "YS-6"]),
    "disclosure.requests_replied": (3, 1, ["YS-1", "YS-3", "YS-6"]),
    "disclosure.requests_carried_out": (2, 2, ["YS-4", "YS-5"]),
    "proposal.npc": (2, 1, ["JY-1", "JY-2"]),
    "proposal.cppcc": (2, 0, ["JY-3", "JY-4"]),
    "proposal.meeting_rate": (50.0, 100.0, JY_2025),
    "proposal.contact_rate": (75.0, 0.0, JY_2025),
    "proposal.reply_rate": (50.0, 100.0, JY_2025),
    "proposal.satisfaction_rate": (66.67, 100.0, ["JY-1", "JY-2", "JY-3"]),
    "legal.reviews": (4, 1, ["FG-1", "FG-2", "FG-3", "FG-4"]),
    "legal.decision_reviews": (1, 1, ["FG-1"]),
    "legal.contract_reviews": (2, 0, ["FG-2", "FG-3"]),
    "legal.advisor_engagements": (3, 0, ["FG-1", "FG-3", "FG-4"]),
    "governance.meetings": (3, 2, ["HY-1", "HY-2", "HY-3"]),
    "governance.rule_of_law_meetings": (2, 1, ["HY-1", "HY-3"]),
    "governance.inspections": (2, 1, ["JC-1", "JC-2"]),
    "governance.issues_found": (5, 2, ["JC-1", "JC-2"]),
    "governance.issues_rectified": (4, 2, ["JC-1", "JC-2"]),
    "audit.late_entries": (49, 18, LIVE_2025),  # everything here was entered in 2026
    "audit.corrections": (5, 1, ["FG-2", "GK-9", "SS-3", "SS-C"]),
    "audit.voided": (3, 0, ["AJ-12", "GK-9", "SS-V"]),
}
RATES = sorted(fid for fid, (value, _, _) in EXPECTED.items() if isinstance(value, float))

# Roll-up: hq > c-a > c-a-1, hq > c-b; `other` is not a descendant.
ROLLUP = (
    [
        unit("hq", "总部"),
        unit("c-a", "甲中心", parent="hq"),
        unit("c-a-1", "甲中心一所", parent="c-a"),
        unit("c-b", "乙中心", parent="hq"),
        unit("other", "无关单位"),
    ]
    + at("hq", study("X-1", "2025-02-01", attendees=1), study("d-1", "2025-03-01", attendees=2))
    + at(
        "c-a",
        study("A-1", "2025-02-01", attendees=10),
        study("A-2", "2025-02-02", attendees=20),
        exam("E-1", "2025-05-01", 10, 10, 5),
    )
    + at("c-a-1", study("G-1", "2025-04-01", attendees=100))
    + at(
        "c-b",
        study("B-1", "2025-05-01", attendees=1000),
        study("B-0", "2024-05-01", attendees=7),
        exam("E-1", "2025-06-01", 30, 15, 15),
    )
    + at("other", study("O-1", "2025-05-01", attendees=5000))
)

# Cases open across years, unit `open`: which are handled in 2025?
OPEN_CASES = {
    "closed-2024-12-31": (
        [case("closed-2024-12-31", "2024-01-01"), step("closed-2024-12-31", "closed", "2024-12-31")],
        False,
    ),
    "closed-2025-01-01": (
        [case("closed-2025-01-01", "2024-01-01"), step("closed-2025-01-01", "closed", "2025-01-01")],
        True,
    ),
    "closed-2025-12-31": (
        [case("closed-2025-12-31", "2025-12-31"), step("closed-2025-12-31", "closed", "2025-12-31")],
        True,
    ),
    "closed-2026": ([case("closed-2026", "2023-01-01"), step("closed-2026", "closed", "2026-01-02")], True),
    "never-closed-2020": ([case("never-closed-2020", "2020-01-01")], True),
    "filed-2026-01-01": ([case("filed-2026-01-01", "2026-01-01")], False),
}

# Rounding half away from zero: (eligible, participants, passed) -> (participation %, pass %)
ROUNDING = [
    ((8, 1, 1), (12.5, 100.0)),
    ((8, 5, 1), (62.5, 20.0)),
    ((3, 1, 1), (33.33, 100.0)),
    ((3, 2, 2), (66.67, 100.0)),
    ((800, 625, 500), (78.13, 80.0)),  # 78.125 exactly
    ((800, 1, 1), (0.13, 100.0)),  # 0.125 exactly: banker's rounding would give 0.12
    ((8, 3, 1), (37.5, 33.33)),
    ((6, 6, 5), (100.0, 83.33)),  # 83.333...
    ((6, 6, 1), (100.0, 16.67)),  # 16.666...
]


def rounding_unit_and_year(case_no: int) -> tuple[str, int]:
    """Two rounding cases per unit: one as the 2025 value, one as its 2024 `previous`."""
    return f"rd-{case_no // 2}", 2025 - case_no % 2


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    env = make(tmp_path_factory.mktemp("figures"))
    lines = main_scenario() + ROLLUP + [unit("empty", "空单位"), unit("open", "跨年案件")]
    for case_lines, _ in OPEN_CASES.values():
        lines += at("open", *case_lines)
    for i, ((eligible, participants, passed), _) in enumerate(ROUNDING):
        code, year = rounding_unit_and_year(i)
        if year == 2025:
            lines.append(unit(code))
        lines += at(code, exam(f"KS-{year}", f"{year}-06-01", eligible, participants, passed))
    env.ok(*lines)
    return env


# ---- every figure, by hand ----


def test_report_has_the_64_figures_of_section_3(world):
    # Beside the 68 of DOMAIN.md §7.5 (their ids are checked in test_figures7.py).
    figures = world.report()["figures"]
    assert set(EXPECTED) <= set(figures) and len(figures) == 64 + 68
    assert len(EXPECTED) == 64


@pytest.mark.parametrize("fid", list(EXPECTED))
def test_figure_value(world, fid):
    assert world.value(fid) == EXPECTED[fid][0]


@pytest.mark.parametrize("fid", list(EXPECTED))
def test_figure_previous_is_the_hand_computed_2024_value(world, fid):
    assert world.figure(fid)["previous"] == EXPECTED[fid][1]


@pytest.mark.parametrize("fid", list(EXPECTED))
def test_figure_sources(world, fid):
    assert world.figure(fid)["sources"] == EXPECTED[fid][2]


@pytest.mark.parametrize("fid", list(EXPECTED))
def test_previous_equals_the_figure_for_the_year_before(world, fid):
    assert world.figure(fid)["previous"] == world.value(fid, year=2024)


def test_counts_are_ints_and_rates_are_floats(world):
    for fid, f in world.report()["figures"].items():
        if f["unit"] in ("%", "分"):  # rates, and the mean score of DOMAIN.md §7.5
            assert f["value"] is None or type(f["value"]) is float, fid
        elif f["unit"] == "元":  # money (§7.1): a string with exactly two decimals
            assert re.fullmatch(r"[0-9]+\.[0-9]{2}", f["value"]) and re.fullmatch(r"[0-9]+\.[0-9]{2}", f["previous"])
        else:
            assert type(f["value"]) is int and type(f["previous"]) is int, fid


def test_figures_carry_their_label_and_unit(world):
    figures = world.report()["figures"]
    assert figures["study.sessions"]["label"] == "各类学习活动" and figures["study.sessions"]["unit"] == "次"
    assert figures["case.admin_loss_rate"]["unit"] == "%"
    assert figures["petition.visitors"]["unit"] == "人次"


def test_report_names_the_unit_and_year(world):
    r = world.report()
    assert (r["unit"], r["unit_name"], r["year"]) == (MAIN, "测试城市更新中心", 2025)


# ---- the traps, spelled out ----


def test_dec_31_counts_in_its_year_and_jan_1_in_the_next(world):
    assert "SS-4" in world.figure("study.sessions")["sources"]  # 2025-12-31
    assert "SS-1" in world.figure("study.sessions")["sources"]  # 2025-01-01
    assert "SS-0" not in world.figure("study.sessions")["sources"]  # 2024-12-31
    assert world.figure("study.sessions", year=2024)["sources"] == ["SS-0"]


def test_correction_moves_an_activity_into_another_year(world):
    assert "SS-C" in world.figure("study.attendance")["sources"]
    assert "SS-C" not in world.figure("study.attendance", year=2024)["sources"]
    assert world.figure("governance.meetings", year=2024)["sources"] == ["HY-4", "HY-5"]
    assert world.figure("audit.corrections", year=2024)["sources"] == ["HY-5"]


def test_corrected_value_replaces_the_old_one(world):
    rows = {r["ref"]: r["num"] for r in world.explain("study.attendance")}
    assert rows == {"SS-1": 10, "SS-2": 20, "SS-3": 15, "SS-4": 7, "SS-C": 6}


def test_optional_field_cleared_by_correction_counts_as_absent(world):
    rows = {r["ref"]: r["num"] for r in world.explain("study.speeches")}
    assert rows == {"SS-1": 2, "SS-2": 0, "SS-3": 0, "SS-4": 3, "SS-C": 1}


def test_voided_step_frees_its_slot_and_does_not_count(world):
    # AJ-9's first `decided` was voided and re-recorded: one decision, counted once
    assert world.explain("reconsideration.concluded") == [
        {"source": "AJ-8", "unit": MAIN, "ref": "AJ-8", "kind": "case", "date": "2025-01-15", "num": 1},
        {"source": "AJ-9", "unit": MAIN, "ref": "AJ-9", "kind": "case", "date": "2025-02-15", "num": 1},
    ]
    # XF-4's only reply was voided: in the denominator, not the numerator
    reply = {r["ref"]: (r["num"], r["den"]) for r in world.explain("petition.reply_rate")}
    assert reply["XF-4"] == (0, 1)
    # YS-6's 2024 reply was voided, so it was still open at the end of 2024
    assert "YS-6" in world.figure("disclosure.requests_carried_out", year=2024)["sources"]


def test_voided_activity_counts_only_in_audit(world):
    report = world.report()
    for fid, f in report["figures"].items():
        if fid not in ("audit.voided", "audit.corrections"):
            assert not {"SS-V", "AJ-12", "GK-9"} & set(f["sources"]), fid
    assert "AJ-12" not in world.figure("case.hearings")["sources"]


def test_voided_extension_does_not_extend_the_deadline(world):
    on_time = {r["ref"]: r["num"] for r in world.explain("petition.on_time_rate")}
    assert on_time == {"XF-1": 1, "XF-2": 1, "XF-3": 0, "XF-6": 0}


def test_having_a_step_means_any_date_but_step_counts_use_the_step_date(world):
    # JY-2 was contacted in 2026: still "having" a contact for its 2025 proposal
    contact = {r["ref"]: r["num"] for r in world.explain("proposal.contact_rate")}
    assert contact == {"JY-1": 1, "JY-2": 1, "JY-3": 1, "JY-4": 0}
    # YS-5 was replied to in 2026: not replied in 2025, carried out of 2025
    assert "YS-5" not in world.figure("disclosure.requests_replied")["sources"]
    assert "YS-5" in world.figure("disclosure.requests_carried_out")["sources"]
    # XF-4's 2026 visit is not a 2025 visitor; XF-5's 2025 visit is
    visitors = {r["ref"]: r["num"] for r in world.explain("petition.visitors")}
    assert visitors == {"XF-1": 3, "XF-3": 2, "XF-4": 2, "XF-5": 1, "XF-6": 1}


@pytest.mark.parametrize("ref", list(OPEN_CASES))
def test_cases_open_across_years_are_handled(world, ref):
    handled = world.figure("case.handled", unit="open")["sources"]
    assert (ref in handled) is OPEN_CASES[ref][1]


def test_case_handled_counts_open_cases_of_the_year(world):
    # 2025: closed-2025-01-01, closed-2025-12-31, closed-2026, never-closed-2020
    assert world.value("case.handled", unit="open") == 4
    assert world.value("case.new", unit="open") == 1
    # 2024: closed-2024-12-31, closed-2025-01-01, closed-2026, never-closed-2020
    assert world.value("case.handled", unit="open", year=2024) == 4


@pytest.mark.parametrize("fid", RATES)
def test_zero_denominator_gives_null_rate(world, fid):
    f = world.figure(fid, unit="empty")
    assert f["value"] is None and f["previous"] is None and f["sources"] == []


def test_empty_unit_has_zero_counts(world):
    for fid, f in world.report("empty")["figures"].items():
        zero = {"%": None, "分": None, "元": "0.00"}.get(f["unit"], 0)
        assert (f["value"], f["previous"], f["sources"]) == (zero, zero, []), fid


def test_rate_with_zero_numerator_is_zero_not_null(world):
    assert world.figure("proposal.contact_rate", year=2024)["value"] == 0.0


@pytest.mark.parametrize(("case_no", "expected"), list(enumerate(e for _, e in ROUNDING)), ids=str)
def test_rates_round_half_away_from_zero(world, case_no, expected):
    code, year = rounding_unit_and_year(case_no)
    key = "value" if year == 2025 else "previous"
    assert world.figure("exam.participation_rate", unit=code)[key] == expected[0]
    assert world.figure("exam.pass_rate", unit=code)[key] == expected[1]


# ---- roll-ups ----


def test_rollup_adds_counts_of_all_descendants(world):
    assert world.value("study.sessions", unit="hq") == 6
    assert world.value("study.attendance", unit="hq") == 1 + 2 + 10 + 20 + 100 + 1000
    assert world.figure("study.sessions", unit="hq")["previous"] == 1
    assert world.value("exam.sessions", unit="hq") == 2


def test_rollup_sources_are_prefixed_and_sorted_by_code_point(world):
    assert world.figure("study.sessions", unit="hq")["sources"] == [
        "X-1",
        "c-a-1/G-1",
        "c-a/A-1",
        "c-a/A-2",
        "c-b/B-1",
        "d-1",
    ]
    assert world.figure("exam.sessions", unit="hq")["sources"] == ["c-a/E-1", "c-b/E-1"]


def test_rollup_of_a_middle_unit_covers_its_own_subtree(world):
    assert world.figure("study.sessions", unit="c-a")["sources"] == ["A-1", "A-2", "c-a-1/G-1"]
    assert world.figure("study.sessions", unit="c-b")["sources"] == ["B-1"]
    assert world.figure("study.sessions", unit="c-a-1")["sources"] == ["G-1"]


def test_rollup_recomputes_rates_from_summed_parts(world):
    # c-a: 10/10 took part, 5/10 passed; c-b: 15/30 took part, 15/15 passed
    assert world.value("exam.participation_rate", unit="c-a") == 100.0
    assert world.value("exam.participation_rate", unit="c-b") == 50.0
    assert world.value("exam.participation_rate", unit="hq") == 62.5  # 25/40, not the mean 75
    assert world.value("exam.pass_rate", unit="hq") == 80.0  # 20/25, not the mean 75


def test_rollup_excludes_units_outside_the_subtree(world):
    assert "O-1" not in str(world.report("hq")["figures"])
    assert world.value("study.attendance", unit="other") == 5000


def test_unknown_unit_is_reported(world):
    with pytest.raises(UnknownUnit):
        world.report("ghost")


# ---- checks ----


def checks(report: dict) -> dict[str, dict]:
    return {c["id"]: c for c in report["checks"]}


def test_checks_have_id_ok_message(world):
    for c in world.report()["checks"]:
        assert set(c) == {"id", "ok", "message"} and isinstance(c["ok"], bool) and c["message"]
    assert {"disclosure.balance", "exam.consistency", "petition.overdue", "audit.late_entries"} <= set(
        checks(world.report())
    )


def test_disclosure_balance_and_exam_consistency_hold(world):
    for year in (2024, 2025):
        c = checks(world.report(year=year))
        assert c["disclosure.balance"]["ok"] and c["exam.consistency"]["ok"]


def test_late_entries_check_warns(world):
    assert checks(world.report())["audit.late_entries"]["ok"] is False
    assert checks(world.report("empty"))["audit.late_entries"]["ok"] is True


def test_petition_overdue_check(world):
    # every claim petition of u1 is concluded
    assert checks(world.report())["petition.overdue"]["ok"] is True


def test_petition_overdue_check_names_open_claims(tmp_path):
    env = make(tmp_path)
    env.ok(
        unit("u1"),
        petition("XF-OPEN", "2025-01-01"),
        petition("XF-DONE", "2025-01-01"),
        step("XF-DONE", "concluded", "2025-02-01"),
        petition("XF-SUG", "2025-01-01", category="suggestion"),
    )
    c = checks(env.report(year=2025))["petition.overdue"]
    assert c["ok"] is False and "XF-OPEN" in c["message"] and "XF-DONE" not in c["message"]
    assert "XF-SUG" not in c["message"]


def test_petition_overdue_check_counts_60_days_plus_extension(tmp_path):
    env = make(tmp_path)
    today = env.ledger.today()

    def ago(days: int) -> str:
        return (today - timedelta(days=days)).isoformat()

    env.ok(
        unit("u1"),
        petition("DAY-60", ago(60)),
        petition("EXTENDED", ago(85)),
        step("EXTENDED", "extended", ago(30), days=30),
    )
    assert checks(env.report(year=today.year))["petition.overdue"]["ok"] is True
    env.ok(petition("DAY-61", ago(61)))
    c = checks(env.report(year=today.year))["petition.overdue"]
    assert c["ok"] is False and "DAY-61" in c["message"]
    assert "DAY-60" not in c["message"] and "EXTENDED" not in c["message"]


# ---- explain ----


def test_explain_lists_the_activities_behind_a_rate_with_num_and_den(world):
    rows = world.explain("exam.participation_rate")
    assert [(r["source"], r["num"], r["den"]) for r in rows] == [("KS-1", 625, 800), ("KS-2", 0, 0)]


def test_explain_in_a_rollup_uses_prefixed_sources(world):
    assert [r["source"] for r in world.explain("exam.sessions", unit="hq")] == ["c-a/E-1", "c-b/E-1"]


def test_explain_audit_voided_marks_voided_activities(world):
    rows = world.explain("audit.voided")
    assert [(r["ref"], r.get("voided")) for r in rows] == [("AJ-12", True), ("GK-9", True), ("SS-V", True)]
    assert {r["ref"]: r["date"] for r in rows}["GK-9"] == "2025-06-01"  # its date as last known


# ---- time: late entries and as-of ----


def test_late_entry_is_more_than_30_days_after_its_date(tmp_path):
    env = make(tmp_path)
    today = env.ledger.today()
    days = {"D-0": 0, "D-30": 30, "D-31": 31, "D-400": 400}
    env.ok(unit("u1"), *(study(ref, (today - timedelta(days=n)).isoformat()) for ref, n in days.items()))
    late = set()
    for year in {(today - timedelta(days=n)).year for n in days.values()}:
        late |= set(env.figure("audit.late_entries", year=year)["sources"])
    assert late == {"D-31", "D-400"}


def test_late_entry_uses_the_current_date_after_correction(tmp_path):
    env = make(tmp_path)
    today = env.ledger.today()
    recent = (today - timedelta(days=5)).isoformat()
    older = today - timedelta(days=45)
    env.ok(unit("u1"), study("D-5", recent))
    assert env.figure("audit.late_entries", year=today.year)["sources"] == []
    env.ok(correct("D-5", date=older.isoformat()))
    assert env.figure("audit.late_entries", year=older.year)["sources"] == ["D-5"]


def test_report_as_of_an_instant_equals_the_report_made_then(tmp_path):
    env = make(tmp_path)
    hearing = step("C-1", "hearing", "2025-03-01", head_appeared=True)
    env.ok(
        unit("top", "区政府"),
        unit("u1", "中心", parent="top"),
        study("SS-1", "2025-01-01", attendees=10),
        study("SS-2", "2024-06-01", attendees=3),
        case("C-1", "2025-02-01"),
        hearing,
        step("C-1", "decided", "2025-04-01", outcome="lost"),
        proposal("JY-1", "2025-01-01"),
        request("YS-1", "2024-12-01"),
        petition("XF-1", "2025-01-01"),
        exam("KS-1", "2025-03-01", 10, 8, 7),
    )
    before = {u: env.report(u, 2025) for u in ("u1", "top")}
    cut = env.instant()
    env.ok(
        unit("u2", "新单位", parent="top"),
        *at("u2", study("SS-9", "2025-01-01")),
        study("SS-3", "2025-02-01"),
        correct("SS-1", attendees=99),
        correct("SS-2", date="2025-01-02"),
        void("C-1", target=hearing),
        step("C-1", "closed", "2025-05-01"),
        step("JY-1", "replied", "2025-02-01"),
        step("YS-1", "replied", "2025-01-02", result="disclosed"),
        step("XF-1", "concluded", "2025-01-20"),
        void("KS-1"),
    )
    for u in ("u1", "top"):
        now = env.report(u, 2025)
        then = env.report(u, 2025, as_of=cut)
        assert then["figures"] != now["figures"]  # the later lines did change things
        assert then["figures"] == before[u]["figures"]
        assert then["checks"] == before[u]["checks"]
        assert then["unit_name"] == before[u]["unit_name"]
        assert then["log"]["size"] == before[u]["log"]["size"] < now["log"]["size"]
    assert env.figure("study.sessions", "top", as_of=cut)["sources"] == ["u1/SS-1"]
    assert env.figure("study.sessions", "top")["sources"] == ["u1/SS-1", "u1/SS-2", "u1/SS-3", "u2/SS-9"]


def test_renamed_unit_reports_its_new_name(tmp_path):
    env = make(tmp_path)
    env.ok(unit("u1", "旧名称"), unit("u1", "新名称"))
    assert env.report("u1", 2025)["unit_name"] == "新名称"


def test_report_uses_the_hierarchy_as_of_its_instant(tmp_path):
    env = make(tmp_path)
    env.ok(unit("top", "区政府"), unit("u1", "中心", parent="top"), study("SS-1", "2025-01-01"))
    cut = env.instant()
    env.ok(unit("u1", "中心（更名）"))  # renamed and moved to the top level
    assert env.figure("study.sessions", "top", as_of=cut)["sources"] == ["u1/SS-1"]
    assert env.figure("study.sessions", "top")["sources"] == []
    assert env.report("u1", 2025, as_of=cut)["unit_name"] == "中心"
    assert env.report("u1", 2025)["unit_name"] == "中心（更名）"


def test_read_model_catches_up_incrementally_and_rebuilds_the_same(ledger_env):
    ledger = ledger_env.ledger()
    assert ledger.apply(list(enumerate([unit("u1"), study("SS-1", "2025-01-01")], 1)), "tester").errors == []
    with ledger_env.read_model() as model:
        assert model.catch_up(ledger.recorder) > 0
        assert model.report("u1", 2025).to_json()["figures"]["study.sessions"]["value"] == 1
    assert ledger.apply([(1, study("SS-2", "2025-01-02"))], "tester").errors == []
    cut = instant()
    with ledger_env.read_model() as model:
        assert model.catch_up(ledger.recorder) > 0
        assert model.catch_up(ledger.recorder) == 0
        incremental = model.report("u1", 2025, as_of=cut).to_json()
    assert incremental["figures"]["study.sessions"]["value"] == 2
    with ledger_env.fresh_read_model() as model:
        model.catch_up(ledger.recorder)
        rebuilt = model.report("u1", 2025, as_of=cut).to_json()
    assert (rebuilt["figures"], rebuilt["checks"], rebuilt["log"]) == (
        incremental["figures"],
        incremental["checks"],
        incremental["log"],
    )


def test_as_of_before_a_unit_existed_is_an_unknown_unit(tmp_path):
    env = make(tmp_path)
    env.ok(unit("early"))
    cut = env.instant()
    env.ok(unit("late"))
    env.report("early", 2025, as_of=cut)
    with pytest.raises(UnknownUnit):
        env.report("late", 2025, as_of=cut)


def test_as_of_report_states_its_instant(tmp_path):
    env = make(tmp_path)
    env.ok(unit("u1"))
    cut = env.instant()
    assert env.report("u1", 2025, as_of=cut)["as_of"] == cut.isoformat()
