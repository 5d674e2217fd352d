"""Reading stored events from the library's PostgreSQL recorder as plain tuples (the fast path of `source`).

Rows come through the recorder's own connection pool in binary format with the originator id already as
hex text, so the caller builds no Notification or UUID object per event. `conninfo` lets worker processes
(`leafhash.hash_range_pg`) read ranges of the same table over their own connections.

psycopg is imported when a PostgreSQL store is read, not before: a command on the SQLite store (`taizhang
report`) does not pay for it at start-up (bench/startup.py).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from eventsourcing.persistence import ApplicationRecorder
    from psycopg import sql

Row = tuple[int, str, int, str, bytes]


def is_postgres(source: ApplicationRecorder) -> bool:
    """Whether the recorder is the library's PostgreSQL one (or a subclass): none can exist before its module
    is imported, so an unimported module answers no without importing psycopg."""
    module = sys.modules.get("eventsourcing.postgres")
    return module is not None and isinstance(source, module.PostgresApplicationRecorder)


def table(source: Any) -> sql.Composed:
    from psycopg import sql

    return sql.SQL("{}.{}").format(sql.Identifier(source.datastore.schema), sql.Identifier(source.events_table_name))


def select(table_sql: sql.Composable, upper_bound: bool) -> sql.Composed:
    """The events after a position (and up to another, when `upper_bound`), in position order."""
    from psycopg import sql

    bound = sql.SQL(" AND notification_id <= %s") if upper_bound else sql.SQL("")
    return sql.SQL(
        "SELECT notification_id, translate(originator_id::text, '-', ''), originator_version, topic, state"
        " FROM {} WHERE notification_id > %s{} ORDER BY notification_id"
    ).format(table_sql, bound)


def read_rows(source: Any, after: int, size: int) -> list[Row]:
    from psycopg import sql
    from psycopg.rows import tuple_row

    statement = select(table(source), False) + sql.SQL(" LIMIT %s")
    with source.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row, binary=True) as cur:
        cur.execute(statement, (after, size))
        return cur.fetchall()


def conninfo(source: Any) -> str:
    """A libpq connection string for the recorder's database (for worker processes)."""
    from psycopg.conninfo import make_conninfo

    kwargs = {k: v for k, v in source.datastore.pool.kwargs.items() if k != "row_factory"}
    return make_conninfo(**{k: v for k, v in kwargs.items() if v not in (None, "")})
