"""`taizhang access-log search|export|verify|prune`: the access log (访问日志) for the audit administrator —
who signed in, changed permissions, exported or read what, when and from where (api/services/access_log.py)."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .context import command
from .options import FORMAT, echo_json

if TYPE_CHECKING:
    from ..services.access_log import Query


def _query(actor: str | None, action: str | None, unit: str | None, text: str | None, since: datetime | None,
           until: datetime | None, limit: int) -> Query:  # fmt: skip
    from ..services.access_log import Query

    def utc(d: datetime | None) -> datetime | None:
        return d.astimezone() if d is not None else None  # a bare date is the local day

    return Query(actor, action, unit, text, utc(since), utc(until + timedelta(days=1) if until else None), limit)


def _filters(f: click.decorators.FC) -> click.decorators.FC:
    for option in reversed(
        [
            click.option("--actor", help="Only this user's entries."),
            click.option("--action", help="Only this action (sign_in, sign_in_failed, user_changed, export, ...)."),
            click.option("--unit", help="Only entries about this unit."),
            click.option("--text", help="Only entries whose target or detail contains this."),
            click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="From this day (YYYY-MM-DD)."),
            click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Up to and including this day."),
            click.option("--limit", type=int, default=1000, show_default=True),
        ]
    ):
        f = option(f)
    return f


@click.group("access-log")
def access_log() -> None:
    """访问日志：登录、权限变更、导出和个人信息查阅的记录（检索、导出、校验、清理）。

    The access log: sign-ins, permission changes, exports, reads of personal data and of other units."""


@access_log.command("search")
@_filters
@FORMAT
@click.pass_context
def search(ctx: click.Context, fmt: str, **filters: object) -> None:
    """List the entries found, oldest first."""
    from dataclasses import asdict

    from ..services import access_log as service

    cmd = command(ctx)
    found = service.search(cmd.context, cmd.actor, _query(**filters))  # type: ignore[arg-type]
    if fmt == "json":
        echo_json([asdict(e) for e in found])
        return
    for e in found:
        what = service.ACTIONS.get(e.action, e.action)
        result = "" if e.outcome == "ok" else "（被拒绝）"
        click.echo(f"{e.seq}\t{e.at[:19]}Z\t{e.actor}\t{e.client}\t{what}{result}\t{e.unit}\t{e.target}\t{e.detail}")
    if not found:
        click.echo("没有符合条件的记录", err=True)


@access_log.command("export")
@_filters
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File (default: stdout).")
@click.pass_context
def export(ctx: click.Context, fmt: str, output: Path | None, **filters: object) -> None:
    """Write the entries found as CSV or XLSX (the export itself is logged)."""
    from ..services import access_log as service

    cmd = command(ctx)
    data = service.export(cmd.context, cmd.actor, _query(**filters), fmt)  # type: ignore[arg-type]
    if output is None:
        if fmt == "xlsx" and sys.stdout.isatty():
            raise click.UsageError("XLSX is binary: name a file with -o")
        sys.stdout.buffer.write(data)
        return
    output.write_bytes(data)
    click.echo(f"已写入 {output}", err=True)


@access_log.command("verify")
@click.pass_context
def verify(ctx: click.Context) -> None:
    """Check the hash chain (exit 1 when an entry was changed, inserted or removed)."""
    from ..services import access_log as service

    cmd = command(ctx)
    found = service.verify(cmd.context, cmd.actor)
    if found.ok:
        span = f"第 {found.first}–{found.last} 条，{(found.alg or '').upper()}" if found.entries else "尚无记录"
        since = "，自最近一次清理起" if found.anchored else ""
        click.echo(f"访问日志完整：{found.entries} 条（{span}）{since}")
        return
    for p in found.problems:
        click.echo(p, err=True)
    ctx.exit(1)


@access_log.command("prune")
@click.option("--yes", is_flag=True, help="Do it without asking.")
@click.pass_context
def prune(ctx: click.Context, yes: bool) -> None:
    """Remove entries older than TAIZHANG_ACCESS_LOG_DAYS (at least 180); the pruning is itself logged."""
    from ..services import access_log as service

    cmd = command(ctx)
    days = cmd.context.settings.access_log_days
    if not yes:
        click.confirm(f"删除 {days} 天以前的访问日志？", abort=True)
    found = service.prune(cmd.context, cmd.actor)
    click.echo(f"已删除 {found.removed} 条早于 {found.before[:19]}Z 的记录；清理记为第 {found.entry.seq} 条")
