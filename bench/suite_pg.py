"""PostgreSQL for bench/suite.py: the bench database, scratch schemas, a copy of a SQLite store, log checks."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import psycopg
from psycopg import sql

from api.infra.settings import HOME_SCHEMA, Settings, home_schema
from projections.source import RECEIPT_TOPIC

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/taizhang_bench"
TABLE = "taizhang_events"


def database(url: str) -> str | None:
    """`url`, its database created if missing; None when no server answers."""
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = urlunparse(parsed._replace(path="/postgres"))
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as con:
            if not con.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                con.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.OperationalError:
        return None
    return url


def drop_schema(url: str, schema: str) -> None:
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


@contextlib.contextmanager
def scratch(url: str | None) -> Iterator[tuple[Path, str | None]]:
    """A fresh ledger home (and, on PostgreSQL, its own schema), removed afterwards."""
    home = Path(tempfile.mkdtemp(prefix="suite-"))
    try:
        yield home, (f"{url}?schema={HOME_SCHEMA}" if url else None)
    finally:
        if url:
            drop_schema(url, home_schema(home))
        shutil.rmtree(home, ignore_errors=True)


def copy_store(sqlite_home: Path, url: str) -> str:
    """The events of a SQLite store, in order, in a PostgreSQL schema of their own (kept for the next run
    when complete): returns the store URL. COPY, not Ledger.apply: only reading them is measured."""
    schema = "bench_" + sqlite_home.name.replace("-", "_")[:50]
    src = sqlite3.connect(sqlite_home / "events.db")
    total = src.execute("SELECT count(*) FROM stored_events").fetchone()[0]
    store_url = f"{url}?schema={schema}"
    table = sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(TABLE))
    with psycopg.connect(url, autocommit=True) as con:
        with contextlib.suppress(psycopg.errors.UndefinedTable):
            if con.execute(sql.SQL("SELECT count(*) FROM {}").format(table)).fetchone() == (total,):
                return store_url
        con.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
        Settings(Path(tempfile.mkdtemp()), store_url, "Asia/Shanghai", "bench").ledger()  # creates the tables
        columns = sql.SQL("COPY {} (originator_id, originator_version, topic, state) FROM STDIN").format(table)
        with con.cursor() as cur, cur.copy(columns) as copy:
            rows = src.execute(
                "SELECT originator_id, originator_version, topic, state FROM stored_events ORDER BY rowid"
            )
            for oid, version, topic, state in rows:
                copy.write_row((uuid.UUID(oid), version, topic, state))
        con.execute(sql.SQL("ANALYZE {}").format(table))
    src.close()
    return store_url


def log_check(recorder: Any) -> dict[str, int]:
    """Events, distinct (aggregate, version) pairs, receipts and distinct receipts in the whole log."""
    events = receipts = 0
    pairs: set[tuple[Any, int]] = set()
    receipt_ids: set[Any] = set()
    after = 0
    while notes := recorder.select_notifications(after, 50_000, inclusive_of_start=False):
        for n in notes:
            events += 1
            pairs.add((n.originator_id, n.originator_version))
            if n.topic == RECEIPT_TOPIC:
                receipts += 1
                receipt_ids.add(n.originator_id)
        after = notes[-1].id
    return {"events": events, "distinct": len(pairs), "receipts": receipts, "distinct_receipts": len(receipt_ids)}
