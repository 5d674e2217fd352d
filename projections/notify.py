"""Waiting for new events: LISTEN/NOTIFY on PostgreSQL, polling elsewhere.

The library's PostgreSQL recorder NOTIFYs a channel named after its table in every transaction that
stores events; `NewEvents` LISTENs on it over a connection of its own, so a waiting process wakes within
milliseconds of a commit in any other process. On SQLite it polls `max_notification_id` (a primary-key
lookup) every `poll` seconds.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

from eventsourcing.persistence import ApplicationRecorder

from . import pgsource


class NewEvents:
    def __init__(self, source: ApplicationRecorder, poll: float = 0.1) -> None:
        self.source = source
        self.poll = poll
        self.how = "poll"
        self._con: Any = None
        # (a recorder that sends no NOTIFY, api/infra/postgres.py QuietRecorder: poll, as on SQLite)
        if pgsource.is_postgres(source) and getattr(source, "sends_notify", True):
            import psycopg
            from psycopg import sql

            self._con = psycopg.connect(pgsource.conninfo(source), autocommit=True)
            self._con.execute(sql.SQL("LISTEN {}").format(sql.Identifier(source.channel_name)))  # type: ignore[attr-defined]
            self.how = "listen"

    def last(self) -> int:
        return self.source.max_notification_id() or 0

    def wait(self, after: int, timeout: float) -> int:
        """Return the last position once it passes `after`, or when `timeout` s have gone by."""
        deadline = time.monotonic() + timeout
        while (last := self.last()) <= after:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            if self._con is not None:
                try:
                    for _ in self._con.notifies(timeout=remaining, stop_after=1):
                        pass
                except Exception:  # noqa: BLE001 — the LISTEN connection is gone (server restart): poll from now on
                    self.close()
                    self._con, self.how = None, "poll"
            else:
                time.sleep(min(self.poll, remaining))
        return last

    def close(self) -> None:
        if self._con is not None:
            with contextlib.suppress(Exception):
                self._con.close()

    def __enter__(self) -> NewEvents:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
