"""Readers arriving together after a fold compute the report once (issue 13.4): the others wait for it."""

from __future__ import annotations

import threading
import time

from conftest import study

from projections import report as reports


def _read_together(model, n: int) -> list:
    out: list = []
    errors: list = []

    def read() -> None:
        reader = model.reader()
        try:
            out.append(reader.report("u1", 2025).to_json()["figures"]["study.sessions"]["value"])
        except Exception as e:  # noqa: BLE001 — collected for the assertion
            errors.append(e)
        finally:
            reader.close()

    threads = [threading.Thread(target=read) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return out + errors


def test_six_readers_of_the_same_report_compute_it_once(env, monkeypatch):
    env.ok(*[study(f"S-{i}", "2025-03-01") for i in range(3)])
    real = reports.compute
    calls = []

    def slow(*args, **kw):
        calls.append(1)
        time.sleep(0.3)  # long enough for every reader to arrive while it runs
        return real(*args, **kw)

    monkeypatch.setattr(reports, "compute", slow)
    with env.read_model() as model:
        assert _read_together(model, 6) == [3] * 6
        assert len(calls) == 1
        env.ok(study("S-new", "2025-03-01"))  # a write: the next readers compute the new report, once
        model.catch_up(env.ledger.recorder)
        assert _read_together(model, 6) == [4] * 6
        assert len(calls) == 2


def test_when_the_computing_reader_fails_the_waiting_ones_compute_it_themselves(env, monkeypatch):
    env.ok(study("S-1", "2025-03-01"))
    real = reports.compute
    calls = []

    def first_fails(*args, **kw):
        calls.append(1)
        if len(calls) == 1:
            time.sleep(0.3)
            raise RuntimeError("disk hiccup")
        return real(*args, **kw)

    monkeypatch.setattr(reports, "compute", first_fails)
    with env.read_model() as model:
        results = _read_together(model, 4)
    assert sorted(r for r in results if isinstance(r, int)) == [1, 1, 1]
    assert [str(r) for r in results if isinstance(r, Exception)] == ["disk hiccup"]
    assert 2 <= len(calls) <= 4  # nobody waits forever on a report that failed
