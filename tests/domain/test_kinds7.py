"""DOMAIN.md §7: the types (§7.1), the six new kinds and their rules (§7.2), the fields and codes added to §2's
kinds (§7.4). Figures, deadlines and checks are in test_figures7.py."""

from __future__ import annotations

import io
import json

import pytest
from conftest import case, correct, exam, rec, step, study, void

from api.services.writes import read_lines
from domain.catalogue import KINDS, PENALTY_CLASSES, STUDY_FORMS


def penalty(ref: str, date: str = "2025-01-10", procedure: str = "ordinary", **kw):
    return rec(
        "enforcement_case", ref, date, action="penalty", subject="未按规定设置消防设施", procedure=procedure, **kw
    )


def licence(ref: str, date: str = "2025-01-10", **kw):
    return rec("enforcement_case", ref, date, action="licence", subject="食品经营许可", **kw)


def decided(ref: str, date: str = "2025-02-01", outcome: str = "penalized", **kw):
    if outcome in ("penalized", "mitigated"):
        kw.setdefault("penalty_class", "fine")
    return step(ref, "decided", date, outcome=outcome, **kw)


# ---- §7.1 types ----


@pytest.mark.parametrize(
    ("fine", "ok"),
    [
        (136161, True),
        ("136161.5", True),
        ("1753.79", True),
        (0, True),
        ("0.01", True),
        (1_000_000_000_000, True),
        ("1000000000000.00", True),
        ("1000000000000.01", False),
        ("-1", False),
        (-1, False),
        ("+1", False),
        ("1e3", False),
        ("1.234", False),
        ("12,000", False),
        ("", False),
        ("一百", False),
        (" 12", False),
        (True, False),
        ([1], False),
    ],
)
def test_money_is_a_decimal_up_to_a_trillion_with_at_most_two_places(env, fine, ok):
    env.ok(penalty("E-1"))
    errors = env.errors(decided("E-1", fine=fine))
    if ok:
        assert errors == []
    else:
        assert len(errors) == 1 and errors[0].startswith("line 1: data.fine: 罚款金额"), errors


def test_money_is_stored_exactly_as_a_two_decimal_string(env):
    env.ok(penalty("E-1"), decided("E-1", fine="136161.5", confiscated=12))
    data = env.history("u1", "E-1")[-1].data
    assert data == {"outcome": "penalized", "penalty_class": "fine", "fine": "136161.50", "confiscated": "12.00"}


def _read(text: str):
    lines, errors = read_lines(io.StringIO(text))
    assert errors == []
    return [raw for _, raw in lines]


@pytest.mark.parametrize(
    ("number", "ok"),
    [("1753.79", True), ("1753.7", True), ("0.1", True), ("1e3", False), ("1.5e1", False), ("1.005", False)],
)
def test_json_lines_money_is_read_from_the_text_of_the_line(env, number, ok):
    """A JSON number is read exactly (never through a binary float), so an exponent is still seen as one."""
    env.ok(penalty("E-1"))
    line = json.dumps(decided("E-1")).replace('"penalty_class": "fine"', f'"penalty_class": "fine", "fine": {number}')
    (raw,) = _read(line + "\n")
    errors = env.errors(raw)
    assert (errors == []) is ok, errors
    if not ok:
        assert errors[0].startswith("line 1: data.fine:") and number in errors[0]


def test_a_line_with_decimals_reapplied_is_skipped_and_changed_is_refused(env):
    env.ok(penalty("E-1"))
    text = json.dumps({**decided("E-1"), "id": "D-1"}).replace('"fine"}', '"fine", "fine": 0.1}')
    env.ok(*_read(text + "\n"))
    again = env.apply(_read(text + "\n"))
    assert (again.applied, again.skipped, again.errors) == (0, 1, [])
    changed = env.errors(*_read(text.replace("0.1", "0.10") + "\n"))
    assert changed and "行编号" in changed[0]


def test_json_numbers_with_a_fraction_are_still_refused_for_int_fields(env):
    (raw,) = _read(json.dumps(study("S-1", "2025-01-01")).replace('"attendees": 10', '"attendees": 10.5') + "\n")
    assert env.errors(raw) == ["line 1: data.attendees: 参学人数：须为整数，收到「10.5」"]


@pytest.mark.parametrize(
    ("score", "ok"), [(100, True), ("99.5", True), ("88.25", True), ("100.01", False), (-1, False)]
)
def test_score_is_like_money_but_up_to_100(env, score, ok):
    errors = env.fields(exam("X-1", "2025-03-01", 10, 10, 9, average_score=score))
    assert errors == ([] if ok else [(1, "data.average_score")])


# ---- §7.2 enforcement_case ----


def test_procedure_compulsion_and_count_depend_on_the_action_every_error_at_once(env):
    bad = rec("enforcement_case", "E-0", "2025-01-01", action="penalty", subject="x", compulsion="measure", count=2)
    assert env.fields(bad) == [(1, "data.procedure"), (1, "data.compulsion"), (1, "data.count")]
    assert env.fields(rec("enforcement_case", "E-1", "2025-01-01", action="compulsion", subject="x")) == [
        (1, "data.compulsion")
    ]
    assert env.fields(rec("enforcement_case", "E-2", "2025-01-01", action="licence", subject="x", count=3)) == [
        (1, "data.count")
    ]
    env.ok(
        rec("enforcement_case", "E-3", "2025-01-01", action="inspection", subject="x", count=3),
        rec("enforcement_case", "E-4", "2025-01-01", action="other", subject="x"),
        rec("enforcement_case", "E-5", "2025-01-01", action="compulsion", subject="x", compulsion="court_application"),
        penalty("E-6", procedure="simple"),
    )


@pytest.mark.parametrize(
    ("setup", "name", "data", "ok"),
    [
        (penalty("P", procedure="simple"), "extended", {"days": 30}, False),
        (penalty("P"), "extended", {"days": 30}, True),
        (penalty("P"), "extended", {"days": 366}, False),
        (penalty("P"), "accepted", {}, False),
        (penalty("P"), "revoked", {}, False),
        (penalty("P"), "reviewed", {"corrected": True}, True),
        (licence("P"), "reviewed", {}, True),
        (licence("P"), "accepted", {}, True),
        (licence("P"), "decided", {"outcome": "granted"}, True),
        (licence("P"), "decided", {"outcome": "penalized", "penalty_class": "fine"}, False),
        (licence("P"), "executed", {}, False),
        (licence("P"), "withdrawn", {}, False),
        (licence("P"), "published", {"channel": "信用中国"}, True),
        (rec("enforcement_case", "P", "2025-01-10", action="inspection", subject="x"), "reviewed", {}, False),
        (
            rec("enforcement_case", "P", "2025-01-10", action="compulsion", subject="x", compulsion="measure"),
            "decided",
            {"outcome": "penalized", "penalty_class": "fine"},
            False,
        ),
        (rec("legal_service", "P", "2025-01-10", service="duty"), "concluded", {}, False),
        (rec("law_report", "P", "2025-01-10", role="principal", form="on_site"), "reviewed", {"score": 95}, True),
        (rec("law_report", "P", "2025-01-10", role="principal", form="on_site"), "reviewed", {"score": 101}, False),
    ],
)
def test_steps_are_allowed_per_kind_and_action(env, setup, name, data, ok):
    env.ok(setup)
    errors = env.fields(step("P", name, "2025-02-01", **data))
    assert (errors == []) is ok, errors


def test_a_withdrawal_after_a_decision_is_refused_and_the_other_way_round(env):
    env.ok(penalty("E-1"), penalty("E-2"))
    first = decided("E-1")
    env.ok(first)
    errors = env.errors(step("E-1", "withdrawn", "2025-02-02", reason="证据不足"))
    assert errors == [
        f"line 1: step: 步骤：已有 2025-02-01 的「处罚决定」（行编号 {first['id']}），"
        "不能再记录「撤销立案」；如需更换请先作废那一个"
    ]
    env.ok(step("E-2", "withdrawn", "2025-02-02"))
    assert env.fields(decided("E-2", "2025-02-03")) == [(1, "step")]
    # Voiding the decision frees the case for a withdrawal (and a second decision is "at most one").
    assert env.fields(decided("E-1", "2025-02-03")) == [(1, "step")]
    env.ok(void("E-1", target=first), step("E-1", "withdrawn", "2025-02-04"))


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"outcome": "penalized"}, ["data.penalty_class"]),
        ({"outcome": "mitigated"}, ["data.penalty_class"]),
        ({"outcome": "penalized", "penalty_class": "fine", "fine": 200}, []),
        ({"outcome": "mitigated", "penalty_class": "warning"}, []),
        ({"outcome": "penalized", "penalty_class": "jail"}, ["data.penalty_class"]),
        ({"outcome": "no_penalty"}, []),
        ({"outcome": "no_penalty", "penalty_class": "warning"}, ["data.penalty_class"]),
        ({"outcome": "no_penalty", "fine": 100}, ["data.fine"]),
        ({"outcome": "transferred", "confiscated": "5.5"}, ["data.confiscated"]),
        ({"outcome": "granted"}, ["data.outcome"]),
        ({"outcome": "x", "fine": 100}, ["data.outcome"]),
    ],
)
def test_penalty_class_fine_and_confiscated_go_with_penalizing_outcomes(env, data, fields):
    env.ok(penalty("E-1"))
    assert [f for _, f in env.fields(step("E-1", "decided", "2025-02-01", **data))] == fields


def test_every_penalty_class_of_the_statute_is_a_code():
    assert list(PENALTY_CLASSES) == [
        "warning", "criticism", "fine", "confiscation", "licence_suspension", "downgrade", "licence_revocation",
        "business_restriction", "suspension", "closure", "practice_ban", "detention", "other",
    ]  # fmt: skip


def test_a_correction_of_the_action_is_validated_like_a_new_record(env):
    env.ok(penalty("E-1"))
    # The new action does not take `procedure`: clear it with null in the same correction.
    assert env.fields(correct("E-1", action="inspection")) == [(1, "data.procedure")]
    env.ok(correct("E-1", action="inspection", procedure=None, count=4))
    assert env.fields(correct("E-1", action="compulsion", count=None)) == [(1, "data.compulsion")]
    env.ok(correct("E-1", action="penalty", procedure="simple", count=None))


def test_a_correction_is_refused_when_a_live_step_would_no_longer_be_allowed(env):
    env.ok(penalty("E-1"))
    ext = step("E-1", "extended", "2025-03-01", days=30)
    env.ok(ext)
    errors = env.errors(correct("E-1", procedure="simple"))
    assert len(errors) == 1 and errors[0].startswith("line 1: data.procedure: 办案程序：已有有效的步骤「延长办案期限」")
    assert env.fields(correct("E-1", action="licence", procedure=None)) == [(1, "data.action")]
    env.ok(void("E-1", target=ext), correct("E-1", procedure="simple"))


def test_a_correction_is_refused_when_a_live_decision_would_carry_the_other_actions_outcome(env):
    env.ok(licence("L-1"))
    grant = step("L-1", "decided", "2025-02-01", outcome="granted")
    env.ok(grant, step("L-1", "published", "2025-02-02"))
    errors = env.errors(correct("L-1", action="penalty", procedure="ordinary"))
    assert len(errors) == 1 and errors[0].startswith("line 1: data.action: 执法类别：已有有效的步骤「许可决定」")
    # `published` is allowed for both actions, so once the decision is voided the correction goes through.
    env.ok(void("L-1", target=grant), correct("L-1", action="penalty", procedure="ordinary"))
    env.ok(decided("L-1", "2025-02-03"))


def test_the_kinds_of_section_7_take_their_fields_and_codes(env):
    env.ok(
        rec("major_decision", "MD-1", "2025-01-05", title="老旧小区改造实施方案", catalogue_year=2025, doc_no="x"),
        rec("supervision_letter", "SL-1", "2025-01-05", type="procuratorial_suggestion", subject="x", reply_days=30),
        rec("hotline_ticket", "HT-1", "2025-01-05", channel="grid", category="complaint", subject="噪音"),
        rec("legal_service", "LS-1", "2025-01-05", service="mediation", count=3, persons=8, provider="村法律顾问"),
        rec("law_report", "LR-1", "2025-01-05", role="principal", form="on_site", occasion="专题述法评议会"),
    )
    assert env.fields(
        rec("supervision_letter", "SL-2", "2025-01-05", type="suggestion", subject="x", reply_days=0),
        rec("hotline_ticket", "HT-2", "2025-01-05", channel="12345", subject="x"),
        rec("legal_service", "LS-2", "2025-01-05", service="mediation", count=0),
        rec("law_report", "LR-2", "2025-01-05", role="head", form="on_site"),
    ) == [(1, "data.type"), (1, "data.reply_days"), (2, "data.channel"), (3, "data.count"), (4, "data.role")]


@pytest.mark.parametrize(
    ("date", "year", "ok"),
    [("2025-12-20", 2026, True), ("2025-01-05", 2025, True), ("2025-01-05", 2024, False), ("2025-01-05", 2027, False)],
)
def test_catalogue_year_is_the_year_of_the_date_or_the_next(env, date, year, ok):
    errors = env.fields(rec("major_decision", "MD-1", date, title="t", catalogue_year=year))
    assert errors == ([] if ok else [(1, "data.catalogue_year")])


def test_a_date_correction_must_keep_the_catalogue_year_valid(env):
    env.ok(rec("major_decision", "MD-1", "2025-12-20", title="t", catalogue_year=2026))
    assert env.fields(correct("MD-1", date="2024-12-20")) == [(1, "data.catalogue_year")]
    env.ok(correct("MD-1", date="2024-12-20", catalogue_year=None))


def test_major_decision_steps_at_most_one_where_the_contract_says(env):
    env.ok(rec("major_decision", "MD-1", "2025-01-05", title="t"))
    for name in ("public_participation", "expert_review", "risk_assessment", "legality_review", "evaluation"):
        env.ok(step("MD-1", name, "2025-02-01"), step("MD-1", name, "2025-02-02"))
    for name in ("collective_decision", "published", "terminated"):
        env.ok(step("MD-1", name, "2025-03-01"))
        assert env.fields(step("MD-1", name, "2025-03-02")) == [(1, "step")]
    assert env.fields(step("MD-1", "public_participation", "2025-03-02", form="referendum")) == [(1, "data.form")]


def test_hotline_ticket_steps(env):
    env.ok(rec("hotline_ticket", "HT-1", "2025-01-05", channel="hotline", subject="x"))
    env.ok(step("HT-1", "concluded", "2025-01-06"), step("HT-1", "feedback", "2025-01-07", satisfaction="satisfied"))
    assert env.fields(
        step("HT-1", "concluded", "2025-01-08"), step("HT-1", "feedback", "2025-01-08", satisfaction="happy")
    ) == [(1, "step"), (2, "data.satisfaction"), (2, "step")]


def test_supervision_letter_reply(env):
    env.ok(rec("supervision_letter", "SL-1", "2025-01-05", type="judicial_suggestion", subject="x"))
    env.ok(step("SL-1", "replied", "2025-02-01", result="adopted"))
    assert env.fields(step("SL-1", "replied", "2025-02-02")) == [(1, "step")]


# ---- §7.4 additions to §2's kinds ----


def test_new_study_forms_and_the_relabelled_party_group():
    assert STUDY_FORMS["party_group"] == "党组(党委、党工委)会"
    assert {"executive", "leadership"} <= set(STUDY_FORMS)


def test_fields_and_codes_added_to_section_2_kinds(env):
    env.ok(
        study("S-1", "2025-01-01", form="executive", first_topic=True),
        study("S-2", "2025-01-01", form="leadership"),
        exam("X-1", "2025-01-01", 10, 9, 8, type="qualification", excellent=8, average_score="91.5"),
        rec("legal_review", "LR-1", "2025-01-01", subject="contract", title="t", reviewer="in_house", issues_found=3),
        rec("inspection", "I-1", "2025-01-01", subject="案卷评查", type="file_review", files_reviewed=370),
        rec("meeting", "M-1", "2025-01-01", form="executive", topic="t", rule_of_law_agenda=True, items_funds=39),
        rec("normative_document", "N-1", "2025-01-01", action="issued", title="t"),
    )
    assert env.fields(
        exam("X-2", "2025-01-01", 10, 9, 8, type="mock"),
        exam("X-3", "2025-01-01", 10, 9, 8, excellent=9),
        rec("inspection", "I-2", "2025-01-01", subject="x", type="audit"),
        rec("meeting", "M-2", "2025-01-01", form="party_group", topic="t", rule_of_law_agenda=True, items_major=-1),
    ) == [(1, "data.type"), (2, "data.excellent"), (3, "data.type"), (4, "data.items_major")]


def test_head_rank_only_when_the_head_appeared(env):
    env.ok(case("C-1", "2025-01-01"))
    env.ok(step("C-1", "hearing", "2025-02-01", head_appeared=True, head_rank="principal"))
    assert env.fields(step("C-1", "hearing", "2025-02-02", head_rank="deputy")) == [(1, "data.head_rank")]
    assert env.fields(step("C-1", "hearing", "2025-02-02", head_appeared=False, head_rank="deputy")) == [
        (1, "data.head_rank")
    ]
    assert env.fields(step("C-1", "hearing", "2025-02-02", head_appeared=True, head_rank="boss")) == [
        (1, "data.head_rank")
    ]


def test_exam_excellent_is_checked_on_correction_too(env):
    env.ok(exam("X-1", "2025-01-01", 10, 9, 8, excellent=5))
    assert env.fields(correct("X-1", passed=4)) == [(1, "data.excellent")]


# ---- voids and corrections on the new kinds ----


def test_a_voided_new_kind_takes_nothing_more(env):
    env.ok(penalty("E-1"), void("E-1"))
    assert env.fields(decided("E-1"), correct("E-1", subject="y")) == [(1, "ref"), (2, "ref")]


def test_every_kind_of_the_contract_is_in_the_catalogue():
    assert {
        "enforcement_case", "major_decision", "supervision_letter", "hotline_ticket", "legal_service", "law_report"
    } <= set(KINDS)  # fmt: skip
    assert KINDS["legal_service"].steps == ()


# ---- over HTTP ----


def test_money_over_the_json_api_is_exact_both_ways(web):
    c = web.client("rec-north")
    record = {"unit": "north", "kind": "enforcement_case", "ref": "E-1", "date": "2025-03-01",
              "data": {"action": "penalty", "subject": "x", "procedure": "simple"}}  # fmt: skip
    assert c.post("/api/records", json=record).status_code == 201
    lines = [
        '{"id": "d-1", "op": "step", "unit": "north", "ref": "E-1", "step": "decided", "date": "2025-03-01",'
        ' "data": {"outcome": "penalized", "penalty_class": "fine", "fine": 1753.79, "confiscated": 1e2}}',
    ]
    refused = c.post("/api/import", content="\n".join(lines), headers={"content-type": "application/x-ndjson"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "data.confiscated"
    text = lines[0].replace(', "confiscated": 1e2', ', "confiscated": 0.1')
    ok = c.post("/api/import", content=text, headers={"content-type": "application/x-ndjson"})
    assert ok.status_code == 200, ok.text
    figures = c.get("/api/reports/north/2025").json()["figures"]
    assert (figures["enforcement.fines"]["value"], figures["enforcement.forfeitures"]["value"]) == (
        "1753.79",
        "1753.89",
    )
    assert figures["enforcement.fines"]["previous"] == "0.00"
