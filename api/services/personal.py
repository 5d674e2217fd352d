"""Personal data use-cases: record an activity's personal fields encrypted, show them in clear to those who
handle the matter (each showing recorded in the log), and erase a unit's key (crypto-shredding)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eventsourcing.application import AggregateNotFoundError

from domain.catalogue import PERSONAL_FIELDS
from domain.errors import DomainError
from domain.personal import (
    PersonalKey,
    PersonalRecord,
    check,
    may_see_personal,
    personal_key_id,
    personal_record_id,
)

from ..infra.keys import PERSONAL_CIPHERS, PersonalKeys, decrypt, encrypt
from . import access_log
from .access import require_duty, require_read, require_write
from .context import Actor, Context
from .refusals import Refused, invalid, no_unit


@dataclass(frozen=True)
class PersonalValue:
    name: str
    label: str
    value: str | None  # in clear; None when not recorded or no longer readable
    state: str  # "clear", "absent", "shredded" (its key was erased) or "unreadable" (altered, or key file lost)


@dataclass(frozen=True)
class PersonalView:
    unit: str
    ref: str
    values: list[PersonalValue]


@dataclass(frozen=True)
class Shredded:
    unit: str
    key: str | None  # the erased key's id (None: the unit had no key)
    removed: bool  # the key file was there and is gone


# How a value that is not shown in clear is spoken of (the command line and the page).
STATE_LABELS = {
    "absent": "（未录入）",
    "shredded": "（密钥已销毁，无法读取）",
    "unreadable": "（无法解密：密文被改动或密钥文件缺失）",
}


def _get(ctx: Context, aggregate_id: Any) -> Any:
    try:
        return ctx.ledger.repository.get(aggregate_id)
    except AggregateNotFoundError:
        return None


def _aad(unit: str, ref: str, name: str, key_id: str) -> bytes:
    return f"{unit}/{ref}/{name}/{key_id}".encode()


def record(ctx: Context, actor: Actor, unit: str, ref: str, values: dict[str, str | None]) -> list[str]:
    """Encrypt and record the given personal fields of an activity (None clears one); returns their names."""
    require_write(ctx, actor, unit)
    activity = ctx.ledger.activity(unit, ref)
    if activity is None:
        raise Refused("not_found", f"单位「{unit}」没有编号为「{ref}」的活动", field="ref")
    try:
        checked = check(activity.kind, values)
    except DomainError as e:
        raise invalid(e) from None
    if not checked:
        raise Refused("invalid", "个人信息：没有给出任何字段", field="personal")
    keys = PersonalKeys(ctx.settings.home)
    key_record: PersonalKey | None = _get(ctx, personal_key_id(unit))
    cipher = PERSONAL_CIPHERS[ctx.ledger.suite()]
    found = keys.get(unit, key_record.current) if key_record is not None and key_record.current else None
    pending = []
    if found is None or found[0] != cipher:
        key_id, key = keys.issue(unit, cipher)
        if key_record is None:
            key_record = PersonalKey(unit, key_id, cipher, actor.username)
        else:
            key_record.reissue(key_id, cipher, actor.username)
        pending.append(key_record)
    else:
        key_id, key = str(key_record.current), found[1]  # type: ignore[union-attr]
    sealed = {
        name: None
        if value is None
        else {"key": key_id, "cipher": cipher, "value": encrypt(cipher, key, value, _aad(unit, ref, name, key_id))}
        for name, value in checked.items()
    }
    existing: PersonalRecord | None = _get(ctx, personal_record_id(unit, ref))
    if existing is None:
        existing = PersonalRecord(unit, ref, sealed, actor.username)
    else:
        existing.change(sealed, actor.username)
    ctx.ledger.save(*pending, existing)
    return list(checked)


def may_see(ctx: Context, actor: Actor, unit: str) -> bool:
    """Whether the actor is shown the unit's personal data (a page offers the way to it only then)."""
    return may_see_personal(actor, unit, ctx.may_read(actor, unit))  # type: ignore[arg-type]


def _seen_activity(ctx: Context, actor: Actor, unit: str, ref: str) -> Any:
    require_read(ctx, actor, unit)
    if not may_see(ctx, actor, unit):
        raise Refused("forbidden", "无权查看个人信息（仅本单位录入员和管理员）")
    activity = ctx.ledger.activity(unit, ref)
    if activity is None:
        raise Refused("not_found", f"单位「{unit}」没有编号为「{ref}」的活动", field="ref")
    return activity


def fields(ctx: Context, actor: Actor, unit: str, ref: str) -> list[tuple[str, str]]:
    """The activity's personal fields (name, label), for those who see them, without showing any value (so
    nothing is recorded as read): what a page offers to show or to record."""
    activity = _seen_activity(ctx, actor, unit, ref)
    found = [(f.name, f.label) for f in PERSONAL_FIELDS.get(activity.kind, ())]
    if not found:
        raise Refused("not_found", f"活动「{ref}」这一类没有个人信息字段", field="ref")
    return found


def show(ctx: Context, actor: Actor, unit: str, ref: str) -> PersonalView:
    """The activity's personal fields in clear, for the roles that see personal data; the showing is recorded."""
    activity = _seen_activity(ctx, actor, unit, ref)
    existing: PersonalRecord | None = _get(ctx, personal_record_id(unit, ref))
    key_record: PersonalKey | None = _get(ctx, personal_key_id(unit))
    keys = PersonalKeys(ctx.settings.home)
    out = []
    for f in PERSONAL_FIELDS.get(activity.kind, ()):
        sealed = existing.fields.get(f.name) if existing is not None else None
        if sealed is None:
            out.append(PersonalValue(f.name, f.label, None, "absent"))
            continue
        if key_record is not None and sealed["key"] in key_record.shredded:
            out.append(PersonalValue(f.name, f.label, None, "shredded"))
            continue
        found = keys.get(unit, sealed["key"])
        try:
            if found is None:
                raise ValueError("key file missing")
            plain = decrypt(found[0], found[1], sealed["value"], _aad(unit, ref, f.name, sealed["key"]))
        except Exception:  # noqa: BLE001 — an altered ciphertext or a lost key: say so, show nothing
            out.append(PersonalValue(f.name, f.label, None, "unreadable"))
            continue
        out.append(PersonalValue(f.name, f.label, plain, "clear"))
    shown = [v.name for v in out if v.state == "clear"]
    if shown and existing is not None:
        existing.reveal(shown, actor.username)
        ctx.ledger.save(existing)
        # Mirrored into the access log (searchable by the audit administrator beside sign-ins and exports); the
        # event stays, as the record of the matter that an auditor of the ledger sees.
        access_log.record(ctx, actor, "personal_read", unit=unit, target=ref, detail={"fields": shown})
    return PersonalView(unit, ref, out)


def shred(ctx: Context, actor: Actor, unit: str, reason: str) -> Shredded:
    """Erase the unit's personal-data key (admins): every value under it becomes unreadable for good; no event
    changes, so figures, roots and seals stay as they were. The next value recorded gets a new key."""
    require_duty(actor, "keys")
    if ctx.ledger.unit(unit) is None:
        raise no_unit(unit)
    if not reason.strip():
        raise Refused("invalid", "原因：销毁密钥须说明原因（如保存期限届满）", field="reason")
    key_record: PersonalKey | None = _get(ctx, personal_key_id(unit))
    if key_record is None or key_record.current is None:
        return Shredded(unit, None, False)
    key_id = key_record.current
    # The log first: once it says erased, nothing is shown under the key even if removing the file fails.
    key_record.shred(key_id, reason.strip(), actor.username)
    ctx.ledger.save(key_record)
    return Shredded(unit, key_id, PersonalKeys(ctx.settings.home).shred(unit, key_id))
