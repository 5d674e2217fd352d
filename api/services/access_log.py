"""The access log (访问日志, 等保 2.0 GB/T 22239-2019 8.1.4.3 安全审计): who signed in (or failed to), changed
whose permissions, exported what, read personal data or another unit's ledger — when, from where and what.

The use-cases that do those things call `record` (sign-in in users.py, permission changes in users.py, exports
in reads.py / packages.py / assessment.py, personal data in personal.py, a superior's reads in reads.py), so
the command line and the web log alike. Only the audit administrator (domain/access.py may_read_access_log:
`auditadmin`, or `admin` where one person holds every duty) searches, exports, verifies and prunes it; no
use-case edits an entry. Where the entries live and why: api/infra/access_log.py.

The client address comes from `CLIENT`, set per request by the web (api/web/app.py's middleware, from the
address uvicorn reports: behind a proxy named in TAIZHANG_TRUSTED_PROXIES, the forwarded one) and left
"命令行" on the command line.
"""

from __future__ import annotations

import csv
import io
import json
import socket
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.access import may_read_access_log

from ..infra.access_log import AccessLogFile, Entry, entry_hash
from .context import Actor, Context
from .refusals import Refused

CLIENT: ContextVar[str] = ContextVar("taizhang_client", default="")

# action → what staff read in the log's page and export.
ACTIONS: dict[str, str] = {
    "sign_in": "登录",
    "sign_in_failed": "登录失败",
    "sign_out": "退出登录",
    "user_created": "新建用户",
    "user_changed": "修改用户权限",
    "password_reset": "重置口令",
    "policy_changed": "修改登录策略",
    "totp_enrolled": "开通两步验证",
    "account_unlocked": "解除账号锁定",
    "token_issued": "签发访问令牌",
    "token_revoked": "撤销访问令牌",
    "export": "导出",
    "personal_read": "查看个人信息",
    "unit_read": "查看下级单位台账",
    "access_log_exported": "导出访问日志",
    "access_log_pruned": "清理过期访问日志",
}
COLUMNS = ("seq", "at", "actor", "role", "client", "action", "outcome", "unit", "target", "detail", "prev", "hash")
COLUMN_LABELS = (
    "序号",
    "时间",
    "用户",
    "角色",
    "来源地址",
    "操作",
    "结果",
    "单位",
    "对象",
    "详情",
    "前一条哈希",
    "本条哈希",
)


@dataclass(frozen=True)
class Query:
    """A search of the log; every part optional. `since`/`until` are instants (until exclusive)."""

    actor: str | None = None
    action: str | None = None
    unit: str | None = None
    text: str | None = None  # in target or detail
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 1000


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    entries: int
    first: int | None  # the first entry checked (after the last pruning)
    last: int | None
    alg: str | None
    anchored: bool  # the chain starts from a pruning anchor, not from the first entry ever written
    problems: list[str]


@dataclass(frozen=True)
class Pruned:
    removed: int
    before: str
    entry: Entry


def _alg(ctx: Context) -> str:
    from domain.suite import suite

    return suite(ctx.ledger.suite()).tree_hash


def client() -> str:
    return CLIENT.get() or f"命令行@{socket.gethostname()}"


def _now() -> datetime:
    return datetime.now(UTC)


def record(
    ctx: Context,
    actor: Actor | None,
    action: str,
    *,
    unit: str = "",
    target: str = "",
    outcome: str = "ok",
    detail: dict[str, Any] | None = None,
    username: str | None = None,
    at: datetime | None = None,
) -> Entry:
    """Append one entry (the caller has done, or refused, the thing). `username` names who tried when there is
    no actor (a failed sign-in)."""
    assert action in ACTIONS, action
    return AccessLogFile(ctx.settings.home).append(
        _alg(ctx),
        at=(at or _now()).astimezone(UTC).isoformat(timespec="microseconds"),
        actor=actor.username if actor is not None else (username or "-"),
        role=actor.role if actor is not None else "-",
        client=client(),
        action=action,
        outcome=outcome,
        unit=unit,
        target=target,
        detail=json.dumps(detail or {}, ensure_ascii=False, sort_keys=True),
    )


def superior_read(ctx: Context, actor: Actor, unit: str, what: str) -> None:
    """A read of a unit that is not one of the actor's own (a superior reading a descendant's ledger; the
    access rules, domain/access.py covers, already allowed it). A whole-ledger admin without units of its own
    is not logged per page: its reads are its duty, and its sign-in is logged."""
    if actor.units and unit not in actor.units:
        record(ctx, actor, "unit_read", unit=unit, target=what)


def require_audit_admin(actor: Actor) -> None:
    if not may_read_access_log(actor):  # type: ignore[arg-type]
        raise Refused("forbidden", "只有审计管理员可以查看、导出或清理访问日志")


def search(ctx: Context, actor: Actor, query: Query) -> list[Entry]:
    require_audit_admin(actor)
    where, params = [], []
    for column, value in (("actor", query.actor), ("action", query.action), ("unit", query.unit)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    if query.text:
        where.append("(target LIKE ? OR detail LIKE ?)")
        params += [f"%{query.text}%"] * 2
    if query.since is not None:
        where.append("at >= ?")
        params.append(query.since.astimezone(UTC).isoformat(timespec="microseconds"))
    if query.until is not None:
        where.append("at < ?")
        params.append(query.until.astimezone(UTC).isoformat(timespec="microseconds"))
    if query.action and query.action not in ACTIONS:
        raise Refused("invalid", f"操作：没有「{query.action}」，可选 {'、'.join(ACTIONS)}", field="action")
    return AccessLogFile(ctx.settings.home).entries(" AND ".join(where), tuple(params), query.limit)


def _row(e: Entry) -> list[Any]:
    return [getattr(e, c) if c != "action" else f"{ACTIONS.get(e.action, e.action)}（{e.action}）" for c in COLUMNS]


# A spreadsheet opening a CSV evaluates a cell that begins with one of these (formula injection): the log holds
# what people typed, a username tried at sign-in among them, before anyone is signed in.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_text(value: Any) -> Any:
    """A CSV cell that a spreadsheet would take for a formula, prefixed with an apostrophe (read as text); a
    lone "-" (no role) is already text."""
    if isinstance(value, str) and len(value) > 1 and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def export(ctx: Context, actor: Actor, query: Query, fmt: str) -> bytes:
    """The entries found, as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese) or XLSX; the export
    is itself logged."""
    if fmt not in ("csv", "xlsx"):
        raise Refused("invalid", f"格式：须为 csv 或 xlsx，不是「{fmt}」", field="format")
    found = search(ctx, actor, query)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(COLUMN_LABELS)
        writer.writerows([_csv_text(v) for v in _row(e)] for e in found)
        data = ("\ufeff" + out.getvalue()).encode()
    else:
        from openpyxl import Workbook

        from ..documents.sheets import texts_not_formulas

        book = Workbook()
        sheet = book.active
        sheet.title = "访问日志"
        sheet.append(COLUMN_LABELS)
        for e in found:
            sheet.append(_row(e))
        texts_not_formulas(book)  # a logged username or path beginning with "=" stays text
        buf = io.BytesIO()
        book.save(buf)
        data = buf.getvalue()
    record(ctx, actor, "access_log_exported", target=fmt, detail={"entries": len(found)})
    return data


def verify(ctx: Context, actor: Actor) -> ChainCheck:
    """Recompute every entry's hash and check each names its predecessor's (from the pruning anchor, if any)."""
    require_audit_admin(actor)
    return check_chain(AccessLogFile(ctx.settings.home))


def check_chain(store: AccessLogFile) -> ChainCheck:
    entries = store.entries()
    anchor = store.anchor()
    problems: list[str] = []
    prev_seq, prev_hash = anchor if anchor is not None else (0, "0" * 64)
    for e in entries:
        if e.seq != prev_seq + 1:
            problems.append(f"第 {e.seq} 条：前面缺少第 {prev_seq + 1}–{e.seq - 1} 条（被删除）")
        if e.prev != prev_hash:
            problems.append(f"第 {e.seq} 条：所记前一条哈希与第 {prev_seq} 条不符")
        if entry_hash(e) != e.hash:
            problems.append(f"第 {e.seq} 条：内容与其哈希不符（被修改）")
        prev_seq, prev_hash = e.seq, e.hash
    if anchor is not None:
        named = [e for e in entries if e.action == "access_log_pruned" and json.loads(e.detail).get("anchor_seq")]
        if not named or json.loads(named[-1].detail).get("anchor_hash") != anchor[1]:
            problems.append("清理锚点与最近一次清理记录不符（锚点被改动）")
    return ChainCheck(
        ok=not problems,
        entries=len(entries),
        first=entries[0].seq if entries else None,
        last=entries[-1].seq if entries else None,
        alg=entries[-1].alg if entries else None,
        anchored=anchor is not None,
        problems=problems,
    )


def prune(ctx: Context, actor: Actor, now: datetime | None = None) -> Pruned:
    """Remove the entries older than the retention period (TAIZHANG_ACCESS_LOG_DAYS, at least 180 days) and
    record the pruning; nothing younger can be removed, whoever asks."""
    require_audit_admin(actor)
    cutoff = (now or _now()).astimezone(UTC) - timedelta(days=ctx.settings.access_log_days)
    before = cutoff.isoformat(timespec="microseconds")
    removed, entry = AccessLogFile(ctx.settings.home).prune(
        before,
        _alg(ctx),
        at=(now or _now()).astimezone(UTC).isoformat(timespec="microseconds"),
        actor=actor.username,
        role=actor.role,
        client=client(),
        action="access_log_pruned",
        outcome="ok",
        unit="",
        target=f"早于 {before}",
        detail=json.dumps({"days": ctx.settings.access_log_days}),
    )
    return Pruned(removed, before, entry)
