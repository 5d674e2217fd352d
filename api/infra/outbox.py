"""The durable queue of reminders to deliver, in $TAIZHANG_HOME/outbox/: one JSON file per message in
`pending/` until it is delivered (then moved to `sent/`). A file is written whole (a temporary name, then an
atomic rename), so a crash or restart loses nothing, and a message whose channel is down (the mail server, the
webhook's receiver) stays pending and is tried again, later each time (`RETRY_AFTER`), by the next delivery run.
Each message has a stable id (the day, the user, the channel): queueing the same digest twice keeps one."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from .layout import outbox_dir

# Wait before retry n (1-based): 1, 2, 4 … minutes, at most 6 hours. A daily run retries whatever is due.
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)


def retry_after(attempts: int) -> timedelta:
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_RETRY)


@dataclass
class Message:
    id: str
    channel: str  # "mail" or "webhook"
    to: str  # an e-mail address, or the webhook's URL
    subject: str
    body: str  # the mail's text, or the webhook's JSON
    created_at: str
    attempts: int = 0
    next_at: str = ""
    last_error: str = ""
    sent_at: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class Outbox:
    def __init__(self, home: Path) -> None:
        self.dir = outbox_dir(home)
        self.pending_dir = self.dir / "pending"
        self.sent_dir = self.dir / "sent"

    @contextlib.contextmanager
    def delivering(self) -> Iterator[bool]:
        """Hold the outbox for one delivery run: True when this process has it, False when another run (a
        cron job overlapping a manual one) is delivering, so no message is sent twice."""
        self.dir.mkdir(parents=True, exist_ok=True)
        with (self.dir / "deliver.lock").open("a") as f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    def _write(self, folder: Path, m: Message) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{m.id}.tmp"
        with tmp.open("w", encoding="utf-8") as f:
            json.dump(asdict(m), f, ensure_ascii=False)
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(folder / f"{m.id}.json")

    def put(self, m: Message) -> bool:
        """Queue a message; False when one with its id is already pending or sent."""
        if (self.pending_dir / f"{m.id}.json").exists() or (self.sent_dir / f"{m.id}.json").exists():
            return False
        self._write(self.pending_dir, m)
        return True

    def pending(self) -> list[Message]:
        if not self.pending_dir.exists():
            return []
        out = []
        for path in sorted(self.pending_dir.glob("*.json")):
            out.append(Message(**json.loads(path.read_text(encoding="utf-8"))))
        return out

    def sent(self) -> list[Message]:
        if not self.sent_dir.exists():
            return []
        return [Message(**json.loads(p.read_text(encoding="utf-8"))) for p in sorted(self.sent_dir.glob("*.json"))]

    def due(self, now: datetime | None = None) -> list[Message]:
        now = now or datetime.now(UTC)
        out = []
        for m in self.pending():
            if (self.sent_dir / f"{m.id}.json").exists():  # sent already (a pending copy came back with a restore)
                (self.pending_dir / f"{m.id}.json").unlink(missing_ok=True)
            elif not m.next_at or datetime.fromisoformat(m.next_at) <= now:
                out.append(m)
        return out

    def delivered(self, m: Message) -> None:
        m.sent_at = datetime.now(UTC).isoformat()
        m.attempts += 1
        self._write(self.sent_dir, m)
        (self.pending_dir / f"{m.id}.json").unlink(missing_ok=True)

    def failed(self, m: Message, error: str, now: datetime | None = None) -> None:
        m.attempts += 1
        m.last_error = error[:500]
        m.next_at = ((now or datetime.now(UTC)) + retry_after(m.attempts)).isoformat()
        self._write(self.pending_dir, m)
