"""`taizhang backup` and `taizhang restore` (the work is in api/infra/backup.py)."""

from __future__ import annotations

from pathlib import Path

import click

from .context import command
from .refusals import fail


@click.command()
@click.argument("dest", type=click.Path(file_okay=False))
@click.pass_context
def backup(ctx: click.Context, dest: str) -> None:
    """在台账照常使用时把它备份到 DEST。

    Copy the ledger to DEST while it stays in use (SQLite online backup), with keys and evidence."""
    from ..infra import backup as backups

    try:
        manifest = backups.backup(command(ctx).settings, Path(dest))
    except backups.BackupRefused as e:
        fail(str(e))
    click.echo(f"backed up {manifest.size} events to {Path(dest)} (root {manifest.root})")


@click.command()
@click.argument("src", type=click.Path(exists=True, file_okay=False))
@click.option("--force", is_flag=True, help="Replace an existing ledger in $TAIZHANG_HOME.")
@click.pass_context
def restore(ctx: click.Context, src: str, force: bool) -> None:
    """把备份恢复到 $TAIZHANG_HOME 并重建读模型。

    Restore a backup into $TAIZHANG_HOME and rebuild the read model from it."""
    from ..infra import backup as backups

    try:
        done = backups.restore(command(ctx).settings, Path(src), force)
    except backups.BackupRefused as e:
        fail(str(e))
    if done.lost and done.seen is not None:
        click.echo(
            f"warning: this ledger had {done.seen.size} events on {done.seen.seen_at}; the {done.lost}"
            " events after the backup are gone / 备份之后的事件已不在台账中",
            err=True,
        )
    click.echo(f"restored {done.events} events (root {done.root}); read model rebuilt")
