"""Reading on a phone (390×844) in a real browser: the ledger list and a figure's sources as cards (every
column on screen, text not one character per line), the 单位 label on one line, the activity title close to
its page. Screenshots go to tests/artifacts/phone-reading-*.png."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from conftest import rec
from test_browser import ARTIFACTS, CHROMIUM, free_port
from webkit import PASSWORD, make_web

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="browser tests need Debian's Chromium: apt-get install chromium"
)
sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need playwright (pip install playwright)")
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    web, server = make_web(tmp_path / "home")
    day = server.ledger.today().isoformat()
    lines = [
        rec("study_session", f"XX-{i}", day, unit="north", form="lecture", topic="学习贯彻《中华人民共和国行政复议法》"
            "暨依法征收专题讲座", attendees=30)
        for i in range(4)
    ]  # fmt: skip
    assert server.ledger.apply(list(enumerate(lines, start=1)), "setup").ok
    port = free_port()
    runner = uvicorn.Server(uvicorn.Config(web.app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
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


def test_phone_reads_lists_as_cards(site: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
        page = context.new_page()
        page.goto(f"{site}/login?next=/")
        page.get_by_label("用户名").fill("aud-city")
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state()

        # The 单位 label of the picker stays on one line.
        label_lines = page.evaluate(
            """() => { const l = document.querySelector('.picker label'); if (!l) return 0;
                 const r = document.createRange(); r.selectNodeContents(l.firstChild);
                 return r.getClientRects().length; }"""
        )
        assert label_lines == 1
        page.screenshot(path=str(ARTIFACTS / "phone-reading-1-dashboard.png"), full_page=True)

        page.goto(f"{site}/ledger?unit=city")
        cards = page.locator("table.cards tbody tr")
        assert cards.count() == 4
        for i in range(cards.count()):
            box = cards.nth(i).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
            status = cards.nth(i).locator('td[data-label="状态"]').bounding_box()
            assert status and status["x"] + status["width"] <= PHONE["width"]  # on screen, no sideways scroll
            topic = cards.nth(i).locator('td[data-label="内容"]').bounding_box()
            assert topic and topic["width"] > PHONE["width"] / 2  # a line of text, not a character per line
        assert "北区城市更新中心" in cards.first.inner_text()
        page.screenshot(path=str(ARTIFACTS / "phone-reading-2-ledger.png"), full_page=True)

        # The activity's title sits close to what follows it.
        cards.first.get_by_role("link").click()
        page.wait_for_load_state()
        title = page.locator(".head h1").bounding_box()
        below = page.locator(".head p.muted").bounding_box()
        assert title and below and below["y"] - (title["y"] + title["height"]) < 16
        after = page.locator(".head + *").first.bounding_box()
        head = page.locator(".head").bounding_box()
        assert after and head and after["y"] - (head["y"] + head["height"]) < 24
        page.screenshot(path=str(ARTIFACTS / "phone-reading-3-activity.png"), full_page=True)
        browser.close()
