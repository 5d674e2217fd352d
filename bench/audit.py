"""Audit benchmark: the Merkle log over the cached 1M-event store (build it first with bench/core.py).

    .venv/bin/python bench/audit.py [--store bench/results/store-e1000000-c50000-u20-s20261122-g1]

Measured side by side in one run (medians of 3): the root over every stored event from scratch
(read + leaf hashes + tree) against the raw read of the same rows (baseline); the incremental cost of
a 1,000-event batch on the frontier; inclusion-proof generation and verification.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from api.infra.settings import Settings
from projections import merkle
from projections.audit import StoreLog
from projections.source import read_rows

RESULTS = Path(__file__).parent / "results"


def timed(fn, repeats: int = 3) -> float:
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", type=Path, default=RESULTS / "store-e1000000-c50000-u20-s20261122-g1")
    args = ap.parse_args()
    ledger = Settings(args.store, None, "Asia/Shanghai", "bench").ledger()

    def raw_read() -> None:
        after = 0
        while rows := read_rows(ledger.recorder, after, 100_000):
            after = rows[-1][0]

    logs: list[StoreLog] = []
    baseline = timed(raw_read)
    scratch = timed(lambda: logs.append(StoreLog(ledger.recorder)) or merkle.root(logs[-1].leaves))
    leaves = logs[-1].leaves
    n = len(leaves)
    frontier = merkle.Frontier()
    frontier.extend(leaves[: n - 1000])
    state = (frontier.size, list(frontier.hashes))

    def batch() -> None:
        f = merkle.Frontier(state[0], state[1])
        f.extend(leaves[n - 1000 :])
        f.root()

    incremental = timed(batch, 10)
    index = n // 3
    proof_time = timed(lambda: merkle.inclusion_proof(leaves, index))
    path = merkle.inclusion_proof(leaves, index)
    root = merkle.root(leaves)
    verify = timed(lambda: merkle.verify_inclusion(leaves[index], index, n, path, root), 1000)
    rows = [
        (
            "Merkle root from scratch",
            f"{scratch:.2f} s",
            f"{baseline:.2f} s (raw read)",
            f"{scratch / baseline:.2f}×",
            "≤ 5 s",
        ),
        ("frontier: append 1,000 events + root", f"{incremental * 1000:.2f} ms", "", "", ""),
        ("inclusion proof, generate", f"{proof_time * 1000:.0f} ms", "", "", ""),
        ("inclusion proof, verify", f"{verify * 1e6:.0f} µs", "", "", ""),
    ]
    print(f"{n:,} events in the log\n")
    print("| metric | measured | baseline | ratio | target |\n|---|---:|---:|---:|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")


if __name__ == "__main__":
    main()
