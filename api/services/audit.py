"""Audit use-cases: seal a year, verify the log, an activity's inclusion proof, what changed since a seal, the
audit trail, the list of seals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from domain.activity import Activity
from domain.errors import DomainError
from domain.ids import activity_id
from domain.ledger import Ledger
from domain.seal import Seal, seal_payload
from domain.suite import DEFAULT
from projections import audit, merkle
from projections.audit import StoreLog, check_seal, compare_with_witness
from projections.changes import Change, changes_since
from projections.readmodel import ReadModel
from projections.report import UnknownUnit
from projections.report_model import Report

from ..infra.evidence import EvidenceStore
from ..infra.layout import keys_dir
from .access import require_admin, require_auditor, require_read
from .context import Actor, Context
from .package_checks import package_problems
from .refusals import Refused, invalid, no_unit


@dataclass
class Verification:
    problems: list[str]
    size: int
    root: str
    seals: int
    suite: str = DEFAULT

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Moved:
    """A figure whose value, previous-year value or sources changed since the seal; `retired` when it was a
    declared figure (§8) no longer declared for the unit (then `now` and `now_previous` are None)."""

    figure: str
    label: str
    was: Any
    now: Any
    was_previous: Any
    now_previous: Any
    retired: bool = False


@dataclass(frozen=True)
class Diff:
    seal: Seal
    changes: list[Change]
    moved: list[Moved]


# ---- seals ----


def make_seal(ctx: Context, model: ReadModel, unit: str, year: int, by: str) -> dict[str, Any]:
    """Freeze the year's report as of now with the log's root, signed with the unit's key; returns the seal."""
    as_of = datetime.now(UTC)
    computed = model.report(unit, year, as_of)  # raises UnknownUnit
    report, log = computed.to_json(), computed.log.to_json()  # a seal keeps the report as its JSON (§5), signed
    suite = model.suite()
    key = ctx.keys.signer(unit, suite)
    stamp = as_of.isoformat()
    signature = key.sign(seal_payload(unit, year, stamp, log["size"], log["root"], report, suite))
    sealed = ctx.ledger.seal(
        unit, year, stamp, log["size"], log["root"], report, signature, key.public_hex, by, suite
    )
    return {
        "seal": str(sealed.id),
        "unit": unit,
        "year": year,
        "as_of": stamp,
        "size": log["size"],
        "root": log["root"],
        "signature": signature,
        "public_key": key.public_hex,
        "suite": suite,
    }


def seal(ctx: Context, actor: Actor, unit: str, year: int) -> dict[str, Any]:
    """Seal the unit's year (admins, on units they read)."""
    require_admin(actor)
    require_read(ctx, actor, unit)
    try:
        return ctx.read(lambda m: make_seal(ctx, m, unit, year, actor.username))
    except UnknownUnit:
        raise no_unit(unit) from None
    except DomainError as e:
        raise invalid(e) from None


def seals(ctx: Context, actor: Actor) -> list[dict[str, Any]]:
    require_auditor(ctx, actor)
    return [
        {
            "seal": str(s.id),
            "unit": s.unit,
            "year": s.year,
            "as_of": s.as_of,
            "size": s.size,
            "root": s.root,
            "signature": s.signature,
            "public_key": s.public_key,
            "suite": getattr(s, "suite", DEFAULT),
            "recorded_by": getattr(s, "recorded_by", None),
        }
        for s in ctx.ledger.seals()
        if ctx.may_read(actor, s.unit)
    ]


def load_seal(ctx: Context, actor: Actor, seal_id: str) -> Seal:
    """A seal by its id, on a unit the actor reads."""
    from eventsourcing.application import AggregateNotFoundError

    try:
        found = ctx.ledger.repository.get(UUID(seal_id))
    except (ValueError, AggregateNotFoundError):
        found = None
    if not isinstance(found, Seal):
        raise Refused("not_found", f"没有编号为「{seal_id}」的封存", field="seal")
    require_read(ctx, actor, found.unit)
    return found


# ---- verification ----


def verify(
    ctx: Context,
    actor: Actor,
    root_hex: str | None = None,
    size: int | None = None,
    progress: Progress | None = None,
) -> Verification:
    """Auditors and admins: the whole log checked (see `verify_log`). On the read model as it is where the
    context can (the command line: a tampered event may not fold); else on a reader just brought up to date,
    which must not write (the web)."""
    require_auditor(ctx, actor)
    if ctx.peek is not None:
        return ctx.peek(lambda m: verify_log(ctx, m, root_hex, size, progress=progress))
    return ctx.read(lambda m: verify_log(ctx, m, root_hex, size, project=False, progress=progress))


# Called with what verification is doing now, how many of its steps are done and how many there are (the web's
# background verification shows it: a large ledger takes about as long as a rebuild).
Progress = Callable[[str, int, int], None]
VERIFY_STEPS = 5  # read the log, the seals and keys, the evidence, rebuild from the store, compare; + one per seal


def verify_log(
    ctx: Context,
    model: ReadModel,
    root_hex: str | None = None,
    size: int | None = None,
    project: bool = True,
    progress: Progress | None = None,
) -> Verification:
    """Recompute the Merkle log from the event store; check it against the read model's witness, the seals,
    the evidence files and (optionally) a root published elsewhere. `project=False` when `model` is a reader
    that the caller has just brought up to date (a reader must not write: the web server's catch-ups do)."""
    ledger = ctx.ledger
    home = ctx.settings.home
    steps = [0, VERIFY_STEPS]

    def step(what: str) -> None:
        if progress is not None:
            progress(what, steps[0], steps[1])
        steps[0] += 1

    step("从事件库读取日志，重算 Merkle 树")
    log = StoreLog(ledger.recorder)
    witnessed = model.con.execute("SELECT count(*) FROM leaves").fetchall()[0][0]
    problems = compare_with_witness(model, log) + audit.anchor_problems(home, log, witnessed)
    if project:
        try:
            model.catch_up(ledger.recorder)
        except Exception as e:  # noqa: BLE001 — an event the projection cannot read is itself a finding
            problems.append(f"the event log can no longer be projected: {e}")
    step("读取封存与单位密钥")
    try:
        found = ledger.seals()
    except Exception as e:  # noqa: BLE001
        problems.append(f"a seal event can no longer be read: {e}")
        found = []
    steps[1] += len(found)
    step("核对附件文件")
    problems += evidence_problems(ledger, ctx.evidence)
    problems += package_problems(ctx)  # report packages imported from units on their own servers
    key_of = audit.trusted_keys(found, ledger.signing_key)
    problems += audit.key_file_problems(found, keys_dir(home), key_of)
    # Seals reproduce from a read model rebuilt from the store, not from the read model's own copy (which could
    # have been edited); that copy is compared with the rebuilt one table by table.
    step("从事件库重建读模型")
    with audit.rebuilt(ledger.recorder, ctx.settings.tz, until=model.position()) as fresh:
        step("比对读模型与事件库")
        problems += audit.compare_with_store(model, fresh) + audit.recorded_at_problems(fresh)
        for n, s in enumerate(found, 1):
            step(f"核对封存 {n}/{len(found)}")
            problems += check_seal(s, log, fresh, key_of)
    if root_hex is not None and size is not None:
        if size > len(log.leaves):
            problems.append(f"the log has {len(log.leaves)} events, fewer than the published size {size}")
        elif log.root(size).hex() != root_hex.lower():
            problems.append(
                f"the root of the first {size} events is {log.root(size).hex()}, not the published {root_hex}"
            )
    result = Verification(problems, len(log.leaves), log.root(len(log.leaves)).hex(), len(found), log.suite)
    if progress is not None:
        progress("完成", steps[1], steps[1])
    return result


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


# ---- proofs and changes ----


def proof(ctx: Context, actor: Actor, unit: str, ref: str) -> dict[str, Any]:
    """Inclusion proof of one activity's events against the unit's latest seal (checked without the database
    by `python -m projections.merkle check`)."""
    require_read(ctx, actor, unit)
    ledger = ctx.ledger
    found = [s for s in ledger.seals() if s.unit == unit]
    if not found:
        raise Refused("not_found", f"单位「{unit}」还没有封存（taizhang seal）", field="seal")
    latest = max(found, key=lambda s: s.size)
    oid = activity_id(unit, ref).hex
    log = StoreLog(ledger.recorder)
    leaves = log.leaves[: latest.size]
    stored = {e.originator_version: e for e in ledger.recorder.select_events(UUID(oid))}
    items = []
    version = 0
    for index, (pos, o) in enumerate(zip(log.positions[: latest.size], log.oids[: latest.size], strict=True)):
        if o != oid:
            continue
        version += 1
        e = stored[version]
        items.append(
            {
                "index": index,
                "position": pos,
                "originator_id": oid,
                "version": e.originator_version,
                "topic": e.topic,
                "state_hex": e.state.hex(),
                "path": [h.hex() for h in merkle.inclusion_proof(leaves, index, log.suite)],
            }
        )
    if not items:
        raise Refused("not_found", f"活动「{ref}」在最近一次封存（{latest.id}）时还没有记录", field="ref")
    return {
        "suite": log.suite,  # the checker takes a proof without it (made before suites existed) as default
        "unit": unit,
        "ref": ref,
        "seal": str(latest.id),
        "size": latest.size,
        "root": latest.root,
        "public_key": latest.public_key,
        "signature": latest.signature,
        "events": items,
    }


def diff(ctx: Context, actor: Actor, seal_id: str) -> Diff:
    """What changed since a seal: the late entries, corrections and voids, and the figures they moved."""
    sealed = load_seal(ctx, actor, seal_id)
    tz = ctx.settings.tz

    def read(m: ReadModel) -> tuple[Report, list[Change]]:
        now = m.report(sealed.unit, sealed.year)
        return now, changes_since(m.con, tz, sealed.size, list(now.units), sealed.year)

    now, changes = ctx.read(read)
    moved = []
    for fid, was in Report.from_json(sealed.report).figures.items():
        f = now.figures.get(fid)
        if f is None:
            moved.append(Moved(fid, was.label, was.value, None, was.previous, None, retired=True))
            continue
        if (was.value, was.previous, was.sources) != (f.value, f.previous, f.sources):
            moved.append(Moved(fid, was.label, was.value, f.value, was.previous, f.previous))
    return Diff(sealed, changes, moved)


def audit_trail(ctx: Context, actor: Actor, unit: str, year: int | None) -> dict[str, list[dict[str, Any]]]:
    """Late entries and corrections/voids of the unit and its descendants (auditors and admins)."""
    from projections.trail import amendments, late_entries

    require_auditor(ctx, actor)
    require_read(ctx, actor, unit)
    tz = ctx.settings.tz
    return ctx.read(
        lambda m: {"late": late_entries(m.con, unit, year, tz), "amendments": amendments(m.con, unit, year)}
    )
