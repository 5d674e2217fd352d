"""Catch-up: notifications in batches, loaded through Arrow, folded by SQL, position in the same transaction."""

from __future__ import annotations

import json
from collections.abc import Callable

import duckdb
from eventsourcing.persistence import ApplicationRecorder, Tracking

from . import declared, imported
from .evaluate import bind, for_kinds, rows
from .figures import STORED
from .merkle import DEFAULT, Frontier
from .schema import DATA_FIELDS, ETYPES, json_spec
from .source import prefetched
from .state import activity_fold, activity_year, recorded_fold, step_fold, step_rows, unit_fold
from .tracking import DuckDBTrackingRecorder

APPLICATION = "taizhang"
ENVELOPE_KEYS = (
    "code",
    "unit",
    "ref",
    "kind",
    "step",
    "target",
    "date",
    "reason",
    "name",
    "parent",
    "digest",
    "recorded_by",
    "line_id",
)
BATCH = 200_000  # events per read: fewer DuckDB commits (each checkpoints); two batches in flight stay < 1 GiB

_STATE = json.dumps(
    {
        "timestamp": {"_data_": "VARCHAR"},
        **{key: "VARCHAR" for key in ENVELOPE_KEYS},
        "data": json.loads(json_spec(DATA_FIELDS)),
    }
)
_ETYPE_CASE = (
    "CASE "
    + " ".join(f"WHEN suffix(topic, '{':' + suffix}') THEN '{etype}'" for suffix, etype in ETYPES.items())
    + " END"
)

# One parse of each event's JSON; only corrections need to know which keys they name (null clears a field).
INSERT_SQL = f"""
INSERT INTO events
WITH b AS (SELECT pos, oid, version, topic, {_ETYPE_CASE} AS etype, json_transform(state, '{_STATE}') AS s, state
           FROM batch)
SELECT pos, oid, version, topic, etype, s.timestamp._data_::TIMESTAMPTZ, s.recorded_by, s.line_id,
       coalesce(s.unit, s.code), s.ref, s.kind, s.step, s.target, s.date::DATE, s.reason, s.name, s.parent,
       s.digest, CASE WHEN etype = 'correct' THEN json_keys(state, '$.data') END, s.data
FROM b"""

FOLDED = APPLICATION + ".state"


def catch_up(
    con: duckdb.DuckDBPyConnection,
    source: ApplicationRecorder,
    batch_size: int = BATCH,
    progress: Callable[[int], None] | None = None,
    stop_after: int | None = None,
    tz: str = "Asia/Shanghai",
    until: int | None = None,
    together: int = 0,
) -> int:
    """Project every notification after the tracked position (up to `until`, when given). Returns how many
    positions it advanced.

    Each batch of events commits with its tracking position; the state of what they touched is then
    re-folded in one transaction with a second position, so a crash between the two is repaired by the
    next catch-up, and a rebuild folds everything once instead of once per batch.

    An increment of at most `together` positions is read in and folded in one transaction instead: a reader
    beside the catch-up (a snapshot, `ReadModel.reader`) then never sees events whose figures are not folded
    yet, so the log it states (`log.size`, root) is always the one its figures are of (issue 13.4).
    """
    tracking = DuckDBTrackingRecorder(con)
    start = tracking.max_tracking_id(APPLICATION) or 0
    if start == 0:  # nothing hashed yet: take the suite the log was created with (domain/suite.py)
        record_suite(con, store_suite(source))
    done = 0
    one = False
    if together and start > 0:  # (a first catch-up is a rebuild: batches, then one fold)
        last = until if until is not None else (source.max_notification_id() or 0)
        if 0 < last - start <= together:
            one, until, batch_size = True, last, max(batch_size, last - start)
    for batch in prefetched(source, start, batch_size, load_frontier(con), until):
        import pyarrow as pa  # only when there are events to fold: a read of a current model never needs it

        leaves = pa.table(
            {
                "idx": pa.array(range(batch.first_index, batch.first_index + len(batch.leaves)), pa.int64()),
                "pos": pa.array(batch.positions, pa.int64()),
                "oid": pa.array(batch.oids, pa.string()),
                "hash": pa.array(batch.leaves, pa.binary(32)),
            }
        )
        con.register("batch", batch.events)
        con.register("leafbatch", leaves)
        con.begin()
        try:
            con.execute(INSERT_SQL)
            con.execute(declared.DECL_INSERT)  # §8: declaration versions with their data as given
            for insert in imported.INSERTS:  # report packages of units on their own servers
                con.execute(insert)
            con.execute("INSERT INTO leaves SELECT * FROM leafbatch")
            con.executemany("INSERT INTO merkle VALUES (?, ?)", batch.checkpoints)
            tracking.record_position(Tracking(APPLICATION, batch.last))
            if one:
                fold(con, tracking, tz, within=True)
            con.commit()
        except BaseException:
            con.rollback()
            raise
        finally:
            con.unregister("batch")
            con.unregister("leafbatch")
        if progress:
            progress(batch.last - done - start)
        done = batch.last - start
        if stop_after is not None and done >= stop_after:
            return done
    fold(con, tracking, tz)
    return done


def load_frontier(con: duckdb.DuckDBPyConnection) -> Frontier:
    found = con.execute("SELECT size, frontier FROM merkle ORDER BY size DESC LIMIT 1").fetchall()
    suite = model_suite(con)
    return Frontier.load(found[0][0], found[0][1], suite) if found else Frontier(suite=suite)


def store_suite(source: ApplicationRecorder) -> str:
    """The suite recorded in the event log (the LedgerSuite aggregate's first event), `default` without one."""
    from domain.suite import suite_id

    found = source.select_events(suite_id(), limit=1)
    if not found:
        return DEFAULT
    state = found[0].state
    return str(json.loads(state.decode() if isinstance(state, bytes | memoryview) else state)["name"])


def record_suite(con: duckdb.DuckDBPyConnection, suite: str) -> None:
    con.execute("DELETE FROM meta WHERE key = 'suite'")
    if suite != DEFAULT:
        con.execute("INSERT INTO meta VALUES ('suite', ?)", [suite])


def model_suite(con: duckdb.DuckDBPyConnection) -> str:
    """The suite this read model hashed its log with."""
    found = con.execute("SELECT value FROM meta WHERE key = 'suite'").fetchall()
    return str(found[0][0]) if found else DEFAULT


# The incremental fold refolds the activities that new events touched. Their oids are materialised once and
# folded in chunks, over temp tables of just those activities: the ~100 figure parts then scan a small table
# instead of each re-running a semi-join against the log (which, for a 40,000-line import onto a ledger, took
# DuckDB past its memory limit after the import had committed). When most activities are touched, everything
# is refolded at once, exactly as a rebuild does.
FOLD_CHUNK = 100_000  # activities per chunk of an incremental fold
REFOLD_ALL = 0.5  # refold everything when at least this share of the known activities was touched


def fold(con: duckdb.DuckDBPyConnection, tracking: DuckDBTrackingRecorder, tz: str, within: bool = False) -> None:
    """Bring the activity, step and unit state up to the ingested position, in a transaction of its own or
    (`within`) in the caller's."""
    ingested = tracking.max_tracking_id(APPLICATION) or 0
    folded = tracking.max_tracking_id(FOLDED) or 0
    if ingested <= folded:
        return
    if within:
        _fold(con, tracking, tz, ingested, folded)
        return
    con.begin()
    try:
        _fold(con, tracking, tz, ingested, folded)
        con.commit()
    except BaseException:
        con.rollback()
        raise


def _fold(
    con: duckdb.DuckDBPyConnection, tracking: DuckDBTrackingRecorder, tz: str, ingested: int, folded: int
) -> None:
    if folded == 0:
        _fold_all(con, tz)
        declared.sync(con, "TRUE", tz)  # §8: the declared figures' rows
    else:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE touched AS"
            " SELECT oid, row_number() OVER () AS n FROM (SELECT DISTINCT oid FROM events WHERE pos > ?)",
            [folded],
        )
        touched = con.execute("SELECT count(*) FROM touched").fetchall()[0][0]
        known = con.execute("SELECT count(*) FROM act").fetchall()[0][0]
        if touched >= REFOLD_ALL * max(known, 1):
            _fold_all(con, tz)
            declared.sync(con, "TRUE", tz)
        else:
            for first in range(1, touched + 1, FOLD_CHUNK):
                con.execute(
                    "CREATE OR REPLACE TEMP TABLE chunk AS SELECT oid FROM touched WHERE n >= ? AND n < ?",
                    [first, first + FOLD_CHUNK],
                )
                _fold_some(con, tz, "chunk", folded)
            # §8: every live declaration's rows for the touched activities, a new version's for the others
            # (declared figures go in groups of a few per statement, so the whole touched set is bounded).
            declared.sync(con, "oid IN (SELECT oid FROM touched)", tz)
        con.execute("DROP TABLE IF EXISTS temp.touched")
        con.execute("DROP TABLE IF EXISTS temp.chunk")
        con.execute("DROP TABLE IF EXISTS temp.fixed")
    con.execute("DELETE FROM units")
    con.execute(f"INSERT INTO units {unit_fold('TRUE')}")
    tracking.record_position(Tracking(FOLDED, ingested))


def _fold_all(con: duckdb.DuckDBPyConnection, tz: str) -> None:
    for table in ("act", "stp", "contrib"):
        con.execute(f"DELETE FROM {table}")
    con.execute(f"INSERT INTO act {activity_fold('TRUE')}")
    con.execute(f"INSERT INTO stp {step_rows(step_fold('TRUE'), 'act')}")
    _bind(con, "TRUE", table=False)
    # Only the parts the kinds present can contribute to (as _fold_some): planning all ~130 is most of the first
    # fold of a small ledger; test_fold_kinds checks that a kind's rows are the same from its parts as from all.
    kinds = {k for (k,) in con.execute("SELECT DISTINCT kind FROM AV").fetchall()}
    figures = for_kinds(STORED, kinds)
    if figures:
        con.execute(f"INSERT INTO contrib SELECT * FROM ({rows(figures, tz)}) ORDER BY unit")


def _fold_some(con: duckdb.DuckDBPyConnection, tz: str, chunk: str, folded: int) -> None:
    """Refold the activities listed in the temp table `chunk` (new events after position `folded`).

    What a read beside a stream of writes waits for, so it does only what those activities need (issue 13.4):
    the per-field aggregate runs only for activities with a correction (`act` knows the earlier ones, the new
    events the rest), the others are their record event; and only the figure parts of the kinds in the chunk
    are planned. A rebuild (`_fold_all`) does everything, and the property tests compare the two."""
    touched = f"oid IN (SELECT oid FROM {chunk})"
    con.execute(
        "CREATE OR REPLACE TEMP TABLE fixed AS SELECT oid FROM act WHERE corrections > 0 AND"
        f" {touched} UNION SELECT oid FROM events WHERE pos > ? AND etype = 'correct' AND {touched}",
        [folded],
    )
    corrected = con.execute("SELECT count(*) FROM fixed").fetchall()[0][0]
    con.execute(f"DELETE FROM act WHERE {touched}")
    if corrected:
        con.execute(f"INSERT INTO act {activity_fold('oid IN (SELECT oid FROM fixed)')}")
        con.execute(f"INSERT INTO act {recorded_fold(f'{touched} AND oid NOT IN (SELECT oid FROM fixed)')}")
    else:
        con.execute(f"INSERT INTO act {recorded_fold(touched)}")
    con.execute(f"DELETE FROM stp WHERE {touched}")
    con.execute(f"INSERT INTO stp {step_rows(step_fold(touched), 'act')}")
    _bind(con, touched, table=True)
    con.execute(f"DELETE FROM contrib WHERE {touched}")
    kinds = {k for (k,) in con.execute("SELECT DISTINCT kind FROM AV").fetchall()}
    figures = for_kinds(STORED, kinds)
    if figures:
        con.execute(f"INSERT INTO contrib SELECT * FROM ({rows(figures, tz)}) ORDER BY unit")


def _bind(con: duckdb.DuckDBPyConnection, touched: str, table: bool) -> None:
    """The relations the figure parts read (see figures.py), over the activities selected by `touched`."""
    bind(con, "AV", f"SELECT *, {activity_year()} AS y FROM act WHERE {touched}", table=table)
    bind(con, "A", "SELECT * FROM AV WHERE NOT voided")
    bind(con, "S", f"SELECT * FROM stp WHERE live AND {touched}", table=table)
