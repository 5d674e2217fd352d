"""`taizhang rebuild`: throw the read model away and rebuild it from the event log."""

from __future__ import annotations

import time

import click

from .console import progress_bar
from .context import command


@click.command()
@click.pass_context
def rebuild(ctx: click.Context) -> None:
    """丢弃读模型，从事件日志重建。

    Throw the read model away and rebuild it from the event log."""
    cmd = command(ctx)
    settings, ledger = cmd.settings, cmd.ledger
    started = time.perf_counter()
    with settings.fresh_read_model() as model:
        total = ledger.recorder.max_notification_id() or 0
        with progress_bar("重建 rebuilding", total) as advance:
            n = model.catch_up(ledger.recorder, progress=advance)
    seconds = time.perf_counter() - started
    click.echo(f"rebuilt from {n} events in {seconds:.2f} s / 已从 {n} 个事件重建")
