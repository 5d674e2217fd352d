"""The first start, as the one IT person and the first admin meet it: the guided setup on a ledger with no unit,
the units page (create, rename, move; each change an event with its author), the console admin's first sign-in,
the API documentation without internet, and `taizhang unit …` on the command line."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_kit import taizhang
from conftest import PASSWORD_COST, settings_for
from fastapi.testclient import TestClient
from webkit import PASSWORD, Web
from webpages_kit import Browser, error_beside, text

from api.infra.passwords import hash_password
from api.services import users as users_service
from api.web.app import create_app
from api.web.context import context
from api.web.server import Server


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Web]:
    """A first start: no unit, only the admin `taizhang serve` creates (its password set, as after first sign-in)."""
    server = Server(settings_for(tmp_path / "home", user="setup"), poll=False)
    users_service.ensure_admin(context(server))
    server.ledger.set_password("admin", hash_password(PASSWORD, cost=PASSWORD_COST), False, "admin")
    web = Web(server, create_app(server=server))
    web._tokens = {}
    yield web
    server.close()


def test_the_first_admin_is_taken_to_the_setup_and_every_mistake_is_shown_at_once(fresh: Web) -> None:
    b = Browser(fresh, "admin")
    r = b.get("/", follow=False)
    assert r.status_code == 303 and r.headers["location"] == "/setup"
    page = b.get("/setup").text
    assert "首次设置" in page and "本单位" in page
    form = {
        "parent_code": "Weibin District!",
        "parent_name": "渭滨区法治办",
        "unit_code": "",
        "unit_name": "",
        "user0_username": "X",
        "user0_name": "张敏",
        "user0_role": "recorder",
    }
    r = b.post("/setup", form)
    assert r.status_code == 422
    for name in ("parent_code", "unit_code", "unit_name", "user0_username"):
        assert error_beside(r.text, name), name
    assert "共 4 处需要修改" in r.text
    assert 'value="张敏"' in r.text and 'value="渭滨区法治办"' in r.text  # what was typed is kept
    assert fresh.server.ledger.unit("weibin") is None  # nothing written


def test_the_setup_registers_the_parent_the_unit_and_the_first_users(fresh: Web) -> None:
    b = Browser(fresh, "admin")
    form = {
        "parent_code": "weibin",
        "parent_name": "渭滨区法治办",
        "unit_code": "weibin-ur",
        "unit_name": "渭滨区城市更新中心",
        "user0_username": "zhangmin",
        "user0_name": "张敏",
        "user0_role": "recorder",
        "user1_username": "",
    }
    r = b.post("/setup", form)
    assert r.status_code == 201, r.text[:500]
    passwords = re.findall(r'<code class="password">([^<]+)</code>', r.text)
    assert len(passwords) == 1
    ledger = fresh.server.ledger
    assert ledger.unit("weibin-ur").parent == "weibin"  # type: ignore[union-attr]
    assert ledger.user("zhangmin").units == ["weibin-ur"]  # type: ignore[union-attr]
    # The new recorder signs in with the one-time password and reaches the unit's dashboard after changing it.
    staff = Browser(fresh, "zhangmin", passwords[0])
    page = staff.get("/password").text
    assert "管理员发给您的初始密码" in page
    staff.post("/password", {"current": passwords[0], "new": "a secret of her own", "again": "a secret of her own"})
    assert "渭滨区城市更新中心" in staff.get("/").text
    # A second setup is not offered once the ledger has units.
    assert b.get("/setup", follow=False).headers["location"] == "/units"


def test_units_are_created_renamed_and_moved_with_each_change_in_their_history(fresh: Web) -> None:
    b = Browser(fresh, "admin")
    for code, name, parent in (("qu", "区法治办", ""), ("a", "甲中心", "qu"), ("b", "乙中心", "")):
        r = b.post("/units/new", {"code": code, "name": name, "parent": parent})
        assert r.status_code == 303, r.text[:300]
    assert b.post("/units/rename", {"code": "a", "name": "甲城市更新中心"}).status_code == 303
    assert b.post("/units/move", {"code": "b", "parent": "qu"}).status_code == 303
    ledger = fresh.server.ledger
    assert ledger.unit("a").name == "甲城市更新中心" and ledger.unit("a").parent == "qu"  # type: ignore[union-attr]
    assert ledger.unit("b").parent == "qu"  # type: ignore[union-attr]
    # A cycle, a duplicate code and a rename to the same name are refused beside the field, nothing written.
    r = b.post("/units/move", {"code": "qu", "parent": "a"})
    assert r.status_code == 422 and "循环" in text(r.text)
    r = b.post("/units/new", {"code": "a", "name": "又一个"})
    assert r.status_code == 422 and "已登记" in text(r.text)
    r = b.post("/units/rename", {"code": "a", "name": "甲城市更新中心"})
    assert r.status_code == 422 and "没有修改" in text(r.text)
    page = text(b.get("/units?history=a").text)
    assert "登记" in page and "改名" in page and "原为「甲中心」" in page and "admin" in page
    page = text(b.get("/units?history=b").text)
    assert "调整上级" in page
    # The users page now offers the units.
    assert "甲城市更新中心" in b.get("/users").text


def test_units_page_is_for_admins_only(web: Web) -> None:
    assert Browser(web, "rec-north").get("/units").status_code == 403
    assert Browser(web, "rec-north").post("/units/new", {"code": "x", "name": "X"}).status_code == 403


def test_the_console_admin_is_told_the_password_came_from_the_console(tmp_path: Path) -> None:
    server = Server(settings_for(tmp_path / "home", user="setup"), poll=False)
    try:
        password = users_service.ensure_admin(context(server))
        assert password
        b = Browser(Web(server, create_app(server=server)), "admin", password)
        page = b.get("/password").text
        assert "控制台" in page and "管理员发给您" not in page
    finally:
        server.close()


def test_api_documentation_is_served_from_installed_files(fresh: Web) -> None:
    c = TestClient(fresh.app)
    r = c.get("/docs")
    assert r.status_code == 200
    assert "cdn" not in r.text.lower() and "http" not in r.text.replace("http-equiv", "")
    for asset in re.findall(r'(?:src|href)="(/[^"]+)"', r.text):
        assert c.get(asset).status_code == 200, asset
    assert "'unsafe-inline'" not in r.headers["content-security-policy"].split("script-src")[1].split(";")[0]


# ---- the command line ----


def test_units_from_the_command_line(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert taizhang(home, "unit", "add", "qu", "区法治办").returncode == 0
    assert taizhang(home, "unit", "add", "ctr", "更新中心", "--parent", "qu").returncode == 0
    done = taizhang(home, "unit", "add", "ctr", "别的")
    assert done.returncode == 2 and "已登记" in done.stderr
    assert taizhang(home, "unit", "rename", "ctr", "城市更新中心").returncode == 0
    assert taizhang(home, "unit", "move", "ctr", "--top").returncode == 0
    listed = taizhang(home, "unit", "list").stdout
    assert "ctr  城市更新中心" in listed and "qu  区法治办" in listed
    history = taizhang(home, "unit", "history", "ctr").stdout.splitlines()
    assert [line.split()[4].split("：")[0] for line in history] == ["登记", "改名", "调整上级"]
    assert all("cli-tester" in line and re.search(r"\d\d:\d\d:\d\d\+08:00", line) for line in history)
    report = json.loads(taizhang(home, "report", "--unit", "ctr", "--year", "2025").stdout)
    assert report["unit_name"] == "城市更新中心"
