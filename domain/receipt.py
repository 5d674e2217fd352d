"""One receipt per applied interchange line id: makes ids unique across the whole store, even between
concurrent writers (a second receipt for the same id collides on the event store's primary key)."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event
from eventsourcing.utils import get_topic

from .ids import receipt_id


class Receipt(Aggregate):
    @event("Issued")
    def __init__(self, line_id: str, digest: str, recorded_by: str) -> None:
        self.line_id = line_id
        self.digest = digest

    @staticmethod
    def create_id(line_id: str) -> UUID:
        return receipt_id(line_id)

    @classmethod
    def issue(cls, line_id: str, digest: str, recorded_by: str) -> Receipt.Issued:
        """The receipt's one event, built directly: no aggregate object is needed to record it."""
        return cls.Issued(  # type: ignore[call-arg]
            originator_id=receipt_id(line_id),
            originator_version=cls.INITIAL_VERSION,
            timestamp=cls.Issued.create_timestamp(),
            originator_topic=get_topic(cls),
            line_id=line_id,
            digest=digest,
            recorded_by=recorded_by,
        )
