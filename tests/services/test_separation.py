"""三员分立 (api/services + domain/access.py DUTIES): every role × every administrative action, through the
use-cases. The expected matrix is written out here by hand — it is the specification, not derived from the
table under test: the system, security and audit administrators each do only their share, `admin` does all
of it (one person in a small unit), and the work roles none."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from conftest import PASSWORD_COST, services_context, settings_for, unit

from api.infra.passwords import hash_password
from api.services import access_log, personal, reminders, units, users
from api.services.context import Context
from api.services.refusals import Refused

ROLES = ("recorder", "auditor", "admin", "sysadmin", "secadmin", "auditadmin")
_n = count()

# action → the roles that may do it.
EXPECTED: dict[str, set[str]] = {
    "create a recorder": {"admin", "sysadmin"},
    "change a user's units": {"admin", "sysadmin"},
    "disable a user": {"admin", "sysadmin"},
    "reset a password": {"admin", "sysadmin"},
    "register a unit": {"admin", "sysadmin"},
    "queue reminders": {"admin", "sysadmin"},
    "create an administrator": {"admin", "secadmin"},
    "change a user's role": {"admin", "secadmin"},
    "shred a personal-data key": {"admin", "secadmin"},
    "search the access log": {"admin", "auditadmin"},
    "verify the access log": {"admin", "auditadmin"},
    "export the access log": {"admin", "auditadmin"},
}

ACTIONS: dict[str, Callable[[Context, Any], Any]] = {
    "create a recorder": lambda c, a: users.create_user(c, a, f"new{next(_n)}", "新人", "recorder", ["u1"]),
    "change a user's units": lambda c, a: users.change_user(c, a, "target", {"units": ["u1", "u2"]}),
    "disable a user": lambda c, a: users.change_user(c, a, "target", {"disabled": True}),
    "reset a password": lambda c, a: users.reset_password(c, a, "target"),
    "register a unit": lambda c, a: asyncio.run(units.add_unit(c, a, f"n{next(_n)}", "新单位")),
    "queue reminders": lambda c, a: reminders.queue_digests(c, a),
    "create an administrator": lambda c, a: users.create_user(c, a, f"adm{next(_n)}", "新管理员", "sysadmin", []),
    "change a user's role": lambda c, a: users.change_user(c, a, "target", {"role": "auditor"}),
    "shred a personal-data key": lambda c, a: personal.shred(c, a, "u1", "保存期限届满"),
    "search the access log": lambda c, a: access_log.search(c, a, access_log.Query()),
    "verify the access log": lambda c, a: access_log.verify(c, a),
    "export the access log": lambda c, a: access_log.export(c, a, access_log.Query(), "csv"),
}


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[Context]:
    settings = settings_for(tmp_path)
    ledger = settings.ledger()
    assert ledger.apply(list(enumerate([unit("u1", "甲"), unit("u2", "乙")], start=1)), "setup").errors == []
    for role in ROLES:
        stored = hash_password("x" * 12, cost=PASSWORD_COST)
        ledger.register_user(role, role, role, [] if "admin" in role else ["u1"], stored, "setup")
    ledger.register_user("target", "对象", "recorder", ["u1"], hash_password("x" * 12, cost=PASSWORD_COST), "setup")
    yield services_context(settings, ledger)
    ledger.close()


def test_the_matrix_covers_every_role_and_action() -> None:
    from domain.user import ROLES as DECLARED

    assert set(DECLARED) == set(ROLES)
    assert set(EXPECTED) == set(ACTIONS)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_does_exactly_its_share_of_administration(ctx: Context, role: str) -> None:
    done, refused = set(), set()
    for action, call in ACTIONS.items():
        # each action on a fresh target, so one action's effect does not decide the next
        ctx.ledger.change_access("target", "recorder", ["u1"], "对象", False, "setup")
        try:
            call(ctx, ctx.ledger.user(role))
        except Refused as e:
            assert e.kind == "forbidden", (role, action, e.detail)
            refused.add(action)
        else:
            done.add(action)
    assert done == {a for a, who in EXPECTED.items() if role in who}, role
    assert refused == {a for a, who in EXPECTED.items() if role not in who}, role


def test_a_system_administrator_cannot_raise_anyone_to_an_administrator_by_changing_units(ctx: Context) -> None:
    with pytest.raises(Refused) as e:
        users.change_user(ctx, ctx.ledger.user("sysadmin"), "target", {"role": "admin", "units": ["u2"]})
    assert "安全管理员" in e.value.detail
    assert ctx.ledger.user("target").role == "recorder" and ctx.ledger.user("target").units == ["u1"]


def test_the_three_administrators_read_no_ledger(ctx: Context) -> None:
    for role in ("sysadmin", "secadmin", "auditadmin"):
        assert not ctx.may_read(ctx.ledger.user(role), "u1")
        assert not ctx.may_write(ctx.ledger.user(role), "u1")
    assert ctx.may_read(ctx.ledger.user("admin"), "u1")


def test_the_admin_can_be_retired_once_the_three_administrators_hold_its_duties(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    ledger = settings.ledger()
    try:
        ledger.register_user("boss", "boss", "admin", [], hash_password("x" * 12, cost=PASSWORD_COST), "setup")
        ledger.register_user("sa", "sa", "sysadmin", [], hash_password("x" * 12, cost=PASSWORD_COST), "setup")
        with pytest.raises(Exception, match="唯一在用的管理员"):  # nobody would grant roles
            ledger.change_access("boss", "admin", [], "boss", True, "setup")
        ledger.register_user("se", "se", "secadmin", [], hash_password("x" * 12, cost=PASSWORD_COST), "setup")
        ledger.change_access("boss", "admin", [], "boss", True, "setup")  # 三员分立 now in force
        with pytest.raises(Exception, match="唯一在用的管理员"):  # the last security administrator stays
            ledger.change_access("se", "secadmin", [], "se", True, "setup")
    finally:
        ledger.close()
