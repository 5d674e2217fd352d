"""The rules of DOMAIN.md §2 (kinds, fields, steps) and §4 (interchange lines), through Ledger.apply."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from conftest import case, correct, exam, petition, proposal, rec, request, step, study, unit, void

# ---- unknown fields and codes ----


def test_unknown_data_field_is_rejected_naming_it(env):
    assert env.fields(study("SS-1", "2025-03-01", colour="red")) == [(1, "data.colour")]
    assert env.ledger.activity("u1", "SS-1") is None


def test_unknown_step_data_field_is_rejected(env):
    env.ok(case("C-1", "2025-01-01"))
    assert env.fields(step("C-1", "coordination", "2025-02-01", minutes=3)) == [(1, "data.minutes")]


@pytest.mark.parametrize("key", ["recorded_at", "recorded_by", "colour"])
def test_unknown_line_key_is_rejected(env, key):
    line = {**study("SS-1", "2025-03-01"), key: "2025-03-01T00:00:00+08:00"}
    assert env.fields(line) == [(1, key)]


def test_recorded_at_is_never_client_input(env):
    line = {**study("SS-1", "2025-03-01"), "recorded_at": "2025-03-01T08:00:00+08:00"}
    [error] = env.errors(line)
    assert error.startswith("line 1: recorded_at: ")
    assert env.ledger.activity("u1", "SS-1") is None


@pytest.mark.parametrize(
    ("line", "field"),
    [
        (rec("meeting_minutes", "X-1", "2025-01-01", topic="t"), "kind"),
        ({"id": "op-x", "op": "delete", "unit": "u1", "ref": "X"}, "op"),
        (study("SS-1", "2025-01-01", form="webinar"), "data.form"),
        (petition("XF-1", "2025-01-01", channel="fax"), "data.channel"),
        (petition("XF-1", "2025-01-01", category="praise"), "data.category"),
        (case("C-1", "2025-01-01", "tax"), "data.case_type"),
        (case("C-1", "2025-01-01", instance="third"), "data.instance"),
        (proposal("JY-1", "2025-01-01", source="party"), "data.source"),
        (rec("normative_document", "GF-1", "2025-01-01", action="burned", title="t"), "data.action"),
        (rec("legal_review", "FG-1", "2025-01-01", subject="contract", title="t", reviewer="ai"), "data.reviewer"),
        (
            rec("meeting", "HY-1", "2025-01-01", form="party_group", topic="t", rule_of_law_agenda="yes"),
            "data.rule_of_law_agenda",
        ),
    ],
)
def test_unknown_code_is_rejected_naming_the_field(env, line, field):
    assert env.fields(line) == [(1, field)]


@pytest.mark.parametrize(
    ("kind", "setup", "name", "data", "field"),
    [
        ("case", case("C-1", "2025-01-01"), "appeal", {}, "step"),
        ("study", study("SS-1", "2025-01-01"), "hearing", {}, "step"),
        ("request", request("YS-1", "2025-01-01"), "replied", {"result": "ignored"}, "data.result"),
        ("proposal", proposal("JY-1", "2025-01-01"), "feedback", {"satisfaction": "meh"}, "data.satisfaction"),
        ("proposal", proposal("JY-1", "2025-01-01"), "replied", {"grade": "E"}, "data.grade"),
        ("proposal", proposal("JY-1", "2025-01-01"), "contacted", {"form": "letter"}, "data.form"),
    ],
)
def test_unknown_step_or_step_code_is_rejected(env, kind, setup, name, data, field):
    env.ok(setup)
    assert env.fields(step(setup["ref"], name, "2025-02-01", **data)) == [(1, field)]


# ---- numbers ----


@pytest.mark.parametrize(
    ("line", "field"),
    [
        (study("SS-1", "2025-01-01", attendees=-1), "data.attendees"),
        (study("SS-1", "2025-01-01", speeches=-2), "data.speeches"),
        (rec("publicity_event", "PF-1", "2025-01-01", theme="t", form="street", audience=-5), "data.audience"),
        (rec("publicity_event", "PF-1", "2025-01-01", theme="t", form="street", materials=-1), "data.materials"),
        (rec("inspection", "JC-1", "2025-01-01", subject="s", findings=-1), "data.findings"),
        (exam("KS-1", "2025-01-01", -10, 0, 0), "data.eligible"),
    ],
)
def test_negative_numbers_are_rejected(env, line, field):
    assert env.fields(line) == [(1, field)]


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (0, True),
        (1_000_001, True),  # DOMAIN.md §7.1 raised the bound from 1,000,000
        (1_000_000_000, True),
        (1_000_000_001, False),
        (-1, False),
        ("12", True),  # issue 12: what is exactly an integer is accepted (and stored as an int)
        (12.0, True),
        ("12.5", False),
        (12.5, False),
        ("12人", False),
        (True, False),
    ],
)
def test_int_fields_take_integers_from_0_to_a_billion(env, value, ok):
    result = env.fields(study("SS-1", "2025-01-01", attendees=value))
    assert result == ([] if ok else [(1, "data.attendees")])


@pytest.mark.parametrize(
    ("line", "field"),
    [
        (petition("XF-1", "2025-01-01", persons=0), "data.persons"),
        (rec("study_writing", "SW-1", "2025-01-01", genre="notes", count=0), "data.count"),
        (rec("normative_document", "GF-1", "2025-01-01", action="filed", title="t", count=0), "data.count"),
        (rec("disclosure", "GK-1", "2025-01-01", channel="网站", title="t", items=0), "data.items"),
    ],
)
def test_fields_at_least_one_reject_zero(env, line, field):
    assert env.fields(line) == [(1, field)]


@pytest.mark.parametrize(("days", "ok"), [(0, False), (1, True), (30, True), (31, False)])
def test_petition_extension_is_1_to_30_days(env, days, ok):
    env.ok(petition("XF-1", "2025-01-01"))
    assert env.fields(step("XF-1", "extended", "2025-02-01", days=days)) == ([] if ok else [(1, "data.days")])


def test_petition_visit_step_needs_at_least_one_person(env):
    env.ok(petition("XF-1", "2025-01-01"))
    assert env.fields(step("XF-1", "visit", "2025-02-01", persons=0)) == [(1, "data.persons")]
    assert env.fields(step("XF-1", "visit", "2025-02-01")) == [(1, "data.persons")]


@pytest.mark.parametrize(
    ("eligible", "participants", "passed", "field"),
    [(10, 11, 5, "data.participants"), (10, 8, 9, "data.passed"), (10, 10, 10, None), (0, 0, 0, None)],
)
def test_exam_passed_at_most_participants_at_most_eligible(env, eligible, participants, passed, field):
    result = env.fields(exam("KS-1", "2025-01-01", eligible, participants, passed))
    assert result == ([] if field is None else [(1, field)])


def test_bool_fields_take_only_true_or_false(env):
    assert env.fields(study("SS-1", "2025-01-01", led_by_head="yes")) == [(1, "data.led_by_head")]
    assert env.fields(study("SS-2", "2025-01-01", led_by_head=1)) == [(1, "data.led_by_head")]
    assert env.fields(study("SS-3", "2025-01-01", led_by_head=True)) == []


# ---- strings and lists ----


@pytest.mark.parametrize("blank", ["", "   ", "\t\n"])
def test_required_string_must_not_be_blank(env, blank):
    line = rec("study_session", "SS-1", "2025-01-01", form="lecture", topic=blank, attendees=3)
    assert env.fields(line) == [(1, "data.topic")]


def test_blank_reason_and_ref_are_rejected(env):
    env.ok(study("SS-1", "2025-01-01"))
    assert env.fields(void("SS-1", reason=" ")) == [(1, "reason")]
    assert env.fields(study("", "2025-01-01")) == [(1, "ref")]


def test_required_field_missing_or_null_is_rejected(env):
    no_topic = rec("study_session", "SS-1", "2025-01-01", form="lecture", attendees=3)
    assert env.fields(no_topic) == [(1, "data.topic")]
    assert env.fields(study("SS-1", "2025-01-01", attendees=None)) == [(1, "data.attendees")]


def test_explicit_null_for_optional_field_in_record_means_absent(env):
    env.ok(study("SS-1", "2025-01-01", speeches=None, lecturer=None))
    assert env.ledger.activity("u1", "SS-1").data == {
        "form": "central_group",
        "topic": "学习习近平法治思想",
        "attendees": 10,
    }


@pytest.mark.parametrize(("length", "ok"), [(500, True), (501, False)])
def test_strings_are_at_most_500_chars(env, length, ok):
    result = env.fields(study("SS-1", "2025-01-01", lecturer="法" * length))
    assert result == ([] if ok else [(1, "data.lecturer")])


@pytest.mark.parametrize(("items", "ok"), [(50, True), (51, False)])
def test_lists_are_at_most_50_items(env, items, ok):
    laws = [f"法规{i}" for i in range(items)]
    assert env.fields(study("SS-1", "2025-01-01", laws=laws)) == ([] if ok else [(1, "data.laws")])


def test_list_items_are_non_blank_strings(env):
    assert env.fields(study("SS-1", "2025-01-01", laws=["民法典", " "]))[0][1].startswith("data.laws")
    assert env.fields(study("SS-1", "2025-01-01", laws="民法典")) == [(1, "data.laws")]


def test_ref_is_at_most_128_chars(env):
    assert env.fields(study("R" * 128, "2025-01-01")) == []
    assert env.fields(study("R" * 129, "2025-01-01")) == [(1, "ref")]


# ---- dates ----


@pytest.mark.parametrize(
    ("day", "ok"),
    [
        ("1999-12-31", False),
        ("2000-01-01", True),
        ("2025-02-29", False),
        ("2025-2-1", True),  # issue 12: the unambiguous forms people type
        ("20250201", True),
        ("2/1/2025", False),
        ("2025-2", False),
    ],
)
def test_business_dates_are_valid_days_from_2000(env, day, ok):
    assert env.fields(study("SS-1", day)) == ([] if ok else [(1, "date")])


def test_today_is_the_civil_date_in_asia_shanghai(env):
    assert env.ledger.today() == datetime.now(ZoneInfo("Asia/Shanghai")).date()


def test_dates_after_today_are_rejected_today_accepted(env):
    today = env.ledger.today()
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert env.fields(study("SS-1", tomorrow)) == [(1, "date")]
    assert env.fields(study("SS-1", today.isoformat())) == []
    assert env.fields(step("SS-1", "hearing", tomorrow))[0] == (1, "date")


def test_step_date_in_the_future_is_rejected(env):
    env.ok(case("C-1", "2025-01-01"))
    tomorrow = (env.ledger.today() + timedelta(days=1)).isoformat()
    assert env.fields(step("C-1", "hearing", tomorrow)) == [(1, "date")]


def test_step_date_before_activity_date_is_rejected(env):
    env.ok(case("C-1", "2025-03-01"))
    assert env.fields(step("C-1", "hearing", "2025-02-28")) == [(1, "date")]
    assert env.fields(step("C-1", "hearing", "2025-03-01")) == []


# ---- steps: at most one, closed, voided slots ----

AT_MOST_ONE = [
    (petition("XF-1", "2025-01-01"), "acknowledged", {}),
    (petition("XF-2", "2025-01-01"), "extended", {"days": 10}),
    (petition("XF-3", "2025-01-01"), "replied", {}),
    (petition("XF-4", "2025-01-01"), "concluded", {}),
    (case("C-1", "2025-01-01"), "decided", {"outcome": "won"}),
    (case("C-2", "2025-01-01"), "resolved", {}),
    (case("C-3", "2025-01-01"), "closed", {}),
    (request("YS-1", "2025-01-01"), "extended", {}),
    (request("YS-2", "2025-01-01"), "replied", {"result": "disclosed"}),
    (proposal("JY-1", "2025-01-01"), "replied", {"grade": "A"}),
    (proposal("JY-2", "2025-01-01"), "feedback", {"satisfaction": "satisfied"}),
]


@pytest.mark.parametrize(("activity", "name", "data"), AT_MOST_ONE, ids=lambda v: v if isinstance(v, str) else "")
def test_at_most_one_live_step_and_voiding_frees_the_slot(env, activity, name, data):
    ref = activity["ref"]
    first = step(ref, name, "2025-02-01", **data)
    env.ok(activity, first)
    assert env.fields(step(ref, name, "2025-02-01", **data)) == [(1, "step")]
    env.ok(void(ref, target=first, reason="录错了"))
    env.ok(step(ref, name, "2025-02-02", **data))
    assert env.fields(step(ref, name, "2025-02-03", **data)) == [(1, "step")]


@pytest.mark.parametrize(
    ("activity", "name", "data"),
    [
        (case("C-1", "2025-01-01"), "hearing", {"head_appeared": True}),
        (case("C-2", "2025-01-01"), "coordination", {}),
        (petition("XF-1", "2025-01-01"), "visit", {"persons": 2}),
        (proposal("JY-1", "2025-01-01"), "meeting", {}),
        (proposal("JY-2", "2025-01-01"), "contacted", {"form": "face"}),
    ],
)
def test_repeatable_steps_can_be_recorded_many_times(env, activity, name, data):
    env.ok(activity)
    ref = activity["ref"]
    env.ok(*(step(ref, name, f"2025-02-0{i}", **data) for i in range(1, 4)))
    assert sum(1 for s in env.ledger.activity("u1", ref).live_steps() if s.name == name) == 3


def test_steps_may_be_entered_out_of_order(env):
    env.ok(proposal("JY-1", "2025-01-01"), petition("XF-1", "2025-01-01"))
    env.ok(
        step("JY-1", "feedback", "2025-02-01", satisfaction="satisfied"),
        step("JY-1", "replied", "2025-03-01"),
        step("XF-1", "concluded", "2025-02-01"),
        step("XF-1", "replied", "2025-01-20"),
        step("XF-1", "acknowledged", "2025-01-05"),
    )


@pytest.mark.parametrize(
    ("name", "data"),
    [("hearing", {}), ("coordination", {}), ("decided", {"outcome": "won"}), ("resolved", {})],
)
def test_nothing_is_dated_after_a_live_closed(env, name, data):
    env.ok(case("C-1", "2025-01-01"), step("C-1", "closed", "2025-06-30"))
    assert env.fields(step("C-1", name, "2025-07-01", **data)) == [(1, "date")]
    # on or before the closing date is fine (late entry)
    assert env.fields(step("C-1", name, "2025-06-30", **data)) == []


def test_voided_closed_no_longer_blocks_later_steps(env):
    closed = step("C-1", "closed", "2025-06-30")
    env.ok(case("C-1", "2025-01-01"), closed)
    env.ok(void("C-1", target=closed, reason="尚未结案"))
    env.ok(step("C-1", "hearing", "2025-07-01"), step("C-1", "closed", "2025-08-01"))


def test_closed_before_an_existing_later_step_is_rejected(env):
    env.ok(case("C-1", "2025-01-01"), step("C-1", "hearing", "2025-05-01"))
    assert env.fields(step("C-1", "closed", "2025-04-30")) == [(1, "date")]
    assert env.fields(step("C-1", "closed", "2025-05-01")) == []


def test_closed_ignores_voided_later_steps(env):
    hearing = step("C-1", "hearing", "2025-05-01")
    env.ok(case("C-1", "2025-01-01"), hearing, void("C-1", target=hearing))
    assert env.fields(step("C-1", "closed", "2025-04-30")) == []


def test_void_of_a_step_names_an_existing_live_step(env):
    s = step("C-1", "hearing", "2025-02-01")
    env.ok(case("C-1", "2025-01-01"), case("C-2", "2025-01-01"), s)
    assert env.fields(void("C-1", target="no-such-line")) == [(1, "target")]
    assert env.fields(void("C-2", target=s)) == [(1, "target")]  # a step of another activity
    env.ok(void("C-1", target=s))
    assert env.fields(void("C-1", target=s)) == [(1, "target")]  # already voided


def test_steps_need_an_existing_activity(env):
    assert env.fields(step("C-404", "hearing", "2025-02-01")) == [(1, "ref")]


# ---- decided outcomes ----


@pytest.mark.parametrize(
    ("case_type", "outcome", "ok"),
    [
        ("admin_litigation", "won", True),
        ("admin_litigation", "partially_lost", True),
        ("admin_litigation", "upheld", False),
        ("civil_litigation", "mediated", True),
        ("civil_litigation", "revoked", False),
        ("enforcement", "settled", True),
        ("arbitration", "withdrawn", True),
        ("other", "confirmed_illegal", False),
        ("reconsideration", "upheld", True),
        ("reconsideration", "ordered_to_perform", True),
        ("reconsideration", "terminated", True),
        ("reconsideration", "won", False),
        ("reconsideration", "dismissed", False),
    ],
)
def test_decided_outcome_list_depends_on_case_type(env, case_type, outcome, ok):
    env.ok(case("C-1", "2025-01-01", case_type))
    result = env.fields(step("C-1", "decided", "2025-03-01", outcome=outcome))
    assert result == ([] if ok else [(1, "data.outcome")])


def test_decided_outcome_must_be_a_known_code(env):
    env.ok(case("C-1", "2025-01-01"))
    assert env.fields(step("C-1", "decided", "2025-03-01", outcome="victory")) == [(1, "data.outcome")]
    assert env.fields(step("C-1", "decided", "2025-03-01")) == [(1, "data.outcome")]


# ---- voided activities ----


def test_voided_activity_takes_no_steps_corrections_or_voids(env):
    env.ok(case("C-1", "2025-01-01"), void("C-1", reason="重复"))
    assert env.fields(step("C-1", "hearing", "2025-02-01")) == [(1, "ref")]
    assert env.fields(correct("C-1", date="2025-01-02")) == [(1, "ref")]
    assert env.fields(void("C-1", reason="再次作废")) == [(1, "ref")]


def test_voided_activity_keeps_its_ref(env):
    env.ok(case("C-1", "2025-01-01"), void("C-1"))
    assert env.fields(case("C-1", "2025-02-01")) == [(1, "ref")]


# ---- corrections ----


def test_correction_changes_date_and_data(env):
    env.ok(study("SS-1", "2025-01-01", speeches=2))
    env.ok(correct("SS-1", date="2025-01-02", attendees=12, reason="人数记错"))
    a = env.ledger.activity("u1", "SS-1")
    assert (a.date.isoformat(), a.data["attendees"], a.data["speeches"]) == ("2025-01-02", 12, 2)


def test_correction_clearing_a_required_field_is_rejected(env):
    env.ok(study("SS-1", "2025-01-01"))
    assert env.fields(correct("SS-1", topic=None)) == [(1, "data.topic")]
    assert env.fields(correct("SS-1", attendees=None)) == [(1, "data.attendees")]


def test_correction_may_clear_an_optional_field_with_null(env):
    env.ok(study("SS-1", "2025-01-01", speeches=4, lecturer="张老师"))
    env.ok(correct("SS-1", speeches=None))
    assert "speeches" not in env.ledger.activity("u1", "SS-1").data
    assert env.ledger.activity("u1", "SS-1").data["lecturer"] == "张老师"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"attendees": -1}, "data.attendees"),
        ({"attendees": 1_000_000_001}, "data.attendees"),
        ({"form": "webinar"}, "data.form"),
        ({"colour": "red"}, "data.colour"),
        ({"kind": "exam"}, "data.kind"),
        ({"topic": "  "}, "data.topic"),
        ({"laws": ["x"] * 51}, "data.laws"),
        ({"lecturer": "法" * 501}, "data.lecturer"),
    ],
)
def test_correction_data_is_validated_like_a_record(env, changes, field):
    env.ok(study("SS-1", "2025-01-01"))
    assert env.fields(correct("SS-1", **changes)) == [(1, field)]


def test_correction_is_checked_against_the_merged_record(env):
    env.ok(exam("KS-1", "2025-01-01", 100, 90, 80))
    assert env.fields(correct("KS-1", eligible=89)) == [(1, "data.participants")]
    assert env.fields(correct("KS-1", passed=91)) == [(1, "data.passed")]
    env.ok(correct("KS-1", eligible=90))


@pytest.mark.parametrize("day", ["1999-12-31", "2025-13-01"])
def test_correction_date_is_validated(env, day):
    env.ok(study("SS-1", "2025-01-01"))
    assert env.fields(correct("SS-1", date=day)) == [(1, "date")]


def test_correction_date_after_today_is_rejected(env):
    env.ok(study("SS-1", "2025-01-01"))
    tomorrow = (env.ledger.today() + timedelta(days=1)).isoformat()
    assert env.fields(correct("SS-1", date=tomorrow)) == [(1, "date")]


def test_correction_must_change_something(env):
    env.ok(study("SS-1", "2025-01-01"))
    [(line, _field)] = env.fields(correct("SS-1"))
    assert line == 1


@pytest.mark.parametrize("key", ["kind", "unit_name", "ref_new"])
def test_correction_cannot_change_kind(env, key):
    env.ok(study("SS-1", "2025-01-01"))
    line = {**correct("SS-1", attendees=3), key: "exam"}
    assert env.fields(line) == [(1, key)]


def test_correction_needs_a_reason(env):
    env.ok(study("SS-1", "2025-01-01"))
    line = correct("SS-1", attendees=3)
    del line["reason"]
    assert env.fields(line) == [(1, "reason")]


def test_correction_may_not_move_the_date_after_a_live_step(env):
    env.ok(case("C-1", "2025-01-01"), step("C-1", "hearing", "2025-03-01"))
    assert env.fields(correct("C-1", date="2025-03-02")) == [(1, "date")]
    env.ok(correct("C-1", date="2025-03-01"))
    env.ok(correct("C-1", date="2024-12-01"))


def test_correction_may_move_the_date_past_a_voided_step(env):
    hearing = step("C-1", "hearing", "2025-03-01")
    env.ok(case("C-1", "2025-01-01"), hearing, void("C-1", target=hearing))
    env.ok(correct("C-1", date="2025-04-01"))


def test_case_type_correction_incompatible_with_live_decided_is_rejected(env):
    decided = step("C-1", "decided", "2025-03-01", outcome="won")
    env.ok(case("C-1", "2025-01-01", "admin_litigation"), decided)
    assert env.fields(correct("C-1", case_type="reconsideration")) == [(1, "data.case_type")]
    # within the litigation list it is fine
    env.ok(correct("C-1", case_type="civil_litigation"))
    # once the decision is voided, the type may change
    env.ok(void("C-1", target=decided), correct("C-1", case_type="reconsideration"))
    assert env.fields(step("C-1", "decided", "2025-03-02", outcome="won")) == [(1, "data.outcome")]


def test_reconsideration_decided_blocks_switch_to_litigation(env):
    env.ok(case("C-1", "2025-01-01", "reconsideration"), step("C-1", "decided", "2025-03-01", outcome="revoked"))
    assert env.fields(correct("C-1", case_type="enforcement")) == [(1, "data.case_type")]


def test_correction_of_unknown_activity_is_rejected(env):
    assert env.fields(correct("NOPE", attendees=3)) == [(1, "ref")]


# ---- units ----


def test_unit_must_exist_before_recording(bare):
    assert bare.fields(study("SS-1", "2025-01-01", unit="ghost")) == [(1, "unit")]


@pytest.mark.parametrize("code", ["U1", "-a", "a_b", "", "a" * 65])
def test_unit_code_pattern(bare, code):
    assert bare.fields(unit(code)) == [(1, "unit")]


def test_unit_name_is_required(bare):
    line = unit("u1")
    line["data"] = {"name": " "}
    assert bare.fields(line) == [(1, "data.name")]


def test_parent_must_exist(bare):
    assert bare.fields(unit("child", parent="ghost")) == [(1, "data.parent")]
    assert bare.ledger.unit("child") is None


def test_parent_cannot_be_the_unit_itself(bare):
    bare.ok(unit("a"))
    assert bare.fields(unit("a", parent="a")) == [(1, "data.parent")]


def test_parent_cycle_of_two_is_rejected(bare):
    bare.ok(unit("a"), unit("b", parent="a"))
    assert bare.fields(unit("a", parent="b")) == [(1, "data.parent")]
    assert bare.ledger.unit("a").parent is None


def test_parent_cycle_of_three_is_rejected(bare):
    bare.ok(unit("a"), unit("b", parent="a"), unit("c", parent="b"))
    assert bare.fields(unit("a", parent="c")) == [(1, "data.parent")]


def test_parent_cycle_within_one_file_is_rejected(bare):
    assert bare.fields(unit("a"), unit("b", parent="a"), unit("a", parent="b")) == [(3, "data.parent")]


def test_unit_line_replaces_name_and_parent(bare):
    bare.ok(unit("top"), unit("a", "旧名", parent="top"))
    bare.ok(unit("a", "新名"))
    a = bare.ledger.unit("a")
    assert (a.name, a.parent) == ("新名", None)


def test_same_ref_in_two_units_is_two_activities(env):
    env.ok(unit("u2"), study("SS-1", "2025-01-01"), study("SS-1", "2025-01-01", unit="u2"))
    assert env.fields(study("SS-1", "2025-02-01")) == [(1, "ref")]


# ---- idempotency and all-or-nothing ----


def test_same_id_same_content_is_skipped(env):
    line = study("SS-1", "2025-01-01")
    assert env.apply([line]).applied == 1
    again = env.apply([line])
    assert (again.applied, again.skipped, again.errors, again.events) == (0, 1, [], 0)


def test_same_content_in_another_key_order_is_still_skipped(env):
    line = study("SS-1", "2025-01-01", laws=["民法典"])
    env.ok(line)
    shuffled = dict(reversed(list(line.items())))
    shuffled["data"] = dict(reversed(list(line["data"].items())))
    assert env.apply([shuffled]).skipped == 1


def test_same_id_different_content_is_an_error(env):
    line = study("SS-1", "2025-01-01")
    env.ok(line)
    [error] = env.errors({**line, "date": "2025-01-02"})
    assert error.startswith("line 1: id: ")
    assert env.ledger.activity("u1", "SS-1").date.isoformat() == "2025-01-01"


def test_same_id_twice_within_one_file(env):
    a = study("SS-1", "2025-01-01")
    outcome = env.apply([a, a])
    assert (outcome.applied, outcome.skipped, outcome.errors) == (1, 1, [])
    b = study("SS-2", "2025-01-01")
    assert env.fields(b, {**b, "ref": "SS-3"}) == [(2, "id")]


def test_line_ids_are_unique_across_units_and_ops(env):
    env.ok(unit("u2"))
    first = study("SS-1", "2025-01-01")
    env.ok(first)
    clash = {**study("SS-9", "2025-01-01", unit="u2"), "id": first["id"]}
    assert env.fields(clash) == [(1, "id")]


def test_reimporting_a_whole_file_skips_every_line(env):
    s = step("C-1", "closed", "2025-03-01")
    lines = [
        unit("u2"),
        case("C-1", "2025-01-01"),
        step("C-1", "hearing", "2025-02-01"),
        s,
        void("C-1", target=s),
        correct("C-1", date="2025-01-05"),
        void("C-1"),
    ]
    env.ok(*lines)
    outcome = env.apply(lines)
    assert (outcome.applied, outcome.skipped, outcome.errors) == (0, len(lines), [])


@pytest.mark.parametrize("what", ["closed step", "void of activity", "void of step"])
def test_reimporting_a_later_file_of_steps_and_voids_is_skipped(env, what):
    hearing = step("C-1", "hearing", "2025-02-01")
    env.ok(case("C-1", "2025-01-01"), hearing)
    later = {
        "closed step": step("C-1", "closed", "2025-03-01"),
        "void of activity": void("C-1"),
        "void of step": void("C-1", target=hearing),
    }[what]
    env.ok(later)
    outcome = env.apply([later])
    assert (outcome.applied, outcome.skipped, outcome.errors) == (0, 1, [])


def test_file_with_one_bad_line_applies_nothing(bare):
    lines = [
        unit("u1"),
        study("SS-1", "2025-01-01"),
        study("SS-2", "2025-01-02", attendees=-3),
        case("C-1", "2025-01-03"),
    ]
    outcome = bare.apply(lines)
    assert [str(e).split(":")[:2] for e in outcome.errors] == [["line 3", " data.attendees"]]
    assert outcome.events == 0
    assert bare.ledger.unit("u1") is None
    assert bare.ledger.activity("u1", "SS-1") is None
    assert bare.ledger.recorder.max_notification_id() in (None, 0)
    # the same file, fixed, applies in full: nothing was half-stored under those ids
    lines[2] = study("SS-2", "2025-01-02")
    assert bare.apply(lines).applied == 4


def test_every_error_is_listed_with_its_line_and_field(bare):
    outcome = bare.apply(
        [
            unit("u1"),
            study("SS-1", "2025-01-01", attendees=-1, form="nope"),
            study("SS-2", "1999-01-01"),
            step("C-404", "hearing", "2025-01-01"),
            {"id": "x", "op": "record"},
        ]
    )
    got = [(e.line, e.field) for e in outcome.errors]
    assert (2, "data.attendees") in got and (2, "data.form") in got
    assert (3, "date") in got
    assert (4, "ref") in got
    assert any(line == 5 for line, _ in got)
    assert all(str(e).startswith(f"line {e.line}: {e.field}: ") for e in outcome.errors)
    assert bare.ledger.unit("u1") is None


def test_error_message_format(env):
    [error] = env.errors(
        study("SS-1", "2025-01-01"), study("SS-2", "2025-01-01"), study("SS-3", "2025-01-01", attendees=-1)
    )
    assert error.startswith("line 3: data.attendees: ")
    assert "参学人数" in error  # the message names the field in Chinese too


def test_later_lines_are_validated_against_earlier_lines_of_the_file(env):
    outcome = env.apply([study("SS-1", "2025-01-01"), study("SS-1", "2025-01-02")])
    assert [(e.line, e.field) for e in outcome.errors] == [(2, "ref")]


def test_one_file_creates_unit_records_activity_and_adds_steps(bare):
    hearing = step("C-1", "hearing", "2025-02-01", unit="new", head_appeared=True)
    outcome = bare.apply(
        [
            unit("new", "新单位"),
            case("C-1", "2025-01-01", unit="new"),
            hearing,
            step("C-1", "decided", "2025-03-01", unit="new", outcome="won"),
            void("C-1", target=hearing, unit="new"),
            step("C-1", "hearing", "2025-02-02", unit="new"),
            correct("C-1", unit="new", court="区法院"),
            step("C-1", "closed", "2025-04-01", unit="new"),
        ]
    )
    assert (outcome.applied, outcome.errors) == (8, [])
    a = bare.ledger.activity("new", "C-1")
    assert sorted(s.name for s in a.live_steps()) == ["closed", "decided", "hearing"]
    assert a.data["court"] == "区法院"


def test_line_must_be_an_object_with_an_id(env):
    assert env.fields(["not", "an", "object"]) == [(1, "line")]
    line = study("SS-1", "2025-01-01")
    del line["id"]
    assert env.fields(line) == [(1, "id")]


# ---- who and when ----


def test_by_is_recorded_as_recorded_by(env):
    line = {**study("SS-1", "2025-01-01"), "by": "张三"}
    env.ok(line)
    env.ok(correct("SS-1", attendees=11, reason="补登迟到人员"))
    first, second = env.history("u1", "SS-1")
    assert first.recorded_by == "张三"
    assert second.recorded_by == "tester"  # the caller, when `by` is absent
    assert second.reason == "补登迟到人员"


def test_caller_is_recorded_when_by_is_absent(env):
    env.apply([study("SS-1", "2025-01-01")], caller="李四")
    [event] = env.history("u1", "SS-1")
    assert event.recorded_by == "李四"


def test_recorded_at_is_the_server_clock(env):
    before = datetime.now(ZoneInfo("UTC"))
    env.ok(study("SS-1", "2020-01-01"))
    [event] = env.history("u1", "SS-1")
    assert before <= event.timestamp <= datetime.now(ZoneInfo("UTC"))


def test_history_keeps_every_event_in_order(env):
    s = step("C-1", "hearing", "2025-02-01")
    env.ok(
        case("C-1", "2025-01-01"),
        s,
        void("C-1", target=s, reason="开庭改期"),
        correct("C-1", court="中院", reason="法院写错"),
        void("C-1", reason="重复立案"),
    )
    events = env.history("u1", "C-1")
    assert [type(e).__name__ for e in events] == ["Recorded", "StepAdded", "StepVoided", "Corrected", "Voided"]
    assert [getattr(e, "reason", None) for e in events] == [None, None, "开庭改期", "法院写错", "重复立案"]


def test_by_must_not_be_blank(env):
    assert env.fields({**study("SS-1", "2025-01-01"), "by": " "}) == [(1, "by")]


def test_line_id_is_at_most_128_chars(env):
    assert env.fields({**study("SS-1", "2025-01-01"), "id": "i" * 129}) == [(1, "id")]
    assert env.fields({**study("SS-1", "2025-01-01"), "id": "i" * 128}) == []


def test_steps_cannot_be_corrected_only_voided(env):
    s = step("C-1", "hearing", "2025-02-01")
    env.ok(case("C-1", "2025-01-01"), s)
    assert env.fields({**correct("C-1", court="中院"), "target": s["id"]}) == [(1, "target")]
    # a void's target must be a step line, not the record line
    record = case("C-2", "2025-01-01")
    env.ok(record)
    assert env.fields(void("C-2", target=record)) == [(1, "target")]


def test_unit_data_takes_only_name_and_parent(bare):
    line = unit("u1")
    line["data"]["code"] = "u1"
    assert bare.fields(line) == [(1, "data.code")]
