"""The ledger's users: registering them and changing their access, passwords and tokens."""

from __future__ import annotations

from typing import Any

from .errors import DomainError, unknown_unit
from .user import User, check_email, user_id


class UserDirectory:
    """Mixed into the Ledger application: users are aggregates in the same event store as the ledger."""

    # Provided by the Ledger application this is mixed into.
    recorder: Any
    repository: Any
    _get: Any
    save: Any
    unit: Any
    created_with: Any

    def user(self, username: str) -> User | None:
        return self._get(user_id(username))  # type: ignore[no-any-return]

    def users(self) -> list[User]:
        return sorted(self.created_with(User.Registered), key=lambda u: u.username)

    def _check_units(self, units: list[str]) -> None:
        missing = [u for u in units if self.unit(u) is None]
        if missing:
            raise DomainError.of("units", f"负责单位：{unknown_unit('」「'.join(missing))}")

    def register_user(
        self,
        username: str,
        display_name: str,
        role: str,
        units: list[str],
        password_hash: str,
        by: str,
        email: str | None = None,
    ) -> User:
        if self.user(username) is not None:
            raise DomainError.of("username", f"用户名：「{username}」已被使用")
        self._check_units(units)
        problems = []
        for check in (lambda: User.register(username, display_name, role, units, password_hash, by),
                      lambda: check_email(email)):  # fmt: skip
            try:
                check()
            except DomainError as e:
                problems.extend(e.errors)
        if problems:
            raise DomainError(*problems)  # every field's problem at once
        user = User.register(username, display_name, role, units, password_hash, by)
        user.set_email(email, by)
        self.save(user)
        return user

    def set_email(self, username: str, email: str | None, by: str) -> tuple[User, bool]:
        """The user and whether the address changed (an unchanged one writes nothing)."""
        user = self._existing(username)
        changed = user.set_email(email, by)
        if changed:
            self.save(user)
        return user, changed

    def _existing(self, username: str) -> User:
        user = self.user(username)
        if user is None:
            raise DomainError.of("username", f"用户名：没有用户「{username}」")
        return user

    def change_access(
        self, username: str, role: str, units: list[str], display_name: str, disabled: bool, by: str
    ) -> User:
        user = self._existing(username)
        self._check_units(units)
        if not user.disabled and self._orphaned(username, role, disabled):
            # Nobody could then manage users or units (only the command line on the server could).
            field, what = ("disabled", "停用") if disabled else ("role", "取消管理员角色")
            raise DomainError.of(
                field, f"{'状态' if disabled else '角色'}：「{username}」是唯一在用的管理员，不能{what}"
            )
        user.change_access(role, units, display_name, disabled, by)
        self.save(user)
        return user

    def _orphaned(self, username: str, role: str, disabled: bool) -> list[str]:
        """The duties of managing accounts, units and roles (domain/access.py DUTIES) that someone active holds
        now and no one would after the change: an admin, or under 三员分立 the last system or security
        administrator, stays."""
        from .access import DUTIES

        kept = ("users", "units", "roles")
        others = [u.role for u in self.users() if not u.disabled and u.username != username]
        before = [*others, self._existing(username).role]
        after = others if disabled else [*others, role]
        return [d for d in kept if any(r in DUTIES[d] for r in before) and not any(r in DUTIES[d] for r in after)]

    def set_password(self, username: str, password_hash: str, temporary: bool, by: str) -> User:
        user = self._existing(username)
        user.set_password(password_hash, temporary, by)
        self.save(user)
        return user

    def issue_token(self, username: str, token_sha256: str, label: str, by: str, expires_at: str | None = None) -> User:
        user = self._existing(username)
        user.issue_token(token_sha256, label, by, expires_at)
        self.save(user)
        return user

    def end_session(self, username: str, session_id: str, expires: float, now: float) -> User:
        """Sign-out: the session's cookie is refused from now on, by every worker."""
        user = self._existing(username)
        user.end_session(session_id, expires, now, username)
        self.save(user)
        return user

    def revoke_token(self, username: str, token_sha256: str, by: str) -> User:
        user = self._existing(username)
        if token_sha256 not in user.tokens:
            raise DomainError.of("token", "令牌：没有这个令牌")
        user.revoke_token(token_sha256, by)
        self.save(user)
        return user
