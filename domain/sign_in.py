"""The sign-in policy (登录策略) the security administrator sets (domain/access.py DUTIES "sign_in_policy"):
which roles must sign in with a second factor (GB/T 22239-2019 8.1.4.1 d: 两种或两种以上组合的鉴别技术).

One aggregate per ledger; each change names who made it. The numbers of the policy that belong to the
installation (failures before lockout, lockout and idle minutes) are settings (api/infra/settings.py)."""

from __future__ import annotations

from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from .errors import DomainError
from .ids import NAMESPACE
from .user import ROLES


def sign_in_policy_id() -> UUID:
    return uuid5(NAMESPACE, "sign-in-policy")


def check_roles(roles: list[str]) -> list[str]:
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise DomainError.of("roles", f"角色：没有「{'、'.join(unknown)}」，可选 {'、'.join(ROLES)}")
    return sorted(set(roles))


class SignInPolicy(Aggregate):
    @event("Set")
    def __init__(self, second_factor_roles: list[str], recorded_by: str) -> None:
        self.second_factor_roles = list(second_factor_roles)

    @staticmethod
    def create_id() -> UUID:
        return sign_in_policy_id()

    @event("Changed")
    def change(self, second_factor_roles: list[str], recorded_by: str) -> None:
        self.second_factor_roles = list(second_factor_roles)
