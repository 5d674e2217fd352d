"""`taizhang unit add|rename|move|list|history`: the ledger's units (单位), through `services/units.py` (admins
once the ledger has users; each change is an event attributed to whoever ran the command)."""

from __future__ import annotations

import click

from .context import command


@click.group(help="单位：登记、改名、调整上级、列出、查看变更记录。Units: add, rename, move, list, history.")
def unit() -> None:
    pass


def _run(ctx: click.Context, act: object) -> None:
    import asyncio


    cmd = command(ctx)
    asyncio.run(act(cmd))  # type: ignore[operator]
    cmd.caught_up()


@unit.command("add", help="登记新单位。CODE 为单位代码（小写字母、数字、-），NAME 为中文名称。")
@click.argument("code")
@click.argument("name")
@click.option("--parent", default=None, help="上级单位代码（不填为顶级单位）。")
@click.pass_context
def unit_add(ctx: click.Context, code: str, name: str, parent: str | None) -> None:
    from ..services import units

    _run(ctx, lambda cmd: units.add_unit(cmd.context, cmd.actor, code, name, parent))
    click.echo(f"已登记单位「{name}」（{code.strip().lower()}）" + (f"，上级单位 {parent}" if parent else ""))


@unit.command("rename", help="单位改名（上级不变）。")
@click.argument("code")
@click.argument("name")
@click.pass_context
def unit_rename(ctx: click.Context, code: str, name: str) -> None:
    from ..services import units

    _run(ctx, lambda cmd: units.rename_unit(cmd.context, cmd.actor, code, name))
    click.echo(f"单位 {code} 已改名为「{name.strip()}」")


@unit.command("move", help="调整单位的上级（名称不变）：--parent 上级单位代码，或 --top 设为顶级单位。")
@click.argument("code")
@click.option("--parent", default=None, help="新的上级单位代码。")
@click.option("--top", is_flag=True, help="设为顶级单位（没有上级）。")
@click.pass_context
def unit_move(ctx: click.Context, code: str, parent: str | None, top: bool) -> None:
    from ..services import units

    if bool(parent) == top:
        raise click.UsageError("请给出 --parent 上级单位代码，或 --top（二者选一）")
    _run(ctx, lambda cmd: units.move_unit(cmd.context, cmd.actor, code, None if top else parent))
    click.echo(f"单位 {code} 的上级已调整为 {parent or '（顶级）'}")


@unit.command("list", help="列出全部单位（按上下级缩进）。")
@click.pass_context
def unit_list(ctx: click.Context) -> None:
    from ..services import units

    cmd = command(ctx)
    rows = units.units(cmd.context, cmd.actor)
    if not rows:
        click.echo("台账还没有单位：用 taizhang unit add 登记")
    for r in rows:
        click.echo(f"{'  ' * r.depth}{r.code}  {r.name}")


@unit.command("history", help="一个单位的全部变更：何时、何人、登记/改名/调整上级。")
@click.argument("code")
@click.pass_context
def unit_history(ctx: click.Context, code: str) -> None:
    from .. import render
    from ..services import units

    cmd = command(ctx)
    rows = units.unit_history(cmd.context, cmd.actor, code)
    for r in rows:
        stamp = render.local_stamp(r.recorded_at, cmd.settings.tz)
        click.echo(f"v{r.version} {stamp} {r.recorded_by} {r.label}：名称「{r.name}」，上级 {r.parent or '（顶级）'}")
