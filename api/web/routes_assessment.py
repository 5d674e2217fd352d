"""The JSON API of assessment (考核) under /api/assessment: the same use-cases as `taizhang assess …`."""

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from domain.catalogue import FIRST_YEAR, LAST_YEAR

from ..services import assessment as ax
from ..services.refusals import Refused
from .context import context
from .deps import PROBLEMS, AsOf, CallerDep, ServerDep, WriterDep, _as_of
from .page_kit import file_name_problem

router = APIRouter(responses=PROBLEMS, tags=["assessment"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class SystemIn(BaseModel):
    year: int = Field(ge=FIRST_YEAR, le=LAST_YEAR)
    definition: dict[str, Any] = Field(description="name, categories, indicators (see domain/assessment.py)")
    reason: str = ""


class Assignment(BaseModel):
    units: dict[str, str] = Field(description="unit -> category")
    reason: str = ""


class SelfScore(BaseModel):
    indicator: str
    score: float | None = None
    note: str = ""


class EvidenceIn(BaseModel):
    indicator: str
    unit: str | None = Field(None, description="An activity's unit (with ref)")
    ref: str | None = None
    seal: str | None = None


class Score(BaseModel):
    indicator: str
    score: float | None = None
    comment: str = ""


class ReturnIn(BaseModel):
    wanted: dict[str, str] = Field(default_factory=dict, description="indicator -> the evidence wanted")
    reason: str


class FinalIn(BaseModel):
    reason: str = ""


@router.get("/api/assessment/template.xlsx", response_class=FileResponse)
def template_xlsx(caller: CallerDep) -> Any:
    """A blank indicator-system workbook (sheets 指标体系, 单位类别, 说明), as `taizhang assess template`."""
    from ..documents.assessment_xlsx import template

    tmp = tempfile.mkdtemp()
    out = Path(tmp) / "indicator-system.xlsx"
    template().save(out)

    def clean() -> None:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)

    return FileResponse(out, media_type=XLSX, filename="indicator-system.xlsx", background=BackgroundTask(clean))


@router.get("/api/assessment/systems/{unit}")
def systems(unit: str, caller: CallerDep, server: ServerDep) -> list[dict[str, Any]]:
    """The systems the unit defined or is assessed under."""
    return [s.to_json() for s in ax.systems(context(server), caller.user, unit)]


@router.put("/api/assessment/{owner}/{code}")
def define(owner: str, code: str, body: SystemIn, caller: WriterDep, server: ServerDep) -> dict[str, Any]:
    """Define (or revise, with a reason) the owner's indicator system."""
    return ax.define(context(server), caller.user, owner, code, body.year, body.definition, body.reason).to_json()


@router.post("/api/assessment/{owner}/{code}/workbook")
async def import_workbook(
    owner: str,
    code: str,
    caller: WriterDep,
    server: ServerDep,
    file: Annotated[UploadFile, File()],
    year: Annotated[int, Form(ge=FIRST_YEAR, le=LAST_YEAR)],
    reason: Annotated[str, Form()] = "",
) -> dict[str, Any]:
    """Define the system from an xlsx workbook (`taizhang assess template`)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "system.xlsx"
        path.write_bytes(await file.read())
        found = await run_in_threadpool(
            ax.import_workbook, context(server), caller.user, owner, code, year, path, reason
        )
    return found.to_json()


@router.get("/api/assessment/{owner}/{code}")
def system(owner: str, code: str, caller: CallerDep, server: ServerDep, as_of: AsOf = None) -> dict[str, Any]:
    return ax.system(context(server), caller.user, owner, code, _as_of(as_of)).to_json()


@router.post("/api/assessment/{owner}/{code}/units")
def assign(owner: str, code: str, body: Assignment, caller: WriterDep, server: ServerDep) -> dict[str, Any]:
    return ax.assign(context(server), caller.user, owner, code, body.units, body.reason).to_json()


@router.get("/api/assessment/{owner}/{code}/table")
def table(owner: str, code: str, caller: CallerDep, server: ServerDep, as_of: AsOf = None) -> dict[str, Any]:
    """Every assessed unit's sheet, filling progress, outliers and the ranking by category."""
    return ax.table(context(server), caller.user, owner, code, _as_of(as_of)).to_json()


def _file(make: Any, media: str, name: str, owner: str, code: str, caller: Any, server: Any, as_of: Any) -> Any:
    tmp = tempfile.mkdtemp()
    out = Path(tmp) / name
    make(context(server), caller.user, owner, code, out, _as_of(as_of))

    def clean() -> None:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)

    return FileResponse(out, media_type=media, filename=name, background=BackgroundTask(clean))


@router.get("/api/assessment/{owner}/{code}/scores.xlsx", response_class=FileResponse)
def scores_xlsx(owner: str, code: str, caller: CallerDep, server: ServerDep, as_of: AsOf = None) -> Any:
    """The workbook of all scores."""
    return _file(ax.workbook, XLSX, f"{code}-scores.xlsx", owner, code, caller, server, as_of)


@router.get("/api/assessment/{owner}/{code}/bulletin.docx", response_class=FileResponse)
def bulletin_docx(owner: str, code: str, caller: CallerDep, server: ServerDep, as_of: AsOf = None) -> Any:
    """The bulletin (考核结果通报)."""
    return _file(ax.bulletin, DOCX, f"{code}-bulletin.docx", owner, code, caller, server, as_of)


@router.get("/api/assessment/{owner}/{code}/units/{unit}")
def sheet(owner: str, code: str, unit: str, caller: CallerDep, server: ServerDep, as_of: AsOf = None) -> dict[str, Any]:
    """One unit's score sheet, as it stands or as it stood at `as_of`."""
    return ax.sheet(context(server), caller.user, owner, code, unit, _as_of(as_of)).to_json()


@router.get("/api/assessment/{owner}/{code}/units/{unit}/history")
def history(owner: str, code: str, unit: str, caller: CallerDep, server: ServerDep) -> list[dict[str, Any]]:
    return ax.history(context(server), caller.user, owner, code, unit)


@router.get("/api/assessment/{owner}/{code}/units/{unit}/indicators/{indicator}/sources")
def drill(
    owner: str, code: str, unit: str, indicator: str, caller: CallerDep, server: ServerDep, as_of: AsOf = None
) -> dict[str, Any]:
    """What lies behind a rule-scored indicator: the figure's activities (or, for rectification, the issues)."""
    found = ax.drill(context(server), caller.user, owner, code, unit, indicator, _as_of(as_of))
    if isinstance(found, list):
        return {"issues": [i.to_json() for i in found]}
    return {"figure": found.figure, "value": found.value, "activities": found.activities}


@router.post("/api/assessment/{owner}/{code}/units/{unit}/self")
def self_assess(owner: str, code: str, unit: str, body: SelfScore, caller: WriterDep, server: ServerDep) -> Any:
    ctx = context(server)
    return ax.self_assess(ctx, caller.user, owner, code, unit, body.indicator, body.score, body.note).to_json()


@router.post("/api/assessment/{owner}/{code}/units/{unit}/evidence")
def add_evidence(owner: str, code: str, unit: str, body: EvidenceIn, caller: WriterDep, server: ServerDep) -> Any:
    """An activity (unit + ref) or a seal as evidence for one indicator."""
    activity = (body.unit, body.ref) if body.unit and body.ref else None
    ctx = context(server)
    return ax.add_evidence(
        ctx, caller.user, owner, code, unit, body.indicator, activity=activity, seal=body.seal
    ).to_json()


@router.post("/api/assessment/{owner}/{code}/units/{unit}/evidence/file")
async def add_file(
    owner: str,
    code: str,
    unit: str,
    caller: WriterDep,
    server: ServerDep,
    file: Annotated[UploadFile, File()],
    indicator: Annotated[str, Form()],
) -> Any:
    """A file (PDF, image, DOCX, XLSX; 20 MB) as evidence for one indicator."""
    name = Path(file.filename or "file").name or "file"
    if problem := file_name_problem(name):
        raise Refused("invalid", problem, [{"line": None, "field": "file", "message": problem}])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(await file.read())

        def add() -> Any:
            return ax.add_evidence(context(server), caller.user, owner, code, unit, indicator, path=path)

        found = await run_in_threadpool(add)
    return found.to_json()


@router.post("/api/assessment/{owner}/{code}/units/{unit}/submission")
def submit(owner: str, code: str, unit: str, caller: WriterDep, server: ServerDep) -> Any:
    return ax.submit(context(server), caller.user, owner, code, unit).to_json()


@router.post("/api/assessment/{owner}/{code}/units/{unit}/scores")
def assess(owner: str, code: str, unit: str, body: Score, caller: WriterDep, server: ServerDep) -> Any:
    ctx = context(server)
    return ax.assess(ctx, caller.user, owner, code, unit, body.indicator, body.score, body.comment).to_json()


@router.post("/api/assessment/{owner}/{code}/units/{unit}/return")
def send_back(owner: str, code: str, unit: str, body: ReturnIn, caller: WriterDep, server: ServerDep) -> Any:
    return ax.send_back(context(server), caller.user, owner, code, unit, body.wanted, body.reason).to_json()


@router.post("/api/assessment/{owner}/{code}/units/{unit}/final")
def finalise(owner: str, code: str, unit: str, body: FinalIn, caller: WriterDep, server: ServerDep) -> Any:
    return ax.finalise(context(server), caller.user, owner, code, unit, body.reason).to_json()


@router.get("/api/assessment/{owner}/{code}/units/{unit}/verification")
def verify(owner: str, code: str, unit: str, caller: CallerDep, server: ServerDep) -> dict[str, Any]:
    """A final sheet checked: its digest recomputed, the owner's signature and key."""
    return ax.verify_sheet(context(server), caller.user, owner, code, unit).__dict__
