"""`taizhang key export`: the unit's public seal-signing key, for verifiers."""

from __future__ import annotations

import click

from .context import command
from .refusals import fail


@click.group()
def key() -> None:
    """本单位的封存签名密钥。

    The unit's seal-signing key."""


@key.command("export")
@click.option("--unit", required=True)
@click.pass_context
def key_export(ctx: click.Context, unit: str) -> None:
    """Print the unit's public key (PEM) for verifiers."""
    from ..infra.keys import Keys

    pem = Keys(command(ctx).settings.home).export(unit)
    if pem is None:
        fail(f"unit: 单位「{unit}」还没有签名密钥（首次 taizhang seal 时生成）")
    click.echo(pem, nl=False)
