"""CPU time of the small folds that a read beside a stream of writes waits for (issue 13.4).

    .venv/bin/python -m bench.fold_small                       # 20,000 seeded records, 40 rounds of 8 records
    .venv/bin/python -m bench.fold_small --seed-records 20000 --rounds 40 --per-round 8 --corrected 0.1

A ledger seeded like bench/mixed_load.py (study sessions of one unit, a share of them corrected), folded once;
then each round records `--per-round` new activities (what a group commit of concurrent writers leaves) and
catches the read model up. Measured: process CPU time (not wall-clock: the machine is shared) of each
catch-up, median and total over the rounds. For a before/after, run the same script with `PYTHONPATH` at
another tree (`git archive <commit> | tar -x -C DIR`, then `cd DIR && .../python -m bench.fold_small`).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from bench.http_load import SESSION, UNIT, _settings, prepare


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed-records", type=int, default=20_000)
    ap.add_argument("--rounds", type=int, default=40)
    ap.add_argument("--per-round", type=int, default=8)
    ap.add_argument("--corrected", type=float, default=0.1, help="share of seeded activities corrected once")
    ap.add_argument("--correct-in-round", action="store_true", help="each round also corrects an old activity")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="taizhang-foldsmall-"))
    try:
        prepare(work)
        settings = _settings(work)
        ledger = settings.ledger()
        n = args.seed_records
        lines = [
            (i, {"id": f"seed-{i}", "op": "record", "unit": UNIT, "kind": "study_session", "ref": f"SEED-{i}",
                 "date": "2025-03-01", "data": SESSION})
            for i in range(1, n + 1)
        ]  # fmt: skip
        step = int(1 / args.corrected) if args.corrected else 0
        if step:
            lines += [
                (n + i, {"id": f"fix-{i}", "op": "correct", "unit": UNIT, "ref": f"SEED-{i}",
                         "data": {"attendees": 12}, "reason": "更正"})
                for i in range(1, n + 1, step)
            ]  # fmt: skip
        outcome = ledger.apply(lines, "bench")
        assert outcome.ok, outcome.errors[:3]
        model = settings.read_model()
        model.catch_up(ledger.recorder)
        cpu: list[float] = []
        wall: list[float] = []
        for r in range(args.rounds):
            batch = [
                (i, {"id": f"r{r}-{i}", "op": "record", "unit": UNIT, "kind": "study_session", "ref": f"R{r}-{i}",
                     "date": "2025-03-02", "data": SESSION})
                for i in range(1, args.per_round + 1)
            ]  # fmt: skip
            if args.correct_in_round:
                batch.append((0, {"id": f"rc{r}", "op": "correct", "unit": UNIT, "ref": f"SEED-{r + 2}",
                                  "data": {"attendees": 13 + r}, "reason": "更正"}))  # fmt: skip
            assert ledger.apply(batch, "bench").ok
            c0, w0 = time.process_time(), time.perf_counter()
            model.catch_up(ledger.recorder)
            cpu.append(time.process_time() - c0)
            wall.append(time.perf_counter() - w0)
        report = model.report(UNIT, 2025).to_json()
        sessions = report["figures"]["study.sessions"]["value"] if "figures" in report else None
        print(f"seed {n} records, {args.rounds} rounds of {args.per_round}: catch-up CPU median "
              f"{statistics.median(cpu) * 1000:.1f} ms (total {sum(cpu):.2f} s), wall median "
              f"{statistics.median(wall) * 1000:.1f} ms; study.sessions {sessions}")  # fmt: skip
        model.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
