"""The incremental fold does only what the folded activities need (issue 13.4), and gives what a rebuild gives.

Two shortcuts make a small fold cheap: uncorrected activities are folded as their record event (no per-field
aggregate), and only the figure parts naming the kinds in the chunk are planned (`evaluate.part_kinds`). Both
are checked on the acceptance file of every kind (DOMAIN.md §7), with corrections and voids among the lines."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from domain.catalogue import KINDS
from projections import ingest
from projections.evaluate import for_kinds, part_kinds, rows
from projections.figures import STORED
from tests.conftest import TZ, LedgerEnv

EXTENDED = Path(__file__).resolve().parents[2].parent / "shared" / "acceptance" / "extended-2025.jsonl"
if not EXTENDED.exists():  # the worktree's ../shared, else the main checkout's
    EXTENDED = Path("/work/shared/acceptance/extended-2025.jsonl")
TABLES = {"act": "oid", "stp": "step_id", "contrib": "ALL", "units": "code"}


def _lines() -> list[dict]:
    return [json.loads(line) for line in EXTENDED.read_text(encoding="utf-8").splitlines() if line.strip()]


def _tables(model) -> dict[str, list]:
    return {t: model.con.execute(f"SELECT * FROM {t} ORDER BY {o}").fetchall() for t, o in TABLES.items()}


@pytest.fixture(scope="module")
def every_kind(tmp_path_factory) -> LedgerEnv:
    env = LedgerEnv(tmp_path_factory.mktemp("kinds"))
    env.ok(*_lines())
    return env


def test_parts_of_a_kind_are_all_its_activities_contribute(every_kind):
    """For each kind, its activities' rows from the parts naming it (plus the kind-less ones) are exactly their
    rows from every part: a part that yielded rows for a kind it does not name would be dropped from its folds."""
    lines = _lines()
    kinds = {line["kind"] for line in lines if line.get("kind")}
    assert kinds == set(KINDS)  # the file has every kind, so every part is tried
    with every_kind.read_model() as model:
        seen = Counter()
        for kind in sorted(kinds):
            ingest._bind(model.con, f"oid IN (SELECT oid FROM act WHERE kind = '{kind}')", table=True)
            everything = sorted(model.con.execute(rows(STORED, TZ)).fetchall())
            kept = sorted(model.con.execute(rows(for_kinds(STORED, {kind}), TZ)).fetchall())
            assert kept == everything, kind
            seen[kind] = len(everything)
        assert all(seen[k] > 0 for k in kinds), seen
    # Most parts name their kinds: a fold of study sessions plans a few parts, not ~130.
    assert sum(1 for f in for_kinds(STORED, {"study_session"}) for _ in f.parts) < 15
    assert sum(1 for f in STORED for p in f.parts if part_kinds(p) is None) <= 5


@pytest.mark.parametrize(("chunk", "together"), [(3, 0), (1000, 0), (3, 10**6)])
def test_incremental_fold_of_every_kind_equals_rebuild(tmp_path, monkeypatch, chunk, together):
    """The file in four slices, each folded incrementally (never past the refold-everything threshold), in chunks
    mixing corrected and uncorrected activities: the folded tables equal a rebuild's, row for row. `together`:
    each slice read in and folded in one transaction, as the server's catch-ups do (issue 13.4)."""
    monkeypatch.setattr(ingest, "REFOLD_ALL", 1e9)
    monkeypatch.setattr(ingest, "FOLD_CHUNK", chunk)
    lines = _lines()
    corrections = sum(1 for line in lines if line.get("op") == "correct")
    assert corrections > 0 and any(line.get("op") == "void" for line in lines)
    env = LedgerEnv(tmp_path / "ledger")
    model = env.settings.read_model()
    try:
        quarter = len(lines) // 4 + 1
        for first in range(0, len(lines), quarter):
            env.ok(*lines[first : first + quarter])
            model.catch_up(env.ledger.recorder, together=together)
            assert model.consistent()
        incremental = _tables(model)
    finally:
        model.close()
    monkeypatch.undo()
    rebuilt = env.settings.read_model()
    try:
        rebuilt._discard()
        rebuilt.catch_up(env.ledger.recorder)
        expected = _tables(rebuilt)
    finally:
        rebuilt.close()
    assert sum(1 for a in expected["act"] if a[7] > 0) > 0  # some activities are corrected
    for table in TABLES:
        assert incremental[table] == expected[table], table
