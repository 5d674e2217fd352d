"""考核 pages: the systems of a unit, the assessor's table (units × indicators, filling progress, outliers,
ranking) and one unit's sheet (what evidence is missing; self-assessment, evidence and submission for the
unit; score, return and final for the assessor). The same use-cases as `taizhang assess …`."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from domain.assessment import SHEET_STATUSES

from ..services import assessment as ax
from ..services.refusals import Refused
from .context import context
from .page_kit import pick_unit, posted, redirect, render, server_of, texts, viewer

router = APIRouter()

DONE = {
    "self": "已保存自评。",
    "evidence": "已添加佐证材料。",
    "submitted": "已提交评审。",
    "scored": "已保存评分。",
    "returned": "已退回补充材料。",
    "final": "已定分。",
}


@router.get("/assessment")
def systems(request: Request, unit: str | None = None) -> Response:
    caller = viewer(request)
    server = server_of(request)
    code, units = pick_unit(server, caller, unit)
    found = ax.systems(context(server), caller.user, code)
    return render(request, caller, "assessment_list.html", unit=code, units=units, systems=found)


@router.get("/assessment/{owner}/{code}")
def table(request: Request, owner: str, code: str) -> Response:
    caller = viewer(request)
    found = ax.table(context(server_of(request)), caller.user, owner, code)
    leaves = [i for i in found.system.indicators if i.leaf]
    return render(request, caller, "assessment_table.html", table=found, leaves=leaves, statuses=SHEET_STATUSES)


def _sheet(
    request: Request, caller: Any, owner: str, code: str, unit: str, status: int = 200, **extra: Any
) -> Response:
    server = server_of(request)
    ctx = context(server)
    sheet = ax.sheet(ctx, caller.user, owner, code, unit)
    system = ax.system(ctx, caller.user, owner, code)
    return render(
        request,
        caller,
        "assessment_sheet.html",
        status,
        sheet=sheet,
        system=system,
        statuses=SHEET_STATUSES,
        unit_may=server.may_write(caller.user, unit),
        assessor_may=server.may_write(caller.user, owner),
        notice=DONE.get(request.query_params.get("done", ""), ""),
        **{"errors": {}, **extra},
    )


@router.get("/assessment/{owner}/{code}/{unit}")
def sheet_page(request: Request, owner: str, code: str, unit: str) -> Response:
    return _sheet(request, viewer(request), owner, code, unit)


def _number(value: str) -> float | None:
    value = value.strip()
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise Refused(
            "invalid", "得分：须为数字", [{"line": None, "field": "score", "message": "得分：须为数字"}]
        ) from None


@router.post("/assessment/{owner}/{code}/{unit}/{step}")
async def sheet_step(request: Request, owner: str, code: str, unit: str, step: str) -> Response:
    caller, raw = await posted(request)
    form = texts(raw)
    ctx = context(server_of(request))
    indicator = form.get("indicator", "")
    try:
        if step == "self":
            ax.self_assess(ctx, caller.user, owner, code, unit, indicator, _number(form.get("score", "")),
                           form.get("note", ""))  # fmt: skip
        elif step == "evidence":
            a_unit, _, ref = form.get("activity", "").strip().partition("/")
            if not ref:
                message = "佐证活动：请填写“单位/活动编号”"
                raise Refused("invalid", message, [{"line": None, "field": "activity", "message": message}])
            ax.add_evidence(ctx, caller.user, owner, code, unit, indicator, activity=(a_unit, ref))
        elif step == "submitted":
            ax.submit(ctx, caller.user, owner, code, unit)
        elif step == "scored":
            ax.assess(ctx, caller.user, owner, code, unit, indicator, _number(form.get("score", "")),
                      form.get("comment", ""))  # fmt: skip
        elif step == "returned":
            wanted = {indicator: form.get("wanted", "")} if indicator else {}
            ax.send_back(ctx, caller.user, owner, code, unit, wanted, form.get("reason", ""))
        elif step == "final":
            ax.finalise(ctx, caller.user, owner, code, unit, form.get("reason", ""))
        else:
            raise Refused("not_found", "没有这个操作")
    except Refused as e:
        if e.kind not in ("invalid", "conflict"):
            raise
        problems = [x["message"] for x in e.errors] or [e.detail]
        return _sheet(request, caller, owner, code, unit, 422, problems=problems)
    return redirect(f"/assessment/{quote(owner)}/{quote(code)}/{quote(unit)}?done={step}")
