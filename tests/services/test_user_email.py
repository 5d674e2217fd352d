"""A user's e-mail address: set from the command line, the users page and the API (checked, an event naming who
set it), used by the reminders digest; <username>@TAIZHANG_MAIL_DOMAIN only for users without one."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from cli_kit import taizhang
from conftest import petition, services_context, settings_for, unit
from test_reminders import Inbox, free_port

from api.services import reminders, users, writes
from api.services.context import Context, Unrestricted
from api.services.refusals import Refused
from domain.user import user_id

SETUP = Unrestricted("setup")


def make(home: Path, **delivery: object) -> Context:
    settings = dataclasses.replace(settings_for(home), **delivery)
    ctx = services_context(settings, settings.ledger())
    lines = [unit("town", "华西镇"), petition("XF-1", "2025-01-06", unit="town")]
    asyncio.run(writes.import_lines(ctx, SETUP, list(enumerate(lines, 1))))
    users.create_user(ctx, SETUP, "boss", "", "admin", [])
    return ctx


def test_an_address_is_checked_recorded_with_its_author_and_cleared(tmp_path: Path) -> None:
    ctx = make(tmp_path)
    boss = ctx.ledger.user("boss")
    with pytest.raises(Refused) as bad:
        users.create_user(ctx, boss, "li", "李明", "recorder", [], "li at huaxi")
    fields = {e["field"] for e in bad.value.errors}
    assert fields == {"units", "email"}  # every problem at once
    assert ctx.ledger.user("li") is None
    users.create_user(ctx, boss, "li", "李明", "recorder", ["town"], " Li.Ming@HuaXi.gov.cn ")
    assert ctx.ledger.user("li").email == "Li.Ming@huaxi.gov.cn"
    for wrong in ("li@", "@huaxi.gov.cn", "li@huaxi", "li ming@huaxi.gov.cn", "a" * 65 + "@huaxi.gov.cn"):
        with pytest.raises(Refused) as e:
            users.change_user(ctx, boss, "li", {"email": wrong})
        assert e.value.errors[0]["field"] == "email" and "电子邮箱" in e.value.errors[0]["message"], wrong
    assert ctx.ledger.user("li").email == "Li.Ming@huaxi.gov.cn"
    users.change_user(ctx, boss, "li", {"email": "lm@huaxi.gov.cn"})
    users.change_user(ctx, boss, "li", {"email": "lm@huaxi.gov.cn"})  # unchanged: nothing written
    users.change_user(ctx, boss, "li", {"email": ""})
    assert ctx.ledger.user("li").email is None
    events = [e for e in ctx.ledger.events.get(user_id("li")) if type(e).__name__ == "EmailSet"]
    assert [(e.email, e.recorded_by) for e in events] == [
        ("Li.Ming@huaxi.gov.cn", "boss"),
        ("lm@huaxi.gov.cn", "boss"),
        (None, "boss"),
    ]
    # A recorder manages nobody's address.
    users.create_user(ctx, boss, "wang", "", "recorder", ["town"])
    with pytest.raises(Refused) as e:
        users.change_user(ctx, ctx.ledger.user("wang"), "li", {"email": "x@huaxi.gov.cn"})
    assert e.value.kind == "forbidden"
    ctx.ledger.close()


def test_the_digest_goes_to_the_users_own_address_and_the_domain_rule_only_without_one(tmp_path: Path) -> None:
    port = free_port()
    ctx = make(tmp_path, smtp_host="127.0.0.1", smtp_port=port, mail_domain="huaxi.gov.cn")
    boss = ctx.ledger.user("boss")
    users.create_user(ctx, boss, "li", "李明", "recorder", ["town"], "liming@mail.huaxi.gov.cn")
    users.create_user(ctx, boss, "zhao", "", "recorder", ["town"])
    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    try:
        run = reminders.remind(ctx, boss)
    finally:
        server.stop()
    assert run.delivered == 3
    assert sorted(m["To"] for m in inbox.messages) == [
        "boss@huaxi.gov.cn",
        "liming@mail.huaxi.gov.cn",
        "zhao@huaxi.gov.cn",
    ]
    ctx.ledger.close()


def test_the_command_line_sets_and_clears_the_address(tmp_path: Path) -> None:
    assert taizhang(tmp_path, "import", "-", stdin=json.dumps(unit("u1", "北区")) + "\n").returncode == 0
    assert taizhang(tmp_path, "user", "add", "boss", "--role", "admin").returncode == 0
    out = taizhang(tmp_path, "user", "add", "li", "--role", "recorder", "--unit", "u1", "--email", "li@x.gov.cn",
                   user="boss")  # fmt: skip
    assert out.returncode == 0, out.stderr
    bad = taizhang(tmp_path, "user", "email", "li", "li@@x", user="boss")
    assert bad.returncode != 0 and "电子邮箱" in bad.stderr + bad.stdout
    out = taizhang(tmp_path, "user", "email", "li", "li.ming@x.gov.cn", user="boss")
    assert out.returncode == 0 and json.loads(out.stdout)["email"] == "li.ming@x.gov.cn"
    assert "li.ming@x.gov.cn" in taizhang(tmp_path, "user", "list", user="boss").stdout
    out = taizhang(tmp_path, "user", "email", "li", user="boss")
    assert out.returncode == 0 and json.loads(out.stdout)["email"] is None


def test_the_api_and_the_users_page_set_the_address(web: Any) -> None:
    from webpages_kit import Browser, errors

    api = web.client("admin")
    r = api.patch("/api/users/rec-north", json={"email": "not-an-address"})
    assert r.status_code == 422 and "email" in r.text
    r = api.patch("/api/users/rec-north", json={"email": "north@api.gov.cn"})
    assert r.status_code == 200 and r.json()["email"] == "north@api.gov.cn", r.text
    r = api.post("/api/users", json={"username": "qian", "role": "recorder", "units": ["north"], "email": "q@a.gov.cn"})
    assert r.status_code == 201, r.text
    listed = {u["username"]: u["email"] for u in api.get("/api/users").json()}
    assert listed["qian"] == "q@a.gov.cn" and listed["rec-north"] == "north@api.gov.cn"
    assert listed["admin"] is None

    b = Browser(web, "admin")
    r = b.post("/users/new", {"username": "zhang", "role": "recorder", "units": "north", "email": "zhang@"})
    assert r.status_code == 422 and any("电子邮箱" in m for m in errors(r.text))
    assert web.server.ledger.user("zhang") is None
    r = b.post("/users/new", {"username": "zhang", "role": "recorder", "units": "north", "email": "zhang@p.gov.cn"})
    assert r.status_code == 201
    assert web.server.ledger.user("zhang").email == "zhang@p.gov.cn"
    change = {"username": "zhang", "role": "recorder", "units": "north"}
    b.follow(b.post("/users/change", {**change, "email": "z@p.gov.cn"}))
    assert web.server.ledger.user("zhang").email == "z@p.gov.cn"
    assert 'value="z@p.gov.cn"' in b.get("/users").text
    bad = b.post("/users/change", {"username": "zhang", "role": "recorder", "units": "north", "email": "z p"})
    assert bad.status_code == 422 and "电子邮箱" in bad.text
    assert web.server.ledger.user("zhang").email == "z@p.gov.cn"
