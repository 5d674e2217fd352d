"""`taizhang deadlines`: statutory deadlines overdue or due soon."""

from __future__ import annotations

import click

from .context import as_of as parse_as_of
from .context import command
from .options import FORMAT, echo_json


@click.command()
@click.option("--unit", required=True)
@click.option("--as-of", "as_of", help="ISO-8601 instant: the ledger and the day as of then.")
@click.option("--within", default=15, show_default=True, type=click.IntRange(0, 366), help="Days ahead: due soon.")
@click.option("--all", "show_all", is_flag=True, help="Also list open items not yet due soon.")
@FORMAT
@click.pass_context
def deadlines(ctx: click.Context, unit: str, as_of: str | None, within: int, show_all: bool, fmt: str) -> None:
    """已逾期或即将到期的法定期限（信访受理与答复、政府信息公开、建议提案……）。

    Statutory deadlines overdue or due soon: 信访 acknowledgment and conclusion, 依申请公开, 建议提案."""
    from projections.deadlines import STATUS_LABELS

    from ..services import reads, rectification
    from ..services.reminders import rectification_mark

    cmd = command(ctx)
    found = reads.deadlines(cmd.context, cmd.actor, unit, parse_as_of(as_of), within)
    today, items = found.today, found.items
    shown = [d for d in items if show_all or d.status != "open"]
    # Rectification issues (整改) due within the same days or overdue, per owner unit, most overdue first.
    issues = rectification.reminders(cmd.context, cmd.actor, unit, within, parse_as_of(as_of))
    rect = [r for per_owner in issues.values() for r in per_owner]
    if fmt == "json":
        out = {"unit": unit, "today": today.isoformat(), "within": within, "items": [d.to_json() for d in shown]}
        out["rectification"] = [r.to_json() for r in rect]
        echo_json(out)
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
    if rect:
        late = sum(r.state == "overdue" for r in rect)
        click.echo(f"整改事项：已超期 {late} 项，{within} 日内到期 {len(rect) - late} 项")
        for r in rect:
            click.echo(f"  [{rectification_mark(r)}] {r.deadline} {r.owner} 整改 {r.issuer}/{r.ref} {r.title}")
