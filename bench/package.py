"""Report packages (issue 14, item 4): importing and verifying a package of a unit whose log has 100,000 events,
on a superior's ledger, against reading and parsing the same file (baseline). Target: ≤ 2 s.

    .venv/bin/python bench/package.py [--events 100000] [--runs 5] [--fresh]

The unit's store is built once with bench/core.py's generator (every line 2 events: the event and its receipt),
cached under bench/results/; it is sealed and exported (timed once, for information). Each run imports the package
into a fresh superior ledger (the first package of the unit: key pinned, parts rolled up), then imports a second,
newer package of the same unit, which must verify a consistency proof against the first.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import core  # noqa: E402

RESULTS = Path(__file__).parent / "results"


def context(home: Path):  # noqa: ANN201
    from api.infra.evidence import EvidenceStore
    from api.infra.keys import Keys
    from api.infra.settings import Settings
    from api.services.context import Context, unit_parent

    settings = Settings(home=home, database_url=None, tz=core.TZ, user=core.USER)
    ledger = settings.ledger()
    model = settings.read_model()

    def read(query):  # noqa: ANN001, ANN202
        model.catch_up(ledger.recorder)
        return query(model)

    async def submit(submission):  # noqa: ANN001, ANN202
        return ledger.apply_each([submission])[0]

    return Context(settings, ledger, EvidenceStore(home), Keys(home), read, submit, unit_parent(ledger)), model


def build(home: Path, events: int) -> None:
    from api.infra.settings import Settings

    ledger = Settings(home=home, database_url=None, tz=core.TZ, user=core.USER).ledger()
    for i, size in enumerate(core.chunk_plan(events, 50_000)):
        outcome = ledger.apply(list(enumerate(core.generate_chunk(i, size, 5, 20261201, with_units=i == 0), 1)), "b")
        assert outcome.ok, outcome.errors[:3]
    ledger.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--fresh", action="store_true")
    args = ap.parse_args()
    from api.infra import package_file
    from api.services import audit, packages
    from api.services.context import Unrestricted

    me = Unrestricted(core.USER)
    store = RESULTS / f"package-e{args.events}"
    if args.fresh and store.exists():
        shutil.rmtree(store)
    if not (store / "first.tzpkg").exists():
        store.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        build(store / "unit", args.events)
        print(f"built the unit's store: {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        ctx, model = context(store / "unit")
        seal = audit.seal(ctx, me, core.ROOT_UNIT, 2025)
        t0 = time.perf_counter()
        (store / "first.tzpkg").write_bytes(packages.export(ctx, me, seal["seal"]))
        print(f"exported the first package: {time.perf_counter() - t0:.2f} s", file=sys.stderr)
        line = {"id": "bench-more", "op": "unit", "unit": "bench-extra", "data": {"name": "新增", "parent": "bench"}}
        from api.services import writes

        asyncio.run(writes.import_lines(ctx, me, [(1, line)]))
        seal = audit.seal(ctx, me, core.ROOT_UNIT, 2025)
        (store / "second.tzpkg").write_bytes(packages.export(ctx, me, seal["seal"]))
        model.close()
        ctx.ledger.close()
    first, second = (store / "first.tzpkg").read_bytes(), (store / "second.tzpkg").read_bytes()
    log_size = package_file.read(first).seal["size"]

    def baseline() -> float:
        t0 = time.perf_counter()
        package_file.read(first)
        return time.perf_counter() - t0

    def imported() -> tuple[float, float]:
        with tempfile.TemporaryDirectory(prefix="taizhang-bench-") as tmp:
            ctx, model = context(Path(tmp))
            line = {"id": "sup", "op": "unit", "unit": "county", "data": {"name": "县"}}
            ctx.ledger.apply([(1, line)], "b")
            t0 = time.perf_counter()
            packages.import_package(ctx, me, first, parent="county")
            one = time.perf_counter() - t0
            t0 = time.perf_counter()
            packages.import_package(ctx, me, second)
            two = time.perf_counter() - t0
            model.close()
            ctx.ledger.close()
            return one, two

    base = [baseline() for _ in range(args.runs)]
    runs = [imported() for _ in range(args.runs)]
    b = statistics.median(base)
    one = statistics.median(r[0] for r in runs)
    two = statistics.median(r[1] for r in runs)
    print(f"unit log: {log_size:,} events; package {len(first) / 1024:.0f} KiB; medians of {args.runs} runs")
    print("| step | median s | vs baseline | target |")
    print("|---|---:|---:|---|")
    print(f"| read + parse the package file (baseline) | {b:.3f} | 1.00× | |")
    for label, t in (("first package (key pinned)", one), ("newer package (consistency proof)", two)):
        print(f"| import + verify, {label} | {t:.3f} | {t / b:.1f}× | ≤ 2 s: {'met' if t <= 2 else 'NOT met'} |")


if __name__ == "__main__":
    main()
