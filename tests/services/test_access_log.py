"""The access log (api/services/access_log.py): sign-ins, failures, permission changes, exports, personal-data
reads and a superior's reads are recorded with who, when, where and what; the chain shows any tampering;
only the audit administrator reads it; pruning keeps the chain verifiable; figures and the event log unchanged."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import PASSWORD_COST, petition, services_context, settings_for, unit

from api.infra.access_log import access_log_db
from api.infra.passwords import hash_password
from api.services import access_log, personal, reads, users
from api.services.context import Context
from api.services.refusals import Refused
from api.web.throttle import Throttle


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[Context]:
    settings = settings_for(tmp_path)
    ledger = settings.ledger()
    outcome = ledger.apply(
        list(enumerate([unit("city", "市局"), unit("dist", "区局", parent="city"),
                        petition("X-1", "2025-03-01", unit="dist")], start=1)), "setup")  # fmt: skip
    assert outcome.errors == []
    for name, role, units_ in [
        ("boss", "admin", []),
        ("audit", "auditadmin", []),
        ("sys", "sysadmin", []),
        ("city1", "auditor", ["city"]),
        ("rec", "recorder", ["dist"]),
    ]:
        ledger.register_user(name, name, role, units_, hash_password("correct horse 9", cost=PASSWORD_COST), "setup")
    yield services_context(settings, ledger)
    ledger.close()


def who(ctx: Context, name: str):  # noqa: ANN201
    return ctx.ledger.user(name)


def test_sign_ins_failures_and_permission_changes_are_recorded_with_where_from(ctx: Context) -> None:
    throttle = Throttle()
    token = access_log.CLIENT.set("203.0.113.7")
    try:
        asyncio.run(users.sign_in(ctx, throttle, "203.0.113.7", "rec", "correct horse 9"))
        with pytest.raises(Refused):
            asyncio.run(users.sign_in(ctx, throttle, "203.0.113.7", "rec", "wrong"))
        with pytest.raises(Refused):
            asyncio.run(users.sign_in(ctx, throttle, "203.0.113.7", "nobody", "x"))
        users.change_user(ctx, who(ctx, "sys"), "rec", {"units": ["city"]})
    finally:
        access_log.CLIENT.reset(token)
    found = access_log.search(ctx, who(ctx, "audit"), access_log.Query())
    assert [(e.action, e.actor, e.outcome, e.client) for e in found] == [
        ("sign_in", "rec", "ok", "203.0.113.7"),
        ("sign_in_failed", "rec", "refused", "203.0.113.7"),
        ("sign_in_failed", "nobody", "refused", "203.0.113.7"),
        ("user_changed", "sys", "ok", "203.0.113.7"),
    ]
    change = json.loads(found[-1].detail)
    assert change["before"]["units"] == ["dist"] and change["after"]["units"] == ["city"]
    assert found[-1].target == "rec"
    assert datetime.fromisoformat(found[0].at) <= datetime.now(UTC)


def test_issuing_and_revoking_a_bearer_token_is_recorded_without_the_token(ctx: Context) -> None:
    token, _ = users.issue_token(ctx, who(ctx, "rec"), "月报脚本")
    (digest,) = who(ctx, "rec").tokens
    users.revoke_own_token(ctx, who(ctx, "rec"), digest)
    found = access_log.search(ctx, who(ctx, "audit"), access_log.Query())
    assert [(e.action, e.actor, e.target) for e in found] == [
        ("token_issued", "rec", "rec"),
        ("token_revoked", "rec", "rec"),
    ]
    assert json.loads(found[0].detail)["label"] == "月报脚本"
    assert token not in "".join(e.detail for e in found)  # the credential itself is never logged


def test_exports_personal_reads_and_a_superiors_reads_are_recorded(ctx: Context, tmp_path: Path) -> None:
    personal.record(ctx, who(ctx, "rec"), "dist", "X-1", {"name": "张三"})
    personal.show(ctx, who(ctx, "rec"), "dist", "X-1")
    reads.report(ctx, who(ctx, "city1"), "dist", 2025, None)  # a superior reads its descendant
    reads.report(ctx, who(ctx, "rec"), "dist", 2025, None)  # its own unit: not "another unit's ledger"
    reads.report_document(ctx, who(ctx, "rec"), "dist", 2025, None, "xlsx", tmp_path / "out.xlsx")
    found = access_log.search(ctx, who(ctx, "audit"), access_log.Query())
    assert [(e.action, e.actor, e.unit) for e in found] == [
        ("personal_read", "rec", "dist"),
        ("unit_read", "city1", "dist"),
        ("export", "rec", "dist"),
    ]
    assert json.loads(found[0].detail) == {"fields": ["name"]} and "张三" not in found[0].detail
    assert found[2].target == "2025 年度台账 XLSX"
    only = access_log.search(ctx, who(ctx, "audit"), access_log.Query(actor="city1"))
    assert [e.action for e in only] == ["unit_read"]


def test_only_the_audit_administrator_reads_exports_or_prunes_the_log(ctx: Context) -> None:
    access_log.record(ctx, who(ctx, "rec"), "sign_in")
    for name in ("sys", "rec", "city1"):
        for call in (
            lambda a: access_log.search(ctx, a, access_log.Query()),
            lambda a: access_log.export(ctx, a, access_log.Query(), "csv"),
            lambda a: access_log.verify(ctx, a),
            lambda a: access_log.prune(ctx, a),
        ):
            with pytest.raises(Refused) as e:
                call(who(ctx, name))
            assert e.value.kind == "forbidden"
    assert len(access_log.search(ctx, who(ctx, "boss"), access_log.Query())) == 1  # one person, every duty


def test_export_is_csv_or_xlsx_and_is_itself_recorded(ctx: Context) -> None:
    access_log.record(ctx, who(ctx, "rec"), "sign_in")
    data = access_log.export(ctx, who(ctx, "audit"), access_log.Query(), "csv")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["序号", "时间", "用户"] and rows[1][2] == "rec" and "登录" in rows[1][5]
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(access_log.export(ctx, who(ctx, "audit"), access_log.Query(), "xlsx")))
    assert book.active.max_row == 3  # header, the sign-in, the CSV export
    assert access_log.search(ctx, who(ctx, "audit"), access_log.Query())[-1].action == "access_log_exported"
    with pytest.raises(Refused) as e:
        access_log.export(ctx, who(ctx, "audit"), access_log.Query(), "pdf")
    assert e.value.kind == "invalid"


@pytest.mark.parametrize(
    "tamper, said",
    [
        ("UPDATE entries SET actor = 'someone' WHERE seq = 2", "被修改"),
        ("DELETE FROM entries WHERE seq = 2", "被删除"),
        ("UPDATE entries SET prev = hash WHERE seq = 3", "前一条"),
    ],
)
def test_a_changed_or_removed_entry_breaks_the_chain(ctx: Context, tamper: str, said: str) -> None:
    for _ in range(4):
        access_log.record(ctx, who(ctx, "rec"), "sign_in")
    assert access_log.verify(ctx, who(ctx, "audit")).ok
    with sqlite3.connect(access_log_db(ctx.settings.home)) as db:
        db.execute(tamper)
    found = access_log.verify(ctx, who(ctx, "audit"))
    assert not found.ok and any(said in p for p in found.problems), found.problems


def test_the_chain_hash_follows_the_suite(ctx: Context) -> None:
    entry = access_log.record(ctx, who(ctx, "rec"), "sign_in")
    assert entry.alg == "sha256" and len(entry.hash) == 64


def test_pruning_removes_only_what_is_older_than_retention_and_keeps_the_chain_verifiable(ctx: Context) -> None:
    now = datetime.now(UTC)
    for days in (400, 300, 200, 10, 1):
        access_log.record(ctx, who(ctx, "rec"), "sign_in", at=now - timedelta(days=days))
    assert ctx.settings.access_log_days == 180
    pruned = access_log.prune(ctx, who(ctx, "audit"), now=now)
    assert pruned.removed == 3
    left = access_log.search(ctx, who(ctx, "audit"), access_log.Query())
    assert [e.seq for e in left] == [4, 5, 6] and left[-1].action == "access_log_pruned"
    assert json.loads(left[-1].detail)["removed"] == 3
    check = access_log.verify(ctx, who(ctx, "audit"))
    assert check.ok and check.anchored and check.first == 4, check.problems
    with sqlite3.connect(access_log_db(ctx.settings.home)) as db:  # moving the anchor is seen
        db.execute("UPDATE anchor SET hash = ?", ("ab" * 32,))
    assert not access_log.verify(ctx, who(ctx, "audit")).ok
    assert access_log.prune(ctx, who(ctx, "audit"), now=now).removed == 0  # nothing younger goes


def test_the_access_log_leaves_the_event_log_and_figures_as_they_were(ctx: Context) -> None:
    before = ctx.ledger.recorder.max_notification_id()
    at = datetime.now(UTC)
    figures = reads.report(ctx, who(ctx, "boss"), "dist", 2025, at).to_json()
    reads.report(ctx, who(ctx, "city1"), "dist", 2025, None)
    access_log.record(ctx, who(ctx, "rec"), "sign_in")
    assert ctx.ledger.recorder.max_notification_id() == before
    assert reads.report(ctx, who(ctx, "boss"), "dist", 2025, at).to_json() == figures
