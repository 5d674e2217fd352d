"""In a real browser (Debian Chromium, office and phone screens): a recorder declares a figure of the unit's own
by choosing kind, condition and codes from the catalogue, sees its value before saving, saves it and finds it
in the year's report; screenshots in tests/artifacts/."""

from __future__ import annotations

import pytest
from conftest import study
from test_browser import ARTIFACTS, PASSWORD, SCREENS, chromium, site, sync_api  # noqa: F401 (fixtures)

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("screen", list(SCREENS))
def test_declare_a_figure_by_choosing_preview_it_and_find_it_in_the_report(site: str, chromium, screen: str) -> None:  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    phone = screen == "phone"
    context = chromium.new_context(viewport=SCREENS[screen], locale="zh-CN", is_mobile=phone, has_touch=phone)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    expect = sync_api.expect

    def shot(name: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"{screen}-figures-{name}.png"), full_page=True)

    page.goto(f"{site}/login?next=/%3Funit%3Dnorth")
    page.get_by_label("用户名").fill("admin")  # a unit's own figures are declared by its admins (may_declare)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("北区城市更新中心")
    # The activities, through the JSON API with this session (the entry forms have their own browser test).
    csrf = page.request.get(f"{site}/api/me").json()["csrf_token"]
    for ref, form in (("S-1", "lecture"), ("S-2", "lecture"), ("S-3", "central_group")):
        body = {**study(ref, "2025-03-01", unit="north", form=form)}
        body.pop("op"), body.pop("id"), body.pop("by", None)
        body["date"] = page.evaluate("() => new Date().toISOString().slice(0, 10)")
        r = page.request.post(f"{site}/api/records", data=body, headers={"X-CSRF-Token": csrf})
        assert r.status == 201, r.text()

    page.goto(f"{site}/report")
    page.get_by_role("link", name="自定义指标").click()
    page.get_by_label("统计哪类活动").select_option(label="学法/学习活动")
    page.get_by_role("button", name="下一步").click()
    page.locator('[name="code"]').fill("study.lectures")
    page.locator('[name="label"]').fill("法治讲座")
    page.locator('[name="unit_word"]').fill("次")
    page.locator('[name="w0.subject"]').select_option(label="字段：学习形式")
    page.get_by_role("button", name="更新").click()
    page.get_by_label("法治讲座", exact=True).check()
    page.get_by_role("button", name="更新").click()
    expect(page.locator(".preview-value strong")).to_have_text("2")
    shot("1-edit")
    page.get_by_role("button", name="保存声明").click()
    expect(page.locator("p.notice")).to_contain_text("已保存指标声明")
    shot("2-list")
    page.get_by_role("link", name="查看本单位年度数据").click()
    expect(page.locator("tr#local\\.study\\.lectures td.num a").first).to_have_text("2")
    assert problems == []
    context.close()
