"""Declared figures (DOMAIN.md §8) cost: a report with 50 declared figures vs the same report without, 1M events.

Usage:
    .venv/bin/python bench/declared.py [--events 1000000] [--calls 10] [--fresh]

One store of generated §2 activities (bench/core.py's generator, ~1M events) is built once and cached under
bench/results/; a copy of it gets 50 `figure` lines declared on the root unit (every measure, field tests,
step conditions, `not`), so both stores hold the same activities. Each gets a fresh read model (caught up,
untimed); then, in one process, report calls on the two alternate (centre, roll-up, and as of the last
event), --calls each, and the medians are compared: target ratio declared / base ≤ 2.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import core  # noqa: E402  (bench/core.py: the generator of the core benchmark)

RESULTS = core.RESULTS
TARGET = 2.0


def declarations(root: str) -> list[dict[str, Any]]:
    """50 declarations over the generated kinds: counts, sums, step counts and rates, with conditions."""
    specs: list[tuple[str, str, list[dict[str, Any]], dict[str, Any]]] = []
    forms = ["central_group", "party_group", "party_branch", "all_staff", "business_training", "lecture", "online"]
    for form in forms:
        specs.append(("study_session", "次", [{"field": "form", "in": [form]}], {"type": "count"}))
        specs.append(
            ("study_session", "人次", [{"field": "form", "in": [form]}], {"type": "sum", "field": "attendees"})
        )
    specs += [
        (
            "study_session",
            "次",
            [{"field": "laws", "nonempty": True}, {"not": {"field": "led_by_head", "is": True}}],
            {"type": "count"},
        ),
        ("study_session", "次", [{"field": "attendees", "gte": 20, "lte": 40}], {"type": "count"}),
        ("study_session", "次", [{"field": "speeches", "present": True}], {"type": "sum", "field": "speeches"}),
        ("study_writing", "篇", [{"field": "genre", "in": ["notes"]}], {"type": "sum", "field": "count"}),
        ("publicity_event", "次", [{"field": "form", "in": ["community", "school"]}], {"type": "count"}),
        ("publicity_event", "人次", [], {"type": "sum", "field": "audience"}),
        (
            "publicity_event",
            "份",
            [{"not": {"field": "form", "in": ["online"]}}],
            {"type": "sum", "field": "materials"},
        ),
        ("petition", "件", [{"field": "channel", "in": ["visit"]}], {"type": "count"}),
        (
            "petition",
            "%",
            [{"field": "category", "in": ["claim"]}],
            {"type": "rate", "numerator": [{"step": "concluded"}]},
        ),
        ("petition", "%", [], {"type": "rate", "numerator": [{"step": "replied", "in_year": True}]}),
        ("petition", "人次", [], {"type": "steps", "step": "visit"}),
        ("petition", "件", [{"step": "extended"}], {"type": "count"}),
        ("case", "起", [{"field": "case_type", "in": ["admin_litigation"]}], {"type": "count"}),
        ("case", "次", [], {"type": "steps", "step": "hearing", "field": "head_appeared", "is": True}),
        (
            "case",
            "起",
            [{"field": "case_type", "in": ["admin_litigation"]}],
            {"type": "steps", "step": "decided", "field": "outcome", "in": ["lost", "partially_lost"]},
        ),
        (
            "case",
            "%",
            [{"step": "hearing", "in_year": True}],
            {"type": "rate", "numerator": [{"step": "hearing", "field": "head_appeared", "is": True}]},
        ),
        (
            "normative_document",
            "件",
            [{"field": "action", "in": ["reviewed", "filed"]}],
            {"type": "sum", "field": "count"},
        ),
        ("disclosure", "条", [], {"type": "sum", "field": "items"}),
        ("disclosure_request", "件", [{"not": {"step": "replied"}}], {"type": "count"}),
        ("disclosure_request", "件", [], {"type": "steps", "step": "replied", "field": "result", "in": ["disclosed"]}),
        ("proposal", "件", [{"field": "source", "in": ["npc"]}, {"field": "role", "in": ["lead"]}], {"type": "count"}),
        (
            "proposal",
            "%",
            [{"field": "source", "in": ["cppcc"]}],
            {"type": "rate", "numerator": [{"step": "feedback", "field": "satisfaction", "in": ["satisfied"]}]},
        ),
        ("legal_review", "件", [{"field": "subject", "in": ["contract", "major_decision"]}], {"type": "count"}),
        ("legal_review", "件", [{"field": "reviewer", "in": ["legal_advisor"]}], {"type": "count"}),
        ("meeting", "次", [{"field": "rule_of_law_agenda", "is": True}], {"type": "count"}),
        ("meeting", "次", [{"field": "form", "in": ["party_group"]}], {"type": "count"}),
        ("inspection", "个", [], {"type": "sum", "field": "findings"}),
        ("inspection", "个", [{"field": "rectified", "present": True}], {"type": "sum", "field": "rectified"}),
        ("exam", "人", [], {"type": "sum", "field": "participants"}),
        ("exam", "%", [], {"type": "rate", "numerator": [{"field": "passed", "gte": 10}]}),
        ("exam", "次", [{"field": "eligible", "gte": 30}], {"type": "count"}),
        ("study_writing", "篇", [{"field": "genre", "in": ["reflection"]}], {"type": "count"}),
        ("petition", "件", [{"field": "persons", "gte": 2}], {"type": "sum", "field": "persons"}),
        ("case", "起", [{"step": "closed", "in_year": True}], {"type": "count"}),
    ]
    specs += [
        ("meeting", "次", [{"field": "form", "in": ["director_office", "special"]}], {"type": "count"}),
        ("publicity_event", "人次", [{"field": "laws", "nonempty": True}], {"type": "sum", "field": "consultations"}),
    ]
    assert len(specs) == 50, len(specs)
    return [
        {
            "id": f"bench-figure-{i:02d}",
            "op": "figure",
            "unit": root,
            "data": {
                "code": f"local.bench.f{i:02d}",
                "label": f"基准声明指标{i:02d}",
                "unit_word": word,
                "kind": kind,
                "where": where,
                "measure": measure,
            },
        }
        for i, (kind, word, where, measure) in enumerate(specs)
    ]


def build(args: argparse.Namespace) -> tuple[Path, Path]:
    """The base store (activities only) and its copy with the 50 declarations, cached by their parameters."""
    from api.infra.settings import Settings

    base = RESULTS / f"declared-base-e{args.events}-u{args.units}-s{args.seed}-g{core.GENERATOR_VERSION}"
    with_decl = base.with_name(base.name.replace("declared-base", "declared-50"))
    if args.fresh:
        shutil.rmtree(base, ignore_errors=True)
        shutil.rmtree(with_decl, ignore_errors=True)
    if not (base / "complete.json").exists():
        shutil.rmtree(base, ignore_errors=True)
        base.mkdir(parents=True)
        ledger = Settings(home=base, database_url=None, tz=core.TZ, user=core.USER).ledger()
        plan = core.chunk_plan(args.events, args.chunk)
        for i, size in enumerate(plan):
            outcome = ledger.apply(
                list(enumerate(core.generate_chunk(i, size, args.units, args.seed, i == 0), 1)), "bench"
            )
            assert outcome.ok, outcome.errors[:3]
            core.log(f"base chunk {i + 1}/{len(plan)}")
        (base / "complete.json").write_text(json.dumps({"events": args.events}))
    if not (with_decl / "complete.json").exists():
        shutil.rmtree(with_decl, ignore_errors=True)
        with_decl.mkdir(parents=True)
        shutil.copy(base / "events.db", with_decl / "events.db")
        ledger = Settings(home=with_decl, database_url=None, tz=core.TZ, user=core.USER).ledger()
        outcome = ledger.apply(list(enumerate(declarations(core.ROOT_UNIT), 1)), "bench")
        assert outcome.ok, outcome.errors[:3]
        (with_decl / "complete.json").write_text(json.dumps({"events": args.events, "declared": 50}))
    return base, with_decl


def open_model(home: Path) -> Any:
    from api.infra.settings import Settings
    from projections.readmodel import ReadModel

    ledger = Settings(home=home, database_url=None, tz=core.TZ, user=core.USER).ledger()
    t0 = time.perf_counter()
    model = ReadModel.fresh(home / "bench-declared.duckdb", core.TZ)
    model.catch_up(ledger.recorder)
    core.log(f"read model of {home.name}: rebuilt in {time.perf_counter() - t0:.1f} s")
    return model


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--chunk", type=int, default=50_000)
    ap.add_argument("--units", type=int, default=20)
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--year", type=int, default=2024)
    ap.add_argument("--calls", type=int, default=10)
    ap.add_argument("--fresh", action="store_true")
    ap.add_argument("--out", type=Path, default=RESULTS / "declared.json")
    args = ap.parse_args()
    base_home, decl_home = build(args)
    models = {"base": open_model(base_home), "declared": open_model(decl_home)}
    centre, year = core.unit_codes(args.units)[0], args.year
    # As of the last event of the declared store (its declarations were recorded after every activity), so the
    # as-of report of that store has its 50 declared figures too; nothing in the base store is later.
    last = models["declared"].con.execute("SELECT max(recorded_at) FROM events").fetchone()[0]
    cases = {
        "report": lambda m: m.report(centre, year).to_json(),
        "report_rollup": lambda m: m.report(core.ROOT_UNIT, year).to_json(),
        "report_as_of": lambda m: m.report(centre, year, as_of=last).to_json(),
    }
    times: dict[str, dict[str, list[float]]] = {c: {"base": [], "declared": []} for c in cases}
    for name, fn in cases.items():
        for model in models.values():
            fn(model)  # first call: warm
        for _ in range(args.calls):
            for which, model in models.items():  # interleaved: the two see the same machine load
                t0 = time.perf_counter()
                fn(model)
                times[name][which].append(time.perf_counter() - t0)
    counted = [
        sum(1 for k in fn(models["declared"])["figures"] if k.startswith("local.")) for fn in cases.values()
    ]
    assert len(set(counted)) == 1, counted  # every case reports the 50
    declared = counted[0]
    rows = []
    for name, t in times.items():
        b, d = statistics.median(t["base"]), statistics.median(t["declared"])
        rows.append({"case": name, "base_ms": b * 1000, "declared_ms": d * 1000, "ratio": d / b})
    for m in models.values():
        m.close()
    result = {"events": args.events, "declared_figures": declared, "calls": args.calls, "rows": rows}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(f"{args.events:,} events, {declared} declared figures in the report, median of {args.calls} calls")
    print("| case | without | with 50 declared | ratio |\n|---|---:|---:|---:|")
    for r in rows:
        flag = "" if r["ratio"] <= TARGET else " ✗"
        print(f"| {r['case']} | {r['base_ms']:.0f} ms | {r['declared_ms']:.0f} ms | {r['ratio']:.2f}{flag} |")


if __name__ == "__main__":
    main()
