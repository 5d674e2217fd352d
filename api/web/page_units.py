"""The units page for admins (create, rename, move under another parent, each unit's history) and the first
start's guided setup (a ledger without units: the unit, its parent, the first users). The rules are in
`api/services/units.py`; this module only translates forms."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from domain.user import ROLES

from ..services import access
from ..services import units as units_service
from ..services.refusals import Refused
from .context import context
from .page_kit import posted, redirect, render, server_of, texts, viewer
from .refusals import status_of

router = APIRouter()
SETUP_USERS = 2  # rows of the setup form for the first users (the unit's recorder, maybe a second one)


def _units_page(request: Request, status: int = 200, **extra: Any) -> Response:
    caller = viewer(request)
    access.require_duty(caller.user, "units")  # r15: 三员分立 (domain/access.py DUTIES)
    ctx = context(server_of(request))
    rows = units_service.units(ctx, caller.user)
    shown = extra.pop("history_of", request.query_params.get("history", ""))
    history = units_service.unit_history(ctx, caller.user, shown) if shown else []
    names = {r.code: r.name for r in rows}
    return render(
        request,
        caller,
        "units.html",
        status,
        rows=rows,
        names=names,
        history=history,
        history_of=shown,
        **{"errors": {}, "values": {}, "form": "", **extra},
    )


@router.get("/units")
def units(request: Request) -> Response:
    return _units_page(request)


def _placed(e: Refused) -> dict[str, str]:
    """The refusal's messages by form field (unit → code, data.name → name, data.parent → parent)."""
    names = {"unit": "code", "data.name": "name", "data.parent": "parent"}
    out: dict[str, str] = {}
    for x in e.errors or [{"field": "code", "message": e.detail}]:
        key = names.get(str(x.get("field")), "code")
        out[key] = f"{out[key]}；{x['message']}" if key in out else str(x["message"])
    return out


async def _change(request: Request, form_name: str, act: Any, done: str) -> Response:
    caller, form = await posted(request)
    values = texts(form)
    try:
        await act(context(server_of(request)), caller.user, values)
    except Refused as e:
        if status_of(e) not in (404, 409, 422):
            raise
        return _units_page(request, 422, errors=_placed(e), values=values, form=form_name)
    server_of(request).forget()
    return redirect(f"/units?done={done}")


@router.post("/units/new")
async def create(request: Request) -> Response:
    async def act(ctx: Any, actor: Any, v: dict[str, str]) -> None:
        await units_service.add_unit(ctx, actor, v.get("code", ""), v.get("name", ""), v.get("parent") or None)

    return await _change(request, "new", act, "unit_added")


@router.post("/units/rename")
async def rename(request: Request) -> Response:
    async def act(ctx: Any, actor: Any, v: dict[str, str]) -> None:
        await units_service.rename_unit(ctx, actor, v.get("code", ""), v.get("name", ""))

    return await _change(request, "rename", act, "unit_changed")


@router.post("/units/move")
async def move(request: Request) -> Response:
    async def act(ctx: Any, actor: Any, v: dict[str, str]) -> None:
        await units_service.move_unit(ctx, actor, v.get("code", ""), v.get("parent") or None)

    return await _change(request, "move", act, "unit_changed")


# ---- the first start ----


def needs_setup(request: Request, user: Any) -> bool:
    """An admin on a ledger with no unit yet: the first start's setup comes before anything else."""
    return bool(user.role == "admin" and not units_service.has_units(context(server_of(request))))


@router.get("/setup")
def setup_form(request: Request) -> Response:
    caller = viewer(request)
    access.require_admin(caller.user)
    if not needs_setup(request, caller.user):
        return redirect("/units")
    return _setup_page(request, caller, 200, {}, {"user0_role": "recorder", "user1_role": "auditor"})


def _setup_page(request: Request, caller: Any, status: int, errors: dict[str, str], values: dict[str, str]) -> Response:
    return render(
        request, caller, "setup.html", status, errors=errors, values=values, roles=ROLES, rows=range(SETUP_USERS)
    )


@router.post("/setup")
async def setup(request: Request) -> Response:
    caller, form = await posted(request)
    access.require_admin(caller.user)
    v = texts(form)
    # A row is left out only when nothing of it was typed: a parent's name without its code, or a person's name
    # without a user name, is a mistake to show beside the empty field, not a row to drop without a word.
    parent_typed = v.get("parent_code", "").strip() or v.get("parent_name", "").strip()
    parent = (v.get("parent_code", ""), v.get("parent_name", "")) if parent_typed else None
    people = [
        units_service.SetupUser(
            v.get(f"user{i}_username", "").strip().lower(), v.get(f"user{i}_name", ""), v.get(f"user{i}_role", ""), i
        )
        for i in range(SETUP_USERS)
        if v.get(f"user{i}_username", "").strip() or v.get(f"user{i}_name", "").strip()
    ]
    try:
        done = await units_service.first_setup(
            context(server_of(request)), caller.user, parent, (v.get("unit_code", ""), v.get("unit_name", "")), people
        )
    except Refused as e:
        if status_of(e) == 409:
            return redirect("/units")
        if status_of(e) != 422:
            raise
        errors = {str(x["field"]): str(x["message"]) for x in e.errors} or {"unit_code": e.detail}
        return _setup_page(request, caller, 422, errors, v)
    server_of(request).forget()
    return render(request, caller, "setup_done.html", 201, result=done)
