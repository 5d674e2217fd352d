"""The unit (单位) aggregate: a ledger keeper with a name and an optional parent."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from .ids import unit_id


class Unit(Aggregate):
    @event("Registered")
    def __init__(self, code: str, name: str, parent: str | None, recorded_by: str, line_id: str) -> None:
        self.code = code
        self.name = name
        self.parent = parent

    @staticmethod
    def create_id(code: str) -> UUID:
        return unit_id(code)

    @event("Changed")
    def change(self, name: str, parent: str | None, recorded_by: str, line_id: str) -> None:
        self.name = name
        self.parent = parent
