"""The user (用户) aggregate: who may record or read which units' ledgers.

Passwords and tokens are stored only as hashes (argon2 for passwords, SHA-256 for random tokens), which the
caller computes: the domain knows nothing of hashing libraries. Every change names who made it.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Literal
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from .errors import DomainError, FieldError
from .ids import NAMESPACE

Role = Literal["recorder", "auditor", "admin", "sysadmin", "secadmin", "auditadmin"]
# The work roles (recorder, auditor) keep and check ledgers; the three administrators of 三员分立 (GB/T
# 22239-2019 8.1.4.2 / 8.1.10.x: system, security and audit administrators) each do one share of
# administration and read no ledger; `admin` holds every share for a small unit with one person (the mapping
# of duties to roles is domain/access.py DUTIES).
ROLES: dict[str, str] = {
    "recorder": "录入员",
    "auditor": "审计/监督",
    "admin": "管理员",
    "sysadmin": "系统管理员",
    "secadmin": "安全管理员",
    "auditadmin": "审计管理员",
}
# Roles that need no units: they administer (admin also reads every ledger; the three administrators none).
UNITLESS_ROLES = ("admin", "sysadmin", "secadmin", "auditadmin")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,31}$")
# Tokens issued before tokens had an expiry: this many days from the account's last change before the token
# was issued (the issue's own time is not known to the aggregate; the earlier moment only makes it sooner).
LEGACY_TOKEN_DAYS = 90


# An e-mail address as a mail server accepts it in practice (RFC 5321 §4.5.3.1: 64 octets of local part, 254 in
# all): a dot-atom local part, a domain of at least two labels; no display name, no spaces, no quoting.
EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
EMAIL_MESSAGE = "电子邮箱：须为 name@example.gov.cn 这样的地址（不超过 254 个字符）"


def check_email(value: str | None) -> str | None:
    """The address to record (trimmed, its domain in lower case), or None to clear it (empty)."""
    text = (value or "").strip()
    if not text:
        return None
    local, _, domain = text.rpartition("@")
    if len(text) > 254 or len(local) > 64 or not EMAIL.match(text):
        raise DomainError.of("email", f"{EMAIL_MESSAGE}，收到「{text[:80]}」")
    return f"{local}@{domain.lower()}"


def user_id(username: str) -> UUID:
    return uuid5(NAMESPACE, f"user/{username}")


def check_user(username: str, role: str, units: list[str]) -> None:
    errors = []
    if not USERNAME.match(username):
        errors.append(("username", "用户名：2–32 位小写字母、数字或 _ . -，以字母或数字开头"))
    if role not in ROLES:
        errors.append(("role", f"角色：须为 {'、'.join(f'{k}（{v}）' for k, v in ROLES.items())} 之一"))
    if role not in UNITLESS_ROLES and not units:
        errors.append(("units", "负责单位：录入员和审计人员至少要有一个负责单位"))
    if errors:
        raise DomainError(*(FieldError(f, m) for f, m in errors))


class User(Aggregate):
    @event("Registered")
    def __init__(
        self, username: str, display_name: str, role: str, units: list[str], password_hash: str, recorded_by: str
    ) -> None:
        self.username = username
        self.display_name = display_name
        self.role = role
        self.units = list(units)
        self.password_hash = password_hash
        self.password_version = 1
        self.must_change_password = True
        self.disabled = False
        self.tokens: dict[str, str] = {}  # sha256 of token -> label
        self.token_expiry: dict[str, str] = {}  # sha256 of token -> ISO instant it stops working
        self.ended_sessions: dict[str, float] = {}  # signed-out session id -> when it would have expired

    @staticmethod
    def create_id(username: str) -> UUID:
        return user_id(username)

    @classmethod
    def register(
        cls, username: str, display_name: str, role: str, units: list[str], password_hash: str, by: str
    ) -> User:
        check_user(username, role, units)
        return cls(username, display_name.strip() or username, role, sorted(set(units)), password_hash, by)

    @event("AccessChanged")
    def _change_access(self, role: str, units: list[str], display_name: str, disabled: bool, recorded_by: str) -> None:
        self.role = role
        self.units = list(units)
        self.display_name = display_name
        self.disabled = disabled
        if disabled:
            self.password_version += 1  # ends every open session

    def change_access(self, role: str, units: list[str], display_name: str, disabled: bool, by: str) -> None:
        check_user(self.username, role, units)
        self._change_access(role, sorted(set(units)), display_name.strip() or self.username, disabled, by)

    @event("PasswordSet")
    def set_password(self, password_hash: str, temporary: bool, recorded_by: str) -> None:
        self.password_hash = password_hash
        self.password_version += 1
        self.must_change_password = temporary

    @event("TokenIssued")
    def issue_token(self, token_sha256: str, label: str, recorded_by: str, expires_at: str | None = None) -> None:
        self.tokens[token_sha256] = label
        if expires_at is None:  # issued before tokens expired (see LEGACY_TOKEN_DAYS)
            expires_at = (self.modified_on + timedelta(days=LEGACY_TOKEN_DAYS)).isoformat()
        self.token_expiry[token_sha256] = expires_at

    @event("TokenRevoked")
    def revoke_token(self, token_sha256: str, recorded_by: str) -> None:
        self.tokens.pop(token_sha256, None)
        self.token_expiry.pop(token_sha256, None)

    @event("SignedOut")
    def end_session(self, session_id: str, expires: float, now: float, recorded_by: str) -> None:
        """A signed-out session stays refused until it would have expired anyway; only those are kept."""
        self.ended_sessions = {s: t for s, t in self.ended_sessions.items() if t > now}
        self.ended_sessions[session_id] = expires

    def set_email(self, email: str | None, by: str) -> bool:
        """Record (or, with None or empty, clear) the address reminders are sent to; False when unchanged."""
        address = check_email(email)
        if address == self.email:
            return False
        self._email_set(address, by)
        return True

    @event("EmailSet")
    def _email_set(self, email: str | None, recorded_by: str) -> None:
        self.email = email

    # ---- the second factor (TOTP, RFC 6238; api/services/sign_in.py). The shared secret is kept outside the
    # event store (api/infra/keys.py TotpSecrets); the log names it by fingerprint and holds the recovery codes
    # only as SHA-256 digests, each usable once. ----

    @event("SecondFactorEnrolled")
    def enroll_second_factor(self, fingerprint: str, recovery_sha256: list[str], recorded_by: str) -> None:
        self.second_factor = fingerprint
        self.recovery_codes = list(recovery_sha256)

    @event("RecoveryCodeUsed")
    def use_recovery_code(self, code_sha256: str, recorded_by: str) -> None:
        self.recovery_codes = [c for c in self.recovery_codes if c != code_sha256]

    @event("SecondFactorRemoved")
    def remove_second_factor(self, recorded_by: str) -> None:
        self.second_factor = None
        self.recovery_codes = []


# Users registered before the second factor existed have neither attribute from their events.
User.second_factor = None  # type: ignore[attr-defined]
User.recovery_codes = []  # type: ignore[attr-defined]
# Users registered before e-mail addresses existed (and those never given one): reminders go to the address
# api/infra/mail.py derives from the user name.
User.email = None  # type: ignore[attr-defined]
