"""`taizhang user add|list|password|token`: the ledger's users (of the web application and of the command line)."""

from __future__ import annotations

import json
from datetime import datetime

import click

from .context import command

ROLE_HELP = (  # checked against domain/user.py's ROLES
    "recorder (录入员), auditor (审计/监督), admin (管理员), sysadmin (系统管理员), secadmin (安全管理员)"
    " or auditadmin (审计管理员)."
)


@click.group()
def user() -> None:
    """台账用户：新增、列出、重置密码、签发令牌……

    Users of the ledger: add, list, reset a password, issue a token."""


@user.command("add")
@click.argument("username")
@click.option("--role", required=True, help=ROLE_HELP)
@click.option("--unit", "units", multiple=True, help="A unit this user works on (repeat for several).")
@click.option("--name", "display_name", default="", help="Display name (e.g. 张三).")
@click.option("--email", default="", help="Where reminders go (default: <username>@TAIZHANG_MAIL_DOMAIN).")
@click.pass_context
def user_add(
    ctx: click.Context, username: str, role: str, units: tuple[str, ...], display_name: str, email: str
) -> None:
    """Register a user and print a one-time password."""
    from domain.user import ROLES

    from ..services import users

    if role not in ROLES:
        raise click.BadParameter(f"{role!r} is not one of {', '.join(ROLES)}", param_hint="--role")
    cmd = command(ctx)
    password = users.create_user(cmd.context, cmd.actor, username, display_name, role, list(units), email)
    click.echo(json.dumps({"username": username, "password": password}, ensure_ascii=False))


@user.command("list")
@click.pass_context
def user_list(ctx: click.Context) -> None:
    from ..services import users

    cmd = command(ctx)
    found = users.users(cmd.context, cmd.actor)
    for u in found:
        state = " (停用 disabled)" if u.disabled else ""
        click.echo(f"{u.username}\t{u.role}\t{','.join(u.units) or '*'}\t{u.display_name}\t{u.email or '-'}{state}")


@user.command("email")
@click.argument("username")
@click.argument("address", default="")
@click.pass_context
def user_email(ctx: click.Context, username: str, address: str) -> None:
    """Set the address a user's reminders go to; without ADDRESS, clear it (back to the TAIZHANG_MAIL_DOMAIN rule)."""
    from ..services import users

    cmd = command(ctx)
    changed = users.change_user(cmd.context, cmd.actor, username, {"email": address})
    click.echo(json.dumps(users.user_json(changed), ensure_ascii=False))


@user.command("password")
@click.argument("username")
@click.pass_context
def user_password(ctx: click.Context, username: str) -> None:
    """Reset a user's password to a new one-time password (their sessions end)."""
    from ..services import users

    cmd = command(ctx)
    password = users.reset_password(cmd.context, cmd.actor, username)
    click.echo(json.dumps({"username": username, "password": password}, ensure_ascii=False))


@user.command("token")
@click.argument("username")
@click.option("--label", default="script", show_default=True)
@click.pass_context
def user_token(ctx: click.Context, username: str, label: str) -> None:
    """Issue a bearer token for scripts (shown once)."""
    from ..services import users

    cmd = command(ctx)
    token, expires_at = users.issue_token(cmd.context, cmd.actor, label, username)
    click.echo(token)
    # On stderr: a script capturing the token reads stdout alone.
    expires = datetime.fromisoformat(expires_at)
    days = cmd.settings.token_days
    click.echo(f"有效期至 expires {expires:%Y-%m-%d %H:%M} UTC（TAIZHANG_TOKEN_DAYS={days}）", err=True)
