"""`taizhang package`: report packages (报送包) of units on their own servers — `export` a seal's package
(the unit's server), `import` one (the superior's), `list` what was imported or refused, and `approve-key`
(a reviewer approves a unit's new signing key)."""

from __future__ import annotations

from pathlib import Path

import click

from .context import command, run
from .options import FORMAT, echo_json


@click.group()
def package() -> None:
    """报送包：把封存的年度报告带给上级的台账。

    Report packages: carry a sealed report to a superior running its own taizhang."""


@package.command("export")
@click.option("--seal", "seal_id", required=True, help="The seal to send (taizhang seal prints its id).")
@click.option("--output", required=True, type=click.Path(dir_okay=False, writable=True))
@click.pass_context
def export(ctx: click.Context, seal_id: str, output: str) -> None:
    """Write the package of a seal: report JSON, DOCX, signature, the unit's key, parts, consistency proofs."""
    from ..services import packages

    Path(output).write_bytes(run(ctx, lambda c, a: packages.export(c, a, seal_id)))
    click.echo(f"wrote {output} / 已生成报送包 {output}")


@package.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--parent", help="The unit of this ledger it rolls up into (required on a unit's first package).")
@click.option("--late-reason", help="报后更正原因: required when the year it rolls into is approved and locked.")
@click.pass_context
def import_(ctx: click.Context, file: str, parent: str | None, late_reason: str | None) -> None:
    """Verify a package offline and include the unit's figures in the roll-ups. Exit 2 when it is altered,
    signed by another key or its log was rewritten (the last two are recorded for the reviewer)."""
    from ..services import packages
    from ..services.refusals import Refused

    cmd = command(ctx)
    try:
        got = packages.import_package(cmd.context, cmd.actor, Path(file).read_bytes(), parent, late_reason)
    except Refused as e:
        if e.kind == "conflict":
            cmd.caught_up()  # the refusal was recorded
        raise  # (the group maps it to its message and exit code)
    cmd.caught_up()
    if got.again:
        click.echo(f"already imported: {got.unit} {got.year} seal {got.seal} / 该报送包已导入过")
        return
    pinned = "，已登记其签名密钥" if got.first else ""
    click.echo(
        f"imported / 已导入：{got.name}（{got.unit}）{got.year} 年度，日志 {got.size} 条，根 {got.root}，"
        f"计入 {got.parent}{pinned}"
    )
    for n in got.not_rolled_up:
        click.echo(f"  未计入 / not rolled up: {n.message}")


@package.command("list")
@FORMAT
@click.pass_context
def list_(ctx: click.Context, fmt: str) -> None:
    """Units on their own servers: pinned key, witnessed log, packages imported, refused and key changes."""
    from dataclasses import asdict

    from ..services import packages

    found = run(ctx, packages.remote_units)
    if fmt == "json":
        echo_json([asdict(r) for r in found])
        return
    for r in found:
        click.echo(f"{r.name}（{r.unit}）→ {r.parent}  密钥 {r.public_key[:16]}…  日志 {r.size} 条 根 {r.root[:16]}…")
        for p in r.packages:
            click.echo(f"  已导入 {p['year']} 封存 {p['seal']} 日志 {p['size']} 条（{p['recorded_by']}）")
        for x in r.refusals:
            what = "可能改写历史" if x["reason"] == "rewrite" else "签名密钥不符"
            click.echo(f"  ！拒绝 {x['year']} 封存 {x['seal']}：{what}：{'；'.join(x['problems'])}")
        for k in r.key_changes:
            click.echo(f"  更换密钥 {k['was'][:16]}… → {k['now'][:16]}…（{k['by']}：{k['reason']}）")
    if not found:
        click.echo("还没有导入过报送包 / no packages imported")


@package.command("approve-key")
@click.option("--unit", required=True)
@click.option("--key", "public_key", required=True, help="The new public key (64 hex digits), as the refusal named.")
@click.option("--reason", required=True)
@click.pass_context
def approve_key(ctx: click.Context, unit: str, public_key: str, reason: str) -> None:
    """Approve a unit's new signing key (reviewers), with the reason; then import its package again."""
    from ..services import packages

    got = run(ctx, lambda c, a: packages.approve_key(c, a, unit, public_key, reason))
    click.echo(f"approved / 已批准单位「{unit}」的新签名密钥 {got.public_key}")
