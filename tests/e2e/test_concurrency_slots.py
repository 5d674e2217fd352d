"""Several processes reading at once: each gets its own read-model slot, none waits for another."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

from conftest import LedgerEnv, make, study, unit

ROOT = Path(__file__).resolve().parents[2]

HOLD_AND_REPORT = """
import json, sys, time
from pathlib import Path
from conftest import settings_for
settings = settings_for(Path(sys.argv[1]))
ledger = settings.ledger()
started = time.monotonic()
with settings.read_model() as model:
    model.catch_up(ledger.recorder)
    print(json.dumps({"slot": model.path.name, "waited": time.monotonic() - started,
                      "value": model.report("u1", 2025).to_json()["figures"]["study.sessions"]["value"]}), flush=True)
    time.sleep(float(sys.argv[2]))
"""


def filled(tmp_path: Path, sessions: int = 5) -> LedgerEnv:
    env = make(tmp_path)
    env.ok(unit("u1", "测试中心"), *[study(f"S-{i}", "2025-03-01") for i in range(sessions)])
    return env


def figures_and_log(report: dict) -> tuple:
    return report["figures"], report["log"]


def child(home: Path, hold: float) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", HOLD_AND_REPORT, str(home), str(hold)],
        cwd=ROOT / "tests",
        env={**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}"},
        stdout=subprocess.PIPE,
        text=True,
    )


def test_two_processes_hold_read_models_at_the_same_time(tmp_path: Path) -> None:
    env = filled(tmp_path)
    with env.read_model() as mine:
        assert mine.path.name == "readmodel.duckdb"
        proc = child(tmp_path, 0)
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0
        theirs = json.loads(out)
        assert theirs["slot"] == "readmodel-2.duckdb"
        assert theirs["value"] == mine.report("u1", 2025).to_json()["figures"]["study.sessions"]["value"] == 5


def test_three_processes_reading_at_once_each_have_a_slot_and_agree(tmp_path: Path) -> None:
    filled(tmp_path, 7)
    procs = [child(tmp_path, 1.0) for _ in range(3)]
    outs = [p.communicate(timeout=180)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0]
    seen = [json.loads(o) for o in outs]
    assert {s["value"] for s in seen} == {7}
    assert len({s["slot"] for s in seen}) == 3, "each process that held a model at the same time had its own"


def test_a_new_slot_starts_as_a_copy_of_a_slot_let_go_meanwhile(tmp_path: Path) -> None:
    env = filled(tmp_path)
    last = env.ledger.recorder.max_notification_id()
    first = env.read_model()  # slot 1, caught up
    threading.Timer(0.5, first.close).start()
    with env.settings.read_model() as second:
        assert second.path.name == "readmodel-2.duckdb"
        assert second.position() == last, "copied from the caught-up slot, not rebuilt"
        assert second.report("u1", 2025).to_json()["figures"]["study.sessions"]["value"] == 5


def test_a_slot_created_while_every_other_is_held_is_built_from_the_log(tmp_path: Path, monkeypatch) -> None:
    from projections import slots

    monkeypatch.setattr(slots, "SEED_WAIT", 0.2)
    env = filled(tmp_path)
    with env.read_model() as first, env.settings.read_model() as second:
        assert second.path.name == "readmodel-2.duckdb" and second.position() == 0
        second.catch_up(env.ledger.recorder)
        theirs, ours = second.report("u1", 2025).to_json(), first.report("u1", 2025).to_json()
        assert figures_and_log(theirs) == figures_and_log(ours)


def test_rebuild_renews_every_slot(tmp_path: Path, monkeypatch) -> None:
    from projections import slots

    monkeypatch.setattr(slots, "SEED_WAIT", 0.2)
    env = filled(tmp_path)
    last = env.ledger.recorder.max_notification_id()
    held = env.read_model()  # slot 1, caught up, busy during the rebuild
    with env.read_model() as idle:
        assert idle.path.name == "readmodel-2.duckdb"
    with env.settings.fresh_read_model() as fresh:
        assert fresh.path.name == "readmodel-2.duckdb" and fresh.position() == 0
        fresh.catch_up(env.ledger.recorder)
        rebuilt = fresh.report("u1", 2025).to_json()
    held.close()
    with env.settings.read_model() as reopened:
        assert reopened.path.name == "readmodel.duckdb"
        assert reopened.position() == 0, "a slot of the generation before the rebuild starts over"
        reopened.catch_up(env.ledger.recorder)
        assert reopened.position() == last
        assert figures_and_log(reopened.report("u1", 2025).to_json()) == figures_and_log(rebuilt)
