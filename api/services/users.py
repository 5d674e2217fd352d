"""Users of the ledger: signing in, passwords, bearer tokens, access (role, units, disabled), the first admin."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from domain.errors import DomainError
from domain.user import User

from ..infra.passwords import check_password, hash_password, new_password, new_token, password_problem
from . import access_log
from .access import require_duty
from .context import Actor, Context
from .refusals import Refused, invalid

BOOTSTRAP_ADMIN = "admin"
SETUP_USER = "taizhang-setup"  # who the first start's admin is recorded by


class Throttle(Protocol):
    """Slows down guessing: wait() seconds before the next try of any of the keys (see api/web/throttle.py)."""

    def wait(self, *keys: str) -> float: ...
    def failed(self, *keys: str) -> None: ...
    def succeeded(self, *keys: str) -> None: ...


def _hash(ctx: Context, password: str) -> str:
    """A password's stored form under the ledger's suite and the settings' work factors."""
    return hash_password(password, ctx.ledger.suite(), ctx.settings.password_cost)


def ensure_admin(ctx: Context) -> str | None:
    """On first start (no users yet) create `admin` with a one-time password; returns it, or None."""
    if ctx.ledger.users():
        return None
    password = new_password()
    ctx.ledger.register_user(
        BOOTSTRAP_ADMIN, "管理员", "admin", [], _hash(ctx, password), SETUP_USER
    )
    ctx.forget()
    return password


def password_from_console(ctx: Context, user: User) -> bool:
    """Whether the user's password is still the one `taizhang serve` printed on the console at first start (the
    first admin, never given another): the first sign-in then speaks of the console, not of an administrator."""
    from domain.user import user_id

    if user.password_version != 1:
        return False
    first = next(iter(ctx.ledger.events.get(user_id(user.username), limit=1)), None)
    return first is not None and getattr(first, "recorded_by", None) == SETUP_USER


async def sign_in(
    ctx: Context, throttle: Throttle, client: str, username: str, password: str, code: str | None = None
) -> User:
    """Check a password, and the second factor (`code`) where the user has one or the policy requires it
    (api/services/sign_in.py); repeated failures for a name or an address make the next try wait longer, and
    lock the name after TAIZHANG_LOCKOUT_FAILURES. Every try is recorded in the access log."""
    from . import sign_in as policy

    name = username.strip().lower()
    keys = (f"user:{name}", f"addr:{client}")
    wait = throttle.wait(*keys)
    if wait > 0:
        raise Refused("throttled", f"登录失败次数过多，请 {int(wait) + 1} 秒后再试")
    locked = policy.locked_until(ctx, name) if name else None
    if locked is not None:
        access_log.record(ctx, None, "sign_in_failed", outcome="refused", username=name, detail={"why": "locked"})
        local = locked.astimezone().strftime("%H:%M")
        raise Refused("throttled", f"登录失败次数过多，账号已锁定至 {local}；可请管理员提前解锁")
    user = ctx.ledger.user(name) if name else None
    ok = await asyncio.to_thread(check_password, user, password, ctx.ledger.suite(), ctx.settings.password_cost)
    if not ok or user is None or user.disabled:
        throttle.failed(*keys)
        why = "no such user" if user is None else ("disabled" if user.disabled else "wrong password")
        access_log.record(ctx, None, "sign_in_failed", outcome="refused", username=name or "-", detail={"why": why})
        raise Refused("unauthenticated", "用户名或密码不正确")
    second = policy.check_second_factor(ctx, user, code)
    if second is not None:
        asking = not code and getattr(user, "second_factor", None) is not None
        if not asking:  # a wrong code, or a required factor never enrolled, is a failure; asking for one is not
            if code:
                throttle.failed(*keys)
            access_log.record(ctx, None, "sign_in_failed", outcome="refused", username=name,
                              detail={"why": "second factor" if code else "second factor not enrolled"})  # fmt: skip
        raise Refused("unauthenticated", second, field="code")
    throttle.succeeded(*keys)
    access_log.record(ctx, user, "sign_in")
    return user


def change_own_password(ctx: Context, actor: User, current: str, new: str) -> None:
    if not check_password(actor, current, ctx.ledger.suite(), ctx.settings.password_cost):
        raise Refused("invalid", "当前密码不正确", [{"line": None, "field": "current", "message": "当前密码：不正确"}])
    problem = password_problem(new, actor.username)
    if problem:
        raise Refused("invalid", problem, [{"line": None, "field": "new", "message": problem}])
    ctx.ledger.set_password(actor.username, _hash(ctx, new), False, actor.username)
    ctx.forget()


def user_json(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "units": user.units,
        "disabled": user.disabled,
        "email": user.email,
    }


def users(ctx: Context, actor: Actor) -> list[User]:
    """Every user (those who manage accounts or roles)."""
    from domain.access import may

    if not (may(actor, "users") or may(actor, "roles")):  # type: ignore[arg-type]
        require_duty(actor, "users")
    return ctx.ledger.users()


def create_user(
    ctx: Context,
    actor: Actor,
    username: str,
    display_name: str,
    role: str,
    units: list[str],
    email: str | None = None,
) -> str:
    """Register a user with a one-time password (returned, to hand over; it must be changed at first login).
    A system administrator creates accounts with a work role (domain/access.py WORK_ROLES); an account with an
    administrator role is a grant of that role, the security administrator's. `email`: where reminders go
    (api/infra/mail.py `address_of`)."""
    from domain.access import WORK_ROLES

    require_duty(actor, "users" if role in WORK_ROLES else "roles")
    password = new_password()
    try:
        ctx.ledger.register_user(
            username, display_name, role, units, _hash(ctx, password), actor.username, email
        )
    except DomainError as e:
        raise invalid(e) from None
    ctx.forget()
    access_log.record(ctx, actor, "user_created", target=username, detail={"role": role, "units": sorted(units)})
    return password


def no_user(username: str) -> Refused:
    return Refused("not_found", f"没有用户「{username}」", field="username")


def change_user(ctx: Context, actor: Actor, username: str, changes: dict[str, Any]) -> User:
    """Change a user's units, name, e-mail address or enabled state (system administrators) and role (security
    administrators). `email` "" clears the address (reminders then go to the one derived from the name)."""
    user = ctx.ledger.user(username)
    role_changes = changes.get("role") is not None and changes["role"] != user.role if user is not None else False
    other = any(
        changes.get(k) is not None and (user is None or changes[k] != getattr(user, k))
        for k in ("units", "display_name", "disabled")
    )
    email = changes.get("email")
    other = other or (email is not None and (user is None or (email.strip() or None) != user.email))
    if role_changes:
        require_duty(actor, "roles")
    if other or not role_changes:
        require_duty(actor, "users")
    if user is None:
        raise no_user(username)
    before = {"role": user.role, "units": list(user.units), "disabled": user.disabled}
    if email is not None:
        from domain.user import check_email

        try:
            check_email(email)  # before any other change is saved: a bad address changes nothing
        except DomainError as e:
            raise invalid(e) from None
    access_asked = any(changes.get(k) is not None for k in ("role", "units", "display_name", "disabled"))
    try:
        changed = user
        if access_asked or email is None:
            changed = ctx.ledger.change_access(
                username,
                changes.get("role") or user.role,
                changes["units"] if changes.get("units") is not None else user.units,
                changes.get("display_name") or user.display_name,
                changes["disabled"] if changes.get("disabled") is not None else user.disabled,
                actor.username,
            )
        if email is not None:
            changed, _ = ctx.ledger.set_email(username, email, actor.username)
    except DomainError as e:
        raise invalid(e) from None
    ctx.forget()
    after = {"role": changed.role, "units": list(changed.units), "disabled": changed.disabled}
    if after != before or changed.display_name != user.display_name:
        access_log.record(ctx, actor, "user_changed", target=username, detail={"before": before, "after": after})
    return changed


def reset_password(ctx: Context, actor: Actor, username: str) -> str:
    require_duty(actor, "users")
    if ctx.ledger.user(username) is None:
        raise no_user(username)
    password = new_password()
    ctx.ledger.set_password(username, _hash(ctx, password), True, actor.username)
    ctx.forget()
    access_log.record(ctx, actor, "password_reset", target=username)
    return password


def token_expiry(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


def issue_token(ctx: Context, actor: Actor, label: str, username: str | None = None) -> tuple[str, str]:
    """A bearer token for scripts (shown once) and when it expires (TAIZHANG_TOKEN_DAYS from now): the actor's
    own, or (admins) another user's."""
    owner = username or actor.username
    if owner != actor.username:
        require_duty(actor, "users")
    if ctx.ledger.user(owner) is None:
        raise no_user(owner)
    token, digest = new_token(owner)
    expires_at = token_expiry(ctx.settings.token_days)
    try:
        ctx.ledger.issue_token(owner, digest, label, actor.username, expires_at)
    except DomainError as e:
        raise invalid(e) from None
    ctx.forget()
    # A bearer token is a credential like a password: who was given one, by whom, from where (never the token).
    access_log.record(ctx, actor, "token_issued", target=owner, detail={"label": label, "expires_at": expires_at})
    return token, expires_at


def my_tokens(ctx: Context, actor: Actor) -> list[tuple[str, str, datetime]]:
    """(sha256, label, expiry) of each of the actor's tokens, by label."""
    user = ctx.ledger.user(actor.username)
    if user is None:
        return []
    found = [(d, label, datetime.fromisoformat(user.token_expiry[d])) for d, label in user.tokens.items()]
    return sorted(found, key=lambda t: (t[1], t[0]))


def revoke_own_token(ctx: Context, actor: Actor, token_sha256: str) -> None:
    """Revoke one of the actor's own tokens (never another user's): scripts using it are refused at once."""
    user = ctx.ledger.user(actor.username)
    if user is None or token_sha256 not in user.tokens:
        raise Refused("not_found", "没有这个令牌（可能已被撤销）")
    try:
        ctx.ledger.revoke_token(actor.username, token_sha256, actor.username)
    except DomainError as e:
        raise invalid(e) from None
    ctx.forget()
    access_log.record(ctx, actor, "token_revoked", target=actor.username, detail={"sha256": token_sha256[:12]})
