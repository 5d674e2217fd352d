"""Notices (回执) between a superior and a unit on its own server: the superior's reviewer approves or returns the
unit's report here (api/services/filing.py, the same rules as for a unit of this ledger), then `notice` gives a
file signed with the key of the unit the packages roll up into; the unit's own taizhang imports it with
`import_notice`, verified, which records the approval (locking the year, as an approval on one ledger does), the
return with its reason, or the reopening of an approved year with its reason (lifting the lock, as a reopening on
one ledger does) in the unit's register.

The unit pins its superior's key by the first notice it imports (as the superior pins the unit's key by its first
package): a later notice signed by another key is refused and held, flagged for the unit's admins; an admin
approves the new key explicitly with a reason (`approve_key`, as the superior's reviewer approves a unit's new
key for its packages), after which the held notice imports.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from domain.errors import DomainError
from domain.filing import DECIDED_ABOVE
from domain.package import NOTICE_FORMAT, Superior, notice_payload, superior_id
from domain.seal import Seal
from domain.suite import suite as known_suite
from domain.suite import verify_signature

from ..infra import notice_file
from . import access_log
from .context import Actor, Context
from .filing import FilingStatus, _name, _status, require_read_filing, require_reviewer, require_submitter
from .refusals import Refused, invalid, no_unit

# The superior's decisions a notice carries down, by the event of the filing kept here.
KINDS = {"Approved": "approved", "Returned": "returned", "Reopened": "reopened"}
KIND_LABELS = {"approved": "审核通过", "returned": "退回", "reopened": "重新打开"}


@dataclass(frozen=True)
class Notice:
    data: bytes
    unit: str
    year: int
    kind: str

    @property
    def filename(self) -> str:
        return f"{self.unit}-{self.year}-{self.kind}.tznotice"


@dataclass(frozen=True)
class NoticeImported:
    status: FilingStatus
    kind: str
    superior: str
    superior_name: str
    public_key: str
    first: bool  # the superior's key was pinned by this notice
    again: bool = False  # this very file was imported before: nothing written

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "superior": self.superior,
            "superior_name": self.superior_name,
            "public_key": self.public_key,
            "first": self.first,
            "again": self.again,
            "filing": self.status.to_json(),
        }


# ---- the superior's side ----


def notice(ctx: Context, actor: Actor, unit: str, year: int) -> Notice:
    """The signed notice of the last decision on a remote unit's filing of the year (a reviewer of the unit)."""
    # Whoever may not read the unit is refused first, as by every other route: it was told "a unit of this
    # ledger" before any check. A reader of a local unit is told why there is no notice.
    remote = require_read_filing(ctx, actor, unit)
    if remote is None:
        raise Refused("invalid", f"「{unit}」是本台账的单位，审核结果已在本台账中，无须回执", field="unit")
    require_reviewer(ctx, actor, unit)
    found = ctx.ledger.filing(unit, year)
    decided = found.last(*KINDS) if found is not None else None
    if found is None or decided is None or found.state not in KINDS.values():
        state = found.state_label if found is not None else "未报送"
        raise Refused("conflict", f"「{unit}」{year} 年度报告「{state}」，没有可出具回执的审核结果", field="state")
    kind = KINDS[decided.event]
    sent = [p for p in remote.packages if p["seal"] == decided.seal]
    suite = ctx.ledger.suite()
    signer = ctx.keys.signer(remote.parent, suite)
    manifest = {
        "format": NOTICE_FORMAT,
        "kind": kind,
        "unit": unit,
        "unit_name": remote.name,
        "year": year,
        "seal": decided.seal,
        "seal_root": sent[-1]["root"] if sent else "",
        "text": decided.text,
        "reviewer": decided.by,
        "decided_at": decided.at,
        "superior": {
            "unit": remote.parent,
            "name": _name(ctx, remote.parent),
            "suite": suite,
            "public_key": signer.public_hex,
        },
        "issued_at": datetime.now(UTC).isoformat(),
        "issued_by": actor.username,
    }
    data = notice_file.write(manifest, signer.sign(notice_payload(manifest)))
    access_log.record(
        ctx, actor, "export", unit=unit, target=f"{year} 年度报送回执",
        detail={"format": "tznotice", "year": year, "kind": kind},
    )  # fmt: skip
    return Notice(data, unit, year, kind)


# ---- the unit's own side ----


def _problems(m: dict[str, Any]) -> list[tuple[str, str]]:
    """Every problem of a notice's manifest that can be seen without the ledger."""
    out = []
    if m.get("format") != NOTICE_FORMAT:
        out.append(("format", f"回执：格式须为 {NOTICE_FORMAT}，收到「{str(m.get('format'))[:40]}」"))
    if m.get("kind") not in DECIDED_ABOVE:
        out.append(("kind", "回执类型：须为 approved（审核通过）、returned（退回）或 reopened（重新打开）"))
    for name in ("unit", "seal", "reviewer", "decided_at", "text"):
        if not isinstance(m.get(name), str):
            out.append((name, f"回执：缺少 {name}"))
    if not isinstance(m.get("year"), int) or isinstance(m.get("year"), bool):
        out.append(("year", "回执：缺少年度（year）"))
    sup = m.get("superior")
    if not isinstance(sup, dict) or not all(isinstance(sup.get(k), str) for k in ("unit", "name", "public_key")):
        out.append(("superior", "回执：缺少上级单位及其公钥（superior）"))
    else:
        try:
            known_suite(str(sup.get("suite") or ""))
        except (KeyError, ValueError):
            out.append(("superior.suite", f"回执：不认识的密码套件「{str(sup.get('suite'))[:20]}」"))
    if isinstance(m.get("decided_at"), str):
        try:
            datetime.fromisoformat(m["decided_at"])
        except ValueError:
            out.append(("decided_at", "回执：审核时间不是 ISO 时间"))
    return out


def _seal_of(ctx: Context, seal: str) -> Seal | None:
    try:
        found = ctx.ledger._get(UUID(seal))
    except ValueError:
        return None
    return found if isinstance(found, Seal) else None


def import_notice(ctx: Context, actor: Actor, data: bytes, key: str | None = None) -> NoticeImported:
    """Verify a superior's notice and record its decision on the unit's filing (the unit's admins, who submit).
    `key`: the superior's public key as learnt from it by another channel (a letter, a call): the notice must be
    signed with it, so the first notice does not pin a stranger's key unchecked.

    Refused "invalid" (nothing recorded) when the file is broken, altered (its signature fails), or not about a
    seal of this unit and year; "conflict" when signed by another key than the superior's pinned one (the notice
    is then held for the admins, see `approve_key`), or older than the last notice of that year imported here."""
    try:
        manifest, signature = notice_file.read(data)
    except DomainError as e:
        raise invalid(e) from None
    problems = _problems(manifest)
    if problems:
        raise _refused(problems)
    unit, year, seal, kind = manifest["unit"], manifest["year"], manifest["seal"], manifest["kind"]
    if ctx.ledger.unit(unit) is None:
        raise no_unit(unit)
    require_submitter(ctx, actor, unit)
    sup = manifest["superior"]
    suite = str(sup.get("suite") or "")
    if not verify_signature(suite, sup["public_key"], signature, notice_payload(manifest)):
        problems.append(("signature", "签名：回执的签名与其中的上级公钥不符，文件已被改动或不是该上级签发的"))
    sealed = _seal_of(ctx, seal)
    if sealed is None or (sealed.unit, sealed.year) != (unit, year):
        problems.append(("seal", f"封存：回执所指的封存「{seal[:40]}」不是本台账「{unit}」{year} 年度的封存"))
    elif manifest.get("seal_root") and manifest["seal_root"] != sealed.root:
        problems.append(("seal", f"封存：回执所指封存的日志根与本台账封存 {seal} 的不同"))
    if problems:
        raise _refused(problems)
    if key is not None and key.strip().lower() != sup["public_key"].lower():
        raise Refused(
            "conflict",
            f"签名密钥：回执的签名密钥 {sup['public_key'][:16]}… 不是您指定的上级密钥 {key.strip()[:16]}…，未导入",
            field="key",
        )
    pinned: Superior | None = ctx.ledger._get(superior_id(unit))  # type: ignore[assignment]
    sha = hashlib.sha256(data).hexdigest()
    if pinned is not None and (pinned.public_key, pinned.superior) != (sup["public_key"], sup["unit"]):
        _hold(ctx, actor, pinned, manifest, sha)
        raise Refused(
            "conflict",
            f"签名密钥：回执由「{sup['name']}」（{sup['unit']}）的密钥 {sup['public_key'][:16]}… 签发，"
            f"不是首次导入回执时登记的「{pinned.name}」（{pinned.superior}）的 {pinned.public_key[:16]}…，未导入，"
            f"已暂存待确认；向上级核实后由管理员批准新密钥：taizhang filing approve-key --unit {unit} "
            f"--key {sup['public_key']} --reason 原因，再重新导入",
            field="key",
        )
    first = pinned is None
    if pinned is not None and any(n["sha256"] == sha for n in pinned.notices):
        return NoticeImported(_current(ctx, unit, year), kind, sup["unit"], sup["name"], sup["public_key"], False, True)
    last = pinned.last(year) if pinned is not None else None
    if last is not None and datetime.fromisoformat(manifest["decided_at"]) <= datetime.fromisoformat(
        last["decided_at"]
    ):
        raise Refused(
            "conflict",
            f"回执：该回执的审核时间 {manifest['decided_at']} 不晚于已导入的 {year} 年度回执"
            f"（{last['decided_at']}），未导入",
            field="decided_at",
        )
    superior = pinned or Superior(unit, sup["unit"], sup["name"], suite, sup["public_key"], actor.username)
    superior.note(sha, kind, year, seal, manifest["decided_at"], manifest["reviewer"], actor.username)
    detail = {
        "superior": sup["unit"],
        "superior_name": sup["name"],
        "reviewer": manifest["reviewer"],
        "decided_at": manifest["decided_at"],
        "notice_sha256": sha,
    }
    from eventsourcing.persistence import IntegrityError

    try:
        filing = ctx.ledger.act_on_filing(
            unit, year, actor.username,
            lambda f, at: f.decided_above(kind, seal, manifest["text"], detail, at, actor.username),
            also=[superior],
        )  # fmt: skip
    except DomainError as e:
        raise invalid(e) from None
    except IntegrityError:
        raise Refused("conflict", f"「{unit}」{year} 年度报送刚被他人处理，请刷新后重试") from None
    ctx.forget()
    status = _status(filing, unit, _name(ctx, unit), year, ctx.ledger.today(), ctx.ledger.tz)
    return NoticeImported(status, kind, sup["unit"], sup["name"], sup["public_key"], first)


def _hold(ctx: Context, actor: Actor, pinned: Superior, m: dict[str, Any], sha: str) -> None:
    """Keep a notice signed by another key for the admins (once per file), flagged until its key is approved."""
    if any(h["sha256"] == sha for h in pinned.held):
        return
    sup = m["superior"]
    pinned.hold(
        sha, m["kind"], m["year"], m["seal"], m["decided_at"], sup["unit"], sup["name"], str(sup.get("suite") or ""),
        sup["public_key"], actor.username,
    )  # fmt: skip
    from contextlib import suppress

    from eventsourcing.persistence import IntegrityError

    # Another import held or imported a notice at the same moment: the refusal stands; importing again holds it.
    with suppress(IntegrityError):
        ctx.ledger.save(pinned)


@dataclass(frozen=True)
class SuperiorSummary:
    """The superior a unit imports notices from: its pinned key, the notices held for a new key, key changes."""

    unit: str
    superior: str
    name: str
    public_key: str
    notices: list[dict[str, Any]]
    held: list[dict[str, Any]]  # signed by a key not approved (yet): flagged
    key_changes: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "superior": self.superior,
            "name": self.name,
            "public_key": self.public_key,
            "notices": self.notices,
            "held": self.held,
            "key_changes": self.key_changes,
        }


def _summary(found: Superior) -> SuperiorSummary:
    return SuperiorSummary(
        found.unit, found.superior, found.name, found.public_key, list(found.notices), found.waiting(),
        list(found.key_changes),
    )  # fmt: skip


def superior_of(ctx: Context, actor: Actor, unit: str) -> SuperiorSummary | None:
    """The unit's superior on another server as its notices made it known here (None before the first notice);
    for the unit's admins, who import notices and approve a new key."""
    if ctx.ledger.unit(unit) is None:
        raise no_unit(unit)
    require_submitter(ctx, actor, unit)
    found: Superior | None = ctx.ledger._get(superior_id(unit))  # type: ignore[assignment]
    return _summary(found) if found is not None else None


def approve_key(ctx: Context, actor: Actor, unit: str, public_key: str, reason: str) -> SuperiorSummary:
    """The unit's admin approves the superior's new signing key, with the reason (checked with the superior by
    another channel): the key of a notice held here for it. Notices signed with it then import."""
    if ctx.ledger.unit(unit) is None:
        raise no_unit(unit)
    require_submitter(ctx, actor, unit)
    found: Superior | None = ctx.ledger._get(superior_id(unit))  # type: ignore[assignment]
    if found is None:
        raise Refused("not_found", f"单位「{unit}」尚未导入过上级回执，没有登记的上级密钥", field="unit")
    key = (public_key or "").strip().lower()
    errors = []
    if len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
        errors.append({"line": None, "field": "key", "message": "密钥：须为 64 位十六进制的上级公钥"})
    if not (reason or "").strip():
        errors.append({"line": None, "field": "reason", "message": "原因：批准上级更换密钥须写明原因"})
    if errors:
        raise Refused("invalid", "；".join(e["message"] for e in errors), errors)
    if key == found.public_key.lower():
        raise Refused("conflict", "密钥：这就是已登记的上级密钥，无须批准", field="key")
    held = [h for h in found.waiting() if h["public_key"].lower() == key]
    if not held:
        raise Refused(
            "conflict", f"密钥：没有由密钥 {key[:16]}… 签发、暂存待确认的上级回执；请先导入该回执", field="key"
        )
    h = held[-1]
    found.change_key(h["superior"], h["name"], h["suite"], h["public_key"], reason.strip(), actor.username)
    ctx.ledger.save(found)
    return _summary(found)


def _current(ctx: Context, unit: str, year: int) -> FilingStatus:
    return _status(ctx.ledger.filing(unit, year), unit, _name(ctx, unit), year, ctx.ledger.today(), ctx.ledger.tz)


def _refused(problems: list[tuple[str, str]]) -> Refused:
    errors = [{"line": None, "field": f, "message": msg} for f, msg in problems]
    return Refused("invalid", "回执核验未通过，未导入：" + "；".join(msg for _, msg in problems), errors)
