"""The scale-out benchmark suite: one command, every comparison measured in the same run.

    .venv/bin/python bench/suite.py            # stores of 10k, 100k and 1M events, medians of 3
    .venv/bin/python bench/suite.py --quick    # 10k and 100k events, one repetition: a few minutes

  append    Ledger.apply of generated lines, one line per call and one file per call, against the raw
            library saving one aggregate per line (bench/core.py's baseline), on SQLite and PostgreSQL;
  writers   8 writer processes at once on each store: lines/s, and every line in the log exactly once;
  rebuild   a fresh read model caught up from the largest store vs reading and decoding every event;
  report    report latency on stores of each size (how the cost grows with the log), and peak memory;
  http      records/s at 1, 8 and 32 clients through bench/http_load.py (by others), when it is there.

Writes bench/results/suite.md (the table), suite.json and suite.png. PostgreSQL: --pg URL (a database the
suite may create schemas in; default postgresql://postgres@127.0.0.1:5432/taizhang_bench, created if missing).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import core, suite_parts, suite_pg  # noqa: E402
from bench.suite_report import plot, table  # noqa: E402

RESULTS = ROOT / "bench" / "results"
SEED = 20261122
UNITS = 20


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def median_of(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def bench_append(args: argparse.Namespace, stores: dict[str, str | None]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for store, url in stores.items():
        for mode, lines in (("single", args.single_lines), ("batched", args.batch_lines)):
            runs: dict[str, list[dict[str, Any]]] = {"product": [], "raw": []}
            for _ in range(args.repeats):
                for which in runs:  # interleaved: product, raw, product, raw …
                    with suite_pg.scratch(url) as (home, store_url):
                        spec = {"home": str(home), "url": store_url, "mode": mode, "which": which}
                        runs[which].append(suite_parts.run("append", spec | {"lines": lines, "units": UNITS,
                                                                             "seed": SEED}))  # fmt: skip
            out[f"{store}/{mode}"] = {k: median_of(v, "rate") for k, v in runs.items()} | {
                "lines": lines,
                "peak_rss_mib": max(r["peak_rss_mib"] for r in runs["product"]),
            }
            log(f"append {store} {mode}: {out[f'{store}/{mode}']}")
    return out


def bench_writers(args: argparse.Namespace, stores: dict[str, str | None]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for store, url in stores.items():
        with suite_pg.scratch(url) as (home, store_url):
            ledger = suite_parts.settings(home, store_url).ledger()
            assert ledger.apply(list(enumerate(core.unit_lines(UNITS), 1)), "bench").ok
            base = {"home": str(home), "url": store_url, "lines": args.writer_lines, "units": UNITS, "seed": SEED}
            t0 = time.perf_counter()
            procs = [suite_parts.start("writer", base | {"chunk": w + 1, "batch": 200}) for w in range(args.writers)]
            results = [suite_parts.result(p) for p in procs]
            seconds = time.perf_counter() - t0
            lines = sum(r["lines"] for r in results)
            count = suite_pg.log_check(ledger.recorder)
        expected = lines + len(core.unit_lines(UNITS))
        out[store] = {
            "writers": args.writers,
            "lines": lines,
            "rate": lines / seconds,
            "retries": sum(r["retries"] for r in results),
            "lost": expected - count["receipts"],
            "duplicated": count["events"] - count["distinct"] + count["receipts"] - count["distinct_receipts"],
        }
        log(f"writers {store}: {out[store]}")
    return out


def bench_rebuild(args: argparse.Namespace, homes: dict[str, tuple[Path, str | None]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for store, (home, url) in homes.items():
        runs: dict[str, list[dict[str, Any]]] = {"product": [], "raw": []}
        for _ in range(args.repeats):
            for which in runs:
                runs[which].append(suite_parts.run("rebuild", {"home": str(home), "url": url, "which": which}))
        out[store] = {
            "events": runs["product"][0]["events"],
            "product": median_of(runs["product"], "rate"),
            "raw": median_of(runs["raw"], "rate"),
            "seconds": median_of(runs["product"], "seconds"),
            "peak_rss_mib": max(r["peak_rss_mib"] for r in runs["product"]),
            "raw_peak_rss_mib": max(r["peak_rss_mib"] for r in runs["raw"]),
        }
        log(f"rebuild {store}: {out[store]}")
    return out


def bench_report(args: argparse.Namespace, homes: dict[int, Path]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for size, home in homes.items():
        spec = {"home": str(home), "unit": core.unit_codes(UNITS)[0], "rollup": core.ROOT_UNIT, "year": 2024}
        res = core.run_child("report", spec | {"calls": args.report_calls})
        out[str(size)] = {k: statistics.median(v) for k, v in res["times"].items()} | {
            "peak_rss_mib": res["peak_rss_mib"],
            "errors": res["errors"],
        }
        log(f"report at {size:,} events: {out[str(size)]}")
    return out


def bench_http() -> dict[str, Any]:
    try:
        from bench import http_load
    except ImportError as e:
        return {"error": f"bench/http_load.py not available ({e})"}
    out: dict[str, Any] = {}
    for clients in (1, 8, 32):
        try:
            out[str(clients)] = http_load.run(clients)
        except Exception as e:  # noqa: BLE001 — a missing wrk or server must not lose the rest of the run
            out[str(clients)] = {"error": f"{type(e).__name__}: {e}".splitlines()[0]}
        log(f"http {clients} clients: {out[str(clients)]}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="10k and 100k events, one repetition, smaller appends")
    ap.add_argument("--sizes", help="store sizes in events, comma-separated (default 10000,100000,1000000)")
    ap.add_argument("--repeats", type=int)
    ap.add_argument("--pg", default=suite_pg.DEFAULT_URL, help="PostgreSQL database URL ('' to skip PostgreSQL)")
    ap.add_argument("--writers", type=int, default=8)
    ap.add_argument("--no-http", action="store_true")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args()
    sizes = [int(s) for s in (args.sizes or ("10000,100000" if args.quick else "10000,100000,1000000")).split(",")]
    args.repeats = args.repeats or (1 if args.quick else 3)
    args.single_lines, args.batch_lines = (300, 5000) if args.quick else (1000, 20000)
    args.writer_lines = 1000 if args.quick else 4000
    args.report_calls = 5 if args.quick else 10
    started = time.perf_counter()

    pg_url = suite_pg.database(args.pg) if args.pg else None
    if args.pg and pg_url is None:
        log(f"no PostgreSQL at {args.pg}: its columns say n/a")
    stores: dict[str, str | None] = {"sqlite": None} | ({"postgres": pg_url} if pg_url else {})
    store_homes = {size: core.ensure_store(store_args(size))[0] for size in sizes}
    largest = store_homes[max(sizes)]
    rebuild_homes: dict[str, tuple[Path, str | None]] = {"sqlite": (largest, None)}
    if pg_url:
        rebuild_homes["postgres"] = (Path(tempfile.mkdtemp(prefix="suite-pg-")), suite_pg.copy_store(largest, pg_url))

    results = {
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "quick": args.quick,
        "sizes": sizes,
        "repeats": args.repeats,
        "append": bench_append(args, stores),
        "writers": bench_writers(args, stores),
        "rebuild": bench_rebuild(args, rebuild_homes),
        "report": bench_report(args, store_homes),
        "http": {"error": "skipped (--no-http)"} if args.no_http else bench_http(),
    }
    results["seconds"] = time.perf_counter() - started
    args.out.mkdir(parents=True, exist_ok=True)
    text = table(results)
    (args.out / "suite.json").write_text(json.dumps(results, indent=1, default=str))
    (args.out / "suite.md").write_text(text)
    plot(results, args.out / "suite.png")
    print(text)
    log(f"done in {results['seconds']:.0f} s: {args.out / 'suite.md'}, suite.json, suite.png")


def store_args(events: int) -> argparse.Namespace:
    return argparse.Namespace(events=events, chunk=50_000, units=UNITS, seed=SEED, fresh=False)


if __name__ == "__main__":
    main()
