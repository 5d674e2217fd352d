"""The first start and entry with errors in a real browser (Debian's Chromium through Playwright): the admin
signs in with the console's one-time password, sets their own, is guided through the setup (a mistake shown
beside its field), hands over the first user's password and sees the units page; a recorder's entry with two
problems gets both at once with everything typed kept, then saves and continues with the same date.
Screenshots go to tests/artifacts/."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from conftest import settings_for
from test_browser import ARTIFACTS, CHROMIUM, SCREENS, free_port
from webkit import PASSWORD, make_web

from api.services import users as users_service
from api.web.app import create_app
from api.web.context import context
from api.web.server import Server

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="browser tests need Debian's Chromium: apt-get install chromium"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need playwright (pip install playwright)")


def serve(app: object) -> tuple[str, uvicorn.Server, threading.Thread]:
    port = free_port()
    runner = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not runner.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", runner, thread


@pytest.fixture
def first_start(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A ledger as `taizhang serve` leaves it the first time: no unit, an admin with a console password."""
    server = Server(settings_for(tmp_path / "home", user="setup"), poll=False)
    password = users_service.ensure_admin(context(server))
    assert password
    url, runner, thread = serve(create_app(server=server))
    yield url, password
    runner.should_exit = True
    thread.join(timeout=10)
    server.close()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    web, server = make_web(tmp_path / "home")
    url, runner, thread = serve(web.app)
    yield url
    runner.should_exit = True
    thread.join(timeout=10)
    server.close()


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield browser
        browser.close()


def new_page(chromium: object, screen: str) -> tuple[object, object, list[str]]:
    phone = screen == "phone"
    ctx = chromium.new_context(  # type: ignore[attr-defined]
        viewport=SCREENS[screen], locale="zh-CN", is_mobile=phone, has_touch=phone, device_scale_factor=1
    )
    page = ctx.new_page()
    problems: list[str] = []
    # A form refused with 422 is expected here (the mistakes are the point); anything else is a problem.
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" and "422" not in m.text else None)
    return ctx, page, problems


def test_first_start_from_the_console_password_to_the_units_page(
    first_start: tuple[str, str], chromium: object
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    url, one_time = first_start
    ctx, page, problems = new_page(chromium, "office")
    expect = sync_api.expect

    def shot(name: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"first-start-{name}.png"), full_page=True)  # type: ignore[attr-defined]

    page.goto(f"{url}/")  # type: ignore[attr-defined]
    page.get_by_label("用户名").fill("admin")  # type: ignore[attr-defined]
    page.get_by_label("密码").fill(one_time)  # type: ignore[attr-defined]
    page.get_by_role("button", name="登录").click()  # type: ignore[attr-defined]
    expect(page.locator(".warn")).to_contain_text("控制台")  # type: ignore[attr-defined]
    shot("1-password")
    page.get_by_label("当前密码").fill(one_time)  # type: ignore[attr-defined]
    page.get_by_label("新密码", exact=False).first.fill("a strong first secret")  # type: ignore[attr-defined]
    page.get_by_label("再次输入新密码").fill("a strong first secret")  # type: ignore[attr-defined]
    page.get_by_role("button", name="保存新密码").click()  # type: ignore[attr-defined]
    expect(page.get_by_role("heading", level=1)).to_have_text("首次设置")  # type: ignore[attr-defined]

    # A mistake: the unit's code in Chinese. It is shown beside the field; what was typed stays.
    page.get_by_label("上级单位名称").fill("渭滨区法治办")  # type: ignore[attr-defined]
    page.get_by_label("上级单位代码").fill("weibin")  # type: ignore[attr-defined]
    page.get_by_label("单位名称", exact=False).nth(1).fill("渭滨区城市更新中心")  # type: ignore[attr-defined]
    page.locator("#s-ucode").fill("更新中心")  # type: ignore[attr-defined]
    page.locator("#s-user0-name").fill("张敏")  # type: ignore[attr-defined]
    page.locator("#s-user0-username").fill("zhangmin")  # type: ignore[attr-defined]
    page.get_by_role("button", name="完成设置").click()  # type: ignore[attr-defined]
    expect(page.locator(".has-error .error")).to_contain_text("单位代码")  # type: ignore[attr-defined]
    expect(page.locator("#s-user0-name")).to_have_value("张敏")  # type: ignore[attr-defined]
    shot("2-setup-error")
    page.locator("#s-ucode").fill("weibin-ur")  # type: ignore[attr-defined]
    page.get_by_role("button", name="完成设置").click()  # type: ignore[attr-defined]
    expect(page.get_by_role("heading", level=1)).to_have_text("设置完成")  # type: ignore[attr-defined]
    password = page.locator("code.password").inner_text()  # type: ignore[attr-defined]
    assert re.fullmatch(r"\S{10,}", password)
    shot("3-setup-done")
    page.get_by_role("link", name="管理单位").click()  # type: ignore[attr-defined]
    expect(page.locator("table.units")).to_contain_text("渭滨区城市更新中心")  # type: ignore[attr-defined]
    name = page.get_by_label("渭滨区城市更新中心 的新名称")  # type: ignore[attr-defined]
    name.fill("渭滨区城市更新服务中心")
    page.locator("form", has=name).get_by_role("button", name="改名").click()  # type: ignore[attr-defined]
    expect(page.locator(".notice")).to_have_text("已保存单位的修改。")  # type: ignore[attr-defined]
    page.get_by_role("link", name="查看").nth(1).click()  # type: ignore[attr-defined]
    expect(page.locator("#history")).to_contain_text("原为「渭滨区城市更新中心」")  # type: ignore[attr-defined]
    shot("4-units")
    assert not problems, problems
    ctx.close()  # type: ignore[attr-defined]


@pytest.mark.parametrize("screen", list(SCREENS))
def test_entry_with_errors_keeps_everything_and_save_and_continue(site: str, chromium: object, screen: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    ctx, page, problems = new_page(chromium, screen)
    expect = sync_api.expect

    def shot(name: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"{screen}-entry-{name}.png"), full_page=True)  # type: ignore[attr-defined]

    page.goto(f"{site}/entry/study_session")  # type: ignore[attr-defined]
    page.get_by_label("用户名").fill("rec-north")  # type: ignore[attr-defined]
    page.get_by_label("密码").fill(PASSWORD)  # type: ignore[attr-defined]
    page.get_by_role("button", name="登录").click()  # type: ignore[attr-defined]
    page.get_by_label("学习形式").select_option(label="法治讲座")  # type: ignore[attr-defined]
    page.get_by_label("学习主题").fill("学习民法典")  # type: ignore[attr-defined]
    # Two mistakes the browser cannot see (numbers past the ledger's limit): both are shown at once.
    page.get_by_label("参学人数").fill("2000000000")  # type: ignore[attr-defined]
    page.get_by_label("交流发言次数").fill("3000000000")  # type: ignore[attr-defined]
    page.get_by_role("button", name="保存", exact=True).click()  # type: ignore[attr-defined]
    expect(page.locator(".has-error")).to_have_count(2)  # type: ignore[attr-defined]
    expect(page.get_by_label("学习主题")).to_have_value("学习民法典")  # type: ignore[attr-defined]
    shot("1-errors")
    page.get_by_label("参学人数").fill("30")  # type: ignore[attr-defined]
    page.get_by_label("交流发言次数").fill("2")  # type: ignore[attr-defined]
    page.get_by_label("活动编号").fill("S-1")  # type: ignore[attr-defined]
    day = page.get_by_label("日期", exact=False).first.input_value()  # type: ignore[attr-defined]
    page.get_by_role("button", name="保存并继续录入").click()  # type: ignore[attr-defined]
    expect(page.locator(".ok-box")).to_contain_text("S-1")  # type: ignore[attr-defined]
    expect(page.locator("#f-date")).to_have_value(day)  # type: ignore[attr-defined]
    shot("2-continue")
    assert not problems, problems
    ctx.close()  # type: ignore[attr-defined]


def test_sealing_chooses_unit_and_year_in_the_form_and_confirms_first(site: str, chromium: object) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    ctx, page, problems = new_page(chromium, "office")
    expect = sync_api.expect
    page.goto(f"{site}/audit")  # type: ignore[attr-defined]
    page.get_by_label("用户名").fill("admin")  # type: ignore[attr-defined]
    page.get_by_label("密码").fill(PASSWORD)  # type: ignore[attr-defined]
    page.get_by_role("button", name="登录").click()  # type: ignore[attr-defined]
    form = page.locator("form.seal-form")  # type: ignore[attr-defined]
    form.get_by_label("封存单位").select_option(label="北区城市更新中心")
    year = form.get_by_label("封存年度").input_value()
    assert "尚未结束" not in form.get_by_label("封存年度").locator("option:checked").inner_text()
    form.get_by_role("button", name="封存…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"确认封存：北区城市更新中心 {year} 年度")  # type: ignore[attr-defined]
    page.screenshot(path=str(ARTIFACTS / "seal-1-confirm.png"), full_page=True)  # type: ignore[attr-defined]
    page.get_by_role("button", name="确认封存").click()  # type: ignore[attr-defined]
    expect(page.locator(".notice")).to_have_text("已封存。")  # type: ignore[attr-defined]
    row = page.locator("tr", has_text="北区城市更新中心").filter(has_text=year).first  # type: ignore[attr-defined]
    expect(row).to_contain_text("admin")
    page.screenshot(path=str(ARTIFACTS / "seal-2-done.png"), full_page=True)  # type: ignore[attr-defined]
    assert not problems, problems
    ctx.close()  # type: ignore[attr-defined]
