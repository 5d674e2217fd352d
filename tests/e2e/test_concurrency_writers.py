"""Eight writer processes at once, on each store, with the projection worker running beside them:
no line lost, none applied twice, every event projected once, and the worker's read model current."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import TZ

from api.infra.settings import Settings
from projections.slots import idle_position, slot_path

ROOT = Path(__file__).resolve().parents[2]
WRITERS = 8
BATCHES = 12  # per writer, 5 lines each, after the lines every writer shares
SHARED = 300  # lines every writer applies (one file of 600 events: a COPY on PostgreSQL): one writer applies each

WRITER = """
import json, sys
from pathlib import Path
from api.infra.settings import Settings
home, url = Path(sys.argv[1]), sys.argv[2] or None
w, batches, shared = (int(a) for a in sys.argv[3:6])
ledger = Settings(home, url, "Asia/Shanghai", f"writer{w}").ledger()

def study(line_id, ref):
    data = {"form": "central_group", "topic": "学法", "attendees": 10}
    return {"id": line_id, "op": "record", "unit": "u1", "kind": "study_session", "ref": ref, "date": "2025-03-01",
            "data": data}

files = [[study(f"shared-{j}", f"SH-{j}") for j in range(shared)]]
files += [[study(f"w{w}-{b}-{i}", f"W{w}-{b}-{i}") for i in range(5)] for b in range(batches)]
applied = skipped = retries = 0
for lines in files:
    while True:
        outcome = ledger.apply(list(enumerate(lines, 1)), f"writer{w}")
        if outcome.ok:
            break
        assert all("冲突" in e.message for e in outcome.errors), [str(e) for e in outcome.errors]
        retries += 1  # a clash with another writer's transaction: try again, as a user would
    applied += outcome.applied
    skipped += outcome.skipped
print(json.dumps({"applied": applied, "skipped": skipped, "retries": retries}))
"""


def settings(home: Path, url: str | None) -> Settings:
    return Settings(home, url, TZ, "tester")


def spawn(args: list[str], home: Path, url: str | None) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TAIZHANG_HOME": str(home)}
    env.pop("TAIZHANG_DATABASE_URL", None)
    if url:
        env["TAIZHANG_DATABASE_URL"] = url
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_eight_writer_processes_lose_and_duplicate_nothing(store_url: str | None, tmp_path: Path) -> None:
    cfg = settings(tmp_path, store_url)
    ledger = cfg.ledger()
    assert ledger.apply([(1, {"id": "u", "op": "unit", "unit": "u1", "data": {"name": "中心"}})], "t").ok
    taizhang = str(Path(sys.executable).parent / "taizhang")
    worker = spawn([taizhang, "project", "--interval", "0.5"], tmp_path, store_url)
    writers = [
        spawn(
            [sys.executable, "-c", WRITER, str(tmp_path), store_url or "", str(w), str(BATCHES), str(SHARED)],
            tmp_path,
            store_url,
        )
        for w in range(WRITERS)
    ]
    results = []
    for proc in writers:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-3000:]
        results.append(json.loads(out))
    written_at = time.monotonic()

    own = WRITERS * BATCHES * 5
    assert sum(r["applied"] for r in results) == own + SHARED, "each shared line applied by exactly one writer"
    assert sum(r["skipped"] for r in results) == SHARED * (WRITERS - 1)

    # The store: one receipt per line id, one record event per activity, no gap in any aggregate's versions.
    last = ledger.recorder.max_notification_id()
    notes = ledger.recorder.select_notifications(0, 100_000, inclusive_of_start=False)
    assert len(notes) == 2 * (own + SHARED + 1)
    assert len({(n.originator_id, n.originator_version) for n in notes}) == len(notes)
    assert [n.id for n in notes] == sorted(n.id for n in notes) and notes[-1].id == last

    # The projection worker, a process of its own, brings its read model up to the end of the log.
    deadline = written_at + 30
    while time.monotonic() < deadline and (idle_position(slot_path(cfg.home, 1), TZ) or 0) < last:
        time.sleep(0.2)
    worker.send_signal(signal.SIGINT)
    worker.communicate(timeout=60)
    with cfg.read_model() as model:
        assert model.position() == last, "caught up by the worker before anyone asked"
        line_ids = model.con.execute("SELECT line_id, count(*) FROM events GROUP BY line_id").fetchall()
        assert all(n == 1 for _, n in line_ids)
        assert len(line_ids) == own + SHARED + 1
        assert model.report("u1", 2025).to_json()["figures"]["study.sessions"]["value"] == own + SHARED
