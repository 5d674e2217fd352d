"""DOMAIN.md §7.3 and §7.5: the figures of the new kinds, deadlines and the due rule, the new checks.

One world with every kind of §7 (years 2023–2026), its figures worked out by hand below."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import duckdb
import pytest
from conftest import case, correct, exam, make, rec, step, study, unit, void
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain import deadlines
from domain.catalogue import PENALTY_CLASSES
from projections.figures import BY_ID, letter_deadline, penalty_deadline


def penalty(ref, date, procedure="ordinary", **kw):
    return rec("enforcement_case", ref, date, action="penalty", subject="违法行为", procedure=procedure, **kw)


def act(ref, date, action, **kw):
    return rec("enforcement_case", ref, date, action=action, subject="执法事项", **kw)


def decided(ref, date, outcome="penalized", **kw):
    return step(ref, "decided", date, outcome=outcome, **kw)


def major(ref, date, **kw):
    return rec("major_decision", ref, date, title="重大行政决策事项", **kw)


def letter(ref, date, type, **kw):
    return rec("supervision_letter", ref, date, type=type, subject="建议事项", **kw)


def ticket(ref, date, **kw):
    return rec("hotline_ticket", ref, date, channel="hotline", subject="诉求", **kw)


def service(ref, date, service, **kw):
    return rec("legal_service", ref, date, service=service, **kw)


def law_report(ref, date, role, form):
    return rec("law_report", ref, date, role=role, form=form)


def world_lines() -> list[dict]:
    p8_first = decided("P8", "2025-03-10", penalty_class="fine", fine=50)
    return [
        # -- penalties --
        penalty("P1", "2024-11-20"),
        step("P1", "reviewed", "2025-01-10", corrected=True),
        decided("P1", "2025-01-15", penalty_class="fine", fine="1000.50", confiscated=200),
        step("P1", "published", "2025-01-20"),
        step("P1", "executed", "2025-02-01"),
        penalty("P2", "2025-03-01", "simple"),
        decided("P2", "2025-03-01", "mitigated", penalty_class="warning"),
        penalty("P3", "2025-04-01"),
        step("P3", "extended", "2025-06-01", days=30),
        step("P3", "extended", "2025-07-01", days=10),
        decided("P3", "2025-08-05", "no_penalty"),
        penalty("P4", "2025-05-01"),
        step("P4", "withdrawn", "2025-06-01", reason="不符合立案条件"),
        penalty("P5", "2025-01-02"),
        decided("P5", "2025-06-01", "transferred"),
        penalty("P6", "2025-02-01"),
        penalty("P7", "2025-03-01"),
        decided("P7", "2025-04-01", penalty_class="detention"),
        void("P7", reason="重复录入"),
        penalty("P8", "2025-03-05"),
        p8_first,
        void("P8", target=p8_first, reason="处罚种类录错"),
        decided("P8", "2025-03-20", penalty_class="licence_revocation", fine="25.25"),
        # -- compulsion, inspection, other, licences --
        act("C1", "2025-02-01", "compulsion", compulsion="measure"),
        act("C2", "2025-02-02", "compulsion", compulsion="execution"),
        act("C3", "2024-02-03", "compulsion", compulsion="court_application"),
        act("I1", "2025-02-04", "inspection", count=5),
        act("I2", "2025-02-05", "inspection"),
        act("O1", "2025-02-06", "other", count=2),
        act("L1", "2025-01-10", "licence"),
        step("L1", "accepted", "2025-01-11"),
        step("L1", "reviewed", "2025-02-01"),
        decided("L1", "2025-02-05", "granted"),
        act("L2", "2024-12-20", "licence"),
        decided("L2", "2025-01-05", "refused"),
        act("L3", "2025-03-01", "licence"),
        decided("L3", "2025-03-05", "granted"),
        step("L3", "revoked", "2025-06-01"),
        # -- major decisions: counted in their catalogue year --
        major("MD1", "2024-12-20", catalogue_year=2025),
        step("MD1", "legality_review", "2025-01-10"),
        step("MD1", "collective_decision", "2025-02-01"),
        step("MD1", "published", "2025-03-01"),
        major("MD2", "2025-01-05"),
        step("MD2", "collective_decision", "2025-05-01"),
        step("MD2", "legality_review", "2025-05-02"),
        major("MD3", "2025-01-06"),
        step("MD3", "terminated", "2025-06-01"),
        major("MD4", "2025-01-07"),
        major("MD5", "2025-01-08"),
        step("MD5", "published", "2026-01-10"),
        major("MD6", "2024-03-01"),
        step("MD6", "published", "2024-12-01"),
        step("MD6", "legality_review", "2025-01-20"),
        step("MD6", "collective_decision", "2025-01-20"),
        major("MD7", "2025-12-15", catalogue_year=2026),
        major("MD8", "2025-12-16", catalogue_year=2026),
        void("MD8", reason="调整目录时录错"),
        major("MD9", "2025-12-17", catalogue_year=2026),
        correct("MD9", catalogue_year=None, reason="目录年度录错"),
        # -- supervision letters (§7.3 deadlines) --
        letter("SL1", "2025-10-31", "procuratorial_suggestion"),  # + 2 months = 31 Dec
        step("SL1", "replied", "2025-12-31", result="adopted"),
        letter("SL2", "2025-12-31", "procuratorial_suggestion"),  # + 2 months = 28 Feb 2026
        step("SL2", "replied", "2026-03-01"),
        letter("SL3", "2025-03-01", "reconsideration_opinion"),  # + 60 days = 30 Apr, never replied
        letter("SL4", "2025-04-01", "judicial_suggestion", reply_days=10),
        step("SL4", "replied", "2025-04-11"),
        letter("SL5", "2023-12-31", "judicial_suggestion"),  # + 2 months = 29 Feb 2024 (leap year)
        step("SL5", "replied", "2024-02-29"),
        letter("SL6", "2024-12-31", "judicial_suggestion"),  # + 2 months = 28 Feb 2025
        step("SL6", "replied", "2025-03-01"),
        # -- hotline tickets --
        ticket("H1", "2025-05-01"),
        step("H1", "concluded", "2025-05-02"),
        step("H1", "feedback", "2025-05-03", satisfaction="satisfied"),
        ticket("H2", "2025-05-01", category="complaint"),
        step("H2", "concluded", "2025-05-02"),
        step("H2", "feedback", "2025-05-03", satisfaction="unsatisfied"),
        ticket("H3", "2025-05-01"),
        ticket("H4", "2025-05-01"),
        step("H4", "feedback", "2025-05-03", satisfaction="basically_satisfied"),
        # -- public legal services --
        service("LS1", "2025-06-01", "reception", persons=30, count=2),
        service("LS2", "2025-06-01", "reception"),
        service("LS3", "2025-06-01", "consultation", persons=12),
        service("LS4", "2025-06-01", "duty", count=5),
        service("LS5", "2025-06-01", "duty"),
        service("LS6", "2025-06-01", "mediation", count=3, persons=9),
        service("LS7", "2025-06-01", "legal_aid", persons=4),
        # -- 述法 --
        law_report("LR1", "2025-07-01", "principal", "on_site"),
        step("LR1", "reviewed", "2025-07-02", score=90),
        law_report("LR2", "2025-07-01", "principal", "written"),
        law_report("LR3", "2025-07-01", "other", "on_site"),
        # -- §7.4 on §2 kinds --
        study("S1", "2025-03-01", form="business_training", attendees=40),
        study("S2", "2025-03-02", form="business_training", attendees=20),
        study("S3", "2025-03-03", form="executive", attendees=10, first_topic=True),
        study("S4", "2025-03-04", form="leadership", attendees=7),
        exam("X1", "2025-06-01", 50, 40, 30, excellent=10, average_score="85.5"),
        exam("X2", "2025-06-02", 20, 20, 20, type="law_exam", average_score=90),
        exam("X3", "2025-06-03", 30, 15, 10, type="qualification", excellent=5, average_score=60),
        exam("X4", "2025-06-04", 10, 0, 0),
        case("CA1", "2025-01-01"),
        step("CA1", "hearing", "2025-03-01", head_appeared=True, head_rank="principal"),
        step("CA1", "hearing", "2025-04-01"),
        case("CA2", "2025-01-01"),
        step("CA2", "hearing", "2025-03-01", head_appeared=True, head_rank="deputy"),
        case("CA3", "2024-01-01"),
        step("CA3", "hearing", "2025-01-10"),
        rec("legal_review", "LV1", "2025-01-01", subject="contract", title="t", reviewer="in_house", issues_found=3),
        rec("legal_review", "LV2", "2025-01-01", subject="contract", title="t", reviewer="in_house"),
        rec("normative_document", "N1", "2025-01-01", action="issued", title="t", count=2),
        rec("normative_document", "N2", "2025-01-01", action="issued", title="t"),
        rec("inspection", "IN1", "2025-01-01", subject="案卷评查", type="file_review", files_reviewed=370),
        rec("inspection", "IN2", "2025-01-01", subject="专项检查"),
        rec(
            "meeting",
            "M1",
            "2025-01-01",
            form="executive",
            topic="t",
            rule_of_law_agenda=True,
            items_major=2,
            items_funds=39,
        ),  # fmt: skip
        rec("meeting", "M2", "2025-01-01", form="party_group", topic="t", rule_of_law_agenda=False, items_other=13),
    ]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    env = make(tmp_path_factory.mktemp("world7"))
    env.ok(unit("u1", "某街道办事处"), *world_lines())
    return env


# (value, previous, sources) for year 2025 of unit u1, worked out by hand from world_lines.
EXPECTED: dict[str, tuple] = {
    "enforcement.penalty_cases": (6, 1, ["P2", "P3", "P4", "P5", "P6", "P8"]),
    "enforcement.simple": (1, 0, ["P2"]),
    "enforcement.ordinary": (5, 1, ["P3", "P4", "P5", "P6", "P8"]),
    "enforcement.withdrawn": (1, 0, ["P4"]),
    # P1 was filed in 2024 and decided in 2025: a decision of 2025.
    "enforcement.penalty_decisions": (3, 0, ["P1", "P2", "P8"]),
    "enforcement.penalty_class.fine": (1, 0, ["P1"]),
    "enforcement.penalty_class.warning": (1, 0, ["P2"]),
    "enforcement.penalty_class.licence_revocation": (1, 0, ["P8"]),
    "enforcement.penalty_class.detention": (0, 0, []),
    "enforcement.no_penalty": (1, 0, ["P3"]),
    "enforcement.lenient": (2, 0, ["P2", "P3"]),
    "enforcement.transferred": (1, 0, ["P5"]),
    "enforcement.fines": ("1025.75", "0.00", ["P1", "P2", "P3", "P5", "P8"]),
    "enforcement.forfeitures": ("1225.75", "0.00", ["P1", "P2", "P3", "P5", "P8"]),
    "enforcement.execution_rate": (33.33, None, ["P1", "P2", "P8"]),
    "enforcement.publication_rate": (33.33, None, ["P1", "P2", "P8"]),
    # Due: P3 (on time, 90 + 40 days), P4 (withdrawn in time), P5 (late), P6 (never decided: late), P8 (on time).
    "enforcement.on_time_rate": (60.0, 100.0, ["P3", "P4", "P5", "P6", "P8"]),
    "enforcement.legal_reviews": (2, 0, ["L1", "P1"]),
    "enforcement.legal_review_corrections": (1, 0, ["P1"]),
    "enforcement.compulsion_measures": (1, 0, ["C1"]),
    "enforcement.compulsion_executions": (1, 0, ["C2"]),
    "enforcement.court_applications": (0, 1, []),
    "enforcement.inspections": (6, 0, ["I1", "I2"]),
    "enforcement.other_acts": (2, 0, ["O1"]),
    "enforcement.licence_applications": (2, 1, ["L1", "L3"]),
    "enforcement.licence_accepted": (1, 0, ["L1"]),
    "enforcement.licence_granted": (2, 0, ["L1", "L3"]),
    "enforcement.licence_refused": (1, 0, ["L2"]),
    "enforcement.licence_revoked": (1, 0, ["L3"]),
    # MD9's catalogue year 2026 was cleared by a correction: it counts in the year of its date.
    "decision.catalogued": (6, 1, ["MD1", "MD2", "MD3", "MD4", "MD5", "MD9"]),
    "decision.adopted": (1, 1, ["MD1"]),
    "decision.pending": (4, 0, ["MD2", "MD4", "MD5", "MD9"]),
    "decision.made": (3, 0, ["MD1", "MD2", "MD6"]),
    "decision.review_rate": (66.67, None, ["MD1", "MD2", "MD6"]),
    "letters.received": (4, 1, ["SL1", "SL2", "SL3", "SL4"]),
    "letters.judicial": (1, 1, ["SL4"]),
    "letters.procuratorial": (2, 0, ["SL1", "SL2"]),
    "letters.reconsideration": (1, 0, ["SL3"]),
    "letters.on_time_rate": (50.0, 0.0, ["SL1", "SL2", "SL3", "SL4"]),
    "hotline.received": (4, 0, ["H1", "H2", "H3", "H4"]),
    "hotline.conclusion_rate": (50.0, None, ["H1", "H2", "H3", "H4"]),
    "hotline.satisfaction_rate": (66.67, None, ["H1", "H2", "H4"]),
    "legal_service.receptions": (30, 0, ["LS1", "LS2"]),
    "legal_service.consultations": (12, 0, ["LS3"]),
    "legal_service.duty_sessions": (6, 0, ["LS4", "LS5"]),
    "legal_service.mediations": (3, 0, ["LS6"]),
    "law_report.reports": (3, 0, ["LR1", "LR2", "LR3"]),
    "law_report.principals_on_site": (1, 0, ["LR1"]),
    "study.training_attendance": (60, 0, ["S1", "S2"]),
    "study.sessions": (2, 0, ["S3", "S4"]),
    "exam.sessions": (3, 0, ["X1", "X2", "X4"]),
    "exam.participation_rate": (75.0, None, ["X1", "X2", "X4"]),
    "exam.pass_rate": (83.33, None, ["X1", "X2", "X4"]),
    "exam.participants": (60, 0, ["X1", "X2", "X4"]),
    "exam.excellence_rate": (25.0, None, ["X1"]),
    "exam.average_score": (87.0, None, ["X1", "X2"]),
    "exam.qualification_participation_rate": (50.0, None, ["X3"]),
    "case.admin_heard": (3, 0, ["CA1", "CA2", "CA3"]),
    "case.principal_appearance_rate": (33.33, None, ["CA1", "CA2", "CA3"]),
    "case.head_appearance_rate": (66.67, None, ["CA1", "CA2", "CA3"]),
    "legal.issues_found": (3, 0, ["LV1", "LV2"]),
    "normdoc.issued": (3, 0, ["N1", "N2"]),
    "governance.file_reviews": (370, 0, ["IN1", "IN2"]),
    "governance.inspections": (2, 0, ["IN1", "IN2"]),
    "governance.items_decided": (54, 0, ["M1", "M2"]),
}

SECTION_7_5 = [
    "enforcement.penalty_cases", "enforcement.simple", "enforcement.ordinary", "enforcement.withdrawn",
    "enforcement.penalty_decisions", *(f"enforcement.penalty_class.{c}" for c in PENALTY_CLASSES),
    "enforcement.no_penalty", "enforcement.lenient", "enforcement.transferred", "enforcement.fines",
    "enforcement.forfeitures", "enforcement.execution_rate", "enforcement.publication_rate",
    "enforcement.on_time_rate", "enforcement.legal_reviews", "enforcement.legal_review_corrections",
    "enforcement.compulsion_measures", "enforcement.compulsion_executions", "enforcement.court_applications",
    "enforcement.inspections", "enforcement.other_acts", "enforcement.licence_applications",
    "enforcement.licence_accepted", "enforcement.licence_granted", "enforcement.licence_refused",
    "enforcement.licence_revoked", "decision.catalogued", "decision.adopted", "decision.pending", "decision.made",
    "decision.review_rate", "letters.received", "letters.judicial", "letters.procuratorial",
    "letters.reconsideration", "letters.on_time_rate", "hotline.received", "hotline.conclusion_rate",
    "hotline.satisfaction_rate", "legal_service.receptions", "legal_service.consultations",
    "legal_service.duty_sessions", "legal_service.mediations", "law_report.reports",
    "law_report.principals_on_site", "study.training_attendance", "exam.participants", "exam.excellence_rate",
    "exam.average_score", "exam.qualification_participation_rate", "case.admin_heard",
    "case.principal_appearance_rate", "legal.issues_found", "normdoc.issued", "governance.file_reviews",
    "governance.items_decided",
]  # fmt: skip


def test_every_id_of_section_7_5_is_in_every_report(world, bare):
    assert len(SECTION_7_5) == 68
    assert set(SECTION_7_5) <= set(world.report()["figures"])
    bare.ok(unit("empty"))
    figures = bare.report("empty", 2025)["figures"]
    assert set(SECTION_7_5) <= set(figures)
    assert figures["enforcement.fines"]["value"] == "0.00" and figures["exam.average_score"]["value"] is None
    assert figures["enforcement.penalty_class.licence_suspension"]["label"] == "暂扣许可证件"


@pytest.mark.parametrize("fid", list(EXPECTED))
def test_figure(world, fid):
    got = world.figure(fid)
    assert (got["value"], got["previous"], got["sources"]) == EXPECTED[fid]
    assert got["label"] == BY_ID[fid].label


def test_units_of_the_new_figures(world):
    figures = world.report()["figures"]
    assert figures["enforcement.fines"]["unit"] == "元" and figures["exam.average_score"]["unit"] == "分"
    assert isinstance(figures["exam.average_score"]["value"], float)


def test_a_major_decision_counts_in_its_catalogue_year_everywhere_audit_included(world):
    y2026 = world.report(year=2026)["figures"]
    assert (y2026["decision.catalogued"]["value"], y2026["decision.catalogued"]["sources"]) == (1, ["MD7"])
    # Late entries still compare the first recording with `date`, but count in the catalogue year.
    assert "MD7" in y2026["audit.late_entries"]["sources"]
    assert "MD7" not in world.figure("audit.late_entries")["sources"]
    assert "MD1" in world.figure("audit.late_entries")["sources"]
    assert y2026["audit.voided"]["sources"] == ["MD8"] and "MD8" not in world.figure("audit.voided")["sources"]
    # MD9's catalogue year was cleared by a correction: it and its correction now count in the year of its date.
    assert "MD9" in world.figure("audit.corrections")["sources"]
    assert "MD9" not in y2026["audit.corrections"]["sources"]


def test_the_checks_of_section_7(world):
    checks = {c["id"]: c for c in world.report()["checks"]}
    assert not checks["enforcement.overdue"]["ok"] and checks["enforcement.overdue"]["message"].endswith("1 件：P6")
    assert not checks["letters.overdue"]["ok"] and checks["letters.overdue"]["message"].endswith("1 件：SL3")
    assert checks["exam.consistency"] == {
        "id": "exam.consistency",
        "ok": True,
        "message": "优秀 15 ≤ 通过 60 ≤ 参考 75 ≤ 应考 110",
    }


def test_explain_a_money_figure(world):
    rows = {r["ref"]: r["num"] for r in world.explain("enforcement.fines")}
    assert rows == {"P1": "1000.50", "P2": "0.00", "P3": "0.00", "P5": "0.00", "P8": "25.25"}
    assert {r["ref"] for r in world.explain("enforcement.on_time_rate")} == {"P3", "P4", "P5", "P6", "P8"}


# ---- the due rule (§7.3) and D ----


def test_an_item_whose_deadline_is_D_is_not_yet_due(env):
    today = env.ledger.today()
    received = today - timedelta(days=60)
    year = received.year
    if (received - timedelta(days=1)).year != year or today.year != year:
        pytest.skip("the letters of this test must fall in one year (not within 61 days of 1 January)")
    env.ok(
        letter("ON-D", received.isoformat(), "reconsideration_opinion"),  # deadline = today: not yet due
        letter("BEFORE-D", (received - timedelta(days=1)).isoformat(), "reconsideration_opinion"),  # due: late
        letter("SET", received.isoformat(), "judicial_suggestion", reply_days=59),  # deadline yesterday: due
        letter("NOT-YET", today.isoformat(), "procuratorial_suggestion"),
    )
    got = env.figure("letters.on_time_rate", year=year)
    assert got["sources"] == ["BEFORE-D", "SET"] and got["value"] == 0.0
    checks = {c["id"]: c for c in env.report(year=year)["checks"]}
    assert "ON-D" not in checks["letters.overdue"]["message"] and "SET" in checks["letters.overdue"]["message"]
    # Replying (any date up to T) makes an item due at once; on time when on or before its deadline.
    env.ok(step("NOT-YET", "replied", today.isoformat()), step("ON-D", "replied", today.isoformat()))
    got = env.figure("letters.on_time_rate", year=year)
    assert "ON-D" in got["sources"] and "NOT-YET" in env.figure("letters.on_time_rate", year=today.year)["sources"]


def test_a_penalty_case_becomes_due_after_its_ninetieth_day(env):
    today = env.ledger.today()
    env.ok(
        penalty("ON-D", (today - timedelta(days=90)).isoformat()),
        penalty("BEFORE-D", (today - timedelta(days=91)).isoformat()),
        penalty("EXTENDED", (today - timedelta(days=100)).isoformat()),
        step("EXTENDED", "extended", (today - timedelta(days=50)).isoformat(), days=10),
        penalty("SIMPLE", (today - timedelta(days=400)).isoformat(), "simple"),
    )
    overdue = {c["id"]: c for c in env.report(year=today.year)["checks"]}["enforcement.overdue"]["message"]
    assert "BEFORE-D" in overdue and "ON-D" not in overdue and "EXTENDED" not in overdue and "SIMPLE" not in overdue


def test_a_report_as_of_before_the_decision_was_recorded_sees_the_case_open(env):
    env.ok(penalty("P1", "2025-01-02"))
    before = env.instant()
    env.ok(decided("P1", "2025-02-01", penalty_class="fine", fine=10))
    assert env.figure("enforcement.on_time_rate", as_of=before)["value"] == 0.0
    assert env.figure("enforcement.on_time_rate")["value"] == 100.0
    assert env.figure("enforcement.fines", as_of=before)["value"] == "0.00"
    assert env.figure("enforcement.fines")["value"] == "10.00"


@pytest.mark.parametrize(
    ("received", "type", "reply_days", "due"),
    [
        ("2025-10-31", "procuratorial_suggestion", None, "2025-12-31"),
        ("2025-12-31", "procuratorial_suggestion", None, "2026-02-28"),
        ("2023-12-31", "judicial_suggestion", None, "2024-02-29"),
        ("2024-01-31", "judicial_suggestion", None, "2024-03-31"),
        ("2025-12-31", "reconsideration_opinion", None, "2026-03-01"),
        ("2024-12-31", "reconsideration_opinion", None, "2025-03-01"),
        ("2023-12-31", "reconsideration_opinion", None, "2024-02-29"),
        ("2025-12-31", "procuratorial_suggestion", 1, "2026-01-01"),
    ],
)
def test_letter_deadlines(received, type, reply_days, due):
    assert deadlines.letter_reply_due(date.fromisoformat(received), type, reply_days) == date.fromisoformat(due)


def test_penalty_deadline_is_90_days_plus_extensions():
    assert deadlines.penalty_decision_due(date(2025, 12, 31)) == date(2026, 3, 31)
    assert deadlines.penalty_decision_due(date(2023, 12, 31), 0) == date(2024, 3, 30)  # across 29 Feb
    assert deadlines.penalty_decision_due(date(2025, 1, 1), 30) == date(2025, 5, 1)


def test_the_sql_deadlines_agree_with_domain_deadlines():
    """The read model's SQL takes its periods from domain/deadlines.py; here both compute every day of 4 years."""
    con = duckdb.connect()
    days = [date(2023, 1, 1) + timedelta(days=i) for i in range(4 * 366)]
    cases = [(d, t, r) for d in days for t in deadlines.LETTER_REPLY_PERIODS for r in (None, 7)]
    con.execute('CREATE TABLE a (date DATE, "type" VARCHAR, reply_days BIGINT, ext BIGINT)')
    con.executemany("INSERT INTO a VALUES (?, ?, ?, ?)", [(d, t, r, r) for d, t, r in cases])
    got = con.execute(
        f'SELECT date, "type", reply_days, {letter_deadline()}, {penalty_deadline("a", "a.ext")} FROM a'
    ).fetchall()
    for d, t, r, letter_due, penalty_due in got:
        assert letter_due == deadlines.letter_reply_due(d, t, r), (d, t, r)
        assert penalty_due == deadlines.penalty_decision_due(d, r or 0), (d, r)


# ---- money: exact sums, roll-up ----


def test_money_with_two_decimals_sums_exactly_over_thousands_of_cases_and_rolls_up(bare):
    rng = random.Random(7)
    lines = [unit("dist", "区"), unit("s1", "街道一", parent="dist"), unit("s2", "街道二", parent="dist")]
    total = {"s1": Decimal(0), "s2": Decimal(0)}
    for i in range(3000):
        u = "s1" if i % 2 else "s2"
        fine = Decimal(rng.randint(1, 10**9)) / 100  # 0.01 … 10,000,000.00: floats would drift
        cents = str(fine) if i % 3 else float(fine)  # strings and JSON numbers alike
        lines.append(penalty(f"P-{i}", "2025-03-01", "simple", unit=u))
        lines.append(decided(f"P-{i}", "2025-03-01", penalty_class="fine", fine=cents, confiscated="0.10", unit=u))
        total[u] += fine
    bare.ok(*lines)
    for u in ("s1", "s2"):
        assert bare.value("enforcement.fines", unit=u) == f"{total[u]:.2f}"
    assert bare.value("enforcement.fines", unit="dist") == f"{total['s1'] + total['s2']:.2f}"
    assert bare.value("enforcement.forfeitures", unit="dist") == f"{total['s1'] + total['s2'] + 300:.2f}"
    assert bare.figure("enforcement.fines", unit="dist")["sources"][:1] == ["s1/P-1"]


def test_voiding_a_decision_removes_its_fine_and_a_correction_moves_a_case(env):
    first = decided("P1", "2025-02-01", penalty_class="fine", fine="99.99")
    env.ok(penalty("P1", "2025-01-02"), first)
    assert env.value("enforcement.fines") == "99.99"
    env.ok(void("P1", target=first))
    assert env.value("enforcement.fines") == "0.00" and env.value("enforcement.penalty_decisions") == 0
    env.ok(correct("P1", procedure="simple"))
    assert (env.value("enforcement.simple"), env.value("enforcement.ordinary")) == (1, 0)
    env.ok(correct("P1", date="2024-12-30"))
    assert env.value("enforcement.penalty_cases") == 0 and env.value("enforcement.penalty_cases", year=2024) == 1


def test_exam_average_score_rounds_half_away_from_zero_and_is_null_without_participants(env):
    env.ok(
        exam("X1", "2025-06-01", 3, 3, 3, average_score="80.01"), exam("X2", "2025-06-01", 1, 1, 1, average_score=80)
    )
    # (80.01 × 3 + 80 × 1) / 4 = 80.0075 → 80.01
    assert env.value("exam.average_score") == 80.01
    env.ok(exam("Y1", "2024-06-01", 5, 0, 0, average_score=90))
    assert env.figure("exam.average_score", year=2024)["value"] is None
    assert env.figure("exam.average_score", year=2024)["sources"] == ["Y1"]


def test_rates_of_section_7_roll_up_from_summed_numerators_and_denominators(bare):
    bare.ok(
        unit("dist", "区"),
        unit("s1", "街道一", parent="dist"),
        unit("s2", "街道二", parent="dist"),
        penalty("P1", "2025-01-02", unit="s1"),
        decided("P1", "2025-02-01", unit="s1", penalty_class="fine"),
        penalty("P2", "2025-01-02", unit="s2"),  # never decided: due, late, overdue
        penalty("P3", "2025-01-02", unit="s2"),
        step("P3", "withdrawn", "2025-01-05", unit="s2"),
        letter("L1", "2025-01-02", "judicial_suggestion", reply_days=5, unit="dist"),
        step("L1", "replied", "2025-01-08", unit="dist"),
    )
    rate = bare.figure("enforcement.on_time_rate", unit="dist")
    assert (rate["value"], rate["sources"]) == (66.67, ["s1/P1", "s2/P2", "s2/P3"])
    assert bare.figure("letters.on_time_rate", unit="dist")["sources"] == ["L1"]
    assert bare.value("letters.on_time_rate", unit="dist") == 0.0
    checks = {c["id"]: c for c in bare.report("dist")["checks"]}
    assert checks["enforcement.overdue"]["message"].endswith("1 件：s2/P2") and checks["letters.overdue"]["ok"]
    assert bare.value("enforcement.on_time_rate", unit="s1") == 100.0


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_documents_write_money_and_scores(env, tmp_path, fmt):
    """The Word draft and the workbook take money strings and mean scores beside counts and rates."""
    from api.documents import write_report
    from api.render import report_markdown
    from api.services.reads import document_json

    env.ok(
        penalty("P1", "2024-03-01"),
        decided("P1", "2024-04-01", penalty_class="fine", fine="10.05"),
        penalty("P2", "2025-03-01"),
        decided("P2", "2025-04-01", penalty_class="fine", fine="136161"),
        exam("X1", "2025-06-01", 10, 10, 9, average_score="92.5"),
    )
    with env.read_model() as model:
        report = model.report("u1", 2025)
        write_report(model, document_json(report), fmt, tmp_path / f"r.{fmt}", None, False)
    assert (tmp_path / f"r.{fmt}").stat().st_size > 0
    md = report_markdown(report)
    assert "| 罚款金额 | `enforcement.fines` | 136161.00元 | 10.05元 |" in md and "92.5分" in md


# ---- property: the penalty figures equal a direct reading of DOMAIN.md §7.3/§7.5 over random cases ----

case_spec = st.tuples(
    st.sampled_from(["simple", "ordinary"]),
    st.integers(0, 500),  # filed: days after 2024-06-01
    st.sampled_from([None, "penalized", "mitigated", "no_penalty", "transferred", "withdrawn"]),
    st.integers(0, 200),  # closed: days after filing
    st.lists(st.integers(1, 60), max_size=2),  # extensions (ordinary only)
    st.integers(0, 10**6),  # fine in cents
)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cases=st.lists(case_spec, min_size=1, max_size=25))
def test_penalty_figures_follow_the_definitions(tmp_path_factory, cases):
    env = make(tmp_path_factory.mktemp("pen"))
    lines = [unit("u1")]
    start = date(2024, 6, 1)
    for i, (procedure, filed, outcome, after, extensions, cents) in enumerate(cases):
        ref, day = f"P{i:02d}", start + timedelta(days=filed)
        lines.append(penalty(ref, day.isoformat(), procedure))
        if procedure == "ordinary":
            lines += [step(ref, "extended", day.isoformat(), days=d) for d in extensions]
        if outcome == "withdrawn":
            lines.append(step(ref, "withdrawn", (day + timedelta(days=after)).isoformat()))
        elif outcome is not None:
            extra = {"penalty_class": "fine", "fine": f"{cents // 100}.{cents % 100:02d}"}
            lines.append(decided(ref, (day + timedelta(days=after)).isoformat(), outcome, **(
                extra if outcome in ("penalized", "mitigated") else {})))  # fmt: skip
    env.ok(*lines)
    report = env.report(year=2025)["figures"]
    today = env.ledger.today()
    decisions, fines, fine_refs, due, on_time = [], 0, [], [], 0
    for i, (procedure, filed, outcome, after, extensions, cents) in enumerate(cases):
        ref, day = f"P{i:02d}", start + timedelta(days=filed)
        closed = day + timedelta(days=after) if outcome is not None else None
        if outcome not in (None, "withdrawn") and closed.year == 2025:
            fine_refs.append(ref)
            if outcome in ("penalized", "mitigated"):
                decisions.append(ref)
                fines += cents
        if procedure == "ordinary" and day.year == 2025:
            deadline = deadlines.penalty_decision_due(day, sum(extensions))
            if deadlines.is_due(closed is not None, deadline, today):
                due.append(ref)
                on_time += closed is not None and closed <= deadline
    assert report["enforcement.penalty_decisions"]["sources"] == decisions
    assert report["enforcement.fines"]["value"] == f"{fines // 100}.{fines % 100:02d}"
    assert report["enforcement.fines"]["sources"] == fine_refs
    assert report["enforcement.on_time_rate"]["sources"] == due
    expected = round(Decimal(on_time * 100) / len(due), 2) if due else None
    assert report["enforcement.on_time_rate"]["value"] == (None if expected is None else pytest.approx(float(expected)))
