"""Issue 12, entering and fixing records: the forms people type are accepted where they are unambiguous (dates,
codes by their Chinese label, exact integers), typos get a suggestion, every error of a line comes at once, and a
correction that changes nothing is refused. All of it is the domain's, so every path (JSON Lines, the JSON API,
forms, the workbook) gets it."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from conftest import case, correct, rec, step, study

from domain.catalogue import KINDS
from domain.ledger import Submission
from domain.validation import json_number

# ---- dates people type ----


@pytest.mark.parametrize("typed", ["2025/3/1", "2025年3月1日", "2025-3-1", "20250301", "2025.3.1", "2025-03-01"])
def test_typed_dates_are_stored_as_iso(env, typed):
    env.ok(study("SS-1", typed))
    assert env.ledger.activity("u1", "SS-1").date.isoformat() == "2025-03-01"


def test_typed_dates_on_steps_and_corrections(env):
    env.ok(case("C-1", "2025/1/2"))
    env.ok(step("C-1", "hearing", "2025年2月3日"))
    env.ok(correct("C-1", date="20250105"))
    activity = env.ledger.activity("u1", "C-1")
    assert activity.date.isoformat() == "2025-01-05"
    assert [s.date.isoformat() for s in activity.steps.values()] == ["2025-02-03"]


def test_impossible_day_is_named_not_the_format(env):
    [error] = env.errors(study("SS-1", "2025-02-30"))
    assert error.startswith("line 1: date: 日期：")
    assert error == "line 1: date: 日期：2025年2月没有30日（该月共 28 日），收到「2025-02-30」"


def test_february_29_outside_a_leap_year(env):
    [error] = env.errors(study("SS-1", "2025年2月29日"))
    assert "2月没有29日" in error


def test_month_13_gets_a_month_message(env):
    [error] = env.errors(study("SS-1", "2025/13/1"))
    assert "月份" in error and "13" in error and "格式" not in error


@pytest.mark.parametrize("typed", ["3/1/2025", "2025-3", "2025/3/1/", "2025-3/1", "25-3-1", "202531", "2025年3月"])
def test_ambiguous_or_partial_dates_are_refused_with_the_forms(env, typed):
    [error] = env.errors(study("SS-1", typed))
    assert error.startswith("line 1: date: 日期：")
    assert "YYYY-MM-DD" in error and "2025年3月1日" in error and f"「{typed}」" in error


def test_typed_date_is_still_checked_against_2000_and_today(env):
    assert env.fields(study("SS-1", "0000-01-01")) == [(1, "date")]
    assert "不能早于 2000-01-01" in env.errors(study("SS-1", "0000-01-01"))[0]
    assert env.fields(study("SS-1", "1999/12/31")) == [(1, "date")]
    assert env.fields(study("SS-1", "2999年1月1日")) == [(1, "date")]


def test_reimported_typed_date_line_is_skipped(env):
    line = study("SS-1", "2025/3/1")
    env.ok(line)
    assert env.ok(line).skipped == 1


# ---- codes by their Chinese label ----


def test_kind_and_code_by_label_store_the_code(env):
    line = rec("学法/学习活动", "SS-1", "2025-03-01", form="中心组学习", topic="宪法", attendees=10)
    env.ok(line)
    activity = env.ledger.activity("u1", "SS-1")
    assert (activity.kind, activity.data["form"]) == ("study_session", "central_group")


def test_label_with_alternatives_is_accepted_whole(env):
    env.ok(study("SS-1", "2025-03-01", form="业务培训/集体学习"))
    assert env.ledger.activity("u1", "SS-1").data["form"] == "business_training"
    assert env.fields(study("SS-2", "2025-03-01", form="业务培训")) == [(1, "data.form")]


def test_step_name_and_step_code_by_label(env):
    env.ok(case("C-1", "2025-01-02", "行政诉讼(应诉)"))
    env.ok(step("C-1", "开庭", "2025-02-03"))
    env.ok(step("C-1", "decided", "2025-03-03", outcome="胜诉"))
    activity = env.ledger.activity("u1", "C-1")
    assert activity.data["case_type"] == "admin_litigation"
    assert sorted((s.name, s.data.get("outcome")) for s in activity.steps.values()) == [
        ("decided", "won"),
        ("hearing", None),
    ]


def test_correction_by_label_stores_the_code(env):
    env.ok(study("SS-1", "2025-03-01"))
    env.ok(correct("SS-1", form="法治讲座"))
    assert env.ledger.activity("u1", "SS-1").data["form"] == "lecture"


def test_unknown_kind_suggests_the_nearest(env):
    [error] = env.errors(rec("study_sesion", "SS-1", "2025-03-01", form="central_group", topic="t", attendees=1))
    assert error.startswith("line 1: kind: ")
    assert "您是不是要输入 study_session（学法/学习活动）？" in error
    assert "可选：" in error


def test_unknown_code_suggests_the_nearest(env):
    [error] = env.errors(study("SS-1", "2025-03-01", form="centrl_group"))
    assert "您是不是要输入 central_group（中心组学习）？" in error and "可选：" in error


def test_near_label_suggests_its_code(env):
    [error] = env.errors(study("SS-1", "2025-03-01", form="中心组学"))
    assert "您是不是要输入 central_group（中心组学习）？" in error


def test_unknown_step_suggests_the_nearest(env):
    env.ok(case("C-1", "2025-01-02"))
    [error] = env.errors(step("C-1", "hearng", "2025-02-03"))
    assert error.startswith("line 1: step: ")
    assert "您是不是要输入 hearing（开庭）？" in error


def test_nothing_near_suggests_nothing(env):
    [error] = env.errors(study("SS-1", "2025-03-01", form="zzzzzz"))
    assert "您是不是" not in error and "可选：" in error


def test_code_labels_are_unique_within_each_field():
    def unique(where, codes):
        labels = list(codes.values())
        assert len(labels) == len(set(labels)), where
        # a label never reads as another code of the same field
        assert not any(label in codes and codes[label] != label for label in labels), where

    unique("kind", {k.code: k.label for k in KINDS.values()})
    for k in KINDS.values():
        for f in k.fields + tuple(f for s in k.steps for f in s.fields):
            if f.codes:
                unique(f"{k.code}.{f.name}", f.codes)
        names: dict[str, str] = {}
        for s in k.steps:
            assert names.setdefault(s.label, s.name) == s.name, f"{k.code}: step label {s.label}"
            assert s.label not in {t.name for t in k.steps}


# ---- integers ----


@pytest.mark.parametrize("typed", ["20", 20.0, "20.0", json_number("20.0"), Decimal("20")])
def test_exact_integers_are_accepted(env, typed):
    env.ok(study("SS-1", "2025-03-01", attendees=typed))
    stored = env.ledger.activity("u1", "SS-1").data["attendees"]
    assert stored == 20 and type(stored) is int


@pytest.mark.parametrize("typed", [20.5, json_number("20.5"), "20元", True, "", "2e1", json_number("2e1"), "20.5"])
def test_inexact_integers_are_refused_naming_the_field(env, typed):
    [error] = env.errors(study("SS-1", "2025-03-01", attendees=typed))
    assert error.startswith("line 1: data.attendees: 参学人数：")


@pytest.mark.parametrize("typed", ["-3", "0", 0.0])
def test_integer_text_still_meets_its_bounds(env, typed):
    assert env.fields(rec("normative_document", "GF-1", "2025-01-01", action="filed", title="t", count=typed)) == [
        (1, "data.count")
    ]


def test_json_lines_reader_keeps_an_integral_fraction_for_an_int(env):
    raw = json.loads(
        json.dumps(study("SS-1", "2025-03-01", attendees=1)).replace('"attendees": 1', '"attendees": 20.0'),
        parse_float=json_number,
    )
    assert isinstance(raw["data"]["attendees"], Decimal)  # as api/cli.py reads JSON Lines
    env.ok(raw)
    assert env.ledger.activity("u1", "SS-1").data["attendees"] == 20


# ---- every error of a line at once ----


def test_a_record_with_five_problems_reports_all_five(env):
    line = rec("study_session", "SS-1", "2025-02-30", form="webinar", attendees=-1, topic="  ", colour="red")
    assert sorted(f for _, f in env.fields(line)) == sorted(
        ["date", "data.form", "data.attendees", "data.topic", "data.colour"]
    )


def test_envelope_and_data_problems_together(env):
    line = {**study("SS-1", "2025/3/1", form="webinar"), "colour": "red"}
    assert sorted(f for _, f in env.fields(line)) == ["colour", "data.form"]


# ---- a correction that changes nothing ----


def _written(env, line):
    """Apply one line as a person's form or request does (the web's and the JSON API's writes)."""
    [outcome] = env.ledger.apply_each([Submission([(1, line)], "tester", refuse_unchanged=True)])
    return [str(e) for e in outcome.errors]


def test_correction_changing_nothing_is_refused(env):
    env.ok(study("SS-1", "2025-03-01", form="central_group", attendees=12))
    before = env.ledger.activity("u1", "SS-1").version
    for line in (
        correct("SS-1", attendees=12),
        correct("SS-1", form="中心组学习", attendees="12"),
        correct("SS-1", date="2025/3/1"),
        correct("SS-1", date="2025-03-01", topic="学习习近平法治思想"),
        correct("SS-1", lecturer=None),  # clearing what is absent
    ):
        [error] = _written(env, line)
        assert error == "line 1: data: 数据：更正内容与现有记录相同，无需更正", error
    assert env.ledger.activity("u1", "SS-1").version == before


def test_correction_changing_something_is_still_recorded(env):
    env.ok(study("SS-1", "2025-03-01", attendees=12))
    assert _written(env, correct("SS-1", attendees=12, form="lecture")) == []
    assert _written(env, correct("SS-1", date="2025-03-02")) == []
    activity = env.ledger.activity("u1", "SS-1")
    assert (activity.data["form"], activity.date.isoformat()) == ("lecture", "2025-03-02")


def test_unchanged_correction_in_a_json_lines_file_is_a_valid_line(env):
    # DOMAIN.md §2 allows it and the acceptance kits hold such lines (counted in audit.corrections).
    env.ok(study("SS-1", "2025-03-01", attendees=12))
    assert env.ok(correct("SS-1", attendees=12)).applied == 1


def test_json_api_refuses_an_unchanged_correction(web):
    c = web.client("rec-north")
    record = {"unit": "north", "kind": "study_session", "ref": "S-1", "date": "2025/3/1"}
    record["data"] = {"form": "中心组学习", "topic": "宪法", "attendees": "12"}
    assert c.post("/api/records", json=record).status_code == 201
    same = c.post("/api/corrections", json={"unit": "north", "ref": "S-1", "reason": "r", "data": {"attendees": 12}})
    assert same.status_code == 422
    assert same.json()["errors"] == [
        {"line": None, "field": "data", "message": "数据：更正内容与现有记录相同，无需更正"}
    ]
    activity = c.get("/api/activity", params={"unit": "north", "ref": "S-1"}).json()
    assert (activity["date"], activity["data"]["form"], activity["data"]["attendees"]) == (
        "2025-03-01",
        "central_group",
        12,
    )


def test_json_api_takes_a_kind_by_label(web):
    c = web.client("rec-north")
    record = {"unit": "north", "kind": "学法/学习活动", "ref": "S-2", "date": "2025年3月1日"}
    record["data"] = {"form": "central_group", "topic": "宪法", "attendees": 3}
    assert c.post("/api/records", json=record).status_code == 201
    assert c.get("/api/activity", params={"unit": "north", "ref": "S-2"}).json()["kind"] == "study_session"


# ---- the workbook gets the same rules ----


def _workbook(tmp_path, rows):
    from api.documents.xlsx_import import KIND_SHEETS, read_workbook, template

    wb = template()
    [name] = [n for n, k in KIND_SHEETS.items() if k.code == "study_session"]
    ws = wb[name]
    header = [c.value for c in ws[1]] + ["colour"]
    ws.cell(row=1, column=len(header), value="colour")
    for row in rows:
        ws.append([row.get(h) for h in header])
    path = tmp_path / "book.xlsx"
    wb.save(path)
    return read_workbook(path, lambda unit, ref: None)[0]


def test_workbook_row_with_five_problems_reports_all_five(env, tmp_path):
    row = {"unit": "u1", "ref": "SS-9", "date": "2025-02-30", "form": "webinar", "topic": " x", "attendees": -1}
    lines = _workbook(tmp_path, [{**row, "topic": "　", "colour": "red"}])
    errors = env.ledger.apply(lines, "tester").errors
    assert sorted(e.field for e in errors) == sorted(
        ["date", "data.form", "data.attendees", "data.topic", "data.colour"]
    ), [str(e) for e in errors]
    assert "2月没有30日" in next(e.message for e in errors if e.field == "date")


def test_workbook_typed_date_text(env, tmp_path):
    row = {
        "unit": "u1",
        "ref": "SS-9",
        "date": "2025年3月1日",
        "form": "中心组学习",
        "topic": "宪法",
        "attendees": "12",
    }
    assert env.ledger.apply(_workbook(tmp_path, [row]), "tester").errors == []
    activity = env.ledger.activity("u1", "SS-9")
    assert (activity.date.isoformat(), activity.data["attendees"]) == ("2025-03-01", 12)


def test_json_api_takes_an_integral_float_for_an_int(web):
    c = web.client("rec-north")
    record = {"unit": "north", "kind": "study_session", "ref": "S-3", "date": "2025-03-01"}
    record["data"] = {"form": "central_group", "topic": "宪法", "attendees": 20.0}
    assert c.post("/api/records", json=record).status_code == 201
    assert c.get("/api/activity", params={"unit": "north", "ref": "S-3"}).json()["data"]["attendees"] == 20
    record = {**record, "ref": "S-4", "data": {**record["data"], "attendees": 20.5}}
    r = c.post("/api/records", json=record)
    assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == ["data.attendees"]


# ---- web forms (they parse ints before the domain: the same rule) ----


def test_web_form_takes_typed_dates_and_integral_numbers(web):
    from webpages_kit import Browser, error_beside, study_form

    b = Browser(web, "rec-north")
    r = b.post("/entry/study_session", study_form("S-5", "2025/3/1", **{"data.attendees": "20.0"}))
    assert r.status_code in (200, 303), r.text[:300]
    activity = web.server.ledger.activity("north", "S-5")
    assert (activity.date.isoformat(), activity.data["attendees"]) == ("2025-03-01", 20)
    r = b.post("/entry/study_session", study_form("S-6", "2025-02-30", **{"data.attendees": "20.5"}))
    assert r.status_code == 422
    assert "须为整数" in error_beside(r.text, "data.attendees") and "2月没有30日" in error_beside(r.text, "date")


def test_web_correction_changing_nothing_is_refused(web):
    from webpages_kit import Browser, study_form, today

    b = Browser(web, "rec-north")
    b.post("/entry/study_session", study_form("S-8", today(web)))
    day = today(web).replace("-0", "-")  # the same day typed another way: 2026-3-1
    form = {**study_form("S-8", day), "version": "1", "form_key": "fix", "reason": "核对"}
    r = b.post("/activity/correct", form)
    assert r.status_code == 422 and "数据：更正内容与现有记录相同，无需更正" in r.text
    assert web.server.ledger.activity("north", "S-8").version == 1
