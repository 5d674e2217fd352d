"""Verification: the event log recomputed from the store, against the read model's witness of it,
the seals recorded in it, and any root published elsewhere."""

from __future__ import annotations

import contextlib
import itertools
import os
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder

from domain.seal import Seal, seal_payload
from domain.suite import DEFAULT, SUITES, verify_signature

from . import merkle, pgsource
from .anchor import ANCHOR_FILE, read_anchor
from .ingest import catch_up, store_suite
from .leafhash import Chunk, hash_range, hash_range_pg
from .readmodel import ReadModel
from .report_model import FigureValue
from .source import read_rows

PARALLEL_FROM = 200_000  # events: below this, worker processes cost more than they save


class StoreLog:
    """Every stored event's position, originator and leaf hash, read from the event store itself."""

    def __init__(self, source: ApplicationRecorder, batch: int = 100_000, suite: str | None = None) -> None:
        self.suite = store_suite(source) if suite is None else suite  # the one recorded in the log by default
        self.positions: list[int] = []
        self.oids: list[str] = []
        self.leaves: list[bytes] = []
        last = source.max_notification_id() or 0
        db = getattr(getattr(getattr(source, "datastore", None), "pool", None), "db_name", None)
        if isinstance(source, SQLiteApplicationRecorder) and last >= PARALLEL_FROM and Path(str(db)).is_file():
            self._in_parallel(hash_range, [str(db), source.events_table_name], last)
            return
        if pgsource.is_postgres(source) and last >= PARALLEL_FROM:
            where = [pgsource.conninfo(source), source.datastore.schema, source.events_table_name]  # type: ignore[attr-defined]
            self._in_parallel(hash_range_pg, where, last)
            return
        after = 0
        while rows := read_rows(source, after, batch):
            self.positions += [row[0] for row in rows]
            self.oids += [row[1] for row in rows]
            self.leaves += merkle.leaf_hashes(rows, self.suite)
            after = rows[-1][0]

    def _in_parallel(self, read: Callable[..., Chunk], where: list[str], last: int) -> None:
        """Read and hash ranges of the store in worker processes (one per core), in order: `read(*where,
        after, last)` is `leafhash.hash_range` (SQLite file, table) or `hash_range_pg` (conninfo, schema, table)."""
        workers = os.cpu_count() or 2
        bounds = [last * i // (workers * 2) for i in range(workers * 2 + 1)]
        ranges = list(itertools.pairwise(bounds))
        with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
            args = [[w] * len(ranges) for w in where]
            chunks = pool.map(read, *args, *zip(*ranges, strict=True), [self.suite] * len(ranges))
            for positions, oids, leaves in chunks:
                self.positions += positions
                self.oids += oids
                self.leaves += leaves

    def root(self, size: int) -> bytes:
        return merkle.root(self.leaves[:size], self.suite)


def describe(model: ReadModel, oid: str) -> str:
    found = model.con.execute("SELECT unit, ref FROM act WHERE oid = ?", [oid]).fetchall()
    if found:
        return f"activity {found[0][0]}/{found[0][1]}"
    unit = model.con.execute("SELECT unit FROM events WHERE oid = ? AND etype = 'unit' LIMIT 1", [oid]).fetchall()
    return f"unit {unit[0][0]}" if unit else f"aggregate {oid}"


def compare_with_witness(model: ReadModel, log: StoreLog) -> list[str]:
    """Positions the read model saw, hashed when first projected, against the store as it is now."""
    witnessed = model.con.execute("SELECT pos, oid, hash FROM leaves ORDER BY idx").fetchall()
    if not witnessed:
        return []
    now = {pos: (oid, leaf) for pos, oid, leaf in zip(log.positions, log.oids, log.leaves, strict=True)}
    problems = []
    seen = set()
    for pos, oid, leaf in witnessed:
        seen.add(pos)
        if pos not in now:
            problems.append(f"position {pos}: event deleted from the store ({describe(model, oid)})")
        elif now[pos][1] != bytes(leaf):
            was, is_now = describe(model, oid), describe(model, now[pos][0])
            what = was if was == is_now else f"{was}, now {is_now}"
            problems.append(f"position {pos}: event changed in place ({what})")
    last = witnessed[-1][0]
    for pos, oid in zip(log.positions, log.oids, strict=True):
        if pos <= last and pos not in seen:
            problems.append(
                f"position {pos}: event inserted into the log after it was witnessed ({describe(model, oid)})"
            )
    return problems


def check_seal(seal: Seal, log: StoreLog, model: ReadModel, key_of: Callable[[str], bytes | None]) -> list[str]:
    name = f"seal {seal.id} ({seal.unit} {seal.year})"
    problems = []
    suite = getattr(seal, "suite", DEFAULT)
    if suite != log.suite:
        problems.append(f"{name}: made under the {suite} suite, but the log is hashed under {log.suite}")
    payload = seal_payload(seal.unit, seal.year, seal.as_of, seal.size, seal.root, seal.report, suite)
    if suite not in SUITES or not verify_signature(suite, seal.public_key, seal.signature, payload):
        problems.append(f"{name}: signature does not match its contents (the seal was altered)")
    known = key_of(seal.unit)
    if known is not None and known.hex() != seal.public_key:
        problems.append(f"{name}: signed with a key that is not the unit's key")
    if seal.size > len(log.leaves):
        problems.append(f"{name}: the log has {len(log.leaves)} events, fewer than the {seal.size} it sealed")
    elif log.root(seal.size).hex() != seal.root:
        problems.append(f"{name}: the log's first {seal.size} events no longer have the sealed root {seal.root}")
    problems += _reproduces(seal, model, name)
    return problems


def _reproduces(seal: Seal, model: ReadModel, name: str) -> list[str]:
    try:
        now = model.report(seal.unit, seal.year, datetime.fromisoformat(seal.as_of))
    except Exception as e:  # noqa: BLE001 — any failure to recompute is a finding, not a crash
        return [f"{name}: the sealed report can no longer be computed ({e})"]
    sealed: dict[str, Any] = seal.report  # as signed: read as JSON, whatever shape an altered seal has

    def same(f: dict[str, Any], g: FigureValue | None) -> bool:
        return g is not None and (f["value"], f["previous"], f["sources"]) == (g.value, g.previous, list(g.sources))

    moved = [fid for fid, f in sealed["figures"].items() if not same(f, now.figures.get(fid))]
    problems = []
    if moved:
        problems.append(f"{name}: the report as of {seal.as_of} no longer reproduces: {', '.join(moved[:10])}")
    if now.log.to_json() != sealed["log"]:
        problems.append(f"{name}: the log as of {seal.as_of} is {now.log.to_json()}, sealed {sealed['log']}")
    return problems


def public_key_file(keys: Path) -> Callable[[str], bytes | None]:
    def key_of(unit: str) -> bytes | None:
        path = keys / f"{unit}.pub"
        return bytes.fromhex(path.read_text().strip()) if path.exists() else None

    return key_of


# Commit order is not quite timestamp order (an event's time is taken before its transaction waits for the
# store's lock, and a large import validates for a while), so only a step back larger than this is a finding.
RECORDED_AT_SLACK = timedelta(hours=1)
# The read model's own tables, compared with a read model rebuilt from the store (merkle frontiers sit at batch
# boundaries that differ between the two; meta and tracking are bookkeeping).
COMPARED_TABLES = ("events", "act", "stp", "contrib", "leaves", "units")


def anchor_problems(home: Path, log: StoreLog, witnessed: int) -> list[str]:
    """The store against the largest log this home has seen (`anchor.py`)."""
    found = read_anchor(home)
    if found is None:
        if witnessed == 0 and log.leaves:
            return [
                "no record of the log seen before (the read model's witness and the log anchor are both missing): "
                "edits made before now cannot be detected here; check against a published root (--root --size)"
            ]
        return []
    if found.size < 0:
        return [f"the log anchor {ANCHOR_FILE} is unreadable (altered?)"]
    if len(log.leaves) < found.size:
        return [
            f"the log has {len(log.leaves)} events, fewer than the {found.size} this ledger had on {found.seen_at}: "
            "events were removed or an older copy of the store was put in place"
        ]
    if log.root(found.size).hex() != found.root:
        return [
            f"the first {found.size} events no longer have the root {found.root} seen on {found.seen_at}: "
            "an event was changed, inserted or removed"
        ]
    return []


@contextlib.contextmanager
def rebuilt(source: ApplicationRecorder, tz: str, until: int) -> Iterator[ReadModel]:
    """A read model built from the store alone up to position `until`, in a temporary directory (deleted
    afterwards)."""
    with tempfile.TemporaryDirectory(prefix="taizhang-verify-") as tmp:
        model = ReadModel(Path(tmp) / "verify.duckdb", tz)
        try:
            catch_up(model.con, source, tz=tz, until=until)  # not model.catch_up: this copy anchors nothing
            yield model
        finally:
            model.close()


def _digest(model: ReadModel, table: str) -> tuple[int, int]:
    found = model.con.execute(f"SELECT count(*), coalesce(sum(hash(t)::HUGEINT), 0) FROM {table} t").fetchall()
    return int(found[0][0]), int(found[0][1])


def compare_with_store(model: ReadModel, fresh: ReadModel) -> list[str]:
    """The read model's tables against the same tables rebuilt from the store: an edit of the read model (which
    reports, seals and as-of reports are computed from) shows here. `taizhang rebuild` repairs it."""
    problems = []
    for table in COMPARED_TABLES:
        (n, h), (m, k) = _digest(model, table), _digest(fresh, table)
        if (n, h) != (m, k):
            problems.append(
                f"read model table {table} differs from the event store ({n} rows, rebuilt from the store: {m}): "
                "the read model was altered; run taizhang rebuild"
            )
    return problems


def recorded_at_problems(fresh: ReadModel) -> list[str]:
    """Recording times must not step back along the log by more than the slack, nor lie in the future."""
    rows = fresh.con.execute(
        """SELECT pos, recorded_at, earlier FROM (
             SELECT pos, recorded_at,
                    max(recorded_at) OVER (ORDER BY pos ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS earlier
             FROM events)
           WHERE recorded_at < earlier - ? OR recorded_at > now() + ? ORDER BY pos LIMIT 20""",
        [RECORDED_AT_SLACK, RECORDED_AT_SLACK],
    ).fetchall()
    return [
        f"position {pos}: recorded_at {at.isoformat()} is earlier than events before it ({earlier.isoformat()})"
        if earlier is not None and at < earlier
        else f"position {pos}: recorded_at {at.isoformat()} lies in the future"
        for pos, at, earlier in rows
    ]


def trusted_keys(seals: list[Seal], registered: Callable[[str], str | None]) -> Callable[[str], bytes | None]:
    """The key each unit's seals must carry: the one registered in the log, else (a ledger from before keys were
    registered) the key of the unit's first seal in log order."""
    first: dict[str, str] = {}
    for s in seals:
        first.setdefault(s.unit, s.public_key)

    def key_of(unit: str) -> bytes | None:
        found = registered(unit) or first.get(unit)
        return bytes.fromhex(found) if found else None

    return key_of


def key_file_problems(seals: list[Seal], keys: Path, key_of: Callable[[str], bytes | None]) -> list[str]:
    """Each sealing unit's public key file must be there and be the trusted key (a missing private key only
    stops the unit sealing again, which `seal` says)."""
    problems = []
    for unit in sorted({s.unit for s in seals}):
        trusted = key_of(unit)
        on_disk = public_key_file(keys)(unit)
        if on_disk is None:
            problems.append(f"unit {unit}: its signing key is missing from {keys} (deleted? restore keys/ from a "
                            "backup; its seals are checked against the key registered in the log)")
        elif trusted is not None and on_disk != trusted:
            problems.append(f"unit {unit}: {keys / (unit + '.pub')} is not the key registered in the log (replaced?)")
    return problems
