"""Leaf hashes of a range of the SQLite event table, computed in a worker process (standard library only),
so recomputing a large log from scratch uses every core."""

from __future__ import annotations

import sqlite3

from .merkle import leaf_hashes


def hash_range(db: str, table: str, after: int, last: int) -> tuple[list[int], list[str], list[bytes]]:
    """(positions, originator ids, leaf hashes) of the events with after < position <= last."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute(
            f"SELECT rowid, originator_id, originator_version, topic, state FROM {table}"
            " WHERE rowid > ? AND rowid <= ? ORDER BY rowid",
            (after, last),
        ).fetchall()
    finally:
        con.close()
    return [r[0] for r in rows], [r[1] for r in rows], leaf_hashes(rows)
