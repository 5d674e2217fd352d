"""Users from the command line: the first start's admin, `taizhang user add|password|token|list`."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import settings_for, unit
from fastapi.testclient import TestClient
from test_cli import taizhang

from api.serve_cli import ensure_admin
from api.web.app import create_app
from api.web.server import Server


def with_unit(home: Path) -> None:
    assert taizhang(home, "import", "-", stdin=json.dumps(unit("u1", "北区中心")) + "\n").returncode == 0


def sign_in(home: Path, username: str, password: str) -> dict:
    server = Server(settings_for(home), poll=False)
    try:
        with TestClient(create_app(server=server)) as client:
            r = client.post("/api/session", json={"username": username, "password": password})
            return {"status": r.status_code, **(r.json() if r.status_code == 200 else {})}
    finally:
        server.close()


def test_the_first_start_creates_an_admin_with_a_one_time_password_once(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    password = ensure_admin(settings)
    assert password and len(password) >= 12
    assert ensure_admin(settings) is None  # never a second admin, never a new password
    me = sign_in(tmp_path, "admin", password)
    assert me["status"] == 200 and me["role"] == "admin" and me["must_change_password"]


def test_user_add_prints_a_one_time_password_that_signs_in(tmp_path: Path) -> None:
    with_unit(tmp_path)
    out = taizhang(tmp_path, "user", "add", "zhangmin", "--role", "recorder", "--unit", "u1", "--name", "张敏")
    assert out.returncode == 0, out.stderr
    made = json.loads(out.stdout)
    me = sign_in(tmp_path, "zhangmin", made["password"])
    assert me["status"] == 200 and me["units"] == ["u1"] and me["display_name"] == "张敏"
    listed = taizhang(tmp_path, "user", "list").stdout
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
    again = taizhang(tmp_path, "user", "add", "ok-user", "--role", "admin")
    assert again.returncode == 2 and "已被使用" in again.stderr


def test_password_reset_and_token_from_the_command_line(tmp_path: Path) -> None:
    with_unit(tmp_path)
    first = json.loads(taizhang(tmp_path, "user", "add", "zhao", "--role", "auditor", "--unit", "u1").stdout)
    reset = json.loads(taizhang(tmp_path, "user", "password", "zhao").stdout)
    assert reset["password"] != first["password"]
    assert sign_in(tmp_path, "zhao", first["password"])["status"] == 401
    assert sign_in(tmp_path, "zhao", reset["password"])["status"] == 200
    token = taizhang(tmp_path, "user", "token", "zhao", "--label", "月报").stdout.strip()
    server = Server(settings_for(tmp_path), poll=False)
    try:
        with TestClient(create_app(server=server)) as client:
            me = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
            assert me.status_code == 200 and me.json()["username"] == "zhao"
            assert client.get("/api/reports/u1/2025", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    finally:
        server.close()
    assert taizhang(tmp_path, "user", "token", "nobody").returncode == 2
