"""One receipt per applied interchange line id: makes ids unique across the whole store, even between
concurrent writers (a second receipt for the same id collides on the event store's primary key)."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from .ids import receipt_id


class Receipt(Aggregate):
    @event("Issued")
    def __init__(self, line_id: str, digest: str, recorded_by: str) -> None:
        self.line_id = line_id
        self.digest = digest

    @staticmethod
    def create_id(line_id: str) -> UUID:
        return receipt_id(line_id)
