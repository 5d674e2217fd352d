"""Audit operations shared by the command line and the web application: sealing a year, verifying the log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from domain.activity import Activity
from domain.ledger import Ledger
from domain.seal import seal_payload
from projections import audit, merkle
from projections.audit import StoreLog, check_seal, compare_with_witness
from projections.readmodel import ReadModel

from .config import Settings
from .evidence import EvidenceStore
from .keys import Keys


def make_seal(settings: Settings, ledger: Ledger, model: ReadModel, unit: str, year: int, by: str) -> dict[str, Any]:
    """Freeze the year's report as of now with the log's root, signed with the unit's key; returns the seal."""
    as_of = datetime.now(UTC)
    report = model.report(unit, year, as_of)  # raises UnknownUnit
    log = report["log"]
    key = Keys(settings.home).private(unit)
    stamp = as_of.isoformat()
    signature = key.sign(seal_payload(unit, year, stamp, log["size"], log["root"], report)).hex()
    sealed = ledger.seal(unit, year, stamp, log["size"], log["root"], report, signature, Keys.public_hex(key), by)
    return {
        "seal": str(sealed.id),
        "unit": unit,
        "year": year,
        "as_of": stamp,
        "size": log["size"],
        "root": log["root"],
        "signature": signature,
        "public_key": Keys.public_hex(key),
    }


@dataclass
class Verification:
    problems: list[str]
    size: int
    root: str
    seals: int

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_log(
    settings: Settings,
    ledger: Ledger,
    model: ReadModel,
    root_hex: str | None = None,
    size: int | None = None,
    project: bool = True,
) -> Verification:
    """Recompute the Merkle log from the event store; check it against the read model's witness, the seals,
    the evidence files and (optionally) a root published elsewhere. `project=False` when `model` is a reader
    that the caller has just brought up to date (a reader must not write: the web server's catch-ups do)."""
    log = StoreLog(ledger.recorder)
    witnessed = model.con.execute("SELECT count(*) FROM leaves").fetchall()[0][0]
    problems = compare_with_witness(model, log) + audit.anchor_problems(settings.home, log, witnessed)
    if project:
        try:
            model.catch_up(ledger.recorder)
        except Exception as e:  # noqa: BLE001 — an event the projection cannot read is itself a finding
            problems.append(f"the event log can no longer be projected: {e}")
    try:
        seals = ledger.seals()
    except Exception as e:  # noqa: BLE001
        problems.append(f"a seal event can no longer be read: {e}")
        seals = []
    problems += evidence_problems(ledger, EvidenceStore(settings.home))
    key_of = audit.trusted_keys(seals, ledger.signing_key)
    problems += audit.key_file_problems(seals, settings.home / "keys", key_of)
    # Seals reproduce from a read model rebuilt from the store, not from the read model's own copy (which could
    # have been edited); that copy is compared with the rebuilt one table by table.
    with audit.rebuilt(ledger.recorder, settings.tz, until=model.position()) as fresh:
        problems += audit.compare_with_store(model, fresh) + audit.recorded_at_problems(fresh)
        for s in seals:
            problems += check_seal(s, log, fresh, key_of)
    if root_hex is not None and size is not None:
        if size > len(log.leaves):
            problems.append(f"the log has {len(log.leaves)} events, fewer than the published size {size}")
        elif log.root(size).hex() != root_hex.lower():
            problems.append(
                f"the root of the first {size} events is {log.root(size).hex()}, not the published {root_hex}"
            )
    return Verification(problems, len(log.leaves), merkle.root(log.leaves).hex(), len(seals))


def evidence_problems(ledger: Ledger, store: EvidenceStore) -> list[str]:
    """Every live attachment in the log must have its file, unaltered, in the evidence store."""
    topics = [f"{Activity.__module__}:Activity.{name}" for name in ("EvidenceAttached", "EvidenceVoided")]
    live: dict[tuple[str, str], str] = {}
    after = 0
    while notes := ledger.recorder.select_notifications(after, 1000, topics=topics, inclusive_of_start=False):
        for n in notes:
            e = ledger.mapper.to_domain_event(n)
            key = (n.originator_id.hex, e.sha256)
            if type(e).__name__ == "EvidenceAttached":
                live[key] = e.name
            else:
                live.pop(key, None)
        after = notes[-1].id
    problems = []
    for (oid, sha), name in sorted(live.items()):
        problem = store.problem(sha)
        if problem:
            owner = ledger.repository.get(UUID(oid))
            what = {"missing": "is missing from", "altered": "was altered in"}[problem]
            problems.append(
                f"evidence {name} (sha256 {sha[:12]}…) of activity {owner.unit}/{owner.ref} {what} the evidence store"
            )
    return problems
