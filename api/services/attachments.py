"""Evidence files (佐证材料) of an activity: attach (type and 20 MB limit checked), fetch, void with a reason."""

from __future__ import annotations

from pathlib import Path

from domain.activity import Evidence
from domain.errors import DomainError

from .access import require_read, require_write
from .context import Actor, Context
from .reads import activity
from .refusals import Refused, invalid


def attach(ctx: Context, actor: Actor, unit: str, ref: str, path: Path, step_id: str | None) -> Evidence:
    """Store a file and attach it to the activity or one of its steps."""
    require_read(ctx, actor, unit)
    require_write(ctx, actor, unit)
    try:
        evidence = ctx.evidence.put(path)
        ctx.ledger.attach(unit, ref, evidence, step_id or None, actor.username)
    except DomainError as e:
        raise invalid(e) from None
    return evidence


def evidence_file(ctx: Context, actor: Actor, unit: str, ref: str, sha256: str) -> tuple[Path, str, str]:
    """The stored file of one of the activity's attachments: (path, file name, media type)."""
    found = activity(ctx, actor, unit, ref)
    item = next((e for e in found["evidence"] if e["sha256"] == sha256), None)
    path = ctx.evidence.path(sha256)
    if item is None or not path.exists():
        raise Refused("not_found", "没有这个附件")
    return path, str(item.get("name") or sha256), str(item.get("media_type") or "application/octet-stream")


def detach(ctx: Context, actor: Actor, unit: str, ref: str, sha256: str, reason: str) -> None:
    """Void one of an activity's attachments with a reason: it leaves the list and stays in the history."""
    require_read(ctx, actor, unit)
    require_write(ctx, actor, unit)
    try:
        ctx.ledger.remove_evidence(unit, ref, sha256, reason.strip(), actor.username)
    except DomainError as e:
        raise invalid(e) from None
