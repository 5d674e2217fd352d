"""`taizhang serve` and `taizhang user …`: the web application and its users."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import click

from domain.errors import DomainError
from domain.user import ROLES

from .cli import _fail, _settings, main
from .config import Settings
from .web.auth import hash_password, new_password, new_token

BOOTSTRAP_ADMIN = "admin"


def ensure_admin(settings: Settings) -> str | None:
    """On first start (no users yet) create `admin` with a one-time password; returns it, or None."""
    ledger = settings.ledger()
    if ledger.users():
        return None
    password = new_password()
    ledger.register_user(BOOTSTRAP_ADMIN, "管理员", "admin", [], hash_password(password), "taizhang-setup")
    return password


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="0.0.0.0 to serve the office network.")
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int, help="Worker processes (PostgreSQL for > 1).")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, workers: int) -> None:
    """The web application and HTTP API (OpenAPI at /docs)."""
    import uvicorn

    settings = _settings(ctx)
    password = ensure_admin(settings)
    if password:
        click.echo(
            f"首次启动：已创建管理员 {BOOTSTRAP_ADMIN}，一次性密码 {password}（登录后须修改）\n"
            f"first start: created user {BOOTSTRAP_ADMIN} with one-time password {password} (change it at first login)"
        )
    click.echo(f"台账 taizhang: http://{host}:{port}/  (API docs /docs)")
    uvicorn.run("api.web.main:app", host=host, port=port, workers=workers, **uvicorn_options(settings))


def uvicorn_options(settings: Settings) -> dict[str, object]:
    """uvicorn trusts X-Forwarded-For from 127.0.0.1 unless told otherwise: then anyone on the machine (or a
    local reverse proxy passing the header through) picks the client address the sign-in throttle counts.
    Forwarded headers are read only from the proxies named in TAIZHANG_TRUSTED_PROXIES."""
    trusted = list(settings.trusted_proxies)
    options: dict[str, object] = {"log_level": "warning", "server_header": False, "proxy_headers": bool(trusted)}
    if trusted:
        options["forwarded_allow_ips"] = trusted
    return options


@main.group()
def user() -> None:
    """Users of the web application: add, change, reset password, issue a token."""


@user.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(list(ROLES)), required=True)
@click.option("--unit", "units", multiple=True, help="A unit this user works on (repeat for several).")
@click.option("--name", "display_name", default="", help="Display name (e.g. 张三).")
@click.pass_context
def user_add(ctx: click.Context, username: str, role: str, units: tuple[str, ...], display_name: str) -> None:
    """Register a user and print a one-time password."""
    settings = _settings(ctx)
    password = new_password()
    try:
        settings.ledger().register_user(
            username, display_name, role, list(units), hash_password(password), settings.user
        )
    except DomainError as e:
        _fail(str(e))
    click.echo(json.dumps({"username": username, "password": password}, ensure_ascii=False))


@user.command("list")
@click.pass_context
def user_list(ctx: click.Context) -> None:
    for u in _settings(ctx).ledger().users():
        state = " (停用 disabled)" if u.disabled else ""
        click.echo(f"{u.username}\t{u.role}\t{','.join(u.units) or '*'}\t{u.display_name}{state}")


@user.command("password")
@click.argument("username")
@click.pass_context
def user_password(ctx: click.Context, username: str) -> None:
    """Reset a user's password to a new one-time password (their sessions end)."""
    settings = _settings(ctx)
    password = new_password()
    try:
        settings.ledger().set_password(username, hash_password(password), True, settings.user)
    except DomainError as e:
        _fail(str(e))
    click.echo(json.dumps({"username": username, "password": password}, ensure_ascii=False))


@user.command("token")
@click.argument("username")
@click.option("--label", default="script", show_default=True)
@click.pass_context
def user_token(ctx: click.Context, username: str, label: str) -> None:
    """Issue a bearer token for scripts (shown once)."""
    settings = _settings(ctx)
    token, digest = new_token(username)
    expires = datetime.now(UTC) + timedelta(days=settings.token_days)
    try:
        settings.ledger().issue_token(username, digest, label, settings.user, expires.isoformat())
    except DomainError as e:
        _fail(str(e))
    click.echo(token)
    # On stderr: a script capturing the token reads stdout alone.
    click.echo(f"有效期至 expires {expires:%Y-%m-%d %H:%M} UTC（TAIZHANG_TOKEN_DAYS={settings.token_days}）", err=True)
