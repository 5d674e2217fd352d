"""The measured pieces of bench/suite.py, each run in a child process of its own (`run`): appends through
taizhang and through the raw library, concurrent writers, rebuild and raw read, on SQLite or PostgreSQL.

A spec's "url" is None for the embedded SQLite store in spec["home"], else a PostgreSQL URL.
"""

from __future__ import annotations

import gc
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.core import Entry, RawApp, generate_chunk, peak_rss_mib  # noqa: E402

TZ = "Asia/Shanghai"
USER = "bench"
MARK = "@@SUITE "


def settings(home: Path, url: str | None) -> Any:
    from api.infra.settings import Settings

    return Settings(home=home, database_url=url, tz=TZ, user=USER)


def raw_app(home: Path, url: str | None) -> Any:
    from api.infra import postgres

    env = settings(home, url).event_store_env()
    if url is None:
        return RawApp(env=env)
    with postgres.ready(env, f"{RawApp.name}_events") as ready:
        return RawApp(env=ready)


def append(spec: dict[str, Any]) -> dict[str, Any]:
    """`lines` generated lines, one per call (single) or all in one call (batched), by taizhang or the library."""
    home = Path(spec["home"])
    lines = list(enumerate(generate_chunk(spec.get("chunk", 0), spec["lines"], spec["units"], spec["seed"], True), 1))
    if spec["which"] == "product":
        ledger = settings(home, spec["url"]).ledger()
        gc.collect()
        t0 = time.perf_counter()
        if spec["mode"] == "batched":
            outcome = ledger.apply(lines, USER)
            assert outcome.ok, outcome.errors[:3]
        else:
            for line in lines:
                assert ledger.apply([line], USER).ok
        seconds = time.perf_counter() - t0
        events = ledger.recorder.max_notification_id() or 0
    else:
        app = raw_app(home, spec["url"])
        gc.collect()
        t0 = time.perf_counter()
        if spec["mode"] == "batched":
            app.save(*[Entry(line) for _, line in lines])
        else:
            for _, line in lines:
                app.save(Entry(line))
        seconds = time.perf_counter() - t0
        events = app.recorder.max_notification_id() or 0
    return {"lines": len(lines), "events": events, "seconds": seconds, "rate": len(lines) / seconds,
            "peak_rss_mib": peak_rss_mib()}  # fmt: skip


def writer(spec: dict[str, Any]) -> dict[str, Any]:
    """One of several concurrent writers: its own chunk of lines (ids unique to it), in files of `batch`."""
    ledger = settings(Path(spec["home"]), spec["url"]).ledger()
    lines = generate_chunk(spec["chunk"], spec["lines"], spec["units"], spec["seed"], False)
    retries = 0
    t0 = time.perf_counter()
    for start in range(0, len(lines), spec["batch"]):
        batch = list(enumerate(lines[start : start + spec["batch"]], 1))
        while not (outcome := ledger.apply(batch, USER)).ok:
            assert all("冲突" in e.message for e in outcome.errors), outcome.errors[:3]
            retries += 1
    return {"lines": len(lines), "seconds": time.perf_counter() - t0, "retries": retries}


def rebuild(spec: dict[str, Any]) -> dict[str, Any]:
    """A fresh read model caught up from the whole log (product) or every event read and decoded (raw)."""
    home = Path(spec["home"])
    ledger = settings(home, spec["url"]).ledger()
    gc.collect()
    t0 = time.perf_counter()
    if spec["which"] == "product":
        from projections.readmodel import ReadModel

        scratch = Path(tempfile.mkdtemp(prefix="suite-rebuild-"))
        with ReadModel.fresh(scratch / "readmodel.duckdb", TZ) as model:
            n = model.catch_up(ledger.recorder)
        seconds = time.perf_counter() - t0
        shutil.rmtree(scratch, ignore_errors=True)
    else:
        position, n = 0, 0
        to_domain_event = ledger.mapper.to_domain_event
        while notes := ledger.recorder.select_notifications(position, 20_000, inclusive_of_start=False):
            for note in notes:
                to_domain_event(note)
            position = notes[-1].id
            n += len(notes)
        seconds = time.perf_counter() - t0
    return {"events": n, "seconds": seconds, "rate": n / seconds, "peak_rss_mib": peak_rss_mib()}


PARTS = {"append": append, "writer": writer, "rebuild": rebuild}


def start(part: str, spec: dict[str, Any]) -> subprocess.Popen[str]:
    cmd = [sys.executable, str(Path(__file__).resolve()), part, json.dumps(spec)]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT)


def result(proc: subprocess.Popen[str]) -> dict[str, Any]:
    out, _ = proc.communicate()
    found = [line[len(MARK) :] for line in out.splitlines() if line.startswith(MARK)]
    if proc.returncode != 0 or not found:
        raise RuntimeError(f"bench part {proc.args[2:3]} failed (exit {proc.returncode})")  # type: ignore[index]
    return json.loads(found[-1])


def run(part: str, spec: dict[str, Any]) -> dict[str, Any]:
    return result(start(part, spec))


if __name__ == "__main__":
    print(MARK + json.dumps(PARTS[sys.argv[1]](json.loads(sys.argv[2]))), flush=True)
