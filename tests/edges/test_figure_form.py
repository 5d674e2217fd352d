"""The figures page's form reads back every declaration it draws: data → form → data is the same definition,
for every shape of condition and measure of DOMAIN.md §8.2–§8.3."""

from __future__ import annotations

import pytest

from api.web import figure_form
from domain.catalogue import KINDS
from domain.definition import parse

DECLARATIONS = [
    {
        "code": "local.study.party_group_law",
        "label": "党工委会学法",
        "unit_word": "次",
        "kind": "study_session",
        "where": [{"field": "form", "in": ["party_group"]}, {"field": "laws", "nonempty": True}],
        "measure": {"type": "count"},
    },
    {
        "code": "local.meeting.funds",
        "label": "研究审议大额资金支付",
        "unit_word": "次",
        "kind": "meeting",
        "where": [{"field": "form", "in": ["party_group"]}],
        "measure": {"type": "sum", "field": "items_funds"},
    },
    {
        "code": "local.enf.fine_class",
        "label": "罚款类处罚决定",
        "unit_word": "件",
        "kind": "enforcement_case",
        "measure": {"type": "steps", "step": "decided", "field": "penalty_class", "in": ["fine"]},
    },
    {
        "code": "local.enf.reviewed_rate",
        "label": "经法制审核的处罚",
        "unit_word": "%",
        "kind": "enforcement_case",
        "where": [
            {"field": "action", "in": ["penalty"]},
            {"not": {"step": "withdrawn"}},
            {"field": "case_no", "present": True},
        ],
        "measure": {
            "type": "rate",
            "numerator": [{"step": "reviewed", "in_year": True, "field": "corrected", "is": False}],
        },
    },
    {
        "code": "local.study.big",
        "label": "大型学法",
        "unit_word": "次",
        "kind": "study_session",
        "where": [
            {"field": "attendees", "gte": 50, "lte": 500},
            {"field": "led_by_head", "is": True},
            {"field": "laws", "contains": "宪法"},
            {"not": {"field": "topic", "in": ["其他", "集中学习"]}},
        ],
        "measure": {"type": "count"},
    },
    {
        "code": "local.exam.good",
        "label": "平均分90以上考试",
        "unit_word": "次",
        "kind": "exam",
        "where": [{"field": "average_score", "gte": "90.5"}],
        "measure": {"type": "count"},
    },
]


@pytest.mark.parametrize("data", DECLARATIONS, ids=[d["code"] for d in DECLARATIONS])
def test_a_declaration_drawn_as_the_form_reads_back_the_same(data: dict) -> None:
    form = figure_form.compact(figure_form.form_of(data, "north"))
    again = figure_form.data_of(form)
    assert parse(again) == parse(data)
    assert figure_form.describe(data)  # and it can be told in words for the list and the history


def test_an_empty_row_is_no_condition_and_rows_are_numbered_as_the_line() -> None:
    form = {
        "kind": ["study_session"],
        "code": ["x"],
        "label": ["x"],
        "unit_word": ["次"],
        "m.type": ["count"],
        "w0.subject": [""],
        "w3.subject": ["f:form"],
        "w3.op": ["in"],
        "w3.in": ["lecture"],
    }
    compacted = figure_form.compact(form)
    assert figure_form.data_of(compacted)["where"] == [{"field": "form", "in": ["lecture"]}]
    drawn = figure_form.rows(KINDS["study_session"], compacted, "w")
    assert drawn[0].prefix == "w0" and drawn[0].kind == "field"
    assert [c.value for c in drawn[0].codes if c.chosen] == ["lecture"]
    assert len(drawn) == 3 and drawn[1].kind == ""


def test_a_rate_left_without_a_unit_word_is_counted_in_percent() -> None:
    form = {
        "kind": ["study_session"],
        "code": ["study.r"],
        "label": ["r"],
        "unit_word": [""],
        "m.type": ["rate"],
        "n0.subject": ["f:led_by_head"],
        "n0.op": ["is_true"],
    }
    data = figure_form.data_of(figure_form.compact(form))
    assert data["unit_word"] == "%" and data["measure"] == {
        "type": "rate",
        "numerator": [{"field": "led_by_head", "is": True}],
    }
    assert parse(data).rate


def test_a_step_with_two_variants_offers_the_codes_of_both() -> None:
    kind = KINDS["enforcement_case"]
    assert ("decided", "处罚决定/许可决定") in figure_form.step_names(kind)
    form = {"m.sfield": ["outcome"]}
    _, _, codes, _ = figure_form.step_choices(kind, "decided", form, "m")
    assert {"penalized", "granted", "refused"} <= {c.value for c in codes}
