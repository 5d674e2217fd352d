"""Incremental fold benchmark (issue 13.1): an import onto a ledger whose read model is already folded.

Usage:
    .venv/bin/python bench/fold.py [--bases 300,100000,1000000] [--increments 2000,20000,200000]
                                   [--out bench/results/fold.json]

For every base ledger (events) and increment (activities, with their steps, corrections and voids, from
`bench/core.py`'s generator), in fresh child processes:
  1. the base store is built once and its read model folded (cached under bench/results/);
  2. a copy gets the increment imported (`Ledger.apply`);
  3. measured: `ReadModel.catch_up` of the copy's read model, time and peak RSS (VmHWM of that child);
  4. baseline, same run: a rebuild of the same store from scratch (time and peak RSS).
The figures of the caught-up and the rebuilt read model are compared (they must be equal).
Target: peak RSS <= 1 GiB for every row.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.core import RESULTS, ROOT, TZ, USER, chunk_plan, generate_chunk, log, peak_rss_mib  # noqa: E402

RESULT_MARK = "@@RESULT "

UNITS = 20
SEED = 11
TARGET_MIB = 1024.0


def _settings(home: Path) -> Any:
    from api.infra.settings import Settings

    return Settings(home=home, database_url=None, tz=TZ, user=USER)


def _increment_lines(activities: int) -> list[dict[str, Any]]:
    """Lines of about `activities` new activities (records with their steps, corrections and voids)."""
    lines: list[dict[str, Any]] = []
    chunk = 5000
    while sum(1 for x in lines if x["op"] == "record") < activities:
        lines += generate_chunk(chunk, 20_000, UNITS, SEED, with_units=False)
        chunk += 1
    records = 0
    for i, line in enumerate(lines):
        records += line["op"] == "record"
        if records > activities:
            lines = lines[:i]
            break
    # A prefix may cut an activity off from its later steps; keep only lines whose record is in.
    kept = {(x["unit"], x["ref"]) for x in lines if x["op"] == "record"}
    return [x for x in lines if (x["unit"], x["ref"]) in kept]


def child_base(spec: dict[str, Any]) -> dict[str, Any]:
    home = Path(spec["home"])
    settings = _settings(home)
    ledger = settings.ledger()
    for i, size in enumerate(chunk_plan(spec["events"], 20_000)):
        lines = generate_chunk(i, size, UNITS, SEED, with_units=i == 0)
        outcome = ledger.apply(list(enumerate(lines, 1)), USER)
        assert outcome.ok, outcome.errors[:3]
    with settings.read_model() as model:
        model.catch_up(ledger.recorder)
        return {"events": model.position()}


def child_apply(spec: dict[str, Any]) -> dict[str, Any]:
    ledger = _settings(Path(spec["home"])).ledger()
    lines = _increment_lines(spec["activities"])
    started = time.perf_counter()
    outcome = ledger.apply(list(enumerate(lines, 1)), USER)
    assert outcome.ok, outcome.errors[:3]
    return {"lines": len(lines), "activities": sum(1 for x in lines if x["op"] == "record"),
            "events": outcome.events, "seconds": time.perf_counter() - started}


def _figures(model: Any) -> str:
    reports = [model.report(u, y).to_json() for u in ("bench", "bench-u01") for y in (2023, 2024, 2025)]
    return json.dumps([r["figures"] for r in reports], sort_keys=True)


def child_fold(spec: dict[str, Any]) -> dict[str, Any]:
    settings = _settings(Path(spec["home"]))
    ledger = settings.ledger()
    started = time.perf_counter()
    model = settings.read_model() if spec["which"] == "increment" else settings.fresh_read_model()
    with model:
        model.catch_up(ledger.recorder)
        seconds = time.perf_counter() - started
        rss = peak_rss_mib()
        figures = _figures(model)
    return {"seconds": seconds, "peak_rss_mib": rss, "figures": figures}


CHILDREN = {"base": child_base, "apply": child_apply, "fold": child_fold}


def run_child(name: str, spec: dict[str, Any]) -> dict[str, Any]:
    """Run one piece in a fresh process (its own peak RSS, no warm caches) and return what it measured."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", name, json.dumps(spec)]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    found = [x for x in proc.stdout.splitlines() if x.startswith(RESULT_MARK)]
    if proc.returncode != 0 or not found:
        raise RuntimeError(f"child {name} failed (exit {proc.returncode})")
    return json.loads(found[-1][len(RESULT_MARK) :])


def base_store(events: int) -> Path:
    home = RESULTS / f"fold-base-e{events}-u{UNITS}-s{SEED}"
    if not (home / "complete.json").exists():
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        log(f"building base ledger of {events:,} events")
        info = run_child("base", {"home": str(home), "events": events})
        (home / "complete.json").write_text(json.dumps(info))
    return home


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(RESULT_MARK + json.dumps(CHILDREN[sys.argv[2]](json.loads(sys.argv[3]))), flush=True)
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bases", default="300,100000,1000000")
    ap.add_argument("--increments", default="2000,20000,200000")
    ap.add_argument("--out", default=str(RESULTS / "fold.json"))
    args = ap.parse_args()
    rows = []
    for events in map(int, args.bases.split(",")):
        base = base_store(events)
        for activities in map(int, args.increments.split(",")):
            work = RESULTS / "fold-work"
            shutil.rmtree(work, ignore_errors=True)
            shutil.copytree(base, work, ignore=shutil.ignore_patterns("*.lock", "complete.json"))
            applied = run_child("apply", {"home": str(work), "activities": activities})
            inc = run_child("fold", {"home": str(work), "which": "increment"})
            reb = run_child("fold", {"home": str(work), "which": "rebuild"})
            row = {
                "base_events": events,
                "activities": applied["activities"],
                "lines": applied["lines"],
                "increment_events": applied["events"],
                "fold_seconds": inc["seconds"],
                "fold_peak_rss_mib": inc["peak_rss_mib"],
                "rebuild_seconds": reb["seconds"],
                "rebuild_peak_rss_mib": reb["peak_rss_mib"],
                "same_figures": inc["figures"] == reb["figures"],
            }
            rows.append(row)
            log(json.dumps(row))
            shutil.rmtree(work, ignore_errors=True)
    Path(args.out).write_text(json.dumps(rows, indent=2))
    print("| base ledger, events | import, activities (lines) | catch-up s | peak RSS MiB | rebuild s (baseline) "
          "| rebuild peak RSS MiB | ≤ 1 GiB | same figures |")
    print("|---:|---:|---:|---:|---:|---:|:--:|:--:|")
    for r in rows:
        ok = "met" if r["fold_peak_rss_mib"] <= TARGET_MIB else "NOT met"
        print(f"| {r['base_events']:,} | {r['activities']:,} ({r['lines']:,}) | {r['fold_seconds']:.2f} "
              f"| {r['fold_peak_rss_mib']:.0f} | {r['rebuild_seconds']:.2f} | {r['rebuild_peak_rss_mib']:.0f} "
              f"| {ok} | {'yes' if r['same_figures'] else 'NO'} |")


if __name__ == "__main__":
    main()
