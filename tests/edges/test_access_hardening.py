"""Access (issue 13, item 9): sign-out ends the session, a one-time password only lets you change it, line
ids of the form `user:key` belong to that user, forwarded headers are not trusted unless configured, bearer
tokens expire, and the last active admin stays."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from click.testing import CliRunner
from conftest import PASSWORD_COST
from fastapi.testclient import TestClient
from webkit import PASSWORD, Web

from api.cli import main as cli
from api.cli.serve import uvicorn_options
from api.infra.passwords import hash_password
from api.infra.settings import Settings

SESSION = {"form": "central_group", "topic": "学习宪法", "attendees": 12}


def record(ref: str, unit: str = "north", **extra: Any) -> dict[str, Any]:
    return {"unit": unit, "kind": "study_session", "ref": ref, "date": "2025-03-01", "data": dict(SESSION), **extra}


# ---- signing out ----


def test_signing_out_ends_the_session_on_the_server(web: Web) -> None:
    b = web.browser("rec-north")
    cookie = b.cookies.get("taizhang_session")
    assert b.get("/api/me").status_code == 200
    assert b.delete("/api/session").status_code == 204
    stolen = TestClient(web.app, base_url="https://testserver")
    stolen.cookies.set("taizhang_session", cookie)
    assert stolen.get("/api/me").status_code == 401
    assert stolen.get("/", follow_redirects=False).status_code in (302, 303, 307)
    other = web.browser("rec-north")  # another session of the same user is not affected
    assert other.get("/api/me").status_code == 200


def test_signing_out_from_the_page_ends_the_session_too(web: Web) -> None:
    b = web.browser("rec-north")
    cookie = b.cookies.get("taizhang_session")
    csrf = b.headers["X-CSRF-Token"]
    assert b.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    stolen = TestClient(web.app, base_url="https://testserver")
    stolen.cookies.set("taizhang_session", cookie)
    assert stolen.get("/api/me").status_code == 401


def test_a_signed_cookie_without_a_session_id_is_not_taken(web: Web) -> None:
    # Cookies from before sessions had ids could not be ended by signing out; they are refused outright.
    from api.web.auth import _serializer

    user = web.server.user("rec-north")
    old = _serializer(web.server).dumps({"u": "rec-north", "v": user.password_version, "c": "x"})
    b = TestClient(web.app, base_url="https://testserver")
    b.cookies.set("taizhang_session", old)
    assert b.get("/api/me").status_code == 401
    assert web.browser("rec-north").get("/api/me").status_code == 200  # a cookie of today's form still works


# ---- one-time passwords ----


def test_a_one_time_password_allows_only_changing_it_on_the_api(web: Web) -> None:
    admin = web.client("admin")
    r = admin.post("/api/users/rec-north/password")
    assert r.status_code == 201
    once = r.json()["password"]
    b = TestClient(web.app, base_url="https://testserver")
    r = b.post("/api/session", json={"username": "rec-north", "password": once})
    assert r.status_code == 200 and r.json()["must_change_password"] is True
    b.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    assert b.get("/api/me").status_code == 200
    for method, path, body in (
        ("GET", "/api/units", None),
        ("GET", "/api/reports/north/2025", None),
        ("POST", "/api/records", record("S-1")),
        ("POST", "/api/me/tokens", {"label": "x"}),
    ):
        r = b.request(method, path, json=body)
        assert r.status_code == 403, (path, r.status_code)
        assert "一次性密码" in r.json()["detail"]
    new = "a new password 2025"
    assert b.post("/api/me/password", json={"current": once, "new": new}).status_code == 204
    b2 = TestClient(web.app, base_url="https://testserver")
    r = b2.post("/api/session", json={"username": "rec-north", "password": new})
    b2.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    assert b2.get("/api/units").status_code == 200


# ---- line ids ----


def test_a_line_id_of_another_users_idempotency_key_is_refused(web: Web) -> None:
    mallory, victim = web.client("rec-south"), web.client("rec-north")
    r = mallory.post("/api/records", json=record("S-9", unit="south", id="rec-north:form-1"))
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == ["id"]
    line = {"op": "record", **record("S-8", unit="south", id="rec-north:form-2")}
    r = mallory.post("/api/import", content=json.dumps(line))
    assert r.status_code == 422 and [(e["line"], e["field"]) for e in r.json()["errors"]] == [(1, "id")]
    # the victim's own retried write still works, twice
    for _ in range(2):
        r = victim.post("/api/records", json=record("S-1"), headers={"Idempotency-Key": "form-1"})
        assert r.status_code == 201, r.text
    # and one's own prefix is one's own
    assert victim.post("/api/records", json=record("S-2", id="rec-north:mine")).status_code == 201


def test_a_clash_with_a_line_in_a_unit_one_cannot_read_does_not_say_where(web: Web) -> None:
    north, south = web.client("rec-north"), web.client("rec-south")
    assert north.post("/api/records", json=record("S-1", id="shared-id")).status_code == 201
    r = south.post("/api/records", json=record("S-2", unit="south", id="shared-id"))
    assert r.status_code == 422
    message = r.json()["detail"]
    assert "north" not in message and "S-1" not in message and "北区" not in message


# ---- forwarded headers ----


async def _sign_in_from(app: Any, forwarded: str, n: int) -> int:
    """A failed sign-in from 127.0.0.1 claiming to forward for another client (a new name each time, so only
    the per-address throttle can stop it)."""
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        body = {"username": f"nobody-{n}", "password": "wrong"}
        r = await client.post("/api/session", json=body, headers={"X-Forwarded-For": forwarded})
        return r.status_code


def _served(web: Web, **settings: Any) -> Any:
    """The application as `taizhang serve` runs it: through uvicorn's configuration and its middleware."""
    options = uvicorn_options(dataclasses.replace(web.server.settings, **settings))
    config = uvicorn.Config(web.app, **options)
    config.load()
    return config.loaded_app


def test_forwarded_for_from_localhost_does_not_bypass_the_sign_in_throttle(web: Web) -> None:
    app = _served(web)
    codes = [asyncio.run(_sign_in_from(app, f"10.0.0.{n}", n)) for n in range(8)]
    assert 429 in codes, codes


def test_forwarded_for_is_trusted_from_a_configured_proxy(web: Web) -> None:
    app = _served(web, trusted_proxies=("127.0.0.1",))
    codes = [asyncio.run(_sign_in_from(app, f"10.0.0.{n}", n)) for n in range(8)]
    assert codes == [401] * 8  # each a different client behind the proxy: each its own throttle


# ---- token expiry ----


def test_a_token_shows_its_expiry_and_stops_working_after_it(web: Web) -> None:
    b = web.browser("rec-north")
    r = b.post("/api/me/tokens", json={"label": "weekly import"})
    assert r.status_code == 201
    expires = datetime.fromisoformat(r.json()["expires_at"])
    days = web.server.settings.token_days
    assert days == 90
    assert abs(expires - (datetime.now(UTC) + timedelta(days=days))) < timedelta(minutes=1)
    token = r.json()["token"]
    c = TestClient(web.app)
    c.headers["Authorization"] = f"Bearer {token}"
    assert c.get("/api/me").status_code == 200
    page = b.get("/tokens").text
    assert expires.astimezone(web.server.ledger.tz).strftime("%Y-%m-%d") in page
    # the same token once its expiry has passed (a server whose clock is past it)
    user = web.server.ledger.user("rec-north")
    digest = next(d for d, label in user.tokens.items() if label == "weekly import")
    web.server.ledger.revoke_token("rec-north", digest, "setup")
    past = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    web.server.ledger.issue_token("rec-north", digest, "weekly import", "setup", past)
    web.server.forget()
    assert c.get("/api/me").status_code == 401


def test_the_command_line_token_has_the_expiry_too(tmp_path: Path) -> None:
    # As a ledger user: once a ledger has users, the command line acts as one (README, "Who the command line acts as").
    env = {"TAIZHANG_HOME": str(tmp_path), "TAIZHANG_TOKEN_DAYS": "7", "TAIZHANG_USER": "ops"}
    ledger = Settings(tmp_path, None, "Asia/Shanghai", "setup").ledger()
    ledger.register_user("ops", "ops", "admin", [], hash_password(PASSWORD, cost=PASSWORD_COST), "setup")
    result = CliRunner().invoke(cli, ["user", "token", "ops"], env=env)
    assert result.exit_code == 0, result.output
    expiry = datetime.fromisoformat(next(iter(ledger.user("ops").token_expiry.values())))
    assert timedelta(days=6, hours=23) < expiry - datetime.now(UTC) <= timedelta(days=7)
    assert expiry.strftime("%Y-%m-%d") in result.output


# ---- the last admin ----


@pytest.mark.parametrize("change", [{"disabled": True}, {"role": "recorder", "units": ["north"]}])
def test_the_last_active_admin_cannot_be_disabled_or_demoted(web: Web, change: dict[str, Any]) -> None:
    admin = web.client("admin")
    r = admin.patch("/api/users/admin", json=change)
    assert r.status_code == 422, r.text
    assert web.server.ledger.user("admin").role == "admin" and not web.server.ledger.user("admin").disabled
    assert admin.post("/api/users", json={"username": "admin2", "role": "admin"}).status_code == 201
    assert admin.patch("/api/users/admin", json=change).status_code == 200  # another admin is left
    r = web.client("admin2").patch("/api/users/admin2", json=change)
    assert r.status_code == 422
