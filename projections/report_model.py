"""The year's report as typed values (DOMAIN.md §5): what `projections/report.py` computes and every edge reads.

`Report.to_json()` is the report JSON of §5, key for key and in the same order (the command line prints it with
`json.dumps(..., indent=1)`, seals sign its canonical form): change a field here and the contract changes.
`Report.from_json()` reads one back, e.g. the report a seal froze (older seals may lack `units`).
Nothing here imports DuckDB: the command line and the web read reports without the query engine's import cost.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

Value = int | float | str | None  # a count (int), a rate or score (float, null when undefined), money (a string)


@dataclass(frozen=True)
class FigureValue:
    """One figure of the report: its value in the year and the year before, and the activities behind it."""

    label: str
    unit: str
    value: Value
    previous: Value
    sources: tuple[str, ...]
    declared: dict[str, Any] | None = None  # §8.7: a declared figure's declaration, as the JSON writes it

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "label": self.label,
            "unit": self.unit,
            "value": self.value,
            "previous": self.previous,
            "sources": list(self.sources),
        }
        if self.declared is not None:
            out["declared"] = self.declared
        return out

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> FigureValue:
        return cls(d["label"], d["unit"], d["value"], d["previous"], tuple(d["sources"]), d.get("declared"))


@dataclass(frozen=True)
class Check:
    """A self-check reported beside the figures (§3): ok, and what it found."""

    id: str
    ok: bool
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "ok": self.ok, "message": self.message}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Check:
        return cls(d["id"], d["ok"], d["message"])


@dataclass(frozen=True)
class LogHead:
    """The event log the report was computed from: its size and Merkle root (hex) at `as_of`, and its suite when
    not the default (domain/suite.py: the default's block is DOMAIN.md §5's, unchanged)."""

    size: int
    root: str
    suite: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"size": self.size, "root": self.root, **({"suite": self.suite} if self.suite else {})}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> LogHead:
        return cls(d["size"], d["root"], d.get("suite"))


@dataclass(frozen=True)
class Report:
    unit: str
    unit_name: str
    units: tuple[str, ...]  # the unit and its descendants, as of `as_of`
    year: int
    as_of: str  # the UTC instant, ISO 8601, as the JSON writes it
    figures: dict[str, FigureValue]  # by figure id (a declared figure by its local. code), in the report's order
    checks: tuple[Check, ...]
    log: LogHead
    # Renderings of this report that an edge keeps (the API's JSON body): shared by the copies `at` stamps with
    # another instant, so a cached report is serialised once, not on every read (issue 13.4).
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def to_json(self) -> dict[str, Any]:
        """The report JSON of DOMAIN.md §5."""
        return {
            "unit": self.unit,
            "unit_name": self.unit_name,
            "units": list(self.units),
            "year": self.year,
            "as_of": self.as_of,
            "figures": {fid: f.to_json() for fid, f in self.figures.items()},
            "checks": [c.to_json() for c in self.checks],
            "log": self.log.to_json(),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Report:
        return cls(
            d["unit"],
            d["unit_name"],
            tuple(d.get("units", [d["unit"]])),
            d["year"],
            d["as_of"],
            {fid: FigureValue.from_json(f) for fid, f in d["figures"].items()},
            tuple(Check.from_json(c) for c in d["checks"]),
            LogHead.from_json(d["log"]),
        )

    def at(self, as_of: str) -> Report:
        """The same report stamped with another instant (a cached current report served again)."""
        return replace(self, as_of=as_of)

    @property
    def rollup(self) -> bool:
        """Whether the report covers descendants too (a roll-up of several units)."""
        return len(self.units) > 1
