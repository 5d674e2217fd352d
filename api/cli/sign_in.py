"""`taizhang sign-in policy|enroll|remove|unlock`: the sign-in policy (api/services/sign_in.py) — which roles
must use a second factor (security administrators), a user's TOTP secret and recovery codes (handed over like
a one-time password), and ending an account's lockout early."""

from __future__ import annotations

import json

import click

from .context import command


@click.group("sign-in")
def sign_in() -> None:
    """登录策略：按角色要求第二因素（TOTP）、登记、锁定与闲置超时。

    Sign-in policy: second factor (TOTP) per role, enrolment, lockout."""


@sign_in.command("policy")
@click.option("--second-factor", "roles", multiple=True, help="A role that must use a second factor (repeat).")
@click.option("--none", "clear", is_flag=True, help="No role needs a second factor.")
@click.pass_context
def policy(ctx: click.Context, roles: tuple[str, ...], clear: bool) -> None:
    """Show the policy, or set which roles need a second factor."""
    from dataclasses import asdict

    from ..services import sign_in as service

    cmd = command(ctx)
    found = service.set_policy(cmd.context, cmd.actor, list(roles)) if roles or clear else service.policy(cmd.context)
    click.echo(json.dumps(asdict(found), ensure_ascii=False))


@sign_in.command("enroll")
@click.argument("username", required=False)
@click.pass_context
def enroll(ctx: click.Context, username: str | None) -> None:
    """A new TOTP secret and recovery codes for a user (default: yourself); printed once."""
    from dataclasses import asdict

    from ..services import sign_in as service

    cmd = command(ctx)
    click.echo(json.dumps(asdict(service.enroll(cmd.context, cmd.actor, username)), ensure_ascii=False))


@sign_in.command("remove")
@click.argument("username")
@click.pass_context
def remove(ctx: click.Context, username: str) -> None:
    """Remove a user's second factor (a lost phone and lost recovery codes)."""
    from ..services import sign_in as service

    cmd = command(ctx)
    service.remove(cmd.context, cmd.actor, username)
    click.echo(f"已取消 {username} 的两步验证")


@sign_in.command("unlock")
@click.argument("username")
@click.pass_context
def unlock(ctx: click.Context, username: str) -> None:
    """End an account's lockout after repeated failed sign-ins."""
    from ..services import sign_in as service

    cmd = command(ctx)
    service.unlock(cmd.context, cmd.actor, username)
    click.echo(f"已解除 {username} 的锁定")
