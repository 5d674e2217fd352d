"""As-of reports at 1,000,000 events, this tree against another, paired (issue 13.11).

    .venv/bin/python bench/asof_pair.py --before /tmp/base [--rounds 8] [--calls 5]

On a machine whose load swings from 2 to 11 within minutes, `bench/core.py` run once per tree compares two
different machines. This alternates child processes of the two trees, round after round, each timing one centre's
2024 report as of the last event and as of the event at 90% of the log (`calls` calls after a warm one, median),
on core.py's cached store: `bench/results/store-…` of each tree, each with a read model its own code built (run
`bench/core.py --only report` once in each tree first; for the other tree a copy of the store folder, with
`events.db` hard-linked, is enough). Reported: the medians over the rounds and the median of the per-round
ratios after/before; the two trees' reports as of 90% must be identical.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STORE = "bench/results/store-e1000000-c50000-u20-s20261122-g1"
CHILD = r"""
import sys, time, json, statistics, datetime as dt
from pathlib import Path
code, home, calls = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
sys.path.insert(0, code)
from projections.readmodel import ReadModel
model = ReadModel(home / "bench-readmodel.duckdb", "Asia/Shanghai")
con = model.con
def at(q):
    return dt.datetime.fromtimestamp(con.execute(q).fetchone()[0] / 1e6, dt.UTC)
last = at("SELECT epoch_us(max(recorded_at)) FROM events")
mid = at("SELECT epoch_us(recorded_at) FROM events WHERE pos = (SELECT quantile_disc(pos, 0.9) FROM events)")
out = {}
for name, t in (("last", last), ("90", mid)):
    model.report("bench-u01", 2024, as_of=t)
    ts = []
    for _ in range(calls):
        s = time.perf_counter()
        model.report("bench-u01", 2024, as_of=t).to_json()
        ts.append(time.perf_counter() - s)
    out[name] = statistics.median(ts)
out["json90"] = json.dumps(model.report("bench-u01", 2024, as_of=mid).to_json(), sort_keys=True)
print(json.dumps(out))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--before", type=Path, required=True, help="the other source tree")
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--calls", type=int, default=5)
    args = ap.parse_args()
    trees = {"before": args.before.resolve(), "after": ROOT}
    times: dict[str, dict[str, list[float]]] = {k: {"last": [], "90": []} for k in trees}
    reports = set()
    for r in range(args.rounds):
        for name, code in trees.items():
            run = [sys.executable, "-c", CHILD, str(code), str(code / STORE), str(args.calls)]
            proc = subprocess.run(run, capture_output=True, text=True, cwd="/", check=True)
            found = json.loads(proc.stdout.strip().splitlines()[-1])
            reports.add(found.pop("json90"))
            for case in ("last", "90"):
                times[name][case].append(found[case])
            print(
                f"round {r + 1} {name}: as of the last event {found['last'] * 1000:.1f} ms, as of 90% "
                f"{found['90'] * 1000:.1f} ms (load {os.getloadavg()[0]:.1f})",
                flush=True,
            )
    print(f"reports as of 90% identical in both trees: {len(reports) == 1}")
    for case in ("last", "90"):
        before, after = (statistics.median(times[k][case]) for k in ("before", "after"))
        ratio = statistics.median(a / b for a, b in zip(times["after"][case], times["before"][case], strict=True))
        print(f"as of {case}: before {before * 1000:.1f} ms, after {after * 1000:.1f} ms, after/before {ratio:.2f}")


if __name__ == "__main__":
    main()
