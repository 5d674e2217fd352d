"""The users page (`/users`, admins): register, change, reset a password."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from domain.user import ROLES

from ..services import access
from ..services import users as users_service
from ..services.refusals import Refused
from .context import context
from .page_kit import posted, redirect, render, server_of, texts, viewer
from .refusals import status_of

router = APIRouter()


def _users_page(request: Request, status: int = 200, **extra: Any) -> Response:
    caller = viewer(request)
    access.require_any_duty(caller.user, "users", "roles")  # 三员分立 (domain/access.py DUTIES)
    server = server_of(request)
    return render(
        request,
        caller,
        "users.html",
        status,
        users=server.ledger.users(),
        roles=ROLES,
        units=server.units_for(caller.user),
        **{"shown_password": None, "errors": {}, "values": {}, **extra},
    )


@router.get("/users")
def users(request: Request) -> Response:
    return _users_page(request)


def _units(form: Any) -> list[str]:
    return [str(u) for u in form.getlist("units") if str(u).strip()]


@router.post("/users/new")
async def create_user(request: Request) -> Response:
    caller, form = await posted(request)
    values = texts(form)
    username = values.get("username", "").strip().lower()
    try:
        password = users_service.create_user(
            context(server_of(request)),
            caller.user,
            username,
            values.get("display_name", ""),
            values.get("role", ""),
            _units(form),
            values.get("email", ""),
        )
    except Refused as e:
        if status_of(e) != 422:
            raise
        errors = {str(x["field"]): x["message"] for x in e.errors}
        return _users_page(request, 422, errors=errors, values={**values, "units": _units(form)})
    return _users_page(request, 201, shown_password=(username, password))


@router.post("/users/change")
async def change_user(request: Request) -> Response:
    caller, form = await posted(request)
    values = texts(form)
    changes = {"role": values.get("role"), "units": _units(form), "disabled": values.get("disabled") == "on"}
    if "email" in values:  # "" clears the address
        changes["email"] = values["email"]
    try:
        users_service.change_user(context(server_of(request)), caller.user, values.get("username", ""), changes)
    except Refused as e:
        if status_of(e) != 422:
            raise
        return _users_page(request, 422, errors={"change": e.detail})
    return redirect("/users?done=user")


@router.post("/users/reset")
async def reset(request: Request) -> Response:
    caller, form = await posted(request)
    username = texts(form).get("username", "")
    password = users_service.reset_password(context(server_of(request)), caller.user, username)
    return _users_page(request, 200, shown_password=(username, password))
