"""The page 访问日志 (`/access-log`, audit administrators): search the access log, verify its chain, download
it as CSV or XLSX (api/services/access_log.py); and `ClientAddress`, the middleware that tells the services the
address each request came from (as uvicorn reports it: behind a proxy in TAIZHANG_TRUSTED_PROXIES, the
forwarded one, api/cli/serve.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from ..services import access_log
from ..services.refusals import Refused
from .context import context
from .page_kit import render, server_of, viewer

router = APIRouter(include_in_schema=False)


class ClientAddress:
    """Sets access_log.CLIENT for the request (a plain ASGI middleware, like app.py's others)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        token = access_log.CLIENT.set(str(client[0]) if client else "-")
        try:
            await self.app(scope, receive, send)
        finally:
            access_log.CLIENT.reset(token)


def _day(value: str | None, field: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise Refused("invalid", f"日期：「{value}」不是 YYYY-MM-DD", field=field) from None


def _query(params: Any) -> access_log.Query:
    until = _day(params.get("until"), "until")
    return access_log.Query(
        actor=params.get("actor") or None,
        action=params.get("action") or None,
        unit=params.get("unit") or None,
        text=params.get("text") or None,
        since=_day(params.get("since"), "since"),
        until=until + timedelta(days=1) if until is not None else None,  # the whole last day
        limit=int(params.get("limit") or 500) if str(params.get("limit") or "500").isdigit() else 500,
    )


@router.get("/access-log")
def access_log_page(request: Request) -> Response:
    caller = viewer(request)
    ctx = context(server_of(request))
    query = _query(request.query_params)
    found = access_log.search(ctx, caller.user, query)
    chain = access_log.verify(ctx, caller.user)
    return render(
        request,
        caller,
        "access_log.html",
        entries=list(reversed(found)),
        chain=chain,
        actions=access_log.ACTIONS,
        params=dict(request.query_params),
        days=ctx.settings.access_log_days,
    )


@router.get("/access-log/export")
def access_log_export(request: Request, format: str = "csv") -> Response:
    caller = viewer(request)
    data = access_log.export(context(server_of(request)), caller.user, _query(request.query_params), format)
    media = (
        "text/csv; charset=utf-8"
        if format == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    headers = {"Content-Disposition": f'attachment; filename="access-log.{format}"'}
    return Response(data, media_type=media, headers=headers)
