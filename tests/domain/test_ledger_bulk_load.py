"""Issue 13.11: a file's aggregates are loaded in bulk (one query per few hundred ids) before its lines are
validated. The bulk load must give exactly what loading each aggregate alone gives, on both stores, and an
import of steps, corrections and voids on earlier activities must read the store once per chunk, not per line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from api.infra.settings import Settings
from domain import ledger as ledger_module
from domain.ids import activity_id, unit_id

UNITS = [
    {"id": "u1", "op": "unit", "unit": "u", "data": {"name": "上级"}},
    {"id": "u2", "op": "unit", "unit": "c", "data": {"name": "下级", "parent": "u"}},
]


def records(n: int) -> list[dict[str, Any]]:
    return [
        {
            "id": f"r{i}",
            "op": "record",
            "unit": "uc"[i % 2],
            "kind": "petition",
            "ref": f"XF-{i}",
            "date": "2025-03-01",
            "data": {"channel": "visit", "persons": 2, "category": "claim", "subject": "补偿"},
        }
        for i in range(n)
    ]


def later(n: int) -> list[dict[str, Any]]:
    """Steps, corrections and voids on the activities of `records(n)`, as a later file."""
    out: list[dict[str, Any]] = []
    for i in range(n):
        unit, ref = "uc"[i % 2], f"XF-{i}"
        out.append(
            {"id": f"s{i}", "op": "step", "unit": unit, "ref": ref, "step": "acknowledged", "date": "2025-03-02"}
        )
        if i % 3 == 0:
            out.append(
                {"id": f"k{i}", "op": "correct", "unit": unit, "ref": ref, "reason": "更正", "data": {"persons": 3}}
            )
        if i % 5 == 0:
            out.append({"id": f"v{i}", "op": "void", "unit": unit, "ref": ref, "target": f"s{i}", "reason": "重复"})
        if i % 7 == 0:
            out.append({"id": f"w{i}", "op": "void", "unit": unit, "ref": ref, "reason": "作废"})
    return out


def state(aggregate: Any) -> Any:
    return None if aggregate is None else (type(aggregate), aggregate.version, repr(vars(aggregate)))


def test_bulk_load_equals_loading_one_by_one(tmp_path: Path, store_url: str | None, monkeypatch) -> None:
    monkeypatch.setattr(ledger_module, "LOAD_CHUNK", 7)  # several chunks
    ledger = Settings(tmp_path, store_url, "Asia/Shanghai", "t").ledger()
    assert ledger.apply(list(enumerate(UNITS + records(40), 1)), "t").ok
    assert ledger.apply(list(enumerate(later(40), 1)), "t").ok
    ids = [unit_id("u"), unit_id("c"), unit_id("nowhere")]
    ids += [activity_id("uc"[i % 2], f"XF-{i}") for i in range(45)]  # 5 that do not exist
    many = ledger._get_many(ids)
    assert list(many) == ids
    assert {i: state(a) for i, a in many.items()} == {i: state(ledger._get(i)) for i in ids}
    assert sum(a is None for a in many.values()) == 6


def test_later_lines_read_the_store_once_per_chunk(tmp_path: Path, monkeypatch) -> None:
    ledger = Settings(tmp_path, None, "Asia/Shanghai", "t").ledger()
    assert ledger.apply(list(enumerate(UNITS + records(300), 1)), "t").ok
    ledger = Settings(tmp_path, None, "Asia/Shanghai", "t").ledger()
    one_by_one = {"n": 0}
    real = ledger_module.Ledger._get

    def counted(self: Any, aggregate_id: Any) -> Any:
        one_by_one["n"] += 1
        return real(self, aggregate_id)

    monkeypatch.setattr(ledger_module.Ledger, "_get", counted)
    outcome = ledger.apply(list(enumerate(later(300), 1)), "t")
    assert outcome.ok, outcome.errors[:3]
    assert one_by_one["n"] == 0
    # and the result is what the same lines give one at a time
    other = Settings(tmp_path / "other", None, "Asia/Shanghai", "t").ledger()
    assert other.apply(list(enumerate(UNITS + records(300), 1)), "t").ok
    for n, line in enumerate(later(300), 1):
        assert other.apply([(n, line)], "t").ok
    for i in range(300):
        aid = activity_id("uc"[i % 2], f"XF-{i}")
        a, b = real(ledger, aid), real(other, aid)
        assert (a.version, a.voided, sorted(a.steps)) == (b.version, b.voided, sorted(b.steps))
