"""`taizhang import` (a JSON Lines file or a filled-in template workbook, all lines or none), `taizhang template`
(the import template) and `taizhang demo` (a fictional centre's two years)."""

from __future__ import annotations

import json
from typing import IO, Any

import click

from .context import Command, command
from .refusals import COMMITTED


def applied(
    cmd: Command,
    lines: list[tuple[int, Any]],
    where: dict[int, str] | None = None,
    broken: list[Any] | None = None,
    explain: Any = None,
    late_reason: str | None = None,
) -> None:
    """Apply lines as the command's user through the services (same checks as the web), print the outcome,
    and fold them into the read model so the next command finds it current."""
    import asyncio  # the services' writes are coroutines (the web awaits its group committer)

    from ..services.refusals import Refused
    from ..services.writes import import_lines

    try:
        outcome = asyncio.run(import_lines(cmd.context, cmd.actor, lines, broken, late_reason=late_reason))
    except Refused as e:
        if explain is not None:
            explain(e.errors)
        if where is not None:
            for err in e.errors:
                err["where"] = where.get(err.get("line"), "workbook")  # type: ignore[arg-type]
        raise
    click.echo(
        f"applied {outcome.applied}, skipped {outcome.skipped} (already applied)"
        f" / 导入 {outcome.applied} 行，跳过 {outcome.skipped} 行"
    )
    cmd.caught_up(COMMITTED)


@click.command("import")
@click.argument("file", type=click.File("rb"))
@click.option(
    "--correct-changed",
    "reason",
    default=None,
    help="工作簿中以前导入过、之后改动的行作为更正导入，REASON 为更正原因。"
    " Rows of a workbook changed since an earlier import become corrections with this reason.",
)
@click.option(
    "--late-reason",
    help="报后更正: why lines change a year whose report was approved (locked); recorded with each such line.",
)
@click.pass_context
def import_(ctx: click.Context, file: IO[bytes], reason: str | None, late_reason: str | None) -> None:
    """导入 JSON Lines 文件（- 表示标准输入）或填好的导入模板工作簿。

    Import a JSON Lines file (- for stdin) or a filled-in template workbook (.xlsx): all lines or none."""
    from pathlib import Path

    from ..services.writes import explain_changed_rows, jsonl_read, rows_as_corrections, workbook_lines

    cmd = command(ctx)
    if str(getattr(file, "name", "")).lower().endswith(".xlsx"):
        file.close()
        lines, where = workbook_lines(cmd.context, cmd.actor, Path(file.name))
        if reason and reason.strip():
            lines, _ = rows_as_corrections(cmd.context, lines, reason.strip())
        return applied(
            cmd,
            lines,
            where,
            explain=lambda errors: explain_changed_rows(cmd.context, lines, errors),
            late_reason=late_reason,
        )
    found = jsonl_read(file.read())
    applied(cmd, found.lines, broken=found.broken, late_reason=late_reason)


@click.command("template")
@click.option("--output", required=True, type=click.Path(dir_okay=False, writable=True), help="The .xlsx to write.")
def template_(output: str) -> None:
    """生成导入模板工作簿。

    Write the import template workbook (units, one sheet per kind, steps); fill it in, then `import` it."""
    from pathlib import Path

    from ..services.writes import import_template

    import_template(Path(output))
    click.echo(f"wrote {output} / 已生成导入模板 {output}")


@click.command()
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md", show_default=True)
@click.pass_context
def demo(ctx: click.Context, fmt: str) -> None:
    """用虚构的光华区演示数据填充台账。

    Fill the ledger with a fictional 光华区 (two centres, a street, its 执法队; every kind); print its report.
    Run again on a ledger that has it (another day's demo would be other lines under the same ids): nothing is
    written, one line says so, and the report of the year it was loaded for is printed."""
    from domain.demo import DEMO_CODES, DEMO_FIRST_LINE, DEMO_UNIT, demo_lines, demo_note, demo_years

    from .. import render
    from ..services import reads

    cmd = command(ctx)
    today = cmd.ledger.today()
    if cmd.ledger.has_line(DEMO_FIRST_LINE):
        year = _demo_year(cmd, DEMO_CODES) or demo_years(today)[1]
        click.echo(
            f"本台账已有演示数据（{year} 年度），未重复写入 / the demo is already in this ledger: nothing written"
        )
    else:
        year = demo_years(today)[1]
        applied(cmd, list(enumerate(demo_lines(today), start=1)))
        click.echo(demo_note(today), err=True)
    data = reads.report(cmd.context, cmd.actor, DEMO_UNIT, year, None)
    text = json.dumps(data.to_json(), ensure_ascii=False, indent=1) if fmt == "json" else render.report_markdown(data)
    click.echo(text)


def _demo_year(cmd: Command, units: tuple[str, ...]) -> int | None:
    """The year the demo on the ledger reports: the latest year of its activities (demo_lines keeps every date
    within the reported year)."""
    found = (
        cmd.caught_up()
        .con.execute("SELECT max(year(date)) FROM act WHERE list_contains($units, unit)", {"units": list(units)})
        .fetchall()
    )
    return int(found[0][0]) if found and found[0][0] is not None else None
