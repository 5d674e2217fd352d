"""Property: any valid history gives the same report however the read model got there —
incremental catch-up in small batches, a rebuild from scratch, or a catch-up that crashed midway
(in-process failure before commit, or the process killed with SIGKILL) and resumed."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.infra.settings import Settings
from domain.activity import Evidence
from projections import ingest
from projections.readmodel import ReadModel
from projections.tracking import DuckDBTrackingRecorder

KINDS = {
    "petition": {"channel": "visit", "persons": 2, "category": "claim", "subject": "补偿"},
    "case": {"case_type": "admin_litigation", "role": "defendant"},
    "disclosure_request": {"subject": "征收决定"},
    "proposal": {"source": "npc", "title": "建议", "role": "lead"},
    "study_session": {"form": "party_group", "topic": "学法", "attendees": 10},
    "exam": {"title": "考试", "eligible": 10, "participants": 9, "passed": 8},
    # DOMAIN.md §7: money, catalogue years and the due-based rates go through every read-model path too.
    "enforcement_case": {"action": "penalty", "subject": "违法行为", "procedure": "ordinary"},
    "major_decision": {"title": "决策事项"},
    "supervision_letter": {"type": "procuratorial_suggestion", "subject": "检察建议"},
}
STEPS = {
    "petition": [
        ("visit", {"persons": 1}),
        ("acknowledged", {}),
        ("extended", {"days": 10}),
        ("replied", {}),
        ("concluded", {}),
    ],
    "case": [
        ("hearing", {"head_appeared": True}),
        ("coordination", {}),
        ("decided", {"outcome": "lost"}),
        ("resolved", {}),
        ("closed", {}),
    ],
    "disclosure_request": [("extended", {}), ("replied", {"result": "disclosed"})],
    "proposal": [("meeting", {}), ("contacted", {}), ("replied", {}), ("feedback", {"satisfaction": "satisfied"})],
    "enforcement_case": [
        ("extended", {"days": 10}),
        ("decided", {"outcome": "penalized", "penalty_class": "fine", "fine": "12.34", "confiscated": 5}),
        ("withdrawn", {}),
        ("executed", {}),
        ("published", {}),
    ],
    "major_decision": [("legality_review", {}), ("collective_decision", {}), ("published", {}), ("terminated", {})],
    "supervision_letter": [("replied", {"result": "adopted"})],
}
CORRECTIONS = {
    "petition": {"category": "suggestion"},
    "case": {"case_type": "enforcement"},
    "disclosure_request": {"subject": "另一事项"},
    "proposal": {"source": "cppcc"},
    "study_session": {"form": "business_training", "laws": ["民法典"]},
    "exam": {"passed": 5},
    "enforcement_case": {"procedure": "simple"},
    "major_decision": {"catalogue_year": 2025},
    "supervision_letter": {"reply_days": 20},
}
START = date(2024, 11, 1)
YEARS = (2024, 2025)

op = st.tuples(
    st.sampled_from(["record", "record", "step", "step", "step", "correct", "void", "void_step"]),
    st.integers(0, 5),  # which ref
    st.integers(0, len(KINDS) - 1),  # which kind / step
    st.integers(0, 120),  # days after START
    st.sampled_from(["u", "c"]),  # the unit or its child
)


def to_lines(ops: list[tuple[str, int, int, int, str]]) -> list[dict[str, Any]]:
    """Candidate lines; the ledger rejects the invalid ones, leaving a random valid history."""
    lines: list[dict[str, Any]] = [
        {"id": "u0", "op": "unit", "unit": "u", "data": {"name": "上级"}},
        {"id": "c0", "op": "unit", "unit": "c", "data": {"name": "下级", "parent": "u"}},
    ]
    kinds: dict[tuple[str, str], str] = {}
    step_ids: list[tuple[str, str, str]] = []
    for n, (what, r, k, days, unit) in enumerate(ops):
        ref, day, lid = f"R{r}", (START + timedelta(days=days)).isoformat(), f"x{n}"
        kind = kinds.get((unit, ref))
        if what == "record" or kind is None:
            kind = list(KINDS)[k]
            kinds.setdefault((unit, ref), kind)
            lines.append(
                {"id": lid, "op": "record", "unit": unit, "kind": kind, "ref": ref, "date": day, "data": KINDS[kind]}
            )
        elif what == "step" and kind in STEPS:
            name, data = STEPS[kind][k % len(STEPS[kind])]
            lines.append({"id": lid, "op": "step", "unit": unit, "ref": ref, "step": name, "date": day, "data": data})
            step_ids.append((unit, ref, lid))
        elif what == "correct":
            lines.append(
                {
                    "id": lid,
                    "op": "correct",
                    "unit": unit,
                    "ref": ref,
                    "reason": "更正",
                    **({"date": day} if k % 2 else {"data": CORRECTIONS[kind]}),
                }
            )
        elif what == "void_step" and step_ids:
            su, sref, target = step_ids[k % len(step_ids)]
            lines.append({"id": lid, "op": "void", "unit": su, "ref": sref, "target": target, "reason": "重复"})
        elif what == "void" and k == 0:
            lines.append({"id": lid, "op": "void", "unit": unit, "ref": ref, "reason": "作废"})
    return lines


def apply_one_by_one(settings_: Settings, lines: list[dict[str, Any]]) -> int:
    ledger = settings_.ledger()
    return sum(ledger.apply([(1, line)], "测试员").applied for line in lines)


def reports(model: ReadModel, as_of: datetime | None = None) -> list[dict[str, Any]]:
    out = []
    for unit in ("u", "c"):
        for year in YEARS:
            r = model.report(unit, year, as_of).to_json()
            out.append({"figures": r["figures"], "checks": r["checks"], "log": r["log"]})
    return out


def _home(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(home=tmp_path_factory.mktemp("h"), database_url=None, tz="Asia/Shanghai", user="测试员")


@pytest.mark.slow  # 15 generated histories, each folded three ways: half a minute
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    ops=st.lists(op, min_size=1, max_size=40),
    batch=st.integers(1, 7),
    crash_at=st.integers(1, 8),
    chunk=st.integers(1, 4),
    refold_all=st.sampled_from([0.5, 1e9]),
)
def test_same_report_incremental_rebuilt_and_after_crash(
    tmp_path_factory, monkeypatch, ops, batch, crash_at, chunk, refold_all
):
    # The incremental fold in chunks of a few activities, or everything refolded past the threshold.
    monkeypatch.setattr(ingest, "FOLD_CHUNK", chunk)
    monkeypatch.setattr(ingest, "REFOLD_ALL", refold_all)
    cfg = _home(tmp_path_factory)
    lines = to_lines(ops)
    ledger = cfg.ledger()
    half = max(2, len(lines) // 2)
    with cfg.read_model() as model:
        apply_one_by_one(cfg, lines[:half])
        model.catch_up(ledger.recorder, batch_size=batch)
        before = reports(model)
        instant = datetime.now(UTC)
        time.sleep(0.002)
        apply_one_by_one(cfg, lines[half:])
        model.catch_up(ledger.recorder, batch_size=batch)
        incremental = reports(model)
        as_of = reports(model, instant)
    assert as_of == before, "the as-of report must show the ledger as it stood then"

    with cfg.fresh_read_model() as model:
        model.catch_up(ledger.recorder)
        assert reports(model) == incremental

    # Crash inside a transaction, after its rows were written and before commit: in an ingest batch or in
    # the fold that follows (both record a position last).
    calls = {"n": 0}
    real_record = DuckDBTrackingRecorder.record_position

    def crashing_record(self, tracking):
        calls["n"] += 1
        if calls["n"] == crash_at:
            raise KeyboardInterrupt("simulated crash before commit")
        real_record(self, tracking)

    with cfg.fresh_read_model() as model:
        monkeypatch.setattr(DuckDBTrackingRecorder, "record_position", crashing_record)
        with contextlib.suppress(KeyboardInterrupt):
            model.catch_up(ledger.recorder, batch_size=batch)
        monkeypatch.setattr(DuckDBTrackingRecorder, "record_position", real_record)
    with cfg.read_model() as model:
        model.catch_up(ledger.recorder, batch_size=batch)
        assert reports(model) == incremental

    # Stopped between ingesting and folding: the next catch-up folds what is pending.
    with cfg.fresh_read_model() as model:
        model.catch_up(ledger.recorder, batch_size=batch, stop_after=1)
    with cfg.read_model() as model:
        model.catch_up(ledger.recorder, batch_size=batch)
        assert reports(model) == incremental


KILL_SCRIPT = """
import sys
from api.infra.settings import Settings
from pathlib import Path
cfg = Settings(home=Path(sys.argv[1]), database_url=sys.argv[3] or None, tz="Asia/Shanghai", user="t")
ledger = cfg.ledger()
with cfg.fresh_read_model() as model:
    print("start", flush=True)
    model.catch_up(ledger.recorder, batch_size=int(sys.argv[2]))
print("done", flush=True)
"""


@pytest.mark.slow  # child processes killed mid-rebuild
def test_rebuild_killed_with_sigkill_resumes_to_identical_report(tmp_path):
    cfg = Settings(home=tmp_path, database_url=None, tz="Asia/Shanghai", user="t")
    lines = [
        {"id": "u0", "op": "unit", "unit": "u", "data": {"name": "单位"}},
        {"id": "c0", "op": "unit", "unit": "c", "data": {"name": "下级", "parent": "u"}},
    ]
    for i in range(6000):
        kind = list(KINDS)[i % len(KINDS)]
        day = (START + timedelta(days=i % 400)).isoformat()
        lines.append(
            {"id": f"r{i}", "op": "record", "unit": "u", "kind": kind, "ref": f"R{i}", "date": day, "data": KINDS[kind]}
        )
    ledger = cfg.ledger()
    assert ledger.apply(list(enumerate(lines, 1)), "t").ok
    with cfg.fresh_read_model() as model:
        model.catch_up(ledger.recorder)
        expected = reports(model)
    for delay in (0.3, 0.8, 1.5):
        proc = subprocess.Popen(
            [sys.executable, "-c", KILL_SCRIPT, str(tmp_path), "500", cfg.database_url or ""],  # the store under test
            stdout=subprocess.PIPE,
            cwd=Path(__file__).parents[2],
            env=dict(os.environ),
        )
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"start"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        with cfg.read_model() as model:
            model.catch_up(ledger.recorder)
            assert reports(model) == expected


# ---- the as-of fast path (issue 13.11) ----

DECLARATIONS = [
    {"label": "信访", "unit_word": "件", "kind": "petition", "measure": {"type": "count"}},
    {"label": "答复", "unit_word": "件", "kind": "petition", "measure": {"type": "steps", "step": "replied"}},
    {
        "label": "答复率",
        "unit_word": "%",
        "kind": "petition",
        "measure": {"type": "rate", "numerator": [{"step": "replied", "in_year": True}]},
    },
    {"label": "人次", "unit_word": "人", "kind": "study_session", "measure": {"type": "sum", "field": "attendees"}},
]
declare = st.tuples(
    st.sampled_from(["declare", "declare", "retire"]),
    st.integers(0, 1),  # which code
    st.integers(0, len(DECLARATIONS) - 1),  # which definition
    st.integers(0, 120),
    st.sampled_from(["u", "c"]),
)


def with_declarations(lines: list[dict[str, Any]], decls: list[tuple[Any, ...]], seed: int) -> list[dict[str, Any]]:
    """The lines with figure declarations (declared, redeclared, retired) spread among them."""
    out = list(lines)
    for n, (what, code, which, _, unit) in enumerate(decls):
        data: dict[str, Any] = {"code": f"local.f{code}"}
        data.update({"retire": True} if what == "retire" else DECLARATIONS[which])
        at = 2 + (seed * (n + 1) * 7919) % max(1, len(out) - 1)
        out.insert(at, {"id": f"d{n}", "op": "figure", "unit": unit, "data": data})
    return out


def as_of_reports(model: ReadModel, instants: list[datetime]) -> list[Any]:
    from projections.report import UnknownUnit

    out: list[Any] = []
    for t in instants:
        for unit in ("u", "c"):
            try:
                out.append([model.report(unit, y, t).to_json() for y in YEARS])
                out.append(model.explain("petition.received", unit, 2024, t))
            except UnknownUnit:
                out.append(None)
    return out


@pytest.mark.slow  # 25 ledgers, each folded twice (~90 s): the full suite runs it, the fast lane does not
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    ops=st.lists(op, min_size=15, max_size=40),
    decls=st.lists(declare, max_size=5),
    seed=st.integers(0, 1000),
    cut=st.integers(0, 1000),
    behind=st.booleans(),
)
def test_as_of_fast_path_equals_folding_everything(tmp_path_factory, monkeypatch, ops, decls, seed, cut, behind):
    """An as-of report (and explain) reusing the current state of the activities not touched after T gives
    exactly what folding every event recorded by T gives: built-in, dated (§7.3, on T's day) and declared
    figures (§8, those live at T, which may have been redeclared or retired since), at instants between
    lines, also when the read model has ingested events it has not folded yet."""
    from projections import report

    cfg = _home(tmp_path_factory)
    lines = with_declarations(to_lines(ops), decls, seed)
    ledger = cfg.ledger()
    instants = []
    for line in lines:
        ledger.apply([(1, line)], "测试员")
        instants.append(datetime.now(UTC))
        time.sleep(0.001)
    picks = sorted({instants[i] for i in (cut % len(instants), (cut * 7) % len(instants), len(instants) // 2)})
    picks.append(instants[0] - timedelta(seconds=1))  # before anything
    with cfg.read_model() as model:
        model.catch_up(ledger.recorder)
        if behind:  # a few more events ingested, not folded
            ledger.apply(
                [(1, {**lines[-1], "id": "late1", "ref": "R9"} if lines[-1]["op"] == "record" else lines[0])], "测试员"
            )
            model.catch_up(ledger.recorder, stop_after=1)
        fast = as_of_reports(model, picks)
        monkeypatch.setattr(report, "FAST_AS_OF", False)
        slow = as_of_reports(model, picks)
    assert fast == slow


PETITION = {"channel": "visit", "persons": 2, "category": "claim", "subject": "补偿"}


def test_as_of_fast_path_each_kind_of_later_event(tmp_path_factory, monkeypatch):
    """Each way an activity recorded by T can change after T (a step, a step voided, a correction of data or
    date, a void, evidence attached) and a declaration redeclared and another retired after T: the as-of report
    as folding everything gives it."""
    from projections import report

    cfg = _home(tmp_path_factory)
    ledger = cfg.ledger()
    dec = {"label": "信访", "unit_word": "件", "kind": "petition", "measure": {"type": "count"}}
    rep = {"label": "答复", "unit_word": "件", "kind": "petition", "measure": {"type": "steps", "step": "replied"}}
    before = [
        {"id": "u0", "op": "unit", "unit": "u", "data": {"name": "上级"}},
        {"id": "d1", "op": "figure", "unit": "u", "data": {"code": "local.a", **dec}},
        {"id": "d2", "op": "figure", "unit": "u", "data": {"code": "local.b", **rep}},
    ]
    before += [
        {
            "id": f"r{i}",
            "op": "record",
            "unit": "u",
            "kind": "petition",
            "ref": f"R{i}",
            "date": "2024-11-02",
            "data": PETITION,
        }
        for i in range(6)
    ]
    before.append({"id": "s5", "op": "step", "unit": "u", "ref": "R5", "step": "acknowledged", "date": "2024-11-03"})
    after = [
        {"id": "s0", "op": "step", "unit": "u", "ref": "R0", "step": "replied", "date": "2024-11-05"},
        {"id": "v5", "op": "void", "unit": "u", "ref": "R5", "target": "s5", "reason": "重复"},
        {"id": "k1", "op": "correct", "unit": "u", "ref": "R1", "reason": "更正", "data": {"category": "suggestion"}},
        {"id": "k2", "op": "correct", "unit": "u", "ref": "R2", "reason": "更正", "date": "2025-01-03"},
        {"id": "w3", "op": "void", "unit": "u", "ref": "R3", "reason": "作废"},
        {
            "id": "r9",
            "op": "record",
            "unit": "u",
            "kind": "petition",
            "ref": "R9",
            "date": "2024-11-02",
            "data": PETITION,
        },
        {"id": "d3", "op": "figure", "unit": "u", "data": {"code": "local.a", **rep}},
        {"id": "d4", "op": "figure", "unit": "u", "data": {"code": "local.b", "retire": True}},
    ]
    for line in before:
        assert ledger.apply([(1, line)], "测试员").ok
    instant = datetime.now(UTC)
    time.sleep(0.002)
    for line in after:
        assert ledger.apply([(1, line)], "测试员").ok, line
    # Evidence attached after T to an activity nothing else touched: its only late event has no figure type
    # (it once made R4 drop out of the as-of report, and a seal of that instant no longer verified).
    ledger.attach("u", "R4", Evidence("ab" * 32, "签到表.pdf", 10, "application/pdf"), None, "测试员")
    with cfg.read_model() as model:
        model.catch_up(ledger.recorder)
        fast = as_of_reports(model, [instant])
        monkeypatch.setattr(report, "FAST_AS_OF", False)
        slow = as_of_reports(model, [instant])
    assert fast == slow


@pytest.mark.slow  # 8 generated ledgers, each line applied alone (~30 s)
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(op, min_size=15, max_size=40), cut=st.integers(0, 1000))
def test_checks_in_one_statement_equal_each_query_alone(tmp_path_factory, monkeypatch, ops, cut):
    """The report's checks run as one statement over A and S cut to the kinds they name (projections/checks.py)
    say what each check's query run alone over the whole of A and S says: now and as of an instant, for a unit
    and its parent (listed as unit/ref), with petitions, proposals, cases, penalties, letters and exams open,
    closed, extended and voided."""
    from projections import checks

    cfg = _home(tmp_path_factory)
    lines = to_lines(ops)
    # Beside the random ones, an item left open of every kind a check lists, in each unit (refs the ops never use).
    open_items = [
        {
            "id": f"o-{unit}-{kind}",
            "op": "record",
            "unit": unit,
            "kind": kind,
            "ref": f"O-{kind}",
            "date": day,
            "data": {**KINDS[kind], **({"case_type": "other"} if kind == "case" else {})},
        }
        for unit, day in (("u", "2024-11-02"), ("c", "2025-01-15"))
        for kind in ("petition", "proposal", "enforcement_case", "supervision_letter", "exam", "case")
    ]
    lines[2:2] = open_items
    ledger = cfg.ledger()
    instants = []
    for line in lines:
        ledger.apply([(1, line)], "测试员")
        instants.append(datetime.now(UTC))
        time.sleep(0.001)
    at = instants[1 + cut % (len(instants) - 1)]  # (both units registered: the first two lines)
    with cfg.read_model() as model:
        model.catch_up(ledger.recorder)
        one = reports(model) + reports(model, at)
        monkeypatch.setattr(checks, "ONE_STATEMENT", False)
        model._reports.clear()  # (current reports are cached per folded position)
        alone = reports(model) + reports(model, at)
    assert [r["checks"] for r in one] == [r["checks"] for r in alone]
