"""`taizhang seal` (freeze a year's figures), `verify` (check the log), `proof` (an activity's inclusion proof)
and `diff` (what changed since a seal)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .context import command
from .options import echo_json
from .refusals import fail


@click.command()
@click.option("--unit", required=True)
@click.option("--year", required=True, type=int)
@click.pass_context
def seal(ctx: click.Context, unit: str, year: int) -> None:
    """以日志的 Merkle 根封存全年数据，并签名。

    Freeze the year's figures with the log's Merkle root, signed with the unit's key."""
    from ..services import audit

    cmd = command(ctx)
    out = audit.seal(cmd.context, cmd.actor, unit, year)
    cmd.caught_up()  # the seal's own event, so the next command finds the read model current
    from ..render import local_stamp

    echo_json(out)
    stamp = local_stamp(out["as_of"], cmd.settings.tz)
    who = cmd.actor.username
    click.echo(f"已封存 {unit} {year} 年度，截至 {stamp}，封存人 {who}，封存编号 {out['seal']}", err=True)


@click.command()
@click.option("--root", "root_hex", help="A root published elsewhere (hex), to check the log against.")
@click.option("--size", type=int, help="The log size that root was published for.")
@click.pass_context
def verify(ctx: click.Context, root_hex: str | None, size: int | None) -> None:
    """从事件库重算 Merkle 日志，校验封存、密钥和读模型。

    Recompute the Merkle log from the event store and check it, the seals and any published root.
    Exit 0 when intact, 1 when tampering is found."""
    from ..services import audit

    if (root_hex is None) != (size is None):
        fail("--root and --size go together")
    cmd = command(ctx)
    result = audit.verify(cmd.context, cmd.actor, root_hex, size)
    for p in result.problems:
        click.echo(p)
    if result.problems:
        n = len(result.problems)
        click.echo(f"TAMPERED: {n} problem(s) / 发现 {n} 处问题", err=True)
        sys.exit(1)
    named = "" if result.suite == "default" else f" ({result.suite} suite: SM3 log, SM2 seals)"
    click.echo(f"intact: {result.size} events, root {result.root}, {result.seals} seal(s) checked{named} / 日志完整")


@click.command()
@click.option("--unit", required=True)
@click.argument("ref")
@click.option("--output", type=click.Path(dir_okay=False, writable=True))
@click.pass_context
def proof(ctx: click.Context, unit: str, ref: str, output: str | None) -> None:
    """一项活动的事件相对于本单位日志 Merkle 根的包含证明。

    Inclusion proof of one activity's events against the unit's latest seal.
    Check it without the database: python -m projections.merkle check PROOF.json"""
    from ..services import audit

    cmd = command(ctx)
    doc = audit.proof(cmd.context, cmd.actor, unit, ref)
    text = json.dumps(doc, ensure_ascii=False, indent=1)
    if output:
        Path(output).write_text(text + "\n", encoding="utf-8")
    else:
        click.echo(text)


@click.command()
@click.option("--seal", "seal_id", required=True)
@click.pass_context
def diff(ctx: click.Context, seal_id: str) -> None:
    """封存以来的变化：补录、更正、作废，以及变动的指标。

    What changed since a seal: the late entries, corrections and voids, and the figures they moved."""
    from ..render import ETYPE_LABELS, local_stamp
    from ..services import audit

    cmd = command(ctx)
    found = audit.diff(cmd.context, cmd.actor, seal_id)
    sealed = found.seal
    tz = cmd.settings.tz
    sealed_at = local_stamp(sealed.as_of, tz)
    click.echo(f"封存 {sealed.id}（{sealed.unit} {sealed.year}，截至 {sealed_at}，日志 {sealed.size} 条）以来：")
    click.echo(f"变动的事件 {len(found.changes)} 个：")
    for c in found.changes:
        label = c.ref if c.unit == sealed.unit else f"{c.unit}/{c.ref}"
        what = ETYPE_LABELS.get(c.etype, c.etype)
        why = f"：{c.reason}" if c.reason else ""
        click.echo(f"  #{c.pos} {local_stamp(c.recorded_at, tz)} {c.recorded_by} {what} {label}{why}")
    click.echo(f"变动的指标 {len(found.moved)} 项：")
    for m in found.moved:
        if m.retired:
            click.echo(f"  {m.figure} {m.label}: {m.was} → 已撤销声明 (retired)")
        else:
            click.echo(f"  {m.figure} {m.label}: {m.was} → {m.now} (上年 {m.was_previous} → {m.now_previous})")
