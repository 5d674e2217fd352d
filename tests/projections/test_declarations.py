"""What the figures page and API read of declarations (projections/declarations.py): a preview is the value the
report shows once the definition is declared (value and previous, rolled up over descendants); every version of
a unit's declarations, retires included, oldest first; what applies to a unit, its own or its parent's."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import next_id, rec, step, study, unit

from domain.definition import parse
from projections import declarations

DEFINITIONS: list[dict[str, Any]] = [
    {"kind": "study_session", "where": [{"field": "form", "in": ["party_group"]}], "measure": {"type": "count"}},
    {"kind": "study_session", "measure": {"type": "sum", "field": "attendees"}},
    {
        "kind": "study_session",
        "unit_word": "%",
        "measure": {"type": "rate", "numerator": [{"field": "led_by_head", "is": True}]},
    },
    {
        "kind": "enforcement_case",
        "measure": {"type": "steps", "step": "decided", "field": "penalty_class", "in": ["fine"]},
    },
    {"kind": "enforcement_case", "where": [{"not": {"step": "executed"}}], "measure": {"type": "count"}},
]


def _ledger(env) -> None:
    env.ok(
        unit("kid", "下级", parent="u1"),
        study("S-1", "2025-03-01", form="party_group", led_by_head=True, attendees=12),
        study("S-2", "2024-03-01", form="party_group", attendees=7),
        study("S-3", "2025-04-01", unit="kid", attendees=30),
        rec("enforcement_case", "P-1", "2024-12-20", unit="kid", action="penalty", subject="x", procedure="simple"),
        step("P-1", "decided", "2025-01-05", unit="kid", outcome="penalized", penalty_class="fine", fine="10.5"),
        rec("enforcement_case", "P-2", "2025-02-01", action="penalty", subject="y", procedure="ordinary"),
        step("P-2", "decided", "2025-03-01", outcome="penalized", penalty_class="warning"),
        step("P-2", "executed", "2025-03-09"),
    )


@pytest.mark.parametrize("given", DEFINITIONS, ids=lambda d: f"{d['kind']}-{d['measure']['type']}")
def test_a_preview_is_what_the_report_shows_once_declared(env, given: dict[str, Any]) -> None:
    _ledger(env)
    data = {"code": "local.x", "label": "x", "unit_word": "件", **given}
    with env.read_model() as model:
        previews = {u: declarations.preview(model.con, parse(data), u, 2025, env.settings.tz) for u in ("u1", "kid")}
    env.ok({"id": next_id("F"), "op": "figure", "unit": "u1", "data": data})
    for u, p in previews.items():
        f = env.figure("local.x", unit=u)
        assert (p.value, p.previous, p.sources) == (f["value"], f["previous"], f["sources"])


def test_histories_keep_every_version_and_applying_prefers_the_nearest(env) -> None:
    _ledger(env)
    first = {"code": "local.x", "label": "一", "unit_word": "次", "kind": "study_session", "measure": {"type": "count"}}
    env.ok({"id": "F-1", "op": "figure", "unit": "u1", "data": first})
    env.ok({"id": "F-2", "op": "figure", "unit": "u1", "data": {**first, "label": "二"}})
    env.ok({"id": "F-3", "op": "figure", "unit": "kid", "data": {**first, "label": "下级的"}})
    env.ok({"id": "F-4", "op": "figure", "unit": "kid", "data": {"code": "local.x", "retire": True}})
    with env.read_model() as model:
        [own] = declarations.histories(model.con, "u1")
        [kids] = declarations.histories(model.con, "kid")
        applying = declarations.applying(model.con, "kid")
    assert [v.line for v in own.versions] == ["F-1", "F-2"] and own.live and own.current["label"] == "二"
    assert [(v.line, v.retired) for v in kids.versions] == [("F-3", False), ("F-4", True)]
    assert not kids.live and kids.current["label"] == "下级的"  # kept, to declare it again
    assert applying["local.x"].unit == "u1" and applying["local.x"].line == "F-2"  # retired below: the parent's


def test_a_declaration_over_licence_decisions_tests_the_licence_outcome(env) -> None:
    """`decided` is a 处罚决定 on a penalty and a 许可决定 on a licence (§7.2): a declaration over it may test
    either's outcome, and restates the built-in figure."""
    lines = []
    for i, outcome in enumerate(["granted", "granted", "refused"]):
        lines.append(rec("enforcement_case", f"X-{i}", "2025-02-01", action="licence", subject="占道许可"))
        lines.append(step(f"X-{i}", "decided", "2025-02-10", outcome=outcome))
    env.ok(*lines)
    granted = {"type": "steps", "step": "decided", "field": "outcome", "in": ["granted"]}
    data = {"code": "local.lic", "label": "准予许可", "unit_word": "件", "kind": "enforcement_case", "measure": granted}
    env.ok({"id": next_id("F"), "op": "figure", "unit": "u1", "data": data})
    assert env.value("local.lic") == 2 == env.value("enforcement.licence_granted")
    errors = env.errors(
        {"id": next_id("F"), "op": "figure", "unit": "u1", "data": {**data, "measure": {**granted, "in": ["approved"]}}}
    )
    assert errors == ['line 1: data.measure.in[0]: "approved" is not a code of enforcement_case.decided.outcome']
