"""`taizhang serve`: the web application and HTTP API (the only command that imports the web framework)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from .context import command

if TYPE_CHECKING:
    from ..infra.settings import Settings


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="0.0.0.0 to serve the office network.")
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int, help="Worker processes (PostgreSQL for > 1).")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, workers: int) -> None:
    """启动网页应用和 HTTP API（接口文档在 /docs）。

    The web application and HTTP API (OpenAPI at /docs)."""
    import uvicorn

    from ..services.users import BOOTSTRAP_ADMIN, ensure_admin

    cmd = command(ctx)
    password = ensure_admin(cmd.context)
    if password:
        click.echo(
            f"首次启动：已创建管理员 {BOOTSTRAP_ADMIN}，一次性密码 {password}"
            "（登录后须修改，随后按“首次设置”登记单位和用户）\n"
            f"first start: created user {BOOTSTRAP_ADMIN} with one-time password {password} (change it at first login)"
        )
    click.echo(f"台账 taizhang: http://{host}:{port}/  (API docs /docs)")
    uvicorn.run("api.web.main:app", host=host, port=port, workers=workers, **uvicorn_options(cmd.settings))


def uvicorn_options(settings: Settings) -> dict[str, object]:
    """uvicorn trusts X-Forwarded-For from 127.0.0.1 unless told otherwise: then anyone on the machine (or a
    local reverse proxy passing the header through) picks the client address the sign-in throttle counts.
    Forwarded headers are read only from the proxies named in TAIZHANG_TRUSTED_PROXIES."""
    trusted = list(settings.trusted_proxies)
    options: dict[str, object] = {"log_level": "warning", "server_header": False, "proxy_headers": bool(trusted)}
    if trusted:
        options["forwarded_allow_ips"] = trusted
    return options
