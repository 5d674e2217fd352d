"""Reading the notification log in batches: an Arrow table of the events plus their Merkle leaf hashes.

On the embedded SQLite store and on PostgreSQL a batch is read with one SQL statement through the
library's own datastore (same file or connection pool, same settings) as plain tuples, instead of building
a Notification object per event; any other recorder goes through the library's `select_notifications`.
The next batch is read, and its leaves hashed, on a second thread while the caller projects the current one.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder

from domain.receipt import Receipt

from . import pgsource
from .merkle import Frontier, leaf_hashes

if TYPE_CHECKING:
    import pyarrow as pa  # imported where a batch is built: a read of a current model never needs it

RECEIPT_TOPIC = f"{Receipt.Issued.__module__}:{Receipt.Issued.__qualname__}"


@dataclass(frozen=True)
class Batch:
    events: pa.Table  # pos, oid, version, topic, state: every event but receipts (the read model needs no receipt)
    positions: list[int]  # of every event, receipts included
    oids: list[str]
    leaves: list[bytes]  # Merkle leaf hash of every event, in position order
    first_index: int  # the leaf index of the first of them
    frontier: Frontier  # the log's compact range after this batch
    checkpoints: list[tuple[int, bytes]]  # (size, frontier) every CHECKPOINT leaves in it, and at its end

    @property
    def last(self) -> int:
        return self.positions[-1]


# The read model keeps the frontier every CHECKPOINT leaves, so that the root of the log as of any instant (an
# as-of report's `log`) hashes fewer than CHECKPOINT leaves instead of up to a whole batch.
CHECKPOINT = 4096


def prefetched(
    source: ApplicationRecorder, after: int, size: int, frontier: Frontier, until: int | None = None
) -> Iterator[Batch]:
    """`batches`, reading (and hashing) the next batch on another thread while the caller projects this one."""
    it = batches(source, after, size, frontier, until)
    with ThreadPoolExecutor(1, thread_name_prefix="taizhang-read") as pool:
        pending = pool.submit(next, it, None)
        while (item := pending.result()) is not None:
            pending = pool.submit(next, it, None)
            yield item


def batches(
    source: ApplicationRecorder, after: int, size: int, frontier: Frontier, until: int | None = None
) -> Iterator[Batch]:
    """Batches of the events after position `after` (up to position `until`, when given), hashed under the
    frontier's suite."""
    frontier = frontier.copy()
    while until is None or after < until:
        rows = read_rows(source, after, size)
        if until is not None:
            rows = [row for row in rows if row[0] <= until]
        if not rows:
            return
        first = frontier.size
        leaves = leaf_hashes(rows, frontier.suite)
        checkpoints = []
        i = 0
        while i < len(leaves):
            step = CHECKPOINT - frontier.size % CHECKPOINT
            frontier.extend(leaves[i : i + step])
            i += step
            checkpoints.append((frontier.size, frontier.dump()))
        after = rows[-1][0]
        batch = _batch(rows, leaves, first, frontier.copy(), checkpoints)
        del rows, leaves  # the rows are in the batch now: don't hold them while it is projected
        yield batch
        del batch


def read_rows(source: ApplicationRecorder, after: int, size: int) -> list[tuple[int, str, int, str, bytes]]:
    """(position, originator id hex, version, topic, state) of up to `size` stored events after `after`."""
    if isinstance(source, SQLiteApplicationRecorder):
        sql = (
            "SELECT rowid, originator_id, originator_version, topic, state"
            f" FROM {source.events_table_name} WHERE rowid > ? ORDER BY rowid LIMIT ?"
        )
        with source.datastore.transaction(commit=False) as c:
            c.sqlite_cursor.row_factory = None  # plain tuples: no Row object per event
            c.execute(sql, (after, size))
            return c.fetchall()
    if pgsource.is_postgres(source):
        return pgsource.read_rows(source, after, size)
    notes = source.select_notifications(after, size, inclusive_of_start=False)
    return [(n.id, UUID_hex(n.originator_id), n.originator_version, n.topic, n.state) for n in notes]


def UUID_hex(value: object) -> str:  # noqa: N802
    return value.hex if hasattr(value, "hex") and not isinstance(value, str) else str(value)


def _batch(
    rows: list[tuple[int, str, int, str, bytes]],
    leaves: list[bytes],
    first: int,
    after: Frontier,
    checkpoints: list[tuple[int, bytes]],
) -> Batch:
    kept = [row for row in rows if row[3] != RECEIPT_TOPIC]
    pos, oid, version, topic, state = (list(c) for c in zip(*kept, strict=True)) if kept else ([], [], [], [], [])
    import pyarrow as pa

    table = pa.table(
        {
            "pos": pa.array(pos, pa.int64()),
            "oid": pa.array(oid, pa.string()),
            "version": pa.array(version, pa.int64()),
            "topic": pa.array(topic, pa.string()),
            "state": pa.array(state, pa.binary()).cast(pa.string()),
        }
    )
    return Batch(table, [r[0] for r in rows], [r[1] for r in rows], leaves, first, after, checkpoints)
