"""`taizhang project`, the projection worker, on each store: it brings the read model up to a write made by
another process within a second, and a catch-up killed half-way on PostgreSQL resumes to the same report."""

from __future__ import annotations

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
TAIZHANG = str(Path(sys.executable).parent / "taizhang")


def study(i: int) -> dict:
    data = {"form": "central_group", "topic": "学法", "attendees": 10}
    line = {"id": f"s{i}", "op": "record", "unit": "u1", "kind": "study_session", "ref": f"S-{i}"}
    return line | {"date": "2025-03-01", "data": data}


def env_for(home: Path, url: str | None) -> dict[str, str]:
    env = {**os.environ, "TAIZHANG_HOME": str(home), "PYTHONPATH": str(ROOT)}
    env.pop("TAIZHANG_DATABASE_URL", None)
    return env | ({"TAIZHANG_DATABASE_URL": url} if url else {})


def test_project_once_builds_the_read_model_and_says_so(store_url: str | None, tmp_path: Path) -> None:
    ledger = Settings(tmp_path, store_url, TZ, "t").ledger()
    unit = {"id": "u", "op": "unit", "unit": "u1", "data": {"name": "中心"}}
    assert ledger.apply(list(enumerate([unit, *map(study, range(5))], 1)), "t").ok
    last = ledger.recorder.max_notification_id()
    env = env_for(tmp_path, store_url)
    out = subprocess.run([TAIZHANG, "project", "--once"], env=env, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert f"log at {last}: readmodel.duckdb +{last} → {last}" in out.stdout
    assert idle_position(slot_path(tmp_path, 1), TZ) == last


def test_the_worker_projects_another_process_s_writes_unasked(store_url: str | None, tmp_path: Path) -> None:
    """Each write made by another process becomes visible in the worker's read model without any command
    asking for it (how soon is measured by bench/, not asserted here: a loaded machine is not a failure)."""
    ledger = Settings(tmp_path, store_url, TZ, "t").ledger()
    assert ledger.apply([(1, {"id": "u", "op": "unit", "unit": "u1", "data": {"name": "中心"}})], "t").ok
    worker = subprocess.Popen(
        [TAIZHANG, "project", "--interval", "30"], env=env_for(tmp_path, store_url), stderr=subprocess.PIPE, text=True
    )
    try:
        assert worker.stderr is not None
        woken_by = "listen" if store_url else "poll"
        assert f"woken by {woken_by}" in worker.stderr.readline()
        _wait_for(tmp_path, ledger.recorder.max_notification_id(), 30)
        for i in range(3):
            writer = Settings(tmp_path, store_url, TZ, "t").ledger()  # as another web worker would
            assert writer.apply([(1, study(i))], "t").ok
            # Fewer than the worker's 30 s --interval: only being woken by the write brings it this far.
            _wait_for(tmp_path, writer.recorder.max_notification_id(), 25)
    finally:
        worker.send_signal(signal.SIGINT)
        worker.wait(30)


def _wait_for(home: Path, position: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while (idle_position(slot_path(home, 1), TZ) or 0) < position:
        assert time.monotonic() < deadline, f"the worker did not reach {position}"
        time.sleep(0.1)  # looking takes the slot for a moment: the worker would wait


KILL_SCRIPT = """
import sys
from pathlib import Path
from api.infra.settings import Settings
settings = Settings(Path(sys.argv[1]), sys.argv[2], "Asia/Shanghai", "t")
ledger = settings.ledger()
with settings.fresh_read_model() as model:
    print("start", flush=True)
    model.catch_up(ledger.recorder, batch_size=300)
"""


def test_a_catch_up_killed_half_way_on_postgres_resumes_to_the_same_report(postgres_url: str, tmp_path: Path) -> None:
    url = f"{postgres_url}?schema=@home"
    settings = Settings(tmp_path, url, TZ, "t")
    ledger = settings.ledger()
    lines = [{"id": "u", "op": "unit", "unit": "u1", "data": {"name": "中心"}}, *map(study, range(4000))]
    assert ledger.apply(list(enumerate(lines, 1)), "t").ok
    with settings.fresh_read_model() as model:
        model.catch_up(ledger.recorder)
        expected = model.report("u1", 2025).to_json()["figures"]
    for delay in (0.5, 1.2):
        proc = subprocess.Popen(
            [sys.executable, "-c", KILL_SCRIPT, str(tmp_path), url],
            cwd=ROOT,
            env=env_for(tmp_path, None),
            stdout=subprocess.PIPE,
        )
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"start"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        with settings.read_model() as model:
            model.catch_up(ledger.recorder)
            assert model.position() == ledger.recorder.max_notification_id()
            assert model.report("u1", 2025).to_json()["figures"] == expected
