"""Signing in and out and the caller's own account: /api/session, /api/me, /api/me/tokens, /api/me/password."""

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from ..services import users as users_service
from . import schemas
from .auth import end_session, session_cookie, set_session
from .context import context
from .deps import PROBLEMS, CallerDep, ServerDep, WriterDep

router = APIRouter(responses=PROBLEMS)


@router.post("/api/session", response_model=schemas.Me, tags=["session"])
async def login(request: Request, body: schemas.LoginRequest, server: ServerDep) -> JSONResponse:
    """Sign in with a password: sets the session cookie and returns the CSRF token to send as X-CSRF-Token."""
    client = request.client.host if request.client else "-"
    # (the second factor, when the user has one or the policy requires it)
    caller = await users_service.sign_in(
        context(server), server.throttle, client, body.username, body.password, body.code
    )
    value, csrf = session_cookie(server, caller)
    response = JSONResponse(me_json(caller, csrf))
    set_session(response, request, value)
    return response


def me_json(user: Any, csrf: str | None) -> dict[str, Any]:
    return {
        **users_service.user_json(user),
        "csrf_token": csrf,
        "must_change_password": user.must_change_password,
    }


@router.delete("/api/session", status_code=204, tags=["session"])
def logout(request: Request, server: ServerDep) -> Response:
    """Sign out: this session's cookie stops working everywhere, not only in this browser."""
    end_session(server, request)
    response = Response(status_code=204)
    response.delete_cookie("taizhang_session", path="/")
    return response


@router.get("/api/me", response_model=schemas.Me, tags=["session"])
def me(caller: CallerDep) -> dict[str, Any]:
    return me_json(caller.user, caller.csrf)


@router.post("/api/me/tokens", response_model=schemas.TokenOut, status_code=201, tags=["session"])
def create_token(body: schemas.TokenRequest, caller: WriterDep, server: ServerDep) -> dict[str, Any]:
    """A bearer token for scripts, shown once: `Authorization: Bearer <token>`; it stops working at `expires_at`."""
    token, expires_at = users_service.issue_token(context(server), caller.user, body.label)
    return {"token": token, "label": body.label, "expires_at": expires_at}


@router.post("/api/me/password", status_code=204, tags=["session"])
def change_password(body: schemas.PasswordChange, caller: WriterDep, server: ServerDep) -> Response:
    """Change your own password (required after a one-time password); other sessions end."""
    users_service.change_own_password(context(server), caller.user, body.current, body.new)
    return Response(status_code=204)
