"""The PostgreSQL event store: its schema and the library's tables created once, and the recorder used.

The library creates its table, type and insert function whenever an application starts (CREATE_TABLE).
Processes starting together (web workers, commands run side by side) then race on CREATE OR REPLACE
FUNCTION ("tuple concurrently updated"). So the first process creates them under an advisory lock held
for the schema, and every later start sees them there and tells the library not to create anything.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import get_topic, retry
from psycopg import sql

_ready: set[tuple[str, ...]] = set()
COPY_FROM = 500  # events in one transaction: from this many, COPY them


def _key(env: dict[str, str]) -> tuple[str, ...]:
    names = ("POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_DBNAME", "POSTGRES_SCHEMA")
    return tuple(env.get(k) or "public" for k in names)


class Missing(Exception):
    """The store holds no ledger (for a read, which creates nothing): what is missing is `what`, one of
    "database", "schema" and "table"."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def _connect(env: dict[str, str], create: bool) -> psycopg.Connection[Any]:
    try:
        return psycopg.connect(
            host=env["POSTGRES_HOST"],
            port=env["POSTGRES_PORT"],
            dbname=env["POSTGRES_DBNAME"],
            user=env["POSTGRES_USER"],
            password=env["POSTGRES_PASSWORD"],
            autocommit=True,
        )
    except psycopg.OperationalError as e:
        # A connection refused for a missing database carries no SQLSTATE (libpq gives only the server's text):
        # the server's own words, in English unless its lc_messages says otherwise.
        if not create and f'database "{env["POSTGRES_DBNAME"]}" does not exist' in str(e):
            raise Missing("database") from None
        raise


@contextmanager
def ready(env: dict[str, str], table: str, create: bool = True) -> Iterator[dict[str, str]]:
    """The library's env for a store whose schema and tables exist, or (under the lock, for the length of
    the with-block, in which the caller starts the application) for the one process that creates them.
    With `create` false (a read) nothing is created: a store without the ledger's table raises Missing."""
    key = _key(env)
    if key in _ready:
        yield {**env, "CREATE_TABLE": "no"}
        return
    schema = key[-1]
    if not create:
        with _connect(env, create) as con:
            if not con.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema]).fetchone():
                raise Missing("schema")
            exists = con.execute("SELECT to_regclass(%s) IS NOT NULL", [f'"{schema}"."{table}"']).fetchone()
            if not (exists and exists[0]):
                raise Missing("table")
        yield {**env, "CREATE_TABLE": "no"}
        _ready.add(key)
        return
    with _connect(env, create) as con:
        lock = int.from_bytes(hashlib.sha256(f"taizhang-store:{schema}".encode()).digest()[:8], "big", signed=True)
        con.execute("SELECT pg_advisory_lock(%s)", [lock])
        try:
            con.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
            exists = con.execute("SELECT to_regclass(%s) IS NOT NULL", [f'"{schema}"."{table}"']).fetchone()
            yield {**env, "CREATE_TABLE": "no"} if exists and exists[0] else env
            _ready.add(key)
        finally:
            con.execute("SELECT pg_advisory_unlock(%s)", [lock])


class Recorder(PostgresApplicationRecorder):
    """The library's PostgreSQL application recorder, inserting without libpq pipeline mode, and large
    transactions by COPY.

    The library sends LOCK TABLE, NOTIFY and the INSERT of every event (one array parameter of composites,
    in text) in a pipeline. With a large transaction (about 10 MB of events: a 20,000-line import)
    `pipeline.sync()` never returns: the client waits for results while the server waits for the rest of
    the query (the connection sits in ClientRead). Here the statements go one after another in the same
    transaction, and from COPY_FROM events on the rows go by binary COPY instead of one huge array. The
    table lock is held throughout, so the ids the sequence gives the copied rows are the `n` up to its
    current value, in order. Table lock, NOTIFY and what is returned are the library's own.
    """

    checks_in_transaction = True  # insert_events(…, check=…): read by domain/ledger.py

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        """`check` (a function of the cursor; domain/ledger.py `checked_insert`) runs in the transaction once
        the table lock is held, before the rows go in: no other writer can commit until this one ends, and a
        statement now sees every earlier commit, so what it checks still holds when these events commit; it
        raises to roll everything back."""
        check = kwargs.pop("check", None)
        if (self.datastore.enable_db_functions and check is None) or not stored_events:
            return super().insert_events(stored_events, **kwargs)
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            if check is not None:
                self._lock_table(curs)
                check(curs)
            self._insert_events(curs, stored_events, **kwargs)
            if len(stored_events) < COPY_FROM:
                self._insert_stored_events(curs, stored_events, **kwargs)
                return self._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
            self._lock_table(curs)
            self._notify_channel(curs)
            return self._copy(curs, stored_events)

    def _copy(self, curs: Any, stored_events: Sequence[StoredEvent]) -> list[int]:
        table = sql.SQL("{}.{}").format(sql.Identifier(self.datastore.schema), sql.Identifier(self.events_table_name))
        columns = sql.SQL("COPY {} (originator_id, originator_version, topic, state) FROM STDIN (FORMAT BINARY)")
        with curs.copy(columns.format(table)) as copy:
            copy.set_types([self.datastore.originator_id_type, "int8", "text", "bytea"])
            for e in stored_events:
                copy.write_row((e.originator_id, e.originator_version, e.topic, e.state))
        qualified = f'"{self.datastore.schema}"."{self.events_table_name}"'
        curs.execute("SELECT currval(pg_get_serial_sequence(%s, 'notification_id')) AS last", [qualified])
        last = int(curs.fetchone()["last"])
        return list(range(last - len(stored_events) + 1, last + 1))


class QuietRecorder(Recorder):
    """The recorder for servers without LISTEN/NOTIFY (openGauss, and KingbaseES where it is switched off):
    ?notify=0 in TAIZHANG_DATABASE_URL. Inserts send no NOTIFY; waiting processes poll instead
    (projections/notify.py); and the library's PL/pgSQL insert function, whose body NOTIFYs and which
    taizhang never calls (database functions are off), is not created. Everything else, the table lock above
    all, is the same."""

    sends_notify = False  # read by projections/notify.py

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sql_create_statements = [
            s for s in self.sql_create_statements if "CREATE OR REPLACE FUNCTION" not in s.as_string()
        ]

    def _notify_channel(self, curs: Any) -> None:
        pass


RECORDER_TOPIC = get_topic(Recorder)
QUIET_RECORDER_TOPIC = get_topic(QuietRecorder)
