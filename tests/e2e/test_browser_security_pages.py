"""The security pages in a real browser (Debian Chromium): the security administrator sets the roles that need a
second factor on 登录策略 (`/policy`); a recorder records a petitioner's personal data on 个人信息
(`/personal`) and has it shown by the button; and on a case the hearing's 出庭负责人 shows only once
负责人出庭 is ticked (a conditional field whose condition is a checkbox). Screenshots go to
tests/artifacts/security-*.png."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from conftest import case, petition
from test_browser import ARTIFACTS, CHROMIUM, free_port
from webkit import PASSWORD, make_web

from api.infra.passwords import hash_password
from api.services import sign_in
from api.web.context import context

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="browser tests need Debian's Chromium: apt-get install chromium"
)
sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need playwright (pip install playwright)")
OFFICE = {"width": 1366, "height": 768}


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, object]]:
    web, server = make_web(tmp_path / "home")
    server.ledger.register_user("se", "安全管理员甲", "secadmin", [], hash_password(PASSWORD), "setup")
    server.ledger.set_password("se", hash_password(PASSWORD), False, "setup")
    day = server.ledger.today().isoformat()
    lines = [petition("XF-1", day, unit="north"), case("AJ-1", day, unit="north")]
    assert server.ledger.apply(list(enumerate(lines, start=1)), "setup").ok
    server.forget()
    port = free_port()
    runner = uvicorn.Server(uvicorn.Config(web.app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not runner.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", server
    runner.should_exit = True
    thread.join(timeout=10)
    server.close()


def test_policy_personal_data_and_a_checkbox_condition(served: tuple[str, object]) -> None:
    site, server = served
    ARTIFACTS.mkdir(exist_ok=True)
    expect = sync_api.expect
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        problems: list[str] = []

        def signed_in(username: str, next_path: str):  # noqa: ANN202 (a Playwright page)
            page = browser.new_context(viewport=OFFICE, locale="zh-CN").new_page()
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.goto(f"{site}/login?next={next_path}")
            page.get_by_label("用户名").fill(username)
            page.get_by_label("密码").fill(PASSWORD)
            page.get_by_role("button", name="登录").click()
            page.wait_for_load_state()
            return page

        # 登录策略: reached from the menu, roles ticked, saved.
        page = signed_in("se", "/")
        page.get_by_role("link", name="登录策略").click()
        page.get_by_label("审计/监督").check()
        page.get_by_label("管理员", exact=True).check()
        page.get_by_role("button", name="保存登录策略").click()
        expect(page.locator(".notice")).to_have_text("已保存登录策略。")
        expect(page.get_by_label("审计/监督")).to_be_checked()
        expect(page.locator("#account-aud-city")).to_contain_text("须开通，尚未开通")
        page.screenshot(path=str(ARTIFACTS / "security-1-policy.png"), full_page=True)
        assert sign_in.policy(context(server)).second_factor_roles == ["admin", "auditor"]  # type: ignore[arg-type]

        # 个人信息: from the petition's page, typed in, then shown by the button.
        page = signed_in("rec-north", "/activity%3Funit%3Dnorth%26ref%3DXF-1")
        page.get_by_role("link", name="个人信息").click()
        page.get_by_role("textbox", name="信访人姓名").fill("王五")
        page.get_by_role("textbox", name="公民身份号码").fill("11010519491231002X")
        page.get_by_role("button", name="加密保存").click()
        expect(page.locator(".notice")).to_have_text("已加密保存个人信息。")
        expect(page.locator("#shown")).to_have_count(0)  # nothing in clear until asked for
        page.get_by_role("button", name="显示个人信息（将记录本次查看）").click()
        expect(page.locator("#shown")).to_contain_text("王五")
        expect(page.locator("#shown")).to_contain_text("（未录入）")
        page.screenshot(path=str(ARTIFACTS / "security-2-personal.png"), full_page=True)

        # A checkbox as the condition: 出庭负责人 only once 负责人出庭 is ticked.
        page.goto(f"{site}/activity?unit=north&ref=AJ-1")
        page.locator("summary", has_text="开庭").click()
        hearing = page.locator("form", has=page.locator("input[name=step][value=hearing]"))
        rank = hearing.locator("#f-data-head_rank")
        expect(rank).to_be_hidden()
        hearing.get_by_role("checkbox", name="负责人出庭").check()
        expect(rank).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "security-3-hearing.png"), full_page=True)
        hearing.get_by_role("checkbox", name="负责人出庭").uncheck()
        expect(rank).to_be_hidden()
        assert not problems, problems
        browser.close()
