"""`bind` (projections/evaluate.py) defines the connection-local relations A, AV, S, L … without asking the catalogue
what exists: it must stay right when a transaction that rebound a name is rolled back (a fold that failed)."""

from __future__ import annotations

import duckdb
from conftest import correct, petition, proposal, step

from projections import ingest
from projections import report as reports
from projections.evaluate import bind
from projections.tracking import DuckDBTrackingRecorder


def test_bind_switches_between_view_and_table_across_rolled_back_transactions():
    con = duckdb.connect()
    seen = lambda: con.execute("SELECT a FROM X").fetchall()  # noqa: E731
    bind(con, "X", "SELECT 1 AS a")
    con.begin()
    bind(con, "X", "SELECT 2 AS a", table=True)
    assert seen() == [(2,)]
    con.rollback()
    assert seen() == [(1,)]  # the view again, as before the transaction
    bind(con, "X", "SELECT 3 AS a", table=True)  # a table after the rollback of one
    assert seen() == [(3,)]
    con.begin()
    bind(con, "X", "SELECT 4 AS a")
    bind(con, "X", "SELECT 5 AS a", table=True)
    con.rollback()
    assert seen() == [(3,)]
    bind(con, "X", "SELECT 6 AS a")
    assert seen() == [(6,)]
    con.begin()
    bind(con, "X", "SELECT 7 AS a", table=True)
    con.commit()
    assert seen() == [(7,)]


def test_reports_on_the_connection_of_a_fold_that_was_rolled_back(env, monkeypatch):
    """An as-of report binds L, LAV, A … on the model's connection; an incremental fold rebinds A, AV and S as
    tables and fails before it commits; the reports on that same connection then are still those of the events
    (as of now: the unfolded ones refolded), and the next catch-up gives the same figures."""
    env.ok(
        petition("XF-1", "2025-01-05"),
        petition("XF-2", "2025-02-05"),
        proposal("JY-1", "2025-01-10"),
        step("XF-1", "acknowledged", "2025-01-08"),
    )
    monkeypatch.setattr(ingest, "REFOLD_ALL", 1e9)  # always the incremental fold, which binds tables
    model = env.read_model()
    try:
        first = env.instant()
        before = model.report("u1", 2025, first).to_json()
        env.ok(
            step("XF-2", "concluded", "2025-03-01"),
            correct("JY-1", source="cppcc"),
            petition("XF-3", "2025-03-05"),
        )
        real = DuckDBTrackingRecorder.record_position

        def fold_fails(self, tracking):
            if tracking.application_name == ingest.FOLDED:
                raise RuntimeError("the fold fails before it commits")
            real(self, tracking)

        monkeypatch.setattr(DuckDBTrackingRecorder, "record_position", fold_fails)
        try:
            model.catch_up(env.ledger.recorder)
        except RuntimeError:
            pass
        else:
            raise AssertionError("the fold was to fail")
        monkeypatch.setattr(DuckDBTrackingRecorder, "record_position", real)
        assert model.folded() < model.position()

        now = env.instant()
        fast = [model.report("u1", 2025, first).to_json(), model.report("u1", 2025, now).to_json()]
        explained = model.explain("petition.received", "u1", 2025, now)
        monkeypatch.setattr(reports, "FAST_AS_OF", False)
        assert [model.report("u1", 2025, first).to_json(), model.report("u1", 2025, now).to_json()] == fast
        assert model.explain("petition.received", "u1", 2025, now) == explained
        monkeypatch.setattr(reports, "FAST_AS_OF", True)
        assert fast[0] == before
        assert len(explained) == 3  # XF-3, recorded after the fold that failed, is counted

        model.catch_up(env.ledger.recorder)
        current = model.report("u1", 2025).to_json()
        assert (current["figures"], current["checks"]) == (fast[1]["figures"], fast[1]["checks"])
        assert model.report("u1", 2025, first).to_json() == before
    finally:
        model.close()
