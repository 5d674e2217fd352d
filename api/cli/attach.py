"""`taizhang attach` (evidence for an activity) and `taizhang detach` (void a piece of evidence)."""

from __future__ import annotations

from pathlib import Path

import click

from .context import command


@click.command()
@click.option("--unit", required=True)
@click.argument("ref")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--step", "step_id", help="The id of the step line the file belongs to.")
@click.pass_context
def attach(ctx: click.Context, unit: str, ref: str, file: Path, step_id: str | None) -> None:
    """为一项活动附上证明材料（签到表、照片、纪要：PDF、JPG、PNG）。

    Attach evidence (sign-in sheet, photo, minutes: PDF, JPG, PNG, DOCX, XLSX up to 20 MB) to an activity."""
    from ..services import attachments

    cmd = command(ctx)
    evidence = attachments.attach(cmd.context, cmd.actor, unit, ref, file, step_id)
    click.echo(f"attached {evidence.name} ({evidence.size:,} bytes, sha256 {evidence.sha256}) to {unit}/{ref}")


@click.command()
@click.option("--unit", required=True)
@click.argument("ref")
@click.argument("sha256")
@click.option("--reason", required=True)
@click.pass_context
def detach(ctx: click.Context, unit: str, ref: str, sha256: str, reason: str) -> None:
    """作废一份证明材料（须写明原因；材料不会被删除）。

    Void a piece of evidence with a reason (it is never deleted)."""
    from ..services import attachments

    cmd = command(ctx)
    attachments.detach(cmd.context, cmd.actor, unit, ref, sha256, reason)
    click.echo(f"voided evidence {sha256[:12]}… of {unit}/{ref}")
