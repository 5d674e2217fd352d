"""A figure a unit declares (DOMAIN.md §8): one aggregate per (unit, code), one event per `figure` line.

Every version stays in the log: the read model picks the one live at an instant (§8.5), so the aggregate
only needs to know whether a declaration is live now (a retire of nothing is an error).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from .errors import DomainError
from .ids import declaration_id


class FigureDeclaration(Aggregate):
    @event("Declared")
    def __init__(self, unit: str, code: str, data: dict[str, Any], recorded_by: str, line_id: str) -> None:
        self.unit = unit
        self.code = code
        self.data = dict(data)
        self.live = True

    @staticmethod
    def create_id(unit: str, code: str) -> UUID:
        return declaration_id(unit, code)

    def redeclare(self, data: dict[str, Any], recorded_by: str, line_id: str) -> None:
        """Replace the whole definition (after a retire too: the code is declared again)."""
        self._redeclared(dict(data), recorded_by, line_id)

    def retire(self, recorded_by: str, line_id: str) -> None:
        if not self.live:
            raise no_live_declaration(self.unit)
        self._retired(recorded_by, line_id)

    @event("Redeclared")
    def _redeclared(self, data: dict[str, Any], recorded_by: str, line_id: str) -> None:
        self.data = data
        self.live = True

    @event("Retired")
    def _retired(self, recorded_by: str, line_id: str) -> None:
        self.live = False


def no_live_declaration(unit: str) -> DomainError:
    return DomainError.of("data.code", f"no live declaration on unit {unit}")
