"""Rectification through the JSON API and the command line: the same use-cases, the same refusals."""

from __future__ import annotations

import json
from pathlib import Path

from cli_kit import taizhang
from conftest import rec, unit
from webkit import Web


def test_an_issue_through_the_api_from_inspection_to_sign_off_and_reopening(web: Web) -> None:
    admin, north, south = web.client("admin"), web.client("rec-north"), web.client("rec-south")
    study = {"form": "central_group", "attendees": 9, "topic": "学习宪法"}
    r = north.post("/api/records", json={"unit": "north", "kind": "study_session", "ref": "S-1", "date": "2025-03-01",
                                         "data": study})  # fmt: skip
    assert r.status_code == 201, r.text
    r = admin.post("/api/records", json={"unit": "city", "kind": "inspection", "ref": "JC-1", "date": "2025-05-10",
                                         "data": {"subject": "征收协议签订", "findings": 1}})  # fmt: skip
    assert r.status_code == 201, r.text
    body = {"unit": "city", "ref": "JC-1", "issues": [{"ref": "JC-1-1", "owner": "north", "title": "协议不规范",
                                                        "deadline": "2025-09-30"}]}  # fmt: skip
    made = admin.post("/api/issues/from-inspection", json=body)
    assert made.status_code == 201, made.text
    assert made.json()[0]["origin"] == "city/JC-1" and made.json()[0]["source_label"] == "专项检查"
    assert south.get("/api/issues/city/JC-1-1").status_code == 404  # another unit's issue is not there for it
    assert north.post("/api/issues/city/JC-1-1/measures", json={"measures": "逐份复核协议"}).status_code == 200
    ev = north.post("/api/issues/city/JC-1-1/evidence/activity", json={"unit": "north", "ref": "S-1"})
    assert ev.status_code == 200, ev.text
    pdf = {"file": ("整改报告.pdf", b"%PDF-1.4 report", "application/pdf")}
    attached = north.post("/api/issues/city/JC-1-1/evidence/file", files=pdf)
    assert attached.status_code == 200, attached.text
    assert [e["what"] for e in attached.json()["evidence"]] == ["activity", "file"]
    exe = {"file": ("x.exe", b"MZ", "application/octet-stream")}
    assert north.post("/api/issues/city/JC-1-1/evidence/file", files=exe).status_code == 422
    done = north.post("/api/issues/city/JC-1-1/completion", json={"summary": "已复核", "on": "2025-08-01"})
    assert done.status_code == 200 and done.json()["status"] == "completed"
    refused = north.post("/api/issues/city/JC-1-1/verification", json={"passed": True, "reason": "自验"})
    assert refused.status_code == 403
    blank = admin.post("/api/issues/city/JC-1-1/verification", json={"passed": True, "reason": ""})
    assert blank.status_code == 422 and blank.json()["errors"][0]["field"] == "reason"
    ok = admin.post(
        "/api/issues/city/JC-1-1/verification", json={"passed": True, "reason": "同意销号", "on": "2025-08-02"}
    )
    assert ok.json()["status"] == "signed_off"
    again = admin.post("/api/issues/city/JC-1-1/reopening", json={"reason": "回头看发现反弹"})
    assert again.json()["recurrences"] == 1
    figures = north.get("/api/issues/figures/north/2025").json()["figures"]
    assert figures["rectification.recurrences"]["value"] == 1
    assert figures["rectification.completion_rate"]["value"] == 0.0
    listed = north.get("/api/issues", params={"unit": "north"}).json()
    assert [i["ref"] for i in listed] == ["JC-1-1"]
    reminders = admin.get("/api/issues/reminders/city").json()
    assert [r["ref"] for r in reminders["north"]] == ["JC-1-1"] and reminders["north"][0]["state"] == "overdue"
    page = web.browser("rec-north").get("/reminders")  # and in the daily digest, on the page and in its JSON
    assert page.status_code == 200 and "整改事项" in page.text and "city/JC-1-1" in page.text
    assert [r["ref"] for r in north.get("/api/reminders").json()["rectification"]] == ["JC-1-1"]
    history = north.get("/api/issues/city/JC-1-1").json()["history"]
    assert [h["recorded_by"] for h in history] == ["admin"] + ["rec-north"] * 4 + ["admin", "admin"]


def test_the_command_line_registers_signs_off_and_lists_issues(tmp_path: Path) -> None:
    study = rec("study_session", "S-1", "2025-03-01", unit="town", form="central_group", attendees=8, topic="宪法")
    lines = [unit("county"), unit("town", parent="county"), study]
    assert taizhang(tmp_path, "import", "-", stdin="\n".join(json.dumps(x) for x in lines)).returncode == 0
    base = ["--issuer", "county", "XC-1"]
    made = taizhang(tmp_path, "issue", "register", *base, "--owner", "town", "--source", "patrol",
                    "--title", "执法公示不及时", "--found-on", "2025-04-01", "--deadline", "2025-06-30")  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["source_label"] == "巡察"
    bad = taizhang(tmp_path, "issue", "register", "--issuer", "county", "XC-2", "--owner", "nowhere", "--source",
                   "rumour", "--title", "x", "--deadline", "2025-06-30")  # fmt: skip
    assert bad.returncode == 2 and "source" in bad.stderr and "owner" in bad.stderr
    assert taizhang(tmp_path, "issue", "plan", *base, "--measures", "建立公示台账").returncode == 0
    assert taizhang(tmp_path, "issue", "evidence", *base, "--activity", "town/S-1").returncode == 0
    assert taizhang(tmp_path, "issue", "complete", *base, "--summary", "已公示", "--on", "2025-06-01").returncode == 0
    signed = taizhang(tmp_path, "issue", "verify", *base, "--pass", "--reason", "同意销号", "--on", "2025-06-02",
                      user="checker")  # fmt: skip
    assert signed.returncode == 0, signed.stderr
    listed = taizhang(tmp_path, "issue", "list", "--unit", "county")
    assert "[已销号] county/XC-1 → town" in listed.stdout
    figures = json.loads(taizhang(tmp_path, "issue", "figures", "--unit", "town", "--year", "2025").stdout)
    assert figures["figures"]["rectification.completion_rate"]["value"] == 100.0
    assert figures["figures"]["rectification.overdue_rate"]["value"] == 0.0
    reminders = taizhang(tmp_path, "issue", "reminders", "--unit", "county")
    assert "没有" in reminders.stdout
    inspection = rec("inspection", "JC-1", "2025-05-10", unit="county", subject="执法检查", findings=1)
    assert taizhang(tmp_path, "import", "-", stdin=json.dumps(inspection)).returncode == 0
    found = [{"ref": "JC-1-1", "owner": "town", "title": "案卷不规范", "deadline": "2027-06-30"}]
    made = taizhang(tmp_path, "issue", "from-inspection", "--unit", "county", "JC-1", "-", stdin=json.dumps(found))
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)[0]["origin"] == "county/JC-1"
    due = taizhang(tmp_path, "issue", "reminders", "--unit", "county", "--within", "366", "--format", "json")
    assert [r["ref"] for r in json.loads(due.stdout)["town"]] == ["JC-1-1"]


def test_deadlines_lists_rectification_issues_due_or_overdue(tmp_path: Path) -> None:
    lines = [unit("county"), unit("town", parent="county")]
    assert taizhang(tmp_path, "import", "-", stdin="\n".join(json.dumps(x) for x in lines)).returncode == 0
    made = taizhang(tmp_path, "issue", "register", "--issuer", "county", "XC-1", "--owner", "town", "--source",
                    "patrol", "--title", "执法公示不及时", "--found-on", "2025-04-01",
                    "--deadline", "2025-06-30")  # fmt: skip
    assert made.returncode == 0, made.stderr
    text = taizhang(tmp_path, "deadlines", "--unit", "county")
    assert text.returncode == 0, text.stderr
    assert "整改事项：已超期 1 项" in text.stdout and "town 整改 county/XC-1 执法公示不及时" in text.stdout
    body = json.loads(taizhang(tmp_path, "deadlines", "--unit", "town", "--format", "json").stdout)
    assert [(r["ref"], r["state"]) for r in body["rectification"]] == [("XC-1", "overdue")]
