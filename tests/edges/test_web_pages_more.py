"""More pages, as a person uses them: import a file (JSON Lines or the template workbook), my tokens for
scripts, voiding a piece of evidence, and a report asked for before the unit existed."""

from __future__ import annotations

import io
import json
import re
from typing import Any

from conftest import rec
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from webkit import Web
from webpages_kit import Browser, error_beside, figure, study_form, text, today, value_of

from api.documents.sheets import sheet_name
from domain.catalogue import KINDS


def this_year(web: Web) -> str:
    return today(web)[:4]


def sessions(b: Browser, unit: str, year: str) -> str:
    page = b.get(f"/report?unit={unit}&year={year}")
    assert page.status_code == 200, page.text[:300]
    return figure(page.text, "study.sessions")


def jsonl(*lines: dict[str, Any]) -> bytes:
    return "\n".join(json.dumps(line, ensure_ascii=False) for line in lines).encode()


def upload(b: Browser, name: str, content: bytes, csrf: bool = True) -> Any:
    if not b.csrf:
        b.get("/import")
    data = {"csrf_token": b.csrf} if csrf else {}
    return b.client.post("/import", data=data, files={"file": (name, content, "application/octet-stream")})


def problems(page: str) -> list[str]:
    """Each error of a rejected import as shown: where, field, message."""
    block = re.search(r'<ol class="problems">(.*?)</ol>', page, re.S)
    assert block, "no list of errors"
    return [text(li).strip() for li in re.findall(r"<li>(.*?)</li>", block.group(1), re.S)]


def study(ref: str, day: str, unit: str = "north", **extra: Any) -> dict[str, Any]:
    line = rec("study_session", ref, day, unit=unit, form="lecture", topic="宪法学习", attendees=20)
    line["data"].update(extra)
    return line


# ---- import: JSON Lines ----


def test_import_jsonl_applies_every_line_and_the_report_counts_them(web: Web) -> None:
    b = Browser(web, "rec-north")
    year = this_year(web)
    assert sessions(b, "north", year) == "0"
    page = b.get("/import").text
    assert "JSON Lines" in page and 'href="/import/template"' in page and 'type="file"' in page
    body = jsonl(study("IMP-1", today(web)), study("IMP-2", today(web)))
    r = upload(b, "学习.jsonl", body)
    assert r.status_code == 200, r.text[:500]
    assert "导入 2 行，跳过 0 行" in text(r.text)
    assert sessions(b, "north", year) == "2"
    history = web.server.ledger.history("north", "IMP-1")
    assert history[0].recorded_by == "rec-north"  # recorded in the importer's name
    again = upload(b, "学习.jsonl", body)
    assert "导入 0 行，跳过 2 行" in text(again.text) and "已经导入过" in again.text
    assert sessions(b, "north", year) == "2"


def test_a_rejected_jsonl_lists_every_error_by_line_and_records_nothing(web: Web) -> None:
    b = Browser(web, "rec-north")
    good = study("BAD-1", today(web))
    no_topic = study("BAD-2", today(web))
    del no_topic["data"]["topic"]
    too_many = study("BAD-3", today(web), attendees=-5)
    r = upload(b, "学习.jsonl", jsonl(good, no_topic, too_many))
    assert r.status_code == 422
    shown = problems(r.text)
    assert any(p.startswith("第 2 行") and "data.topic" in p and "学习主题" in p for p in shown), shown
    assert any(p.startswith("第 3 行") and "data.attendees" in p for p in shown), shown
    assert "未导入任何内容" in r.text
    assert web.server.ledger.activity("north", "BAD-1") is None
    assert sessions(b, "north", this_year(web)) == "0"
    broken = jsonl(good) + b'\n{"op": "record", oops}\n'
    r = upload(b, "学习.jsonl", broken)
    assert r.status_code == 422
    assert any(p.startswith("第 2 行") and "json" in p and "不是有效的 JSON" in p for p in problems(r.text))
    assert web.server.ledger.activity("north", "BAD-1") is None


def test_import_refuses_other_units_and_other_names_and_records_nothing(web: Web) -> None:
    b = Browser(web, "rec-north")
    mine, theirs = study("ACC-1", today(web)), study("ACC-2", today(web), unit="south")
    r = upload(b, "a.jsonl", jsonl(mine, theirs))
    assert r.status_code == 403
    assert any(p.startswith("第 2 行") and "无权" in p and "south" in p for p in problems(r.text))
    forged = {**study("ACC-3", today(web)), "by": "rec-south"}
    r = upload(b, "b.jsonl", jsonl(mine, forged))
    assert r.status_code == 422
    assert any(p.startswith("第 2 行") and "不能代他人录入" in p for p in problems(r.text))
    for unit, ref in (("north", "ACC-1"), ("south", "ACC-2"), ("north", "ACC-3")):
        assert web.server.ledger.activity(unit, ref) is None


def test_files_that_are_not_an_import_are_named(web: Web) -> None:
    b = Browser(web, "rec-north")
    r = upload(b, "表.csv", b"unit,ref\n")
    assert r.status_code == 422 and "只接受" in r.text
    r = upload(b, "book.xlsx", b"not a zip file at all")
    assert r.status_code == 422 and "无法读取 Excel 工作簿" in r.text
    r = upload(b, "empty.jsonl", b"\n\n")
    assert r.status_code == 422 and "文件是空的" in r.text
    r = upload(b, "gbk.jsonl", b'{"topic": "\xff\xfe"}')  # neither UTF-8 nor GB18030: refused naming UTF-8
    assert r.status_code == 422 and "UTF-8" in r.text
    r = b.client.post("/import", data={"csrf_token": b.csrf})
    assert r.status_code == 422 and "请选择" in r.text


# ---- import: the template workbook ----


def template(b: Browser) -> Any:
    r = b.get("/import/template")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert "attachment" in r.headers["content-disposition"]
    return load_workbook(io.BytesIO(r.content))


def fill(wb: Any, kind: str, *rows: dict[str, Any]) -> bytes:
    """Rows into a kind's sheet from row 3, by the field codes of row 1."""
    ws = wb[sheet_name(KINDS[kind].label)]
    codes = [c.value for c in ws[1]]
    for i, row in enumerate(rows, start=3):
        for name, value in row.items():
            ws.cell(row=i, column=codes.index(name) + 1, value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_the_template_workbook_downloads_fills_in_and_imports(web: Web) -> None:
    b = Browser(web, "rec-north")
    lecture = KINDS["study_session"].field("form").codes["lecture"]  # a label, as people type it
    row = {"unit": "north", "ref": "XL-1", "date": today(web), "form": lecture, "topic": "民法典", "attendees": 12}
    book = fill(template(b), "study_session", row, {**row, "ref": "XL-2", "attendees": 8})
    r = upload(b, "台账.xlsx", book)
    assert r.status_code == 200, r.text[:500]
    assert "导入 2 行，跳过 0 行" in text(r.text)
    report = b.get(f"/report?unit=north&year={this_year(web)}").text
    assert figure(report, "study.sessions") == "2" and figure(report, "study.attendance") == "20"
    found = web.server.ledger.activity("north", "XL-1")
    assert found is not None and found.data["form"] == "lecture"
    assert "导入 0 行，跳过 2 行" in text(upload(b, "台账.xlsx", book).text)  # the same workbook again


def test_a_rejected_workbook_names_sheet_and_row_and_records_nothing(web: Web) -> None:
    b = Browser(web, "rec-north")
    good = {"unit": "north", "ref": "XB-1", "date": today(web), "form": "lecture", "topic": "宪法", "attendees": 5}
    bad = {**good, "ref": "XB-2", "attendees": "三十"}
    r = upload(b, "台账.xlsx", fill(template(b), "study_session", good, bad))
    assert r.status_code == 422
    sheet = sheet_name(KINDS["study_session"].label)
    shown = problems(r.text)
    assert any(p.startswith(f"{sheet}!4") and "data.attendees" in p for p in shown), shown
    assert not any(p.startswith(f"{sheet}!3") for p in shown)
    assert web.server.ledger.activity("north", "XB-1") is None
    assert sessions(b, "north", this_year(web)) == "0"


# ---- import: who may ----


def test_import_is_offered_to_recorders_and_admins_only(web: Web) -> None:
    for user in ("rec-north", "admin"):
        assert 'href="/import"' in Browser(web, user).get("/").text, user
    auditor = Browser(web, "aud-city")
    assert 'href="/import"' not in auditor.get("/").text
    assert auditor.get("/import").status_code == 403
    assert auditor.get("/import/template").status_code == 403
    r = upload(auditor, "a.jsonl", jsonl(study("AUD-1", today(web))))
    assert r.status_code == 403 and web.server.ledger.activity("north", "AUD-1") is None
    assert web.client().get("/import", follow_redirects=False).status_code == 303  # strangers: to the login


def test_import_without_the_csrf_token_records_nothing(web: Web) -> None:
    b = Browser(web, "rec-north")
    r = upload(b, "a.jsonl", jsonl(study("CS-1", today(web))), csrf=False)
    assert r.status_code == 403 and "CSRF" in r.text
    assert web.server.ledger.activity("north", "CS-1") is None


# ---- my tokens ----


def test_a_token_is_shown_once_works_for_scripts_and_can_be_revoked(web: Web) -> None:
    b = Browser(web, "rec-north")
    page = b.get("/tokens").text
    assert "我的令牌" in page and "还没有令牌" in page
    r = b.post("/tokens/new", {"label": "周报导出"})
    assert r.status_code == 201 and "只显示这一次" in r.text and "复制" in r.text
    token = re.search(r'<code class="password" id="new-token">([^<]+)</code>', r.text).group(1)  # type: ignore[union-attr]
    script = TestClient(web.app, headers={"Authorization": f"Bearer {token}"})
    assert script.get("/api/me").json()["username"] == "rec-north"
    listed = b.get("/tokens").text
    assert "周报导出" in listed and token not in listed
    assert b.get("/tokens").headers["cache-control"] == "no-store"
    digest = re.search(r'name="token" value="([0-9a-f]{64})"', listed).group(1)  # type: ignore[union-attr]
    page = b.follow(b.post("/tokens/revoke", {"token": digest})).text
    assert "令牌已撤销" in page and "周报导出" not in page
    assert script.get("/api/me").status_code == 401


def test_a_token_needs_a_label_and_nobody_revokes_anothers(web: Web) -> None:
    b = Browser(web, "rec-north")
    r = b.post("/tokens/new", {"label": "  "})
    assert r.status_code == 422 and "用途" in error_beside(r.text, "label")
    south = Browser(web, "rec-south")
    south.post("/tokens/new", {"label": "南区脚本"})
    theirs = re.search(r'name="token" value="([0-9a-f]{64})"', south.get("/tokens").text).group(1)  # type: ignore[union-attr]
    assert b.post("/tokens/revoke", {"token": theirs}).status_code == 404
    assert "南区脚本" in south.get("/tokens").text
    assert b.post("/tokens/revoke", {"token": theirs}, csrf=False).status_code == 403
    assert 'href="/tokens"' in Browser(web, "aud-city").get("/").text  # every role may have tokens


# ---- voiding evidence ----


def attach(b: Browser, ref: str, name: str, content: bytes) -> str:
    data = {"unit": "north", "ref": ref, "csrf_token": b.csrf}
    files = {"file": (name, content, "application/pdf")}
    page = b.follow(b.client.post("/activity/evidence", data=data, files=files)).text
    assert "附件已上传" in page
    return page


def test_voiding_a_file_takes_it_off_the_list_and_the_history_keeps_it(web: Web) -> None:
    b = Browser(web, "rec-north")
    b.post("/entry/study_session", study_form("EV-1", today(web)))
    attach(b, "EV-1", "签到表.pdf", b"%PDF-1.4\n% attendance\n")
    page = attach(b, "EV-1", "错误文件.pdf", b"%PDF-1.4\n% the wrong file\n")
    wrong = re.search(r"sha256=([0-9a-f]{64})\">错误文件.pdf", page).group(1)  # type: ignore[union-attr]
    form = {"unit": "north", "ref": "EV-1", "sha256": wrong, "reason": ""}
    r = b.post("/activity/evidence/void", form)
    assert r.status_code == 422 and "原因" in error_beside(r.text, "reason") and "错误文件.pdf" in r.text
    page = b.follow(b.post("/activity/evidence/void", {**form, "reason": "上传错了文件"})).text
    assert "附件已作废" in page
    files = re.search(r"<h2>佐证材料</h2>(.*?)</section>", page, re.S).group(1)  # type: ignore[union-attr]
    assert "签到表.pdf" in files and "错误文件.pdf" not in files
    shown = text(page)
    assert re.search(r"作废附件\s+错误文件\.pdf\s+原因：上传错了文件", shown), shown
    found = web.server.ledger.activity("north", "EV-1")
    assert found is not None and list(n["name"] for n in found.live_evidence().values()) == ["签到表.pdf"]
    r = b.post("/activity/evidence/void", {**form, "reason": "再来一次"})
    assert r.status_code == 422 and "没有有效的附件" in r.text  # already voided


def test_only_writers_of_the_unit_void_evidence_and_only_with_the_csrf_token(web: Web) -> None:
    b = Browser(web, "rec-north")
    b.post("/entry/study_session", study_form("EV-2", today(web)))
    page = attach(b, "EV-2", "签到表.pdf", b"%PDF-1.4\n% sheet\n")
    sha = re.search(r"sha256=([0-9a-f]{64})", page).group(1)  # type: ignore[union-attr]
    form = {"unit": "north", "ref": "EV-2", "sha256": sha, "reason": "不需要了"}
    assert "作废此附件" not in Browser(web, "aud-city").get("/activity?unit=north&ref=EV-2").text
    assert Browser(web, "aud-city").post("/activity/evidence/void", form).status_code == 403
    assert Browser(web, "rec-south").post("/activity/evidence/void", form).status_code == 403
    assert b.post("/activity/evidence/void", form, csrf=False).status_code == 403
    found = web.server.ledger.activity("north", "EV-2")
    assert found is not None and len(found.live_evidence()) == 1


# ---- a report before the unit existed ----


def test_a_report_before_the_unit_was_registered_says_so_and_keeps_the_picker(web: Web) -> None:
    b = Browser(web, "rec-north")
    year = this_year(web)
    r = b.get(f"/report?unit=north&year={year}&as_of=2001-01-01T00:00")
    assert r.status_code == 404
    shown = text(r.text)
    assert "该时点单位尚未登记" in shown and "北区城市更新中心" in shown and "2001-01-01 00:00" in shown
    assert "单位不存在" not in shown and "study.sessions" not in r.text
    assert value_of(r.text, "as_of") == "2001-01-01T00:00"  # the picker, still filled in
    assert value_of(r.text, "unit") == "north" and value_of(r.text, "year") == year
    first = re.search(r'href="(/report\?[^"]*as_of=[^"]+)">查看刚登记后的数据', r.text).group(1)  # type: ignore[union-attr]
    later = b.get(first.replace("&amp;", "&"))
    assert later.status_code == 200 and figure(later.text, "study.sessions") == "0"
    assert b.get(f"/report?unit=north&year={year}").status_code == 200


# ---- the new pages keep to the Content-Security-Policy ----


def test_new_pages_use_no_inline_script_or_style(web: Web) -> None:
    b = Browser(web, "admin")
    pages = [
        b.get("/import").text,
        upload(b, "a.jsonl", b"{oops}").text,
        b.get("/tokens").text,
        b.post("/tokens/new", {"label": "脚本"}).text,
        b.get(f"/report?unit=north&year={this_year(web)}&as_of=2001-01-01T00:00").text,
    ]
    for page in pages:
        assert not re.search(r"<script(?![^>]*\bsrc=)", page)
        assert " style=" not in page and "<style" not in page
