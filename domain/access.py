"""Who may read or write which unit's ledger (a user's units cover their descendants)."""

from __future__ import annotations

from collections.abc import Callable, Collection

from .user import User

ParentOf = Callable[[str], str | None]
# The roles (domain/user.py ROLES) that may record in the ledgers they cover, and that may audit the whole log.
WRITER_ROLES = ("recorder", "admin")
AUDITOR_ROLES = ("auditor", "admin")

# The three administrators of 三员分立 (GB/T 22239-2019 level 3), each holding one part of what `admin` holds.
SEPARATE_ADMINS = ("sysadmin", "secadmin", "auditadmin")

# 三员分立 (separation of the three administrators, GB/T 22239-2019 level 3: 8.1.4.2 c and 8.1.10.2–4):
# each administrative duty → the roles that may do it. `admin` holds every duty (a small unit where one person
# administers); the three administrators hold disjoint shares, so none can do another's work:
#   sysadmin (系统管理员): accounts (create with a work role, units, names, enable/disable, password reset), the
#                         unit tree, and the ledger's settings (report settings, reminders);
#   secadmin (安全管理员): roles (changing any user's role, granting an administrator role), keys (seal keys,
#                         personal-data keys and their shredding) and the sign-in policy (second factor);
#   auditadmin (审计管理员): the access log (search, export, verify, prune after retention).
DUTIES: dict[str, tuple[str, ...]] = {
    "users": ("sysadmin", "admin"),
    "units": ("sysadmin", "admin"),
    "settings": ("sysadmin", "admin"),
    "roles": ("secadmin", "admin"),
    "keys": ("secadmin", "admin"),
    "sign_in_policy": ("secadmin", "admin"),
    "access_log": ("auditadmin", "admin"),
}
DUTY_LABELS: dict[str, str] = {
    "users": "用户账号",
    "units": "单位",
    "settings": "台账设置",
    "roles": "角色授权",
    "keys": "密钥",
    "sign_in_policy": "登录策略",
    "access_log": "访问日志",
}
# The roles a system administrator may give a new account: work roles only (raising anyone to an
# administrator, or changing a role later, is the security administrator's).
WORK_ROLES = ("recorder", "auditor")


def covers(user: User, unit: str, parent_of: ParentOf) -> bool:
    """True when the unit is one of the user's units or lies under one of them."""
    return user.role == "admin" or within(unit, user.units, parent_of)


def within(unit: str, ancestors: Collection[str], parent_of: ParentOf) -> bool:
    """True when the unit is one of `ancestors` or lies under one of them (a cycle in the tree ends the walk)."""
    seen: set[str] = set()
    code: str | None = unit
    while code is not None and code not in seen:
        if code in ancestors:
            return True
        seen.add(code)
        code = parent_of(code)
    return False


def may(user: User, duty: str) -> bool:
    """Whether the user may do the administrative duty (DUTIES)."""
    return not user.disabled and user.role in DUTIES[duty]


def may_read_access_log(user: User) -> bool:
    return may(user, "access_log")


def may_read(user: User, unit: str, parent_of: ParentOf) -> bool:
    return not user.disabled and covers(user, unit, parent_of)


def may_write(user: User, unit: str, parent_of: ParentOf) -> bool:
    return not user.disabled and user.role in WRITER_ROLES and covers(user, unit, parent_of)


def may_audit(user: User) -> bool:
    """History of the whole log, verification and seals listing: auditors and admins."""
    return not user.disabled and user.role in AUDITOR_ROLES


def may_submit(user: User, unit: str, parent_of: ParentOf) -> bool:
    """Submitting a unit's annual report upward (报送, domain/filing.py): the unit's admins. A recorder keeps
    the ledger, an admin signs off on it: the same person who seals the year sends it."""
    return not user.disabled and user.role == "admin" and covers(user, unit, parent_of)


def may_declare(user: User, unit: str, parent_of: ParentOf) -> bool:
    """Declaring, redeclaring or retiring a figure of the unit's own (DOMAIN §8, a `figure` line): the unit's
    admins (issue 11: "a page where a unit's admin declares, edits and retires a figure"). A declaration is no
    record of what happened but a definition every report of the unit and of all its descendants then shows
    (§8.6), so it is an admin's decision like submitting the year, not a recorder's entry."""
    return not user.disabled and user.role == "admin" and covers(user, unit, parent_of)


def may_review(user: User, unit: str, parent_of: ParentOf) -> bool:
    """Returning, approving or reopening a unit's report: an auditor or admin of one of its ancestors (a unit
    never reviews its own report; a root unit's report goes outside this ledger)."""
    parent = parent_of(unit)
    return not user.disabled and user.role in AUDITOR_ROLES and parent is not None and covers(user, parent, parent_of)
