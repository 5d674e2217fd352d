"""Reading stored events from the library's PostgreSQL recorder as plain tuples (the fast path of `source`).

Rows come through the recorder's own connection pool in binary format with the originator id already as
hex text, so the caller builds no Notification or UUID object per event. `conninfo` lets worker processes
(`leafhash.hash_range_pg`) read ranges of the same table over their own connections.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import ApplicationRecorder
from psycopg import sql
from psycopg.conninfo import make_conninfo
from psycopg.rows import tuple_row

try:
    from eventsourcing.postgres import PostgresApplicationRecorder
except ImportError:  # psycopg missing: no PostgreSQL store can exist either
    PostgresApplicationRecorder = None  # type: ignore[assignment,misc]

Row = tuple[int, str, int, str, bytes]


def is_postgres(source: ApplicationRecorder) -> bool:
    return PostgresApplicationRecorder is not None and isinstance(source, PostgresApplicationRecorder)


def table(source: Any) -> sql.Composed:
    return sql.SQL("{}.{}").format(sql.Identifier(source.datastore.schema), sql.Identifier(source.events_table_name))


def select(table_sql: sql.Composable, upper_bound: bool) -> sql.Composed:
    """The events after a position (and up to another, when `upper_bound`), in position order."""
    bound = sql.SQL(" AND notification_id <= %s") if upper_bound else sql.SQL("")
    return sql.SQL(
        "SELECT notification_id, translate(originator_id::text, '-', ''), originator_version, topic, state"
        " FROM {} WHERE notification_id > %s{} ORDER BY notification_id"
    ).format(table_sql, bound)


def read_rows(source: Any, after: int, size: int) -> list[Row]:
    statement = select(table(source), False) + sql.SQL(" LIMIT %s")
    with source.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row, binary=True) as cur:
        cur.execute(statement, (after, size))
        return cur.fetchall()


def conninfo(source: Any) -> str:
    """A libpq connection string for the recorder's database (for worker processes)."""
    kwargs = {k: v for k, v in source.datastore.pool.kwargs.items() if k != "row_factory"}
    return make_conninfo(**{k: v for k, v in kwargs.items() if v not in (None, "")})
