"""`taizhang project`: the projection worker, apart from the web workers and commands.

It keeps every idle read-model slot of the data directory caught up, so that whoever takes a slot next
(a command, a web worker opening one per request, a new slot copied from it) finds it current. It wakes
on new events by LISTEN/NOTIFY on PostgreSQL and by polling on SQLite (`projections/notify.py`), and
also every --interval seconds, for slots that were busy at its last round.
"""

from __future__ import annotations

import time

import click

from .context import command

RETRY = 0.05  # s: how soon to look again at slots that were busy and may be behind


@click.command()
@click.option("--once", is_flag=True, help="One round: catch up every idle read model, then exit.")
@click.option("--interval", type=float, default=30.0, show_default=True, help="Seconds between rounds at most.")
@click.option("--quiet", is_flag=True, help="Print nothing but errors.")
@click.pass_context
def project(ctx: click.Context, once: bool, interval: float, quiet: bool) -> None:
    """在后台持续更新读模型。

    Keep the read models caught up in the background (beside `taizhang serve` or alone)."""
    from projections import slots
    from projections.notify import NewEvents

    settings = command(ctx).settings
    ledger = settings.ledger()
    known: dict[str, int] = {}
    with NewEvents(ledger.recorder) as new_events:
        if not once and not quiet:
            click.echo(f"projecting {settings.home} (woken by {new_events.how}); Ctrl-C stops", err=True)
        try:
            while True:
                seen = new_events.last()
                started = time.perf_counter()
                done, behind = slots.catch_up_idle(settings.home, settings.tz, ledger.recorder, known, seen)
                if not quiet and (once or any(n for n, _ in done.values())):
                    took = time.perf_counter() - started
                    parts = ", ".join(f"{name} +{n} → {pos}" for name, (n, pos) in done.items()) or "all busy"
                    click.echo(f"log at {seen}: {parts} ({took:.2f} s)", nl=True)
                if once:
                    return
                new_events.wait(seen, RETRY if behind else interval)
        except KeyboardInterrupt:
            return
