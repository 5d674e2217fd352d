"""The JSON API of figures a unit declares (DOMAIN.md §8): declare, redeclare or retire with a `figure` line
(POST /api/figures, the line minus `op` and `by`), preview a definition's value before declaring it, list the
declarations that apply to a unit with every version of its own, one declaration's versions."""

# No `from __future__ import annotations`: FastAPI reads the annotations of the route functions.

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response
from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydField

from domain.catalogue import FIRST_YEAR, LAST_YEAR
from domain.validation import Ident, UnitCode

from ..services import figures as service
from .context import context
from .deps import PROBLEMS, CallerDep, IdemKey, ServerDep, WriterDep
from .schemas import Written

router = APIRouter(responses=PROBLEMS, tags=["figures"])
Year = Annotated[int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR, description="The report year (default: this year).")]


class FigureRequest(BaseModel):
    """A `figure` line (op `figure`): declare `data.code` on `unit`, redeclare it (the whole definition is
    replaced), or retire it with `{"code": …, "retire": true}`. `data` is checked as in a file (§8.4)."""

    model_config = ConfigDict(extra="forbid")
    id: Ident | None = None
    unit: UnitCode
    data: Any = PydField(description="The declaration (DOMAIN.md §8.1): code, label, unit_word, kind, where, measure")
    late_reason: str | None = PydField(
        default=None, max_length=2000, description="报后更正: why this changes a year whose report is approved."
    )  # a parameter of the write, not a field of the line (§4)


class PreviewRequest(BaseModel):
    """A definition to evaluate for `unit` and `year` without declaring it."""

    model_config = ConfigDict(extra="forbid")
    unit: UnitCode
    year: int | None = PydField(default=None, ge=FIRST_YEAR, le=LAST_YEAR)
    data: Any


class PreviewOut(BaseModel):
    value: int | float | str | None
    previous: int | float | str | None
    sources: list[str]


class VersionOut(BaseModel):
    line: str
    recorded_at: datetime
    by: str
    retired: bool
    data: dict[str, Any]


class DeclarationOut(BaseModel):
    unit: str
    code: str
    live: bool
    versions: list[VersionOut]


class AppliedOut(BaseModel):
    code: str
    label: str
    unit_word: str
    kind: str
    declared: dict[str, Any] = PydField(description="The declaration used: unit, line, recorded_at, by")
    inherited: bool = PydField(description="Declared on an ancestor (§8.6)")
    data: dict[str, Any]
    value: int | float | str | None
    previous: int | float | str | None


class FiguresOut(BaseModel):
    unit: str
    year: int
    applied: list[AppliedOut]
    own: list[DeclarationOut] = PydField(description="Every declaration made on the unit, retired ones too")


def _history(h: Any) -> dict[str, Any]:
    versions = [
        {"line": v.line, "recorded_at": v.recorded_at, "by": v.by, "retired": v.retired, "data": v.data}
        for v in h.versions
    ]
    return {"unit": h.unit, "code": h.code, "live": h.live, "versions": versions}


@router.post("/api/figures", response_model=Written, status_code=201)
async def declare(
    response: Response,
    caller: WriterDep,
    server: ServerDep,
    body: Annotated[FigureRequest, Body()],
    idempotency_key: IdemKey = None,
) -> dict[str, Any]:
    """Declare, redeclare or retire a figure of the unit's own (op `figure`, DOMAIN.md §8)."""
    written, replayed = await service.declare(
        context(server), caller.user, body.unit, body.data, idempotency_key, body.id, late_reason=body.late_reason
    )
    response.headers["ETag"] = f'"{written["version"]}"'
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return written


@router.post("/api/figures/preview", response_model=PreviewOut)
def preview(body: PreviewRequest, caller: CallerDep, server: ServerDep) -> dict[str, Any]:
    """The value a definition would have in the unit's report for the year, now; nothing is written."""
    year = body.year or server.ledger.today().year
    found = service.preview(context(server), caller.user, body.unit, body.data, year)
    return {"value": found.value, "previous": found.previous, "sources": found.sources}


@router.get("/api/figures", response_model=FiguresOut)
def listing(unit: str, caller: CallerDep, server: ServerDep, year: Year = None) -> dict[str, Any]:
    """The declared figures of the unit's report (its own and inherited ones) with this year's values, and
    every declaration made on the unit with all its versions."""
    year = year or server.ledger.today().year
    found = service.figures(context(server), caller.user, unit, year)
    applied = [
        {
            "code": a.code,
            "label": a.label,
            "unit_word": a.unit_word,
            "kind": a.kind,
            "declared": {"unit": a.owner, "line": a.line, "recorded_at": a.recorded_at.isoformat(), "by": a.by},
            "inherited": a.inherited,
            "data": a.data,
            "value": a.value,
            "previous": a.previous,
        }
        for a in found.applied
    ]
    return {"unit": unit, "year": year, "applied": applied, "own": [_history(h) for h in found.own]}


@router.get("/api/figures/{code}", response_model=DeclarationOut)
def history(code: str, unit: str, caller: CallerDep, server: ServerDep) -> dict[str, Any]:
    """Every version of `code` declared on `unit`, oldest first (404: never declared there)."""
    return _history(service.history(context(server), caller.user, unit, code))
