"""Personal data over the JSON API: the same rules as the command line (api/services/personal.py)."""

from __future__ import annotations

from webkit import Web

PETITION = {
    "unit": "north",
    "kind": "petition",
    "ref": "XF-1",
    "date": "2025-03-01",
    "data": {"channel": "visit", "persons": 2, "category": "claim", "subject": "补偿"},
}
WHERE = {"unit": "north", "ref": "XF-1"}


def test_personal_data_over_http(web: Web) -> None:
    rec = web.client("rec-north")
    assert rec.post("/api/records", json=PETITION).status_code == 201
    put = rec.put("/api/personal", params=WHERE, json={"name": "王五", "id_number": "11010519491231002X"})
    assert put.status_code == 200 and put.json() == ["name", "id_number"]
    bad = rec.put("/api/personal", params=WHERE, json={"id_number": "110105194912310021", "phone": "x"})
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["errors"]} >= {"id_number", "phone"}
    assert web.client("rec-south").put("/api/personal", params=WHERE, json={"name": "x"}).status_code == 403
    shown = rec.get("/api/personal", params=WHERE)
    assert shown.status_code == 200
    assert {v["name"]: v["value"] for v in shown.json()["values"]} == {
        "name": "王五",
        "id_number": "11010519491231002X",
        "phone": None,
    }
    assert web.client("aud-city").get("/api/personal", params=WHERE).status_code == 403  # auditors: no clear text
    assert web.client("rec-south").get("/api/personal", params=WHERE).status_code == 403
    history = [type(e).__name__ for e in web.server.ledger.events.get(_record_id())]
    assert history.count("Revealed") == 1  # the auditor's refused attempt showed nothing and is not a showing
    assert rec.post("/api/personal/shred", json={"unit": "north", "reason": "期满"}).status_code == 403
    admin = web.client("admin")
    before = admin.get("/api/reports/north/2025").json()["figures"]
    shred = admin.post("/api/personal/shred", json={"unit": "north", "reason": "保存期限届满"})
    assert shred.status_code == 200 and shred.json()["removed"] is True
    states = {v["name"]: v["state"] for v in rec.get("/api/personal", params=WHERE).json()["values"]}
    assert states == {"name": "shredded", "id_number": "shredded", "phone": "absent"}
    assert admin.get("/api/reports/north/2025").json()["figures"] == before
    assert admin.get("/api/verify").json()["ok"] is True


def _record_id():  # noqa: ANN202
    from domain.personal import personal_record_id

    return personal_record_id("north", "XF-1")
