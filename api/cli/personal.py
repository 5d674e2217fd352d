"""`taizhang personal set|show|shred`: an activity's personal data (a petitioner's name, ID number, telephone),
stored encrypted; shown in clear to the unit's recorders and admins, each showing recorded."""

from __future__ import annotations

import click

from .context import command
from .options import FORMAT, echo_json


@click.group()
def personal() -> None:
    """一项活动中的个人信息（加密保存）。

    Personal data of an activity (encrypted at rest)."""


@personal.command("set")
@click.option("--unit", required=True)
@click.argument("ref")
@click.option("--name", help="信访人姓名")
@click.option("--id-number", help="公民身份号码（18 位）")
@click.option("--phone", help="联系电话")
@click.option("--clear", "cleared", multiple=True, help="Remove a field (name, id_number, phone).")
@click.pass_context
def personal_set(
    ctx: click.Context, unit: str, ref: str, name: str | None, id_number: str | None, phone: str | None,
    cleared: tuple[str, ...],
) -> None:  # fmt: skip
    """Record (encrypted) the personal fields of an activity."""
    from ..services import personal as service

    values: dict[str, str | None] = {k: v for k, v in (("name", name), ("id_number", id_number), ("phone", phone)) if v}
    values.update(dict.fromkeys(cleared))
    cmd = command(ctx)
    names = service.record(cmd.context, cmd.actor, unit, ref, values)
    click.echo(f"recorded (encrypted): {', '.join(names)} / 已加密保存")


@personal.command("show")
@click.option("--unit", required=True)
@click.argument("ref")
@FORMAT
@click.pass_context
def personal_show(ctx: click.Context, unit: str, ref: str, fmt: str) -> None:
    """Show the personal fields in clear (recorded in the log as a reading of personal data)."""
    from dataclasses import asdict

    from ..services import personal as service

    cmd = command(ctx)
    view = service.show(cmd.context, cmd.actor, unit, ref)
    if fmt == "json":
        echo_json(asdict(view))
        return
    for v in view.values:
        click.echo(f"{v.label}：{v.value if v.state == 'clear' else service.STATE_LABELS[v.state]}")


@personal.command("shred")
@click.option("--unit", required=True)
@click.option("--reason", required=True, help="Why (e.g. the retention period ended).")
@click.pass_context
def personal_shred(ctx: click.Context, unit: str, reason: str) -> None:
    """Erase the unit's personal-data key: its values become unreadable; figures, roots and seals stay valid."""
    from ..services import personal as service

    cmd = command(ctx)
    done = service.shred(cmd.context, cmd.actor, unit, reason)
    if done.key is None:
        click.echo(f"unit {unit} has no personal-data key / 单位「{unit}」没有个人信息密钥")
        return
    click.echo(f"key {done.key} of unit {unit} erased / 已销毁密钥（备份中的副本随备份到期销毁）")
