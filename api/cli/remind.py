"""`taizhang remind`: queue each user's daily digest of what is due or overdue and deliver the outbox (e-mail,
webhook); run it daily from cron. What cannot be delivered (a mail server down) stays queued for the next run."""

from __future__ import annotations

import click

from .context import command


@click.command()
@click.option("--deliver-only", is_flag=True, help="Only retry what is queued; queue no new digest.")
@click.pass_context
def remind(ctx: click.Context, deliver_only: bool) -> None:
    """发送今天的提醒（管理员）：到期和逾期的事项。

    Send today's reminders (admins): due and overdue petitions, disclosure requests and proposals."""
    from ..services import reminders

    cmd = command(ctx)
    if cmd.settings.webhook_url and not cmd.settings.webhook_secret:
        click.echo(
            "TAIZHANG_WEBHOOK_URL is set without TAIZHANG_WEBHOOK_SECRET: nothing is sent to the webhook", err=True
        )
    use = reminders.deliver if deliver_only else reminders.remind
    run = use(cmd.context, cmd.actor)
    n = len(run.waiting)
    click.echo(f"queued {run.queued}, delivered {run.delivered}, waiting {n}")
    click.echo(f"新排队 {run.queued} 条，已发送 {run.delivered} 条，待发送 {n} 条")
    for m in run.waiting:
        click.echo(f"  waiting / 待重试 {m.id} → {m.to}（已尝试 {m.attempts} 次：{m.last_error}）", err=True)
