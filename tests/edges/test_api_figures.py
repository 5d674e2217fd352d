"""Figures a unit declares over the JSON API (DOMAIN.md §8): POST /api/figures is a `figure` line (all of §8.4's
messages at once, by key), GET /api/figures lists what applies with every version, preview writes nothing."""

from __future__ import annotations

from typing import Any

from conftest import rec, study
from webkit import Web

DATA = {
    "code": "local.study.party_group",
    "label": "党组会学法",
    "unit_word": "次",
    "kind": "study_session",
    "where": [{"field": "form", "in": ["party_group"]}],
    "measure": {"type": "count"},
}


def _setup(web: Web) -> None:
    lines = [
        study("S-1", "2025-03-01", unit="north", form="party_group"),
        study("S-2", "2025-03-02", unit="north"),
        study("S-0", "2024-05-02", unit="north", form="party_group"),
    ]
    assert web.server.ledger.apply(list(enumerate(lines, 1)), "setup").ok


def test_declare_list_redeclare_and_retire_over_http(web: Web) -> None:
    _setup(web)
    c = web.client("admin")  # admins declare (domain/access.py may_declare)
    r = c.post("/api/figures", json={"id": "F-1", "unit": "north", "data": DATA})
    assert r.status_code == 201, r.text
    assert r.json()["id"] == "F-1" and r.json()["recorded_by"] == "admin"
    listed = c.get("/api/figures?unit=north&year=2025").json()
    [applied] = listed["applied"]
    assert (applied["code"], applied["value"], applied["previous"], applied["inherited"]) == (DATA["code"], 1, 1, False)
    assert applied["declared"]["line"] == "F-1" and applied["declared"]["by"] == "admin"
    assert c.get("/api/reports/north/2025").json()["figures"][DATA["code"]]["value"] == 1
    wider = {**DATA, "label": "集中学法", "where": [{"field": "form", "in": ["party_group", "central_group"]}]}
    assert c.post("/api/figures", json={"unit": "north", "data": wider}).status_code == 201
    assert (
        c.post("/api/figures", json={"unit": "north", "data": {"code": DATA["code"], "retire": True}}).status_code
        == 201
    )
    versions = c.get(f"/api/figures/{DATA['code']}?unit=north").json()
    assert versions["live"] is False
    assert [(v["retired"], v["data"].get("label")) for v in versions["versions"]] == [
        (False, "党组会学法"),
        (False, "集中学法"),
        (True, None),
    ]
    assert c.get("/api/figures?unit=north&year=2025").json()["applied"] == []
    assert DATA["code"] not in c.get("/api/reports/north/2025").json()["figures"]


def test_every_problem_of_a_declaration_is_a_422_naming_its_key_and_nothing_is_declared(web: Web) -> None:
    c = web.client("admin")
    bad = {
        **DATA,
        "code": "study.sessions",
        "unit_word": "%",
        "where": [{"field": "forms", "in": ["x"]}, {"field": "form", "in": ["party_group", "partygroup"]}],
    }
    r = c.post("/api/figures", json={"unit": "north", "data": bad})
    assert r.status_code == 422
    messages = {e["field"]: e["message"] for e in r.json()["errors"]}
    assert messages["data.where[0].field"] == 'study_session has no field "forms"'
    assert messages["data.where[1].in[1]"] == '"partygroup" is not a code of study_session.form'
    assert messages["data.unit_word"] == '"%" is only for a rate'
    assert "built-in figure ids cannot be declared" in messages["data.code"]
    r = c.post("/api/figures", json={"unit": "north", "data": {"code": "local.nothing", "retire": True}})
    assert r.status_code == 422 and r.json()["errors"][0]["message"] == "no live declaration on unit north"
    assert c.post("/api/figures", json={"unit": "north", "data": DATA, "extra": 1}).status_code == 422
    assert c.get("/api/figures?unit=north").json()["own"] == []


def test_preview_gives_the_value_a_report_would_show_and_writes_nothing(web: Web) -> None:
    _setup(web)
    fines = [
        rec(
            "enforcement_case",
            f"P-{i}",
            "2025-02-01",
            unit="north",
            action="penalty",
            subject="占道经营",
            procedure="simple",
        )
        for i in range(3)
    ]
    assert web.server.ledger.apply(list(enumerate(fines, 1)), "setup").ok
    c = web.client("aud-city")
    r = c.post("/api/figures/preview", json={"unit": "north", "year": 2025, "data": DATA})
    assert r.status_code == 200, r.text
    assert r.json() == {"value": 1, "previous": 1, "sources": ["S-1"]}
    rate: dict[str, Any] = {
        **DATA,
        "unit_word": "%",
        "where": [],
        "measure": {"type": "rate", "numerator": [{"field": "form", "in": ["party_group"]}]},
    }
    assert c.post("/api/figures/preview", json={"unit": "city", "year": 2025, "data": rate}).json()["value"] == 50.0
    simple = {
        "code": "local.enf.simple",
        "label": "简易程序",
        "unit_word": "件",
        "kind": "enforcement_case",
        "where": [{"field": "procedure", "in": ["simple"]}],
        "measure": {"type": "count"},
    }
    assert c.post("/api/figures/preview", json={"unit": "city", "year": 2025, "data": simple}).json()["value"] == 3
    r = c.post("/api/figures/preview", json={"unit": "north", "data": {**DATA, "kind": "nope"}})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "data.kind"
    assert c.get("/api/figures?unit=north").json()["own"] == []


def test_only_writers_of_the_unit_declare_and_a_parents_declaration_is_inherited(web: Web) -> None:
    _setup(web)
    assert web.client("aud-city").post("/api/figures", json={"unit": "north", "data": DATA}).status_code == 403
    assert web.client("rec-south").post("/api/figures", json={"unit": "north", "data": DATA}).status_code == 403
    assert web.client("admin").post("/api/figures", json={"unit": "city", "data": DATA}).status_code == 201
    [applied] = web.client("rec-north").get("/api/figures?unit=north&year=2025").json()["applied"]
    assert applied["inherited"] is True and applied["declared"]["unit"] == "city"
    assert web.client("rec-south").get("/api/figures?unit=north").status_code == 403
    assert web.client("rec-north").get("/api/figures/local.study.party_group?unit=north").status_code == 404


def test_a_retried_declaration_with_its_idempotency_key_is_answered_as_the_first_time(web: Web) -> None:
    c = web.client("admin")
    first = c.post("/api/figures", json={"unit": "north", "data": DATA}, headers={"Idempotency-Key": "decl-1"})
    again = c.post("/api/figures", json={"unit": "north", "data": DATA}, headers={"Idempotency-Key": "decl-1"})
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true" and again.json() == first.json()
    [own] = c.get("/api/figures?unit=north").json()["own"]
    assert len(own["versions"]) == 1
    other = {**DATA, "label": "别的名称"}
    r = c.post("/api/figures", json={"unit": "north", "data": other}, headers={"Idempotency-Key": "decl-1"})
    assert r.status_code == 422
