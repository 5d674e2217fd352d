"""`taizhang report` (the year's figures as JSON, Markdown, DOCX or XLSX), `taizhang explain` (the activities behind
a figure) and `taizhang history` (every event of one activity)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import click

from .context import as_of as parse_as_of
from .context import command
from .options import FORMAT, echo_json


@click.command()
@click.option("--unit")
@click.option("--year", type=int)
@click.option("--as-of", "as_of", help="ISO-8601 instant: only events recorded by then count.")
@click.option("--seal", "seal_id", help="Print the report a seal froze, exactly (instead of --unit/--year).")
@click.option("--format", "fmt", type=click.Choice(["json", "md", "docx", "xlsx"]), default="json", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, writable=True), help="Write to this file instead of stdout.")
@click.option("--approximate", is_flag=True, help="docx: write counts ≥ 20 as 20余, 140余 … in the prose.")
@click.pass_context
def report(
    ctx: click.Context,
    unit: str | None,
    year: int | None,
    as_of: str | None,
    seal_id: str | None,
    fmt: str,
    output: str | None,
    approximate: bool = False,
) -> None:
    """一个单位（及其下级）的年度数据。

    The year's figures for a unit (and its descendants)."""
    from ..services import reads

    if not seal_id and (unit is None or year is None):
        raise click.UsageError("give --unit and --year (or --seal)")
    if fmt in ("docx", "xlsx") and not output:
        raise click.UsageError(f"--format {fmt} writes a file: give --output PATH")
    from projections.report_model import Report

    cmd = command(ctx)
    sealed: dict[str, Any] | None = None
    if seal_id:
        from ..services import audit

        sealed = audit.load_seal(cmd.context, cmd.actor, seal_id).report  # printed exactly as it was signed
        data = Report.from_json(sealed)
        stamp = datetime.fromisoformat(data.as_of)
    else:
        assert unit is not None and year is not None
        stamp = parse_as_of(as_of)
        data = reads.report(cmd.context, cmd.actor, unit, year, stamp)
    if fmt in ("docx", "xlsx"):
        # The documents name the seal they print.
        reads.document(cmd.context, data, fmt, str(output), stamp, approximate, seal=seal_id, actor=cmd.actor)
        click.echo(f"wrote {output} / 已生成 {output}")
        return
    if fmt == "json":
        text = json.dumps(sealed if sealed is not None else data.to_json(), ensure_ascii=False, indent=1) + "\n"
    else:
        from .. import render

        text = render.report_markdown(data)
    if output:
        with open(output, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        click.echo(text, nl=False)


@click.command()
@click.argument("figure")
@click.option("--unit", required=True)
@click.option("--year", required=True, type=int)
@click.option("--as-of", "as_of")
@FORMAT
@click.pass_context
def explain(ctx: click.Context, figure: str, unit: str, year: int, as_of: str | None, fmt: str) -> None:
    """一项指标背后的各项活动。

    The activities behind one figure."""
    from .. import render
    from ..services import reads

    cmd = command(ctx)
    found = reads.explained(cmd.context, cmd.actor, figure, unit, year, parse_as_of(as_of))
    if fmt == "json":
        extra = {"declaration": found.declaration} if found.declaration else {}
        out = {"figure": figure, **found.value.to_json(), **extra, "activities": found.activities}
        echo_json(out)
    else:
        head = render.declaration_text(found.declaration) if found.declaration else ""
        click.echo(head + render.explain_text(found.value, figure, found.activities), nl=False)


@click.command()
@click.option("--unit", required=True)
@click.argument("ref")
@FORMAT
@click.pass_context
def history(ctx: click.Context, unit: str, ref: str, fmt: str) -> None:
    """一项活动的全部事件：何时、由谁、记录了什么。

    Every event of one activity: when recorded, by whom, what changed, why."""
    from .. import render
    from ..services import reads

    cmd = command(ctx)
    rows = reads.history(cmd.context, cmd.actor, unit, ref)
    if fmt == "json":
        echo_json(rows)
    else:
        click.echo(render.history_text(unit, ref, rows, cmd.settings.tz), nl=False)
