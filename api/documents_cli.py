"""Year-end document commands: report documents (docx/xlsx), the import template, workbook import, deadlines."""

from __future__ import annotations

import json
from datetime import datetime
from typing import IO, Any

import click

from domain.catalogue import REPORT_SECTIONS
from domain.errors import DomainError
from projections.deadlines import STATUS_LABELS, open_deadlines
from projections.report import UnknownUnit

from .cli import COMMITTED, _as_of, _caught_up, _fail, _settings, main
from .config import Settings
from .console import progress_bar
from .documents import write_report
from .documents.xlsx_import import read_workbook, template


def write_document(
    settings: Settings, data: dict[str, Any], fmt: str, output: str | None, as_of: datetime | None, approx: bool
) -> None:
    """`report --format docx|xlsx`: the document of a report computed (or sealed) as of `as_of`."""
    if not output:
        raise click.UsageError(f"--format {fmt} writes a file: give --output PATH")
    ledger = settings.ledger()
    narratives = ledger.narratives(data["unit"], data["year"])
    with _caught_up(settings, ledger) as model:
        try:
            write_report(model, data, fmt, output, as_of, approx, narratives)
        except UnknownUnit:
            _fail(f"unit: 单位「{data['unit']}」不存在")
    click.echo(f"wrote {output} / 已生成 {output}")


def import_workbook(ctx: click.Context, path: str) -> None:
    """`import book.xlsx`: the template's sheets as interchange lines, applied all-or-nothing."""
    settings = _settings(ctx)
    ledger = settings.ledger()

    def kind_of(unit: str, ref: str) -> str | None:
        found = ledger.activity(unit, ref)
        return found.kind if found is not None else None

    try:
        lines, where = read_workbook(path, kind_of)
    except (OSError, ValueError, KeyError) as e:  # not a workbook, or not one openpyxl can read
        _fail(f"file: 无法读取 Excel 工作簿 {path}：{e}")
    with progress_bar("校验 validating", len(lines)) as advance:
        outcome = ledger.apply(lines, settings.user, progress=advance)
    if outcome.errors:
        for err in outcome.errors:
            click.echo(f"{where.get(err.line, 'workbook')}: {err.field}: {err.message}", err=True)
        n = len(outcome.errors)
        _fail(f"rejected: {n} error(s), nothing applied / 共 {n} 处错误，未导入任何内容")
    click.echo(
        f"applied {outcome.applied}, skipped {outcome.skipped} (already applied)"
        f" / 导入 {outcome.applied} 行，跳过 {outcome.skipped} 行"
    )
    _caught_up(settings, ledger, COMMITTED).close()


@main.command("template")
@click.option("--output", required=True, type=click.Path(dir_okay=False, writable=True), help="The .xlsx to write.")
def template_(output: str) -> None:
    """Write the import template workbook (units, one sheet per kind, steps); fill it in, then `import` it."""
    template().save(output)
    click.echo(f"wrote {output} / 已生成导入模板 {output}")


@main.command()
@click.option("--unit", required=True)
@click.option("--as-of", "as_of", help="ISO-8601 instant: the ledger and the day as of then.")
@click.option("--within", default=15, show_default=True, type=click.IntRange(0, 366), help="Days ahead: due soon.")
@click.option("--all", "show_all", is_flag=True, help="Also list open items not yet due soon.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def deadlines(ctx: click.Context, unit: str, as_of: str | None, within: int, show_all: bool, fmt: str) -> None:
    """Statutory deadlines overdue or due soon: 信访 acknowledgment and conclusion, 依申请公开, 建议提案."""
    settings = _settings(ctx)
    stamp = _as_of(as_of)
    with _caught_up(settings, settings.ledger()) as model:
        try:
            today, items = open_deadlines(model.con, unit, stamp, model.tz, within)
        except UnknownUnit:
            _fail(f"unit: 单位「{unit}」不存在")
    shown = [d for d in items if show_all or d.status != "open"]
    if fmt == "json":
        out = {"unit": unit, "today": today.isoformat(), "within": within, "items": [d.to_json() for d in shown]}
        click.echo(json.dumps(out, ensure_ascii=False, indent=1))
        return
    counts = {s: sum(d.status == s for d in items) for s in STATUS_LABELS}
    click.echo(
        f"{unit} 截至 {today.isoformat()}：已超期 {counts['overdue']} 项，{within} 日内到期 {counts['due_soon']} 项"
        + (f"，无法计算 {counts['unknown']} 项" if counts["unknown"] else "")
    )
    for d in shown:
        due = d.due.isoformat() if d.due else "—"
        left = (
            ""
            if d.days_left is None
            else f"（剩余 {d.days_left} 日）"
            if d.days_left >= 0
            else f"（超期 {-d.days_left} 日）"
        )
        click.echo(
            f"  [{STATUS_LABELS[d.status]}] {due}{left} {d.unit}/{d.ref} {d.what}" + (f" {d.note}" if d.note else "")
        )


@main.command()
@click.option("--unit", required=True)
@click.option("--year", required=True, type=int)
@click.option("--section", type=click.Choice(list(REPORT_SECTIONS)), help="Write this section's text (from FILE).")
@click.argument("file", type=click.File("r", encoding="utf-8"), required=False)
@click.pass_context
def narrative(ctx: click.Context, unit: str, year: int, section: str | None, file: IO[str] | None) -> None:
    """The unit's own text for a section of the year's report (- reads stdin); without --section, list them."""
    settings = _settings(ctx)
    ledger = settings.ledger()
    if section is None:
        texts = ledger.narratives(unit, year)
        for code, label in REPORT_SECTIONS.items():
            click.echo(f"## {label}（{code}）\n{texts.get(code, '（待填写）')}\n")
        return
    if file is None:
        raise click.UsageError("give the text as FILE (or - for stdin)")
    try:
        ledger.write_narrative(unit, year, section, file.read(), settings.user)
    except DomainError as e:
        _fail(str(e))
    click.echo(f"recorded {REPORT_SECTIONS[section]} for {unit} {year} / 已记录")
