"""Report packages (报送包): a unit on its own server exports a sealed report in one file; its superior imports
it, verifies it offline, witnesses the unit's log, and rolls the unit's figures up (projections/imported.py).

- export: admins and auditors of the sealing unit, from one of its seals;
- import: a reviewer (auditor or admin) who reads the unit the package is placed under (`parent`, given on the
  first import: the sending unit is then known by its code and pinned key);
- a key change: an explicit approval by such a reviewer, with a reason (`approve_key`).
Refused packages that are a possible rewrite of history or signed by another key are recorded on the ledger,
attributed, so a reviewer sees them (`remote_units`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from domain.filing import Filing
from domain.package import PACKAGE_FORMAT, RemoteUnit, ReportPackage, package_manifest_payload, remote_unit_id
from domain.seal import canonical_json
from projections import merkle
from projections import packages as checks
from projections.audit import StoreLog

from ..infra import package_file
from ..infra.keys import Keys
from ..infra.layout import packages_dir
from . import access_log
from .access import require_read
from .audit import load_seal
from .context import Actor, Context
from .refusals import Refused, no_unit

DOCX = "report.docx"


@dataclass(frozen=True)
class Imported:
    unit: str
    name: str
    parent: str
    year: int
    seal: str
    size: int
    root: str
    first: bool  # the first package of this unit: its key is now pinned
    again: bool = False  # this very seal was imported before: nothing written
    # Declared figures (DOMAIN §8) not rolled up from this package, each with why (see `not_rolled_up`).
    not_rolled_up: tuple[NotRolledUp, ...] = ()


@dataclass(frozen=True)
class NotRolledUp:
    code: str
    label: str
    # "theirs": declared for the sending unit, not here; "differs": declared both there and here, but the
    # definitions count differently; "undefined": the package carries no definition (made before packages
    # carried them), so it cannot be checked; "ours": declared here, the package has no value of it.
    why: str
    message: str

    @classmethod
    def of(cls, code: str, label: str, why: str) -> NotRolledUp:
        texts = {
            "theirs": "该单位自定义的指标，本级没有声明同一指标，未计入本级",
            "differs": "该单位的定义与本级的定义统计口径不同（活动类型、条件或计量方式不一致），未计入本级",
            "undefined": "报送包未携带该指标的定义（较早版本导出），无法核对口径，未计入本级",
            "ours": "本级自定义的指标，报送包不含该单位按同一定义统计的数值，未计入",
        }
        return cls(code, label, why, f"{label}（{code}）：{texts[why]}")


@dataclass(frozen=True)
class RemoteSummary:
    """A unit on its own server, as the superior's ledger knows it."""

    unit: str
    name: str
    parent: str
    public_key: str
    size: int
    root: str
    packages: list[dict[str, Any]] = field(default_factory=list)
    refusals: list[dict[str, Any]] = field(default_factory=list)
    key_changes: list[dict[str, Any]] = field(default_factory=list)


def require_reviewer(ctx: Context, actor: Actor) -> None:
    if not ctx.may_audit(actor):
        raise Refused("forbidden", "只有审计人员和管理员可以导出、导入报送包或批准更换密钥")


# ---- export (the unit's own server) ----


def export(ctx: Context, actor: Actor, seal_id: str) -> bytes:
    """The package of one seal: its report, DOCX, signature, the unit's key, the figures' parts as of the seal,
    and consistency proofs from each earlier seal of the unit to this one; signed with the unit's key."""
    require_reviewer(ctx, actor)
    sealed = load_seal(ctx, actor, seal_id)
    key = ctx.keys.private(sealed.unit)
    if Keys.public_hex(key) != sealed.public_key:
        raise Refused(
            "conflict", f"单位「{sealed.unit}」现在的密钥不是封存时的密钥，无法为这份封存签发报送包", field="seal"
        )
    log = StoreLog(ctx.ledger.recorder)
    leaves = log.leaves[: sealed.size]
    if len(leaves) < sealed.size or merkle.root(leaves).hex() != sealed.root:
        raise Refused(
            "conflict", "事件日志与封存时的 Merkle 根不一致，拒绝导出；请先运行 taizhang verify", field="seal"
        )
    as_of = datetime.fromisoformat(sealed.as_of)
    tz = ctx.settings.tz
    found = ctx.read(lambda m: checks.parts(m.con, sealed.unit, sealed.year, as_of, tz))
    moved = checks.unreproduced(sealed.report, found)
    declared = ctx.read(lambda m: checks.declared_parts(m.con, sealed.unit, sealed.year, as_of, tz))
    moved += [code for code in declared if checks.declared_problems(sealed.report, {code: declared[code]})]
    if moved:
        raise Refused("conflict", f"封存的数值已无法由台账重算（{', '.join(moved[:5])}）；请先运行 taizhang verify")
    earlier = sorted({s.size for s in ctx.ledger.seals() if s.unit == sealed.unit and 0 < s.size < sealed.size})
    proofs = [
        {
            "size": m,
            "root": merkle.root(leaves[:m]).hex(),
            "path": [h.hex() for h in merkle.consistency_proof(leaves, m)],
        }
        for m in earlier
    ]
    docx = _docx(ctx, sealed.report, seal_id, as_of)
    manifest = {
        "format": PACKAGE_FORMAT,
        "unit": sealed.unit,
        "unit_name": sealed.report.get("unit_name", sealed.unit),
        "year": sealed.year,
        "seal": {
            "id": seal_id,
            "as_of": sealed.as_of,
            "size": sealed.size,
            "root": sealed.root,
            "signature": sealed.signature,
            "public_key": sealed.public_key,
        },
        "report_sha256": hashlib.sha256(canonical_json(sealed.report)).hexdigest(),
        "docx_sha256": hashlib.sha256(docx).hexdigest(),
        "parts": found,
        "declared": declared,
        "proofs": proofs,
        "exported_at": datetime.now(UTC).isoformat(),
        "exported_by": actor.username,
    }
    signature = key.sign(package_manifest_payload(manifest)).hex()
    data = package_file.write(manifest, signature, sealed.report, docx)
    _sent(ctx, actor, sealed.unit, sealed.year, seal_id, hashlib.sha256(data).hexdigest())
    access_log.record(
        ctx,
        actor,
        "export",
        unit=sealed.unit,
        target=f"{sealed.year} 年度报送包",
        detail={"format": "tzpkg", "year": sealed.year, "seal": seal_id},
    )
    return data


def _sent(ctx: Context, actor: Actor, unit: str, year: int, seal_id: str, sha256: str) -> None:
    """The export of a package is the unit's submission of the year (报送) on its own ledger, as its import is on
    the superior's: recorded on the unit's filing with the exporter, the seal and the package (domain/filing.py
    `send_package`), so status, progress and reminders say it was sent and waits for the superior's review."""
    from eventsourcing.persistence import IntegrityError

    if ctx.ledger.unit(unit) is None:
        return  # a unit known here only by its packages is not this ledger's to submit
    detail = {"package_sha256": sha256, "via": "package"}
    try:
        ctx.ledger.act_on_filing(
            unit, year, actor.username, lambda f, at: f.send_package(seal_id, detail, at, actor.username)
        )
    except IntegrityError:
        raise Refused("conflict", f"「{unit}」{year} 年度报送刚被他人处理，请刷新后重新导出报送包") from None


def _docx(ctx: Context, report: dict[str, Any], seal_id: str, as_of: datetime) -> bytes:
    import tempfile

    from .reads import document

    with tempfile.TemporaryDirectory(prefix="taizhang-package-") as tmp:
        out = Path(tmp) / DOCX
        document(ctx, {**report, "seal": seal_id}, "docx", out, as_of)
        return out.read_bytes()


# ---- import (the superior's server) ----


def _remote(ctx: Context, unit: str) -> RemoteUnit | None:
    found = ctx.ledger._get(remote_unit_id(unit))
    return found if isinstance(found, RemoteUnit) else None


def _witnessed(known: RemoteUnit) -> checks.Witnessed:
    latest = [p for p in known.packages if p["size"] == known.size]
    proofs = latest[-1]["proofs"] if latest else []
    return checks.Witnessed(known.public_key, known.size, known.root, proofs)


def _locked(ctx: Context, unit: str, year: int) -> list[Filing]:
    """The approved filings of the year that a package placed under `unit` would change: the unit's own and
    its ancestors' (their reports roll it up), as for any write to a locked year (domain/filing.py)."""
    out, seen = [], set()
    code: str | None = unit
    while code is not None and code not in seen:
        seen.add(code)
        found = ctx.ledger.filing(code, year)
        if found is not None and found.locked:
            out.append(found)
        code = ctx.parent_of(code)
    return out


def import_package(
    ctx: Context, actor: Actor, data: bytes, parent: str | None = None, late_reason: str | None = None
) -> Imported:
    """`_import`, checked again once if an approval of the year landed between its lock check and its commit."""
    from domain.ledger import LockMoved

    try:
        return _import(ctx, actor, data, parent, late_reason)
    except LockMoved:
        return _import(ctx, actor, data, parent, late_reason)


def _import(
    ctx: Context, actor: Actor, data: bytes, parent: str | None = None, late_reason: str | None = None
) -> Imported:
    """Verify a package offline and, when every check holds, record it and roll its figures up under `parent`.

    Refused "invalid" (nothing recorded) when the file is broken or altered; "conflict" when it is signed by a key
    other than the pinned one or the unit's log cannot be shown to have only grown: those are recorded as refused
    packages, for a reviewer to see (a key change is then approved with `approve_key`)."""
    from domain.errors import DomainError

    require_reviewer(ctx, actor)
    try:
        pkg = package_file.read(data)
    except DomainError as e:
        raise Refused(
            "invalid", e.errors[0].message, [{"line": None, "field": "package", "message": e.errors[0].message}]
        ) from None
    known = _remote(ctx, pkg.unit) if pkg.unit else None
    place = _placement(ctx, actor, pkg, known, parent)
    findings = checks.check(pkg, _witnessed(known) if known else None)
    if findings.problems:
        errors = [{"line": None, "field": f, "message": msg} for f, msg in findings.problems]
        raise Refused("invalid", "报送包核验未通过，未导入：" + "；".join(msg for _, msg in findings.problems), errors)
    sealed = pkg.seal
    assert known is not None or not (findings.key or findings.rewrite)
    if known is not None and (findings.key or findings.rewrite):
        reason = "rewrite" if findings.rewrite else "key"
        problems = findings.rewrite or [f"签名密钥 {findings.key[:16]}… 不是首次报送时登记的 {known.public_key[:16]}…"]
        if not any(r["package_sha256"] == pkg.sha256 and r["reason"] == reason for r in known.refusals):
            known.refuse_package(
                str(sealed["id"]), pkg.manifest["year"], sealed["size"], sealed["root"], sealed["public_key"],
                pkg.sha256, reason, problems, actor.username,
            )  # fmt: skip
            ctx.ledger.save(known)
        if reason == "rewrite":
            raise Refused("conflict", "拒绝导入，已标记为可能改写历史：" + "；".join(problems), field="package")
        raise Refused(
            "conflict",
            f"单位「{pkg.unit}」的报送包用了新的签名密钥，未导入；须审核人确认后批准："
            f"taizhang package approve-key --unit {pkg.unit} --key {findings.key} --reason 原因，再重新导入",
            field="key",
        )
    first = known is None
    if known is None:
        known = RemoteUnit(
            pkg.unit, str(pkg.manifest.get("unit_name") or pkg.unit), place, sealed["public_key"], actor.username
        )
    elif any(p["seal"] == str(sealed["id"]) for p in known.packages):
        return _imported(known, pkg, first=False, again=True, ours=_declared_at(ctx, known.parent))
    year = pkg.manifest["year"]
    seen = ctx.ledger.lock_versions([year])  # confirmed when saving: the lock check is atomic with the commit
    # The unit's filing of the year here: the package is its submission (api/services/filing.py reviews it);
    # once approved here, a newer package is a late correction of it like one of its ancestors'.
    own = ctx.ledger.filing(pkg.unit, year)
    locked = [*([own] if own is not None and own.locked else []), *_locked(ctx, known.parent, year)]
    if locked and not (late_reason or "").strip():
        errors = [
            {
                "line": None,
                "field": "late_reason",
                "message": f"报后更正：{f.unit} {f.year} 年度报告已审核通过并锁定，"
                "导入计入它的报送包须说明报后更正原因",
            }
            for f in locked
        ]
        raise Refused("invalid", "；".join(e["message"] for e in errors), errors)
    package_file.keep(ctx.settings.home, data)
    at = datetime.now(UTC).isoformat()
    for f in locked:  # listed for the reviewer with the approved year's other late corrections
        line = {"line": pkg.sha256, "op": "package", "unit": pkg.unit, "ref": str(sealed["id"])}
        f.late_correct([line], late_reason or "", at, actor.username)
    known.import_package(
        str(sealed["id"]), pkg.manifest["year"], str(sealed["as_of"]), sealed["size"], sealed["root"], pkg.report,
        pkg.manifest["parts"], list(pkg.manifest.get("proofs") or []), pkg.sha256,
        str(pkg.manifest.get("exported_by", "")), str(pkg.manifest.get("exported_at", "")), actor.username,
        pkg.manifest.get("declared"),
    )  # fmt: skip
    own = own or Filing(pkg.unit, year, at, actor.username)
    sender = str(pkg.manifest.get("exported_by", "")) or "?"
    received = f"收到报送包（导出人 {sender}，SHA-256 {pkg.sha256[:16]}…）"
    own.receive_package(str(sealed["id"]), received, at, actor.username)
    ctx.ledger.save_checked([known, *{a.id: a for a in [*locked, own]}.values()], seen)
    ctx.forget()
    return _imported(known, pkg, first=first, ours=_declared_at(ctx, known.parent))


def _imported(
    known: RemoteUnit, pkg: ReportPackage, first: bool, again: bool = False, ours: dict[str, Any] | None = None
) -> Imported:
    s = pkg.seal
    return Imported(
        known.unit, known.name, known.parent, pkg.manifest["year"], str(s["id"]), s["size"], s["root"], first, again,
        not_rolled_up(pkg.report, pkg.manifest.get("declared"), ours or {}),
    )  # fmt: skip


def not_rolled_up(report: dict[str, Any], carried: Any, ours: dict[str, Any]) -> tuple[NotRolledUp, ...]:
    """The declared figures a package does not roll up, said in the import result rather than left out silently.

    A superior's declared figure is one definition over its whole subtree (DOMAIN §8.6). A package's value of
    the same code is added where that can be checked: the package carries the definition its report used and
    its parts (`carried`, projections/packages.py `declared_parts`), and it counts what the superior's counts
    (same kind, conditions and measure; label and unit word aside: domain/definition.py `counted`). Every other
    one is named with why (`ours`: code -> the declaration applying at the unit the package rolls into; the
    reports of its ancestors roll up by their own declarations, projections/imported.py)."""
    from projections.imported import same_definition

    theirs = {
        code: str(f.get("label", code))
        for code, f in (report.get("figures") or {}).items()
        if isinstance(code, str) and code.startswith("local.") and isinstance(f, dict)
    }
    carried = carried if isinstance(carried, dict) else None
    out = []
    for code in sorted(theirs):
        if code not in ours:
            out.append(NotRolledUp.of(code, theirs[code], "theirs"))
        elif carried is None or not isinstance(carried.get(code), dict):
            out.append(NotRolledUp.of(code, theirs[code], "undefined"))
        elif not same_definition(carried[code].get("data"), ours[code].definition):
            out.append(NotRolledUp.of(code, theirs[code], "differs"))
    label = {c: str(d.data.get("label", c)) for c, d in ours.items()}
    out += [NotRolledUp.of(c, label[c], "ours") for c in sorted(ours) if c not in theirs]
    return tuple(out)


def _declared_at(ctx: Context, unit: str) -> dict[str, Any]:
    """code -> the declaration (projections/declared.py) a report of `unit` uses now."""
    from projections.declarations import applying

    return dict(ctx.read(lambda m: applying(m.con, unit)))


def _placement(ctx: Context, actor: Actor, pkg: ReportPackage, known: RemoteUnit | None, parent: str | None) -> str:
    """The local unit the package's unit rolls up into: named on its first import, the same ever after."""
    if known is not None:
        if parent is not None and parent != known.parent:
            raise Refused(
                "invalid", f"单位「{known.unit}」已计入「{known.parent}」，不能改为「{parent}」", field="parent"
            )
        require_read(ctx, actor, known.parent)
        return known.parent
    if not parent:
        raise Refused(
            "invalid",
            f"首次导入单位「{pkg.unit or '?'}」的报送包，须用 --parent 指定它计入哪个上级单位",
            field="parent",
        )
    if ctx.ledger.unit(parent) is None:
        raise no_unit(parent)
    require_read(ctx, actor, parent)
    if pkg.unit and ctx.ledger.unit(pkg.unit) is not None:
        raise Refused(
            "conflict",
            f"本台账已有单位「{pkg.unit}」，其数据在本台账录入，不能再以报送包导入（会重复计入）",
            field="unit",
        )
    return parent


def approve_key(ctx: Context, actor: Actor, unit: str, public_key: str, reason: str) -> RemoteSummary:
    """A reviewer approves a unit's new signing key (a new server, a lost key), with the reason; packages signed
    with it are then imported (still only if its log is consistent with what was witnessed)."""
    require_reviewer(ctx, actor)
    known = _remote(ctx, unit)
    if known is None:
        raise Refused("not_found", f"没有从单位「{unit}」导入过报送包", field="unit")
    require_read(ctx, actor, known.parent)
    errors = []
    key = public_key.strip().lower()
    if len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
        errors.append({"line": None, "field": "key", "message": "密钥：须为 64 位十六进制的 Ed25519 公钥"})
    if not reason.strip():
        errors.append({"line": None, "field": "reason", "message": "原因：批准更换密钥须写明原因"})
    if errors:
        raise Refused("invalid", "；".join(e["message"] for e in errors), errors)
    if key == known.public_key:
        raise Refused("conflict", "这就是已登记的密钥，无须批准", field="key")
    known.change_key(key, reason.strip(), actor.username)
    ctx.ledger.save(known)
    return summary(known)


def summary(known: RemoteUnit) -> RemoteSummary:
    packages = [{k: v for k, v in p.items() if k != "proofs"} for p in known.packages]
    return RemoteSummary(
        known.unit, known.name, known.parent, known.public_key, known.size, known.root,
        packages, list(known.refusals), list(known.key_changes),
    )  # fmt: skip


def remote_units(ctx: Context, actor: Actor) -> list[RemoteSummary]:
    """Every unit on its own server that sent packages to a unit the reviewer reads."""
    require_reviewer(ctx, actor)
    found = [r for r in ctx.ledger.created_with(RemoteUnit.Pinned) if isinstance(r, RemoteUnit)]
    return [summary(r) for r in sorted(found, key=lambda r: r.unit) if ctx.may_read(actor, r.parent)]


def stored_package(ctx: Context, actor: Actor, unit: str, seal: str) -> Path:
    """The superior's copy of an imported package (to download and check again)."""
    require_reviewer(ctx, actor)
    known = _remote(ctx, unit)
    if known is None or not ctx.may_read(actor, known.parent):
        raise Refused("not_found", f"没有从单位「{unit}」导入过报送包", field="unit")
    for p in known.packages:
        if p["seal"] == seal:
            path = packages_dir(ctx.settings.home) / f"{p['package_sha256']}.tzpkg"
            if path.exists():
                return path
    raise Refused("not_found", f"没有单位「{unit}」封存「{seal}」的报送包", field="seal")
