"""`taizhang narrative`: the unit's own text for a section of the year's report."""

from __future__ import annotations

from typing import IO

import click

from .context import command

# The section codes are listed in domain/catalogue.py (REPORT_SECTIONS); checked there, not in --help, so
# that --help need not import the catalogue.


@click.command()
@click.option("--unit", required=True)
@click.option("--year", required=True, type=int)
@click.option("--section", help="Write this section's text (from FILE); the codes are listed without --section.")
@click.argument("file", type=click.File("r", encoding="utf-8"), required=False)
@click.pass_context
def narrative(ctx: click.Context, unit: str, year: int, section: str | None, file: IO[str] | None) -> None:
    """本单位为年度报告某一部分撰写的文字。

    The unit's own text for a section of the year's report (- reads stdin); without --section, list them."""
    from domain.catalogue import REPORT_SECTIONS

    from ..services import narratives

    if section is not None and section not in REPORT_SECTIONS:
        raise click.BadParameter(f"{section!r} is not one of {', '.join(REPORT_SECTIONS)}", param_hint="--section")
    cmd = command(ctx)
    if section is None:
        texts = narratives.narratives(cmd.context, cmd.actor, unit, year)
        for code, label in REPORT_SECTIONS.items():
            click.echo(f"## {label}（{code}）\n{texts.get(code, '（待填写）')}\n")
        return
    if file is None:
        raise click.UsageError("give the text as FILE (or - for stdin)")
    narratives.write_narrative(cmd.context, cmd.actor, unit, year, section, file.read())
    click.echo(f"recorded {REPORT_SECTIONS[section]} for {unit} {year} / 已记录")
