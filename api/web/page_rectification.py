"""整改 pages: the issue list of a unit (figures, reminders, registration) and one issue with its next steps.

Every form posts to the same use-cases as `taizhang issue …` and /api/issues; a refusal is shown on the page
with every field at fault, and nothing already recorded is lost."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from domain.rectification import SOURCES, STATUSES
from projections.rectification import FIGURES

from ..services import rectification as rect
from ..services.refusals import Refused
from .context import context
from .page_kit import file_name_problem, pick_unit, posted, redirect, render, server_of, texts, viewer

router = APIRouter()

DONE = {
    "registered": "已登记整改问题。",
    "measures": "已保存整改措施。",
    "evidence": "已添加佐证材料。",
    "completed": "已报告整改完成，待交办单位验收。",
    "verified": "已记录验收意见。",
    "reopened": "问题已重新打开。",
    "deadline": "已调整整改期限。",
}


def _day(value: str, field: str, label: str, errors: dict[str, str]) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[field] = f"{label}：请填写日期，如 2025-06-30"
        return None


def _problems(e: Refused) -> dict[str, str]:
    return {x["field"]: x["message"] for x in e.errors} or {"": e.detail}


@router.get("/issues")
def issue_list(request: Request, unit: str | None = None, year: int | None = None) -> Response:
    return _list(request, viewer(request), unit, year)


def _list(
    request: Request, caller: Any, unit: str | None, year: int | None, status: int = 200, **extra: Any
) -> Response:
    server = server_of(request)
    ctx = context(server)
    code, units = pick_unit(server, caller, unit)
    year = year or server.ledger.today().year
    return render(
        request,
        caller,
        "issues.html",
        status,
        unit=code,
        units=units,
        year=year,
        issues=rect.issues(ctx, caller.user, code),
        figures=rect.figures(ctx, caller.user, code, year),
        reminders=rect.reminders(ctx, caller.user, code),
        may_write=server.may_write(caller.user, code),
        sources=SOURCES,
        statuses=STATUSES,
        figure_labels=FIGURES,
        notice=DONE.get(request.query_params.get("done", ""), ""),
        **{"errors": {}, "form": {}, **extra},
    )


@router.post("/issues")
async def register(request: Request) -> Response:
    caller, raw = await posted(request)
    form = texts(raw)
    issuer = form.get("issuer", "")
    errors: dict[str, str] = {}
    deadline = _day(form.get("deadline", ""), "deadline", "整改期限", errors)
    found_on = _day(form.get("found_on", ""), "found_on", "发现日期", errors)
    if deadline is None and "deadline" not in errors:
        errors["deadline"] = "整改期限：必填"
    if not errors:
        draft = rect.IssueDraft(form.get("ref", "").strip(), form.get("owner", ""), form.get("title", ""),
                                deadline, form.get("source", ""), form.get("detail", ""), found_on)  # type: ignore[arg-type]  # fmt: skip
        try:
            rect.register(context(server_of(request)), caller.user, issuer, draft)
            return redirect(f"/issues?unit={quote(issuer)}&done=registered")
        except Refused as e:
            if e.kind != "invalid":
                raise
            errors = _problems(e)
    return _list(request, caller, issuer, None, 422, errors=errors, form=form)


@router.get("/issues/{issuer}/{ref}")
def issue_page(request: Request, issuer: str, ref: str) -> Response:
    return _issue(request, viewer(request), issuer, ref)


def _issue(request: Request, caller: Any, issuer: str, ref: str, status: int = 200, **extra: Any) -> Response:
    server = server_of(request)
    found = rect.issue(context(server), caller.user, issuer, ref)
    return render(
        request,
        caller,
        "issue.html",
        status,
        issue=found,
        sources=SOURCES,
        statuses=STATUSES,
        owner_may=server.may_write(caller.user, found.owner),
        issuer_may=server.may_write(caller.user, found.issuer),
        notice=DONE.get(request.query_params.get("done", ""), ""),
        **{"errors": {}, "form": {}, **extra},
    )


async def uploaded(form: Any, tmp: str) -> tuple[Path | None, str | None]:
    """The file a form posted, written to `tmp` under its own name, or why not."""
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None, "文件：请选择要上传的文件"
    name = Path(upload.filename).name or "upload"
    if problem := file_name_problem(name):
        return None, problem
    path = Path(tmp) / name
    path.write_bytes(await upload.read())  # the app's body limit (25 MB) bounds it; the store checks 20 MB
    return path, None


@router.post("/issues/{issuer}/{ref}/file")
async def issue_file(request: Request, issuer: str, ref: str) -> Response:
    caller, raw = await posted(request)
    with tempfile.TemporaryDirectory(prefix="taizhang-upload-") as tmp:
        path, problem = await uploaded(raw, tmp)
        try:
            if path is None:
                raise Refused("invalid", problem or "", [{"line": None, "field": "file", "message": problem}])
            rect.attach_file(context(server_of(request)), caller.user, issuer, ref, path)
        except Refused as e:
            if e.kind != "invalid":
                raise
            return _issue(request, caller, issuer, ref, 422, errors=_problems(e))
    return redirect(f"/issues/{quote(issuer)}/{quote(ref)}?done=evidence")


@router.post("/issues/{issuer}/{ref}/{step}")
async def issue_step(request: Request, issuer: str, ref: str, step: str) -> Response:
    caller, raw = await posted(request)
    form = texts(raw)
    ctx = context(server_of(request))
    errors: dict[str, str] = {}
    on = _day(form.get("on", ""), "on", "日期", errors)
    try:
        if errors:
            raise Refused("invalid", "日期有误")
        if step == "measures":
            rect.plan(ctx, caller.user, issuer, ref, form.get("measures", ""))
        elif step == "evidence":
            unit, _, activity = form.get("activity", "").strip().partition("/")
            if not activity:
                errors["activity"] = "佐证活动：请填写“单位/活动编号”，如 weibin-ur/PF-2025-002"
                raise Refused("invalid", "佐证活动有误")
            rect.link_activity(ctx, caller.user, issuer, ref, unit, activity)
        elif step == "completed":
            rect.complete(ctx, caller.user, issuer, ref, on, form.get("summary", ""))
        elif step == "verified":
            rect.verify(ctx, caller.user, issuer, ref, form.get("passed") == "yes", form.get("reason", ""), on)
        elif step == "reopened":
            deadline = _day(form.get("deadline", ""), "deadline", "新的整改期限", errors)
            rect.reopen(ctx, caller.user, issuer, ref, form.get("reason", ""), on, deadline)
        elif step == "deadline":
            deadline = _day(form.get("deadline", ""), "deadline", "整改期限", errors)
            if deadline is None:
                errors.setdefault("deadline", "整改期限：必填")
                raise Refused("invalid", "整改期限有误")
            rect.move_deadline(ctx, caller.user, issuer, ref, deadline, form.get("reason", ""))
        else:
            raise Refused("not_found", "没有这个操作")
    except Refused as e:
        if e.kind != "invalid":
            raise
        return _issue(request, caller, issuer, ref, 422, errors={**errors, **(_problems(e) if e.errors else {})},
                      form=form)  # fmt: skip
    return redirect(f"/issues/{quote(issuer)}/{quote(ref)}?done={step}")
