"""The pages in a real browser: Debian's Chromium driven by Playwright, on an office screen and on a phone.

Log in, record a study session through the quick-entry form, watch 各类学习活动 go up by one, drill down to
the activity, correct it with a reason and read old → new in its history. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from webkit import PASSWORD, make_web

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parents[1] / "artifacts"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="browser tests need Debian's Chromium: apt-get install chromium"
)
sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need playwright (pip install playwright)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    """The web application on a temporary ledger, served by uvicorn on a free port in a background thread."""
    web, server = make_web(tmp_path / "home")
    port = free_port()
    config = uvicorn.Config(web.app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    runner = uvicorn.Server(config)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not runner.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    runner.should_exit = True
    thread.join(timeout=10)
    server.close()


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield browser
        browser.close()


SCREENS = {"office": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("screen", list(SCREENS))
def test_record_watch_the_figure_drill_down_correct_and_read_the_history(
    site: str, chromium: object, screen: str
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    phone = screen == "phone"
    context = chromium.new_context(  # type: ignore[attr-defined]
        viewport=SCREENS[screen], locale="zh-CN", is_mobile=phone, has_touch=phone, device_scale_factor=1
    )
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    expect = sync_api.expect

    def shot(name: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"{screen}-{name}.png"), full_page=True)

    def go(label: str) -> None:
        """Follow a link of the main navigation (behind the 菜单 button on a phone)."""
        if phone:
            page.get_by_role("button", name="菜单").click()
        page.locator("#nav").get_by_role("link", name=label, exact=True).click()

    # Log in.
    page.goto(f"{site}/")
    expect(page).to_have_url(f"{site}/login?next=/")
    page.get_by_label("用户名").fill("rec-north")
    page.get_by_label("密码").fill(PASSWORD)
    shot("1-login")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("北区城市更新中心")
    shot("2-dashboard")

    # The figure before.
    go("年度数据")
    sessions = page.locator("tr#study\\.sessions td.num a").first
    expect(sessions).to_have_text("0")

    # Record a study session through the quick-entry form.
    go("录入")
    page.get_by_role("link", name="学法/学习活动").click()
    page.get_by_label("学习形式").select_option(label="法治讲座")
    page.get_by_label("学习主题").fill("学习贯彻《中华人民共和国行政复议法》")
    page.get_by_label("学习法律法规").fill("行政复议法\n行政诉讼法")
    page.get_by_label("参学人数").fill("30")
    ref = page.get_by_label("活动编号").input_value()
    shot("3-entry")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".notice")).to_have_text("已记录。")

    # Its figure goes up by one; drill down to it.
    go("年度数据")
    expect(sessions).to_have_text("1")
    shot("4-report")
    sessions.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("各类学习活动")
    page.get_by_role("link", name=ref).click()
    expect(page.locator("h1 .ref")).to_have_text(ref)

    # Correct it with a reason; the history shows old → new.
    page.get_by_text("更正此活动").click()
    page.locator("#correct").get_by_label("参学人数").fill("45")
    page.get_by_label("更正原因").fill("参学人数统计有误，以签到表为准")
    page.get_by_role("button", name="保存更正").click()
    expect(page.locator(".notice")).to_have_text("已更正。")
    change = page.locator(".timeline .changes li")
    expect(change).to_contain_text("参学人数")
    expect(change.locator("del")).to_have_text("30")
    expect(change.locator("ins")).to_have_text("45")
    expect(page.locator(".timeline .reason")).to_contain_text("参学人数统计有误")
    shot("5-history")

    # The page fits the screen: nothing but tables scrolls sideways.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= SCREENS[screen]["width"], f"page is {width}px wide on a {SCREENS[screen]['width']}px screen"
    assert not problems, problems
    context.close()
