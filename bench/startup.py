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
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.timing import interleaved, print_table  # noqa: E402

TARGETS = {"taizhang --help": 0.3, "taizhang report (demo, JSON)": 0.6}


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
        samples = interleaved(rows, args.runs)
    print(f"runs: {args.runs} each, interleaved; wall clock, median (min–max)\n")
    print_table(samples, next(iter(samples)), TARGETS, "command")

if __name__ == "__main__":
    main()
