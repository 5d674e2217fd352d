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


# Tests that exercise the SQLite file itself. tests/test_postgres_audit.py covers the same ground on PostgreSQL.
SQLITE_FILE_TESTS = {
    "test_a_store_written_before_section_7_reports_and_verifies_as_it_did": "the old ledger is a SQLite file "
    "(tests/data/legacy-2025/events.db) written by the version before DOMAIN.md §7",
    "test_rebuild_killed_with_sigkill_resumes_to_identical_report": "its child process opens Settings(database_url="
    "None) by itself (tests/test_postgres_project.py kills a catch-up on PostgreSQL)",
    "test_a_read_in_a_folder_without_a_ledger_creates_nothing_and_names_the_folder": "the folder holds the "
    "embedded store's events.db; a PostgreSQL store is not in the folder (tests/e2e/test_postgres_reads.py reads "
    "a PostgreSQL schema, table and database that hold no ledger)",
    "test_a_report_of_a_caught_up_read_model_imports_neither_pyarrow_nor_psycopg": "a PostgreSQL store is read "
    "with psycopg",
    "test_a_backup_carries_the_access_log_and_a_restore_never_rolls_it_back": "taizhang backup copies the embedded "
    "store (a PostgreSQL store is backed up with pg_dump, as the command says)",
    # These read the store's file with sqlite3, or run `taizhang` in a child process that opens the embedded store
    # by itself (the PostgreSQL run patches Settings in this process only). The same behaviour on PostgreSQL: the
    # suite and seals in tests/e2e/test_postgres_audit.py; personal data and sign-in go through the recorder.
    "test_personal_data_is_in_no_file_in_clear_and_shown_only_to_those_handling_it": "reads the events.db file",
    "test_the_cipher_follows_the_suite": "reads the ciphertext from events.db with sqlite3",
    "test_bad_personal_values_are_all_named_and_nothing_is_recorded": "counts events in events.db with sqlite3",
    "test_the_suite_is_chosen_at_creation_only": "runs taizhang init in a child process on the embedded store",
    "test_a_gm_seal_signature_verifies_with_openssl": "reads the seal event from events.db with sqlite3",
    "test_removing_the_suite_event_or_relabelling_a_seal_is_caught": "edits events.db with sqlite3",
    "test_security_report_gives_an_evaluator_the_facts": "runs taizhang security report in a child process",
    "test_an_enrolled_user_needs_the_current_code_or_an_unused_recovery_code": "opens events.db in the test's folder",
}


def sqlite_only(item: pytest.Item) -> str | None:
    name = getattr(item, "originalname", item.name)
    if name in SQLITE_FILE_TESTS:
        return SQLITE_FILE_TESTS[name]
    if item.path.name in ("test_audit.py", "test_audit_unseen.py") and "home" in getattr(item, "fixturenames", ()):
        return (
            "copies a sealed data directory as files and edits its events.db with sqlite3; a PostgreSQL store is not"
            " in the directory (tests/test_postgres_audit.py checks verify, proof and seals on PostgreSQL)"
        )
    return None
