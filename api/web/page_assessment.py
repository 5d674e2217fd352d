"""考核 pages: the systems of a unit, the assessor's table (units × indicators, filling progress, outliers,
ranking) and one unit's sheet (what evidence is missing; self-assessment, evidence and submission for the
unit; score, return and final for the assessor). The same use-cases as `taizhang assess …`."""

from __future__ import annotations

import tempfile
from datetime import datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from domain.assessment import SHEET_STATUSES

from ..services import assessment as ax
from ..services.refusals import Refused
from .context import context
from .page_kit import parse_as_of, pick_unit, posted, redirect, render, server_of, texts, viewer
from .page_rectification import uploaded

router = APIRouter()

EVENT_LABELS = {
    "Opened": "开始填报",
    "SelfScored": "自评",
    "EvidenceAdded": "添加佐证材料",
    "Submitted": "提交评审",
    "Assessed": "评审打分",
    "Returned": "退回补充材料",
    "Finalised": "定分",
}
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
    return _systems(request, viewer(request), unit)


def _systems(request: Request, caller: Any, unit: str | None, status: int = 200, **extra: Any) -> Response:
    server = server_of(request)
    code, units = pick_unit(server, caller, unit)
    found = ax.systems(context(server), caller.user, code)
    return render(request, caller, "assessment_list.html", status, unit=code, units=units, systems=found,
                  may_define=server.may_write(caller.user, code), year=server.ledger.today().year,
                  **{"problems": [], "form": {}, **extra})  # fmt: skip


@router.post("/assessment")
async def define(request: Request) -> Response:
    """The assessor defines (or revises) a system from a workbook and names the units with their categories."""
    caller, raw = await posted(request)
    form = texts(raw)
    owner, code = form.get("owner", ""), form.get("code", "").strip()
    problems: list[str] = []
    units: dict[str, str] = {}
    for n, line in enumerate(form.get("units", "").splitlines(), 1):
        if line.strip():
            unit, sep, category = line.strip().partition("=")
            if not sep:
                problems.append(f"参加考核的单位：第 {n} 行须为“单位=类别”，收到「{line.strip()[:40]}」")
            units[unit.strip()] = category.strip()
    try:
        year = int(form.get("year", ""))
    except ValueError:
        problems.append("年度：须为数字")
        year = 0
    with tempfile.TemporaryDirectory(prefix="taizhang-upload-") as tmp:
        path, problem = await uploaded(raw, tmp)
        if problem:
            problems.append(problem)
        if not problems and path is not None:
            ctx = context(server_of(request))
            try:
                ax.import_workbook(ctx, caller.user, owner, code, year, path, form.get("reason", ""))
                if units:
                    ax.assign(ctx, caller.user, owner, code, units)
            except Refused as e:
                if e.kind not in ("invalid", "conflict"):
                    raise
                problems = [x["message"] for x in e.errors] or [e.detail]
    if problems:
        return _systems(request, caller, owner, 422, problems=problems, form=form)
    return redirect(f"/assessment/{quote(owner)}/{quote(code)}")


def _instant(request: Request, as_of: str) -> tuple[Any, str]:
    return parse_as_of(as_of, server_of(request).settings.tz)


@router.get("/assessment/{owner}/{code}")
def table(request: Request, owner: str, code: str, as_of: str = "") -> Response:
    caller = viewer(request)
    instant, problem = _instant(request, as_of)
    found = ax.table(context(server_of(request)), caller.user, owner, code, instant)
    leaves = [i for i in found.system.indicators if i.leaf]
    return render(request, caller, "assessment_table.html", table=found, leaves=leaves, statuses=SHEET_STATUSES,
                  as_of=as_of if instant else "", as_of_problem=problem)  # fmt: skip


def _sheet(
    request: Request, caller: Any, owner: str, code: str, unit: str, status: int = 200, as_of: str = "", **extra: Any
) -> Response:
    server = server_of(request)
    ctx = context(server)
    instant, problem = _instant(request, as_of)
    sheet = ax.sheet(ctx, caller.user, owner, code, unit, instant)
    system = ax.system(ctx, caller.user, owner, code, instant)
    events = [
        e
        for e in ax.history(ctx, caller.user, owner, code, unit)
        if instant is None or datetime.fromisoformat(e["recorded_at"]) <= instant
    ]
    return render(
        request,
        caller,
        "assessment_sheet.html",
        status,
        sheet=sheet,
        system=system,
        statuses=SHEET_STATUSES,
        unit_may=server.may_write(caller.user, unit) and instant is None,
        assessor_may=server.may_write(caller.user, owner) and instant is None,
        as_of=as_of if instant else "",
        as_of_problem=problem,
        events=events,
        event_labels=EVENT_LABELS,
        notice=DONE.get(request.query_params.get("done", ""), ""),
        **{"errors": {}, **extra},
    )


@router.get("/assessment/{owner}/{code}/{unit}")
def sheet_page(request: Request, owner: str, code: str, unit: str, as_of: str = "") -> Response:
    return _sheet(request, viewer(request), owner, code, unit, as_of=as_of)


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


@router.post("/assessment/{owner}/{code}/{unit}/file")
async def sheet_file(request: Request, owner: str, code: str, unit: str) -> Response:
    caller, raw = await posted(request)
    indicator = texts(raw).get("indicator", "")
    with tempfile.TemporaryDirectory(prefix="taizhang-upload-") as tmp:
        path, problem = await uploaded(raw, tmp)
        try:
            if path is None:
                raise Refused("invalid", problem or "", [{"line": None, "field": "file", "message": problem}])
            ax.add_evidence(context(server_of(request)), caller.user, owner, code, unit, indicator, path=path)
        except Refused as e:
            if e.kind not in ("invalid", "conflict"):
                raise
            return _sheet(
                request, caller, owner, code, unit, 422, problems=[x["message"] for x in e.errors] or [e.detail]
            )
    return redirect(f"/assessment/{quote(owner)}/{quote(code)}/{quote(unit)}?done=evidence")


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
