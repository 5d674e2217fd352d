"""`taizhang letterhead`: how the unit issues its year report (红头, 发文字号, 主送机关, attachments)."""

from __future__ import annotations

import click

from .context import command


@click.command()
@click.option("--unit", required=True)
@click.option("--year", required=True, type=int)
@click.option("--issuer", help="发文机关标志, e.g. 光华区城市更新中心文件 (empty: no 红头).")
@click.option("--number", help="发文字号, e.g. 卫城更〔2025〕33号 ([2025] is written 〔2025〕).")
@click.option("--to", "recipients", help="主送机关, e.g. 光华区人民政府.")
@click.option("--attachment", "attachments", multiple=True, help="Another attachment named in 附件说明 (repeatable).")
@click.option("--verification/--no-verification", default=None, help="Attach the 数据核验表 (default: yes).")
@click.option(
    "--order",
    type=click.Choice(["2019", "2025"]),
    help="Section order: 2019 (the 2019 regulation's, default) or 2025 (第一责任人 first, 人大监督 its own section).",
)
@click.pass_context
def letterhead(
    ctx: click.Context,
    unit: str,
    year: int,
    issuer: str | None,
    number: str | None,
    recipients: str | None,
    attachments: tuple[str, ...],
    verification: bool | None,
    order: str | None,
) -> None:
    """年度报告的红头、文号、主送机关和附件。

    The year report's 红头, 主送机关 and attachments; without options, print them."""
    from domain.report_settings import LABELS, ORDER_LABELS

    from ..services import report_settings

    given = {"issuer": issuer, "number": number, "recipients": recipients, "verification": verification, "order": order}
    changes = {k: v for k, v in given.items() if v is not None}
    if attachments:
        changes["attachments"] = list(attachments)
    cmd = command(ctx)
    current = report_settings.report_settings(cmd.context, cmd.actor, unit, year)
    if changes:  # the options given replace those settings; the others stay as they are
        current = report_settings.write_report_settings(
            cmd.context, cmd.actor, unit, year, {**current.values(), **changes}
        )
        click.echo(f"recorded the report settings of {unit} {year} / 已记录")
    for key, value in current.values().items():
        if key == "order":
            value = f"{value}（{ORDER_LABELS[value]}）"
        shown = (
            ("是" if value else "否")
            if isinstance(value, bool)
            else ("、".join(value) if isinstance(value, list) else value)
        )
        click.echo(f"{LABELS[key]}：{shown or '（无）'}")
