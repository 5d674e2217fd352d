"""Users from the command line: the first start's admin, `taizhang user add|password|token|list`."""

from __future__ import annotations

import json
from pathlib import Path

from cli_kit import taizhang
from conftest import settings_for, unit
from fastapi.testclient import TestClient

from api.cli.context import Command
from api.services import users
from api.web.app import create_app
from api.web.server import Server


def with_unit(home: Path) -> None:
    assert taizhang(home, "import", "-", stdin=json.dumps(unit("u1", "北区中心")) + "\n").returncode == 0


def with_admin(home: Path, name: str = "boss") -> str:
    """The first user, added while the ledger has none (so by anyone); later commands must name a user."""
    assert taizhang(home, "user", "add", name, "--role", "admin").returncode == 0
    return name


def sign_in(home: Path, username: str, password: str) -> dict:
    server = Server(settings_for(home), poll=False)
    try:
        with TestClient(create_app(server=server)) as client:
            r = client.post("/api/session", json={"username": username, "password": password})
            return {"status": r.status_code, **(r.json() if r.status_code == 200 else {})}
    finally:
        server.close()


def ensure_admin(home: Path) -> str | None:
    return users.ensure_admin(Command(settings_for(home)).context)


def test_the_first_start_creates_an_admin_with_a_one_time_password_once(tmp_path: Path) -> None:
    password = ensure_admin(tmp_path)
    assert password and len(password) >= 12
    assert ensure_admin(tmp_path) is None  # never a second admin, never a new password
    me = sign_in(tmp_path, "admin", password)
    assert me["status"] == 200 and me["role"] == "admin" and me["must_change_password"]


def test_user_add_prints_a_one_time_password_that_signs_in(tmp_path: Path) -> None:
    with_unit(tmp_path)
    boss = with_admin(tmp_path)
    out = taizhang(
        tmp_path, "user", "add", "zhangmin", "--role", "recorder", "--unit", "u1", "--name", "张敏", user=boss
    )
    assert out.returncode == 0, out.stderr
    made = json.loads(out.stdout)
    me = sign_in(tmp_path, "zhangmin", made["password"])
    assert me["status"] == 200 and me["units"] == ["u1"] and me["display_name"] == "张敏"
    listed = taizhang(tmp_path, "user", "list", user=boss).stdout
    assert "zhangmin\trecorder\tu1\t张敏" in listed


def test_user_add_refuses_bad_input_naming_the_field(tmp_path: Path) -> None:
    with_unit(tmp_path)
    nowhere = taizhang(tmp_path, "user", "add", "li", "--role", "recorder", "--unit", "mars")
    assert nowhere.returncode == 2 and "负责单位" in nowhere.stderr and "mars" in nowhere.stderr
    no_unit = taizhang(tmp_path, "user", "add", "wang", "--role", "auditor")
    assert no_unit.returncode == 2 and "负责单位" in no_unit.stderr
    bad_name = taizhang(tmp_path, "user", "add", "Wang Wu", "--role", "admin")
    assert bad_name.returncode == 2 and "用户名" in bad_name.stderr
    assert taizhang(tmp_path, "user", "add", "ok-user", "--role", "admin").returncode == 0
    again = taizhang(tmp_path, "user", "add", "ok-user", "--role", "admin", user="ok-user")
    assert again.returncode == 2 and "已被使用" in again.stderr


def test_password_reset_and_token_from_the_command_line(tmp_path: Path) -> None:
    with_unit(tmp_path)
    boss = with_admin(tmp_path)
    first = json.loads(taizhang(tmp_path, "user", "add", "zhao", "--role", "auditor", "--unit", "u1", user=boss).stdout)
    reset = json.loads(taizhang(tmp_path, "user", "password", "zhao", user=boss).stdout)
    assert reset["password"] != first["password"]
    assert sign_in(tmp_path, "zhao", first["password"])["status"] == 401
    assert sign_in(tmp_path, "zhao", reset["password"])["status"] == 200
    token = taizhang(tmp_path, "user", "token", "zhao", "--label", "月报", user=boss).stdout.strip()
    server = Server(settings_for(tmp_path), poll=False)
    try:
        with TestClient(create_app(server=server)) as client:
            me = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
            assert me.status_code == 200 and me.json()["username"] == "zhao"
            assert client.get("/api/reports/u1/2025", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    finally:
        server.close()
    assert taizhang(tmp_path, "user", "token", "nobody", user=boss).returncode == 2


def test_once_there_are_users_the_command_line_acts_as_one_of_them(tmp_path: Path) -> None:
    """The same checks and attribution as the web: a ledger user, their units, `by` only themselves."""
    with_unit(tmp_path)
    boss = with_admin(tmp_path)
    assert taizhang(tmp_path, "user", "add", "li", "--role", "recorder", "--unit", "u1", user=boss).returncode == 0
    stranger = taizhang(tmp_path, "report", "--unit", "u1", "--year", "2025", user="someone-else")
    assert stranger.returncode == 4 and "someone-else" in stranger.stderr
    assert taizhang(tmp_path, "user", "add", "wu", "--role", "admin", user="li").returncode == 4  # not an admin
    line = {
        "id": "L-by",
        "op": "record",
        "unit": "u1",
        "kind": "meeting",
        "ref": "HY-1",
        "date": "2025-01-05",
        "data": {"form": "party_group", "topic": "法治", "rule_of_law_agenda": True},
        "by": "boss",
    }
    other = taizhang(tmp_path, "import", "-", stdin=json.dumps(line, ensure_ascii=False) + "\n", user="li")
    assert other.returncode == 2 and "line 1: by:" in other.stderr and "nothing applied" in other.stderr
    del line["by"]
    mine = taizhang(tmp_path, "import", "-", stdin=json.dumps(line, ensure_ascii=False) + "\n", user="li")
    assert mine.returncode == 0, mine.stderr
    history = json.loads(taizhang(tmp_path, "history", "--unit", "u1", "HY-1", "--format", "json", user="li").stdout)
    assert [row["recorded_by"] for row in history] == ["li"]
