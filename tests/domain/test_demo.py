"""The demo ledger (`taizhang demo`, domain/demo.py): valid on every day, every kind, a well-kept reported year."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from conftest import make

from api.render import report_markdown
from domain import deadlines
from domain.catalogue import KINDS
from domain.demo import (
    DEMO_CENTRE,
    DEMO_PARENT,
    DEMO_STREET,
    DEMO_TEAM,
    DEMO_UNIT,
    KEPT_DAYS,
    demo_lines,
    demo_years,
    kept_span,
)
from projections.report_model import Report

# The §7 figures the street's reported year exercises (its last weeks, kept as they happened).
STREET_KEPT = (
    "enforcement.penalty_cases",
    "enforcement.simple",
    "enforcement.ordinary",
    "enforcement.withdrawn",
    "enforcement.penalty_decisions",
    "enforcement.penalty_class.warning",
    "enforcement.penalty_class.fine",
    "enforcement.penalty_class.confiscation",
    "enforcement.no_penalty",
    "enforcement.lenient",
    "enforcement.transferred",
    "enforcement.fines",
    "enforcement.forfeitures",
    "enforcement.execution_rate",
    "enforcement.publication_rate",
    "enforcement.on_time_rate",
    "enforcement.legal_reviews",
    "enforcement.legal_review_corrections",
    "enforcement.compulsion_measures",
    "enforcement.compulsion_executions",
    "enforcement.court_applications",
    "enforcement.inspections",
    "enforcement.other_acts",
    "enforcement.licence_applications",
    "enforcement.licence_accepted",
    "enforcement.licence_granted",
    "enforcement.licence_refused",
    "enforcement.licence_revoked",
    "decision.catalogued",
    "decision.pending",
    "decision.made",
    "decision.review_rate",
    "letters.received",
    "letters.judicial",
    "letters.procuratorial",
    "letters.on_time_rate",
    "hotline.received",
    "hotline.conclusion_rate",
    "hotline.satisfaction_rate",
    "legal_service.receptions",
    "legal_service.consultations",
    "legal_service.duty_sessions",
    "legal_service.mediations",
    "law_report.reports",
    "exam.participants",
    "exam.excellence_rate",
    "exam.average_score",
    "exam.qualification_participation_rate",
    "case.admin_heard",
    "case.principal_appearance_rate",
    "legal.issues_found",
    "governance.file_reviews",
    "governance.items_decided",
)
# … and those only its history year shows (a whole year of 建账 data).
STREET_HISTORY = (
    "decision.adopted",
    "letters.reconsideration",
    "law_report.principals_on_site",
    "enforcement.penalty_class.other",
)


def _records(lines: list[dict]) -> dict[tuple[str, str], dict]:
    return {(x["unit"], x["ref"]): x for x in lines if x["op"] == "record"}


# Every seventh day of a leap year, and the days where the reported year or the calendar turns.
DAYS = sorted(
    {dt.date(2024, 1, 1) + dt.timedelta(days=n) for n in range(0, 366, 7)}
    | {dt.date(2024, 1, 14), dt.date(2024, 1, 15), dt.date(2024, 2, 29), dt.date(2024, 12, 31), dt.date(2025, 3, 1)}
)


@pytest.mark.parametrize("today", DAYS, ids=str)
def test_demo_lines_keep_to_their_day(today):
    """Nothing after today, no step before its activity, and the reported year only the kept stretch."""
    lines = demo_lines(today)
    previous, reported = demo_years(today)
    start, end = kept_span(today)
    assert start.year == end.year == reported and (end - start).days >= 14 and end <= today
    records = _records(lines)
    for line in lines:
        if "date" in line:
            assert dt.date.fromisoformat(line["date"]) <= today, line
        if line["op"] == "step":
            assert line["date"] >= records[(line["unit"], line["ref"])]["date"], line
    for line in records.values():
        day = dt.date.fromisoformat(line["date"])
        # Recorded on `today`, an activity of the reported year is no late entry (more than 30 days): §3.
        assert day.year < reported or (today - day).days <= KEPT_DAYS < 30, line
        assert day.year >= previous - 1
    # Every kind of §2 and §7 is in the demo; deterministic for a given today.
    assert {x["kind"] for x in records.values()} == set(KINDS)
    assert demo_lines(today) == lines


def _open_past_deadline(lines: list[dict], today: dt.date) -> list[str]:
    """What the overdue checks (§3, §7.5) would list on `today`: open items whose deadline is before it."""
    voided = {x.get("target") or (x["unit"], x["ref"]) for x in lines if x["op"] == "void"}
    steps: dict[tuple[str, str], list[dict]] = {}
    for x in lines:
        if x["op"] == "step" and x["id"] not in voided:
            steps.setdefault((x["unit"], x["ref"]), []).append(x)
    late = []
    for key, x in _records(lines).items():
        if key in voided:
            continue
        day, data, has = dt.date.fromisoformat(x["date"]), x["data"], {s["step"] for s in steps.get(key, [])}
        extra = sum(s.get("data", {}).get("days", 0) for s in steps.get(key, []) if s["step"] == "extended")
        due = []
        if x["kind"] == "petition":
            due.append(("acknowledged" in has, deadlines.petition_ack_due(day)))
            if data["category"] == "claim":
                due.append(("concluded" in has, deadlines.petition_conclusion_due(day, extra)))
        elif x["kind"] == "proposal":
            due.append(("replied" in has, deadlines.proposal_reply_due(day, data.get("complex", False))))
        elif x["kind"] == "enforcement_case" and data.get("procedure") == "ordinary":
            due.append((bool(has & {"decided", "withdrawn"}), deadlines.penalty_decision_due(day, extra)))
        elif x["kind"] == "supervision_letter":
            due.append(("replied" in has, deadlines.letter_reply_due(day, data["type"], data.get("reply_days"))))
        late += [f"{x['unit']}/{x['ref']}" for closed, deadline in due if not closed and deadline < today]
    return late


@pytest.mark.parametrize("today", DAYS, ids=str)
def test_demo_has_nothing_overdue_on_its_day(today):
    """Open items are recent: on the demo's own day no overdue check would fire (deadlines relative to today)."""
    assert _open_past_deadline(demo_lines(today), today) == []


@pytest.mark.parametrize(
    "today",
    [dt.date(2024, 1, 1), dt.date(2024, 1, 14), dt.date(2024, 1, 15), dt.date(2024, 2, 29), dt.date(2025, 12, 31)],
)
def test_demo_applies_on_any_day(tmp_path, today):
    outcome = make(tmp_path).apply(demo_lines(today))
    assert outcome.errors == [], [str(e) for e in outcome.errors[:5]]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple:
    env = make(Path(tmp_path_factory.mktemp("demo")))
    today = env.ledger.today()
    env.ok(*demo_lines(today))
    return env, demo_years(today)


@pytest.mark.parametrize("unit", [DEMO_PARENT, DEMO_CENTRE, DEMO_STREET, DEMO_TEAM])
def test_every_check_of_the_reported_year_passes(demo, unit):
    env, (_, reported) = demo
    checks = env.report(unit, reported)["checks"]
    assert [c for c in checks if not c["ok"]] == []
    assert env.value("audit.late_entries", unit, reported) == 0


def test_the_history_entered_at_opening_is_counted_as_late(demo):
    """Honest: the years before were entered today, so their reports say 补录 (the check's very purpose)."""
    env, (previous, _) = demo
    report = env.report(DEMO_UNIT, previous)
    assert report["figures"]["audit.late_entries"]["value"] > 100
    assert not next(c for c in report["checks"] if c["id"] == "audit.late_entries")["ok"]


def test_the_street_shows_every_section_7_figure(demo):
    env, (previous, reported) = demo
    figures = env.report(DEMO_STREET, reported)["figures"]
    zero = [fid for fid in STREET_KEPT if figures[fid]["value"] in (0, None, "0.00")]
    assert zero == []
    history = env.report(DEMO_STREET, previous)["figures"]
    assert [fid for fid in STREET_HISTORY + STREET_KEPT if history[fid]["value"] in (0, None, "0.00")] == [
        "enforcement.licence_revoked",  # revoked in the reported year
        "case.principal_appearance_rate",  # the deputy head appeared; the principal in the reported year
    ]
    # Money to the cent: a fine and a confiscation with decimals, summed exactly.
    assert re.fullmatch(r"\d+\.\d\d", figures["enforcement.forfeitures"]["value"])


def test_declared_figures_nearest_declaration(demo):
    """The district declares 党组会学法; the street relabels it (its 党工委) and declares 罚款类 decisions."""
    env, (_, reported) = demo
    district = env.report(DEMO_PARENT, reported)["figures"]
    street = env.report(DEMO_STREET, reported)["figures"]
    law = "local.study.party_group_law"
    assert district[law]["label"] == "党组会学法" and district[law]["declared"]["unit"] == DEMO_PARENT
    assert street[law]["label"] == "党工委会学法" and street[law]["declared"]["unit"] == DEMO_STREET
    assert street[law]["value"] > 0 and district[law]["value"] >= street[law]["value"]
    fines = street["local.enforcement.fine_decisions"]
    assert fines["value"] == street["enforcement.penalty_class.fine"]["value"] > 0
    assert "local.enforcement.fine_decisions" not in district  # a descendant's declaration stays in its subtree
    assert law in env.report(DEMO_CENTRE, reported)["figures"]  # inherited from the district


def test_markdown_shows_the_local_instant(demo):
    env, (_, reported) = demo
    report = env.report(DEMO_UNIT, reported)
    md = report_markdown(Report.from_json(report), "Asia/Shanghai")
    local = dt.datetime.fromisoformat(report["as_of"]).astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert f"截至 {local:%Y-%m-%d %H:%M:%S}+08:00（事件日志" in md  # the ledger's zone, its offset, to the second
    assert report["as_of"] not in md and "+00:00" not in md
    assert "✗" not in md
    assert "| 党组会学法 | `local.study.party_group_law` |" in md


def test_the_street_uses_every_code_a_newcomer_should_meet():
    """Every enforcement action and outcome, every 三书 type, every legal service, every decision step."""
    lines = demo_lines(dt.date(2026, 12, 1))
    records = [x for x in lines if x["op"] == "record"]
    steps = [x for x in lines if x["op"] == "step"]

    def codes(kind: str, field: str) -> set:
        return {x["data"].get(field) for x in records if x["kind"] == kind} - {None}

    assert codes("enforcement_case", "action") == {"penalty", "compulsion", "inspection", "licence", "other"}
    assert codes("enforcement_case", "procedure") == {"simple", "ordinary"}
    assert codes("enforcement_case", "compulsion") == {"measure", "execution", "court_application"}
    assert codes("supervision_letter", "type") == {
        "judicial_suggestion",
        "procuratorial_suggestion",
        "reconsideration_opinion",
    }
    services = {"reception", "consultation", "duty", "mediation", "legal_aid", "notarization", "other"}
    assert codes("legal_service", "service") == services
    assert codes("law_report", "role") == {"principal", "other"} and codes("law_report", "form") == {
        "on_site",
        "written",
    }
    kinds = {(x["unit"], x["ref"]): x["kind"] for x in records}
    named = {(kinds[(x["unit"], x["ref"])], x["step"]) for x in steps}
    for step in ("extended", "reviewed", "decided", "withdrawn", "executed", "published", "accepted", "revoked"):
        assert ("enforcement_case", step) in named
    for step in ("public_participation", "expert_review", "risk_assessment", "legality_review"):
        assert ("major_decision", step) in named
    for step in ("collective_decision", "published", "terminated", "evaluation"):
        assert ("major_decision", step) in named
    assert {("hotline_ticket", "concluded"), ("hotline_ticket", "feedback"), ("law_report", "reviewed")} <= named
    outcomes = {x["data"]["outcome"] for x in steps if x["step"] == "decided" and x["unit"] == DEMO_TEAM}
    assert outcomes == {"penalized", "mitigated", "no_penalty", "transferred", "granted", "refused"}
    money = [x["data"][f] for x in steps if x["step"] == "decided" for f in ("fine", "confiscated") if f in x["data"]]
    assert money and all(re.fullmatch(r"\d+\.\d\d", m) for m in money)
    figures = [x for x in lines if x["op"] == "figure"]
    assert [(x["unit"], x["data"]["code"]) for x in figures] == [
        (DEMO_PARENT, "local.study.party_group_law"),
        (DEMO_STREET, "local.study.party_group_law"),
        (DEMO_STREET, "local.enforcement.fine_decisions"),
    ]
