"""The 整改 and 考核 pages: what a person sees and does with a browser."""

from __future__ import annotations

import time
from datetime import datetime
from zoneinfo import ZoneInfo

from webkit import Web
from webpages_kit import Browser, errors


def test_an_issue_registered_rectified_and_signed_off_through_the_pages(web: Web) -> None:
    admin, north = Browser(web, "admin"), Browser(web, "rec-north")
    page = admin.get("/issues?unit=city")
    assert page.status_code == 200 and "登记问题" in page.text and "整改完成率" in page.text
    bad = admin.post("/issues", {"issuer": "city", "ref": "DC 1", "title": "", "source": "patrol", "owner": "north",
                                 "deadline": "2025-09-30", "found_on": "2025-03-01"})  # fmt: skip
    assert bad.status_code == 422
    assert any("问题编号" in e for e in errors(bad.text)) and any("问题：不能为空" in e for e in errors(bad.text))
    made = admin.post("/issues", {"issuer": "city", "ref": "DC-1", "title": "执法公示不及时", "source": "patrol",
                                  "owner": "north", "deadline": "2025-09-30", "found_on": "2025-03-01"})  # fmt: skip
    assert made.status_code == 303
    listed = north.get("/issues?unit=north").text
    assert "执法公示不及时" in listed and "已超期" in listed
    north.post("/issues/city/DC-1/measures", {"measures": "建立公示台账"})
    r = north.post("/issues/city/DC-1/completed", {"summary": "已整改", "on": "2025-06-01"})
    assert r.status_code == 422 and any("佐证材料" in e for e in errors(r.text))
    pdf = {"file": ("整改报告.pdf", b"%PDF-1.4 report", "application/pdf")}
    north.get("/issues/city/DC-1")
    up = north.client.post("/issues/city/DC-1/file", data={"csrf_token": north.csrf}, files=pdf)
    assert up.status_code == 303, up.text
    assert "整改报告.pdf" in north.get("/issues/city/DC-1").text
    web.server.ledger.apply([(1, {"id": "S1", "op": "record", "unit": "north", "kind": "study_session", "ref": "S-1",
                                  "date": "2025-03-01", "data": {"form": "central_group", "attendees": 9,
                                                                 "topic": "宪法"}})], "rec-north")  # fmt: skip
    assert north.post("/issues/city/DC-1/evidence", {"activity": "north/S-1"}).status_code == 303
    assert north.post("/issues/city/DC-1/completed", {"summary": "已整改", "on": "2025-06-01"}).status_code == 303
    assert "提交验收" not in north.get("/issues/city/DC-1").text  # the owner does not sign off
    signed = admin.post("/issues/city/DC-1/verified", {"reason": "同意销号", "passed": "yes", "on": "2025-06-02"})
    page = admin.follow(signed).text
    assert "已销号" in page and "重新打开" in page and "同意销号" in page


def test_the_assessor_table_and_the_unit_sheet_pages(web: Web) -> None:
    admin, north = web.client("admin"), Browser(web, "rec-north")
    definition = {
        "name": "年度考核",
        "categories": {"centre": "中心"},
        "indicators": [
            {"code": "1", "name": "依法履职"},
            {
                "code": "1.1",
                "parent": "1",
                "name": "学法",
                "points": 4,
                "rule": {"type": "pass_fail", "figure": "study.sessions", "op": ">=", "value": 1},
            },  # fmt: skip
            {"code": "1.2", "parent": "1", "name": "述法", "points": 6, "evidence": "述法报告"},
        ],
    }
    assert admin.put("/api/assessment/city/K", json={"year": 2025, "definition": definition}).status_code == 200
    assert admin.post("/api/assessment/city/K/units", json={"units": {"north": "centre"}}).status_code == 200
    listed = north.get("/assessment?unit=north").text
    assert "年度考核" in listed and "本单位评分表" in listed
    sheet = north.get("/assessment/city/K/north").text
    assert "缺佐证材料：1.2 述法" in sheet and "提交评审" in sheet
    assert "<title>评分表 north · 法治建设工作台账</title>" in sheet  # the page's parts are in its body, not its title
    assert sheet.count("<h2>修改记录</h2>") == 1 and sheet.count('<select name="indicator">') == 3
    refused = north.post("/assessment/city/K/north/submitted", {})
    assert refused.status_code == 422 and "要求的佐证材料尚未提供" in refused.text
    time.sleep(1.1)  # the instant below is to the second: it must fall after the system was defined
    before = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%dT%H:%M:%S")
    time.sleep(1.1)  # the page's instant is to the second
    claimed = north.post("/assessment/city/K/north/self", {"indicator": "1.2", "score": "5", "note": "述法"})
    assert claimed.status_code == 303
    now = north.get("/assessment/city/K/north").text
    assert "<td>自评</td>" in now and "自评 5" in now  # the sheet and its history show the self-assessment
    then = north.get(f"/assessment/city/K/north?as_of={before}").text
    assert "只读" in then and "自评 0" in then and "<td>自评</td>" not in then
    pdf = {"file": ("述法报告.pdf", b"%PDF-1.4 report", "application/pdf")}
    up = north.client.post(
        "/assessment/city/K/north/file", data={"indicator": "1.2", "csrf_token": north.csrf}, files=pdf
    )
    assert up.status_code == 303, up.text
    assert "缺佐证材料" not in north.get("/assessment/city/K/north").text
    assert north.post("/assessment/city/K/north/submitted", {}).status_code == 303
    assert north.get("/assessment/city/K").status_code == 403  # the whole table is the assessor's
    boss = Browser(web, "admin")
    table = boss.get("/assessment/city/K").text
    assert "待评审 1" in table and '<th title="述法">1.2</th>' in table


def test_the_assessor_defines_a_system_from_a_workbook_on_the_page(web: Web, tmp_path) -> None:
    from api.documents.assessment_xlsx import template

    book = tmp_path / "体系.xlsx"
    template({"centre": "中心", "town": "街镇"}).save(book)
    boss = Browser(web, "admin")
    page = boss.get("/assessment?unit=city").text
    assert "<title>考核 · 法治建设工作台账</title>" in page and page.count("<h2>定义指标体系</h2>") == 1
    files = {"file": ("体系.xlsx", book.read_bytes(), "application/octet-stream")}
    form = {"owner": "city", "code": "KH", "year": "2025", "csrf_token": boss.csrf}
    bad = boss.client.post("/assessment", data={**form, "units": "north centre"}, files=files)
    assert bad.status_code == 422 and "第 1 行须为“单位=类别”" in bad.text
    ok = boss.client.post("/assessment", data={**form, "units": "north=centre\nsouth=town"}, files=files)
    assert ok.status_code == 303 and ok.headers["location"] == "/assessment/city/KH"
    table = boss.get("/assessment/city/KH").text
    assert "中心（满分 8.0）" in table and "街镇（满分 6.0）" in table
