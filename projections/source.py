"""Reading the notification log in batches, as Arrow tables.

On the embedded SQLite store a batch is read with one SQL statement through the library's own
datastore (same file, same connection settings) instead of building a Notification object per event;
any other recorder goes through the library's `select_notifications`. Receipt events carry nothing the
read model needs, so they are not read at all; the position still advances past them.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pyarrow as pa
from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder

from domain.activity import Activity
from domain.receipt import Receipt
from domain.unit import Unit


def _topic(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


RECEIPT_TOPIC = _topic(Receipt.Issued)
TOPICS = [
    _topic(c)
    for c in (
        Unit.Registered,
        Unit.Changed,
        Activity.Recorded,
        Activity.StepAdded,
        Activity.Corrected,
        Activity.Voided,
        Activity.StepVoided,
    )
]


def prefetched(source: ApplicationRecorder, after: int, size: int) -> Iterator[tuple[pa.Table, int]]:
    """`batches`, reading the next batch on another thread while the caller projects this one."""
    it = batches(source, after, size)
    with ThreadPoolExecutor(1, thread_name_prefix="taizhang-read") as pool:
        pending = pool.submit(next, it, None)
        while (item := pending.result()) is not None:
            pending = pool.submit(next, it, None)
            yield item


def batches(source: ApplicationRecorder, after: int, size: int) -> Iterator[tuple[pa.Table, int]]:
    """(table of pos, oid, version, topic, state; position it accounts up to) after `after`, `size` rows at a time.

    The last item may be an empty table that only moves the position past trailing receipts.
    """
    stop = source.max_notification_id() or 0
    while after < stop:
        table = _read(source, after, stop, size)
        after = table.column("pos")[-1].as_py() if table.num_rows == size else stop
        yield table, after


def _read(source: ApplicationRecorder, after: int, stop: int, size: int) -> pa.Table:
    if isinstance(source, SQLiteApplicationRecorder):
        sql = (
            "SELECT rowid, originator_id, originator_version, topic, state"
            f" FROM {source.events_table_name} WHERE rowid > ? AND rowid <= ? AND topic <> ? ORDER BY rowid LIMIT ?"
        )
        with source.datastore.transaction(commit=False) as c:
            c.sqlite_cursor.row_factory = None  # plain tuples: no Row object per event
            c.execute(sql, (after, stop, RECEIPT_TOPIC, size))
            rows = c.fetchall()
        columns = list(zip(*rows, strict=True)) if rows else [(), (), (), (), ()]
    else:
        notes = source.select_notifications(after, size, stop=stop, topics=TOPICS, inclusive_of_start=False)
        columns = [
            [n.id for n in notes],
            [n.originator_id.hex if hasattr(n.originator_id, "hex") else str(n.originator_id) for n in notes],
            [n.originator_version for n in notes],
            [n.topic for n in notes],
            [n.state for n in notes],
        ]
    return pa.table(
        {
            "pos": pa.array(columns[0], pa.int64()),
            "oid": pa.array(columns[1], pa.string()),
            "version": pa.array(columns[2], pa.int64()),
            "topic": pa.array(columns[3], pa.string()),
            "state": pa.array(columns[4], pa.binary()).cast(pa.string()),
        }
    )
