"""Reporting upward through the JSON API and the pages, and the lock on every web write path: one-line API
writes (records, steps, corrections, voids), the API import, the entry form, the activity page's forms and the
import page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import petition, study
from webkit import Web, make_web
from webpages_kit import Browser, error_beside, study_form, value_of


@pytest.fixture
def web(tmp_path: Path):
    w, server = make_web(tmp_path / "home")
    assert server.ledger.apply([(1, study("N-1", "2025-03-01", unit="north"))], "setup").ok
    yield w
    server.close()


def approve_north(web: Web) -> None:
    admin, auditor = web.client("admin"), web.client("aud-city")
    r = admin.post("/api/filings/north/2025/submit", json={"comment": "请审核"})
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "submitted" and r.json()["seal"]
    assert auditor.post("/api/filings/north/2025/approve", json={}).json()["state"] == "approved"


def test_the_api_carries_a_year_up_and_the_superior_follows_it(web: Web) -> None:
    admin, auditor, south = web.client("admin"), web.client("aud-city"), web.client("aud-south")
    assert admin.post("/api/filings/north/2025/submit", json={}).status_code == 200
    # The south centre's auditor is not above north; nobody reviews without a reason to return.
    assert south.post("/api/filings/north/2025/return", json={"reason": "x"}).status_code == 403
    bad = auditor.post("/api/filings/north/2025/return", json={"reason": " "})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "reason"
    assert auditor.post("/api/filings/north/2025/return", json={"reason": "附件不全"}).json()["state"] == "returned"
    assert admin.post("/api/filings/north/2025/submit", json={"comment": "已补"}).json()["state"] == "resubmitted"
    assert auditor.post("/api/filings/north/2025/approve", json={"comment": "同意"}).status_code == 200
    progress = auditor.get("/api/progress/city/2025").json()
    rows = {r["unit"]: r for r in progress["units"]}
    assert rows["north"]["state"] == "approved" and rows["north"]["returned_on"] and rows["north"]["approved_on"]
    assert rows["south"]["state"] == "draft" and progress["counts"]["approved"] == 1
    status = web.client("rec-north").get("/api/filings/north/2025").json()
    assert [e["label"] for e in status["register"]] == ["建立报送", "报送", "退回", "重新报送", "审核通过"]
    assert web.client("rec-south").get("/api/filings/north/2025").status_code == 403
    pub = admin.post(
        "/api/filings/north/2025/publication", json={"url": "https://bq.gov.cn/2025", "date": "2026-03-30"}
    )
    assert pub.status_code == 200 and pub.json()["published_on"] == "2026-03-30"
    reopened = auditor.post("/api/filings/north/2025/reopen", json={"reason": "复核"})
    assert reopened.json()["state"] == "reopened"
    due = auditor.get("/api/filings-due", params={"year": 2025}).json()
    assert due == []  # nothing waits for this auditor's review
    assert {d["action"] for d in admin.get("/api/filings-due", params={"year": 2025, "within": 365}).json()} >= {
        "submit"
    }


def test_every_api_write_path_is_refused_in_a_locked_year_without_a_late_reason(web: Web) -> None:
    clerk = web.client("rec-north")
    assert web.server.ledger.apply([(1, petition("XF-1", "2025-12-20", unit="north"))], "setup").ok
    approve_north(web)
    writes = {
        "/api/records": {
            "unit": "north",
            "ref": "N-2",
            "kind": "study_session",
            "date": "2025-05-01",
            "data": {"form": "lecture", "topic": "宪法", "attendees": 5},
        },
        "/api/corrections": {"unit": "north", "ref": "N-1", "reason": "人数录错", "data": {"attendees": 12}},
        "/api/voids": {"unit": "north", "ref": "N-1", "reason": "重复"},
        "/api/steps": {"unit": "north", "ref": "XF-1", "step": "acknowledged", "date": "2026-01-10"},
    }
    for path, body in writes.items():
        r = clerk.post(path, json=body)
        assert r.status_code == 422, (path, r.text)
        assert [e["field"] for e in r.json()["errors"]] == ["late_reason"], path
    line = json.dumps(study("N-3", "2025-06-01", unit="north"), ensure_ascii=False)
    r = clerk.post("/api/import", content=line, headers={"Content-Type": "application/x-ndjson"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "late_reason"
    # With the reason: applied, and none of it stored in the line itself.
    r = clerk.post("/api/records", json={**writes["/api/records"], "late_reason": "漏报补录"})
    assert r.status_code == 201, r.text
    r = clerk.post("/api/corrections", json={**writes["/api/corrections"], "late_reason": "人数核实"})
    assert r.status_code == 201, r.text
    r = clerk.post("/api/steps", json={**writes["/api/steps"], "late_reason": "受理告知漏录"})
    assert r.status_code == 201, r.text
    r = clerk.post(
        "/api/import",
        params={"late_reason": "批量补录"},
        content=line,
        headers={"Content-Type": "application/x-ndjson"},
    )
    assert r.status_code == 200 and r.json()["applied"] == 1
    history = clerk.get("/api/history", params={"unit": "north", "ref": "N-2"}).json()
    assert "late_reason" not in json.dumps(history)
    late = web.client("aud-city").get("/api/filings/north/2025/late").json()
    assert [e["text"] for e in late["late_corrections"]] == ["漏报补录", "人数核实", "受理告知漏录", "批量补录"]
    moved = {m["figure"]: (m["was"], m["now"]) for m in late["moved"]}
    assert moved["study.sessions"] == (1, 3) and moved["study.attendance"] == (10, 27)
    assert web.client("rec-north").get("/api/filings/north/2025/late").status_code == 403


def test_every_page_write_path_asks_for_the_late_reason_in_a_locked_year(web: Web) -> None:
    assert web.server.ledger.apply([(1, petition("XF-1", "2025-12-20", unit="north"))], "setup").ok
    approve_north(web)
    b = Browser(web, "rec-north")
    # The entry form.
    r = b.post("/entry/study_session", study_form("N-5", "2025-07-01"))
    assert r.status_code == 422 and "报后更正" in error_beside(r.text, "late_reason")
    r = b.post("/entry/study_session", {**study_form("N-5", "2025-07-01"), "late_reason": "会议纪要补录"})
    assert r.status_code == 303
    # The activity page: correction and void.
    page = b.get("/activity?unit=north&ref=N-1").text
    assert 'name="late_reason"' in page
    form = {"unit": "north", "ref": "N-1", "reason": "更正人数", "version": "1", "date": "2025-03-01"}
    form |= {"data.form": "central_group", "data.topic": "学习习近平法治思想", "data.attendees": "20"}
    r = b.post("/activity/correct", form)
    assert r.status_code == 422 and "报后更正" in error_beside(r.text, "late_reason")
    assert value_of(r.text, "data.attendees") == "20"  # what was typed is kept
    assert b.post("/activity/correct", {**form, "late_reason": "核对签到表"}).status_code == 303
    r = b.post("/activity/void", {"unit": "north", "ref": "N-5", "reason": "重复录入"})
    assert r.status_code == 422 and "报后更正" in error_beside(r.text, "late_reason")
    # A step (dated in the next year: its petition belongs to the locked year).
    step = {"unit": "north", "ref": "XF-1", "step": "acknowledged", "date": "2026-01-05", "form_key": "st"}
    r = b.post("/activity/step", step)
    assert r.status_code == 422 and "报后更正" in error_beside(r.text, "late_reason")
    assert b.post("/activity/step", {**step, "late_reason": "受理告知漏录"}).status_code == 303
    # The import page.
    line = json.dumps(study("N-6", "2025-08-01", unit="north"), ensure_ascii=False).encode()
    files = {"file": ("a.jsonl", line, "application/octet-stream")}
    r = b.client.post("/import", data={"csrf_token": b.csrf}, files=files)
    assert r.status_code == 422 and "报后更正" in r.text
    r = b.client.post("/import", data={"csrf_token": b.csrf, "late_reason": "补录"}, files=files)
    assert r.status_code == 200
    assert web.server.ledger.activity("north", "N-6") is not None
    # The reviewer's page lists them with the figures moved since the approved seal.
    a = Browser(web, "aud-city")
    page = a.get("/filing?unit=north&year=2025").text
    assert "报后更正（4 项）" in page and "会议纪要补录" in page and "核对签到表" in page
    assert "各类学习活动" in page


def test_the_pages_carry_the_workflow_and_show_the_progress(web: Web) -> None:
    admin, auditor = Browser(web, "admin"), Browser(web, "aud-city")
    page = admin.get("/filing?unit=north&year=2025").text
    assert "未报送" in page and "封存并报送" in page
    done = admin.follow(admin.post("/filing/submit", {"unit": "north", "year": "2025", "comment": "请审核"})).text
    assert "已报送。" in done and "请审核" in done
    assert "审核通过（锁定该年度数据）" not in done  # the submitter does not review
    page = auditor.get("/filing?unit=north&year=2025").text
    assert "审核通过（锁定该年度数据）" in page and "报送后数据又有变动" not in page
    assert web.server.ledger.apply([(1, study("N-8", "2025-10-01", unit="north"))], "setup").ok
    page = auditor.get("/filing?unit=north&year=2025").text
    assert "报送后数据又有变动（1 个事件" in page and "各类学习活动：1 → 2" in page
    r = auditor.post("/filing/return", {"unit": "north", "year": "2025", "reason": ""})
    assert r.status_code == 422 and "退回理由" in r.text
    done = auditor.follow(auditor.post("/filing/approve", {"unit": "north", "year": "2025", "comment": "同意"})).text
    assert "已审核通过" in done and "重新打开（解除锁定）" in done
    progress = auditor.get("/progress?unit=city&year=2025").text
    assert "北区城市更新中心" in progress and "南区城市更新中心" in progress and "已审核通过" in progress
    r = admin.post("/filing/publish", {"unit": "north", "year": "2025", "url": "nope", "date": "2027-01-01"})
    assert r.status_code == 422 and "发布地址" in r.text and "发布日期" in r.text  # both at once


def test_declaring_a_figure_in_a_locked_year_takes_the_late_reason_on_the_api_and_the_page(web: Web) -> None:
    approve_north(web)
    data = {"code": "local.study.all", "label": "全部学习", "unit_word": "次", "kind": "study_session",
            "measure": {"type": "count"}}  # fmt: skip
    admin = web.client("admin")
    refused = admin.post("/api/figures", json={"unit": "north", "data": data})
    assert refused.status_code == 422 and "late_reason" in refused.text
    done = admin.post("/api/figures", json={"unit": "north", "data": data, "late_reason": "补充上级要求的指标"})
    assert done.status_code == 201, done.text
    b = Browser(web, "admin")
    form = b.get(f"/figures/retire?unit=north&code={data['code']}").text
    assert 'name="late_reason"' in form
    retired = b.post("/figures/retire", {"unit": "north", "code": data["code"], "late_reason": "指标口径作废"})
    assert retired.status_code in (302, 303), retired.text
    late = web.client("aud-city").get("/api/filings/north/2025/late").json()
    assert {"补充上级要求的指标", "指标口径作废"} <= {entry["text"] for entry in late["late_corrections"]}, late
