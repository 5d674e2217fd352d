"""The page 登录策略 (`/policy`): the security administrator (and an admin, who holds every duty) chooses the
roles that must use a second factor, sees every account's sign-in state, removes a lost second factor and ends
a lockout, through the same use cases as `taizhang sign-in`; every other role is refused, the system and
audit administrators included (三员分立)."""

from __future__ import annotations

import json

import pytest
from webkit import PASSWORD, Web
from webpages_kit import Browser, error_beside

from api.infra.access_log import AccessLogFile
from api.infra.passwords import hash_password
from api.services import access_log, sign_in
from api.web.context import context


@pytest.fixture
def admins(web: Web) -> Web:
    for name, role in (("sa", "sysadmin"), ("se", "secadmin"), ("aa", "auditadmin")):
        web.server.ledger.register_user(name, name, role, [], hash_password(PASSWORD), "setup")
        web.server.ledger.set_password(name, hash_password(PASSWORD), False, "setup")
    web.server.forget()
    return web


@pytest.mark.parametrize("username", ["rec-north", "aud-city", "sa", "aa"])
def test_only_those_holding_the_duty_open_the_page(admins: Web, username: str) -> None:
    b = Browser(admins, username)
    assert b.get("/policy").status_code == 403
    assert 'href="/policy"' not in b.get("/").text
    assert b.post("/policy", {"roles": "auditor"}).status_code == 403
    assert sign_in.policy(context(admins.server)).second_factor_roles == []


@pytest.mark.parametrize("username", ["se", "admin"])
def test_the_security_administrator_sets_the_roles_that_need_a_second_factor(admins: Web, username: str) -> None:
    b = Browser(admins, username)
    page = b.get("/policy")
    assert page.status_code == 200 and 'href="/policy"' in page.text and "须使用两步验证的角色" in page.text
    done = b.post("/policy", {"roles": ["auditor", "recorder"]}, follow_redirects=True)
    assert "已保存登录策略。" in done.text
    assert sign_in.policy(context(admins.server)).second_factor_roles == ["auditor", "recorder"]
    assert 'value="auditor" checked' in done.text and 'value="admin" checked' not in done.text
    assert "须开通，尚未开通" in done.text  # rec-north and the auditors have none yet
    changed = AccessLogFile(admins.server.settings.home).entries("action = ?", ("policy_changed",))
    assert changed and changed[-1].actor == username
    assert json.loads(changed[-1].detail)["after"] == ["auditor", "recorder"]

    # An unknown role is refused beside the choices, naming the field; the policy stays as it was.
    bad = b.post("/policy", {"roles": ["auditor", "boss"]})
    assert bad.status_code == 422 and "boss" in error_beside(bad.text, "roles")
    assert 'value="auditor" checked' in bad.text  # what was chosen is kept
    assert sign_in.policy(context(admins.server)).second_factor_roles == ["auditor", "recorder"]


def test_a_lost_second_factor_is_removed_and_a_lockout_ended(admins: Web) -> None:
    ctx = context(admins.server)
    rec = admins.server.ledger.user("rec-north")
    assert rec is not None
    sign_in.enroll(ctx, rec)
    for _ in range(admins.server.settings.lockout_failures):  # failed sign-ins, as the sign-in records them
        access_log.record(ctx, None, "sign_in_failed", outcome="refused", username="aud-south")
    assert sign_in.locked_until(ctx, "aud-south") is not None
    b = Browser(admins, "se")
    page = b.get("/policy").text
    assert "取消 rec-north 的两步验证" in page and "解除 aud-south 的锁定" in page
    assert "取消 aud-south 的两步验证" not in page and "解除 rec-north 的锁定" not in page

    removed = b.post("/policy/remove", {"username": "rec-north"}, follow_redirects=True)
    assert "已取消该用户的两步验证。" in removed.text
    admins.server.forget()
    assert getattr(admins.server.ledger.user("rec-north"), "second_factor", None) is None
    unlocked = b.post("/policy/unlock", {"username": "aud-south"}, follow_redirects=True)
    assert "已解除该账号的锁定。" in unlocked.text
    assert sign_in.locked_until(ctx, "aud-south") is None
    assert "解除 aud-south 的锁定" not in unlocked.text
