"""`taizhang init`: create a ledger under a cryptographic suite (domain/suite.py) before anything is recorded."""

from __future__ import annotations

import click

from .context import command


@click.command()
@click.option(
    "--suite",
    type=click.Choice(["default", "gm"]),
    default="default",
    show_default=True,
    help="default: SHA-256 + Ed25519; gm: 国密 SM3 + SM2. Fixed once the ledger has events.",
)
@click.pass_context
def init(ctx: click.Context, suite: str) -> None:
    """在 $TAIZHANG_HOME 创建台账，并选定密码套件（默认或国密）。

    Create the ledger in $TAIZHANG_HOME under a cryptographic suite (the same as TAIZHANG_SUITE)."""
    from domain.suite import SUITES

    from ..services import security

    cmd = command(ctx)
    chosen = security.create(cmd.context, cmd.actor, suite)
    found = SUITES[chosen]
    click.echo(f"ledger in {cmd.settings.home} uses the {chosen} suite / 台账使用{found.label}")
