"""The JSON API: writes that are safe to retry, conflicts, errors naming fields, and who may do what."""

from __future__ import annotations

import json
from typing import Any

import pytest
from webkit import PASSWORD, Web

SESSION = {"form": "central_group", "topic": "学习宪法", "attendees": 12}


def record(ref: str, unit: str = "north", date: str = "2025-03-01", **data: Any) -> dict[str, Any]:
    return {"unit": unit, "kind": "study_session", "ref": ref, "date": date, "data": {**SESSION, **data}}


def sessions(client: Any, unit: str = "north", year: int = 2025) -> int:
    r = client.get(f"/api/reports/{unit}/{year}")
    assert r.status_code == 200, r.text
    return r.json()["figures"]["study.sessions"]["value"]


# ---- safe writes ----


def test_a_record_is_durable_counted_and_attributed_to_the_caller(web: Web) -> None:
    c = web.client("rec-north")
    r = c.post("/api/records", json=record("S-1"))
    assert r.status_code == 201
    body = r.json()
    assert body["recorded_by"] == "rec-north" and body["version"] == 1 and r.headers["ETag"] == '"1"'
    assert sessions(c) == 1
    history = c.get("/api/history", params={"unit": "north", "ref": "S-1"}).json()
    assert [(h["event"], h["recorded_by"]) for h in history] == [("Recorded", "rec-north")]


def test_a_retried_post_with_the_same_idempotency_key_returns_the_first_response_and_writes_once(web: Web) -> None:
    c = web.client("rec-north")
    first = c.post("/api/records", json=record("S-1"), headers={"Idempotency-Key": "form-42"})
    again = c.post("/api/records", json=record("S-1"), headers={"Idempotency-Key": "form-42"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert sessions(c) == 1
    assert len(c.get("/api/history", params={"unit": "north", "ref": "S-1"}).json()) == 1


def test_an_idempotency_key_reused_for_other_content_is_refused(web: Web) -> None:
    c = web.client("rec-north")
    assert c.post("/api/records", json=record("S-1"), headers={"Idempotency-Key": "k"}).status_code == 201
    r = c.post("/api/records", json=record("S-2"), headers={"Idempotency-Key": "k"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "id"
    assert sessions(c) == 1


def test_idempotency_keys_of_different_users_do_not_collide(web: Web) -> None:
    north, south = web.client("rec-north"), web.client("rec-south")
    assert north.post("/api/records", json=record("S-1"), headers={"Idempotency-Key": "1"}).status_code == 201
    r = south.post("/api/records", json=record("S-1", unit="south"), headers={"Idempotency-Key": "1"})
    assert r.status_code == 201


def test_if_match_with_a_stale_version_is_a_409_naming_the_current_version(web: Web) -> None:
    c = web.client("rec-north")
    c.post("/api/records", json=record("S-1"))
    fix = {"unit": "north", "ref": "S-1", "reason": "人数笔误", "data": {"attendees": 13}}
    assert c.post("/api/corrections", json=fix, headers={"If-Match": '"1"'}).status_code == 201
    stale = c.post("/api/corrections", json={**fix, "data": {"attendees": 14}}, headers={"If-Match": '"1"'})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    activity = c.get("/api/activity", params={"unit": "north", "ref": "S-1"})
    assert activity.json()["data"]["attendees"] == 13 and activity.headers["ETag"] == '"2"'
    void = {"unit": "north", "ref": "S-1", "reason": "重复"}
    assert c.post("/api/voids", json=void, headers={"If-Match": "1"}).status_code == 409
    assert c.post("/api/voids", json=void, headers={"If-Match": "2"}).status_code == 201
    assert sessions(c) == 0


def test_steps_and_voids_of_steps_over_http(web: Web) -> None:
    c = web.client("rec-north")
    case = {"case_type": "admin_litigation", "role": "defendant", "case_no": "(2025)行初1号"}
    assert c.post("/api/records", json={**record("C-1"), "kind": "case", "data": case}).status_code == 201
    hearing = {"id": "hearing-1", "unit": "north", "ref": "C-1", "step": "hearing", "date": "2025-04-01"}
    assert c.post("/api/steps", json=hearing, headers={"If-Match": "1"}).status_code == 201
    assert c.get("/api/reports/north/2025").json()["figures"]["case.hearings"]["value"] == 1
    void = {"unit": "north", "ref": "C-1", "reason": "日期录错", "target": "hearing-1"}
    assert c.post("/api/voids", json=void).status_code == 201
    assert c.get("/api/reports/north/2025").json()["figures"]["case.hearings"]["value"] == 0


def test_bad_input_is_a_422_naming_every_field_and_records_nothing(web: Web) -> None:
    c = web.client("rec-north")
    r = c.post("/api/records", json=record("S-1", form="nope", attendees=-1, topic=""))
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert fields == {"data.form", "data.attendees", "data.topic"}
    assert all(e["message"] for e in r.json()["errors"])
    assert sessions(c) == 0


@pytest.mark.parametrize(
    "body",
    [
        {"unit": "north", "kind": "nope", "ref": "x", "date": "2025-01-01", "data": {}},
        {"unit": "north", "kind": "study_session", "ref": "x", "date": "2025-13-01", "data": SESSION},
        {"unit": "north", "kind": "study_session", "ref": "x", "date": "2099-01-01", "data": SESSION},
        {"unit": "north", "kind": "study_session", "ref": "", "date": "2025-01-01", "data": SESSION},
        {"unit": "north", "kind": "study_session", "ref": "x", "date": "2025-01-01", "data": SESSION, "by": "boss"},
        {"unit": "north", "kind": "study_session", "ref": "x", "date": "2025-01-01", "data": []},
        {"unit": "NORTH!", "kind": "study_session", "ref": "x", "date": "2025-01-01", "data": SESSION},
        [],
        "text",
    ],
)
def test_malformed_bodies_are_422_never_500(web: Web, body: Any) -> None:
    r = web.client("rec-north").post("/api/records", json=body)
    assert r.status_code in (403, 422), r.text
    assert r.json()["detail"]


def test_a_body_that_is_not_json_is_a_422(web: Web) -> None:
    r = web.client("rec-north").post("/api/records", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422


def test_over_the_body_limit_is_a_413(web: Web) -> None:
    c = web.client("rec-north")
    big = record("S-1", topic="x" * 2_000_000)
    assert c.post("/api/records", json=big).status_code == 413
    lines = "\n".join(json.dumps({"pad": "y" * 1000}) for _ in range(30_000))
    assert c.post("/api/import", content=lines, headers={"content-type": "application/x-ndjson"}).status_code == 413
    assert sessions(c) == 0


def test_import_is_all_or_nothing_with_every_error_by_line(web: Web) -> None:
    c = web.client("rec-north")
    good = {"id": "i1", "op": "record", **record("S-1")}
    bad = {"id": "i2", "op": "record", **record("S-2", attendees="many")}
    text = json.dumps(good) + "\n" + json.dumps(bad) + "\n{oops\n"
    r = c.post("/api/import", content=text, headers={"content-type": "application/x-ndjson"})
    assert r.status_code == 422
    assert [e["line"] for e in r.json()["errors"]] == [3]
    r = c.post("/api/import", content=text.rsplit("\n", 2)[0], headers={"content-type": "application/x-ndjson"})
    assert r.status_code == 422 and r.json()["errors"][0]["line"] == 2
    assert sessions(c) == 0
    ok = c.post("/api/import", content=json.dumps(good), headers={"content-type": "application/x-ndjson"})
    assert ok.json() == {"applied": 1, "skipped": 0}
    again = c.post("/api/import", content=json.dumps(good), headers={"content-type": "application/x-ndjson"})
    assert again.json() == {"applied": 0, "skipped": 1}


def test_import_cannot_write_for_another_person_or_unit(web: Web) -> None:
    c = web.client("rec-north")
    lines = [
        {"id": "j1", "op": "record", "by": "somebody", **record("S-1")},
        {"id": "j2", "op": "record", **record("S-2", unit="south")},
        {"id": "j3", "op": "unit", "unit": "east", "data": {"name": "东区"}},
    ]
    r = c.post("/api/import", content="\n".join(map(json.dumps, lines)))
    assert r.status_code == 403
    assert [(e["line"], e["field"]) for e in r.json()["errors"]] == [(1, "by"), (2, "unit"), (3, "op")]
    assert sessions(c) == 0


# ---- access: the whole matrix ----

UNITS = ["city", "north", "south"]
READS = {
    "admin": {"city", "north", "south"},
    "rec-north": {"north"},
    "rec-south": {"south"},
    "aud-city": {"city", "north", "south"},
    "aud-south": {"south"},
}
WRITES = {"admin": {"city", "north", "south"}, "rec-north": {"north"}, "rec-south": {"south"}}


@pytest.mark.parametrize("user", sorted(READS))
def test_who_may_read_and_write_which_unit(web: Web, user: str) -> None:
    setup = web.client("admin")
    for u in UNITS:
        assert setup.post("/api/records", json=record(f"{u}-1", unit=u)).status_code == 201
    c = web.client(user)
    for u in UNITS:
        may_read = u in READS[user]
        reads = [
            c.get(f"/api/reports/{u}/2025"),
            c.get(f"/api/reports/{u}/2025/figures/study.sessions"),
            c.get("/api/activity", params={"unit": u, "ref": f"{u}-1"}),
            c.get("/api/history", params={"unit": u, "ref": f"{u}-1"}),
            c.get("/api/activities", params={"unit": u}),
            c.get(f"/api/deadlines/{u}"),
        ]
        assert [r.status_code for r in reads] == [200 if may_read else 403] * len(reads), (user, u)
        if not may_read:
            assert all(f"{u}-1" not in r.text for r in reads)
        may_write = u in WRITES.get(user, set())
        writes = [
            c.post("/api/records", json=record(f"{u}-{user}", unit=u)),
            c.post("/api/corrections", json={"unit": u, "ref": f"{u}-1", "reason": "r", "data": {"attendees": 1}}),
            c.post("/api/voids", json={"unit": u, "ref": f"{u}-1", "reason": "r"}),
        ]
        assert [r.status_code for r in writes] == [201 if may_write else 403] * 3, (user, u)
    visible = {x["code"] for x in c.get("/api/units").json()}
    assert visible == READS[user]


@pytest.mark.parametrize("user", sorted(READS))
def test_only_admins_manage_users_units_and_seals(web: Web, user: str) -> None:
    c = web.client(user)
    is_admin = user == "admin"
    assert c.get("/api/users").status_code == (200 if is_admin else 403)
    made = c.post("/api/users", json={"username": f"new-{user}", "role": "recorder", "units": ["north"]})
    assert made.status_code == (201 if is_admin else 403)
    unit = c.post("/api/units", json={"unit": f"east-{user}", "data": {"name": "东区"}})
    assert unit.status_code == (201 if is_admin else 403)
    assert c.post("/api/seals", json={"unit": "north", "year": 2025}).status_code == (201 if is_admin else 403)
    auditing = user in ("admin", "aud-city", "aud-south")
    assert c.get("/api/verify").status_code == (200 if auditing else 403)
    assert c.get("/api/seals").status_code == (200 if auditing else 403)


def test_an_auditor_sees_only_seals_of_their_units(web: Web) -> None:
    admin = web.client("admin")
    admin.post("/api/seals", json={"unit": "north", "year": 2025})
    admin.post("/api/seals", json={"unit": "south", "year": 2025})
    assert {s["unit"] for s in web.client("aud-south").get("/api/seals").json()} == {"south"}
    assert {s["unit"] for s in web.client("aud-city").get("/api/seals").json()} == {"north", "south"}


def test_verify_over_http_reports_an_intact_log(web: Web) -> None:
    web.client("rec-north").post("/api/records", json=record("S-1"))
    body = web.client("aud-city").get("/api/verify").json()
    assert body["ok"] and body["problems"] == [] and body["size"] > 0


# ---- sign-in ----


def test_without_credentials_the_api_says_401(web: Web) -> None:
    c = web.client()
    assert c.get("/api/reports/north/2025").status_code == 401
    assert c.post("/api/records", json=record("S-1")).status_code == 401
    bad = web.client()
    bad.headers["Authorization"] = "Bearer tz_rec-north_" + "0" * 48
    assert bad.get("/api/me").status_code == 401


def test_session_cookie_is_httponly_samesite_and_needs_the_csrf_token_to_write(web: Web) -> None:
    c = web.client()
    r = c.post("/api/session", json={"username": "rec-north", "password": PASSWORD})
    assert r.status_code == 200
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    csrf = r.json()["csrf_token"]
    assert c.post("/api/records", json=record("S-1")).status_code == 403
    assert c.post("/api/records", json=record("S-1"), headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert c.post("/api/records", json=record("S-1"), headers={"X-CSRF-Token": csrf}).status_code == 201
    assert c.delete("/api/session").status_code == 204


def test_changing_the_password_ends_other_sessions(web: Web) -> None:
    a = web.browser("rec-north")
    b = web.browser("rec-north")
    r = a.post("/api/me/password", json={"current": PASSWORD, "new": "a much longer secret"})
    assert r.status_code == 204
    assert b.get("/api/me").status_code == 401
    fresh = web.client().post("/api/session", json={"username": "rec-north", "password": "a much longer secret"})
    assert fresh.status_code == 200


def test_weak_new_passwords_are_refused_naming_the_field(web: Web) -> None:
    a = web.browser("rec-north")
    r = a.post("/api/me/password", json={"current": PASSWORD, "new": "short"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "new"


def test_repeated_failed_logins_slow_down_then_refuse(web: Web) -> None:
    c = web.client()
    codes = [c.post("/api/session", json={"username": "rec-north", "password": "wrong"}).status_code for _ in range(5)]
    assert codes[:3] == [401, 401, 401]
    assert 429 in codes[3:]
    locked = c.post("/api/session", json={"username": "rec-north", "password": PASSWORD})
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) >= 1


def test_a_disabled_user_is_locked_out_at_once(web: Web) -> None:
    session = web.browser("rec-north")
    token = web.client("rec-north")
    r = web.client("admin").patch("/api/users/rec-north", json={"disabled": True})
    assert r.status_code == 200 and r.json()["disabled"]
    assert session.get("/api/me").status_code == 401
    assert token.get("/api/me").status_code == 401


def test_a_new_user_gets_a_one_time_password_that_must_be_changed(web: Web) -> None:
    admin = web.client("admin")
    made = admin.post(
        "/api/users", json={"username": "zhang", "display_name": "张三", "role": "recorder", "units": ["north"]}
    ).json()
    c = web.client()
    me = c.post("/api/session", json={"username": "zhang", "password": made["password"]}).json()
    assert me["must_change_password"] and me["units"] == ["north"]
    dup = admin.post("/api/users", json={"username": "zhang", "role": "recorder", "units": ["north"]})
    assert dup.status_code == 422 and dup.json()["errors"][0]["field"] == "username"
    nowhere = admin.post("/api/users", json={"username": "li", "role": "recorder", "units": ["mars"]})
    assert nowhere.status_code == 422 and nowhere.json()["errors"][0]["field"] == "units"


def test_a_token_made_by_a_user_works_for_scripts(web: Web) -> None:
    b = web.browser("aud-city")
    token = b.post("/api/me/tokens", json={"label": "月报脚本"}).json()["token"]
    c = web.client()
    c.headers["Authorization"] = f"Bearer {token}"
    assert c.get("/api/me").json()["username"] == "aud-city"


def test_security_headers_on_every_response(web: Web) -> None:
    for r in (web.client().get("/api/me"), web.client("rec-north").get("/api/units")):
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["X-Frame-Options"] == "DENY"
        assert "default-src 'self'" in r.headers["Content-Security-Policy"]
        assert r.headers["Cache-Control"] == "no-store"


def test_reports_as_of_an_instant_before_a_record_do_not_count_it(web: Web) -> None:
    c = web.client("rec-north")
    first = c.post("/api/records", json=record("S-1")).json()
    c.post("/api/records", json=record("S-2"))
    r = c.get("/api/reports/north/2025", params={"as_of": first["recorded_at"]})
    assert r.json()["figures"]["study.sessions"]["value"] == 1
    assert c.get("/api/reports/north/2025").json()["figures"]["study.sessions"]["value"] == 2


def test_roll_up_for_an_auditor_of_the_parent_unit(web: Web) -> None:
    web.client("rec-north").post("/api/records", json=record("S-1"))
    web.client("rec-south").post("/api/records", json=record("S-1", unit="south"))
    report = web.client("aud-city").get("/api/reports/city/2025").json()
    assert report["figures"]["study.sessions"]["sources"] == ["north/S-1", "south/S-1"]


def test_verification_in_the_background_shows_progress_while_reads_and_writes_go_on(
    web: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading
    import time

    from projections import audit as projections_audit

    web.client("rec-north").post("/api/records", json=record("S-1"))
    release, reached = threading.Event(), threading.Event()
    rebuilt = projections_audit.rebuilt

    def held(*args, **kwargs):  # verification stops at its rebuild until the test lets it go on
        reached.set()
        assert release.wait(30)
        return rebuilt(*args, **kwargs)

    monkeypatch.setattr(projections_audit, "rebuilt", held)
    auditor = web.client("aud-city")
    assert web.client("rec-north").post("/api/verify/jobs").status_code == 403
    started = auditor.post("/api/verify/jobs")
    assert started.status_code == 202 and started.json()["state"] == "running"
    job = started.json()["id"]
    assert reached.wait(30)
    running = auditor.get(f"/api/verify/jobs/{job}").json()
    assert running["state"] == "running" and running["stage"] == "从事件库重建读模型" and 0 < running["percent"] < 100
    assert auditor.post("/api/verify/jobs").json()["id"] == job  # one at a time: the running one is returned
    # Meanwhile the ledger is written and read as usual.
    assert web.client("rec-north").post("/api/records", json=record("S-2")).status_code == 201
    assert web.client("rec-north").get("/api/reports/north/2025").status_code == 200
    release.set()
    for _ in range(600):
        body = auditor.get(f"/api/verify/jobs/{job}").json()
        if body["state"] != "running":
            break
        time.sleep(0.05)
    assert body["state"] == "done" and body["percent"] == 100 and body["started_by"] == "aud-city"
    assert body["result"]["ok"] and body["result"]["problems"] == []
    assert auditor.get("/api/verify/jobs/nope").status_code == 404
