"""The page 个人信息 (`/personal?unit=&ref=`): a petition's personal data (the petitioner's name, ID number and
telephone, catalogue.PERSONAL_FIELDS) for those who see it (the unit's recorders and admins,
domain/personal.py). Values are shown only when asked for by a button (a form post), because every showing is
recorded in the log and the access log; recording goes through the same use case as `PUT /api/personal` and
`taizhang personal set` (api/services/personal.py)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..services import personal
from ..services.refusals import Refused
from .context import context
from .page_kit import posted, redirect, render, server_of, texts, viewer
from .refusals import status_of

router = APIRouter(include_in_schema=False)


def personal_url(unit: str, ref: str, done: str = "") -> str:
    return "/personal?" + urlencode({"unit": unit, "ref": ref, **({"done": done} if done else {})})


def _page(request: Request, unit: str, ref: str, status: int = 200, **extra: Any) -> Response:
    caller = viewer(request)
    server = server_of(request)
    ctx = context(server)
    found = personal.fields(ctx, caller.user, unit, ref)  # refuses those who do not see personal data
    unit_found = server.ledger.unit(unit)
    return render(
        request,
        caller,
        "personal.html",
        status,
        unit=unit,
        ref=ref,
        unit_name=unit_found.name if unit_found else unit,
        fields=found,
        shown=extra.pop("shown", None),
        states=personal.STATE_LABELS,
        values=extra.pop("values", {}),
        errors=extra.pop("errors", {}),
        **extra,
    )


@router.get("/personal")
def personal_page(request: Request, unit: str, ref: str) -> Response:
    return _page(request, unit, ref)


@router.post("/personal/show")
async def show(request: Request) -> Response:
    caller, form = await posted(request)
    values = texts(form)
    unit, ref = values.get("unit", ""), values.get("ref", "")
    view = personal.show(context(server_of(request)), caller.user, unit, ref)
    return _page(request, unit, ref, shown=view.values)


@router.post("/personal")
async def record(request: Request) -> Response:
    """The fields typed in are recorded; a field left blank stays as it was, one ticked 清除 is removed."""
    caller, form = await posted(request)
    values = texts(form)
    unit, ref = values.get("unit", ""), values.get("ref", "")
    ctx = context(server_of(request))
    given: dict[str, str | None] = {}
    for name, _ in personal.fields(ctx, caller.user, unit, ref):
        if values.get(f"clear.{name}"):
            given[name] = None
        elif values.get(name, "").strip():
            given[name] = values[name]
    try:
        personal.record(ctx, caller.user, unit, ref, given)
    except Refused as e:
        if status_of(e) != 422:
            raise
        errors = {str(x.get("field") or "personal"): x["message"] for x in e.errors}
        return _page(request, unit, ref, 422, values=values, errors=errors)
    return redirect(personal_url(unit, ref, "personal"))
