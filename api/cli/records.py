"""`taizhang record|step|correct|void`: one line at a time from the command line, with the same checks as a web
form or `POST /api/...` (services/writes.py: access, the ledger's validation, a correction that changes nothing
refused), so nobody has to write a JSON line by hand to fix a record."""

from __future__ import annotations

import json
from typing import Any

import click

from .context import command

FIELD_HELP = "字段=值，可重复，例如 -f attendees=20 -f form=中心组学习；值按 JSON 读（20、true、null），否则为文本。"


def _data(pairs: tuple[str, ...]) -> dict[str, Any]:
    """`name=value` pairs as the line's data: a value that is JSON (a number, true/false, null, a list) is read
    as such, anything else is text (the ledger accepts "20" for an integer and a code's Chinese label)."""
    data: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"须为「字段=值」，收到「{pair}」", param_hint="-f/--field")
        try:
            data[name.strip()] = json.loads(value)
        except ValueError:
            data[name.strip()] = value
    return data


def _write(ctx: click.Context, op: str, body: dict[str, Any], line: str | None, expect: int | None = None) -> None:
    import asyncio

    from ..services import writes

    cmd = command(ctx)
    if line:
        body = {"id": line, **body}
    out, replayed = asyncio.run(writes.write(cmd.context, cmd.actor, op, body, None, expect))
    cmd.caught_up()
    from ..render import local_stamp

    done = {"record": "已记录", "step": "已记录步骤", "correct": "已更正", "void": "已作废"}[op]
    stamp = local_stamp(out["recorded_at"], cmd.settings.tz)
    if replayed:
        done = "此行已记录过，未重复记录"
    what = f"版本 {out['version']}，{stamp}，{out['recorded_by']}，行 {out['id']}"
    click.echo(f"{done}：{body['unit']} / {body['ref']}（{what}）")


ID_OPTION = click.option("--id", "line", default=None, help="行编号（不填自动生成）；同一编号再次提交不会重复记录。")
UNIT_OPTION = click.option("--unit", required=True, help="单位代码。")
FIELDS_OPTION = click.option("-f", "--field", "fields", multiple=True, help=FIELD_HELP)


@click.command(help="录入一项活动：--kind 类别（代码或中文名称）、--ref 编号、--date 日期、-f 字段=值。")
@UNIT_OPTION
@click.option("--kind", required=True, help="活动类别，例如 study_session 或「学法/学习活动」。")
@click.option("--ref", required=True, help="本单位的编号（案号、编号……）。")
@click.option("--date", "day", required=True, help="日期，例如 2025-03-01、2025/3/1、2025年3月1日。")
@FIELDS_OPTION
@ID_OPTION
@click.pass_context
def record(
    ctx: click.Context, unit: str, kind: str, ref: str, day: str, fields: tuple[str, ...], line: str | None
) -> None:
    body = {"unit": unit, "kind": kind, "ref": ref, "date": day, "data": _data(fields)}
    _write(ctx, "record", body, line)


@click.command(help="为一项活动添加步骤（开庭、答复、办结……）：REF 活动编号，STEP 步骤（代码或中文名称）。")
@UNIT_OPTION
@click.argument("ref")
@click.argument("step_name", metavar="STEP")
@click.option("--date", "day", required=True, help="步骤日期。")
@FIELDS_OPTION
@click.option("--again", is_flag=True, help="同一天已有同名步骤时仍然记录（确是另一次，例如同一天两次开庭）。")
@ID_OPTION
@click.pass_context
def step(
    ctx: click.Context,
    unit: str,
    ref: str,
    step_name: str,
    day: str,
    fields: tuple[str, ...],
    again: bool,
    line: str | None,
) -> None:
    if not again and (label := _same_step_that_day(ctx, unit, ref, step_name, day)):
        from .refusals import fail

        fail(f"已有 {day.strip()} 的「{label}」：确是同一天的另一次，请加 --again 再运行；否则不必再记")
    body: dict[str, Any] = {"unit": unit, "ref": ref, "step": step_name, "date": day}
    if fields:
        body["data"] = _data(fields)
    _write(ctx, "step", body, line)


@click.command(help="更正一项活动：--reason 原因（必填），--date 新日期和/或 -f 字段=新值（-f 字段=null 清空）。")
@UNIT_OPTION
@click.argument("ref")
@click.option("--reason", required=True, help="更正原因。")
@click.option("--date", "day", default=None, help="新的日期。")
@FIELDS_OPTION
@click.option("--expect-version", type=int, default=None, help="只在活动仍是这个版本时更正（防止覆盖他人的修改）。")
@ID_OPTION
@click.pass_context
def correct(
    ctx: click.Context,
    unit: str,
    ref: str,
    reason: str,
    day: str | None,
    fields: tuple[str, ...],
    expect_version: int | None,
    line: str | None,
) -> None:
    if day is None and not fields:
        raise click.UsageError("请用 --date 或 -f 字段=值 给出要更正的内容")
    body: dict[str, Any] = {"unit": unit, "ref": ref, "reason": reason}
    if day is not None:
        body["date"] = day
    if fields:
        body["data"] = _data(fields)
    _write(ctx, "correct", body, line, expect_version)


@click.command(help="作废一项活动，或用 --step 步骤名称（及 --step-date 日期）作废其中一个步骤；--reason 原因必填。")
@UNIT_OPTION
@click.argument("ref")
@click.option("--reason", required=True, help="作废原因。")
@click.option("--step", "step_name", default=None, help="只作废这个步骤（代码或中文名称）。")
@click.option("--step-date", default=None, help="同名步骤有多个时，要作废的那一个的日期。")
@ID_OPTION
@click.pass_context
def void(
    ctx: click.Context, unit: str, ref: str, reason: str, step_name: str | None, step_date: str | None, line: str | None
) -> None:
    body: dict[str, Any] = {"unit": unit, "ref": ref, "reason": reason}
    if step_name:
        body["target"] = _step_target(ctx, unit, ref, step_name, step_date)
    _write(ctx, "void", body, line)


def _same_step_that_day(ctx: click.Context, unit: str, ref: str, name: str, day: str) -> str | None:
    """The label of a live step of this name on this date (see `reads.same_step_on_day`), or None; an activity
    the ledger will refuse anyway is left to it."""
    from domain.errors import DomainError

    from ..services import reads
    from ..services.refusals import Refused

    cmd = command(ctx)
    try:
        found = reads.activity(cmd.context, cmd.actor, unit, ref)
    except (Refused, DomainError):
        return None
    return reads.same_step_on_day(found, name, day)


def _step_target(ctx: click.Context, unit: str, ref: str, name: str, day: str | None) -> str:
    """The id of the live step the user means, named by its name (or label) and, where needed, its date."""
    from domain.catalogue import KINDS

    from ..services import reads

    cmd = command(ctx)
    found = reads.activity(cmd.context, cmd.actor, unit, ref)
    kind = KINDS[found["kind"]]
    names = {s.name for s in kind.steps if name in (s.name, s.label)}
    live = [s for s in found["steps"] if s["step"] in names and not s["voided"]]
    if day:
        live = [s for s in live if s["date"] == day.strip()]
    label = next((s.label for s in kind.steps if s.name in names), name)
    if not live:
        raise click.BadParameter(
            f"活动「{ref}」没有未作废的「{label}」步骤" + (f"（{day}）" if day else ""), param_hint="--step"
        )
    if len(live) > 1 and day:
        # Several on that very day (a double entry confirmed with --again): the last one recorded.
        click.echo(f"「{label}」在 {day.strip()} 有 {len(live)} 个，作废最后记录的那一个", err=True)
        return str(live[-1]["id"])
    if len(live) > 1:
        dates = "、".join(s["date"] for s in live)
        raise click.BadParameter(
            f"「{label}」步骤有 {len(live)} 个（{dates}）：请用 --step-date 指明", param_hint="--step"
        )
    return str(live[0]["id"])
