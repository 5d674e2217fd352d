"""Reading the ledger on the web as staff do: units by name, topics in the drill-down, the auditors' details out
of the way, lists as cards on a phone, history in words; and the report's 红头 settings edited in the browser."""

from __future__ import annotations

import re
from pathlib import Path

from cli_kit import taizhang
from conftest import rec, step, unit, void
from webkit import Web
from webpages_kit import Browser, error_beside, text, today

CSS = Path(__file__).parents[2] / "api" / "web" / "static" / "site.css"
JS = Path(__file__).parents[2] / "api" / "web" / "static" / "site.js"


def seed(web: Web, *lines: dict) -> None:
    outcome = web.server.ledger.apply(list(enumerate(lines, start=1)), "setup")
    assert outcome.ok, outcome.errors


def test_ledger_list_and_drill_down_show_unit_names_and_topics(web: Web) -> None:
    day = today(web)
    seed(web, rec("study_session", "XX-1", day, unit="north", form="lecture", topic="民法典专题学习", attendees=3))
    b = Browser(web, "aud-city")
    listing = text(b.get("/ledger?unit=city").text)
    assert "北区城市更新中心" in listing and " north " not in listing
    year = day[:4]
    drill = b.get(f"/report/figure?unit=city&year={year}&figure=study.sessions").text
    shown = text(drill)
    assert "民法典专题学习" in shown and "北区城市更新中心" in shown
    assert 'data-label="内容"' in drill  # laid out as a card on a phone


def test_report_keeps_merkle_root_and_figure_codes_in_a_fold(web: Web) -> None:
    b = Browser(web, "aud-city")  # the fold is for auditors (staff do not get it: test_web_audit_fold.py)
    page = b.get(f"/report?unit=north&year={today(web)[:4]}").text
    fold = re.search(r'<details class="card proof".*?</details>', page, re.S)
    assert fold and "Merkle 根" in fold.group(0) and "<code>study.sessions</code>" in fold.group(0)
    outside = page.replace(fold.group(0), "")
    assert "Merkle" not in outside and "<code>study.sessions</code>" not in outside
    assert '<th class="fid">' not in page


def test_parent_report_names_its_children(web: Web) -> None:
    b = Browser(web, "aud-city")
    page = text(b.get(f"/report?unit=city&year={today(web)[:4]}").text)
    assert "含下级单位：" in page and "北区城市更新中心" in page and "南区城市更新中心" in page


def test_history_names_the_voided_step_and_shows_step_data_in_words(web: Web) -> None:
    day = today(web)
    hearing = step("AJ-1", "hearing", day, unit="north", head_appeared=True)
    seed(web, rec("case", "AJ-1", day, unit="north", case_type="admin_litigation", role="defendant"), hearing)
    seed(web, void("AJ-1", target=hearing, unit="north", reason="录错了"))
    b = Browser(web, "rec-north")
    page = text(b.get("/activity?unit=north&ref=AJ-1").text)
    assert f"作废步骤 开庭（{day}）" in page
    assert "负责人出庭：是" in page
    assert "head_appeared" not in page and "True" not in page


def test_cli_history_is_in_words(tmp_path: Path) -> None:
    home = tmp_path / "h"
    lines = [
        unit("u1", "测试中心"),
        rec("study_session", "S-1", "2025-03-28", form="party_group", topic="学法", attendees=5),
    ]
    hearing = step("AJ-1", "hearing", "2025-04-02", head_appeared=True)
    lines += [rec("case", "AJ-1", "2025-04-01", case_type="admin_litigation", role="defendant"), hearing]
    lines += [
        {"id": "C-9", "op": "correct", "unit": "u1", "ref": "S-1", "date": "2025-03-02", "reason": "日期录错"},
        void("AJ-1", target=hearing, reason="重复"),
    ]
    import json

    src = tmp_path / "l.jsonl"
    src.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    assert taizhang(home, "import", str(src)).returncode == 0
    study = taizhang(home, "history", "--unit", "u1", "S-1").stdout
    assert "学习形式：党组(党委、党工委)会" in study and "参学人数：5" in study
    assert "日期：2025-03-28 → 2025-03-02" in study
    assert "form=" not in study and "'" not in study
    case = taizhang(home, "history", "--unit", "u1", "AJ-1").stdout
    assert "开庭（2025-04-02）" in case and "负责人出庭：是" in case
    assert "作废的步骤：开庭（2025-04-02）" in case
    assert hearing["id"] not in case.replace(f"（{hearing['id']}", "")  # no internal line id beside the step
    assert "hearing" not in case and "outcome=" not in case


def test_phone_layout_cards_and_labels_that_do_not_wrap() -> None:
    css = CSS.read_text(encoding="utf-8")
    phone = css[css.rindex("@media (max-width: 760px)") :]
    assert "table.cards tr" in phone and "thead { display: none; }" in phone
    assert "content: attr(data-label)" in phone
    assert re.search(r"\.picker label[^{]*\{[^}]*white-space: nowrap", css)


def test_number_fields_say_in_chinese_what_they_want(web: Web) -> None:
    b = Browser(web, "rec-north")
    page = b.get("/entry/study_session?unit=north").text
    field = re.search(r'<input[^>]*name="data.attendees"[^>]*>', page)
    assert field and 'data-invalid="参学人数：请填写整数' in field.group(0)
    assert "setCustomValidity(input.dataset.invalid)" in JS.read_text(encoding="utf-8")


def test_letterhead_is_set_in_the_browser_every_problem_at_once(web: Web) -> None:
    b = Browser(web, "rec-north")
    year = today(web)[:4]
    bad = {"unit": "north", "year": year, "issuer": "北" * 50, "number": "北中心33号", "verification": "on"}
    r = b.post("/report/letterhead", bad)
    assert r.status_code == 422
    assert "发文字号" in error_beside(r.text, "number") and "发文机关标志" in error_beside(r.text, "issuer")
    assert 'value="北中心33号"' in r.text  # what was typed is kept
    good = {
        "unit": "north",
        "year": year,
        "issuer": "北区中心文件",
        "number": f"北中心({year})7号",
        "recipients": "市政府",
    }
    page = b.follow(b.post("/report/letterhead", good)).text
    assert "已保存报告版头与附件" in page and f"北中心〔{year}〕7号" in page
    saved = web.server.ledger.report_settings("north", int(year))
    assert saved.issuer == "北区中心文件" and saved.recipients == "市政府" and saved.verification is False
    assert Browser(web, "rec-south").post("/report/letterhead", good).status_code == 403
    assert Browser(web, "aud-city").post("/report/letterhead", good).status_code == 403
