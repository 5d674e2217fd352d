"""The seal (封存) aggregate: a year's report frozen with the event log's Merkle root, signed by the unit."""

from __future__ import annotations

import hashlib
import json
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from .ids import signing_key_id
from .suite import DEFAULT, SUITES, digest


def seal_payload(
    unit: str, year: int, as_of: str, size: int, root: str, report: dict[str, Any], suite: str = DEFAULT
) -> bytes:
    """The bytes a seal's signature covers: its facts and the hash of the report's canonical JSON (SHA-256 on
    the default suite, as before suites existed; SM3 and the suite's name on the 国密 suite)."""
    if suite == DEFAULT:
        report_hash = hashlib.sha256(canonical_json(report)).hexdigest()
        facts = {"unit": unit, "year": year, "as_of": as_of, "size": size, "root": root, "report_sha256": report_hash}
        return canonical_json(facts)
    facts = {"unit": unit, "year": year, "as_of": as_of, "size": size, "root": root, "suite": suite}
    facts[f"report_{SUITES[suite].tree_hash}"] = digest(suite, canonical_json(report))
    return canonical_json(facts)


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


class Seal(Aggregate):
    @event("Sealed")
    def __init__(
        self,
        unit: str,
        year: int,
        as_of: str,
        size: int,
        root: str,
        report: dict[str, Any],
        signature: str,
        public_key: str,
        recorded_by: str,
        suite: str = DEFAULT,  # seals from before suites existed are default
    ) -> None:
        self.unit = unit
        self.year = year
        self.as_of = as_of
        self.size = size
        self.root = root
        self.report = report
        self.signature = signature
        self.public_key = public_key
        self.recorded_by = recorded_by  # who sealed (shown beside the seal)
        self.suite = suite

    @staticmethod
    def create_id() -> UUID:
        return uuid4()


class SigningKey(Aggregate):
    """A unit's seal-signing public key, recorded in the event log the first time the unit seals.

    Seals are checked against this key, not against the key a seal carries nor the file in keys/: replacing
    the key files and re-signing a seal then shows, and deleting keys/ does not make the check disappear."""

    @event("Registered")
    def __init__(self, unit: str, public_key: str, recorded_by: str) -> None:
        self.unit = unit
        self.public_key = public_key

    @staticmethod
    def create_id(unit: str) -> UUID:
        return signing_key_id(unit)
