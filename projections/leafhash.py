"""Leaf hashes of a range of the event table (SQLite file or PostgreSQL), computed in a worker process, so
recomputing a large log from scratch uses every core. The SQLite reader needs only the standard library."""

from __future__ import annotations

import sqlite3

from .merkle import DEFAULT, leaf_hashes

Chunk = tuple[list[int], list[str], list[bytes]]


def hash_range(db: str, table: str, after: int, last: int, suite: str = DEFAULT) -> Chunk:
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
    return [r[0] for r in rows], [r[1] for r in rows], leaf_hashes(rows, suite)


def hash_range_pg(conninfo: str, schema: str, table: str, after: int, last: int, suite: str = DEFAULT) -> Chunk:
    """The same over a PostgreSQL recorder's table, on a connection of the worker's own."""
    import psycopg
    from psycopg import sql

    from .pgsource import select

    statement = select(sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(table)), True)
    with psycopg.connect(conninfo) as con, con.cursor(binary=True) as cur:
        cur.execute(statement, (after, last))
        rows = cur.fetchall()
    return [r[0] for r in rows], [r[1] for r in rows], leaf_hashes(rows, suite)
