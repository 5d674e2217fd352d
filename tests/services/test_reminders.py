"""Reminders delivered: each user's digest of what is due or overdue, by e-mail to a local SMTP server started
here (aiosmtpd) and by a signed webhook to a local receiver; with the mail server down nothing is lost, and the
queued digest is delivered once it is up again (also across a restart: the queue is files in the home)."""

from __future__ import annotations

import asyncio
import dataclasses
import email
import hashlib
import hmac
import json
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email import policy
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from conftest import petition, services_context, settings_for, unit

from api.infra.outbox import Outbox
from api.services import filing, reminders, users, writes
from api.services.context import Context, Unrestricted

SETUP = Unrestricted("setup")
ADMIN_NAME = "boss"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 — aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"


def ledger_with_users(home: Path, **delivery: Any) -> Context:
    settings = dataclasses.replace(settings_for(home), **delivery)
    ctx = services_context(settings, settings.ledger())
    lines = [unit("town", "华西镇"), petition("XF-1", "2025-01-06", unit="town")]
    asyncio.run(writes.import_lines(ctx, SETUP, list(enumerate(lines, 1))))
    users.create_user(ctx, SETUP, "li", "李明", "recorder", ["town"])
    users.create_user(ctx, SETUP, ADMIN_NAME, "", "admin", [])
    return ctx


@pytest.fixture
def smtp_port() -> int:
    return free_port()


def test_the_digest_lists_whats_overdue_for_the_user(tmp_path: Path) -> None:
    ctx = ledger_with_users(tmp_path)
    d = reminders.digest(ctx, ctx.ledger.user("li"))
    assert [(x.ref, x.status) for x in d.items][:1] == [("XF-1", "overdue")]
    assert "XF-1" in d.text() and "已超期" in d.subject()
    boss = reminders.digest(ctx, ctx.ledger.user(ADMIN_NAME))
    assert boss.items  # admins: every unit
    # Last year's report of 华西镇 (due 1 March, never submitted) is in its admin's digest from 14 days before.
    assert boss.filings == filing.due(ctx, ctx.ledger.user(ADMIN_NAME), today=boss.today)
    if boss.today >= date(boss.today.year, 3, 1) - timedelta(days=14):
        assert any(f.unit == "town" and f.action == "submit" for f in boss.filings)
        assert "报送年度报告" in boss.text() and boss.to_json()["filings"][0]["unit"] == "town"
    ctx.ledger.close()


def test_mail_waits_in_the_queue_while_the_server_is_down_and_goes_when_it_is_up(
    tmp_path: Path, smtp_port: int
) -> None:
    ctx = ledger_with_users(tmp_path, smtp_host="127.0.0.1", smtp_port=smtp_port, mail_domain="huaxi.gov.cn")
    boss = ctx.ledger.user(ADMIN_NAME)
    down = reminders.remind(ctx, boss)
    assert down.delivered == 0 and {m.to for m in down.waiting} == {"li@huaxi.gov.cn", "boss@huaxi.gov.cn"}
    assert all(m.attempts == 1 and m.last_error for m in down.waiting)
    assert reminders.remind(ctx, boss).queued == 0  # the same day's digests are not queued twice
    # A restart: the queue is read again from the data directory.
    assert len(Outbox(tmp_path).pending()) == 2
    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    server.start()
    try:
        later = datetime.now(UTC) + timedelta(hours=7)  # past the retry wait
        up = reminders.deliver(ctx, boss, now=later)
    finally:
        server.stop()
    assert up.delivered == 2 and up.waiting == []
    to_li = next(m for m in inbox.messages if m["To"] == "li@huaxi.gov.cn")
    assert "已超期" in to_li["Subject"] and "town/XF-1" in to_li.get_content()
    assert len(Outbox(tmp_path).sent()) == 2 and Outbox(tmp_path).pending() == []
    ctx.ledger.close()


class Receiver(BaseHTTPRequestHandler):
    got: list[tuple[dict[str, str], bytes]] = []
    fail_first = True

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if Receiver.fail_first:
            Receiver.fail_first = False
            self.send_response(503)
        else:
            Receiver.got.append((dict(self.headers), body))
            self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    Receiver.got, Receiver.fail_first = [], True
    httpd = HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/hook"
    httpd.shutdown()


def test_the_webhook_gets_signed_json_and_is_retried_after_an_error(tmp_path: Path, receiver: str) -> None:
    ctx = ledger_with_users(tmp_path, webhook_url=receiver, webhook_secret="s3cret")
    boss = ctx.ledger.user(ADMIN_NAME)
    first = reminders.remind(ctx, boss)
    assert first.delivered == 1 and len(first.waiting) == 1  # one of the two was answered 503
    again = reminders.deliver(ctx, boss, now=datetime.now(UTC) + timedelta(hours=7))
    assert again.delivered == 1 and again.waiting == []
    bodies = {}
    for headers, body in Receiver.got:
        expected = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
        assert headers["X-Taizhang-Signature"] == expected
        doc = json.loads(body)
        bodies[doc["user"]] = doc
    assert set(bodies) == {"li", ADMIN_NAME}
    assert bodies["li"]["type"] == "taizhang.digest" and bodies["li"]["items"][0]["ref"] == "XF-1"
    ctx.ledger.close()


def test_only_admins_send_reminders(tmp_path: Path) -> None:
    from api.services.refusals import Refused

    ctx = ledger_with_users(tmp_path)
    with pytest.raises(Refused) as e:
        reminders.remind(ctx, ctx.ledger.user("li"))
    assert e.value.kind == "forbidden"
    ctx.ledger.close()
