"""Issue 12's import and fixing pages in a real browser (Debian's Chromium through Playwright), on an office
screen: a GBK file from Excel on Chinese Windows with a non-JSON line among bad lines gets every error at once and
nothing imported; the fixed file is imported; a second 开庭 on the same day is asked about before it is saved;
a correction that changes nothing is refused with the form kept. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_browser import ARTIFACTS, PASSWORD, chromium, site, sync_api  # noqa: F401 (fixtures)

pytestmark = pytest.mark.slow

GOOD = [
    {"id": "b-1", "op": "record", "unit": "north", "kind": "学法/学习活动", "ref": "S-1", "date": "2025/3/1",
     "data": {"form": "中心组学习", "topic": "学习宪法", "attendees": "20"}},
    {"id": "b-2", "op": "record", "unit": "north", "kind": "case", "ref": "AJ-1", "date": "2025年2月1日",
     "data": {"case_type": "admin_litigation", "role": "defendant"}},
    {"id": "b-3", "op": "step", "unit": "north", "ref": "AJ-1", "step": "开庭", "date": "2025-3-1"},
]  # fmt: skip
BAD = [
    {**GOOD[0], "date": "2025-02-30"},
    '{"id": "b-x", "op": "record", 不是 JSON',
    {**GOOD[1], "kind": "cse"},
    GOOD[2],
]


def _file(path: Path, lines: list) -> Path:
    text = "".join((x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)) + "\n" for x in lines)
    path.write_bytes(text.encode("gbk"))
    return path


def test_import_every_error_at_once_then_the_same_day_question_and_an_unchanged_correction(
    site: str,  # noqa: F811
    chromium: object,  # noqa: F811
    tmp_path: Path,
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    ctx = chromium.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")  # type: ignore[attr-defined]
    page = ctx.new_page()
    problems: list[str] = []
    # Refusals with 422 are the point here; any other console error is a problem.
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" and "422" not in m.text else None)
    expect = sync_api.expect

    def shot(name: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"fixing-{name}.png"), full_page=True)

    page.goto(f"{site}/import")
    page.get_by_label("用户名").fill("rec-north")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    # A GBK file: an impossible day, a line that is not JSON, a kind mistyped, and a step on the mistyped case.
    page.locator("#import-file").set_input_files(str(_file(tmp_path / "学法台账.jsonl", BAD)))
    page.get_by_role("button", name="导入", exact=True).click()
    body = page.locator("main")
    expect(body).to_contain_text("未导入任何内容")
    for said in ("2025年2月没有30日", "不是有效的 JSON", "您是不是要输入 case（案件）", "记录「AJ-1」的那一行有错误"):
        expect(body).to_contain_text(said)
    assert "Traceback" not in body.inner_text() and "file：" not in body.inner_text()
    shot("1-import-errors")

    page.locator("#import-file").set_input_files(str(_file(tmp_path / "改好的.jsonl", GOOD)))
    page.get_by_role("button", name="导入", exact=True).click()
    expect(body).to_contain_text("导入 3 行")
    shot("2-import-done")

    # The same 开庭 again on 2025-03-01: asked first, saved only when confirmed.
    page.goto(f"{site}/activity?unit=north&ref=AJ-1")
    page.locator("details.form summary", has_text="开庭").first.click()
    step = page.locator("details.form[open] form")
    step.locator('input[name="date"]').fill("2025-03-01")
    step.get_by_role("button", name="记录开庭").click()
    expect(page.locator("main")).to_contain_text("已有 2025-03-01 的「开庭」")
    expect(page.get_by_role("button", name="仍然记录开庭")).to_be_visible()
    shot("3-same-day-question")
    page.get_by_role("button", name="仍然记录开庭").click()
    expect(page.locator(".timeline")).to_contain_text("第 3 版")  # the second 开庭, recorded once confirmed

    # A correction that changes nothing: refused, the reason typed kept.
    page.goto(f"{site}/activity?unit=north&ref=S-1")
    page.get_by_text("更正此活动").click()
    page.get_by_label("更正原因").fill("核对签到表")
    page.get_by_role("button", name="保存更正").click()
    expect(page.locator("#correct .has-error .error")).to_contain_text("没有修改任何内容")
    expect(page.get_by_label("更正原因")).to_have_value("核对签到表")
    assert page.locator(".timeline").inner_text().count("更正") == 0  # nothing recorded
    shot("4-unchanged-correction")
    assert not problems, problems
    ctx.close()  # type: ignore[attr-defined]
