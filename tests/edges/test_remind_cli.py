"""`taizhang remind` as cron runs it: with the mail server down the digests wait in the outbox (and the command
says so), and the next run after the server is back delivers them."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from cli_kit import taizhang
from click.testing import CliRunner
from conftest import petition, unit

from api.cli import main


def jsonl(*lines: dict) -> str:
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)


class Inbox:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.count += 1
        return "250 OK"


def remind(home: Path, port: int, *args: str) -> Any:
    env = {
        "TAIZHANG_HOME": str(home),
        "TAIZHANG_USER": "boss",
        "TAIZHANG_SMTP_HOST": "127.0.0.1",
        "TAIZHANG_SMTP_PORT": str(port),
        "TAIZHANG_MAIL_DOMAIN": "huaxi.gov.cn",
    }
    return CliRunner().invoke(main, ["remind", *args], env=env)


def test_remind_keeps_the_digest_while_the_mail_server_is_down(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert (
        taizhang(
            tmp_path, "import", "-", stdin=jsonl(unit("town"), petition("XF-1", "2025-01-06", unit="town"))
        ).returncode
        == 0
    )
    assert taizhang(tmp_path, "user", "add", "boss", "--role", "admin", user=None).returncode == 0
    down = remind(tmp_path, port)
    assert down.exit_code == 0, down.output
    assert "waiting 1" in down.stdout and "boss@huaxi.gov.cn" in down.stderr
    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    try:
        pending = next((tmp_path / "outbox" / "pending").glob("*.json"))
        doc = json.loads(pending.read_text(encoding="utf-8"))
        pending.write_text(json.dumps({**doc, "next_at": ""}), encoding="utf-8")  # as if the retry wait had passed
        up = remind(tmp_path, port, "--deliver-only")
    finally:
        server.stop()
    assert up.exit_code == 0 and "delivered 1, waiting 0" in up.stdout
    assert inbox.count == 1
