"""The PostgreSQL store with the settings KingbaseES and openGauss need (README "Domestic databases"), on the
PostgreSQL server the tests have: ?notify=0 sends no NOTIFY (openGauss has no LISTEN/NOTIFY) and the projection
worker's waiting polls. (Password authentication is not tested: the test server trusts local connections.)"""

from __future__ import annotations

import time
from pathlib import Path

import psycopg
from conftest import unit
from psycopg import sql

from api.infra import postgres
from api.infra.settings import HOME_SCHEMA, Settings
from projections.notify import NewEvents


def test_notify_0_stores_events_without_notifying_and_waiting_polls(postgres_url: str, tmp_path: Path) -> None:
    ledger = Settings(tmp_path, f"{postgres_url}?schema={HOME_SCHEMA}&notify=0", "Asia/Shanghai", "t").ledger()
    try:
        recorder = ledger.recorder
        assert isinstance(recorder, postgres.QuietRecorder)
        listener = psycopg.connect(postgres_url, autocommit=True)
        listener.execute(sql.SQL("LISTEN {}").format(sql.Identifier(recorder.channel_name)))
        assert ledger.apply([(1, unit("u1", "甲"))], "t").errors == []
        assert list(listener.notifies(timeout=0.5, stop_after=1)) == []  # nothing was sent
        listener.close()
        with psycopg.connect(postgres_url) as con:  # no PL/pgSQL function (its body would NOTIFY)
            functions = con.execute(
                "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = %s",
                [recorder.datastore.schema],
            ).fetchone()
        assert functions == (0,)
        with NewEvents(recorder, poll=0.05) as waiting:
            assert waiting.how == "poll"
            before = waiting.last()
            started = time.monotonic()
            assert ledger.apply([(1, unit("u2", "乙"))], "t").errors == []
            assert waiting.wait(before, 2.0) > before and time.monotonic() - started < 2.0
    finally:
        ledger.close()

