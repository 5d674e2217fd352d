"""The JSON API of rectification (整改) under /api/issues: the same use-cases as `taizhang issue …`."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile
from pydantic import BaseModel, Field

from ..services import rectification as rect
from ..services.refusals import Refused
from .context import context
from .deps import PROBLEMS, AsOf, CallerDep, ServerDep, WriterDep, _as_of
from .page_kit import file_name_problem

router = APIRouter(responses=PROBLEMS, tags=["rectification"])


class IssueIn(BaseModel):
    issuer: str = Field(description="The issuing unit (交办单位)")
    ref: str
    owner: str = Field(description="The unit that must rectify: the issuer or a descendant")
    source: str = Field(description="supervision, patrol, audit, inspection, reconsideration, litigation, notice, self")
    title: str
    detail: str = ""
    found_on: date | None = None
    deadline: date


class InspectionIssue(BaseModel):
    ref: str
    owner: str
    title: str
    deadline: date
    detail: str = ""


class FromInspection(BaseModel):
    unit: str
    ref: str = Field(description="The inspection activity's ref")
    issues: list[InspectionIssue] = Field(min_length=1, max_length=500)


class Measures(BaseModel):
    measures: str


class ActivityEvidence(BaseModel):
    unit: str
    ref: str


class Completion(BaseModel):
    on: date | None = None
    summary: str


class DeadlineMove(BaseModel):
    deadline: date
    reason: str


class Verification(BaseModel):
    passed: bool
    reason: str
    on: date | None = None


class Reopening(BaseModel):
    reason: str
    on: date | None = None
    deadline: date | None = None


def _out(found: rect.IssueView) -> dict[str, Any]:
    return found.to_json()


@router.post("/api/issues", status_code=201)
def register(body: IssueIn, caller: WriterDep, server: ServerDep) -> dict[str, Any]:
    """Register an issue and assign it to its owner unit."""
    draft = rect.IssueDraft(body.ref, body.owner, body.title, body.deadline, body.source, body.detail, body.found_on)
    return _out(rect.register(context(server), caller.user, body.issuer, draft))


@router.post("/api/issues/from-inspection", status_code=201)
def from_inspection(body: FromInspection, caller: WriterDep, server: ServerDep) -> list[dict[str, Any]]:
    """Register every issue an inspection activity found, in one step, all or none."""
    drafts = [rect.IssueDraft(i.ref, i.owner, i.title, i.deadline, "inspection", i.detail) for i in body.issues]
    return [_out(v) for v in rect.register_from_inspection(context(server), caller.user, body.unit, body.ref, drafts)]


@router.get("/api/issues")
def issues(
    unit: str, caller: CallerDep, server: ServerDep, status: str | None = None, as_of: AsOf = None
) -> list[dict[str, Any]]:
    """The issues the unit or its descendants issued or own, as they stood at `as_of`."""
    return [_out(v) for v in rect.issues(context(server), caller.user, unit, _as_of(as_of), status)]


@router.get("/api/issues/figures/{unit}/{year}")
def figures(unit: str, year: int, caller: CallerDep, server: ServerDep, as_of: AsOf = None) -> dict[str, Any]:
    """整改完成率, 整改超期率, 问题反弹 of the issues the unit and its descendants own, found in the year."""
    found = rect.figures(context(server), caller.user, unit, year, _as_of(as_of))
    return {"unit": unit, "year": year, "figures": {k: v.to_json() for k, v in found.items()}}


@router.get("/api/issues/reminders/{unit}")
def reminders(
    unit: str,
    caller: CallerDep,
    server: ServerDep,
    within: Annotated[int, Query(ge=0, le=366)] = 14,
    as_of: AsOf = None,
) -> dict[str, list[dict[str, Any]]]:
    """Per owner unit: issues due within `within` days or overdue."""
    found = rect.reminders(context(server), caller.user, unit, within, _as_of(as_of))
    return {u: [r.to_json() for r in rs] for u, rs in found.items()}


@router.get("/api/issues/{issuer}/{ref}")
def issue(issuer: str, ref: str, caller: CallerDep, server: ServerDep) -> dict[str, Any]:
    """One issue with every event: when, by whom, what, why."""
    return _out(rect.issue(context(server), caller.user, issuer, ref))


@router.post("/api/issues/{issuer}/{ref}/measures")
def plan(issuer: str, ref: str, body: Measures, caller: WriterDep, server: ServerDep) -> dict[str, Any]:
    return _out(rect.plan(context(server), caller.user, issuer, ref, body.measures))


@router.post("/api/issues/{issuer}/{ref}/evidence/activity")
def link_activity(
    issuer: str, ref: str, body: ActivityEvidence, caller: WriterDep, server: ServerDep
) -> dict[str, Any]:
    return _out(rect.link_activity(context(server), caller.user, issuer, ref, body.unit, body.ref))


@router.post("/api/issues/{issuer}/{ref}/evidence/file")
async def attach_file(
    issuer: str,
    ref: str,
    caller: WriterDep,
    server: ServerDep,
    file: Annotated[UploadFile, File()],
    note: Annotated[str, Form()] = "",
) -> dict[str, Any]:
    import tempfile
    from pathlib import Path

    from starlette.concurrency import run_in_threadpool

    name = Path(file.filename or "file").name or "file"
    if problem := file_name_problem(name):
        raise Refused("invalid", problem, [{"line": None, "field": "file", "message": problem}])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(await file.read())
        found = await run_in_threadpool(rect.attach_file, context(server), caller.user, issuer, ref, path)
    return _out(found)


@router.post("/api/issues/{issuer}/{ref}/completion")
def complete(issuer: str, ref: str, body: Completion, caller: WriterDep, server: ServerDep) -> dict[str, Any]:
    return _out(rect.complete(context(server), caller.user, issuer, ref, body.on, body.summary))


@router.post("/api/issues/{issuer}/{ref}/deadline")
def move_deadline(issuer: str, ref: str, body: DeadlineMove, caller: WriterDep, server: ServerDep) -> dict[str, Any]:
    return _out(rect.move_deadline(context(server), caller.user, issuer, ref, body.deadline, body.reason))


@router.post("/api/issues/{issuer}/{ref}/verification")
def verify(issuer: str, ref: str, body: Verification, caller: WriterDep, server: ServerDep) -> dict[str, Any]:
    """passed: signed off (销号); not passed: returned to the owner with the reason."""
    return _out(rect.verify(context(server), caller.user, issuer, ref, body.passed, body.reason, body.on))


@router.post("/api/issues/{issuer}/{ref}/reopening")
def reopen(issuer: str, ref: str, body: Reopening, caller: WriterDep, server: ServerDep) -> dict[str, Any]:
    return _out(rect.reopen(context(server), caller.user, issuer, ref, body.reason, body.on, body.deadline))
