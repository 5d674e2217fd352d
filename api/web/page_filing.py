"""The pages of reporting upward (报送): a unit's filing of a year (state, register, the actions the viewer may
take, late corrections against the approved seal) and a superior's progress page (报送进度). Every action calls
api/services/filing.py; a refusal re-renders the page with the message and what was typed."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from domain.access import AUDITOR_ROLES, may_review, may_submit
from domain.catalogue import FIRST_YEAR, LAST_YEAR
from domain.filing import STATES

from ..services import filing
from ..services.refusals import Refused
from .auth import Caller
from .context import context
from .page_kit import pick_unit, posted, redirect, render, server_of, texts, viewer
from .refusals import status_of

router = APIRouter(include_in_schema=False)  # pages: not part of the JSON API
ACTIONS = ("submit", "return", "approve", "reopen", "publish", "deadline")
DONE = {
    "submit": "已报送。",
    "return": "已退回。",
    "approve": "已审核通过，该年度数据已锁定。",
    "reopen": "已重新打开。",
    "publish": "已登记公开发布。",
    "deadline": "已设定报送期限。",
}


def _year(request: Request, value: str | None) -> int:
    if value and value.isdigit() and FIRST_YEAR <= int(value) <= LAST_YEAR:
        return int(value)
    return server_of(request).ledger.today().year - 1  # the report written this year is last year's


def _url(path: str, unit: str, year: int, done: str = "") -> str:
    return f"{path}?{urlencode({'unit': unit, 'year': year, **({'done': done} if done else {})})}"


def _filing_page(request: Request, caller: Caller, unit: str, year: int, status: int = 200, **extra: Any) -> Response:
    server = server_of(request)
    ctx = context(server)
    code, units = pick_unit(server, caller, unit or None)
    found = filing.status(ctx, caller.user, code, year)
    reviewer = may_review(caller.user, code, ctx.parent_of)  # type: ignore[arg-type]
    late = None
    if found.approved_seal and (reviewer or caller.user.role in AUDITOR_ROLES):
        late = filing.late_corrections(ctx, caller.user, code, year)
    decide = filing.may_decide(ctx, caller.user, found)
    moved = filing.since_submission(ctx, caller.user, found) if decide else None
    done = request.query_params.get("done", "")
    return render(
        request,
        caller,
        "filing.html",
        status,
        unit=code,
        units=units,
        year=year,
        years=list(range(server.ledger.today().year, 1999, -1))[:8],
        f=found,
        late=late,
        may_submit=may_submit(caller.user, code, ctx.parent_of),  # type: ignore[arg-type]
        may_review=reviewer,
        may_decide=decide,
        moved=moved,
        done_text=DONE.get(done, ""),
        problem=extra.pop("problem", ""),
        values=extra.pop("values", {}),
        open_form=extra.pop("open_form", ""),
        **extra,
    )


@router.get("/filing")
def filing_page(request: Request, unit: str | None = None, year: str | None = None) -> Response:
    caller = viewer(request)
    return _filing_page(request, caller, unit or "", _year(request, year))


@router.post("/filing/{action}")
async def act(request: Request, action: str) -> Response:
    caller, form = await posted(request)
    if action not in ACTIONS:
        raise Refused("not_found", f"没有「{action[:20]}」这一操作")
    values = texts(form)
    unit, year = values.get("unit", ""), _year(request, values.get("year"))
    ctx = context(server_of(request))
    user = caller.user
    try:
        if action == "submit":
            filing.submit(ctx, user, unit, year, values.get("comment"), values.get("seal") or None)
        elif action == "return":
            filing.return_(ctx, user, unit, year, values.get("reason", ""))
        elif action == "approve":
            filing.approve(ctx, user, unit, year, values.get("comment"))
        elif action == "reopen":
            filing.reopen(ctx, user, unit, year, values.get("reason", ""))
        elif action == "publish":
            filing.publish(ctx, user, unit, year, values.get("url", ""), values.get("date", ""))
        else:
            day = filing.parse_day(values.get("date", ""))
            filing.set_deadline(ctx, user, unit, year, day, values.get("descendants") == "1")
    except Refused as e:
        if status_of(e) != 422:
            raise
        message = "；".join(x["message"] for x in e.errors) or e.detail
        return _filing_page(request, caller, unit, year, 422, problem=message, values=values, open_form=action)
    return redirect(_url("/filing", unit, year, action))


@router.get("/progress")
def progress_page(request: Request, unit: str | None = None, year: str | None = None) -> Response:
    caller = viewer(request)
    server = server_of(request)
    code, units = pick_unit(server, caller, unit or None)
    y = _year(request, year)
    found = filing.progress(context(server), caller.user, code, y)
    years = list(range(server.ledger.today().year, 1999, -1))[:8]
    return render(request, caller, "progress.html", unit=code, units=units, year=y, years=years, p=found, states=STATES)
