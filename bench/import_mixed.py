"""Import of a mixed file (issue 13.11): records, steps, corrections and voids, most of them on activities
recorded in an earlier import, as staff enter them (the case was filed months ago, the hearing is entered today).

Usage:
    .venv/bin/python bench/import_mixed.py [--base 20000] [--lines 20000] [--repeats 3] [--code DIR]
    .venv/bin/python bench/import_mixed.py --profile            # one cProfile run of the timed import

The base import is `core.py`'s generator (chunk 0) with every activity's steps, corrections and voids held
back; the mixed file is those held-back lines (on activities of the base, in their order) merged
at random with the lines of new activities (chunk 1: records with their own steps). Timed: `Ledger.apply` of the
mixed file onto the base store; baseline, in the same run and interleaved: the raw library saving as many
one-event aggregates (`core.py`'s `Entry`) in one `Application.save` into a fresh store. Medians; ratio =
product lines/s / baseline lines/s. `--code DIR` imports the product from another checkout (a before/after run).
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def mixed_lines(base_lines: int, lines: int, units: int, seed: int) -> tuple[list[dict], list[dict], dict[str, int]]:
    """(base import, mixed file, counts by op of the mixed file)."""
    from core import generate_chunk

    chunk0 = generate_chunk(0, base_lines, units, seed, with_units=True)
    by_activity: dict[tuple[str, str], list[int]] = {}
    for i, line in enumerate(chunk0):
        if line["op"] != "unit":
            by_activity.setdefault((line["unit"], line["ref"]), []).append(i)
    held: set[int] = set()
    for idx in by_activity.values():
        held.update(idx[1:])  # every line after the record: entered later, as the case goes on
    base = [line for i, line in enumerate(chunk0) if i not in held]
    old = [line for i, line in enumerate(chunk0) if i in held]
    r = random.Random(f"{seed}/mixed")
    new_count = max(0, lines - len(old))
    old = old[:lines]
    new = [line for line in generate_chunk(1, new_count + units, units, seed, with_units=False)][:new_count]
    # New activities' lines keep their order, and so do the old ones': merge the two at random.
    mixed: list[dict] = []
    i = j = 0
    while i < len(old) or j < len(new):
        if j >= len(new) or (i < len(old) and r.random() < len(old) / (len(old) + len(new))):
            mixed.append(old[i])
            i += 1
        else:
            mixed.append(new[j])
            j += 1
    counts: dict[str, int] = {}
    for line in mixed:
        key = f"{line['op']}{'' if line['op'] != 'step' or line in old else ' (new activity)'}"
        counts[key] = counts.get(key, 0) + 1
    counts["on earlier activities"] = len(old)
    return base, mixed, counts


def settings(home: Path) -> Any:
    from api.infra.settings import Settings

    return Settings(home=home, database_url=None, tz="Asia/Shanghai", user="bench")


def run_product(work: Path, base: list[dict], mixed: list[dict], profile: Path | None = None) -> float:
    home = work / "product"
    shutil.rmtree(home, ignore_errors=True)
    ledger = settings(home).ledger()
    first = ledger.apply(list(enumerate(base, 1)), "bench")
    if not first.ok:
        raise SystemExit(f"base import: {first.errors[:3]}")
    ledger = settings(home).ledger()  # a new process's view: nothing cached from the base import
    numbered = list(enumerate(mixed, 1))
    gc.collect()
    if profile is not None:
        import cProfile

        prof = cProfile.Profile()
        t0 = time.perf_counter()
        outcome = prof.runcall(ledger.apply, numbered, "bench")
        elapsed = time.perf_counter() - t0
        prof.dump_stats(str(profile))
    else:
        t0 = time.perf_counter()
        outcome = ledger.apply(numbered, "bench")
        elapsed = time.perf_counter() - t0
    if not outcome.ok:
        raise SystemExit(f"mixed import: {len(outcome.errors)} errors, first: {outcome.errors[:3]}")
    shutil.rmtree(home, ignore_errors=True)
    return len(mixed) / elapsed


def run_raw(work: Path, mixed: list[dict]) -> float:
    from core import Entry, RawApp

    home = work / "raw"
    shutil.rmtree(home, ignore_errors=True)
    app = RawApp(env=settings(home).event_store_env())
    gc.collect()
    t0 = time.perf_counter()
    app.save(*[Entry(line) for line in mixed])
    elapsed = time.perf_counter() - t0
    shutil.rmtree(home, ignore_errors=True)
    return len(mixed) / elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", type=int, default=20_000, help="lines of the earlier import")
    ap.add_argument("--lines", type=int, default=20_000, help="lines of the mixed file")
    ap.add_argument("--units", type=int, default=20)
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--code", type=Path, default=HERE.parent, help="the checkout whose product is measured")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "import_mixed.json")
    args = ap.parse_args()
    sys.path.insert(0, str(args.code.resolve()))
    sys.path.insert(1, str(HERE))
    base, mixed, counts = mixed_lines(args.base, args.lines, args.units, args.seed)
    print(f"base {len(base):,} lines; mixed file {len(mixed):,} lines: {json.dumps(counts, ensure_ascii=False)}")
    with tempfile.TemporaryDirectory(prefix="import-mixed-", dir=HERE / "results") as tmp:
        work = Path(tmp)
        if args.profile:
            import pstats

            out = HERE / "results" / "profile-import-mixed.prof"
            rate = run_product(work, base, mixed, profile=out)
            print(f"product {rate:,.0f} lines/s (under cProfile)")
            stats = pstats.Stats(str(out))
            stats.sort_stats("cumulative").print_stats(35)
            stats.sort_stats("tottime").print_stats(25)
            return
        product, raw = [], []
        for rep in range(args.repeats):
            product.append(run_product(work, base, mixed))
            raw.append(run_raw(work, mixed))
            print(f"#{rep + 1}: product {product[-1]:,.0f} lines/s, raw {raw[-1]:,.0f} lines/s", flush=True)
    p, b = statistics.median(product), statistics.median(raw)
    print(f"median: product {p:,.0f} lines/s, raw {b:,.0f} lines/s, ratio {p / b:.2f} (target >= 0.5)")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "code": str(args.code),
                "base_lines": len(base),
                "lines": len(mixed),
                "counts": counts,
                "product": product,
                "raw": raw,
                "ratio": p / b,
            },
            indent=2,
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
