"""`taizhang issue ...`: rectification (整改) issues from registration to sign-off (销号), reminders and rates."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import click

from .context import as_of as parse_as_of
from .context import run
from .options import FORMAT, YEAR, as_of_option, echo_json

SOURCE_HELP = (
    "supervision 督察 | patrol 巡察 | audit 审计 | inspection 专项检查 | reconsideration 复议纠错 | "
    "litigation 诉讼败诉 | notice 上级通报 | self 自查发现"
)  # fmt: skip  (checked in domain/rectification.py)


def _date(value: str | None, hint: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"not a date (YYYY-MM-DD): {value!r}", param_hint=hint) from None


def _echo(found: Any, fmt: str = "json") -> None:
    from ..services.rectification import IssueView

    if isinstance(found, list):
        data = [f.to_json() for f in found]
    elif isinstance(found, IssueView):
        data = found.to_json()
    else:
        data = found
    if fmt == "json":
        echo_json(data)
        return
    for row in data if isinstance(data, list) else [data]:
        click.echo(
            f"[{row['status_label']}] {row['issuer']}/{row['ref']} → {row['owner']} 期限 {row['deadline']}"
            f"（{row['source_label']}）{row['title']}"
            + (f" 反弹 {row['recurrences']} 次" if row["recurrences"] else "")
        )


ISSUER = click.option("--issuer", required=True, help="The issuing unit (交办单位).")
REF = click.argument("ref")


@click.group()
def issue() -> None:
    """整改：督察、巡察、审计、检查发现的问题，跟踪到发现单位销号。

    整改: issues from 督察, 巡察, audits, inspections… tracked to sign-off by the issuing unit."""


@issue.command("register")
@ISSUER
@REF
@click.option("--owner", required=True, help="The unit that must rectify (the issuer or a descendant).")
@click.option("--source", required=True, help=SOURCE_HELP)
@click.option("--title", required=True)
@click.option("--detail", default="")
@click.option("--found-on", help="YYYY-MM-DD (default today).")
@click.option("--deadline", required=True, help="YYYY-MM-DD: 整改期限.")
@click.pass_context
def register(ctx: click.Context, issuer: str, ref: str, owner: str, source: str, title: str, detail: str,
             found_on: str | None, deadline: str) -> None:  # fmt: skip
    """Register an issue and assign it to its owner unit."""
    from ..services import rectification as rect

    draft = rect.IssueDraft(
        ref,
        owner,
        title,
        _date(deadline, "--deadline"),
        source,
        detail,
        _date(found_on, "--found-on"),  # type: ignore[arg-type]
    )
    _echo(run(ctx, lambda c, a: rect.register(c, a, issuer, draft)))


@issue.command("from-inspection")
@click.option("--unit", required=True, help="The inspecting unit (the issuer).")
@click.argument("inspection")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.pass_context
def from_inspection(ctx: click.Context, unit: str, inspection: str, file: Any) -> None:
    """Register every issue an inspection activity found, all or none. FILE (- = stdin): a JSON list of
    {"ref", "owner", "title", "deadline", "detail"?}."""
    from ..services import rectification as rect

    try:
        items = json.load(file)
        drafts = [
            rect.IssueDraft(
                i["ref"], i["owner"], i["title"], date.fromisoformat(i["deadline"]), "inspection", i.get("detail", "")
            )  # fmt: skip
            for i in items
        ]
    except (ValueError, KeyError, TypeError) as e:
        problem = f"a JSON list of issues with ref, owner, title, deadline: {e}"
        raise click.BadParameter(problem, param_hint="FILE") from None
    _echo(run(ctx, lambda c, a: rect.register_from_inspection(c, a, unit, inspection, drafts)))


@issue.command("plan")
@ISSUER
@REF
@click.option("--measures", required=True, help="整改措施.")
@click.pass_context
def plan(ctx: click.Context, issuer: str, ref: str, measures: str) -> None:
    """The owner unit's measures (整改措施)."""
    from ..services import rectification as rect

    _echo(run(ctx, lambda c, a: rect.plan(c, a, issuer, ref, measures)))


@issue.command("evidence")
@ISSUER
@REF
@click.option("--activity", help="unit/ref of an activity in the ledger.")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def evidence(ctx: click.Context, issuer: str, ref: str, activity: str | None, path: Path | None) -> None:
    """Evidence of rectification: an activity (--activity unit/ref) or a file (--file)."""
    from ..services import rectification as rect

    if (activity is None) == (path is None):
        raise click.UsageError("give exactly one of --activity unit/ref or --file PATH")
    if activity is not None:
        unit, _, aref = activity.partition("/")
        if not aref:
            raise click.BadParameter("unit/ref", param_hint="--activity")
        _echo(run(ctx, lambda c, a: rect.link_activity(c, a, issuer, ref, unit, aref)))
    else:
        _echo(run(ctx, lambda c, a: rect.attach_file(c, a, issuer, ref, path)))  # type: ignore[arg-type]


@issue.command("complete")
@ISSUER
@REF
@click.option("--on", help="YYYY-MM-DD (default today).")
@click.option("--summary", required=True, help="整改情况.")
@click.pass_context
def complete(ctx: click.Context, issuer: str, ref: str, on: str | None, summary: str) -> None:
    """The owner reports the rectification done (needs measures and evidence)."""
    from ..services import rectification as rect

    _echo(run(ctx, lambda c, a: rect.complete(c, a, issuer, ref, _date(on, "--on"), summary)))


@issue.command("deadline")
@ISSUER
@REF
@click.option("--to", "deadline", required=True, help="YYYY-MM-DD.")
@click.option("--reason", required=True)
@click.pass_context
def move_deadline(ctx: click.Context, issuer: str, ref: str, deadline: str, reason: str) -> None:
    """The issuer moves the deadline, with a reason."""
    from ..services import rectification as rect

    day = _date(deadline, "--to")
    _echo(run(ctx, lambda c, a: rect.move_deadline(c, a, issuer, ref, day, reason)))  # type: ignore[arg-type]


@issue.command("verify")
@ISSUER
@REF
@click.option("--pass/--fail", "passed", required=True, help="--pass signs off (销号); --fail returns it.")
@click.option("--reason", required=True, help="验收意见.")
@click.option("--on", help="YYYY-MM-DD (default today).")
@click.pass_context
def verify(ctx: click.Context, issuer: str, ref: str, passed: bool, reason: str, on: str | None) -> None:
    """The issuer verifies: --pass signs the issue off (销号), --fail returns it to the owner."""
    from ..services import rectification as rect

    _echo(run(ctx, lambda c, a: rect.verify(c, a, issuer, ref, passed, reason, _date(on, "--on"))))


@issue.command("reopen")
@ISSUER
@REF
@click.option("--reason", required=True)
@click.option("--on", help="YYYY-MM-DD (default today).")
@click.option("--deadline", help="A new deadline, YYYY-MM-DD.")
@click.pass_context
def reopen(ctx: click.Context, issuer: str, ref: str, reason: str, on: str | None, deadline: str | None) -> None:
    """The problem recurred (问题反弹): reopen a signed-off issue."""
    from ..services import rectification as rect

    _echo(run(ctx, lambda c, a: rect.reopen(c, a, issuer, ref, reason, _date(on, "--on"),
                                             _date(deadline, "--deadline"))))  # fmt: skip


@issue.command("show")
@ISSUER
@REF
@click.pass_context
def show(ctx: click.Context, issuer: str, ref: str) -> None:
    """One issue with its every event: when, by whom, what, why."""
    from ..services import rectification as rect

    _echo(run(ctx, lambda c, a: rect.issue(c, a, issuer, ref)))


@issue.command("list")
@click.option("--unit", required=True, help="Issues this unit or its descendants issued or own.")
@click.option("--status", help="open | in_progress | completed | signed_off")
@as_of_option()
@FORMAT
@click.pass_context
def list_(ctx: click.Context, unit: str, status: str | None, as_of: str | None, fmt: str) -> None:
    """The issue list, as it stood at any instant."""
    from ..services import rectification as rect

    stamp = parse_as_of(as_of)
    _echo(run(ctx, lambda c, a: rect.issues(c, a, unit, stamp, status)), fmt)


@issue.command("figures")
@click.option("--unit", required=True)
@YEAR
@as_of_option()
@click.pass_context
def figures(ctx: click.Context, unit: str, year: int, as_of: str | None) -> None:
    """整改完成率, 整改超期率, 问题反弹 for the issues the unit and its descendants own, found in YEAR."""
    from ..services import rectification as rect

    stamp = parse_as_of(as_of)
    found = run(ctx, lambda c, a: rect.figures(c, a, unit, year, stamp))
    _echo({"unit": unit, "year": year, "figures": {k: v.to_json() for k, v in found.items()}})


@issue.command("reminders")
@click.option("--unit", required=True)
@click.option("--within", default=14, show_default=True, type=click.IntRange(0, 366), help="Days ahead.")
@as_of_option("ISO-8601 instant: the day to remind as of.")
@FORMAT
@click.pass_context
def reminders(ctx: click.Context, unit: str, within: int, as_of: str | None, fmt: str) -> None:
    """Per owner unit: issues due within --within days (before the deadline) or overdue (after it)."""
    from ..services import rectification as rect

    stamp = parse_as_of(as_of)
    found = run(ctx, lambda c, a: rect.reminders(c, a, unit, within, stamp))
    if fmt == "json":
        _echo({u: [r.to_json() for r in rs] for u, rs in found.items()})
        return
    if not found:
        click.echo(f"{unit}：没有 {within} 日内到期或已超期的整改问题")
    for owner, items in found.items():
        click.echo(f"{owner}：")
        for r in items:
            left = f"剩余 {r.days_left} 日" if r.days_left >= 0 else f"超期 {-r.days_left} 日"
            state = "已超期" if r.state == "overdue" else "即将到期"
            click.echo(f"  [{state}] {r.deadline.isoformat()}（{left}）{r.issuer}/{r.ref} {r.title}")
