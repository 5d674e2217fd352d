"""Users (admins): /api/users — list, register, change, reset a password."""

from typing import Any

from fastapi import APIRouter

from ..services import access
from ..services import users as users_service
from . import schemas
from .context import context
from .deps import PROBLEMS, CallerDep, ServerDep, WriterDep

router = APIRouter(responses=PROBLEMS)


@router.get("/api/users", response_model=list[schemas.UserOut], tags=["users"])
def users(caller: CallerDep, server: ServerDep) -> list[dict[str, Any]]:
    access.require_any_duty(caller.user, "users", "roles")  # 三员分立 (domain/access.py DUTIES)
    return [users_service.user_json(u) for u in server.ledger.users()]


@router.post("/api/users", response_model=schemas.NewPassword, status_code=201, tags=["users"])
def create_user(body: schemas.UserCreate, caller: WriterDep, server: ServerDep) -> dict[str, Any]:
    """Register a user; the response carries a one-time password to hand over."""
    password = users_service.create_user(
        context(server), caller.user, body.username, body.display_name, body.role, body.units, body.email
    )
    return {"username": body.username, "password": password}


@router.patch("/api/users/{username}", response_model=schemas.UserOut, tags=["users"])
def change_user(username: str, body: schemas.UserChange, caller: WriterDep, server: ServerDep) -> dict[str, Any]:
    user = users_service.change_user(context(server), caller.user, username, body.model_dump(exclude_unset=True))
    return users_service.user_json(user)


@router.post("/api/users/{username}/password", response_model=schemas.NewPassword, status_code=201, tags=["users"])
def reset_password(username: str, caller: WriterDep, server: ServerDep) -> dict[str, Any]:
    """A new one-time password (the old one and every open session stop working)."""
    return {"username": username, "password": users_service.reset_password(context(server), caller.user, username)}
