"""Issue 13.1: an import onto a ledger that already has a folded read model must leave the figures right.

The incremental fold once refolded "activities touched since the last fold" through a subquery that every one
of the ~100 figure parts re-ran: a 40,000-line import onto a ledger took DuckDB past its 600 MB limit after the
import had committed, and every report failed until a rebuild. Here the same shape, at a tenth of the size,
under a tenth of the memory limit: the fold must complete and agree with a rebuild.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from api.infra.settings import Settings
from projections import ingest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from bench.core import generate_chunk  # noqa: E402 — the benchmark's generator of mixed, valid lines


def _report(model, unit: str, year: int) -> dict:
    r = model.report(unit, year).to_json()
    return {"figures": r["figures"], "checks": r["checks"], "log": r["log"]}


@pytest.mark.slow  # tens of thousands of lines under a memory limit
@pytest.mark.parametrize("refold_all", [0.5, 1e9], ids=["threshold", "chunked"])
def test_increment_folds_within_a_small_memory_limit(tmp_path, monkeypatch, refold_all):
    monkeypatch.setattr(ingest, "REFOLD_ALL", refold_all, raising=False)
    monkeypatch.setattr(ingest, "FOLD_CHUNK", 1500, raising=False)
    cfg = Settings(home=tmp_path, database_url=None, tz="Asia/Shanghai", user="测试员")
    ledger = cfg.ledger()
    first = generate_chunk(0, 3000, 3, 7, True)
    second = generate_chunk(1, 4000, 3, 7, False)
    assert ledger.apply(list(enumerate(first, 1)), "测试员").ok
    with cfg.read_model() as model:
        model.catch_up(ledger.recorder)
        model.con.execute("SET memory_limit = '250MB'")
        assert ledger.apply(list(enumerate(second, 1)), "测试员").ok
        model.catch_up(ledger.recorder)
        incremental = [_report(model, u, y) for u in ("bench", "bench-u01") for y in (2023, 2024, 2025)]
    with cfg.fresh_read_model() as model:
        model.catch_up(ledger.recorder)
        rebuilt = [_report(model, u, y) for u in ("bench", "bench-u01") for y in (2023, 2024, 2025)]
    assert json.dumps(incremental, sort_keys=True) == json.dumps(rebuilt, sort_keys=True)
