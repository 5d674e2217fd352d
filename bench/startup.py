"""Start-up benchmark of the `taizhang` command (issue 10): wall clock of a whole process, median of N runs.

    .venv/bin/python bench/startup.py [--runs 11] [--before /tmp/base]

Interleaved in one run, each a fresh process: `python -c "import domain.ledger"` (the baseline: the write side
alone), `taizhang --help`, and a JSON report of the demo ledger (made once in a temporary home, its read model
warmed by one report first). The command runs as `python -m api.cli` (what the console script runs);
`--before DIR` adds the same rows for another source tree (`git archive <commit> | tar -x -C DIR`), so that a
before/after is measured in the same run. Targets: --help ≤ 0.3 s, the JSON report ≤ 0.6 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

TARGETS = {"taizhang --help": 0.3, "taizhang report (demo, JSON)": 0.6}


def wall(args: list[str], env: dict[str, str]) -> float:
    # Run in the data directory: `python -m` puts the working directory first on sys.path, which would
    # shadow PYTHONPATH (--before) when run from a source tree.
    started = time.perf_counter()
    subprocess.run(
        args, env=env, cwd=env["TAIZHANG_HOME"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--before", type=Path, help="Another source tree to measure beside this one.")
    args = ap.parse_args()
    from domain.demo import DEMO_UNIT, demo_years
    from domain.ledger import DEFAULT_TZ

    taizhang = [sys.executable, "-m", "api.cli"]
    with tempfile.TemporaryDirectory(prefix="taizhang-startup-") as tmp:
        base = {**os.environ, "TAIZHANG_TZ": DEFAULT_TZ, "TAIZHANG_USER": "bench"}
        base.pop("TAIZHANG_DATABASE_URL", None)
        year = demo_years(datetime.now(ZoneInfo(DEFAULT_TZ)).date())[1]
        report = ["report", "--unit", DEMO_UNIT, "--year", str(year), "--format", "json"]
        # Each tree its own data directory with its own demo: a read model made by one version is rebuilt by
        # another (its schema fingerprint differs), which would be measured instead of the start-up.
        trees: list[tuple[str, dict[str, str]]] = [("", {**base, "TAIZHANG_HOME": str(Path(tmp) / "now")})]
        if args.before:
            before = {**base, "TAIZHANG_HOME": str(Path(tmp) / "before"), "PYTHONPATH": str(args.before.resolve())}
            trees.append((" [before]", before))
        for _, tree_env in trees:
            Path(tree_env["TAIZHANG_HOME"]).mkdir()
            subprocess.run(
                [*taizhang, "demo"], env=tree_env, cwd=tree_env["TAIZHANG_HOME"], check=True, stdout=subprocess.DEVNULL
            )
        env = trees[0][1]
        rows: dict[str, tuple[list[str], dict[str, str]]] = {
            'python -c "import domain.ledger" (baseline)': ([sys.executable, "-c", "import domain.ledger"], env)
        }
        for suffix, tree_env in trees:
            rows[f"taizhang --help{suffix}"] = ([*taizhang, "--help"], tree_env)
            rows[f"taizhang report (demo, JSON){suffix}"] = ([*taizhang, *report], tree_env)
        for command, tree_env in rows.values():  # warm the slot, the disk cache and each tree's bytecode
            wall(command, tree_env)
        samples: dict[str, list[float]] = {name: [] for name in rows}
        for _ in range(args.runs):
            for name, (command, tree_env) in rows.items():
                samples[name].append(wall(command, tree_env))
    medians = {name: statistics.median(s) for name, s in samples.items()}
    base = next(iter(medians.values()))
    print(f"runs: {args.runs} each, interleaved; wall clock, median (min–max)\n")
    print("| command | median s | min–max s | vs baseline | target | |")
    print("|---|---:|---:|---:|---|---|")
    for name, median in medians.items():
        target = TARGETS.get(name)
        verdict = "" if target is None else ("met" if median <= target else "NOT met")
        print(
            f"| {name} | {median:.3f} | {min(samples[name]):.3f}–{max(samples[name]):.3f} | {median / base:.2f}× "
            f"| {'' if target is None else f'≤ {target} s'} | {verdict} |"
        )


if __name__ == "__main__":
    main()
