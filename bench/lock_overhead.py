"""What the lock of approved years (issue 14) costs an import: 20,000 records, then 20,000 corrections of them,
applied to a fresh ledger by this tree and by another one (`--before DIR`, e.g. `git archive <commit> | tar -x
-C DIR`), each in its own process, interleaved, median of --runs.

    .venv/bin/python bench/lock_overhead.py --before /tmp/base --runs 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

ONE_RUN = r"""
import json, sys, tempfile, time
from pathlib import Path
from api.infra.settings import Settings
n = int(sys.argv[1])
lines = [(1, {"id": "u", "op": "unit", "unit": "u1", "data": {"name": "单位"}})]
lines += [(i + 2, {"id": f"r{i}", "op": "record", "unit": "u1", "kind": "study_session", "ref": f"S-{i}",
           "date": "2025-03-01", "data": {"form": "central_group", "topic": "宪法", "attendees": 10}})
          for i in range(n)]
fixes = [(i, {"id": f"c{i}", "op": "correct", "unit": "u1", "ref": f"S-{i}", "reason": "改",
          "data": {"attendees": 11}}) for i in range(n)]
with tempfile.TemporaryDirectory() as tmp:
    ledger = Settings(Path(tmp), None, "Asia/Shanghai", "t").ledger()
    t = time.perf_counter(); assert ledger.apply(lines, "t").ok; a = time.perf_counter() - t
    t = time.perf_counter(); assert ledger.apply(fixes, "t").ok; b = time.perf_counter() - t
    ledger.close()
print(json.dumps([a, b]))
"""


def run(tree: Path, n: int) -> list[float]:
    done = subprocess.run([sys.executable, "-c", ONE_RUN, str(n)], cwd=tree, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lines", type=int, default=20_000)
    args = parser.parse_args()
    trees = {"before": args.before.resolve(), "this tree": ROOT}
    samples: dict[str, list[list[float]]] = {name: [] for name in trees}
    for _ in range(args.runs):
        for name, tree in trees.items():
            samples[name].append(run(tree, args.lines))
    print(f"| tree | {args.lines:,} records, median s | {args.lines:,} corrections, median s |")
    print("|---|---:|---:|")
    for name, rows in samples.items():
        print(f"| {name} | {statistics.median(r[0] for r in rows):.2f} | {statistics.median(r[1] for r in rows):.2f} |")


if __name__ == "__main__":
    main()
