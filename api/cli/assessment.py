"""`taizhang assess ...`: indicator systems, score sheets, the assessor's table, the workbook and the bulletin."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from .context import as_of as parse_as_of
from .context import run
from .options import FORMAT, YEAR, as_of_option, echo_json, format_option


def _json(data: Any) -> None:
    echo_json(data, default=str)  # dates and decimals of sheets and drill-downs as their text


def system_options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option("--code", required=True, help="The indicator system's code.")(f)
    return click.option("--owner", required=True, help="The assessing (superior) unit.")(f)


def sheet_options(f: Callable[..., Any]) -> Callable[..., Any]:
    return system_options(click.option("--unit", required=True, help="The assessed unit.")(f))


def _sheet_text(sheet: Any) -> None:
    click.echo(
        f"{sheet.unit}（{sheet.category}）{sheet.to_json()['status_label']}："
        f"得分 {sheet.total:g} / {sheet.max_total:g}，"
        f"自评 {sheet.self_total:g}，已评 {sheet.scored}/{sheet.leaves}"
    )
    for line in sheet.lines:
        pad = "  " * (line.level - 1)
        final = "—" if line.final is None else f"{line.final:g}"
        extra = ""
        if line.leaf and line.figure:
            extra = f"  [{line.figure} = {line.value}]"
        if line.missing_evidence:
            extra += "  缺佐证材料"
        if line.wanted:
            extra += f"  需补充：{line.wanted}"
        click.echo(f"{pad}{line.code} {line.name}  {final}/{line.max:g}{extra}")


@click.group()
def assess() -> None:
    """考核：指标体系、评分表、考核评分、排名、工作簿和通报。

    考核: indicator systems (一级/二级/三级), score sheets, assessor's scores, ranking, workbook, bulletin."""


@assess.command("template")
@click.option("--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
def template(output: Path) -> None:
    """A blank indicator-system workbook (sheets 指标体系, 单位类别, 说明)."""
    from ..documents.assessment_xlsx import template as blank

    blank().save(output)
    click.echo(f"wrote {output}")


@assess.command("define")
@system_options
@YEAR
@click.option("--reason", default="", help="Why, when revising an existing system.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def define(ctx: click.Context, owner: str, code: str, year: int, reason: str, file: Path) -> None:
    """Define (or revise) a system from FILE: a JSON definition or an xlsx workbook (see `assess template`)."""
    from ..services import assessment as ax

    if file.suffix.lower() == ".xlsx":
        found = run(ctx, lambda c, a: ax.import_workbook(c, a, owner, code, year, file, reason))
    else:
        try:
            definition = json.loads(file.read_text(encoding="utf-8"))
        except ValueError as e:
            raise click.BadParameter(f"not JSON: {e}", param_hint="FILE") from None
        found = run(ctx, lambda c, a: ax.define(c, a, owner, code, year, definition, reason))
    full = "，".join(f"{label} {found.full_score(c):g} 分" for c, label in found.categories.items())
    click.echo(f"{found.name}：{len(found.indicators)} 项指标，满分 {full}（版本 {found.version}）")


@assess.command("assign")
@system_options
@click.argument("pairs", nargs=-1, required=True, metavar="UNIT=CATEGORY...")
@click.pass_context
def assign(ctx: click.Context, owner: str, code: str, pairs: tuple[str, ...]) -> None:
    """Name the assessed units and their categories."""
    from ..services import assessment as ax

    units = {}
    for pair in pairs:
        unit, sep, category = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"UNIT=CATEGORY, got {pair!r}", param_hint="PAIRS")
        units[unit] = category
    found = run(ctx, lambda c, a: ax.assign(c, a, owner, code, units))
    click.echo(f"{len(found.assessed)} 家单位参加考核")


@assess.command("show")
@system_options
@click.pass_context
def show(ctx: click.Context, owner: str, code: str) -> None:
    """The system as JSON: categories, full scores, indicators, assessed units."""
    from ..services import assessment as ax

    _json(run(ctx, lambda c, a: ax.system(c, a, owner, code)).to_json())


@assess.command("sheet")
@sheet_options
@as_of_option("ISO-8601 instant: the sheet as it stood then.")
@FORMAT
@click.pass_context
def sheet(ctx: click.Context, owner: str, code: str, unit: str, as_of: str | None, fmt: str) -> None:
    """A unit's score sheet: rule scores from the figures, self-assessment, assessor's scores, missing evidence."""
    from ..services import assessment as ax

    stamp = parse_as_of(as_of)
    found = run(ctx, lambda c, a: ax.sheet(c, a, owner, code, unit, stamp))
    _json(found.to_json()) if fmt == "json" else _sheet_text(found)


@assess.command("self")
@sheet_options
@click.option("--indicator", required=True)
@click.option("--score", type=float)
@click.option("--note", default="")
@click.pass_context
def self_assess(ctx: click.Context, owner: str, code: str, unit: str, indicator: str, score: float | None,
                note: str) -> None:  # fmt: skip
    """The unit's own score for a judgement indicator."""
    from ..services import assessment as ax

    _sheet_text(run(ctx, lambda c, a: ax.self_assess(c, a, owner, code, unit, indicator, score, note)))


@assess.command("evidence")
@sheet_options
@click.option("--indicator", required=True)
@click.option("--activity", help="unit/ref of an activity.")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--seal", help="A seal's id (taizhang seal).")
@click.pass_context
def evidence(ctx: click.Context, owner: str, code: str, unit: str, indicator: str, activity: str | None,
             path: Path | None, seal: str | None) -> None:  # fmt: skip
    """Evidence for one indicator: an activity, a file or a seal."""
    from ..services import assessment as ax

    link = None
    if activity is not None:
        a_unit, _, ref = activity.partition("/")
        if not ref:
            raise click.BadParameter("unit/ref", param_hint="--activity")
        link = (a_unit, ref)
    _sheet_text(
        run(ctx, lambda c, a: ax.add_evidence(c, a, owner, code, unit, indicator, activity=link, path=path, seal=seal))
    )


@assess.command("submit")
@sheet_options
@click.pass_context
def submit(ctx: click.Context, owner: str, code: str, unit: str) -> None:
    """Submit the unit's self-assessment to the assessor."""
    from ..services import assessment as ax

    _sheet_text(run(ctx, lambda c, a: ax.submit(c, a, owner, code, unit)))


@assess.command("score")
@sheet_options
@click.option("--indicator", required=True)
@click.option("--score", type=float, help="Omit to clear an override (the rule's score stands).")
@click.option("--comment", default="", help="The reason (required for a judgement or an override).")
@click.pass_context
def score(ctx: click.Context, owner: str, code: str, unit: str, indicator: str, score: float | None,
          comment: str) -> None:  # fmt: skip
    """The assessor's score and comment for one indicator."""
    from ..services import assessment as ax

    _sheet_text(run(ctx, lambda c, a: ax.assess(c, a, owner, code, unit, indicator, score, comment)))


@assess.command("return")
@sheet_options
@click.option("--want", "wants", multiple=True, metavar="INDICATOR=WHAT", help="Evidence wanted (repeat).")
@click.option("--reason", required=True)
@click.pass_context
def send_back(ctx: click.Context, owner: str, code: str, unit: str, wants: tuple[str, ...], reason: str) -> None:
    """Return the sheet to the unit for more evidence."""
    from ..services import assessment as ax

    wanted = dict(w.partition("=")[::2] for w in wants)
    _sheet_text(run(ctx, lambda c, a: ax.send_back(c, a, owner, code, unit, wanted, reason)))


@assess.command("final")
@sheet_options
@click.option("--reason", default="")
@click.pass_context
def final(ctx: click.Context, owner: str, code: str, unit: str, reason: str) -> None:
    """Fix the unit's final scores (kept with their digest; later corrections no longer move them)."""
    from ..services import assessment as ax

    _sheet_text(run(ctx, lambda c, a: ax.finalise(c, a, owner, code, unit, reason)))


@assess.command("table")
@system_options
@as_of_option()
@format_option("text", "json", "xlsx", "docx")
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help="For xlsx (scores) and docx (bulletin)."
)
@click.pass_context
def table(ctx: click.Context, owner: str, code: str, as_of: str | None, fmt: str, output: Path | None) -> None:
    """All assessed units: progress, ranking by category; --format xlsx the workbook, docx the bulletin."""
    from ..services import assessment as ax

    stamp = parse_as_of(as_of)
    if fmt in ("xlsx", "docx"):
        if output is None:
            raise click.UsageError("--output is required for xlsx and docx")
        make = ax.workbook if fmt == "xlsx" else ax.bulletin
        run(ctx, lambda c, a: make(c, a, owner, code, output, stamp))
        click.echo(f"wrote {output}")
        return
    found = run(ctx, lambda c, a: ax.table(c, a, owner, code, stamp))
    if fmt == "json":
        _json(found.to_json())
        return
    p = found.progress()
    click.echo(f"{found.system.name}：{p['units']} 家，自评中 {p['draft']}，待评审 {p['submitted']}，"
               f"退回 {p['returned']}，已定分 {p['final']}")  # fmt: skip
    for category, ranked in found.ranking.items():
        click.echo(f"{found.system.categories[category]}：")
        for r in ranked:
            click.echo(f"  {r.rank:>3}  {r.unit}  {r.total:g}")


@assess.command("drill")
@sheet_options
@click.option("--indicator", required=True)
@as_of_option()
@click.pass_context
def drill(ctx: click.Context, owner: str, code: str, unit: str, indicator: str, as_of: str | None) -> None:
    """The activities behind a rule-scored indicator's figure."""
    from ..services import assessment as ax

    stamp = parse_as_of(as_of)
    found = run(ctx, lambda c, a: ax.drill(c, a, owner, code, unit, indicator, stamp))
    if isinstance(found, list):
        _json([x.to_json() for x in found])
    else:
        _json({"figure": found.figure, "value": found.value, "activities": found.activities})


@assess.command("verify")
@sheet_options
@click.pass_context
def verify(ctx: click.Context, owner: str, code: str, unit: str) -> None:
    """Check a final sheet: digest, signature and key; exit 1 when something does not hold."""
    from ..services import assessment as ax

    found = run(ctx, lambda c, a: ax.verify_sheet(c, a, owner, code, unit))
    _json(found.__dict__)
    if not found.ok:
        ctx.exit(1)


@assess.command("history")
@sheet_options
@click.pass_context
def history(ctx: click.Context, owner: str, code: str, unit: str) -> None:
    """Every event of a unit's sheet: when, by whom, what, why."""
    from ..services import assessment as ax

    _json(run(ctx, lambda c, a: ax.history(c, a, owner, code, unit)))
