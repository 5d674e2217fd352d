"""Catch-up: notifications in batches, loaded through Arrow, folded by SQL, position in the same transaction."""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import pyarrow as pa
from eventsourcing.persistence import ApplicationRecorder, Tracking

from .schema import ACTIVITY_FIELDS, ETYPES, STEP_FIELDS, json_spec
from .state import activity_fold, step_fold, unit_fold
from .tracking import DuckDBTrackingRecorder

APPLICATION = "taizhang"
BATCH = 20_000

_ENVELOPE = (
    '{"timestamp": {"_data_": "VARCHAR"}, "code": "VARCHAR", "unit": "VARCHAR", "ref": "VARCHAR",'
    ' "kind": "VARCHAR", "step": "VARCHAR", "target": "VARCHAR", "date": "VARCHAR", "reason": "VARCHAR",'
    ' "name": "VARCHAR", "parent": "VARCHAR", "digest": "VARCHAR", "recorded_by": "VARCHAR", "line_id": "VARCHAR"}'
)
_ETYPE_CASE = (
    "CASE "
    + " ".join(f"WHEN suffix(topic, '{':' + suffix}') THEN '{etype}'" for suffix, etype in ETYPES.items())
    + " END"
)

_INSERT = f"""
INSERT INTO events
WITH b AS (
  SELECT pos, oid, version, topic, {_ETYPE_CASE} AS etype,
         json_transform(state, '{_ENVELOPE}') AS s, json_extract(state, '$.data') AS data
  FROM batch)
SELECT pos, oid, version, topic, etype, s.timestamp._data_::TIMESTAMPTZ, s.recorded_by, s.line_id,
       coalesce(s.unit, s.code), s.ref, s.kind, s.step, s.target, s.date::DATE, s.reason, s.name, s.parent,
       s.digest,
       CASE WHEN data IS NOT NULL THEN json_keys(data) END,
       CASE WHEN etype IN ('record', 'correct') THEN json_transform(data, '{json_spec(ACTIVITY_FIELDS)}') END,
       CASE WHEN etype = 'step' THEN json_transform(data, '{json_spec(STEP_FIELDS)}') END
FROM b"""

_TOUCHED = "oid IN (SELECT oid FROM batch)"


def catch_up(
    con: duckdb.DuckDBPyConnection,
    source: ApplicationRecorder,
    batch_size: int = BATCH,
    progress: Callable[[int], None] | None = None,
    stop_after: int | None = None,
) -> int:
    """Project every notification after the tracked position. Returns how many were projected."""
    tracking = DuckDBTrackingRecorder(con)
    position = tracking.max_tracking_id(APPLICATION) or 0
    done = 0
    while stop_after is None or done < stop_after:
        notes = source.select_notifications(position, batch_size, inclusive_of_start=False)
        if not notes:
            break
        batch = pa.table(
            {
                "pos": pa.array([n.id for n in notes], pa.int64()),
                "oid": pa.array([n.originator_id.hex for n in notes], pa.string()),  # type: ignore[union-attr]
                "version": pa.array([n.originator_version for n in notes], pa.int64()),
                "topic": pa.array([n.topic for n in notes], pa.string()),
                "state": pa.array([n.state.decode() for n in notes], pa.string()),
            }
        )
        con.register("batch", batch)
        con.begin()
        try:
            con.execute(_INSERT)
            _refresh(con)
            tracking.record_position(Tracking(APPLICATION, notes[-1].id))
            con.commit()
        except BaseException:
            con.rollback()
            raise
        finally:
            con.unregister("batch")
        position = notes[-1].id
        done += len(notes)
        if progress:
            progress(len(notes))
    return done


def _refresh(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute the current state of what the batch touched."""
    con.execute(f"DELETE FROM act WHERE {_TOUCHED}")
    con.execute(f"INSERT INTO act {activity_fold(_TOUCHED)}")
    con.execute(f"DELETE FROM stp WHERE {_TOUCHED}")
    con.execute(f"INSERT INTO stp {step_fold(_TOUCHED)}")
    if con.execute(
        "SELECT count(*) FROM batch WHERE suffix(topic, ':Unit.Registered') OR suffix(topic, ':Unit.Changed')"
    ).fetchall()[0][0]:
        con.execute("DELETE FROM units")
        con.execute(f"INSERT INTO units {unit_fold('true')}")
