"""The eventsourcing library's TrackingRecorder, on the DuckDB read model.

The position is written in the same DuckDB transaction as the rows it accounts for: exactly once.
"""

from __future__ import annotations

import duckdb
from eventsourcing.persistence import IntegrityError, Tracking, TrackingRecorder

TRACKING_DDL = (
    "CREATE TABLE IF NOT EXISTS tracking (application_name VARCHAR PRIMARY KEY, notification_id BIGINT NOT NULL)"
)


class DuckDBTrackingRecorder(TrackingRecorder):
    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        con.execute(TRACKING_DDL)

    def insert_tracking(self, tracking: Tracking) -> None:
        """Record a position; within a transaction the caller has begun, or as its own."""
        self.con.begin()
        try:
            self.record_position(tracking)
        except BaseException:
            self.con.rollback()
            raise
        self.con.commit()

    def record_position(self, tracking: Tracking) -> None:
        """Advance the position inside the caller's open transaction; never backwards, never twice."""
        current = self.max_tracking_id(tracking.application_name)
        if current is not None and tracking.notification_id <= current:
            msg = f"tracking {tracking.application_name} already at {current}, not {tracking.notification_id}"
            raise IntegrityError(msg)
        self.con.execute(
            "INSERT OR REPLACE INTO tracking VALUES (?, ?)", [tracking.application_name, tracking.notification_id]
        )

    def max_tracking_id(self, application_name: str) -> int | None:
        rows = self.con.execute(
            "SELECT notification_id FROM tracking WHERE application_name = ?", [application_name]
        ).fetchall()
        return int(rows[0][0]) if rows else None
