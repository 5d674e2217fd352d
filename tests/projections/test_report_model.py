"""The typed report (`projections/report_model.py`) and its JSON: the JSON is DOMAIN.md §5's, key for key and in
order, and a report read back from its JSON (as a seal keeps it) is the same report."""

from __future__ import annotations

import json

from conftest import next_id, study

from projections.report_model import Check, FigureValue, Report


def declared_count(code: str) -> dict:
    data = {"code": code, "label": "党组会学法", "unit_word": "次", "kind": "study_session"}
    data["measure"] = {"type": "count"}
    return {"id": next_id("F"), "op": "figure", "unit": "u1", "data": data}


def test_the_json_is_section_5s_in_its_order_and_reads_back_to_the_same_report(env) -> None:
    env.ok(study("S-1", "2025-03-01", attendees=5), study("S-2", "2024-03-01"), declared_count("local.pg"))
    with env.read_model() as model:
        report = model.report("u1", 2025)
    assert isinstance(report, Report)
    out = report.to_json()
    assert list(out) == ["unit", "unit_name", "units", "year", "as_of", "figures", "checks", "log"]
    assert list(out["figures"]["study.sessions"]) == ["label", "unit", "value", "previous", "sources"]
    assert out["figures"]["study.sessions"] == {
        "label": "各类学习活动",
        "unit": "次",
        "value": 1,
        "previous": 1,
        "sources": ["S-1"],
    }
    assert list(out["figures"]["local.pg"])[-1] == "declared"  # only a declared figure says so
    assert all(list(c) == ["id", "ok", "message"] for c in out["checks"])
    assert list(out["log"]) == ["size", "root"]
    # The typed values are what the JSON says.
    assert report.figures["study.attendance"] == FigureValue("参学人次", "人次", 5, 10, ("S-1",))
    assert isinstance(report.checks[0], Check) and report.log.size == out["log"]["size"]
    # Read back from its JSON (a seal's copy), the same report, and the same bytes again.
    again = Report.from_json(json.loads(json.dumps(out)))
    assert again == report
    assert json.dumps(again.to_json(), ensure_ascii=False, indent=1) == json.dumps(out, ensure_ascii=False, indent=1)


def test_an_older_report_without_units_reads_as_covering_its_own_unit(env) -> None:
    env.ok(study("S-1", "2025-03-01"))
    with env.read_model() as model:
        old = model.report("u1", 2025).to_json()
    del old["units"]
    assert Report.from_json(old).units == ("u1",)
