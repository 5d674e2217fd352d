"""Signing in and out (`/login`, `/logout`) and changing one's own password (`/password`), in Chinese."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from ..services import users
from ..services.refusals import Refused
from .auth import CSRF_FIELD, SESSION_COOKIE, check_csrf, end_session, identify, session_cookie, set_session
from .context import context
from .page_kit import posted, redirect, render, server_of, texts, viewer
from .refusals import status_of

router = APIRouter()


def _next(value: str | None) -> str:
    """Only a local path: never send someone off-site after signing in."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


# ---- sign-in ----


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    return render(request, None, "login.html", next=_next(next), username="", error="")


@router.post("/login")
async def login(
    request: Request,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
    code: Annotated[str, Form()] = "",  # r15: the second factor (api/services/sign_in.py)
) -> Response:
    server = server_of(request)
    client = request.client.host if request.client else "-"
    try:
        user = await users.sign_in(context(server), server.throttle, client, username, password, code or None)
    except Refused as e:
        ask_code = e.field == "code" or bool(code)  # r15
        ctx = {"next": _next(next), "username": username, "error": e.detail, "ask_code": ask_code}
        return render(request, None, "login.html", status_of(e), **ctx)
    value, _ = session_cookie(server, user)
    target = f"/password?next={quote(_next(next))}" if user.must_change_password else _next(next)
    response = redirect(target)
    set_session(response, request, value)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    # Not `posted`: a session still on its one-time password may sign out too.
    caller = identify(server_of(request), request)
    form = await request.form()
    if caller is not None:
        token = form.get(CSRF_FIELD)
        check_csrf(caller, request, token if isinstance(token, str) else None)
        end_session(server_of(request), request)
    response = redirect("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/password")
def password_form(request: Request, next: str = "/") -> Response:
    caller = viewer(request)
    console = caller.user.must_change_password and users.password_from_console(context(server_of(request)), caller.user)
    return render(request, caller, "password.html", next=_next(next), errors={}, from_console=console)


@router.post("/password")
async def change_password(request: Request) -> Response:
    caller, form = await posted(request)
    values = texts(form)
    server = server_of(request)
    target = _next(values.get("next"))
    errors: dict[str, str] = {}
    if values.get("new", "") != values.get("again", ""):
        errors["again"] = "两次输入的新密码不一致"
    else:
        try:
            users.change_own_password(context(server), caller.user, values.get("current", ""), values.get("new", ""))
        except Refused as e:
            errors = {str(x["field"]): x["message"] for x in e.errors} or {"new": e.detail}
    if errors:
        return render(request, caller, "password.html", 422, next=target, errors=errors)
    user = server.ledger.user(caller.name)
    assert user is not None
    value, _ = session_cookie(server, user)  # the old session ended with the old password
    response = redirect(target + ("&" if "?" in target else "?") + "done=password")
    set_session(response, request, value)
    return response
