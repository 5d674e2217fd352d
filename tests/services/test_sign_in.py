"""The sign-in policy (api/services/sign_in.py): TOTP (checked against RFC 6238's test vectors) with recovery
codes, required per role by the security administrator; lockout after repeated failures; all with a fixed
clock where time matters."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
import pytest
from conftest import PASSWORD_COST, services_context, settings_for, unit
from pgstore import stored_events

from api.infra import totp
from api.infra.passwords import hash_password
from api.services import access_log, sign_in, users
from api.services.context import Context
from api.services.refusals import Refused
from api.web.throttle import Throttle

PASSWORD = "correct horse 9"
T0 = 1_900_000_000.0  # a fixed clock (2030-03-17)


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[Context]:
    settings = settings_for(tmp_path)
    ledger = settings.ledger()
    assert ledger.apply([(1, unit("u1", "甲"))], "setup").errors == []
    for name, role, units_ in [("sec", "secadmin", []), ("sys", "sysadmin", []), ("rec", "recorder", ["u1"]),
                               ("audit", "auditadmin", [])]:  # fmt: skip
        ledger.register_user(name, name, role, units_, hash_password(PASSWORD, cost=PASSWORD_COST), "setup")
    yield services_context(settings, ledger)
    ledger.close()


def user(ctx: Context, name: str):  # noqa: ANN201
    return ctx.ledger.user(name)


@pytest.mark.parametrize(
    "at, expected",
    [(59, "94287082"), (1111111109, "07081804"), (1111111111, "14050471"), (1234567890, "89005924"),
     (2000000000, "69279037"), (20000000000, "65353130")],
)  # fmt: skip
def test_the_totp_library_gives_rfc_6238_appendix_b_codes(at: int, expected: str) -> None:
    import base64

    secret = base64.b32encode(b"12345678901234567890").decode()  # RFC 6238 Appendix B, SHA-1 seed
    assert pyotp.TOTP(secret, digits=8, interval=30).at(at) == expected


def test_an_enrolled_user_needs_the_current_code_or_an_unused_recovery_code(ctx: Context) -> None:
    got = sign_in.enroll(ctx, user(ctx, "rec"))
    assert got.uri.startswith("otpauth://totp/") and len(got.recovery_codes) == sign_in.RECOVERY_CODES
    assert all(got.secret.encode() not in state for _, state in stored_events(ctx.ledger))  # not in the log
    assert oct(totp.TotpSecrets(ctx.settings.home).path("rec").stat().st_mode & 0o777) == "0o600"
    rec = user(ctx, "rec")
    assert "请输入" in sign_in.check_second_factor(ctx, rec, None, T0)
    assert sign_in.check_second_factor(ctx, rec, totp.code_at(got.secret, T0), T0) is None
    assert sign_in.check_second_factor(ctx, rec, totp.code_at(got.secret, T0 - 30), T0) is None  # drift
    assert "不正确" in sign_in.check_second_factor(ctx, rec, totp.code_at(got.secret, T0 - 120), T0)
    code = got.recovery_codes[0]
    assert sign_in.check_second_factor(ctx, user(ctx, "rec"), code.upper(), T0) is None
    assert "用过" in sign_in.check_second_factor(ctx, user(ctx, "rec"), code, T0)  # once only


def test_the_security_administrator_requires_a_second_factor_per_role(ctx: Context) -> None:
    with pytest.raises(Refused) as e:
        sign_in.set_policy(ctx, user(ctx, "sys"), ["recorder"])
    assert e.value.kind == "forbidden"
    with pytest.raises(Refused) as e:
        sign_in.set_policy(ctx, user(ctx, "sec"), ["nobody"])
    assert e.value.kind == "invalid"
    assert sign_in.set_policy(ctx, user(ctx, "sec"), ["recorder"]).second_factor_roles == ["recorder"]
    throttle = Throttle()
    with pytest.raises(Refused) as e:  # required and not enrolled: cannot sign in
        asyncio.run(users.sign_in(ctx, throttle, "10.0.0.1", "rec", PASSWORD))
    assert "安全管理员" in e.value.detail
    got = sign_in.enroll(ctx, user(ctx, "sec"), "rec")  # handed over like a one-time password
    with pytest.raises(Refused):
        asyncio.run(users.sign_in(ctx, throttle, "10.0.0.1", "rec", PASSWORD, "000000"))
    now = datetime.now(UTC).timestamp()
    signed = asyncio.run(users.sign_in(ctx, throttle, "10.0.0.1", "rec", PASSWORD, totp.code_at(got.secret, now)))
    assert signed.username == "rec"
    asyncio.run(users.sign_in(ctx, throttle, "10.0.0.1", "sys", PASSWORD))  # not required of sysadmin
    actions = [e.action for e in access_log.search(ctx, user(ctx, "audit"), access_log.Query())]
    assert actions == ["policy_changed", "sign_in_failed", "totp_enrolled", "sign_in_failed", "sign_in", "sign_in"]


def test_repeated_failures_lock_the_account_until_the_lockout_ends_or_it_is_unlocked(ctx: Context) -> None:
    ctx = dataclasses.replace(ctx, settings=dataclasses.replace(ctx.settings, lockout_failures=3, lockout_minutes=30))
    t = datetime(2030, 3, 17, 9, 0, tzinfo=UTC)
    for i in range(3):
        access_log.record(ctx, None, "sign_in_failed", outcome="refused", username="rec", at=t + timedelta(minutes=i))
    assert sign_in.locked_until(ctx, "rec", now=t + timedelta(minutes=5)) == t + timedelta(minutes=32)
    assert sign_in.locked_until(ctx, "rec", now=t + timedelta(minutes=33)) is None  # the lockout ended
    assert sign_in.locked_until(ctx, "sys", now=t) is None  # another name
    with pytest.raises(Refused) as e:
        sign_in.unlock(ctx, user(ctx, "rec"), "rec")
    assert e.value.kind == "forbidden"
    sign_in.unlock(ctx, user(ctx, "sys"), "rec")
    assert sign_in.locked_until(ctx, "rec", now=t + timedelta(minutes=5)) is None


def test_a_locked_account_is_refused_even_with_the_right_password(ctx: Context) -> None:
    ctx = dataclasses.replace(ctx, settings=dataclasses.replace(ctx.settings, lockout_failures=2))
    throttle = Throttle()
    for _ in range(2):
        with pytest.raises(Refused):
            asyncio.run(users.sign_in(ctx, throttle, "10.0.0.1", "rec", "wrong"))
    throttle = Throttle()  # another worker, or the throttle's memory gone: the lock is in the access log
    with pytest.raises(Refused) as e:
        asyncio.run(users.sign_in(ctx, throttle, "10.0.0.2", "rec", PASSWORD))
    assert e.value.kind == "throttled" and "锁定" in e.value.detail


def test_the_security_report_states_the_policy_separation_and_retention_from_the_settings(ctx: Context) -> None:
    from api.services import security

    ctx = dataclasses.replace(
        ctx, settings=dataclasses.replace(ctx.settings, lockout_failures=4, idle_minutes=15, access_log_days=365)
    )
    sign_in.enroll(ctx, user(ctx, "sec"))
    before = security.report(ctx, user(ctx, "audit")).not_provided
    assert any("两步验证" in m for m in before)
    sign_in.set_policy(ctx, user(ctx, "sec"), ["secadmin", "auditadmin"])
    found = security.report(ctx, user(ctx, "audit"))
    assert not any("两步验证" in m for m in found.not_provided)
    facts = {f.label: f.value for f in found.sign_in + found.retention}
    assert "审计管理员、安全管理员" in facts["两步验证"] and "须开通而未开通：audit" in facts["两步验证"]
    assert "连续 4 次" in facts["账号锁定"] and "15 分钟" in facts["空闲超时"]
    assert "至少 365 天" in facts["访问日志保存"] and "链完整" in facts["访问日志"]
    assert found.separated  # sysadmin, secadmin and auditadmin held, no admin
    roles = {r.role: r.may for r in found.roles}
    assert roles["auditadmin"] == ["管理访问日志", "不能查看或录入任何台账"]
    assert "管理用户账号、单位、台账设置、角色授权、密钥、登录策略、访问日志" in roles["admin"]
    ctx.ledger.register_user("boss", "boss", "admin", [], hash_password(PASSWORD, cost=PASSWORD_COST), "setup")
    assert not security.report(ctx, user(ctx, "audit")).separated  # one person holds every duty again
    with pytest.raises(Refused):
        security.report(ctx, user(ctx, "rec"))


def test_passwords_on_a_gm_ledger_are_pbkdf2_hmac_sm3_and_older_argon2_ones_still_work(tmp_path: Path) -> None:
    import base64
    import hashlib

    from api.infra.passwords import SM3_PREFIX, check_password
    from api.services.context import Unrestricted

    settings = dataclasses.replace(settings_for(tmp_path), suite="gm")
    ledger = settings.ledger()
    try:
        ctx = services_context(settings, ledger)
        assert ledger.apply([(1, unit("u1", "甲"))], "setup").errors == []
        old = hash_password(PASSWORD, cost=PASSWORD_COST)  # argon2id
        ledger.register_user("old", "old", "recorder", ["u1"], old, "setup")
        one_time = users.create_user(ctx, Unrestricted("boss"), "li", "李", "recorder", ["u1"])
        stored = ledger.user("li").password_hash
        assert stored.startswith(SM3_PREFIX) and one_time not in stored
        _, rounds, salt, key = stored.removeprefix("$").split("$")
        pad = lambda t: t + "=" * (-len(t) % 4)  # noqa: E731

        expected = hashlib.pbkdf2_hmac("sm3", one_time.encode(), base64.b64decode(pad(salt)), int(rounds[2:]), 32)
        assert base64.b64decode(pad(key)) == expected  # the published encoding, checkable by anyone
        assert check_password(ledger.user("li"), one_time, "gm") and not check_password(ledger.user("li"), "x", "gm")
        throttle = Throttle()
        assert asyncio.run(users.sign_in(ctx, throttle, "10.0.0.1", "old", PASSWORD)).username == "old"
        assert asyncio.run(users.sign_in(ctx, throttle, "10.0.0.1", "li", one_time)).username == "li"
        from api.services import security

        facts = {f.label: f.value for f in security.report(ctx, Unrestricted("boss")).sign_in}
        assert "PBKDF2-HMAC-SM3" in facts["口令存储"]
    finally:
        ledger.close()


def test_a_server_hashes_at_the_standard_work_factors_unless_told_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    # The suite hashes at the cheapest factors (conftest PASSWORD_COST); this is what a server uses.
    from argon2 import extract_parameters

    from api.infra.passwords import COSTS, SM3_PREFIX, check_password
    from api.infra.settings import Settings

    monkeypatch.delenv("TAIZHANG_PASSWORD_COST")
    assert Settings.from_env().password_cost == "standard"
    standard = COSTS["standard"]
    assert (standard.argon2_time, standard.argon2_memory_kib, standard.sm3_iterations) == (2, 19 * 1024, 600_000)
    stored = hash_password(PASSWORD)
    params = extract_parameters(stored)
    assert (params.time_cost, params.memory_cost, params.parallelism) == (2, 19 * 1024, 1)
    assert stored.startswith(SM3_PREFIX) is False and check_password(None, PASSWORD) is False
    assert hash_password(PASSWORD, "gm").startswith(f"{SM3_PREFIX}i=600000$")
    monkeypatch.setenv("TAIZHANG_PASSWORD_COST", "cheap")
    with pytest.raises(ValueError, match="TAIZHANG_PASSWORD_COST"):
        Settings.from_env()
