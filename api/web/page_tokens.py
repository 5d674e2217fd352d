"""我的令牌: the caller's own bearer tokens for scripts: issue one (shown once), list them by label, revoke."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..services import users
from .auth import Caller
from .context import context
from .page_kit import posted, redirect, render, server_of, texts, viewer

router = APIRouter()
MAX_LABEL = 60


def _page(request: Request, caller: Caller, status: int = 200, **extra: Any) -> Response:
    server = server_of(request)
    mine = [(d, label, _shown(server, expires)) for d, label, expires in users.my_tokens(context(server), caller.user)]
    shown = {"new_token": None, "label": "", "errors": {}, **extra}
    response = render(request, caller, "tokens.html", status, tokens=mine, **shown)
    response.headers["Cache-Control"] = "no-store"  # a page may carry a token: never keep it in a cache
    return response


@router.get("/tokens")
def tokens(request: Request) -> Response:
    return _page(request, viewer(request))


@router.post("/tokens/new")
async def issue(request: Request) -> Response:
    caller, form = await posted(request)
    label = " ".join(texts(form).get("label", "").split())
    problem = ""
    if not label:
        problem = "用途：请写明令牌用于什么（例如“每周导入脚本”）"
    elif len(label) > MAX_LABEL:
        problem = f"用途：不超过 {MAX_LABEL} 个字符"
    if problem:
        return _page(request, caller, 422, label=label, errors={"label": problem})
    server = server_of(request)
    token, expires_at = users.issue_token(context(server), caller.user, label)
    return _page(request, caller, 201, new_token=(label, token, _shown(server, datetime.fromisoformat(expires_at))))


def _shown(server: Any, moment: datetime) -> str:
    """An expiry in ledger time, to the minute."""
    return f"{moment.astimezone(server.ledger.tz):%Y-%m-%d %H:%M}"


@router.post("/tokens/revoke")
async def revoke(request: Request) -> Response:
    caller, form = await posted(request)
    users.revoke_own_token(context(server_of(request)), caller.user, texts(form).get("token", ""))
    return redirect("/tokens?done=token_revoked")
