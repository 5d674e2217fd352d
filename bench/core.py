"""Core benchmark: import throughput, rebuild throughput + peak RSS, report latency.

Usage:
    .venv/bin/python bench/core.py [--events 1000000] [--import-lines 50000]
                                   [--out bench/results/core.json] [--fresh]
    .venv/bin/python bench/core.py --profile {import,rebuild,report}   # one cProfile run of a part

Every measurement is taken side by side with a baseline measured in the same run, on the
same machine, each repeated --repeats times (default 3, interleaved product/baseline);
medians are reported, with ratio = measured / baseline.

  1. import    Ledger.apply() of N generated interchange lines into a fresh SQLite store
               vs the raw eventsourcing library saving N one-event aggregates in one
               Application.save(*aggregates) call into a fresh SQLite store (same env).
  2. rebuild   ReadModel.fresh(path).catch_up(ledger.recorder) over the cached ~1M-event store
               vs recorder.select_notifications(..., 20000) + ledger.mapper.to_domain_event(n)
               for every notification. Peak RSS (VmHWM) of each in its own child process.
  3. report    median of 10 model.report(unit, year) calls (as JSON) (and with as_of), 1M events in the
               store, vs a trivial DuckDB `SELECT count(*) FROM events` on the same connection.

Every measured piece runs in a fresh child process (this script with --child), so neither the
store building nor an earlier measurement counts toward memory or warms caches of another.
The built store is cached under bench/results/ keyed by its parameters; --fresh rebuilds it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import hashlib
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
TZ = "Asia/Shanghai"
USER = "bench"
GENERATOR_VERSION = 1  # bump when the generated lines change: invalidates cached stores
ROOT_UNIT = "bench"
RESULT_MARK = "@@RESULT "
# The benchmark's own read model beside the cached store (not readmodel.duckdb: other tools
# opening the store with Settings.read_model() would contend for its lock).
READMODEL = "bench-readmodel.duckdb"

TARGETS = {
    "import": 10_000.0,  # lines/s, at least
    "rebuild": 100_000.0,  # events/s, at least
    "rebuild_rss": 1024.0,  # MiB, at most
    "report": 0.200,  # s, at most
}


# --------------------------------------------------------------------------------------------
# Interchange line generator (DOMAIN.md §2, §4): deterministic, valid, mostly records + steps.
# --------------------------------------------------------------------------------------------

KIND_WEIGHTS = {
    "study_session": 25,
    "study_writing": 8,
    "publicity_event": 8,
    "petition": 15,
    "case": 5,
    "normative_document": 3,
    "disclosure": 10,
    "disclosure_request": 4,
    "proposal": 3,
    "legal_review": 8,
    "meeting": 7,
    "inspection": 2,
    "exam": 2,
}
PREFIX = {
    "study_session": "XX",
    "study_writing": "BJ",
    "publicity_event": "PF",
    "petition": "XF",
    "case": "AJ",
    "normative_document": "GF",
    "disclosure": "GK",
    "disclosure_request": "YS",
    "proposal": "JY",
    "legal_review": "FG",
    "meeting": "HY",
    "inspection": "JC",
    "exam": "KS",
}
STUDY_FORMS = [
    "central_group",
    "party_group",
    "party_group_enlarged",
    "party_branch",
    "all_staff",
    "party_lecture",
    "business_training",
    "lecture",
    "online",
    "other",
]
LAWS = ["宪法", "民法典", "行政诉讼法", "行政复议法", "行政处罚法", "国有土地上房屋征收与补偿条例", "信访工作条例"]
TOPICS = ["习近平法治思想专题学习", "理论学习", "民法典专题", "行政执法规范化", "征收补偿政策解读"]
CASE_TYPES = [
    "admin_litigation",
    "admin_litigation",
    "civil_litigation",
    "enforcement",
    "reconsideration",
    "arbitration",
    "other",
]
LITIGATION = ["won", "won", "won", "lost", "partially_lost", "withdrawn", "dismissed", "mediated", "settled"]
RECONSIDERATION = [
    "upheld",
    "upheld",
    "revoked",
    "altered",
    "confirmed_illegal",
    "ordered_to_perform",
    "rejected",
    "terminated",
]
FIRST_DAY = dt.date(2023, 1, 1)
LAST_DAY = dt.date(2025, 12, 31)


def unit_codes(units: int) -> list[str]:
    return [f"{ROOT_UNIT}-u{i:02d}" for i in range(1, units + 1)]


def unit_lines(units: int) -> list[dict[str, Any]]:
    out = [{"id": "unit-root", "op": "unit", "unit": ROOT_UNIT, "data": {"name": "基准区"}}]
    for i, code in enumerate(unit_codes(units), 1):
        out.append(
            {
                "id": f"unit-{i:02d}",
                "op": "unit",
                "unit": code,
                "data": {"name": f"基准区第{i}中心", "parent": ROOT_UNIT},
            }
        )
    return out


def _data(r: random.Random, kind: str) -> dict[str, Any]:
    if kind == "study_session":
        d: dict[str, Any] = {"form": r.choice(STUDY_FORMS), "topic": r.choice(TOPICS), "attendees": r.randint(8, 60)}
        if r.random() < 0.5:
            d["laws"] = r.sample(LAWS, r.randint(1, 3))
        if r.random() < 0.3:
            d["speeches"] = r.randint(1, 4)
        if r.random() < 0.5:
            d["led_by_head"] = r.random() < 0.5
        return d
    if kind == "study_writing":
        return {"genre": r.choice(["notes", "reflection"]), "count": r.randint(1, 5), "title": "学习体会"}
    if kind == "publicity_event":
        return {
            "theme": r.choice(LAWS),
            "form": r.choice(
                ["street", "community", "enterprise", "village", "school", "lecture", "exam", "online", "other"]
            ),
            "audience": r.randint(20, 500),
            "materials": r.randint(0, 300),
            "consultations": r.randint(0, 50),
        }
    if kind == "petition":
        return {
            "channel": r.choice(["visit", "letter", "online", "phone", "transferred"]),
            "persons": r.randint(1, 6),
            "category": r.choice(["claim", "claim", "suggestion", "complaint", "other"]),
            "subject": "征收补偿诉求",
        }
    if kind == "case":
        return {
            "case_type": r.choice(CASE_TYPES),
            "role": r.choice(["defendant", "defendant", "plaintiff", "third_party"]),
            "cause": "房屋征收补偿决定",
            "court": "卫滨区人民法院",
            "instance": r.choice(["first", "second"]),
        }
    if kind == "normative_document":
        return {
            "action": r.choice(["reviewed", "filed", "abolished", "invalidated", "amended", "retained"]),
            "title": "征收补偿实施细则",
            "count": r.randint(1, 3),
        }
    if kind == "disclosure":
        return {"channel": "区人民政府网站", "title": "征收信息公开", "items": r.randint(1, 5)}
    if kind == "disclosure_request":
        return {"subject": "征收补偿标准"}
    if kind == "proposal":
        return {
            "source": r.choice(["npc", "cppcc"]),
            "number": f"第{r.randint(1, 300):03d}号",
            "title": "关于加快老旧小区改造的建议",
            "role": r.choice(["lead", "assist"]),
            "complex": r.random() < 0.2,
        }
    if kind == "legal_review":
        return {
            "subject": r.choice(
                ["major_decision", "contract", "normative_document", "consultation", "case_analysis", "other"]
            ),
            "title": "合同合法性审查",
            "reviewer": r.choice(["legal_advisor", "in_house"]),
        }
    if kind == "meeting":
        return {
            "form": r.choice(["party_group", "director_office", "special", "other"]),
            "topic": "研究部署法治工作",
            "rule_of_law_agenda": r.random() < 0.4,
        }
    if kind == "inspection":
        found = r.randint(0, 8)
        return {"subject": "征收协议签订", "findings": found, "rectified": r.randint(0, found)}
    if kind == "exam":
        eligible = r.randint(10, 60)
        participants = r.randint(eligible // 2, eligible)
        return {
            "title": "法治考试",
            "eligible": eligible,
            "participants": participants,
            "passed": r.randint(participants // 2, participants),
        }
    raise AssertionError(kind)


def _steps(r: random.Random, kind: str, data: dict[str, Any], day: dt.date) -> list[tuple[str, dt.date, dict]]:
    def after(lo: int, hi: int) -> dt.date:
        return day + dt.timedelta(days=r.randint(lo, hi))

    out: list[tuple[str, dt.date, dict]] = []
    if kind == "petition":
        if r.random() < 0.9:
            out.append(("acknowledged", after(1, 15), {}))
        if r.random() < 0.15:
            out.append(("visit", after(1, 40), {"persons": r.randint(1, 4)}))
        if r.random() < 0.1:
            out.append(("extended", after(30, 55), {"days": r.randint(1, 30)}))
        if r.random() < 0.75:
            out.append(("replied", after(10, 50), {"result": "已答复"}))
        if r.random() < 0.6:
            out.append(("concluded", after(20, 85), {}))
    elif kind == "case":
        for _ in range(r.choice([0, 1, 1, 2])):
            out.append(("hearing", after(20, 200), {"head_appeared": r.random() < 0.6}))
        if r.random() < 0.3:
            out.append(("coordination", after(10, 200), {}))
        if r.random() < 0.6:
            outcomes = RECONSIDERATION if data["case_type"] == "reconsideration" else LITIGATION
            out.append(("decided", after(60, 240), {"outcome": r.choice(outcomes)}))
        if r.random() < 0.1:
            out.append(("resolved", after(30, 240), {}))
        if out and r.random() < 0.5:
            last = max(d for _, d, _ in out)
            out.append(("closed", last + dt.timedelta(days=r.randint(0, 30)), {}))
    elif kind == "disclosure_request":
        if r.random() < 0.2:
            out.append(("extended", after(10, 20), {}))
        if r.random() < 0.85:
            out.append(
                (
                    "replied",
                    after(5, 40),
                    {"result": r.choice(["disclosed", "partial", "refused", "not_exist", "other"])},
                )
            )
    elif kind == "proposal":
        if r.random() < 0.7:
            out.append(("meeting", after(5, 30), {}))
        if r.random() < 0.8:
            out.append(("contacted", after(5, 40), {"form": r.choice(["face", "phone", "other"])}))
        if r.random() < 0.9:
            out.append(("replied", after(30, 90), {"grade": r.choice("ABCD")}))
        if r.random() < 0.7:
            out.append(
                (
                    "feedback",
                    after(60, 120),
                    {"satisfaction": r.choice(["satisfied", "satisfied", "basically_satisfied", "unsatisfied"])},
                )
            )
    return out


def generate_chunk(chunk: int, size: int, units: int, seed: int, with_units: bool) -> list[dict[str, Any]]:
    """`size` valid lines (sorted by business date; a prefix of them is valid on its own).

    Every activity's steps, corrections and voids are in the same chunk as its record.
    Ids are unique across chunks; refs are unique per unit across chunks.
    """
    r = random.Random(f"{seed}/{chunk}")
    head = unit_lines(units) if with_units else []
    codes = unit_codes(units)
    kinds, weights = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())
    span = (LAST_DAY - FIRST_DAY).days
    safe_today = dt.date.today() - dt.timedelta(days=1)
    body: list[tuple[str, int, dict[str, Any]]] = []
    seq = 0
    n = 0
    while len(head) + len(body) < size:
        n += 1
        kind = r.choices(kinds, weights)[0]
        unit = r.choice(codes)
        ref = f"{PREFIX[kind]}-{chunk}-{n}"
        day = FIRST_DAY + dt.timedelta(days=r.randint(0, span))
        data = _data(r, kind)
        seq += 1
        body.append(
            (
                day.isoformat(),
                seq,
                {
                    "id": f"c{chunk}-{seq}",
                    "op": "record",
                    "unit": unit,
                    "kind": kind,
                    "ref": ref,
                    "date": day.isoformat(),
                    "data": data,
                },
            )
        )
        for step, sday, sdata in _steps(r, kind, data, day):
            sday = min(sday, safe_today)
            seq += 1
            line = {
                "id": f"c{chunk}-{seq}",
                "op": "step",
                "unit": unit,
                "ref": ref,
                "step": step,
                "date": sday.isoformat(),
            }
            if sdata:
                line["data"] = sdata
            body.append((sday.isoformat(), seq, line))
        if kind == "study_session":
            roll = r.random()
            if roll < 0.04:  # a correction (of data only: no date moves)
                seq += 1
                body.append(
                    (
                        day.isoformat(),
                        seq,
                        {
                            "id": f"c{chunk}-{seq}",
                            "op": "correct",
                            "unit": unit,
                            "ref": ref,
                            "reason": "参学人数统计有误",
                            "data": {"attendees": r.randint(8, 60)},
                        },
                    )
                )
            elif roll < 0.05:  # a void (study sessions never have steps)
                seq += 1
                body.append(
                    (
                        day.isoformat(),
                        seq,
                        {"id": f"c{chunk}-{seq}", "op": "void", "unit": unit, "ref": ref, "reason": "重复录入"},
                    )
                )
    body.sort(key=lambda t: (t[0], t[1]))
    return (head + [line for _, _, line in body])[:size]


def chunk_plan(events: int, chunk_lines: int) -> list[int]:
    """Line counts per Ledger.apply call: every line makes 2 events (the event and its receipt)."""
    total = events // 2
    plan = []
    while total > 0:
        plan.append(min(chunk_lines, total))
        total -= plan[-1]
    return plan


# --------------------------------------------------------------------------------------------
# Children: each measured piece in a fresh process.
# --------------------------------------------------------------------------------------------


def peak_rss_mib() -> float:
    """Peak RSS of this process (VmHWM: per address space, so nothing inherited from a parent)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    ru = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return ru / (1024 * 1024) if sys.platform == "darwin" else ru / 1024


PACKAGES = ("domain", "api", "projections")
# Where a child imports the product from: a snapshot of the packages taken when the run started,
# so that every repetition measures the same code while others keep editing the tree.
CODE_DIR: Path = ROOT


def _product_imports() -> None:
    if str(CODE_DIR) not in sys.path:
        sys.path.insert(0, str(CODE_DIR))


def snapshot_code(work: Path) -> Path:
    """Copy the product packages (as they are now) under `work`; returns the directory to import from."""
    fp = _domain_fingerprint(ROOT)
    target = work / f"code-{fp}"
    if not target.exists():
        tmp = work / f"code-{fp}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        for pkg in PACKAGES:
            shutil.copytree(ROOT / pkg, tmp / pkg, ignore=shutil.ignore_patterns("__pycache__", ".*"))
        tmp.rename(target)
    return target


def _settings(home: Path) -> Any:
    _product_imports()
    from api.infra.settings import Settings

    return Settings(home=home, database_url=None, tz=TZ, user=USER)


def _close(app: Any) -> None:
    close = getattr(app, "close", None)
    if callable(close):
        close()


def child_build(spec: dict[str, Any]) -> dict[str, Any]:
    home = Path(spec["home"])
    ledger = _settings(home).ledger()
    plan = chunk_plan(spec["events"], spec["chunk"])
    chunks = []
    total_events = 0
    for i, size in enumerate(plan):
        lines = generate_chunk(i, size, spec["units"], spec["seed"], with_units=i == 0)
        numbered = list(enumerate(lines, 1))
        t0 = time.perf_counter()
        outcome = ledger.apply(numbered, USER)
        elapsed = time.perf_counter() - t0
        if not outcome.ok:
            raise SystemExit(f"build chunk {i}: {len(outcome.errors)} errors, first: {outcome.errors[:5]}")
        total_events += outcome.events
        chunks.append({"lines": size, "events": outcome.events, "seconds": elapsed})
        print(
            f"  build chunk {i + 1}/{len(plan)}: {size} lines, {outcome.events} events in {elapsed:.1f} s "
            f"({size / elapsed:,.0f} lines/s), store {total_events:,} events",
            file=sys.stderr,
            flush=True,
        )
    _close(ledger)
    return {"chunks": chunks, "events": total_events, "lines": sum(plan), "peak_rss_mib": peak_rss_mib()}


class Entry(Aggregate):
    """The minimal baseline aggregate: one event per line, carrying the line."""

    def __init__(self, line: dict[str, Any]) -> None:
        self.line = line


class RawApp(Application):
    name = "rawbench"
    is_snapshotting_enabled = False


def child_import(spec: dict[str, Any]) -> dict[str, Any]:
    home = Path(spec["home"])
    shutil.rmtree(home, ignore_errors=True)
    lines = generate_chunk(0, spec["lines"], spec["units"], spec["seed"], with_units=True)
    numbered = list(enumerate(lines, 1))
    settings = _settings(home)
    if spec["which"] == "product":
        ledger = settings.ledger()
        gc.collect()
        t0 = time.perf_counter()
        outcome = ledger.apply(numbered, USER)
        elapsed = time.perf_counter() - t0
        if not outcome.ok:
            raise SystemExit(f"import: {len(outcome.errors)} errors, first: {outcome.errors[:5]}")
        events = outcome.events
        _close(ledger)
    else:
        app = RawApp(env=settings.event_store_env())
        gc.collect()
        t0 = time.perf_counter()
        aggregates = [Entry(line) for _, line in numbered]
        recordings = app.save(*aggregates)
        elapsed = time.perf_counter() - t0
        events = len(recordings)
        _close(app)
    return {
        "lines": len(numbered),
        "events": events,
        "seconds": elapsed,
        "rate": len(numbered) / elapsed,
        "peak_rss_mib": peak_rss_mib(),
    }


def child_rebuild(spec: dict[str, Any]) -> dict[str, Any]:
    home = Path(spec["home"])
    ledger = _settings(home).ledger()
    gc.collect()
    if spec["which"] == "product":
        from projections.readmodel import ReadModel

        path = home / READMODEL
        _stamp_path(home).unlink(missing_ok=True)
        t0 = time.perf_counter()
        model = ReadModel.fresh(path, TZ)
        n = model.catch_up(ledger.recorder)
        elapsed = time.perf_counter() - t0
        t1 = time.perf_counter()
        model.close()
        close_seconds = time.perf_counter() - t1
        _stamp_path(home).write_text(_domain_fingerprint())
    else:
        t0 = time.perf_counter()
        position, n = 0, 0
        to_domain_event = ledger.mapper.to_domain_event
        while True:
            notes = ledger.recorder.select_notifications(position, 20_000, inclusive_of_start=False)
            if not notes:
                break
            for note in notes:
                to_domain_event(note)
            position = notes[-1].id
            n += len(notes)
        elapsed = time.perf_counter() - t0
        close_seconds = 0.0
    _close(ledger)
    return {
        "events": n,
        "seconds": elapsed,
        "rate": n / elapsed if elapsed else 0.0,
        "close_seconds": close_seconds,
        "peak_rss_mib": peak_rss_mib(),
    }


def _stamp_path(home: Path) -> Path:
    return home / (READMODEL + ".code")


def child_report(spec: dict[str, Any]) -> dict[str, Any]:
    home = Path(spec["home"])
    ledger = _settings(home).ledger()
    from projections.readmodel import ReadModel

    path = home / READMODEL
    prepare_seconds = 0.0
    code = _domain_fingerprint()
    stamp = _stamp_path(home)
    if not stamp.exists() or stamp.read_text() != code:
        # the read model was built by other product code (or not at all): rebuild it, untimed
        t0 = time.perf_counter()
        model = ReadModel.fresh(path, TZ)
        model.catch_up(ledger.recorder)
        model.close()
        stamp.write_text(code)
        prepare_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    model = ReadModel(path, TZ)
    caught_up = model.catch_up(ledger.recorder)
    open_seconds = time.perf_counter() - t0
    con = model.con
    # (epoch: fetching a TIMESTAMPTZ into Python would need pytz)
    last_us = con.execute("SELECT epoch_us(max(recorded_at)) FROM events").fetchone()[0]
    as_of = dt.datetime.fromtimestamp(last_us / 1e6, dt.UTC) if last_us is not None else None
    unit, rollup, year = spec["unit"], spec["rollup"], spec["year"]

    # An earlier instant too (issue 13.11): as of the event at 90% of the log, so that activities recorded by
    # then have later events; and the same two folded the reference way (everything as of T), for the ratio.
    mid_us = con.execute(
        "SELECT epoch_us(recorded_at) FROM events WHERE pos = (SELECT quantile_disc(pos, 0.9) FROM events)"
    ).fetchone()[0]
    as_of_mid = dt.datetime.fromtimestamp(mid_us / 1e6, dt.UTC) if mid_us is not None else None
    from projections import report as report_module

    def reference(when: dt.datetime | None) -> Any:
        report_module.FAST_AS_OF = False
        try:
            return model.report(unit, year, as_of=when).to_json()
        finally:
            report_module.FAST_AS_OF = True

    cases = {
        "baseline": lambda: con.execute("SELECT count(*) FROM events").fetchone(),
        "report": lambda: model.report(unit, year).to_json(),
        "report_rollup": lambda: model.report(rollup, year).to_json(),
        "report_as_of": lambda: model.report(unit, year, as_of=as_of).to_json(),
        "report_as_of_90": lambda: model.report(unit, year, as_of=as_of_mid).to_json(),
    }
    if hasattr(report_module, "FAST_AS_OF"):
        cases["report_as_of_ref"] = lambda: reference(as_of)
        cases["report_as_of_90_ref"] = lambda: reference(as_of_mid)
    # One block per case (first call, then `calls` timed calls), the folded as_of path last.
    errors: dict[str, str] = {}
    first: dict[str, float] = {}
    samples: dict[str, Any] = {}
    times: dict[str, list[float]] = {}
    for name, fn in cases.items():
        try:
            t = time.perf_counter()
            samples[name] = fn()
            first[name] = time.perf_counter() - t
            times[name] = []
            for _ in range(spec["calls"]):
                t = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - t)
        except Exception as e:  # a broken case must not hide the others
            errors[name] = f"{type(e).__name__}: {e}".splitlines()[0]
            times.pop(name, None)
            print(f"  report case {name} failed: {errors[name]}", file=sys.stderr, flush=True)
    same = None
    if "report" in samples and "report_as_of" in samples:
        same = samples["report"]["figures"] == samples["report_as_of"]["figures"]
    for fast, ref in (("report_as_of", "report_as_of_ref"), ("report_as_of_90", "report_as_of_90_ref")):
        if fast in samples and ref in samples and samples[fast] != samples[ref]:
            errors[fast] = f"{fast} differs from the reference fold ({ref})"
            print(f"  {errors[fast]}", file=sys.stderr, flush=True)
    # the current-state path again on the same connection, after the as_of path
    try:
        again = cases["report"]()
        if "report" in samples and again["figures"] != samples["report"]["figures"]:
            errors["report_after_as_of"] = "report() after report(as_of=...) gives different figures"
    except Exception as e:
        problem = f"{type(e).__name__}: {e}".splitlines()[0]
        errors["report_after_as_of"] = f"report() after report(as_of=...) fails: {problem}"
    if "report_after_as_of" in errors:
        print(f"  {errors['report_after_as_of']}", file=sys.stderr, flush=True)
    model.close()
    _close(ledger)
    study = samples["report"]["figures"].get("study.sessions", {}).get("value") if "report" in samples else None
    return {
        "times": times,
        "first": first,
        "errors": errors,
        "prepare_seconds": prepare_seconds,
        "open_seconds": open_seconds,
        "caught_up": caught_up,
        "as_of": as_of.isoformat() if as_of else None,
        "as_of_matches_current": same,
        "study_sessions": study,
        "peak_rss_mib": peak_rss_mib(),
    }


CHILDREN = {"build": child_build, "import": child_import, "rebuild": child_rebuild, "report": child_report}


def run_child(name: str, spec: dict[str, Any], profile: Path | None = None) -> dict[str, Any]:
    spec = {**spec, "code_dir": str(CODE_DIR)}
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", name, "--spec", json.dumps(spec)]
    if profile is not None:
        cmd += ["--profile-out", str(profile)]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    result = None
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_MARK):
            result = json.loads(line[len(RESULT_MARK) :])
        else:
            print(line, file=sys.stderr)
    if proc.returncode != 0 or result is None:
        raise RuntimeError(f"child {name} {spec.get('which', '')} failed (exit {proc.returncode})")
    return result


def child_main(name: str, spec_json: str, profile_out: str | None) -> None:
    global CODE_DIR
    spec = json.loads(spec_json)
    CODE_DIR = Path(spec["code_dir"])
    code = _domain_fingerprint()
    if profile_out:
        import cProfile

        prof = cProfile.Profile()
        result = prof.runcall(CHILDREN[name], spec)
        prof.dump_stats(profile_out)
    else:
        result = CHILDREN[name](spec)
    result["code"] = code
    result["code_dir"] = str(CODE_DIR)
    print(RESULT_MARK + json.dumps(result, default=str), flush=True)


# --------------------------------------------------------------------------------------------
# The store cache
# --------------------------------------------------------------------------------------------


def _domain_fingerprint(base: Path | None = None) -> str:
    """A hash of the product's Python sources (those children import, by default)."""
    base = base or CODE_DIR
    h = hashlib.sha256()
    for folder in PACKAGES:
        for p in sorted((base / folder).rglob("*.py")):
            h.update(p.name.encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:12]


def ensure_store(args: argparse.Namespace) -> tuple[Path, dict[str, Any]]:
    key = f"store-e{args.events}-c{args.chunk}-u{args.units}-s{args.seed}-g{GENERATOR_VERSION}"
    home = RESULTS / key
    marker = home / "complete.json"
    if marker.exists() and not args.fresh:
        info = json.loads(marker.read_text())
        note = (
            ""
            if info.get("code") == _domain_fingerprint()
            else " (product code changed since it was built: use --fresh if the stored event format changed)"
        )
        log(f"using cached store {home.relative_to(ROOT)}: {info['events']:,} events{note}")
        info["cached"] = True
        return home, info
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    plan = chunk_plan(args.events, args.chunk)
    log(f"building store {home.relative_to(ROOT)}: {sum(plan):,} lines in {len(plan)} Ledger.apply calls")
    t0 = time.perf_counter()
    built = run_child(
        "build", {"home": str(home), "events": args.events, "chunk": args.chunk, "units": args.units, "seed": args.seed}
    )
    info = {
        **built,
        "build_seconds": time.perf_counter() - t0,
        "code": _domain_fingerprint(),
        "built_at": dt.datetime.now(dt.UTC).isoformat(),
        "params": {"events": args.events, "chunk": args.chunk, "units": args.units, "seed": args.seed},
    }
    marker.write_text(json.dumps(info, indent=2))
    info["cached"] = False
    return home, info


# --------------------------------------------------------------------------------------------
# Orchestration and reporting
# --------------------------------------------------------------------------------------------


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def med(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def bench_import(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    runs: dict[str, list[dict[str, Any]]] = {"product": [], "baseline": []}
    errors = []
    for rep in range(args.repeats):
        for which in ("product", "baseline"):
            home = work / f"import-{which}"
            try:
                res = run_child(
                    "import",
                    {
                        "home": str(home),
                        "which": which,
                        "lines": args.import_lines,
                        "units": args.units,
                        "seed": args.seed,
                    },
                )
                runs[which].append(res)
                log(
                    f"import {which} #{rep + 1}: {res['lines']:,} lines, {res['events']:,} events in "
                    f"{res['seconds']:.2f} s = {res['rate']:,.0f} lines/s, peak RSS {res['peak_rss_mib']:.0f} MiB"
                )
            except RuntimeError as e:
                errors.append(str(e))
                log(str(e))
            finally:
                shutil.rmtree(home, ignore_errors=True)
    return {"runs": runs, "errors": errors}


def bench_rebuild(args: argparse.Namespace, home: Path) -> dict[str, Any]:
    runs: dict[str, list[dict[str, Any]]] = {"product": [], "baseline": []}
    errors = []
    for rep in range(args.repeats):
        for which in ("product", "baseline"):
            try:
                res = run_child("rebuild", {"home": str(home), "which": which})
                runs[which].append(res)
                log(
                    f"rebuild {which} #{rep + 1}: {res['events']:,} events in {res['seconds']:.2f} s = "
                    f"{res['rate']:,.0f} events/s, peak RSS {res['peak_rss_mib']:.0f} MiB"
                    + (f", close {res['close_seconds']:.2f} s" if which == "product" else "")
                )
            except RuntimeError as e:
                errors.append(str(e))
                log(str(e))
    return {"runs": runs, "errors": errors}


def bench_report(args: argparse.Namespace, home: Path) -> dict[str, Any]:
    runs = []
    errors = []
    for rep in range(args.repeats):
        try:
            res = run_child(
                "report",
                {
                    "home": str(home),
                    "unit": unit_codes(args.units)[0],
                    "rollup": ROOT_UNIT,
                    "year": args.year,
                    "calls": args.report_calls,
                },
            )
            runs.append(res)
            errors.extend(f"report #{rep + 1} {k}: {v}" for k, v in res["errors"].items())
            if res["prepare_seconds"]:
                log(
                    f"report #{rep + 1}: read model rebuilt first for this product code "
                    f"({res['prepare_seconds']:.1f} s, untimed)"
                )
            meds = {k: med(v) for k, v in res["times"].items()}
            log(
                f"report #{rep + 1}: "
                + ", ".join(f"{k} {v * 1000:.1f} ms" for k, v in meds.items())
                + " (first calls: "
                + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in res["first"].items())
                + ")"
            )
        except RuntimeError as e:
            errors.append(str(e))
            log(str(e))
    return {"runs": runs, "errors": errors}


def metric(
    mid: str,
    label: str,
    unit: str,
    measured: float | None,
    baseline: float | None,
    target: float | None,
    higher_is_better: bool,
    **extra: Any,
) -> dict[str, Any]:
    ok = None
    if measured is not None and target is not None:
        ok = measured >= target if higher_is_better else measured <= target
    ratio = measured / baseline if measured is not None and baseline else None
    return {
        "id": mid,
        "label": label,
        "unit": unit,
        "measured": measured,
        "baseline": baseline,
        "ratio": ratio,
        "target": target,
        "target_op": ">=" if higher_is_better else "<=",
        "pass": ok,
        **extra,
    }


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "lines/s" or unit == "events/s":
        return f"{value:,.0f} {unit}"
    if unit == "ms":
        return f"{value * 1000:,.1f} ms"
    if unit == "s":
        return f"{value:,.2f} s"
    if unit == "MiB":
        return f"{value:,.0f} MiB"
    return f"{value:g} {unit}"


def table(metrics: list[dict[str, Any]]) -> str:
    rows = ["| metric | measured | baseline | ratio | target | pass/fail |", "|---|---:|---:|---:|---|---|"]
    for m in metrics:
        op = "≥" if m["target_op"] == ">=" else "≤"
        target = "—" if m["target"] is None else f"{op} {fmt(m['target'], m['unit'])}"
        verdict = {True: "PASS", False: "FAIL", None: "ERROR" if m["measured"] is None else "—"}[m["pass"]]
        ratio = "—" if m["ratio"] is None else f"{m['ratio']:.2f}×"
        rows.append(
            f"| {m['label']} | {fmt(m['measured'], m['unit'])} | {fmt(m['baseline'], m['baseline_unit'])} "
            f"| {ratio} | {target} | {verdict} |"
        )
    return "\n".join(rows)


def summarise(args: argparse.Namespace, imp: dict, reb: dict, rep: dict, store: dict) -> list[dict[str, Any]]:
    out = []
    p, b = imp["runs"]["product"], imp["runs"]["baseline"]
    out.append(
        metric(
            "import.lines_per_s",
            f"import throughput ({args.import_lines:,} lines)",
            "lines/s",
            med([r["rate"] for r in p]),
            med([r["rate"] for r in b]),
            TARGETS["import"],
            True,
            baseline_unit="lines/s",
            runs=[r["rate"] for r in p],
            baseline_runs=[r["rate"] for r in b],
            events_per_line=(p[0]["events"] / p[0]["lines"]) if p else None,
        )
    )
    p, b = reb["runs"]["product"], reb["runs"]["baseline"]
    events = p[0]["events"] if p else store.get("events")
    out.append(
        metric(
            "rebuild.events_per_s",
            f"rebuild throughput ({events:,} events)",
            "events/s",
            med([r["rate"] for r in p]),
            med([r["rate"] for r in b]),
            TARGETS["rebuild"],
            True,
            baseline_unit="events/s",
            runs=[r["rate"] for r in p],
            baseline_runs=[r["rate"] for r in b],
        )
    )
    out.append(
        metric(
            "rebuild.seconds",
            f"rebuild time ({events:,} events)",
            "s",
            med([r["seconds"] for r in p]),
            med([r["seconds"] for r in b]),
            10.0 * (events or 0) / 1_000_000,
            False,
            baseline_unit="s",
            runs=[r["seconds"] for r in p],
            baseline_runs=[r["seconds"] for r in b],
            close_seconds=[r["close_seconds"] for r in p],
        )
    )
    out.append(
        metric(
            "rebuild.peak_rss_mib",
            "rebuild peak RSS",
            "MiB",
            med([r["peak_rss_mib"] for r in p]),
            med([r["peak_rss_mib"] for r in b]),
            TARGETS["rebuild_rss"],
            False,
            baseline_unit="MiB",
            runs=[r["peak_rss_mib"] for r in p],
            baseline_runs=[r["peak_rss_mib"] for r in b],
        )
    )
    runs = rep["runs"]

    def per_run(name: str) -> list[float]:
        return [med(r["times"][name]) for r in runs if r["times"].get(name)]

    base = med(per_run("baseline")) if runs else None
    unit0 = unit_codes(args.units)[0]
    labels = {
        "report": (f"report {unit0} {args.year}", TARGETS["report"]),
        "report_as_of": (f"report {unit0} {args.year} as_of (folded)", TARGETS["report"]),
        "report_as_of_ref": (f"report {unit0} {args.year} as_of, reference fold of everything (extra)", None),
        "report_as_of_90": (f"report {unit0} {args.year} as_of the event at 90% of the log", TARGETS["report"]),
        "report_as_of_90_ref": (f"report {unit0} {args.year} as_of 90%, reference fold (extra)", None),
        "report_rollup": (f"report {ROOT_UNIT} {args.year} roll-up of {args.units} units (extra)", TARGETS["report"]),
    }
    for name, (label, target) in labels.items():
        out.append(
            metric(
                f"{name}.median_s",
                label,
                "ms",
                med(per_run(name)) if runs else None,
                base,
                target,
                False,
                baseline_unit="ms",
                runs=per_run(name) if runs else [],
                baseline_runs=per_run("baseline") if runs else [],
                first_call=[r["first"][name] for r in runs if name in r["first"]],
            )
        )
    return out


def profile_part(args: argparse.Namespace, part: str) -> None:
    import pstats

    global CODE_DIR
    work = RESULTS / f"work-{os.getpid()}"
    work.mkdir(parents=True, exist_ok=True)
    CODE_DIR = snapshot_code(work)
    out = RESULTS / f"profile-{part}.prof"
    if part == "import":
        spec = {
            "home": str(work / "import-product"),
            "which": "product",
            "lines": args.import_lines,
            "units": args.units,
            "seed": args.seed,
        }
        run_child("import", spec, profile=out)
    else:
        home, _ = ensure_store(args)
        if part == "rebuild":
            run_child("rebuild", {"home": str(home), "which": "product"}, profile=out)
        else:
            run_child(
                "report",
                {
                    "home": str(home),
                    "unit": unit_codes(args.units)[0],
                    "rollup": ROOT_UNIT,
                    "year": args.year,
                    "calls": args.report_calls,
                },
                profile=out,
            )
    shutil.rmtree(work, ignore_errors=True)
    stats = pstats.Stats(str(out))
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(25)
    log(f"profile written to {out.relative_to(ROOT)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=1_000_000, help="events in the rebuild/report store")
    ap.add_argument("--import-lines", type=int, default=50_000, help="lines per import measurement")
    ap.add_argument("--out", type=Path, default=RESULTS / "core.json")
    ap.add_argument("--fresh", action="store_true", help="rebuild the cached store")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--chunk", type=int, default=50_000, help="lines per Ledger.apply call when building the store")
    ap.add_argument("--units", type=int, default=20)
    ap.add_argument("--year", type=int, default=2024, help="report year (data spans 2023-2025)")
    ap.add_argument("--report-calls", type=int, default=10)
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument(
        "--only", choices=["import", "rebuild", "report"], action="append", help="run only these parts (repeatable)"
    )
    ap.add_argument(
        "--profile",
        choices=["import", "rebuild", "report"],
        help="run one product measurement of this part under cProfile instead of the benchmark",
    )
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--spec", help=argparse.SUPPRESS)
    ap.add_argument("--profile-out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child_main(args.child, args.spec, args.profile_out)
        return
    if args.profile:
        profile_part(args, args.profile)
        return

    global CODE_DIR
    parts = set(args.only or ["import", "rebuild", "report"])
    work = RESULTS / f"work-{os.getpid()}"
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    CODE_DIR = snapshot_code(work)
    log(f"measuring the product code as of now (snapshot {CODE_DIR.name}, imported by every child)")
    empty = {"runs": {"product": [], "baseline": []}, "errors": []}
    imp = bench_import(args, work) if "import" in parts else empty
    store: dict[str, Any] = {}
    reb, rep = empty, {"runs": [], "errors": []}
    if parts & {"rebuild", "report"}:
        home, store = ensure_store(args)
        if "rebuild" in parts:
            reb = bench_rebuild(args, home)
        if "report" in parts:
            rep = bench_report(args, home)
    shutil.rmtree(work, ignore_errors=True)

    metrics = summarise(args, imp, reb, rep, store)
    md = table([m for m in metrics if m["measured"] is not None or m["baseline"] is not None])
    print(md)
    errors = list(dict.fromkeys(imp["errors"] + reb["errors"] + rep["errors"]))
    children = [
        *imp["runs"]["product"],
        *imp["runs"]["baseline"],
        *reb["runs"]["product"],
        *reb["runs"]["baseline"],
        *rep["runs"],
    ]
    codes = sorted({c["code"] for c in children})
    if len(codes) > 1:
        warning = (
            f"product code changed during the run ({len(codes)} versions: {', '.join(codes)}): "
            "repetitions measured different code, medians are not comparable"
        )
        errors.append(warning)
    for e in errors:
        print(f"\nERROR: {e}")
    result = {
        "benchmark": "core",
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "when": dt.datetime.now(dt.UTC).isoformat(),
        "seconds": time.perf_counter() - started,
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "loadavg_end": os.getloadavg(),
        },
        "params": {
            "events": args.events,
            "import_lines": args.import_lines,
            "repeats": args.repeats,
            "chunk": args.chunk,
            "units": args.units,
            "year": args.year,
            "report_calls": args.report_calls,
            "seed": args.seed,
        },
        "notes": {
            "ratio": "measured / baseline (throughput: higher is better; time and memory: lower is better)",
            "import_baseline": "raw eventsourcing: one minimal Aggregate per line (1 event/line), one save()",
            "rebuild_baseline": "select_notifications(pos, 20000, inclusive_of_start=False) + mapper.to_domain_event",
            "report_baseline": "SELECT count(*) FROM events on the read model's connection",
            "rss": "VmHWM of the child process that ran the measurement",
            "as_of": "as_of = max(recorded_at) in the store: the folded path over every event",
            "code": "children import a snapshot of domain/, api/, projections/ taken when the run started",
        },
        "store": store,
        "code": codes,
        "metrics": metrics,
        "raw": {"import": imp, "rebuild": reb, "report": rep},
        "errors": errors,
        "markdown": md,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    log(f"results written to {args.out} ({result['seconds']:.0f} s in all)")
    if errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
