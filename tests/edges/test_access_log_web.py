"""The access log and sign-in policy on the web (r15): the address recorded honours the trusted proxies, the
audit administrator's page and downloads, a second factor through /api/session and /login, and sessions
ended by idleness."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from typing import Any

import httpx
import pytest
import uvicorn
from conftest import PASSWORD_COST
from fastapi.testclient import TestClient
from webkit import PASSWORD, Web

from api.cli.serve import uvicorn_options
from api.infra import totp
from api.infra.passwords import hash_password
from api.services import access_log, sign_in
from api.services.context import Unrestricted


def _served(web: Web, **settings: Any) -> Any:
    options = uvicorn_options(dataclasses.replace(web.server.settings, **settings))
    config = uvicorn.Config(web.app, **options)
    config.load()
    return config.loaded_app


async def _sign_in(app: Any, forwarded: str) -> int:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        body = {"username": "rec-north", "password": PASSWORD}
        r = await client.post("/api/session", json=body, headers={"X-Forwarded-For": forwarded})
        return r.status_code


def _entries(web: Web) -> list[access_log.Entry]:
    from api.web.context import context

    return access_log.search(context(web.server), Unrestricted("t"), access_log.Query())


@pytest.mark.parametrize("trusted, recorded", [((), "127.0.0.1"), (("127.0.0.1",), "10.9.8.7")])
def test_the_address_recorded_is_the_forwarded_one_only_behind_a_trusted_proxy(
    web: Web, trusted: tuple[str, ...], recorded: str
) -> None:
    assert asyncio.run(_sign_in(_served(web, trusted_proxies=trusted), "10.9.8.7")) == 200
    assert [(e.action, e.actor, e.client) for e in _entries(web)] == [("sign_in", "rec-north", recorded)]


def test_signing_out_is_recorded(web: Web) -> None:
    browser = web.browser("rec-north")
    assert browser.delete("/api/session").status_code in (200, 204)
    assert [(e.action, e.actor) for e in _entries(web)] == [("sign_in", "rec-north"), ("sign_out", "rec-north")]


def test_the_audit_administrator_searches_and_downloads_the_log_and_no_one_else(web: Web) -> None:
    stored = hash_password(PASSWORD, cost=PASSWORD_COST)
    web.server.ledger.register_user("aa", "审计管理员", "auditadmin", [], stored, "setup")
    web.server.ledger.set_password("aa", hash_password(PASSWORD, cost=PASSWORD_COST), False, "setup")
    web.server.forget()
    TestClient(web.app).post("/api/session", json={"username": "rec-north", "password": "wrong"})
    for name in ("rec-north", "aud-city"):
        assert web.client(name).get("/access-log").status_code == 403
        assert web.client(name).get("/access-log/export?format=csv").status_code == 403
    page = web.client("aa").get("/access-log?action=sign_in_failed")
    assert page.status_code == 200 and "登录失败" in page.text and "rec-north" in page.text and "链完整" in page.text
    csv = web.client("aa").get("/access-log/export?format=csv")
    assert csv.status_code == 200 and "rec-north" in csv.content.decode("utf-8-sig")
    xlsx = web.client("aa").get("/access-log/export?format=xlsx")
    assert xlsx.content[:2] == b"PK"


def test_a_second_factor_is_asked_for_and_checked_on_sign_in(web: Web) -> None:
    from api.web.context import context

    got = sign_in.enroll(context(web.server), Unrestricted("admin"), "rec-north")
    web.server.forget()
    client = TestClient(web.app, base_url="https://testserver")
    r = client.post("/api/session", json={"username": "rec-north", "password": PASSWORD})
    assert r.status_code == 401 and "两步验证码" in r.json()["detail"]
    r = client.post("/api/session", json={"username": "rec-north", "password": PASSWORD, "code": "123456"})
    assert r.status_code == 401 and "不正确" in r.json()["detail"]
    code = totp.code_at(got.secret, time.time())
    r = client.post("/api/session", json={"username": "rec-north", "password": PASSWORD, "code": code})
    assert r.status_code == 200
    page = TestClient(web.app).post("/login", data={"username": "rec-north", "password": PASSWORD})
    assert 'name="code"' in page.text  # the form asks for the code
    page = TestClient(web.app).post(
        "/login", data={"username": "rec-north", "password": PASSWORD, "code": got.recovery_codes[0]},
        follow_redirects=False,
    )  # fmt: skip
    assert page.status_code == 303


def test_a_session_unused_for_the_idle_period_ends_and_one_in_use_goes_on(
    web: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    idle = web.server.settings.idle_minutes * 60
    browser = web.browser("rec-north")
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + idle * 2 / 3)
    r = browser.get("/api/me")
    assert r.status_code == 200 and "taizhang_session" in r.headers.get("set-cookie", "")  # renewed
    monkeypatch.setattr(time, "time", lambda: real() + idle * 4 / 3)  # idle/3... after the last use
    assert browser.get("/api/me").status_code == 200
    monkeypatch.setattr(time, "time", lambda: real() + idle * 3)  # unused for longer than the idle period
    assert browser.get("/api/me").status_code == 401


def test_each_administrator_lands_on_their_own_work_and_sees_only_its_links(web: Web) -> None:
    for name, role in (("sa", "sysadmin"), ("se", "secadmin"), ("aa", "auditadmin")):
        web.server.ledger.register_user(name, name, role, [], hash_password(PASSWORD, cost=PASSWORD_COST), "setup")
        web.server.ledger.set_password(name, hash_password(PASSWORD, cost=PASSWORD_COST), False, "setup")
    web.server.forget()
    seen = {}
    for name in ("sa", "se", "aa"):
        client = TestClient(web.app)
        r = client.post("/login", data={"username": name, "password": PASSWORD})
        links = {label for label in ("单位</a>", "用户</a>", "访问日志</a>") if label in r.text}
        seen[name] = (r.status_code, r.url.path, links, client.get("/ledger").status_code)
    assert seen == {
        "sa": (200, "/users", {"单位</a>", "用户</a>"}, 403),
        "se": (200, "/users", {"用户</a>"}, 403),
        "aa": (200, "/access-log", {"访问日志</a>"}, 403),
    }


def test_a_user_sets_up_their_own_second_factor_and_then_needs_it(web: Web) -> None:
    import re

    client = TestClient(web.app)
    page = client.post("/login", data={"username": "rec-north", "password": PASSWORD})
    assert "两步验证" in page.text
    form = client.get("/two-factor")
    assert "尚未开通" in form.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    shown = client.post("/two-factor", data={"csrf_token": csrf})
    assert shown.status_code == 200 and "otpauth://totp/" in shown.text
    secret = re.search(r"密钥：<code>([A-Z2-7]+)</code>", shown.text).group(1)
    web.server.forget()
    asked = TestClient(web.app).post("/login", data={"username": "rec-north", "password": PASSWORD})
    assert 'name="code"' in asked.text
    code = totp.code_at(secret, time.time())
    done = TestClient(web.app).post(
        "/login", data={"username": "rec-north", "password": PASSWORD, "code": code}, follow_redirects=False
    )
    assert done.status_code == 303
