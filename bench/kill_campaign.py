"""Kill campaign (issue 13): SIGKILL `taizhang import`, `taizhang rebuild` and the server at random moments, then
check the ledger: no acknowledged write lost, none applied twice, no import half-applied, figures as before.

    .venv/bin/python -m bench.kill_campaign                      # 12 imports, 12 rebuilds, 6 server kills
    .venv/bin/python -m bench.kill_campaign --imports 30 --rebuilds 30 --serves 20 --seed 1

One ledger on the embedded store (TAIZHANG_DATABASE_URL for PostgreSQL), seeded with study sessions.
- import: a file of new records and corrections of seeded ones is imported and killed after a random share of
  an uninterrupted import's time (measured first). Its lines must then be all in the log or none (an import is
  all or nothing); one that printed `applied` before the kill must be all in. Then it is imported again, as a
  user would: every line exactly once.
- rebuild: `taizhang rebuild` killed at a random moment; then `taizhang report` (which catches up) must give
  the figures of the report taken before the campaign (updated for the imports since).
- serve: one uvicorn worker, six clients posting records with an Idempotency-Key, the server killed after a
  random 0.5–2.5 s and started again; clients retry what had no answer with the same key. Every 201 seen must
  be in the log once, and, after the retries, every record sent exactly once.
Checked from the event store itself (activity events counted by line id), not from the read model.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

from bench.http_load import ROOT, SESSION, UNIT, Served, _settings, prepare

TAIZHANG = str(Path(sys.executable).with_name("taizhang"))


def applied_lines(home: Path) -> Counter[str]:
    """line id -> how many activity events carry it, read from the event store."""
    ledger = _settings(home).ledger()
    out: Counter[str] = Counter()
    try:
        start = 1
        while batch := ledger.recorder.select_notifications(start, 5000):
            for n in batch:
                if n.topic.startswith("domain.activity:"):
                    state = n.state.decode() if isinstance(n.state, bytes | memoryview) else n.state
                    line = json.loads(bytes(state) if isinstance(state, memoryview) else state).get("line_id")
                    if line:
                        out[line] += 1
            start = batch[-1].id + 1
    finally:
        ledger.close()
    return out


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "TAIZHANG_HOME": str(home)}


def _run(home: Path, *args: str, kill_after: float | None = None) -> tuple[int | None, str]:
    """Run `taizhang args`; with `kill_after`, SIGKILL it then (None when it finished first)."""
    proc = subprocess.Popen(
        [TAIZHANG, "--by", "loader", *args], env=_env(home), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    killed = False
    if kill_after is not None:
        try:
            proc.wait(timeout=kill_after)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            killed = True
    out = proc.communicate()[0].decode(errors="replace")
    return (None if killed else proc.returncode), out


def _figures(home: Path) -> dict[str, Any]:
    code, out = _run(home, "report", "--unit", UNIT, "--year", "2025")
    assert code == 0, out
    report = json.loads(out)
    return {k: v.get("value") for k, v in report["figures"].items()}


def _import_file(path: Path, i: int, records: int, seeded: int) -> list[str]:
    lines = [
        {"id": f"imp{i}-{j}", "op": "record", "unit": UNIT, "kind": "study_session", "ref": f"IMP{i}-{j}",
         "date": "2025-04-01", "data": SESSION}
        for j in range(records)
    ] + [
        {"id": f"imp{i}-fix{j}", "op": "correct", "unit": UNIT, "ref": f"SEED-{j}", "data": {"attendees": 20 + i},
         "reason": "核对签到表"}
        for j in range(1, min(seeded, records // 4) + 1)
    ]  # fmt: skip
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    return [line["id"] for line in lines]


def imports(home: Path, runs: int, rng: random.Random, records: int, seeded: int) -> dict[str, int]:
    start = time.perf_counter()
    ids = _import_file(home / "imp-timing.jsonl", 0, records, seeded)
    code, out = _run(home, "import", str(home / "imp-timing.jsonl"))
    assert code == 0, out
    full = time.perf_counter() - start
    tally = Counter(killed=0, finished=0, none_in=0, all_in=0, half=0, twice=0, lost_acknowledged=0)
    for i in range(1, runs + 1):
        path = home / f"imp-{i}.jsonl"
        ids = _import_file(path, i, records, seeded)
        code, out = _run(home, "import", str(path), kill_after=rng.uniform(0.0, full * 1.1))
        tally["killed" if code is None else "finished"] += 1
        seen = applied_lines(home)
        present = sum(1 for x in ids if seen[x] > 0)
        tally["twice"] += sum(1 for x in ids if seen[x] > 1)
        if present == 0:
            tally["none_in"] += 1
            tally["lost_acknowledged"] += "applied" in out
        elif present == len(ids):
            tally["all_in"] += 1
        else:
            tally["half"] += 1
        code, out = _run(home, "import", str(path))  # again, as the user would after a crash
        assert code == 0, out
        seen = applied_lines(home)
        tally["twice"] += sum(1 for x in ids if seen[x] != 1)
    tally["import_seconds_x1000"] = round(full * 1000)
    return dict(tally)


def rebuilds(home: Path, runs: int, rng: random.Random) -> dict[str, int]:
    reference = _figures(home)
    start = time.perf_counter()
    code, out = _run(home, "rebuild")
    assert code == 0, out
    full = time.perf_counter() - start
    tally = Counter(killed=0, finished=0, same_figures=0, different=0, failed=0)
    for _ in range(runs):
        code, _out = _run(home, "rebuild", kill_after=rng.uniform(0.0, full * 1.1))
        tally["killed" if code is None else "finished"] += 1
        try:
            tally["same_figures" if _figures(home) == reference else "different"] += 1
        except AssertionError:
            tally["failed"] += 1
    tally["rebuild_seconds_x1000"] = round(full * 1000)
    return dict(tally)


def _post(url: str, token: str, ref: str) -> int | None:
    body = json.dumps(
        {"unit": UNIT, "kind": "study_session", "ref": ref, "date": "2025-05-01", "data": SESSION}, ensure_ascii=False
    ).encode()
    request = urllib.request.Request(
        url + "/api/records", body, method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}", "Idempotency-Key": ref},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return None  # no answer: the server died (or never started)


def serves(home: Path, token: str, runs: int, rng: random.Random, clients: int = 6) -> dict[str, int]:
    acknowledged: set[str] = set()
    pending: list[str] = []  # sent, no answer: retried with the same key
    lock = threading.Lock()
    tally = Counter(kills=0, acknowledged=0, retried=0, errors_4xx_5xx=0)
    counter = iter(range(10**9))

    def client(url: str, stop: threading.Event) -> None:
        while not stop.is_set():
            with lock:
                ref = pending.pop() if pending else f"SRV-{next(counter)}"
            status = _post(url, token, ref)
            with lock:
                if status in (200, 201):
                    acknowledged.add(ref)
                elif status is None:
                    pending.append(ref)
                    tally["retried"] += 1
                    return  # this server is gone; the next round starts new clients
                else:
                    tally["errors_4xx_5xx"] += 1

    for _ in range(runs):
        served = Served(home)
        stop = threading.Event()
        threads = [threading.Thread(target=client, args=(served.url, stop)) for _ in range(clients)]
        for t in threads:
            t.start()
        time.sleep(rng.uniform(0.5, 2.5))
        served.proc.send_signal(signal.SIGKILL)
        served.proc.wait()
        tally["kills"] += 1
        stop.set()
        for t in threads:
            t.join()
    with Served(home) as served:  # the retries of what never had an answer
        while pending:
            ref = pending.pop()
            status = _post(served.url, token, ref)
            assert status in (200, 201), (ref, status)
            acknowledged.add(ref)
    seen = applied_lines(home)
    sent = {f"SRV-{i}" for i in range(next(counter))}
    keys = {line: n for line, n in seen.items() if line.startswith("loader:SRV-")}
    tally["acknowledged"] = len(acknowledged)
    tally["lost_acknowledged"] = sum(1 for ref in acknowledged if keys.get(f"loader:{ref}", 0) == 0)
    tally["twice"] = sum(1 for n in keys.values() if n > 1)
    tally["sent_not_once"] = sum(1 for ref in sent if keys.get(f"loader:{ref}", 0) != 1)
    return dict(tally)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--imports", type=int, default=12)
    ap.add_argument("--rebuilds", type=int, default=12)
    ap.add_argument("--serves", type=int, default=6)
    ap.add_argument("--seed-records", type=int, default=2000)
    ap.add_argument("--import-records", type=int, default=400)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "kill_campaign.json"))
    args = ap.parse_args()
    rng = random.Random(args.seed)
    home = Path(tempfile.mkdtemp(prefix="taizhang-kill-"))
    try:
        token = prepare(home)
        ledger = _settings(home).ledger()
        seed = [
            (i, {"id": f"seed-{i}", "op": "record", "unit": UNIT, "kind": "study_session", "ref": f"SEED-{i}",
                 "date": "2025-03-01", "data": SESSION})
            for i in range(1, args.seed_records + 1)
        ]  # fmt: skip
        assert ledger.apply(seed, "bench").ok
        ledger.close()
        results = {
            "import": imports(home, args.imports, rng, args.import_records, args.seed_records),
            "rebuild": rebuilds(home, args.rebuilds, rng),
            "serve": serves(home, token, args.serves, rng),
        }
    finally:
        shutil.rmtree(home, ignore_errors=True)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2))
    for name, tally in results.items():
        print(f"{name}: " + ", ".join(f"{k} {v}" for k, v in tally.items()))


if __name__ == "__main__":
    main()
