"""The `taizhang` command (DOMAIN.md §5)."""

from __future__ import annotations

import contextlib
import json
import sys
import time
from datetime import UTC, datetime
from typing import IO, Any

import click

from domain.demo import DEMO_UNIT, demo_lines, demo_note, demo_years
from domain.ledger import Ledger, LineError
from domain.validation import json_number
from projections.figures import BY_ID
from projections.readmodel import ReadModel, ReadModelStale
from projections.report import UnknownUnit

from . import render
from .config import Settings
from .console import progress_bar


def _settings(ctx: click.Context) -> Settings:
    return Settings.from_env(user=ctx.obj.get("by"))


# Exit status when what was asked was done or nothing needed writing, but the figures could not be brought up to
# date with the event log (an import's lines are committed; a report is refused rather than shown out of date).
STALE_EXIT = 3


def _caught_up(settings: Settings, ledger: Ledger, committed: str = "") -> ReadModel:
    """The read model, current with the log; or exit STALE_EXIT saying what happened to the data."""
    model = settings.read_model()
    behind = ledger.recorder.max_notification_id() or 0
    try:
        # A failure is retried on a fresh connection just below, then reported.
        with progress_bar("投影 projecting", max(behind - model.position(), 0)) as advance, contextlib.suppress(
            Exception
        ):
            model.catch_up(ledger.recorder, progress=advance)
        model.bring_up_to_date(ledger.recorder)
    except ReadModelStale as e:
        model.close()
        _fail(committed + str(e), STALE_EXIT)
    return model


def _as_of(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"not an ISO-8601 instant: {value!r}", param_hint="--as-of") from None
    if problem := render.as_of_problem(stamp):
        raise click.BadParameter(problem, param_hint="--as-of")
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def _fail(message: str, code: int = 2) -> None:
    click.echo(message, err=True)
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--by", envvar="TAIZHANG_USER", help="Who is recording (default: your login name).")
@click.pass_context
def main(ctx: click.Context, by: str | None) -> None:
    """台账 taizhang — the rule-of-law work ledger. Data lives in $TAIZHANG_HOME (default ./taizhang-data)."""
    ctx.obj = {"by": by}


def json_line(text: str) -> tuple[Any, str | None]:
    """One line's JSON value, or why it is not JSON: a syntax error, nesting too deep for the parser (its
    recursion limit) or an integer too long to convert (Python's 4,300-digit limit) are the same kind of error."""
    try:
        return json.loads(text, parse_float=json_number), None  # money exact (DOMAIN.md §7.1)
    except json.JSONDecodeError as e:
        return None, f"不是有效的 JSON：{e.msg}（第 {e.colno} 列）"
    except RecursionError:
        return None, "不是有效的 JSON：嵌套层次过深"
    except ValueError:
        return None, f"不是有效的 JSON：整数位数过多（最多 {sys.get_int_max_str_digits()} 位）"


def read_lines(stream: IO[str]) -> tuple[list[tuple[int, Any]], list[LineError]]:
    # Bytes that are not UTF-8 become lone surrogates instead of a traceback: the ledger refuses them, naming
    # the line and the field they are in.
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="surrogateescape")
    lines, errors = [], []
    for number, text in enumerate(stream, start=1):
        if not text.strip():
            continue
        value, problem = json_line(text)
        if problem:
            errors.append(LineError(number, "json", problem))
        else:
            lines.append((number, value))
    return lines, errors


COMMITTED = "the import is committed, but the figures could not be updated / 导入已保存，但"


def apply_lines(settings: Settings, lines: list[tuple[int, Any]], errors: list[LineError]) -> Ledger:
    ledger = settings.ledger()
    if not errors:
        with progress_bar("校验 validating", len(lines)) as advance:
            outcome = ledger.apply(lines, settings.user, progress=advance)
        errors = outcome.errors
    if errors:
        for err in errors:
            click.echo(str(err), err=True)
        _fail(f"rejected: {len(errors)} error(s), nothing applied / 共 {len(errors)} 处错误，未导入任何内容")
    click.echo(
        f"applied {outcome.applied}, skipped {outcome.skipped} (already applied)"
        f" / 导入 {outcome.applied} 行，跳过 {outcome.skipped} 行"
    )
    return ledger


@main.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.pass_context
def import_(ctx: click.Context, file: IO[str]) -> None:
    """Import a JSON Lines file (- for stdin) or a filled-in template workbook (.xlsx): all lines or none."""
    if file.name.lower().endswith(".xlsx"):
        file.close()
        from .documents_cli import import_workbook

        return import_workbook(ctx, file.name)
    settings = _settings(ctx)
    lines, errors = read_lines(file)
    ledger = apply_lines(settings, lines, errors)
    _caught_up(settings, ledger, COMMITTED).close()


@main.command()
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
    """The year's figures for a unit (and its descendants)."""
    settings = _settings(ctx)
    if seal_id:
        data = audit_cli.load_seal(settings.ledger(), seal_id).report
        if fmt in ("docx", "xlsx"):
            data = {**data, "seal": seal_id}  # the documents name the seal they print
    elif unit is None or year is None:
        raise click.UsageError("give --unit and --year (or --seal)")
    else:
        with _caught_up(settings, settings.ledger()) as model:
            try:
                data = model.report(unit, year, _as_of(as_of))
            except UnknownUnit:
                _fail(f"unit: 单位「{unit}」不存在")
    if fmt in ("docx", "xlsx"):
        from .documents_cli import write_document

        stamp = datetime.fromisoformat(data["as_of"]) if seal_id else _as_of(as_of)
        return write_document(settings, data, fmt, output, stamp, approximate)
    text = json.dumps(data, ensure_ascii=False, indent=1) + "\n" if fmt == "json" else render.report_markdown(data)
    if output:
        with open(output, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        click.echo(text, nl=False)


@main.command()
@click.argument("figure")
@click.option("--unit", required=True)
@click.option("--year", required=True, type=int)
@click.option("--as-of", "as_of")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def explain(ctx: click.Context, figure: str, unit: str, year: int, as_of: str | None, fmt: str) -> None:
    """The activities behind one figure."""
    unknown = f"figure: 未知指标「{figure}」，可选：{', '.join(BY_ID)}，或本单位及上级单位声明的 local. 指标"
    if figure not in BY_ID and not figure.startswith("local."):
        _fail(unknown)
    settings = _settings(ctx)
    with _caught_up(settings, settings.ledger()) as model:
        try:
            stamp = _as_of(as_of)
            # A declared code: the declaration the report uses (§8.7); none applying is an unknown figure.
            used = None if figure in BY_ID else model.declaration(figure, unit, stamp)
            if figure not in BY_ID and used is None:
                _fail(unknown)
            data = model.report(unit, year, stamp)["figures"][figure]
            rows = model.explain(figure, unit, year, stamp)
        except UnknownUnit:
            _fail(f"unit: 单位「{unit}」不存在")
    declaration = render.declaration_of(used) if used is not None else None
    if fmt == "json":
        extra = {"declaration": declaration} if declaration else {}
        click.echo(json.dumps({"figure": figure, **data, **extra, "activities": rows}, ensure_ascii=False, indent=1))
    else:
        head = render.declaration_text(declaration) if declaration else ""
        click.echo(head + render.explain_text(data, figure, rows), nl=False)


@main.command()
@click.option("--unit", required=True)
@click.argument("ref")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def history(ctx: click.Context, unit: str, ref: str, fmt: str) -> None:
    """Every event of one activity: when recorded, by whom, what changed, why."""
    events = _settings(ctx).ledger().history(unit, ref)
    if not events:
        _fail(f"ref: 单位「{unit}」没有编号为「{ref}」的活动")
    rows = render.history_rows(events)
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        click.echo(render.history_text(unit, ref, rows), nl=False)


@main.command()
@click.pass_context
def rebuild(ctx: click.Context) -> None:
    """Throw the read model away and rebuild it from the event log."""
    settings = _settings(ctx)
    ledger = settings.ledger()
    started = time.perf_counter()
    with settings.fresh_read_model() as model:
        total = ledger.recorder.max_notification_id() or 0
        with progress_bar("重建 rebuilding", total) as advance:
            n = model.catch_up(ledger.recorder, progress=advance)
    seconds = time.perf_counter() - started
    click.echo(f"rebuilt from {n} events in {seconds:.2f} s / 已从 {n} 个事件重建")


@main.command()
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md", show_default=True)
@click.pass_context
def demo(ctx: click.Context, fmt: str) -> None:
    """Fill the ledger with a fictional 光华区 (two centres, a street, its 执法队; every kind); print its report."""
    settings = _settings(ctx)
    ledger = settings.ledger()
    lines = list(enumerate(demo_lines(ledger.today()), start=1))
    ledger = apply_lines(settings, lines, [])
    year = demo_years(ledger.today())[1]
    with _caught_up(settings, ledger) as model:
        data = model.report(DEMO_UNIT, year)
    click.echo(demo_note(ledger.today()), err=True)
    click.echo(json.dumps(data, ensure_ascii=False, indent=1) if fmt == "json" else render.report_markdown(data))


from . import audit_cli, documents_cli, project_cli, serve_cli  # noqa: E402,F401  (register the other commands on `main`)

if __name__ == "__main__":
    main()
