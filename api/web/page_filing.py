"""The pages of reporting upward (报送): a unit's filing of a year (state, register, the actions the viewer may
take, late corrections against the approved seal) and a superior's progress page (报送进度). Every action calls
api/services/filing.py; a refusal re-renders the page with the message and what was typed."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from domain.access import AUDITOR_ROLES, may_submit
from domain.catalogue import FIRST_YEAR, LAST_YEAR
from domain.filing import STATES

from ..infra import notice_file
from ..services import filing, filing_notices
from ..services.refusals import Refused
from .auth import Caller
from .context import context
from .page_kit import pick_unit, posted, redirect, render, server_of, texts, viewer, years
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
    "notice-approved": "已导入上级回执：审核通过，该年度数据已锁定。",
    "notice-returned": "已导入上级回执：已退回，请按退回理由修改后重新封存报送。",
    "notice-reopened": "已导入上级回执：上级已重新打开该年度，锁定已解除，修改后请重新封存报送。",
    "notice-again": "该回执此前已导入，未重复记录。",
    "approve-key": "已批准上级的新签名密钥，请重新导入暂存的回执。",
}
NOTICE_TYPE = "application/json"


def _year(request: Request, value: str | None) -> int:
    if value and value.isdigit() and FIRST_YEAR <= int(value) <= LAST_YEAR:
        return int(value)
    return server_of(request).ledger.today().year - 1  # the report written this year is last year's


def _url(path: str, unit: str, year: int, done: str = "") -> str:
    return f"{path}?{urlencode({'unit': unit, 'year': year, **({'done': done} if done else {})})}"


def _filing_page(request: Request, caller: Caller, unit: str, year: int, status: int = 200, **extra: Any) -> Response:
    server = server_of(request)
    ctx = context(server)
    remote = bool(unit) and filing.is_remote(ctx, unit)  # a unit on its own server: its filing is kept here
    code, units = (unit, server.units_for(caller.user)) if remote else pick_unit(server, caller, unit or None)
    found = filing.status(ctx, caller.user, code, year)
    reviewer = filing.reviews(ctx, caller.user, code)
    late = None
    if found.approved_seal and (reviewer or caller.user.role in AUDITOR_ROLES):
        late = filing.late_corrections(ctx, caller.user, code, year)
    decide = filing.may_decide(ctx, caller.user, found)
    moved = filing.since_submission(ctx, caller.user, found) if decide else None
    done = request.query_params.get("done", "")
    submitter = not remote and may_submit(caller.user, code, ctx.parent_of)  # type: ignore[arg-type]
    superior = filing_notices.superior_of(ctx, caller.user, code) if submitter else None
    return render(
        request,
        caller,
        "filing.html",
        status,
        unit=code,
        units=units,
        year=year,
        years=years(server),
        f=found,
        late=late,
        may_submit=submitter,
        superior=superior,
        remote=remote,
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


@router.get("/filing/notice")
def notice_download(request: Request, unit: str = "", year: str | None = None) -> Response:
    """The signed notice (回执) of the last decision on a unit on its own server, to send down to it."""
    caller = viewer(request)
    found = filing_notices.notice(context(server_of(request)), caller.user, unit, _year(request, year))
    disposition = {"Content-Disposition": f'attachment; filename="{found.filename}"'}
    return Response(found.data, media_type=NOTICE_TYPE, headers=disposition)


@router.post("/filing/notice")
async def notice_upload(request: Request) -> Response:
    """The unit's side: import its superior's notice (approved, or returned with a reason)."""
    caller, form = await posted(request)
    values = texts(form)
    unit, year = values.get("unit", ""), _year(request, values.get("year"))
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _filing_page(request, caller, unit, year, 422, problem="文件：请选择上级的报送回执（.tznotice）")
    data = await upload.read(notice_file.MAX_BYTES + 1)
    try:
        key = values.get("key", "").strip() or None
        got = filing_notices.import_notice(context(server_of(request)), caller.user, data, key)
    except Refused as e:
        if status_of(e) not in (409, 422):
            raise
        message = "；".join(x["message"] for x in e.errors) or e.detail
        return _filing_page(request, caller, unit, year, status_of(e), problem=message, open_form="notice")
    done = "notice-again" if got.again else f"notice-{got.kind}"
    return redirect(_url("/filing", got.status.unit, got.status.year, done))


@router.post("/filing/approve-key")
async def approve_key(request: Request) -> Response:
    """The unit's side: approve the superior's new signing key of a held notice, with the reason."""
    caller, form = await posted(request)
    values = texts(form)
    unit, year = values.get("unit", ""), _year(request, values.get("year"))
    try:
        filing_notices.approve_key(
            context(server_of(request)), caller.user, unit, values.get("key", ""), values.get("reason", "")
        )
    except Refused as e:
        if status_of(e) not in (409, 422):
            raise
        message = "；".join(x["message"] for x in e.errors) or e.detail
        return _filing_page(
            request, caller, unit, year, status_of(e), problem=message, values=values, open_form="approve-key"
        )
    return redirect(_url("/filing", unit, year, "approve-key"))


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
    return render(
        request, caller, "progress.html", unit=code, units=units, year=y, years=years(server), p=found, states=STATES
    )
