"""The PostgreSQL event store under test: one database per test session, one schema per ledger home.

TAIZHANG_TEST_STORE=postgres runs the whole suite on PostgreSQL; otherwise only the tests that ask for
the `postgres_url` fixture use it. TAIZHANG_TEST_POSTGRES names the server (a URL of a database to
connect to for creating the session's database; default postgresql://postgres@127.0.0.1:5432/postgres).
Where no server answers those tests skip, saying so, unless TAIZHANG_REQUIRE_POSTGRES=1 (CI): then they fail.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import psycopg
import pytest
from psycopg import sql

from api.infra.settings import HOME_SCHEMA, Settings

STORE = (os.environ.get("TAIZHANG_TEST_STORE") or "sqlite").lower()
ADMIN_URL = os.environ.get("TAIZHANG_TEST_POSTGRES") or "postgresql://postgres@127.0.0.1:5432/postgres"
REQUIRED = os.environ.get("TAIZHANG_REQUIRE_POSTGRES") == "1"

_session: dict[str, str] = {}


def admin_connect() -> psycopg.Connection[Any]:
    return psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)


def session_database() -> str:
    """The URL of a database made for this session (created on first use, dropped at the end)."""
    if "url" not in _session and "error" not in _session:
        name = f"taizhang_test_{os.getpid()}_{secrets.token_hex(3)}"
        try:
            with admin_connect() as con:
                con.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except psycopg.OperationalError as e:
            _session["error"] = f"no PostgreSQL server answers at {ADMIN_URL} ({str(e).strip()[:200]})"
        else:
            _session["name"] = name
            _session["url"] = urlunparse(urlparse(ADMIN_URL)._replace(path="/" + name, query=""))
    if "error" in _session:
        if REQUIRED:
            pytest.fail(_session["error"] + "; TAIZHANG_REQUIRE_POSTGRES=1", pytrace=False)
        pytest.skip(_session["error"])
    return _session["url"]


def drop_session_database() -> None:
    if "name" in _session:
        with admin_connect() as con:
            con.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(_session["name"])))
        _session.clear()


def use_for_every_ledger() -> None:
    """The PostgreSQL run: every ledger home, in this process and in the commands it starts, on PostgreSQL."""
    try:
        url = session_database() + "?schema=" + HOME_SCHEMA
    except (pytest.skip.Exception, pytest.fail.Exception) as e:
        pytest.exit(f"TAIZHANG_TEST_STORE=postgres: {e}", returncode=3)
    os.environ["TAIZHANG_DATABASE_URL"] = url
    plain = Settings.__init__

    def on_postgres(self: Settings, home: Path, database_url: str | None = None, *args: Any, **kw: Any) -> None:
        plain(self, home, database_url or url, *args, **kw)  # Settings(home, None, …) in a test: the store under test

    Settings.__init__ = on_postgres  # type: ignore[method-assign]


# Tests that exercise the SQLite file itself. tests/e2e/test_postgres_audit.py covers the same ground on PostgreSQL.
SQLITE_FILE_TESTS = {
    "test_a_store_written_before_section_7_reports_and_verifies_as_it_did": "the old ledger is a SQLite file "
    "(tests/data/legacy-2025/events.db) written by the version before DOMAIN.md §7",
    "test_a_read_in_a_folder_without_a_ledger_creates_nothing_and_names_the_folder": "the folder holds the "
    "embedded store's events.db; a PostgreSQL store is not in the folder (tests/e2e/test_postgres_reads.py reads "
    "a PostgreSQL schema, table and database that hold no ledger)",
    "test_a_report_of_a_caught_up_read_model_imports_neither_pyarrow_nor_psycopg": "a PostgreSQL store is read "
    "with psycopg",
    "test_a_backup_carries_the_access_log_and_a_restore_never_rolls_it_back": "taizhang backup copies the embedded "
    "store (a PostgreSQL store is backed up with pg_dump, as the command says)",
    # Tampering below the recorder, which can only append: the test edits and deletes stored events with sqlite3
    # (the same checks on PostgreSQL: tests/e2e/test_postgres_audit.py). Tests that only read events use
    # `stored_events` and run on both stores.
    "test_removing_the_suite_event_or_relabelling_a_seal_is_caught": "edits and deletes stored events in events.db "
    "with sqlite3 (the recorder can only append)",
}


def stored_events(ledger: Any) -> list[tuple[str, bytes]]:
    """(topic, state) of every event in a ledger's log, in order, read through its recorder: the same on the
    embedded store and on PostgreSQL (what a test would otherwise read from events.db with sqlite3)."""
    found: list[tuple[str, bytes]] = []
    after = 0
    while notes := ledger.recorder.select_notifications(after, 1000, inclusive_of_start=False):
        found += [(n.topic, bytes(n.state)) for n in notes]
        after = notes[-1].id
    return found


def sqlite_only(item: pytest.Item) -> str | None:
    name = getattr(item, "originalname", item.name)
    if name in SQLITE_FILE_TESTS:
        return SQLITE_FILE_TESTS[name]
    if item.path.name in ("test_audit.py", "test_audit_unseen.py") and "home" in getattr(item, "fixturenames", ()):
        return (
            "copies a sealed data directory as files and edits its events.db with sqlite3; a PostgreSQL store is not"
            " in the directory (tests/e2e/test_postgres_audit.py checks verify, proof and seals on PostgreSQL)"
        )
    return None
