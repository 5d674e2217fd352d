"""The access log's file (访问日志, $TAIZHANG_HOME/access-log.db): a hash-chained table of who signed in, read
and exported what, in its own SQLite file beside the event store.

Why outside the event store, not an aggregate stream in it: the event store is the ledger's record, and every
event in it is a leaf of the Merkle log whose root seals and report JSON name. Putting sign-ins and reads there
would change the log's size and root on every page view (so two identical reads of a sealed year would show
different `log` blocks), and the access log must be prunable after its retention period (GB/T 22239-2019
8.1.4.3 asks for at least six months, not for ever), which an append-only event store cannot do without
breaking every proof. A file of its own keeps figures, the Merkle log and report JSON exactly as they were,
and it is the same file whether the ledger lives in SQLite or PostgreSQL.

Tamper evidence: every entry carries the previous entry's hash and its own, the hash (SM3 under the 国密 suite,
SHA-256 otherwise) of its canonical encoding (`canonical`: JSON, keys sorted, UTF-8, no spaces, of every column
but `hash`). Changing, inserting or deleting a row breaks the chain at that row (`verify`). Pruning removes the
oldest rows and records, in an `anchor` row, the hash of the last removed entry; the pruning is itself an entry
naming that hash, so the chain verifies from the pruning point and the anchor cannot be moved silently.

Nothing here edits or deletes a row except `prune`; the services decide who may call what.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .layout import access_log_db

GENESIS = "0" * 64  # the `prev` of the first entry ever written

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    role TEXT NOT NULL,
    client TEXT NOT NULL,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL,
    unit TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL,
    alg TEXT NOT NULL,
    prev TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_at ON entries(at);
CREATE INDEX IF NOT EXISTS entries_actor ON entries(actor, seq);
CREATE TABLE IF NOT EXISTS anchor (one INTEGER PRIMARY KEY CHECK (one = 1), seq INTEGER NOT NULL, hash TEXT NOT NULL);
"""


@dataclass(frozen=True)
class Entry:
    seq: int
    at: str  # ISO 8601 instant, UTC
    actor: str  # username ("-" when a failed sign-in named nobody)
    role: str
    client: str  # the client's address (behind a trusted proxy, the forwarded one)
    action: str  # e.g. sign_in, sign_in_failed, user_changed, export, personal_read, unit_read, pruned
    outcome: str  # "ok" or "refused"
    unit: str
    target: str  # what was read, exported or changed (e.g. a username, "2026 report.docx", a ref)
    detail: str  # JSON object of anything else (kept a string so the encoding is the one hashed)
    alg: str  # hashlib name of the chain's hash
    prev: str
    hash: str


def canonical(entry: Entry) -> bytes:
    """The bytes an entry's hash is over: every column but `hash`, as sorted compact JSON (UTF-8)."""
    body = {k: v for k, v in asdict(entry).items() if k != "hash"}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def entry_hash(entry: Entry) -> str:
    return hashlib.new(entry.alg, canonical(entry)).hexdigest()


class AccessLogFile:
    def __init__(self, home: Path) -> None:
        self.path = access_log_db(home)

    @contextmanager
    def _db(self, write: bool = False) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=30, isolation_level=None)) as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)
            if not write:
                yield db
                return
            # One writer at a time across processes (web workers, commands): read the last hash and append
            # under the same lock, so two appends never claim the same predecessor.
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    @staticmethod
    def _last(db: sqlite3.Connection) -> tuple[int, str]:
        row = db.execute("SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1").fetchone()
        if row is not None:
            return int(row[0]), str(row[1])
        anchor = db.execute("SELECT seq, hash FROM anchor").fetchone()
        return (int(anchor[0]), str(anchor[1])) if anchor is not None else (0, GENESIS)

    @staticmethod
    def _insert(db: sqlite3.Connection, alg: str, fields: dict[str, str]) -> Entry:
        seq, prev = AccessLogFile._last(db)
        draft = Entry(seq=seq + 1, alg=alg, prev=prev, hash="", **fields)
        entry = Entry(**{**asdict(draft), "hash": entry_hash(draft)})
        db.execute(
            "INSERT INTO entries VALUES (:seq, :at, :actor, :role, :client, :action, :outcome, :unit, :target,"
            " :detail, :alg, :prev, :hash)",
            asdict(entry),
        )
        return entry

    def append(self, alg: str, **fields: str) -> Entry:
        with self._db(write=True) as db:
            return self._insert(db, alg, fields)

    def entries(self, where: str = "", params: tuple[Any, ...] = (), limit: int | None = None) -> list[Entry]:
        if not self.path.exists():
            return []
        sql = "SELECT * FROM entries" + (f" WHERE {where}" if where else "") + " ORDER BY seq"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with self._db() as db:
            return [Entry(*row) for row in db.execute(sql, params)]

    def recent(self, username: str, actions: tuple[str, ...], n: int) -> list[Entry]:
        """The user's last n sign-in entries, newest first: their own (sign_in, sign_in_failed) and an
        administrator's unlocking of the account (target = the user)."""
        if not self.path.exists():
            return []
        marks = ",".join("?" * len(actions))
        with self._db() as db:
            rows = db.execute(
                f"SELECT * FROM entries WHERE (actor = ? AND action IN ({marks}))"
                " OR (action = 'account_unlocked' AND target = ?) ORDER BY seq DESC LIMIT ?",
                (username, *actions, username, n),
            ).fetchall()
        return [Entry(*row) for row in rows]

    def anchor(self) -> tuple[int, str] | None:
        if not self.path.exists():
            return None
        with self._db() as db:
            row = db.execute("SELECT seq, hash FROM anchor").fetchone()
        return (int(row[0]), str(row[1])) if row is not None else None

    def prune(self, before: str, alg: str, **fields: str) -> tuple[int, Entry]:
        """Remove the entries older than `before` (ISO instant) and append the pruning entry (its detail gains
        the anchor it leaves); returns how many were removed and that entry."""
        with self._db(write=True) as db:
            rows = db.execute("SELECT seq, hash FROM entries WHERE at < ? ORDER BY seq", (before,)).fetchall()
            # Only a prefix of the chain may go: stop at the first entry that is not old enough (clocks may
            # step back; an entry newer than a later one keeps everything after it).
            first = db.execute("SELECT MIN(seq) FROM entries").fetchone()[0]
            keep = [r for i, r in enumerate(rows) if first is not None and r[0] == first + i]
            if not keep:
                return 0, self._insert(db, alg, fields)
            cut_seq, cut_hash = int(keep[-1][0]), str(keep[-1][1])
            detail = {
                **json.loads(fields.get("detail") or "{}"),
                "removed": len(keep),
                "anchor_seq": cut_seq,
                "anchor_hash": cut_hash,
            }
            db.execute("DELETE FROM entries WHERE seq <= ?", (cut_seq,))
            db.execute("INSERT OR REPLACE INTO anchor VALUES (1, ?, ?)", (cut_seq, cut_hash))
            entry = self._insert(db, alg, {**fields, "detail": json.dumps(detail, ensure_ascii=False, sort_keys=True)})
            return len(keep), entry
