"""Conditional fields in a real browser (Debian Chromium): a field that applies only when another field has some
value (the catalogue's `when`: 办案程序 only for 行政处罚, 件数/次数 only for 行政检查 and 其他行政执法行为, the
penalty's class and amounts only for a decision that penalizes) is shown by the page's script only then, and
is neither required nor sent otherwise. Without the script every field shows with its hint, a form where a
conditional required field does not apply still goes through, and the server names a field filled where it does
not apply. Screenshots go to tests/artifacts/conditional-*.png."""

from __future__ import annotations

from test_browser import ARTIFACTS, PASSWORD, chromium, site, sync_api  # noqa: F401 (fixtures)

OFFICE = {"width": 1366, "height": 768}


def sign_in(page, base: str, next_path: str) -> None:  # noqa: ANN001 (a Playwright page)
    page.goto(f"{base}/login?next={next_path}")
    page.get_by_label("用户名").fill("rec-north")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def test_the_script_shows_a_conditional_field_only_when_it_applies(site: str, chromium) -> None:  # noqa: F811, ANN001
    ARTIFACTS.mkdir(exist_ok=True)
    context = chromium.new_context(viewport=OFFICE, locale="zh-CN")
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    expect = sync_api.expect
    sign_in(page, site, "/entry/enforcement_case%3Funit%3Dnorth")

    procedure, compulsion, count = (page.locator(f"#f-data-{n}") for n in ("procedure", "compulsion", "count"))
    # No action chosen yet: none of the three applies.
    for input_ in (procedure, compulsion, count):
        expect(input_).to_be_hidden()
    page.locator("#f-data-action").select_option(label="行政处罚")
    expect(procedure).to_be_visible()
    expect(compulsion).to_be_hidden()
    expect(count).to_be_hidden()
    assert procedure.evaluate("e => e.required") is True  # required where it applies
    page.screenshot(path=str(ARTIFACTS / "conditional-1-penalty.png"), full_page=True)

    page.locator("#f-data-action").select_option(label="行政检查")
    expect(count).to_be_visible()
    expect(count).to_have_value("1")  # the default the form filled in
    expect(procedure).to_be_hidden()
    page.screenshot(path=str(ARTIFACTS / "conditional-2-inspection.png"), full_page=True)

    # A value typed into a field that then stops applying is neither sent nor lost: back to 行政处罚 and the
    # 件数 typed for the inspection does not reach the server (which would refuse it, naming the field).
    count.fill("3")
    page.locator("#f-data-action").select_option(label="行政处罚")
    expect(count).to_be_hidden()
    page.get_by_label("案由/事项").fill("未按规定设置警示标志")
    page.get_by_label("活动编号").fill("EC-1")
    procedure.select_option(label="普通(一般)程序")
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_load_state()
    expect(page.locator(".notice, .ok-box").first).to_be_visible()
    assert "EC-1" in page.url

    # On the activity page the decision step shows the penalty's class and amounts only for a penalizing outcome.
    page.locator("summary", has_text="处罚决定").click()
    step = page.locator("form", has=page.locator("input[name=step][value=decided]"))
    penalty_class = step.locator("#f-data-penalty_class")
    expect(penalty_class).to_be_hidden()
    step.locator("#f-data-outcome").select_option(label="给予行政处罚")
    expect(penalty_class).to_be_visible()
    expect(step.locator("#f-data-fine")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "conditional-3-decision.png"), full_page=True)
    step.locator("#f-data-outcome").select_option(label="不予行政处罚")
    expect(penalty_class).to_be_hidden()
    expect(step.locator("#f-data-fine")).to_be_hidden()
    assert not problems, problems
    context.close()


def test_without_the_script_every_field_shows_and_the_server_judges(site: str, chromium) -> None:  # noqa: F811, ANN001
    ARTIFACTS.mkdir(exist_ok=True)
    context = chromium.new_context(viewport=OFFICE, locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    expect = sync_api.expect
    sign_in(page, site, "/entry/enforcement_case%3Funit%3Dnorth")
    for name in ("procedure", "compulsion", "count"):
        expect(page.locator(f"#f-data-{name}")).to_be_visible()
    expect(page.locator("label[for=f-data-procedure] small")).to_have_text("仅当执法类别为行政处罚时填写")

    # 办案程序 is required for a penalty, but the browser is not told so: an inspection goes through without it.
    page.locator("#f-data-action").select_option(label="行政检查")
    page.get_by_label("案由/事项").fill("燃气安全检查")
    page.get_by_label("活动编号").fill("EC-2")
    page.locator("#f-data-count").fill("4")
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_load_state()
    assert "EC-2" in page.url, page.locator("main").inner_text()

    # Filled where it does not apply: the server refuses, naming the field beside its input; the rest is kept.
    page.goto(f"{site}/entry/enforcement_case?unit=north")
    page.locator("#f-data-action").select_option(label="行政检查")
    page.get_by_label("案由/事项").fill("消防安全检查")
    page.get_by_label("活动编号").fill("EC-3")
    page.locator("#f-data-procedure").select_option(label="简易程序")
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_load_state()
    error = page.locator(".has-error #f-data-procedure-error")
    expect(error).to_contain_text("办案程序")
    expect(error).to_contain_text("请清空此项")
    expect(page.get_by_label("案由/事项")).to_have_value("消防安全检查")
    page.screenshot(path=str(ARTIFACTS / "conditional-4-no-script.png"), full_page=True)
    context.close()
