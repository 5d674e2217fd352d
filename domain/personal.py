"""Personal data of an activity (a petitioner's name, ID number, telephone: catalogue.PERSONAL_FIELDS), kept in
the event log only as ciphertext under a key of the unit that lives outside the log (api/infra/keys.py).

Erasing a unit's key (crypto-shredding, for a retention limit) makes every ciphertext under it unreadable and
changes no event, so every figure, Merkle root and seal stays valid. The log records which key each value was
sealed under (`PersonalKey`), when a key was erased and why, and every time someone was shown values in clear
(`PersonalRecord.Revealed`), so who saw a person's data is itself tamper-evident.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from .access import WRITER_ROLES
from .catalogue import PERSONAL_FIELDS, PersonalField
from .errors import DomainError, FieldError
from .ids import NAMESPACE
from .user import User

# Who handles the matter sees the person: the unit's recorders and admins; auditors check the ledger without
# it (个人信息保护法 §6: no more than the purpose needs).
SEES_PERSONAL = WRITER_ROLES

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID = re.compile(r"^\d{17}[\dX]$")
_PHONE = re.compile(r"^\+?[\d\- ]{5,20}$")


def id_number_problem(value: str) -> str | None:
    """GB 11643-1999: 18 characters, the last an ISO 7064 MOD 11-2 check character."""
    if not _ID.match(value):
        return "须为 18 位（前 17 位数字，末位数字或 X）"
    total = sum(int(c) * w for c, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    if "10X98765432"[total % 11] != value[17]:
        return "校验位不符（GB 11643-1999），请核对"
    return None


def _problem(f: PersonalField, value: str) -> str | None:
    try:
        value.encode()
    except UnicodeEncodeError:
        return "含有无法识别的字符（不是有效的 UTF-8 文本）"
    if f.check == "name":
        return None if 0 < len(value) <= 50 else "须为 1–50 个字符"
    if f.check == "id_number":
        return id_number_problem(value)
    return None if _PHONE.match(value) else "须为 5–20 位数字（可含 +、- 和空格）"


def check(kind: str, values: dict[str, str | None]) -> dict[str, str | None]:
    """The values with names of the kind's personal fields, trimmed (ID numbers upper-cased); None clears a
    field. Every problem is reported at once, each naming its field."""
    fields = {f.name: f for f in PERSONAL_FIELDS.get(kind, ())}
    if not fields:
        raise DomainError.of("kind", f"类别：「{kind}」没有个人信息字段")
    errors, out = [], {}
    known = "、".join(f"{k}（{v.label}）" for k, v in fields.items())
    for name, raw in values.items():
        f = fields.get(name)
        if f is None:
            errors.append(FieldError(name, f"未知字段，可选：{known}"))
            continue
        if raw is None:
            out[name] = None
            continue
        value = raw.strip().upper() if f.check == "id_number" else raw.strip()
        problem = _problem(f, value)
        if problem:
            errors.append(FieldError(name, f"{f.label}：{problem}"))
        else:
            out[name] = value
    if errors:
        raise DomainError(*errors)
    return out


def may_see_personal(user: User, unit: str, covers: bool) -> bool:
    """Whether `user` (who `covers` the unit) is shown the unit's personal data in clear."""
    return not user.disabled and user.role in SEES_PERSONAL and covers


def personal_record_id(unit: str, ref: str) -> UUID:
    return uuid5(NAMESPACE, f"personal/{unit}/{ref}")


def personal_key_id(unit: str) -> UUID:
    return uuid5(NAMESPACE, f"personal-key/{unit}")


class PersonalRecord(Aggregate):
    """An activity's personal fields, each as ciphertext (base64 of nonce ‖ ciphertext ‖ tag) with its key id."""

    @event("Recorded")
    def __init__(self, unit: str, ref: str, sealed: dict[str, Any], recorded_by: str) -> None:
        self.unit = unit
        self.ref = ref
        self.fields: dict[str, Any] = {}
        self._apply(sealed)

    @staticmethod
    def create_id(unit: str, ref: str) -> UUID:
        return personal_record_id(unit, ref)

    def _apply(self, sealed: dict[str, Any]) -> None:
        for name, value in sealed.items():
            if value is None:
                self.fields.pop(name, None)
            else:
                self.fields[name] = value

    @event("Changed")
    def change(self, sealed: dict[str, Any], recorded_by: str) -> None:
        self._apply(sealed)

    @event("Revealed")
    def reveal(self, names: list[str], recorded_by: str) -> None:
        """Someone was shown these fields in clear (a read, recorded)."""


class PersonalKey(Aggregate):
    """The unit's personal-data keys as the log knows them: ids and ciphers, never key material."""

    @event("Issued")
    def __init__(self, unit: str, key: str, cipher: str, recorded_by: str) -> None:
        self.unit = unit
        self.current: str | None = key
        self.shredded: dict[str, str] = {}  # key id -> reason

    @staticmethod
    def create_id(unit: str) -> UUID:
        return personal_key_id(unit)

    @event("Reissued")
    def reissue(self, key: str, cipher: str, recorded_by: str) -> None:
        self.current = key

    @event("Shredded")
    def shred(self, key: str, reason: str, recorded_by: str) -> None:
        self.shredded[key] = reason
        if self.current == key:
            self.current = None
