"""The eventsourcing library's own tracking-recorder contract, run against the DuckDB read model's tracking."""

import duckdb
from eventsourcing.tests import persistence as library_tests

from projections.tracking import DuckDBTrackingRecorder


class TestDuckDBTracking(library_tests.TrackingRecorderTestCase):
    def create_recorder(self) -> DuckDBTrackingRecorder:
        return DuckDBTrackingRecorder(duckdb.connect())
