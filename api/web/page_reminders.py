"""The page 提醒 (`/reminders`): the signed-in user's digest of what is due or overdue today, the same digest
`taizhang remind` sends by e-mail and webhook (api/services/reminders.py); admins also see the delivery queue."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..infra.outbox import Outbox
from ..services import reminders
from .context import context
from .deps import PROBLEMS, CallerDep, ServerDep
from .page_kit import render, server_of, viewer

router = APIRouter(include_in_schema=False)
api = APIRouter(responses=PROBLEMS, tags=["read"])


@api.get("/api/reminders")
def my_reminders(caller: CallerDep, server: ServerDep) -> dict[str, Any]:
    """The caller's digest of today: overdue items and those due within a few days (the e-mail's content)."""
    return reminders.digest(context(server), caller.user).to_json()


@router.get("/reminders")
def reminders_page(request: Request) -> Response:
    caller = viewer(request)
    server = server_of(request)
    found = reminders.digest(context(server), caller.user)
    waiting = Outbox(server.settings.home).pending() if caller.user.role == "admin" else []
    return render(request, caller, "reminders.html", digest=found, waiting=waiting, within=reminders.WITHIN_DAYS)
