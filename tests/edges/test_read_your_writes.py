"""Issue 13.4: a report read waits only for its own caller's writes to be folded, never for another's.

Before, every read caught the read model up with the whole log first, so under a stream of writes every read
waited for a fold (read p99 1.2 s beside 550 writes/s). Now a read waits until its caller's last write (from any
worker: api/infra/write_marks.py) is folded, and otherwise answers at once from the last folded snapshot, whose
`log` (size and root) is exactly the log its figures are of. These tests run a polling server whose projector
folds only when a reader waits for it (and once at start), and hold a fold on an event where they need one in
progress: nothing here depends on timing.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from conftest import settings_for
from webkit import make_web

from projections import ingest
from projections.readmodel import ReadModel

REPORT = "/api/reports/north/2025"
HELD = 60  # s: a bound on waiting for a held fold or a thread, so a regression fails instead of hanging


@pytest.fixture
def polling(tmp_path: Path) -> Any:
    web, server = make_web(tmp_path / "home", poll=True, fold_seconds=3600)  # folds only when a reader waits
    yield web
    server.close()


def record(ref: str) -> dict[str, Any]:
    data = {"form": "central_group", "topic": "学习习近平法治思想", "attendees": 10}
    return {"unit": "north", "kind": "study_session", "ref": ref, "date": "2025-03-01", "data": data}


def sessions(report: dict[str, Any]) -> int:
    return int(report["figures"]["study.sessions"]["value"])


def get(client: Any, path: str = REPORT, **kw: Any) -> dict[str, Any]:
    r = client.get(path, **kw)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


class HeldFold:
    """The read model's fold, stopped on an event until released (inside its catch-up's transaction)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.real = ingest.fold
        self.entered = threading.Event()
        self.release = threading.Event()
        self.fail = False
        monkeypatch.setattr(ingest, "fold", self)

    def __call__(self, *args: Any, **kw: Any) -> None:
        self.entered.set()
        assert self.release.wait(HELD), "the held fold was never released"
        if self.fail:
            raise MemoryError("simulated: the fold ran out of memory")
        self.real(*args, **kw)


def in_thread(call: Any) -> tuple[threading.Thread, dict[str, Any]]:
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["value"] = call()
        except BaseException as e:  # noqa: BLE001 — handed to the test
            out["error"] = e

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, out


def prefix_report(home: Path, position: int, tmp: Path) -> dict[str, Any]:
    """The report of the log's first `position` notifications, computed apart (a model of its own)."""
    settings = settings_for(home, user="setup")
    ledger = settings.ledger()
    with ReadModel(tmp / "prefix.duckdb") as model:
        model.catch_up(ledger.recorder, until=position)
        assert model.folded() == position
        return model.report("north", 2025).to_json()


def test_own_write_is_in_the_callers_next_report_by_token_and_by_session(polling):
    writer = polling.client("rec-north")
    assert sessions(get(writer)) == 0
    for i in range(3):  # the projector never runs by itself here: each read waits for its own write
        r = writer.post("/api/records", json=record(f"T-{i}"))
        assert r.status_code == 201, r.text
        assert int(r.headers["X-Taizhang-Position"]) == polling.server.ledger.committed_to
        assert sessions(get(writer)) == i + 1
    browser = polling.browser("rec-north")
    r = browser.post("/api/records", json=record("B-1"))
    assert r.status_code == 201, r.text
    assert sessions(get(browser)) == 4


def test_another_callers_read_answers_from_the_folded_log_while_a_fold_is_held(polling, monkeypatch, tmp_path):
    writer, other = polling.client("rec-north"), polling.client("aud-city")
    assert writer.post("/api/records", json=record("A-1")).status_code == 201
    before = get(writer)  # folded now: A-1 in it
    assert sessions(before) == 1
    position = polling.server.ledger.recorder.max_notification_id()
    apart = prefix_report(polling.server.settings.home, position, tmp_path)  # (before the fold is held)
    held = HeldFold(monkeypatch)
    assert writer.post("/api/records", json=record("A-2")).status_code == 201
    own, own_out = in_thread(lambda: get(writer))  # must wait for A-2: wakes the projector, which is held
    assert held.entered.wait(HELD), "the writer's read did not start a fold"
    other_read, other_out = in_thread(lambda: get(other))
    other_read.join(HELD)
    assert not other_read.is_alive(), "another caller's read waited for a fold it does not need"
    assert own.is_alive(), "the writer's read answered before its own write was folded"
    seen = other_out["value"]
    # The last folded log, stated exactly: its size and root are those of the figures shown, not of the log
    # with A-2 in it (a snapshot inside the held catch-up sees neither A-2's event nor its figures).
    assert seen["log"] == before["log"] and seen["figures"] == before["figures"]
    assert seen == {**apart, "as_of": seen["as_of"]}
    held.release.set()
    own.join(HELD)
    after = own_out["value"]
    assert sessions(after) == 2 and after["log"]["size"] > before["log"]["size"]
    assert get(other)["log"] == after["log"]  # folded now, so the other caller's next read has it too


def test_a_fold_that_fails_refuses_every_read_until_it_succeeds(polling, monkeypatch):
    writer, other = polling.client("rec-north"), polling.client("aud-city")
    assert writer.post("/api/records", json=record("F-1")).status_code == 201
    assert sessions(get(writer)) == 1
    held = HeldFold(monkeypatch)
    held.fail = True
    held.release.set()
    assert writer.post("/api/records", json=record("F-2")).status_code == 201
    for client in (writer, other, writer):  # the other caller too: each read retries the fold, then refuses
        r = client.get(REPORT)
        assert r.status_code == 503, r.text
        assert "taizhang rebuild" in r.json()["detail"]
    assert polling.server.stale is not None
    held.fail = False
    assert sessions(get(writer)) == 2 and sessions(get(other)) == 2  # (the writer's read computed the new one)
    assert polling.server.stale is None


def test_a_position_seen_elsewhere_is_waited_for_and_one_past_the_log_is_not(polling):
    writer, other = polling.client("rec-north"), polling.client("aud-city")
    assert sessions(get(other)) == 0
    r = writer.post("/api/records", json=record("H-1"))
    assert r.status_code == 201
    assert sessions(get(other)) == 0  # not its write, nothing folded since: the folded log, stated
    assert sessions(get(other, headers={"X-Taizhang-After": r.headers["X-Taizhang-Position"]})) == 1
    # A position beyond the log (a forged header, a store restored from an older backup) waits for the log only.
    assert sessions(get(other, headers={"X-Taizhang-After": "999999999999"})) == 1


def test_after_a_fold_an_earlier_report_is_served_to_callers_it_holds_while_the_new_one_is_computed(polling):
    writer, other = polling.client("rec-north"), polling.client("aud-city")
    assert writer.post("/api/records", json=record("E-1")).status_code == 201
    first = get(writer)
    assert writer.post("/api/records", json=record("E-2")).status_code == 201
    polling.server.read(lambda m: None)  # a read outside a request folds the whole log (no report computed)
    # The other caller may be answered from the report of the earlier fold, which states its log exactly; the
    # writer may not: E-2 is not in it.
    seen = get(other)
    assert seen["log"] == first["log"] and seen["figures"] == first["figures"]
    again = get(writer)  # waits for the new report (being computed apart, or computes it)
    assert sessions(again) == 2 and again["log"]["size"] > first["log"]["size"]
    assert get(other)["log"] == again["log"]


def test_a_kept_report_body_is_what_the_schema_writes_stamped_with_each_reads_instant(polling):
    from api.web import schemas

    writer, other = polling.client("rec-north"), polling.client("aud-city")
    assert writer.post("/api/records", json=record("K-1")).status_code == 201
    first, second = get(writer), get(other)  # the same folded report, served twice
    assert first["as_of"] != second["as_of"]
    report = polling.server.read(lambda m: m.report("north", 2025))
    expected = schemas.ReportOut.model_validate(report.to_json()).model_dump(mode="json")
    for seen in (first, second):
        assert seen == {**expected, "as_of": seen["as_of"]}


def test_a_callers_mark_is_shared_by_the_workers_of_a_data_directory_and_never_lowered(tmp_path):
    from api.infra.write_marks import WriteMarks

    one, two = WriteMarks(tmp_path / "marks"), WriteMarks(tmp_path / "marks")  # two workers' maps of one file
    try:
        assert two.get("s:abc") == 0
        one.raise_to("s:abc", 41)
        assert two.get("s:abc") == 41
        two.raise_to("s:abc", 7)  # a write acknowledged earlier, recorded later: the mark stays
        assert one.get("s:abc") == 41 and one.get("t:other") in (0, 41)  # (41 only if the two share a slot)
    finally:
        one.close()
        two.close()


def test_a_verification_held_mid_way_blocks_no_read_and_no_fold(polling, monkeypatch):
    import time

    from projections import audit as projections_audit

    writer, auditor = polling.client("rec-north"), polling.client("aud-city")
    assert writer.post("/api/records", json=record("V-1")).status_code == 201
    release, reached = threading.Event(), threading.Event()
    rebuilt = projections_audit.rebuilt

    def held(*args: Any, **kwargs: Any) -> Any:  # the verification stops at its rebuild until released
        reached.set()
        assert release.wait(HELD)
        return rebuilt(*args, **kwargs)

    monkeypatch.setattr(projections_audit, "rebuilt", held)
    job = auditor.post("/api/verify/jobs").json()["id"]
    assert reached.wait(HELD)
    assert writer.post("/api/records", json=record("V-2")).status_code == 201
    assert sessions(get(writer)) == 2  # its own write, folded while the verification is held
    assert sessions(get(auditor)) == 2
    release.set()
    for _ in range(600):
        body = auditor.get(f"/api/verify/jobs/{job}").json()
        if body["state"] != "running":
            break
        time.sleep(0.05)
    assert body["state"] == "done" and body["result"]["ok"], body


def test_a_reader_computes_in_utc_without_setting_it_itself(tmp_path):
    """Readers rely on the model's GLOBAL setting (one DuckDB call fewer per read): whatever the connection that
    made them was set to for itself, their instants are UTC, which the report SQL assumes."""
    with ReadModel(tmp_path / "m.duckdb") as model:
        model.con.execute("SET TimeZone = 'Asia/Tokyo'")  # the model's own session setting, not its readers'
        reader = model.reader()
        try:
            assert reader.con.execute("SELECT current_setting('TimeZone')").fetchall() == [("UTC",)]
        finally:
            reader.close()
