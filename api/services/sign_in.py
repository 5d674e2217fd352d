"""The sign-in policy (等保 2.0 GB/T 22239-2019 8.1.4.1 身份鉴别): a second factor (TOTP, RFC 6238, with
one-time recovery codes) that the security administrator requires per role, lockout after repeated failed
sign-ins, and the idle-session timeout (enforced by the web, api/web/page_two_factor.py).

Lockout is counted from the access log (api/services/access_log.py), the one record of sign-ins every process
shares: an account whose last TAIZHANG_LOCKOUT_FAILURES sign-ins all failed, the latest less than
TAIZHANG_LOCKOUT_MINUTES ago, is locked until then, or until an administrator unlocks it. It is a lock on the
name, so it holds whatever address the guesses come from (the web's throttle, api/web/throttle.py, slows
each address as well).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from eventsourcing.application import AggregateNotFoundError

from domain.errors import DomainError
from domain.sign_in import SignInPolicy, check_roles, sign_in_policy_id
from domain.user import User, user_id

from ..infra import totp
from ..infra.access_log import AccessLogFile
from . import access_log
from .access import require_duty
from .context import Actor, Context
from .refusals import Refused, invalid

RECOVERY_CODES = 10


@dataclass(frozen=True)
class Enrolment:
    username: str
    secret: str  # shown once, to type into an authenticator app
    uri: str  # otpauth://, the same as a QR code
    recovery_codes: list[str]  # shown once; each works once instead of a code


@dataclass(frozen=True)
class Policy:
    second_factor_roles: list[str]
    lockout_failures: int  # 0: never locked
    lockout_minutes: int
    idle_minutes: int


@dataclass(frozen=True)
class Account:
    """One account as the security administrator sees its sign-in: second factor set up, needed, locked."""

    username: str
    display_name: str
    role: str
    enrolled: bool
    required: bool  # its role must use a second factor (the policy)
    locked_until: datetime | None


def policy(ctx: Context) -> Policy:
    try:
        found: SignInPolicy | None = ctx.ledger.repository.get(sign_in_policy_id())
    except AggregateNotFoundError:
        found = None
    s = ctx.settings
    roles = list(found.second_factor_roles) if found is not None else []
    return Policy(roles, s.lockout_failures, s.lockout_minutes, s.idle_minutes)


def set_policy(ctx: Context, actor: Actor, second_factor_roles: list[str]) -> Policy:
    """Which roles must sign in with a second factor (security administrators)."""
    require_duty(actor, "sign_in_policy")
    try:
        roles = check_roles(second_factor_roles)
    except DomainError as e:
        raise invalid(e) from None
    try:
        found: SignInPolicy = ctx.ledger.repository.get(sign_in_policy_id())
        before = list(found.second_factor_roles)
        found.change(roles, actor.username)
    except AggregateNotFoundError:
        before, found = [], SignInPolicy(roles, actor.username)
    ctx.ledger.save(found)
    access_log.record(ctx, actor, "policy_changed", target="second_factor_roles",
                      detail={"before": before, "after": roles})  # fmt: skip
    return policy(ctx)


def accounts(ctx: Context, actor: Actor) -> list[Account]:
    """Every account's sign-in state (security administrators: the sign-in policy's page)."""
    require_duty(actor, "sign_in_policy")
    roles = policy(ctx).second_factor_roles
    return [
        Account(
            u.username,
            u.display_name,
            u.role,
            getattr(u, "second_factor", None) is not None,
            u.role in roles,
            locked_until(ctx, u.username),
        )
        for u in ctx.ledger.users()
    ]


def _user(ctx: Context, username: str) -> User:
    try:
        return ctx.ledger.repository.get(user_id(username))  # type: ignore[no-any-return]
    except AggregateNotFoundError:
        raise Refused("not_found", f"没有用户「{username}」", field="username") from None


def _digest(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").replace(" ", "").lower().encode()).hexdigest()


def enroll(ctx: Context, actor: Actor, username: str | None = None) -> Enrolment:
    """A new TOTP secret and recovery codes for the actor, or (security administrators) for another user, to
    hand over like a one-time password. Any earlier secret and codes stop working."""
    name = username or actor.username
    if name != actor.username:
        require_duty(actor, "sign_in_policy")
    user = _user(ctx, name)
    secret = totp.TotpSecrets(ctx.settings.home).issue(name)
    codes = [f"{secrets.token_hex(2)}-{secrets.token_hex(2)}-{secrets.token_hex(2)}" for _ in range(RECOVERY_CODES)]
    user.enroll_second_factor(totp.fingerprint(secret), [_digest(c) for c in codes], actor.username)
    ctx.ledger.save(user)
    ctx.forget()
    access_log.record(ctx, actor, "totp_enrolled", target=name)
    return Enrolment(name, secret, totp.uri(secret, name), codes)


def remove(ctx: Context, actor: Actor, username: str) -> None:
    """Remove a user's second factor (security administrators: a lost phone and lost codes)."""
    require_duty(actor, "sign_in_policy")
    user = _user(ctx, username)
    user.remove_second_factor(actor.username)
    ctx.ledger.save(user)
    totp.TotpSecrets(ctx.settings.home).remove(username)
    ctx.forget()
    access_log.record(ctx, actor, "policy_changed", target=username, detail={"second_factor": "removed"})


def required(ctx: Context, user: User) -> bool:
    return user.role in policy(ctx).second_factor_roles


def check_second_factor(ctx: Context, user: User, code: str | None, now: float | None = None) -> str | None:
    """None when the user may go on; otherwise why not (said to the person signing in). A recovery code is
    used up by this call."""
    enrolled = getattr(user, "second_factor", None)
    if enrolled is None:
        if required(ctx, user):
            return "您的角色须使用两步验证登录，尚未开通：请联系安全管理员开通"
        return None
    if not code or not code.strip():
        return "请输入两步验证码（手机验证器上的 6 位数字，或一个恢复码）"
    code = code.strip()
    secret = totp.TotpSecrets(ctx.settings.home).get(user.username)
    at = time.time() if now is None else now
    if code.isdigit() and len(code) == totp.DIGITS:
        if secret is not None and totp.fingerprint(secret) == enrolled and totp.verify(secret, code, at):
            return None
        return "两步验证码不正确或已过期"
    digest = _digest(code)
    fresh = _user(ctx, user.username)
    match = next((c for c in fresh.recovery_codes if hmac.compare_digest(c, digest)), None)
    if match is None:
        return "恢复码不正确或已用过"
    fresh.use_recovery_code(match, user.username)
    ctx.ledger.save(fresh)
    ctx.forget()
    return None


def locked_until(ctx: Context, username: str, now: datetime | None = None) -> datetime | None:
    """When the account's lockout ends, or None when it is not locked."""
    s = ctx.settings
    if s.lockout_failures <= 0:
        return None
    recent = AccessLogFile(s.home).recent(username, ("sign_in", "sign_in_failed"), s.lockout_failures)
    if len(recent) < s.lockout_failures or any(e.action != "sign_in_failed" for e in recent):
        return None
    until = datetime.fromisoformat(recent[0].at) + timedelta(minutes=s.lockout_minutes)
    return until if until > (now or datetime.now(UTC)) else None


def unlock(ctx: Context, actor: Actor, username: str) -> None:
    """End an account's lockout before its time (system or security administrators)."""
    from domain.access import may

    if not (may(actor, "users") or may(actor, "sign_in_policy")):  # type: ignore[arg-type]
        require_duty(actor, "sign_in_policy")
    _user(ctx, username)
    access_log.record(ctx, actor, "account_unlocked", target=username)
